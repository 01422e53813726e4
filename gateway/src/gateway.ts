// startGateway: composes a running gateway from its parts. The source of network state is the embedded indexer
// (default) or any graph-node endpoint (`subgraphUrl`); everything above the source is the same in both cases.
import * as path from "node:path";
import { DEFAULT_REORG_THRESHOLD } from "../../subgraph/indexer";
import { StoppedError } from "../../subgraph/indexer/errors";
import { ChainReader } from "./chain/chain-reader";
import type { GatewayServices } from "./context";
import { SubscriptionHub } from "./feeds/subscription-hub";
import type { CorsOrigins } from "./http/cors";
import { DEFAULT_QUERY_LIMITS, type QueryLimits } from "./limits/query-limits";
import { DEFAULT_SUBSCRIPTION_LIMITS, type SubscriptionLimits } from "./limits/subscription-limits";
import { createJsonLogger, redactingLogger, type Logger } from "./logger";
import { redactUrl, redactUrlsIn, urlRedactor, type Redactor } from "../../subgraph/indexer/redact";
import { repoRoot } from "./repo-root";
import { createResolvers } from "./resolvers";
import { buildSchema } from "./schema/executable-schema";
import { checkGatewayOptions } from "./option-rules";
import { GRAPHQL_PATH, startHttpServer } from "./server";
import { CachingSubgraphSource } from "./sources/caching-source";
import { contractAddress, readDeployment, type DeploymentRecord } from "./sources/deployment";
import { EmbeddedSubgraphSource, type IndexerTuning } from "./sources/embedded-source";
import { HeadWatcher, type IndexedHead } from "./sources/head-watcher";
import { guardSubgraphDeployment } from "./sources/deployment-check";
import { taskReach } from "./task-reach";
import { CHAIN_MISMATCH_GRACE_POLLS, guardSubgraphChain, type ChainGuard } from "./sources/chain-check";
import { HttpSubgraphSource } from "./sources/http-source";
import type { SubgraphSource } from "./sources/source";
import { SubgraphReader } from "./subgraph/reader";

/** The embedded indexer, indexing `deployment` from `rpcUrl` into `dbPath` in a worker thread. */
export interface EmbeddedSourceConfig {
  rpcUrl: string;
  /** How long the indexer waits on one JSON-RPC request before it fails it (default 30,000 ms). */
  rpcTimeoutMs?: number;
  /** The deployment record, or the path of deployments/<network>.json. */
  deployment: DeploymentRecord | string;
  dbPath: string;
  /** The compiled subgraph (default subgraph/build). */
  subgraphBuildDir?: string;
  /** The indexer's pause between passes at the head (default 1000 ms). */
  indexerPollMs?: number;
  /** The indexer's own tuning (block ranges, WASM instance reuse), passed through. */
  indexerTuning?: IndexerTuning;
  /** The clock the time left until a dead indexer thread's restart is read on (default Date.now; tests advance one). */
  now?: () => number;
}

/** Any endpoint that speaks graph-node's dialect (graph-node, or the embedded indexer over HTTP). */
export interface SubgraphUrlSourceConfig {
  /** May carry `user:password@`, sent as `Authorization: Basic` (Node's fetch refuses a URL with credentials). */
  subgraphUrl: string;
  /** Sent as `Authorization: Bearer <token>`, as hosted gateways in front of graph-node ask; not with credentials. */
  bearerToken?: string;
  /** Per-request timeout (default 10 s). */
  timeoutMs?: number;
  /**
   * graph-node's indexing-status API (its index node, `http://graph-node:8030/graphql`), asked at each head poll
   * whether the deployment `_meta` names failed: graph-node's `_meta` cannot say so, so without it a failed subgraph
   * reads as one falling behind. May carry `user:password@`; the bearer token is not sent there.
   */
  statusUrl?: string;
  /**
   * The endpoint's reorg threshold: how deep a block must be before the index no longer replaces it (default 250,
   * graph-node's ETHEREUM_REORG_THRESHOLD; `npm run indexer`'s is 50). jobUpdated follows a final status this deep.
   */
  reorgThreshold?: number;
}

/** graph-node's ETHEREUM_REORG_THRESHOLD when the environment does not set it. */
export const GRAPH_NODE_REORG_THRESHOLD = 250;

/** Live chain reads (provider.live, job.live). */
export interface ChainConfig {
  rpcUrl: string;
  deployment: DeploymentRecord | string;
  /** How long a live read waits on one RPC call before it fails it (default 5000 ms). */
  timeoutMs?: number;
}

/**
 * Each number is checked before anything starts: one the gateway cannot honour (headPollMs: 0, a NaN, a timer past
 * 2^31 - 1 ms) rejects createGatewayRuntime and startGateway with a GatewayOptionError naming its path and value.
 */
