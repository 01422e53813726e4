// startGateway's and createGatewayRuntime's numeric options: each value the gateway cannot honour refused with a
// GatewayOptionError naming the option's path and the value, before anything starts; the defaults and the edge values
// accepted.
import { expect } from "chai";
import * as fs from "node:fs";
import * as net from "node:net";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { createGatewayRuntime, DEFAULT_QUERY_LIMITS, DEFAULT_SUBSCRIPTION_LIMITS, GatewayOptionError, silentLogger, startGateway } from "../../gateway/src";
import type { GatewayNumericOption, GatewayOptions } from "../../gateway/src";
import { limitsWithDefaults } from "../../gateway/src/gateway";
import { checkGatewayOptions } from "../../gateway/src/option-rules";
import type { IndexerTuning } from "../../gateway/src/sources/embedded-source";
import { IndexerOptionError } from "../../subgraph/indexer/errors";
import { MAX_TIMER_MS } from "../../subgraph/indexer/option-rules";

const at = (n: number) => ({ address: `0x${n.toString(16).padStart(40, "0")}`, blockNumber: 1 });
const deployment = { network: "localhost", chainId: 31337, contracts: { ProviderRegistry: at(1), Staking: at(2), JobEscrow: at(3) } };
/** Nothing listens there: no test here gets as far as asking it. */
const NOWHERE = "http://127.0.0.1:1";
/** Past MAX_SAFE_INTEGER, and so past every timer. */
const HUGE = 2 ** 53;
const PAST_TIMER = MAX_TIMER_MS + 1;

/** `options` with `value` at `option`'s path, the objects on the way copied (or made). */
function withOption(options: GatewayOptions, option: GatewayNumericOption, value: unknown): GatewayOptions {
  const set = (into: unknown, keys: string[]): Record<string, unknown> => {
    const copy: Record<string, unknown> = typeof into === "object" && into !== null ? { ...(into as Record<string, unknown>) } : {};
    const [key, ...rest] = keys as [string, ...string[]];
    copy[key] = rest.length === 0 ? value : set(copy[key], rest);
    return copy;
  };
  return set(options, option.split(".")) as unknown as GatewayOptions;
}

/** The source each option belongs to: the embedded indexer's, or a graph-node endpoint's. */
function baseFor(option: GatewayNumericOption, dbPath: string, port: number): GatewayOptions {
  const common = { port, logger: silentLogger, chain: { rpcUrl: NOWHERE, deployment } };
  if (option === "source.timeoutMs" || option === "source.reorgThreshold") return { ...common, source: { subgraphUrl: `${NOWHERE}/subgraphs/name/latent` } };
  return { ...common, source: { rpcUrl: NOWHERE, deployment, dbPath } };
}

/** A port nothing listens on now. */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Whether a server can listen on `port` of 127.0.0.1 (it closes again at once). */
async function portIsFree(port: number): Promise<boolean> {
  const server = net.createServer();
  const bound = await new Promise<boolean>((resolve) => {
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => resolve(true));
  });
  if (bound) await new Promise<void>((resolve) => server.close(() => resolve()));
  return bound;
}

const TIMER_REFUSED = [0, -1, NaN, Infinity, PAST_TIMER];
const COUNT_REFUSED = [-1, 0.5, NaN, Infinity, HUGE];
const CAP_REFUSED = [0, -1, 0.5, NaN, Infinity, HUGE];

