// Deterministic failures: a failing handler marks the subgraph failed at its block with the message, discards
// the block's writes and stops advancing, as graph-node does. Every case replays from the same chain snapshot
// into a fresh database.
import Database from "better-sqlite3";
import { expect } from "chai";
import { Indexer, type IndexerLogRecord } from "../../../subgraph/indexer";
import { QueryEngine } from "../../../subgraph/indexer/query/engine";
import { startQueryServer } from "../../../subgraph/indexer/server/http";
import { executeIndexNodeQuery } from "../../../subgraph/indexer/server/index-node";
import { PROCESS_START_MS } from "../../helpers/wait";
import { runIndexerCli as runCli } from "./helpers/cli";
import { dumpDatabase, gql } from "./helpers/dump";
import { registerProvider, sample } from "./helpers/probe";
import { useProbeFixture } from "./helpers/use-probe-fixture";
import { LaggingNode } from "./helpers/transports";

/** Entity versions that begin or end at `block`, as "table from to". */
function versionsAt(file: string, block: number): string[] {
  return Object.entries(dumpDatabase(file).tables).flatMap(([name, rows]) =>
    (rows as Array<{ __from: string; __to: string }>)
      .filter((row) => row.__from === String(block) || row.__to === String(block))
      .map((row) => `${name} ${row.__from} ${row.__to}`),
  );
}