export interface GatewayOptions {
  /** Default 4000; 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  source: EmbeddedSourceConfig | SubgraphUrlSourceConfig;
  /** Live reads; defaults to the embedded source's RPC and deployment. Without it `live` fields fail clearly. */
  chain?: ChainConfig | null;
  /** /readyz is 200 while the index is at most this many blocks behind the chain (default 5). */
  maxLag?: number;
  /** "*" (default) or the allowed origins. */
  corsOrigins?: CorsOrigins;
  /** Query limits, and the WebSocket connections and subscriptions allowed at once; each defaults on its own. */
  limits?: Partial<QueryLimits & SubscriptionLimits>;
  logger?: Logger;
  /** How often the indexed head is polled (default 1000 ms; the embedded indexer also pushes). */
  headPollMs?: number;
  /** Cache source query results until the indexed head advances (default true). */
  queryCache?: boolean;
  /** Served at / (default gateway/dashboard). */
  staticDir?: string;
  introspection?: boolean;
  /**
   * Aborted while the gateway starts (a SIGTERM): what started is stopped, the embedded indexer's open given up, and
   * startGateway (createGatewayRuntime) rejects with {@link StartAbortedError}. Not heard once it has resolved: stop() that.
   */
  signal?: AbortSignal;
}

/** The gateway was stopped (GatewayOptions.signal) while it started; nothing it started runs any more. */
export class StartAbortedError extends Error {
  constructor(options?: { cause?: unknown }) {
    super("the gateway was stopped while it started", options);
    this.name = new.target.name;
  }
}

export interface GatewayHandle {
  /** http://host:port/graphql */
  url: string;
  /** ws://host:port/graphql */
  wsUrl: string;
  port: number;
  /** The last indexed head seen. */
  head(): IndexedHead | null;
  /** Queries that reached the source (cache misses), for monitoring. */
  sourceQueries(): number;
  /** Live subscriptions, for monitoring. */
  subscriberCount(): number;
  /** Closes the server, then the source; a second call returns the first call's promise. */
  stop(): Promise<void>;
}

/** What startGateway assembles below the HTTP server; exposed so benchmarks and tools can compose their own. */
export interface GatewayRuntime {
  services: GatewayServices;
  hub: SubscriptionHub;
  source: CachingSubgraphSource;
  close(): Promise<void>;
}

function isEmbedded(source: GatewayOptions["source"]): source is EmbeddedSourceConfig {
  return (source as EmbeddedSourceConfig).dbPath !== undefined;
}

/**
 * Hides what `options`' URLs may hold in the text it is given: an RPC URL's path and query (an API key) and
 * credentials, and a subgraph endpoint's and its status API's credentials and query (a path is a route, and stays), and
 * then every other URL's path, query and credentials: an error's message or cause may quote another endpoint's URL (a
 * node's, a proxy's) with its key. The gateway's own GraphQL path is a route as well.
 */
export function gatewayRedactor(options: Pick<GatewayOptions, "source" | "chain">): Redactor {
  const urls: { url: string; keepPath?: boolean }[] = [];
  if (isEmbedded(options.source)) urls.push({ url: options.source.rpcUrl });
  else {
    urls.push({ url: options.source.subgraphUrl, keepPath: true });
    if (options.source.statusUrl !== undefined) urls.push({ url: options.source.statusUrl, keepPath: true });
  }
  if (options.chain !== null && options.chain !== undefined) urls.push({ url: options.chain.rpcUrl });
  // The configured URLs first: redactUrlsIn does not read every form they may be written in (see URL_IN_TEXT).
  const byUrl = urls.some(({ url, keepPath }) => redactUrl(url, { keepPath }) !== url) ? urlRedactor(urls) : null;
  // One that does not parse is refused as the source is made (HttpSourceConfigError), after this.
  const routes = new Set(urls.filter(({ url, keepPath }) => keepPath === true && URL.canParse(url)).map(({ url }) => routeOf(new URL(url))));
  const isRoute = (url: URL): boolean => url.pathname === GRAPHQL_PATH || routes.has(routeOf(url));
  const token = isEmbedded(options.source) ? undefined : options.source.bearerToken;
  const byToken = token === undefined || token === "" ? null : token;
  return (text) => {
    let result = byUrl === null ? text : byUrl(text);
    // Nothing of the gateway's writes the token, but an endpoint's error may echo the request's headers.
    if (byToken !== null) result = result.split(byToken).join("…");
    return redactUrlsIn(result, isRoute);
  };
}

function routeOf(url: URL): string {
  return `${url.origin}${url.pathname}`;
}

