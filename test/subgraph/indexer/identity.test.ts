// A database belongs to one chain (chain id + genesis hash) and one build of the subgraph. Pointed at another
// chain, or at a rebuilt subgraph, the indexer starts over instead of serving stale data.
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { DeploymentReplacedError, Indexer, type IndexerLogRecord } from "../../../subgraph/indexer";
import type { ChildProcess } from "node:child_process";
import { QueryEngine } from "../../../subgraph/indexer/query/engine";
import { collectOutput } from "../../helpers/child-output";
import { PROCESS_START_MS, waitUntil } from "../../helpers/wait";
import { spawnIndexerCli } from "./helpers/cli";
import { dumpDatabase, gql } from "./helpers/dump";
import { registerProvider, sample } from "./helpers/probe";
import { useProbeFixture, type SuiteProbeFixture } from "./helpers/use-probe-fixture";

describe("embedded indexer: database identity", function () {
  let db: string;
  const children: ChildProcess[] = [];

  after(async function () {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  });

  // Registered after the suite's own after hook: it ends what still uses the chain before the chain closes.
  const first = useProbeFixture();
  const second = useProbeFixture();

  before(async function () {
    await registerProvider(first.probe, first.chain.accounts[1]!, "from the first chain", 1n, 1);
    await registerProvider(second.probe, second.chain.accounts[2]!, "from the second chain", 2n, 2);
    db = first.dbPath("shared.sqlite");
  });

  async function indexInto(fx: SuiteProbeFixture, buildDir = fx.buildDir): Promise<{ names: string[]; deployment: string; logs: IndexerLogRecord[]; checkpoint: number }> {
    const logs: IndexerLogRecord[] = [];
    const indexer = await Indexer.open({ subgraph: buildDir, rpc: fx.chain.url, db, logger: (r) => logs.push(r) });
    try {
      const status = await indexer.syncOnce();
      const data = await gql<{ providers: Array<{ name: string }> }>(QueryEngine.forDatabase(indexer.db), `{ providers { name } }`);
      return { names: data.providers.map((p) => p.name), deployment: indexer.deployment, logs, checkpoint: status.checkpoint!.number };
    } finally {
      await indexer.close();
    }
  }

  const startedOver = (logs: IndexerLogRecord[]): boolean => logs.some((l) => l.message.includes("starting over"));

  it("keeps its data when reopened on the same chain with the same build", async function () {
    const a = await indexInto(first);
    const b = await indexInto(first);
    expect(a.names).to.deep.equal(["from the first chain"]);
    expect(b).to.deep.include({ names: a.names, deployment: a.deployment, checkpoint: a.checkpoint });
    expect(startedOver(b.logs)).to.equal(false);
  });

  it("starts over when pointed at another chain (another genesis)", async function () {
    const before = await indexInto(first);
    const after = await indexInto(second);
    expect(startedOver(after.logs)).to.equal(true);
    expect(after.names).to.deep.equal(["from the second chain"]);
    expect(after.deployment).to.not.equal(before.deployment);
  });

  /** A copy of the fixture's build whose mapping writes `label` into Sample.contextLabel (another build hash). */
  function relabelled(fx: SuiteProbeFixture, label: string): string {
    const dir = path.join(fx.tmpDir, `relabelled-${label}`);
    cpSync(fx.buildDir, dir, { recursive: true });
    const manifest = path.join(dir, "subgraph.yaml");
    writeFileSync(manifest, readFileSync(manifest, "utf8").replace("data: probe-context ✓", `data: ${label}`));
    return dir;
  }

  it("stops writing when another build resets the database under it, and leaves that build's index intact", async function () {
    const file = second.dbPath("taken-over.sqlite");
    const old = await Indexer.open({ subgraph: relabelled(second, "old"), rpc: second.chain.url, db: file });
    const fresh = await Indexer.open({ subgraph: relabelled(second, "new"), rpc: second.chain.url, db: file.replace(".sqlite", "-fresh.sqlite") });
    let current: Indexer | null = null;
    try {
      await old.syncOnce();
      // A rebuilt subgraph's indexer opens the same file, without the lock that would refuse it: the check behind it.
      current = await Indexer.open({ subgraph: relabelled(second, "new"), rpc: second.chain.url, db: file, lock: false });
      await current.syncOnce();
      await sample(second.probe, { key: "k", small: 1n, big: 2n, negative: -3n, blob: "0x01", flag: true, labels: ["after the reset"], count: 1 });
      // The old indexer used to take the new checkpoint for a concurrent indexer's and index on from it with its own
      // mapping, into the new deployment's tables (and the new indexer then failed with ConcurrentIndexerError).
      for (let pass = 0; pass < 2; pass++) {
        const error = await old.syncOnce().catch((e: unknown) => e);
        expect(error, `pass ${pass}`).to.be.instanceOf(DeploymentReplacedError);
        expect(error).to.include({ database: file, expected: old.deployment, found: current.deployment });
      }
      await old.run().then(
        () => expect.fail("run() must end with the error"),
        (e: unknown) => expect(e).to.be.instanceOf(DeploymentReplacedError),
      );
      expect((await current.syncOnce()).checkpoint!.number).to.equal(await second.chain.blockNumber());
      await fresh.syncOnce();
      expect(dumpDatabase(file)).to.deep.equal(dumpDatabase(fresh.db.path));
    } finally {
      await old.close();
      await fresh.close();
      await current?.close();
    }
  });

  // A new thread would reset the database to its own deployment again, under the indexer that now owns it.
  it("does not restart the CLI's thread that another build's indexer took the database from: exit 1, saying why", async function () {
    this.timeout(PROCESS_START_MS + 90_000);
    const file = second.dbPath("taken-from-cli.sqlite");
    const child = spawnIndexerCli(["--rpc", second.chain.url, "--db", file, "--subgraph", relabelled(second, "cli"), "--poll-ms", "50"]);
    children.push(child);
    const output = collectOutput(child);
    // At the head, its statistics gathered: its passes write nothing more that the takeover's reset could run into.
    // The CLI's start (58.7 s measured at load average 28-31 for the CLI's URLs), then its passes to the head.
    await waitUntil(() => output.stderr.includes("query planner statistics refreshed"), "the CLI's thread reaches the head", { timeoutMs: PROCESS_START_MS });
    const taker = await Indexer.open({ subgraph: relabelled(second, "taker"), rpc: second.chain.url, db: file, lock: false });
    try {
      await taker.syncOnce();
      await waitUntil(() => child.exitCode !== null || output.stderr.includes("runs again"), "the CLI exits or restarts its thread", { timeoutMs: 60_000 });
      expect(output.stderr).to.not.include("the worker thread runs again");
      expect(await output.exited, output.stderr).to.equal(1);
      expect(output.stderr).to.match(
        new RegExp(
          `ERROR indexer: the indexer worker thread died \\(exit code 1\\): ${file} was reset for another deployment \\(${taker.deployment}\\) ` +
            `while this indexer \\(deployment Qm\\w+\\) had it open: it writes nothing more to it; it is not restarted\\n$`,
        ),
      );
    } finally {
      await taker.close();
    }
  });

  it("starts over when the subgraph is rebuilt differently", async function () {
    const before = await indexInto(second);
    const rebuilt = path.join(second.tmpDir, "rebuilt");
    cpSync(second.buildDir, rebuilt, { recursive: true });
    const manifest = path.join(rebuilt, "subgraph.yaml");
    writeFileSync(manifest, readFileSync(manifest, "utf8").replace("startBlock: 0", "startBlock: 1"));
    const after = await indexInto(second, rebuilt);
    expect(startedOver(after.logs)).to.equal(true);
    expect(after.deployment).to.not.equal(before.deployment);
    expect(after.names).to.deep.equal(["from the second chain"]);
  });
});
