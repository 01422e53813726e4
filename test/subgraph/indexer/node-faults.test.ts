// A node that misbehaves over the wire, behind a JSON-RPC proxy on 127.0.0.1 that the indexer reaches through its own
// HTTP transport: eth_getLogs that times out (for large ranges only, or for every range), and an eth_getLogs answer
// that leaves out one block's logs, and one that never answers the ranges fetched ahead of one it refuses. The indexer
// either ends with the same database as an honest node gives it, or fails the pass with an error that names the method
// and the blocks; it never asks forever, and it gives up the requests of the ranges it no longer wants.
import { expect } from "chai";
import { Indexer, type IndexerLogRecord, type IndexerOptions } from "../../../subgraph/indexer";
import { TRANSIENT_RETRIES } from "../../../subgraph/indexer/chain/rpc";
import { MalformedAnswerError, RangeTooLargeError, RpcConnectionError, RpcError, RpcUnavailableError } from "../../../subgraph/indexer/errors";
import { waitUntil } from "../../helpers/wait";
import { dumpDatabase } from "./helpers/dump";
import { postJob, registerProvider } from "./helpers/probe";
import { useProbeFixture } from "./helpers/use-probe-fixture";
import { startRpcProxy, type Fault, type ProxiedCall, type RpcProxy } from "./helpers/rpc-proxy";

interface LogFilter {
  fromBlock?: string;
  toBlock?: string;
  blockHash?: string;
}

interface RpcLogJson {
  blockNumber: string;
  logIndex: string;
}

const filterOf = (call: ProxiedCall): LogFilter => call.params[0] as LogFilter;
const isRangeQuery = (call: ProxiedCall): boolean => call.method === "eth_getLogs" && filterOf(call).fromBlock !== undefined;
const rangeSize = (call: ProxiedCall): number => Number(filterOf(call).toBlock) - Number(filterOf(call).fromBlock) + 1;