const REFUSED: Record<GatewayNumericOption, readonly unknown[]> = {
  port: [-1, 0.5, NaN, Infinity, 65_536, "4000"],
  maxLag: COUNT_REFUSED,
  headPollMs: [...TIMER_REFUSED, 0.5],
  "source.rpcTimeoutMs": TIMER_REFUSED,
  "source.indexerPollMs": [...TIMER_REFUSED, 0.5],
  "source.indexerTuning.reorgThreshold": COUNT_REFUSED,
  "source.indexerTuning.minBlockRange": CAP_REFUSED,
  "source.indexerTuning.maxBlockRange": CAP_REFUSED,
  "source.indexerTuning.initialBlockRange": CAP_REFUSED,
  "source.indexerTuning.commitIntervalMs": [-1, NaN],
  "source.indexerTuning.instancePolicy.maxTriggersPerInstance": [0, -1, 0.5, NaN],
  "source.indexerTuning.instancePolicy.maxMemoryBytes": [-1, NaN],
  // 0 is "never"; under a second a block's work would be taken for a hang, and the watchdog counts whole milliseconds.
  "source.indexerTuning.hangTimeoutMs": [-1, 0.001, 1, 999, 1000.5, NaN, Infinity, PAST_TIMER],
  // Below 5 MB V8 cannot start a thread.
  "source.indexerTuning.maxHeapMb": [0, -1, 4, 5.5, NaN, Infinity],
  "source.indexerTuning.restart.initialDelayMs": TIMER_REFUSED,
  "source.indexerTuning.restart.maxDelayMs": TIMER_REFUSED,
  "source.timeoutMs": TIMER_REFUSED,
  "source.reorgThreshold": COUNT_REFUSED,
  "chain.timeoutMs": TIMER_REFUSED,
  "limits.maxDepth": CAP_REFUSED,
  "limits.maxCost": CAP_REFUSED,
  "limits.maxPageSize": CAP_REFUSED,
  "limits.maxDays": CAP_REFUSED,
  "limits.maxConnections": CAP_REFUSED,
  "limits.maxSubscriptionsPerConnection": CAP_REFUSED,
  "limits.maxSubscriptions": CAP_REFUSED,
};

const TIMER_EDGES = [1, MAX_TIMER_MS];
const ACCEPTED: Record<GatewayNumericOption, readonly number[]> = {
  port: [0, 65_535],
  maxLag: [0, Number.MAX_SAFE_INTEGER],
  headPollMs: TIMER_EDGES,
  "source.rpcTimeoutMs": [0.5, MAX_TIMER_MS],
  "source.indexerPollMs": TIMER_EDGES,
  "source.indexerTuning.reorgThreshold": [0],
  "source.indexerTuning.minBlockRange": [1],
  "source.indexerTuning.maxBlockRange": [1, Number.MAX_SAFE_INTEGER],
  "source.indexerTuning.initialBlockRange": [1],
  // Infinity means something there: commit at range ends only, never replace an instance for its size or its count.
  "source.indexerTuning.commitIntervalMs": [0, Infinity],
  "source.indexerTuning.instancePolicy.maxTriggersPerInstance": [1, Infinity],
  "source.indexerTuning.instancePolicy.maxMemoryBytes": [0, Infinity],
  "source.indexerTuning.hangTimeoutMs": [0, 1000, MAX_TIMER_MS],
  "source.indexerTuning.maxHeapMb": [5, Number.MAX_SAFE_INTEGER],
  "source.indexerTuning.restart.initialDelayMs": TIMER_EDGES,
  "source.indexerTuning.restart.maxDelayMs": TIMER_EDGES,
  "source.timeoutMs": [0.5, MAX_TIMER_MS],
  "source.reorgThreshold": [0, Number.MAX_SAFE_INTEGER],
  "chain.timeoutMs": [0.5, MAX_TIMER_MS],
  "limits.maxDepth": [1, Number.MAX_SAFE_INTEGER],
  "limits.maxCost": [1, Number.MAX_SAFE_INTEGER],
  "limits.maxPageSize": [1, Number.MAX_SAFE_INTEGER],
  "limits.maxDays": [1, Number.MAX_SAFE_INTEGER],
  "limits.maxConnections": [1, Number.MAX_SAFE_INTEGER],
  "limits.maxSubscriptionsPerConnection": [1, Number.MAX_SAFE_INTEGER],
  "limits.maxSubscriptions": [1, Number.MAX_SAFE_INTEGER],
};