export async function createGatewayRuntime(options: GatewayOptions): Promise<GatewayRuntime> {
  // Before anything starts: a value refused once the indexer thread runs would leave it to stop, and one never refused
  // (headPollMs: 0) would be a busy loop.
  checkGatewayOptions(options);
  const given = options.logger ?? createJsonLogger();
  const logger = redactingLogger(given, gatewayRedactor(options));
  const limits = limitsWithDefaults(options.limits).query;
  let inner: SubgraphSource;
  let chainConfig: ChainConfig | null | undefined = options.chain;
  // Query.deployment's: the record the index is of (the embedded source's), else the chain reader's; none without either.
  let deployment: DeploymentRecord | null = null;
  const { signal } = options;
  if (signal?.aborted) throw new StartAbortedError();
  if (isEmbedded(options.source)) {
    deployment = readDeployment(options.source.deployment);
    try {
      inner = await EmbeddedSubgraphSource.start({
        rpcUrl: options.source.rpcUrl,
        rpcTimeoutMs: options.source.rpcTimeoutMs,
        deployment,
        dbPath: options.source.dbPath,
        subgraphBuildDir: options.source.subgraphBuildDir,
        pollIntervalMs: options.source.indexerPollMs,
        tuning: options.source.indexerTuning,
        now: options.source.now,
        logger,
        signal,
      });
    } catch (error) {
      // A start that failed on its own as the stop came says why it failed instead.
      if (signal?.aborted && error instanceof StoppedError) throw new StartAbortedError({ cause: error });
      throw error;
    }
    if (chainConfig === undefined) chainConfig = { rpcUrl: options.source.rpcUrl, deployment };
  } else {
    const { subgraphUrl, bearerToken, timeoutMs, statusUrl } = options.source;
    inner = new HttpSubgraphSource({
      url: subgraphUrl,
      timeoutMs,
      ...(bearerToken === undefined ? {} : { bearerToken }),
      ...(statusUrl === undefined ? {} : { statusUrl }),
    });
  }
  // Without the cache (benchmarks) requests still pass through it, keeping nothing, so sourceQueries() counts them.
  const source = new CachingSubgraphSource(inner, {
    logger: logger.child({ component: "source" }),
    maxEntries: options.queryCache === false ? 0 : undefined,
  });
  let chain: ChainReader | null = null;
  if (chainConfig !== null && chainConfig !== undefined) {
    const record = readDeployment(chainConfig.deployment);
    deployment ??= record;
    const file = typeof chainConfig.deployment === "string" ? chainConfig.deployment : undefined;
    chain = new ChainReader({
      rpcUrl: chainConfig.rpcUrl,
      chainId: record.chainId,
      contracts: {
        ProviderRegistry: contractAddress(record, "ProviderRegistry", file),
        Staking: contractAddress(record, "Staking", file),
        JobEscrow: contractAddress(record, "JobEscrow", file),
      },
      logger: logger.child({ component: "chain" }),
      timeoutMs: chainConfig.timeoutMs,
    });
  }
  const chainReader = chain;
  const head = new HeadWatcher(inner, {
    pollIntervalMs: options.headPollMs,
    logger: logger.child({ component: "head" }),
    ...(chainReader === null ? {} : { chainBlockOf: (hash: string, signal: AbortSignal) => chainReader.blockHeader(hash, signal) }),
  });
  if (options.queryCache !== false) head.onInvalidate(() => source.invalidate());
  const reorgThreshold = isEmbedded(options.source)
    ? (options.source.indexerTuning?.reorgThreshold ?? DEFAULT_REORG_THRESHOLD)
    : (options.source.reorgThreshold ?? GRAPH_NODE_REORG_THRESHOLD);
  // An embedded indexer indexes the record it is given, on the chain it reads (it starts over on another genesis); a
  // subgraph endpoint may index any network's deployment, or the same deployment on another chain.
  let endDeploymentCheck = (): void => undefined;
  let chainGuard: ChainGuard | null = null;
  const mismatch: { found: string | null } = { found: null };
  if (!isEmbedded(options.source) && chainConfig !== null && chainConfig !== undefined && deployment !== null) {
    try {
      endDeploymentCheck = await guardSubgraphDeployment(inner, deployment, head, {
        file: typeof chainConfig.deployment === "string" ? chainConfig.deployment : undefined,
        logger: logger.child({ component: "source" }),
        signal,
        onMismatch: (error) => (mismatch.found = error.message),
      });
      if (chainReader !== null) {
        chainGuard = await guardSubgraphChain(head, {
          blockHashAt: (number, readSignal) => chainReader.blockHashAt(number, readSignal),
          chainHead: () => chainReader.blockNumber(),
          reorgThreshold,
          graceMs: CHAIN_MISMATCH_GRACE_POLLS * head.pollIntervalMs,
          logger: logger.child({ component: "source" }),
          signal,
        });
      }
    } catch (error) {
      endDeploymentCheck();
      await chain?.close();
      await source.close();
      if (signal?.aborted) throw new StartAbortedError({ cause: error });
      throw error;
    }
  }
  const reader = new SubgraphReader(source);
  const sourceHead = inner.chainHead?.bind(inner);
  const chainHead =
    chain !== null
      ? () => chain.blockNumber()
      : sourceHead !== undefined
        ? async () => {
            const known = sourceHead();
            if (known === null) throw new Error("the indexer has not seen the chain head yet");
            return known;
          }
        : null;

  // The file and chain URL the tasks need: the embedded source's where it runs, else the chain reader's.
  const started = isEmbedded(options.source) ? options.source : chainConfig ?? undefined;
  const services: GatewayServices = {
    reader,
    head,
    chain,
    chainHead,
    deployment,
    taskReach:
      deployment === null || started === undefined
        ? null
        : taskReach(deployment, typeof started.deployment === "string" ? started.deployment : undefined, started.rpcUrl),
    sourceKind: inner.kind,
    limits,
    maxLag: options.maxLag ?? 5,
    logger,
    get deploymentMismatch() {
      return mismatch.found ?? chainGuard?.mismatch()?.message ?? null;
    },
    ...(inner.indexerDown === undefined ? {} : { indexerDown: inner.indexerDown.bind(inner) }),
    ...(inner.indexerRestart === undefined ? {} : { indexerRestart: inner.indexerRestart.bind(inner) }),
  };
  const hub = new SubscriptionHub(reader, head, logger.child({ component: "subscriptions" }), { reorgThreshold });
  hub.start();
  head.start();
  return {
    services,
    hub,
    source,
    async close() {
      endDeploymentCheck();
      chainGuard?.stop();
      hub.stop();
      await head.stop();
      await chain?.close();
      await source.close();
    },
  };
}