describe("embedded indexer: a node that times out or leaves logs out, behind a JSON-RPC proxy", function () {
  const fx = useProbeFixture();
  let runs = 0;
  const open: Array<Indexer | RpcProxy> = [];

  before(async function () {
    const [A, B] = fx.chain.accounts.slice(1, 3);
    await registerProvider(fx.probe, A!, "alpha", 10n, 1);
    await registerProvider(fx.probe, B!, "beta", 20n, 2);
    for (let i = 0; i < 6; i++) {
      await postJob(fx.probe, 500n + BigInt(i), A!, { note: `job ${i}` });
      await fx.chain.mine();
    }
  });

  afterEach(async function () {
    for (const opened of open.splice(0)) await opened.close();
  });

  async function proxy(options: Parameters<typeof startRpcProxy>[1]): Promise<RpcProxy> {
    const started = await startRpcProxy(fx.chain.url, options);
    open.push(started);
    return started;
  }

  async function openIndexer(
    rpc: string,
    options: Pick<IndexerOptions, "rpcTimeoutMs" | "initialBlockRange" | "logger"> = {},
  ): Promise<{ indexer: Indexer; db: string }> {
    const db = fx.dbPath(`node-faults-${++runs}.sqlite`);
    const indexer = await Indexer.open({ subgraph: fx.buildDir, rpc, db, ...options });
    open.push(indexer);
    return { indexer, db };
  }

  /** An index of the chain through an honest node, for comparison. */
  async function honestDump(): Promise<ReturnType<typeof dumpDatabase>> {
    const { indexer, db } = await openIndexer(fx.chain.url);
    await indexer.syncOnce();
    return dumpDatabase(db);
  }

  /** A block in the middle of the chain with logs of the subgraph's, and its hash. */
  async function middleBlockWithLogs(): Promise<{ number: number; hash: string }> {
    const head = await fx.chain.blockNumber();
    const logs = await fx.chain.request<RpcLogJson[]>("eth_getLogs", [{ fromBlock: "0x0", toBlock: `0x${head.toString(16)}`, address: fx.probe.address }]);
    const numbers = [...new Set(logs.map((log) => Number(log.blockNumber)))];
    const number = numbers[Math.floor(numbers.length / 2)]!;
    const block = await fx.chain.request<{ hash: string }>("eth_getBlockByNumber", [`0x${number.toString(16)}`, false]);
    return { number, hash: block.hash };
  }

  /** Every range answer without the logs of block `number`; the proxy counts those it left out in `dropped`. */
  function dropping(number: number) {
    const state = { dropped: 0 };
    const rewrite = (call: ProxiedCall, result: unknown): unknown => {
      if (!isRangeQuery(call)) return result;
      const logs = result as RpcLogJson[];
      const kept = logs.filter((log) => Number(log.blockNumber) !== number);
      state.dropped += logs.length - kept.length;
      return kept;
    };
    return { state, rewrite };
  }

  it("shrinks the range while a node answers eth_getLogs with a query timeout (its message, with no code of its own), and indexes everything", async function () {
    // geth's words when a filter query runs past its deadline, with the generic server error code.
    const node = await proxy({
      fault: (call) => (isRangeQuery(call) && rangeSize(call) > 3 ? { error: { code: -32000, message: "query timeout exceeded" } } : undefined),
    });
    const { indexer, db } = await openIndexer(node.url);
    const status = await indexer.syncOnce();
    expect(status.checkpoint!.number).to.equal(await fx.chain.blockNumber());
    const sizes = node.calls.filter(isRangeQuery).map(rangeSize);
    expect(sizes.some((size) => size > 3)).to.equal(true);
    expect(sizes.filter((size) => size <= 3).length).to.be.greaterThan(2);
    expect(dumpDatabase(db)).to.deep.equal(await honestDump());
  });

  it("fails the pass, naming the method and the block, when eth_getLogs times out at every range, after halving it down to one block", async function () {
    let stalled = true;
    const node = await proxy({ fault: (call) => (stalled && call.method === "eth_getLogs" ? "stall" : undefined) });
    const { indexer, db } = await openIndexer(node.url, { rpcTimeoutMs: 200 });
    const start = indexer.status().checkpoint!.number + 1;
    const error = await indexer.syncOnce().catch((e: unknown) => e);
    expect(error).to.be.instanceOf(RangeTooLargeError);
    expect((error as Error).message).to.equal(
      `eth_getLogs refused blocks ${start}-${start}, the smallest range allowed (minBlockRange 1): eth_getLogs timed out after 200 ms`,
    );
    expect(indexer.status().checkpoint!.number).to.equal(start - 1);
    // Each range asked from the checkpoint smaller than the last (the prefetched ranges after it are not counted).
    const fromStart = node.calls.filter((call) => isRangeQuery(call) && Number(filterOf(call).fromBlock) === start).map(rangeSize);
    expect(fromStart.length).to.be.at.most(Math.ceil(Math.log2(await fx.chain.blockNumber())) + 1);
    expect(fromStart.every((size, i) => i === 0 || size < fromStart[i - 1]!)).to.equal(true);
    expect(fromStart[fromStart.length - 1]).to.equal(1);
    // The next pass asks for single blocks (the range and the one prefetched after it) and fails at once; once the
    // node answers, everything is indexed.
    const asked = node.calls.length;
    expect(await indexer.syncOnce().catch((e: unknown) => e)).to.be.instanceOf(RangeTooLargeError);
    const next = node.calls.slice(asked).filter(isRangeQuery);
    expect(next.filter((call) => Number(filterOf(call).fromBlock) === start).map(rangeSize)).to.deep.equal([1]);
    expect(next.map(rangeSize).every((size) => size === 1)).to.equal(true);
    stalled = false;
    const status = await indexer.syncOnce();
    expect(status.checkpoint!.number).to.equal(await fx.chain.blockNumber());
    expect(dumpDatabase(db)).to.deep.equal(await honestDump());
  });

  it("asks by hash for the logs of a block near the head that an eth_getLogs range answer left out, as its bloom gives away: the database equals an honest node's", async function () {
    const hidden = await middleBlockWithLogs();
    const { state, rewrite } = dropping(hidden.number);
    const node = await proxy({ rewrite });
    const { indexer, db } = await openIndexer(node.url);
    const status = await indexer.syncOnce();
    expect(status.checkpoint!.number).to.equal(await fx.chain.blockNumber());
    expect(state.dropped).to.be.greaterThan(0);
    expect(node.calls.filter((call) => call.method === "eth_getLogs" && filterOf(call).blockHash === hidden.hash)).to.have.length(1);
    expect(dumpDatabase(db)).to.deep.equal(await honestDump());
  });

  it("fails the pass with the transport's own error, not a lagging backend's, when the eth_getLogs by hash of such a block gets no answer", async function () {
    const table: Array<[string, Fault, (error: unknown) => void, number]> = [
      // The transport's resends, then its error, as for any other request: the range is not fetched again.
      ["connection closed", "close", (error) => expect(error).to.be.instanceOf(RpcConnectionError), 1 + TRANSIENT_RETRIES],
      [
        "HTTP 503",
        { status: 503, body: "503 Service Unavailable" },
        (error) => expect((error as RpcUnavailableError).status).to.equal(503),
        1 + TRANSIENT_RETRIES,
      ],
    ];
    const hidden = await middleBlockWithLogs();
    for (const [name, fault, check, times] of table) {
      const { rewrite } = dropping(hidden.number);
      const byHash = (call: ProxiedCall): boolean => call.method === "eth_getLogs" && filterOf(call).blockHash === hidden.hash;
      const node = await proxy({ rewrite, fault: (call) => (byHash(call) ? fault : undefined) });
      const { indexer } = await openIndexer(node.url);
      const error = await indexer.syncOnce().catch((e: unknown) => e);
      expect(error, name).to.be.instanceOf(Error);
      check(error);
      expect((error as Error).message, name).to.match(/^eth_getLogs/);
      expect(node.calls.filter(byHash), name).to.have.length(times);
      expect(indexer.status().checkpoint!.number, name).to.be.below(hidden.number);
    }
  });

  it("shrinks the range down to the block when its eth_getLogs by hash times out, then fails the pass naming it", async function () {
    const hidden = await middleBlockWithLogs();
    const { rewrite } = dropping(hidden.number);
    const byHash = (call: ProxiedCall): boolean => call.method === "eth_getLogs" && filterOf(call).blockHash === hidden.hash;
    const node = await proxy({ rewrite, fault: (call) => (byHash(call) ? "stall" : undefined) });
    const { indexer } = await openIndexer(node.url, { rpcTimeoutMs: 200 });
    const error = await indexer.syncOnce().catch((e: unknown) => e);
    expect(error).to.be.instanceOf(RangeTooLargeError);
    expect((error as Error).message).to.equal(
      `eth_getLogs refused blocks ${hidden.number}-${hidden.number}, the smallest range allowed (minBlockRange 1): ` +
        `eth_getLogs by hash for block ${hidden.number} (${hidden.hash}) failed: eth_getLogs timed out after 200 ms`,
    );
    // The blocks before it are indexed.
    expect(indexer.status().checkpoint!.number).to.equal(hidden.number - 1);
    expect(node.calls.filter(byHash).length).to.be.at.most(Math.ceil(Math.log2(await fx.chain.blockNumber())) + 1);
  });

  it("fails the pass with a MalformedAnswerError naming eth_getLogs, the log and its field when a node answers a log index that is not hex, writing nothing of its range, and indexes everything once it answers well", async function () {
    const bad = await middleBlockWithLogs();
    // The first log of the block in every range answer that holds it, with a log index Number() read as NaN.
    const state = { malformed: true, positions: [] as number[] };
    const rewrite = (call: ProxiedCall, result: unknown): unknown => {
      if (!state.malformed || !isRangeQuery(call)) return result;
      const logs = result as RpcLogJson[];
      const position = logs.findIndex((log) => Number(log.blockNumber) === bad.number);
      if (position < 0) return result;
      state.positions.push(position);
      return logs.map((log, i) => (i === position ? { ...log, logIndex: "0xzz" } : log));
    };
    const node = await proxy({ rewrite });
    const { indexer, db } = await openIndexer(node.url, { initialBlockRange: 4 });
    const error = await indexer.syncOnce().catch((e: unknown) => e);
    expect(error).to.be.instanceOf(MalformedAnswerError);
    expect((error as MalformedAnswerError).method).to.equal("eth_getLogs");
    expect((error as Error).message).to.equal(`eth_getLogs's answer is malformed: log ${state.positions[0]} .logIndex is "0xzz", expected a hex quantity`);
    // Not fetched again within the pass: a node that sends garbage mostly sends it again (ranges fetched ahead do not
    // overlap it).
    const holding = node.calls.filter((call) => isRangeQuery(call) && Number(filterOf(call).fromBlock) <= bad.number && Number(filterOf(call).toBlock) >= bad.number);
    expect(holding).to.have.length(1);
    // The blocks before the bad one's range are indexed, as an honest node gives them; nothing of it or after.
    const checkpoint = indexer.status().checkpoint!.number;
    expect(checkpoint).to.be.below(bad.number);
    const honest = await openIndexer(fx.chain.url);
    await honest.indexer.syncOnce({ toBlock: checkpoint });
    expect(dumpDatabase(db)).to.deep.equal(dumpDatabase(honest.db));
    state.malformed = false;
    const status = await indexer.syncOnce();
    expect(status.checkpoint!.number).to.equal(await fx.chain.blockNumber());
    expect(dumpDatabase(db)).to.deep.equal(await honestDump());
  });

  /**
   * A node that answers the first eth_getLogs range with `refusal` once the range fetched ahead of it has arrived, and
   * never answers that one (until the client gives it up); it answers everything else.
   */
  function refusingAhead(refusal: { code: number; message: string }) {
    const state: { near: ProxiedCall | null; ahead: ProxiedCall | null; refusing: boolean } = { near: null, ahead: null, refusing: true };
    let arrived = (): void => undefined;
    const aheadArrived = new Promise<void>((resolve) => (arrived = resolve));
    const fault = (call: ProxiedCall): Fault | Promise<Fault> => {
      if (!isRangeQuery(call) || !state.refusing) return undefined;
      if (state.near === null) {
        state.near = call;
        return aheadArrived.then(() => ({ error: refusal }));
      }
      if (state.ahead === null && Number(filterOf(call).fromBlock) > Number(filterOf(state.near).toBlock)) {
        state.ahead = { method: call.method, params: call.params }; // as the proxy records it (no JSON-RPC id)
        arrived();
        return "stall";
      }
      return undefined;
    };
    return { state, fault };
  }

  it("gives up the requests of the ranges fetched ahead of a range the node refused as too large, and indexes everything", async function () {
    // Infura's answer to a range with too many logs.
    const { state, fault } = refusingAhead({ code: -32005, message: "query returned more than 10000 results" });
    const node = await proxy({ fault });
    const logs: IndexerLogRecord[] = [];
    // The default 30 s timeout: only the indexer's giving up ends the stalled request within the pass.
    const { indexer, db } = await openIndexer(node.url, { initialBlockRange: 4, logger: (record) => logs.push(record) });
    const status = await indexer.syncOnce();
    expect(status.checkpoint!.number).to.equal(await fx.chain.blockNumber());
    expect(state.ahead, "a range fetched ahead").to.not.equal(null);
    // The range ahead, and no request the pass still wanted.
    // The close reaches the proxy on its own socket: the assertion waits for it rather than racing it.
    await waitUntil(() => node.abandoned.length > 0, "the proxy saw the range ahead given up");
    expect(node.abandoned).to.deep.equal([state.ahead]);
    // Given up, not failed: nothing is reported of it.
    expect(logs.filter((record) => record.level !== "debug" && record.level !== "info")).to.deep.equal([]);
    expect(logs.filter((record) => /given up/.test(record.message))).to.deep.equal([]);
    expect(dumpDatabase(db)).to.deep.equal(await honestDump());
  });

  it("gives up the requests of the ranges fetched ahead when the pass fails, and the next pass indexes everything", async function () {
    const { state, fault } = refusingAhead({ code: -32602, message: "invalid argument 0: hex string has leading zero digits" });
    const node = await proxy({ fault });
    const { indexer, db } = await openIndexer(node.url, { initialBlockRange: 4 });
    const error = await indexer.syncOnce().catch((e: unknown) => e);
    expect(error).to.be.instanceOf(RpcError);
    expect((error as Error).message).to.match(/^eth_getLogs failed: invalid argument 0/);
    // The next pass's requests come after the failed pass's were given up.
    state.refusing = false;
    const status = await indexer.syncOnce();
    expect(status.checkpoint!.number).to.equal(await fx.chain.blockNumber());
    await waitUntil(() => node.abandoned.length > 0, "the proxy saw the range ahead given up");
    expect(node.abandoned).to.deep.equal([state.ahead]);
    expect(dumpDatabase(db)).to.deep.equal(await honestDump());
  });
});