describe("embedded indexer: failures", function () {
  const fx = useProbeFixture();
  let base: string;
  let runs = 0;
  const open: Indexer[] = [];

  before(async function () {
    base = await fx.chain.snapshot();
  });

  beforeEach(async function () {
    // evm_revert consumes the snapshot: take it again for the next case.
    await fx.chain.revert(base);
    base = await fx.chain.snapshot();
  });

  afterEach(async function () {
    for (const indexer of open.splice(0)) await indexer.close();
  });

  async function index(logs: IndexerLogRecord[] = [], db = fx.dbPath(`failure-${++runs}.sqlite`)): Promise<Indexer> {
    const indexer = await Indexer.open({ subgraph: fx.buildDir, rpc: fx.chain.url, db, logger: (r) => logs.push(r) });
    open.push(indexer);
    await indexer.syncOnce();
    return indexer;
  }

  async function probeBlock(mode: number, message: string): Promise<number> {
    await fx.probe.send("probe", [mode, message]);
    return fx.chain.blockNumber();
  }

  it("fails on a handler abort: message and block stored, block's writes discarded, no advancing", async function () {
    const [A, B] = fx.chain.accounts.slice(1, 3);
    await registerProvider(fx.probe, A!, "before", 1n, 1);
    await fx.chain.mine(); // an empty block just before the failing one
    await fx.chain.setAutomine(false);
    await sample(fx.probe, { key: "k", small: 1n, big: 1n, negative: -1n, blob: "0x01", flag: true, labels: ["same-block"], count: 1 });
    await fx.probe.send("probe", [1, "boom 💥"]);
    await fx.chain.mine();
    await fx.chain.setAutomine(true);
    const failing = await fx.chain.blockNumber();
    await registerProvider(fx.probe, B!, "after", 2n, 2);

    const indexer = await index();
    const status = indexer.status();
    expect(status.failed).to.equal(true);
    const fatal = status.fatalError!;
    // As graph-node's head: on the failing block, whose writes are discarded.
    expect(status.checkpoint).to.include({ number: failing, hash: fatal.blockHash });
    expect(fatal).to.include({ blockNumber: failing, handler: "handleProbe", dataSource: "Probe", logIndex: 1 });
    expect(fatal.message).to.match(/^Mapping aborted at src\/mapping\.ts, line \d+, column \d+, with message: boom 💥 in handler `handleProbe`/);
    expect(fatal.message).to.include(`at block #${failing}`);

    const engine = QueryEngine.open(fx.dbPath(`failure-${runs}.sqlite`));
    try {
      // graph-node's answer for a failed subgraph: its data only where asked with subgraphError: allow (and apart
      // from `_meta`, which reads the head under deny), and `_meta` alone without the error.
      const result = await engine.executeQuery(`{ providers(subgraphError: allow) { name } samples(subgraphError: allow) { id } }`);
      expect(result.errors?.map((e) => e.message)).to.deep.equal(["indexing_error"]);
      // The earlier transaction of the failing block is discarded with it; later blocks are never indexed.
      expect(result.data).to.deep.equal({ providers: [{ name: "before" }], samples: [] });
      expect(await gql(engine, `{ _meta { block { number } hasIndexingErrors } }`)).to.deep.equal({ _meta: { block: { number: failing }, hasIndexingErrors: true } });
      // The block before the failing one is read as it is, without the error.
      expect(await gql(engine, `{ providers(block: { number: ${failing - 1} }) { name } _meta(block: { number: ${failing - 1} }) { hasIndexingErrors } }`)).to.deep.equal({
        providers: [{ name: "before" }],
        _meta: { hasIndexingErrors: false },
      });
      expect(engine.status().fatalError!.message).to.equal(fatal.message);
    } finally {
      engine.close();
    }
    // Another pass does not advance.
    await indexer.syncOnce();
    expect(indexer.status().checkpoint!.number).to.equal(failing);
  });

  it("names the failing event's block hash, transaction and log in the fatal error, as the failed event gives it", async function () {
    const failing = await probeBlock(1, "where");
    const block = await fx.chain.request<{ hash: string; transactions: string[] }>("eth_getBlockByNumber", ["0x" + failing.toString(16), false]);
    const indexer = await Indexer.open({ subgraph: fx.buildDir, rpc: fx.chain.url, db: fx.dbPath(`failure-${++runs}.sqlite`) });
    open.push(indexer);
    const failed: unknown[] = [];
    indexer.on("failed", (fatal) => failed.push(fatal));
    await indexer.syncOnce();
    const fatal = indexer.status().fatalError!;
    expect(fatal).to.include({ blockNumber: failing, blockHash: block.hash, transactionHash: block.transactions[0], logIndex: 0, handler: "handleProbe", dataSource: "Probe" });
    expect(failed).to.deep.equal([fatal]);
  });

  it("runs from the CLI: --once on a failing subgraph says why and exits 1", async function () {
    // The CLI's start and its --once run, which runCli gives PROCESS_START_MS.
    this.timeout(PROCESS_START_MS + 30_000);
    const failing = await probeBlock(1, "cli boom");
    const run = await runCli(["--rpc", fx.chain.url, "--db", fx.dbPath(`failure-${++runs}.sqlite`), "--subgraph", fx.buildDir, "--once", "--quiet"]);
    expect(run.code, run.stderr).to.equal(1);
    expect(run.stderr).to.match(/^SUBGRAPH FAILED: Mapping aborted at .*with message: cli boom/m);
    expect(run.stdout).to.match(new RegExp(`^done: block ${failing} \\(0x[0-9a-f]{64}\\), FAILED: Mapping aborted .*cli boom`, "m"));
  });

  it("reports the fatal error's message at GET /status", async function () {
    await probeBlock(1, "status boom");
    const indexer = await index();
    const server = await startQueryServer({ executor: QueryEngine.forDatabase(indexer.db), name: "probe" });
    try {
      const status = (await (await fetch(`${server.url}/status`)).json()) as { failed: boolean; fatalError: { message: string } | null };
      expect(status.failed).to.equal(true);
      expect(status.fatalError?.message).to.equal(indexer.status().fatalError!.message);
      expect(status.fatalError?.message).to.contain("status boom");
    } finally {
      await server.close();
    }
  });

  it("answers a read of a failed subgraph's head over HTTP as not attestable, as graph-node's indexing_error is not", async function () {
    const failing = await probeBlock(1, "attest boom");
    const indexer = await index();
    const server = await startQueryServer({ executor: QueryEngine.forDatabase(indexer.db), name: "probe" });
    try {
      const ask = (query: string): Promise<Response> =>
        fetch(server.queryUrl, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query }) });
      const head = await ask("{ providers { id } }");
      expect(((await head.json()) as { errors: Array<{ message: string }> }).errors.map((e) => e.message)).to.deep.equal(["indexing_error"]);
      expect(head.headers.get("graph-attestable")).to.equal("false");
      // The head read: the checkpoint, on the failing block as graph-node's head is.
      expect(JSON.parse(head.headers.get("graph-indexed")!)).to.include({ number: failing, hash: indexer.status().checkpoint!.hash });
      const before = await ask(`{ providers(block: { number: ${failing - 1} }) { id } }`);
      expect(before.headers.get("graph-attestable")).to.equal("true");
    } finally {
      await server.close();
    }
  });

  it("answers the index-node's synced as graph-node does: false for a subgraph that failed before it reached the head, true for one that had", async function () {
    const synced = async (indexer: Indexer): Promise<unknown> => {
      const result = await executeIndexNodeQuery(QueryEngine.forDatabase(indexer.db), "{ indexingStatuses { synced health } }");
      return (result.data as { indexingStatuses: unknown[] }).indexingStatuses[0];
    };
    await probeBlock(1, "early boom");
    expect(await synced(await index())).to.deep.equal({ synced: false, health: "failed" });
    await fx.chain.revert(base);
    base = await fx.chain.snapshot();
    await registerProvider(fx.probe, fx.chain.accounts[1]!, "reached the head", 1n, 1);
    const indexer = await index();
    expect(await synced(indexer)).to.deep.equal({ synced: true, health: "healthy" });
    await probeBlock(1, "late boom");
    expect((await indexer.syncOnce()).failed).to.equal(true);
    expect(await synced(indexer)).to.deep.equal({ synced: true, health: "failed" });
  });

  const unsupported: Array<[number, string]> = [
    [2, "ethereum.getBalance"],
    [4, "ethereum.call"],
    [5, "ipfs.cat"],
    [8, "ethereum.hasCode"],
  ];
  for (const [mode, call] of unsupported) {
    it(`fails a handler that calls ${call}, naming the call and the handler`, async function () {
      const block = await probeBlock(mode, "QmSomething");
      const indexer = await index();
      const fatal = indexer.status().fatalError!;
      expect(fatal.message).to.include(`host call ${call} is not supported by the embedded indexer`);
      expect(fatal.message).to.include("in handler `handleProbe` of data source `Probe`");
      expect(fatal.blockNumber).to.equal(block);
    });
  }

  it("fails on log.critical with the logged message", async function () {
    await probeBlock(3, "the sky fell");
    const fatal = (await index()).status().fatalError!;
    expect(fatal.message).to.match(/^Critical error logged in mapping with log message: probe critical the sky fell in handler `handleProbe`/);
  });

  it("fails when store.set breaks the schema (a required field missing)", async function () {
    await probeBlock(6, "incomplete");
    const fatal = (await index()).status().fatalError!;
    expect(fatal.message).to.match(/^Entity Job\[broken-0x[0-9a-f]{64}-0\]: missing value for non-nullable field `provider`/);
  });

  it("fails on a host error such as a BigInt division by zero", async function () {
    await probeBlock(7, "");
    expect((await index()).status().fatalError!.message).to.match(/^attempted to divide BigInt `1` by zero in handler `handleProbe`/);
  });

  it("accepts an immutable entity written twice in one block", async function () {
    await fx.chain.setAutomine(false);
    await fx.probe.send("probe", [9, "first"]);
    await fx.probe.send("probe", [9, "second"]);
    await fx.chain.mine();
    await fx.chain.setAutomine(true);
    const indexer = await index();
    expect(indexer.status().failed).to.equal(false);
    const engine = QueryEngine.forDatabase(indexer.db);
    expect(await gql(engine, `{ registration(id: "immutable-probe") { name } }`)).to.deep.equal({ registration: { name: "second" } });
  });

  it("fails when an immutable entity changes in a later block", async function () {
    await probeBlock(9, "first");
    const second = await probeBlock(9, "second");
    const fatal = (await index()).status().fatalError!;
    expect(fatal.blockNumber).to.equal(second);
    expect(fatal.message).to.include("entities of type `Registration` can not be updated since they are immutable. Entity ids are [immutable-probe]");
    // The failing block's other writes (its Sample, flushed before the Registration failed) are discarded with it:
    // queries at the checkpoint would not show them, but a resumed subgraph would.
    expect(versionsAt(fx.dbPath(`failure-${runs}.sqlite`), second)).to.deep.equal([]);
  });

  it("stays failed after a restart, on the failing block, without running its handlers again", async function () {
    await probeBlock(1, "boom");
    const db = fx.dbPath(`failure-${++runs}.sqlite`);
    const first = await index([], db);
    const fatal = first.status().fatalError!;
    await first.close();
    open.splice(open.indexOf(first), 1);
    await fx.chain.mine(3);
    const logs: IndexerLogRecord[] = [];
    const second = await Indexer.open({ subgraph: fx.buildDir, rpc: fx.chain.url, db, logger: (r) => logs.push(r) });
    open.push(second);
    const failed: unknown[] = [];
    second.on("failed", (f) => failed.push(f));
    const status = await second.syncOnce();
    expect(status.fatalError).to.deep.equal(fatal);
    expect(status.checkpoint).to.include({ number: fatal.blockNumber, hash: fatal.blockHash });
    // Neither run again (its mapping logs, a second failure) nor taken as done: nothing of the block is stored.
    expect(logs.filter((l) => l.source === "mapping")).to.deep.equal([]);
    expect(failed).to.deep.equal([]);
    expect(versionsAt(db, fatal.blockNumber)).to.deep.equal([]);
  });

  it("stays failed while the node is behind the failed block, and does not revert anything", async function () {
    await probeBlock(1, "boom");
    await fx.chain.mine(2);
    const node = new LaggingNode(fx.chain.url);
    const indexer = await Indexer.open({ subgraph: fx.buildDir, rpc: node, db: fx.dbPath(`failure-${++runs}.sqlite`) });
    open.push(indexer);
    const failed: unknown[] = [];
    indexer.on("failed", (f) => failed.push(f));
    const fatal = (await indexer.syncOnce()).fatalError!;
    const before = dumpDatabase(indexer.db.path);
    // The endpoint answers from a backend behind the failed block, then behind the checkpoint too; then its head
    // comes from an up-to-date backend but its blocks from the lagging one.
    for (const [behind, honestHead] of [[3, false], [4, false], [3, true], [0, false]] as const) {
      node.behind = behind;
      node.honestHead = honestHead;
      const status = await indexer.syncOnce();
      expect(status.fatalError, `${behind} blocks behind`).to.deep.equal(fatal);
      expect(dumpDatabase(indexer.db.path), `${behind} blocks behind`).to.deep.equal(before);
    }
    expect(failed).to.have.length(1);
  });

  it("builds the query indexes of a subgraph that failed far from the head: it will not get any closer", async function () {
    const indexes = (file: string): string[] => {
      const sqlite = new Database(file, { readonly: true, fileMustExist: true });
      try {
        return sqlite.prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'index'").all().map((r) => r.name);
      } finally {
        sqlite.close();
      }
    };
    await probeBlock(1, "boom far away");
    await fx.chain.mine(10);
    const db = fx.dbPath(`failure-${++runs}.sqlite`);
    const indexer = await Indexer.open({ subgraph: fx.buildDir, rpc: fx.chain.url, db, reorgThreshold: 2 });
    open.push(indexer);
    expect((await indexer.syncOnce()).failed).to.equal(true);
    expect(indexes(db)).to.include.members(["ent_Sample__from", "ent_Sample_blobText", "ent_Provider_name"]);
  });

  it("resumes when a reorg removes the failed block", async function () {
    const [A] = fx.chain.accounts.slice(1, 2);
    const fork = await fx.chain.snapshot();
    await probeBlock(1, "boom");
    const indexer = await index();
    expect(indexer.status().failed).to.equal(true);
    await fx.chain.revert(fork);
    await registerProvider(fx.probe, A!, "replacement", 1n, 1);
    await fx.chain.mine(2);
    const status = await indexer.syncOnce();
    expect(status.failed).to.equal(false);
    expect(status.checkpoint!.number).to.equal(await fx.chain.blockNumber());
    const engine = QueryEngine.forDatabase(indexer.db);
    expect(await gql(engine, `{ providers { name } _meta { hasIndexingErrors } }`)).to.deep.equal({
      providers: [{ name: "replacement" }],
      _meta: { hasIndexingErrors: false },
    });
  });

  it("resumes after a reorg removes a block whose writes failed halfway, with nothing of that block in memory", async function () {
    await probeBlock(9, "first"); // the immutable Registration the failing block will write again
    const fork = await fx.chain.snapshot();
    // One block: an Account counter written first, then the immutable Registration again, which fails the block.
    await fx.chain.setAutomine(false);
    await fx.probe.send("emitBatch", [1000, 1, 5]);
    await fx.probe.send("probe", [9, "second"]);
    await fx.chain.mine();
    await fx.chain.setAutomine(true);
    const indexer = await index();
    expect(indexer.status().fatalError!.message).to.include("can not be updated since they are immutable");
    // The replacing branch bumps the same counter: it must start from the stored value, not the failed block's.
    await fx.chain.revert(fork);
    await fx.probe.send("emitBatch", [2000, 1, 5]);
    await fx.chain.mine(2);
    expect((await indexer.syncOnce()).failed).to.equal(false);
    const fresh = await index();
    expect(fresh.status().checkpoint).to.deep.equal(indexer.status().checkpoint);
    expect(dumpDatabase(indexer.db.path).tables).to.deep.equal(dumpDatabase(fresh.db.path).tables);
  });

  it("gives mappings JSON through json.try_fromBytes (numbers exact, nulls, arrays)", async function () {
    const big = (2n ** 130n).toString();
    await probeBlock(10, `{"name": "ünï", "big": ${big}, "small": -9007199254740993, "flag": true, "nothing": null, "list": ["a", "b"]}`);
    await probeBlock(10, "{not json");
    const indexer = await index();
    expect(indexer.status().failed).to.equal(false);
    const data = await gql<{ samples: Array<Record<string, unknown>> }>(
      QueryEngine.forDatabase(indexer.db),
      `{ samples(orderBy: at) { blobText big small flag optional labels } }`,
    );
    expect(data.samples).to.deep.equal([
      { blobText: "ünï", big, small: "-9007199254740993", flag: true, optional: "was null", labels: ["a", "b"] },
      { blobText: "invalid json", big: "0", small: "0", flag: false, optional: null, labels: [] },
    ]);
  });

  it("logs mapping messages at every level without failing", async function () {
    await probeBlock(0, "hello");
    const logs: IndexerLogRecord[] = [];
    const indexer = await index(logs);
    expect(indexer.status().failed).to.equal(false);
    const mapping = logs.filter((l) => l.source === "mapping").map((l) => [l.level, l.message]);
    expect(mapping).to.deep.equal([
      ["debug", "probe debug hello"],
      ["info", "probe info hello"],
      ["warning", "probe warning hello"],
      ["error", "probe error hello"],
    ]);
  });
});