/** `defaults`' fields, each replaced by the one `given` holds, if defined. */
function withDefaults<T extends object>(defaults: T, given: Partial<T> | undefined): T {
  const result = { ...defaults };
  for (const key of Object.keys(defaults) as Array<keyof T>) {
    const value = given?.[key];
    if (value !== undefined) result[key] = value as T[keyof T];
  }
  return result;
}

/**
 * GatewayOptions.limits split in two, each limit not given taking its default. A limit given as undefined is not
 * given (checkGatewayOptions passes it as such): a spread would copy it, and a comparison with undefined is false, so
 * the limit would be no limit at all.
 */
export function limitsWithDefaults(given: GatewayOptions["limits"]): { query: QueryLimits; subscriptions: SubscriptionLimits } {
  return { query: withDefaults(DEFAULT_QUERY_LIMITS, given), subscriptions: withDefaults(DEFAULT_SUBSCRIPTION_LIMITS, given) };
}

export const DEFAULT_STATIC_DIR = path.join(repoRoot(), "gateway", "dashboard");

/** Starts the gateway: its source, head watcher, subscriptions and the HTTP/WebSocket server. */
export async function startGateway(options: GatewayOptions): Promise<GatewayHandle> {
  const runtime = await createGatewayRuntime(options);
  const { signal } = options;
  try {
    if (signal?.aborted) throw new StartAbortedError();
    const schema = buildSchema(createResolvers(runtime.hub));
    const server = await startHttpServer({
      schema,
      services: runtime.services,
      host: options.host ?? "127.0.0.1",
      port: options.port ?? 4000,
      corsOrigins: options.corsOrigins ?? "*",
      staticDir: options.staticDir ?? DEFAULT_STATIC_DIR,
      introspection: options.introspection,
      subscriptionLimits: limitsWithDefaults(options.limits).subscriptions,
    });
    if (signal?.aborted) {
      await server.close();
      throw new StartAbortedError();
    }
    let stopping: Promise<void> | null = null;
    return {
      url: server.url,
      wsUrl: server.wsUrl,
      port: server.port,
      head: () => runtime.services.head.head,
      sourceQueries: () => runtime.source.misses,
      subscriberCount: () => runtime.hub.subscriberCount,
      stop() {
        // Once: a second stop (the CLI's SIGTERM after its SIGINT) would close the server and the source again
        // while the first is closing them, and resolve before they are closed.
        stopping ??= (async () => {
          await server.close();
          await runtime.close();
        })();
        return stopping;
      },
    };
  } catch (error) {
    await runtime.close();
    throw error;
  }
}