describe("embedded indexer: a handler that fails while the ranges after its block are in flight, behind a JSON-RPC proxy", function () {
  let failing: number;
  const open: Array<Indexer | RpcProxy> = [];

  after(async function () {
    for (const opened of open.splice(0)) await opened.close();
  });

  // Registered after the suite's own after hook: it ends what still uses the chain before the chain closes.
  const fx = useProbeFixture();

  before(async function () {
    const [A] = fx.chain.accounts.slice(1, 2);
    await registerProvider(fx.probe, A!, "alpha", 10n, 1);
    // The probe's mode 1 aborts its handler: a deterministic failure at this block.
    await fx.probe.send("probe", [1, "boom"]);
    failing = await fx.chain.blockNumber();
    for (let i = 0; i < 8; i++) await fx.chain.mine();
  });

  it("gives up the requests of the ranges fetched ahead when the subgraph fails at a block", async function () {
    let ahead: ProxiedCall | null = null;
    let arrived = (): void => undefined;
    const aheadArrived = new Promise<void>((resolve) => (arrived = resolve));
    const node = await startRpcProxy(fx.chain.url, {
      fault: (call) => {
        if (!isRangeQuery(call)) return undefined;
        const { fromBlock, toBlock } = filterOf(call);
        // The failing block's range is answered once the range after it has arrived, which is never answered.
        if (Number(fromBlock) <= failing && failing <= Number(toBlock)) return aheadArrived.then(() => undefined);
        if (ahead === null && Number(fromBlock) > failing) {
          ahead = { method: call.method, params: call.params };
          arrived();
          return "stall";
        }
        return undefined;
      },
    });
    open.push(node);
    const indexer = await Indexer.open({ subgraph: fx.buildDir, rpc: node.url, db: fx.dbPath("failing.sqlite"), initialBlockRange: 2 });
    open.push(indexer);
    expect((await indexer.syncOnce()).fatalError!.blockNumber).to.equal(failing);
    // A failed subgraph's next pass asks the node for its head and the failed block: the proxy has seen the indexer's
    // earlier requests end by then.
    expect((await indexer.syncOnce()).failed).to.equal(true);
    expect(ahead, "a range fetched ahead").to.not.equal(null);
    await waitUntil(() => node.abandoned.length > 0, "the proxy saw the range ahead given up");
    expect(node.abandoned).to.deep.equal([ahead]);
  });
});