describe("startGateway's numeric options", function () {
  let dir: string;
  beforeEach(function () {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "latent-gateway-options-"));
  });
  afterEach(function () {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  for (const [option, values] of Object.entries(REFUSED) as Array<[GatewayNumericOption, readonly unknown[]]>) {
    it(`refuses ${option}: ${values.map((v) => (typeof v === "string" ? JSON.stringify(v) : String(v))).join(", ")} with a GatewayOptionError naming it, starting nothing`, async function () {
      for (const value of values) {
        const port = await freePort();
        // A directory of its own: the embedded source would make it first thing.
        const dbPath = path.join(dir, `db-${String(value)}`, "index.sqlite");
        let caught: unknown;
        try {
          const handle = await startGateway(withOption(baseFor(option, dbPath, port), option, value));
          await handle.stop();
        } catch (error) {
          caught = error;
        }
        expect(caught, `${option}: ${String(value)}`).to.be.instanceOf(GatewayOptionError);
        const refusal = caught as GatewayOptionError;
        expect(refusal.option).to.equal(option);
        expect(Object.is(refusal.value, value), `the value refused is ${String(refusal.value)}`).to.equal(true);
        expect(refusal.message).to.match(new RegExp(`^${option.replace(/\./g, "\\.")} must be .+ \\(got .+\\)$`));
        expect(fs.existsSync(path.dirname(dbPath)), "the embedded indexer's directory").to.equal(false);
        if (option !== "port") expect(await portIsFree(port), "the port").to.equal(true);
      }
    });
  }

  it("refuses an option handed on to the embedded indexer under the gateway's name for it, not the indexer's", async function () {
    const options = withOption(baseFor("source.indexerPollMs", path.join(dir, "db", "index.sqlite"), 0), "source.indexerPollMs", 0);
    let caught: unknown;
    try {
      await createGatewayRuntime(options);
    } catch (error) {
      caught = error;
    }
    expect(caught).to.be.instanceOf(GatewayOptionError);
    expect(caught).not.to.be.instanceOf(IndexerOptionError);
    expect((caught as Error).message).to.equal("source.indexerPollMs must be a number of milliseconds, at least 1, at most 2147483647 (got 0)");
  });

  it("refuses a bad number in createGatewayRuntime too (the benchmark's entry), before its source starts", async function () {
    const dbPath = path.join(dir, "db", "index.sqlite");
    let caught: unknown;
    try {
      const runtime = await createGatewayRuntime(withOption(baseFor("headPollMs", dbPath, 0), "headPollMs", 0));
      await runtime.close();
    } catch (error) {
      caught = error;
    }
    expect(caught).to.be.instanceOf(GatewayOptionError);
    expect((caught as GatewayOptionError).option).to.equal("headPollMs");
    expect(fs.existsSync(path.dirname(dbPath))).to.equal(false);
  });

  it("accepts each option's edge values", function () {
    for (const [option, values] of Object.entries(ACCEPTED) as Array<[GatewayNumericOption, readonly number[]]>) {
      for (const value of values) {
        const options = withOption(baseFor(option, path.join(dir, "db", "index.sqlite"), 0), option, value);
        expect(() => checkGatewayOptions(options), `${option}: ${value}`).not.to.throw();
      }
    }
  });

  it("starts with the edge values of a graph-node gateway's own options, and with none given (the defaults)", async function () {
    const source = { subgraphUrl: `${NOWHERE}/subgraphs/name/latent` };
    const edges: GatewayOptions = {
      port: 0,
      source: { ...source, timeoutMs: MAX_TIMER_MS, reorgThreshold: 0 },
      chain: { rpcUrl: NOWHERE, deployment, timeoutMs: MAX_TIMER_MS },
      maxLag: 0,
      headPollMs: MAX_TIMER_MS,
      limits: { maxDepth: 1, maxCost: 1, maxPageSize: 1, maxDays: 1, maxConnections: 1, maxSubscriptionsPerConnection: 1, maxSubscriptions: 1 },
      logger: silentLogger,
    };
    for (const options of [edges, { port: 0, source, chain: null, logger: silentLogger }]) {
      const handle = await startGateway(options);
      await handle.stop();
    }
  });

  /** The embedded indexer's options that contradict each other (or the other's default), and what each is refused as. */
  const CONFLICTS: ReadonlyArray<{ tuning: IndexerTuning; option: GatewayNumericOption; value: number; message: string }> = [
    {
      tuning: { minBlockRange: 50, maxBlockRange: 10 },
      option: "source.indexerTuning.minBlockRange",
      value: 50,
      message: "source.indexerTuning.minBlockRange must be at most source.indexerTuning.maxBlockRange (got minBlockRange 50, maxBlockRange 10)",
    },
    {
      // Against the indexer's default maxBlockRange (10,000): the gateway's check takes the indexer's defaults.
      tuning: { minBlockRange: 20_000 },
      option: "source.indexerTuning.minBlockRange",
      value: 20_000,
      message: "source.indexerTuning.minBlockRange must be at most source.indexerTuning.maxBlockRange (got minBlockRange 20000, maxBlockRange 10000)",
    },
    {
      tuning: { minBlockRange: 10, maxBlockRange: 100, initialBlockRange: 5 },
      option: "source.indexerTuning.initialBlockRange",
      value: 5,
      message:
        "source.indexerTuning.initialBlockRange must be from source.indexerTuning.minBlockRange to source.indexerTuning.maxBlockRange, 10 to 100 (got 5)",
    },
    {
      tuning: { maxBlockRange: 100, initialBlockRange: 500 },
      option: "source.indexerTuning.initialBlockRange",
      value: 500,
      message:
        "source.indexerTuning.initialBlockRange must be from source.indexerTuning.minBlockRange to source.indexerTuning.maxBlockRange, 1 to 100 (got 500)",
    },
    {
      tuning: { restart: { initialDelayMs: 5000, maxDelayMs: 1000 } },
      option: "source.indexerTuning.restart.maxDelayMs",
      value: 1000,
      message: "source.indexerTuning.restart.maxDelayMs must be at least source.indexerTuning.restart.initialDelayMs (got initialDelayMs 5000, maxDelayMs 1000)",
    },
  ];

  for (const conflict of CONFLICTS) {
    it(`refuses ${JSON.stringify(conflict.tuning)} as ${conflict.option}, naming both options, starting nothing`, async function () {
      const port = await freePort();
      const dbPath = path.join(dir, "db", "index.sqlite");
      const options: GatewayOptions = { port, logger: silentLogger, chain: { rpcUrl: NOWHERE, deployment }, source: { rpcUrl: NOWHERE, deployment, dbPath, indexerTuning: conflict.tuning } };
      let caught: unknown;
      try {
        const handle = await startGateway(options);
        await handle.stop();
      } catch (error) {
        caught = error;
      }
      expect(caught).to.be.instanceOf(GatewayOptionError);
      const refusal = caught as GatewayOptionError;
      expect(refusal.option).to.equal(conflict.option);
      expect(refusal.value).to.equal(conflict.value);
      expect(refusal.message).to.equal(conflict.message);
      expect(fs.existsSync(path.dirname(dbPath)), "the embedded indexer's directory").to.equal(false);
      expect(await portIsFree(port), "the port").to.equal(true);
    });
  }

  it("accepts block ranges and restart delays that agree, the edges included", function () {
    const dbPath = path.join(dir, "db", "index.sqlite");
    const agreeing: readonly IndexerTuning[] = [
      { minBlockRange: 7, maxBlockRange: 7, initialBlockRange: 7 },
      { minBlockRange: 10_000 },
      { initialBlockRange: 10_000 },
      { restart: { initialDelayMs: 1000, maxDelayMs: 1000 } },
      // One delay given: RestartBackoff brings the other's default to it.
      { restart: { initialDelayMs: 120_000 } },
      { restart: false },
    ];
    for (const indexerTuning of agreeing) {
      const options: GatewayOptions = { logger: silentLogger, chain: null, source: { rpcUrl: NOWHERE, deployment, dbPath, indexerTuning } };
      expect(() => checkGatewayOptions(options), JSON.stringify(indexerTuning)).not.to.throw();
    }
  });

  it("takes a limit given as undefined for its default, as the checks do, not for no limit", async function () {
    const limits = { maxDepth: undefined, maxCost: undefined, maxConnections: undefined, maxSubscriptions: undefined };
    expect(limitsWithDefaults(limits)).to.deep.equal({ query: DEFAULT_QUERY_LIMITS, subscriptions: DEFAULT_SUBSCRIPTION_LIMITS });
    const runtime = await createGatewayRuntime({ source: { subgraphUrl: `${NOWHERE}/subgraphs/name/latent` }, chain: null, logger: silentLogger, limits });
    try {
      expect(runtime.services.limits).to.deep.equal(DEFAULT_QUERY_LIMITS);
    } finally {
      await runtime.close();
    }
  });
});
