// An Indexer.open that fails or is given up closes the transport it created (from a URL, or around a provider), and
// never one the caller passed in.
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { HttpRpc, Indexer, OpenAbortedError, RpcConnectionError, RpcError } from "../../../subgraph/indexer";
import { waitUntil } from "../../helpers/wait";
import { FAKE_GENESIS, startFakeNode, type FakeNode } from "./helpers/fake-node";
import { probeBuildDir } from "./helpers/probe";
import { closedPort } from "../../helpers/closed-port";

/** What the HttpRpc instances did while a test's `run` ran: the transport an open creates from a URL is seen nowhere else. */
interface HttpTransports {
  /** The instances that were sent a request, and those closed. */
  readonly used: Set<HttpRpc>;
  readonly closed: Set<HttpRpc>;
  /** Their requests that have not ended yet (answered, failed or given up). */
  readonly inFlight: Set<Promise<unknown>>;
}

async function watchHttpTransports(run: (transports: HttpTransports) => Promise<void>): Promise<HttpTransports> {
  const transports: HttpTransports = { used: new Set(), closed: new Set(), inFlight: new Set() };
  const { request, close } = HttpRpc.prototype;
  HttpRpc.prototype.request = function (this: HttpRpc, ...args: Parameters<HttpRpc["request"]>) {
    transports.used.add(this);
    const sent = request.apply(this, args);
    transports.inFlight.add(sent);
    const ended = (): void => void transports.inFlight.delete(sent);
    sent.then(ended, ended);
    return sent;
  } as HttpRpc["request"];
  HttpRpc.prototype.close = function (this: HttpRpc) {
    transports.closed.add(this);
    close.call(this);
  };
  try {
    await run(transports);
  } finally {
    HttpRpc.prototype.request = request;
    HttpRpc.prototype.close = close;
  }
  return transports;
}

describe("embedded indexer: an open that fails", function () {
  let subgraph: string;
  let tmp: string;
  const nodes: FakeNode[] = [];

  before(async function () {
    subgraph = await probeBuildDir();
    tmp = mkdtempSync(path.join(os.tmpdir(), "latent-open-failure-"));
  });

  after(async function () {
    for (const node of nodes) await node.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  /** A node with chain 0x7a69 whose every block is the fake genesis, or whose blocks are all missing. */
  async function node(blocks: "genesis" | "none" = "genesis"): Promise<FakeNode> {
    const started = await startFakeNode((method) => ({ result: method === "eth_chainId" ? "0x7a69" : blocks === "genesis" ? FAKE_GENESIS : null }));
    nodes.push(started);
    return started;
  }

  /** A path SQLite cannot open as a database: a directory. */
  function refusedDatabase(name: string): string {
    const db = path.join(tmp, name);
    mkdirSync(db);
    return db;
  }

  it("Indexer.open that fails closes the HTTP transport it created: node unreachable, no genesis block, database refused, aborted", async function () {
    this.timeout(30_000);
    const unreachable = `http://127.0.0.1:${await closedPort()}`;
    const genesisless = await node("none");
    const answering = await node();
    const failures: unknown[] = [];
    const { used, closed } = await watchHttpTransports(async () => {
      const open = (rpc: string, db: string, signal?: AbortSignal) => Indexer.open({ subgraph, rpc, db }, { signal }).catch((e: unknown) => e);
      failures.push(await open(unreachable, path.join(tmp, "unreachable.sqlite")));
      failures.push(await open(genesisless.url, path.join(tmp, "genesisless.sqlite")));
      failures.push(await open(answering.url, refusedDatabase("refused")));
      const controller = new AbortController();
      const opening = open(answering.url, path.join(tmp, "aborted.sqlite"), controller.signal);
      controller.abort();
      failures.push(await opening);
    });
    expect(failures[0]).to.be.instanceOf(RpcConnectionError);
    expect(failures[1]).to.be.instanceOf(RpcError);
    expect(failures[2]).to.be.instanceOf(Error).and.not.instanceOf(RpcError);
    expect(failures[3]).to.be.instanceOf(OpenAbortedError);
    expect(used.size, "one transport per open").to.equal(4);
    expect([...used].every((rpc) => closed.has(rpc)), "every transport the opens created is closed").to.equal(true);
  });

  it("Indexer.open aborted between two reads ends the read it began after the abort: no request of the HTTP transport it created stays in flight", async function () {
    this.timeout(30_000);
    // The open logs that it wipes a database of another chain between reading the genesis and the first checkpoint:
    // the stop comes there. The node never answers the first checkpoint's read, which the abort did not end (it ends
    // only the reads begun before it): it would wait out rpcTimeoutMs, its socket open, for an open that gave up.
    const chains = ["0x1", "0x7a69"];
    const holding = await startFakeNode((method, nth) => {
      if (method === "eth_chainId") return { result: chains[nth - 1] ?? "0x7a69" };
      return nth <= 3 ? { result: FAKE_GENESIS } : "no-answer";
    });
    nodes.push(holding);
    const db = path.join(tmp, "other-chain.sqlite");
    await (await Indexer.open({ subgraph, rpc: holding.url, db })).close();
    await watchHttpTransports(async ({ used, inFlight }) => {
      const controller = new AbortController();
      const logger = (): void => controller.abort();
      const open = Indexer.open({ subgraph, rpc: holding.url, db, logger, rpcTimeoutMs: 600_000 }, { signal: controller.signal });
      expect(await open.catch((e: unknown) => e)).to.be.instanceOf(OpenAbortedError);
      expect(used.size).to.equal(1);
      await waitUntil(() => inFlight.size === 0, "every request of the open's transport has ended");
    });
  });

  it("Indexer.open that fails leaves a transport the caller passed in open: database refused, aborted", async function () {
    const answering = await node();
    const rpc = new HttpRpc(answering.url);
    try {
      const refused = await Indexer.open({ subgraph, rpc, db: refusedDatabase("refused-callers") }).catch((e: unknown) => e);
      expect(refused).to.be.instanceOf(Error).and.not.instanceOf(RpcError);
      expect(await rpc.request("eth_chainId", [])).to.equal("0x7a69");
      const controller = new AbortController();
      const opening = Indexer.open({ subgraph, rpc, db: path.join(tmp, "aborted-callers.sqlite") }, { signal: controller.signal }).catch((e: unknown) => e);
      controller.abort();
      expect(await opening).to.be.instanceOf(OpenAbortedError);
      expect(await rpc.request("eth_chainId", [])).to.equal("0x7a69");
    } finally {
      rpc.close();
    }
  });
});
