// What the CLI prints of its indexer thread's death: every URL in it cut, not only --rpc's. The thread's error may
// quote any text; here the database's path, which holds a URL with its credentials and key (path.resolve makes such a
// path of a URL typed as --db), quoted by the DeploymentReplacedError that ends the thread when another build of the
// subgraph resets the database under it.
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { Indexer } from "../../../subgraph/indexer";
import { collectOutput } from "../../helpers/child-output";
import { PROCESS_START_MS, waitUntil } from "../../helpers/wait";
import { spawnIndexerCli } from "./helpers/cli";
import { sample } from "./helpers/probe";
import { useProbeFixture } from "./helpers/use-probe-fixture";

describe("embedded indexer: the CLI's report of its thread's death", function () {
  const fx = useProbeFixture();

  it("cuts every URL in the error its thread died of (a --db path made of a URL), not only --rpc's, and exits 1", async function () {
    this.timeout(PROCESS_START_MS + 60_000);
    const db = path.join(fx.tmpDir, "https:", "user:secret@db.example", "v2", "SECRETKEY", "index.sqlite");
    const child = spawnIndexerCli(["--rpc", fx.chain.url, "--db", db, "--subgraph", fx.buildDir, "--poll-ms", "50", "--quiet"]);
    const output = collectOutput(child);
    try {
      // The CLI's start, which took 17.6 s of the 20 s default at load average 17.
      await waitUntil(() => output.stdout.includes("indexing ") || child.exitCode !== null, "the CLI is indexing", { timeoutMs: PROCESS_START_MS });
      expect(child.exitCode, output.stderr).to.equal(null);
      // Another build of the subgraph opens the database without the lock (which would refuse it): it resets it.
      const rebuilt = path.join(fx.tmpDir, "rebuilt");
      cpSync(fx.buildDir, rebuilt, { recursive: true });
      const manifest = path.join(rebuilt, "subgraph.yaml");
      writeFileSync(manifest, readFileSync(manifest, "utf8").replace("data: probe-context ✓", "data: rebuilt"));
      const other = await Indexer.open({ subgraph: rebuilt, rpc: fx.chain.url, db, lock: false });
      await other.close();
      // A block with events: the CLI's next pass writes, and finds the database another deployment's.
      await sample(fx.probe, { key: "k", small: 1n, big: 2n, negative: -3n, blob: "0x01", flag: true, labels: ["after the reset"], count: 1 });
      expect(await output.exited, output.stderr).to.equal(1);
      const died = output.stderr.split("\n").filter((line) => line.includes("ERROR indexer: the indexer worker thread died"));
      expect(died, output.stderr).to.have.length(1);
      expect(died[0]).to.match(/ died \(exit code 1\): \S*\/https:\/db\.example\/… was reset for another deployment .*; it is not restarted$/);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    }
  });
});
