// npm run gateway -- [options]
//
// Serves the Latent gateway. By default it runs the embedded indexer (in a worker thread) against --rpc-url; with
// SUBGRAPH_URL (or --subgraph-url) it reads a graph-node endpoint instead, and --rpc-url only serves live reads.
import * as path from "node:path";
import { SubgraphDeploymentMismatchError } from "./sources/deployment-check";
import { SubgraphChainMismatchError } from "./sources/chain-check";
import { GRAPH_NODE_REORG_THRESHOLD, StartAbortedError, gatewayRedactor, startGateway, type GatewayHandle, type GatewayOptions } from "./gateway";
import { CorsOriginError, parseCorsOrigins } from "./http/cors";
import { DEFAULT_SUBSCRIPTION_LIMITS } from "./limits/subscription-limits";
import { createJsonLogger, isLogLevel, redactingLogger, type LogLevel, type Logger } from "./logger";
import { GATEWAY_OPTION_RULES, type GatewayNumberRule, type GatewayNumericOption } from "./option-rules";
import { DeploymentError } from "./sources/deployment";
import { HttpSourceConfigError, httpEndpoint } from "./sources/http-source";
import { IndexerError } from "../../subgraph/indexer/errors";
import { redactUrlsIn, type Redactor } from "../../subgraph/indexer/redact";
import { accepts } from "../../subgraph/indexer/option-rules";
import { checkUrlForm, UrlFormError } from "../../subgraph/indexer/url-form";

const USAGE = `Usage: npm run gateway -- [options]

  --rpc-url <url>          chain JSON-RPC (env RPC_URL; default http://127.0.0.1:8545)
  --rpc-timeout <ms>       the live chain reads' wait on one RPC call before they fail it (env RPC_TIMEOUT_MS;
                           default 5000)
  --indexer-rpc-timeout <ms>
                           the embedded indexer's wait on one JSON-RPC request before it fails it
                           (env INDEXER_RPC_TIMEOUT_MS; default 30000)
  --deployment <file>      deployment record (default localhost.json in LATENT_DEPLOYMENTS_DIR, or deployments/)
  --db <file>              embedded indexer database (default .data/gateway-indexer.sqlite)
  --subgraph-build <dir>   compiled subgraph (default subgraph/build)
  --subgraph-url <url>     read this graph-node endpoint instead of running the indexer (env SUBGRAPH_URL);
                           user:password@ in it is sent as Authorization: Basic. Env SUBGRAPH_BEARER_TOKEN (no flag:
                           ps would show it) is sent as Authorization: Bearer <token>
  --subgraph-status-url <url>
                           with --subgraph-url: graph-node's indexing-status API (http://graph-node:8030/graphql),
                           asked whether the deployment failed, which its _meta cannot say (env SUBGRAPH_STATUS_URL)
  --subgraph-timeout <ms>  with --subgraph-url: the wait on one request to the endpoint before it fails
                           (env SUBGRAPH_TIMEOUT_MS; default 10000)
  --reorg-threshold <blocks>
                           with --subgraph-url: the endpoint's reorg threshold, graph-node's ETHEREUM_REORG_THRESHOLD;
                           jobUpdated stays open this deep after a final status (env REORG_THRESHOLD; default 250)
  --port <n>               (env PORT; default 4000; 0 picks a free port)
  --host <addr>            (env HOST; default 127.0.0.1)
  --cors <origins>         "*" or comma-separated origins (env CORS_ORIGINS; default "*")
  --max-lag <blocks>       /readyz threshold (env MAX_LAG; default 5)
  --max-connections <n>    open WebSocket connections (env MAX_CONNECTIONS; default 1000)
  --max-subscriptions <n>  subscriptions running at once, all connections (env MAX_SUBSCRIPTIONS; default 10000)
  --max-subscriptions-per-connection <n>
                           subscriptions, and queries, one connection runs at once (env MAX_SUBSCRIPTIONS_PER_CONNECTION;
                           default 100)
  --log-level <level>      debug|info|warn|error (env LOG_LEVEL; default info)
  --help
`;

class UsageError extends Error {}

export interface CliConfig {
  options: GatewayOptions;
  logLevel: LogLevel;
}

/** Flags win over the environment, which wins over the defaults. */
export function parseCli(argv: readonly string[], env: NodeJS.ProcessEnv): CliConfig {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i] as string;
    if (flag === "--help" || flag === "-h") throw new UsageError("");
    if (!flag.startsWith("--")) throw new UsageError(`unexpected argument ${flag}`);
    const value = argv[i + 1];
    // `--rpc-url --port 0` would otherwise take "--port" as the URL and then refuse "0" as an unexpected argument.
    if (value === undefined || value.startsWith("--")) throw new UsageError(`${flag} needs a value`);
    flags.set(flag.slice(2), value);
    i++;
  }
  const known = new Set(["rpc-url", "indexer-rpc-timeout", "deployment", "db", "subgraph-build", "subgraph-url", "subgraph-status-url", "reorg-threshold", "port", "host", "cors", "max-lag",
    "log-level", "max-connections", "max-subscriptions", "max-subscriptions-per-connection", "rpc-timeout", "subgraph-timeout"]);
  for (const name of flags.keys()) if (!known.has(name)) throw new UsageError(`unknown option --${name}`);
  // A blank value is no value: `HOST=` (an .env line, a compose file passing an unset variable) would otherwise bind
  // every interface, and `RPC_URL=` would be a URL.
  const pick = (flag: string, envName: string): string | undefined => {
    const value = flags.get(flag) ?? env[envName];
    return value === undefined || value.trim() === "" ? undefined : value;
  };
  /** How an error names where a value came from: the flag, or the variable when the flag was not given. */
  const origin = (flag: string, envName: string): string => (flags.has(flag) ? `--${flag}` : envName);
  // Each number is checked against the rule startGateway applies to the option it sets (option-rules.ts), so that the
  // two cannot disagree; the flags take digits only, and say so. The rules of the timers stop at MAX_TIMER_MS: above
  // 2^31 - 1 ms Node's timers fire at once (a TimeoutOverflowWarning), and every request would time out.
  const integer = (text: string | undefined, name: string, fallback: number, option: GatewayNumericOption): number => {
    if (text === undefined || text === "") return fallback;
    // Digits only: Number() would also take " " (as 0), "0x1f90", "8e3" and "4000.0".
    const n = /^\d{1,16}$/.test(text) ? Number(text) : NaN;
    const rule: GatewayNumberRule = GATEWAY_OPTION_RULES[option];
    if (!accepts(rule, n)) {
      const what = option === "port" ? "a port number from 0 to 65535" : rule.min === 1 ? "a positive integer" : "a non-negative integer";
      throw new UsageError(`${name} must be ${what} (got ${text})`);
    }
    return n;
  };
  const milliseconds = (text: string, name: string, option: GatewayNumericOption): number => {
    const n = /^\d{1,16}$/.test(text) ? Number(text) : NaN;
    const rule: GatewayNumberRule = GATEWAY_OPTION_RULES[option];
    if (!accepts(rule, n)) throw new UsageError(`${name} must be a positive integer of milliseconds, at most ${rule.max} (got ${text})`);
    return n;
  };
  // A URL without its scheme ("localhost:8000/...") parses as one with a strange scheme: the gateway would start and
  // then answer every query SOURCE_UNAVAILABLE, or index nothing, instead of saying what is wrong. The refusal quotes
  // nothing after the scheme (url-form.ts): an RPC URL's path may be a key, and what URL takes for the scheme of a URL
  // written without one may be a user name.
  const httpUrl = (text: string, name: string): string => {
    try {
      checkUrlForm(text, ["http", "https"]);
    } catch (error) {
      if (error instanceof UrlFormError) throw new UsageError(`${name} ${error.message}`);
      throw error;
    }
    return text;
  };
  const corsOrigins = (text: string | undefined, name: string): ReturnType<typeof parseCorsOrigins> => {
    try {
      return parseCorsOrigins(text);
    } catch (error) {
      if (error instanceof CorsOriginError) throw new UsageError(`${name}: ${error.message}`);
      throw error;
    }
  };
  const logLevel = pick("log-level", "LOG_LEVEL") ?? "info";
  if (!isLogLevel(logLevel)) throw new UsageError(`${origin("log-level", "LOG_LEVEL")} must be debug, info, warn or error (got ${logLevel})`);
  const rpcUrl = httpUrl(pick("rpc-url", "RPC_URL") ?? "http://127.0.0.1:8545", origin("rpc-url", "RPC_URL"));
  // Where `npm run deploy`, the devnet and the Hardhat tasks keep the records (an empty value is no value, as there).
  const recordsDir = env.LATENT_DEPLOYMENTS_DIR === undefined || env.LATENT_DEPLOYMENTS_DIR === "" ? "deployments" : env.LATENT_DEPLOYMENTS_DIR;
  const deployment = path.resolve(flags.get("deployment") ?? path.join(recordsDir, "localhost.json"));
  const subgraphUrlText = pick("subgraph-url", "SUBGRAPH_URL");
  const subgraphUrl = subgraphUrlText === undefined || subgraphUrlText === "" ? undefined : httpUrl(subgraphUrlText, origin("subgraph-url", "SUBGRAPH_URL"));
  const bearerToken = env.SUBGRAPH_BEARER_TOKEN === undefined || env.SUBGRAPH_BEARER_TOKEN.trim() === "" ? undefined : env.SUBGRAPH_BEARER_TOKEN;
  if (bearerToken !== undefined && subgraphUrl === undefined) {
    throw new UsageError("SUBGRAPH_BEARER_TOKEN applies only with --subgraph-url (SUBGRAPH_URL): the embedded indexer takes none");
  }
  if (subgraphUrl !== undefined) {
    // Refused here, with the usage, rather than once the gateway starts.
    try {
      httpEndpoint(subgraphUrl, bearerToken);
    } catch (error) {
      if (error instanceof HttpSourceConfigError) throw new UsageError(error.message);
      throw error;
    }
  }
  const statusUrlText = pick("subgraph-status-url", "SUBGRAPH_STATUS_URL");
  const statusUrlName = origin("subgraph-status-url", "SUBGRAPH_STATUS_URL");
  const statusUrl = statusUrlText === undefined || statusUrlText === "" ? undefined : httpUrl(statusUrlText, statusUrlName);
  // The embedded indexer's failure shows in its own _meta.
  if (statusUrl !== undefined && subgraphUrl === undefined) {
    throw new UsageError(`${statusUrlName} applies only with --subgraph-url (SUBGRAPH_URL): the embedded indexer's _meta says when it failed`);
  }
  const reorgThresholdText = pick("reorg-threshold", "REORG_THRESHOLD");
  // The embedded indexer's threshold is its own (indexerTuning): taking the value there would change how far back it
  // follows reorgs, and ignoring it would leave jobUpdated open for another depth than the one asked for.
  if (reorgThresholdText !== undefined && subgraphUrl === undefined) {
    const name = origin("reorg-threshold", "REORG_THRESHOLD");
    throw new UsageError(`${name} applies only with --subgraph-url (SUBGRAPH_URL): the embedded indexer's is its own`);
  }
  const rpcTimeoutText = pick("indexer-rpc-timeout", "INDEXER_RPC_TIMEOUT_MS");
  const rpcTimeoutName = origin("indexer-rpc-timeout", "INDEXER_RPC_TIMEOUT_MS");
  if (rpcTimeoutText !== undefined && subgraphUrl !== undefined) {
    throw new UsageError(`${rpcTimeoutName} applies only to the embedded indexer, not with --subgraph-url (SUBGRAPH_URL)`);
  }
  const rpcTimeoutMs = rpcTimeoutText === undefined ? undefined : milliseconds(rpcTimeoutText, rpcTimeoutName, "source.rpcTimeoutMs");
  const chainTimeoutText = pick("rpc-timeout", "RPC_TIMEOUT_MS");
  const chainTimeoutMs = chainTimeoutText === undefined ? undefined : milliseconds(chainTimeoutText, origin("rpc-timeout", "RPC_TIMEOUT_MS"), "chain.timeoutMs");
  const subgraphTimeoutText = pick("subgraph-timeout", "SUBGRAPH_TIMEOUT_MS");
  const subgraphTimeoutName = origin("subgraph-timeout", "SUBGRAPH_TIMEOUT_MS");
  // The embedded indexer answers from a thread of this process: nothing to time out there but the worker's own hang.
  if (subgraphTimeoutText !== undefined && subgraphUrl === undefined) {
    throw new UsageError(`${subgraphTimeoutName} applies only with --subgraph-url (SUBGRAPH_URL), not to the embedded indexer`);
  }
  const subgraphTimeoutMs = subgraphTimeoutText === undefined ? undefined : milliseconds(subgraphTimeoutText, subgraphTimeoutName, "source.timeoutMs");
  const reorgThreshold = reorgThresholdText === undefined
    ? undefined
    : integer(reorgThresholdText, origin("reorg-threshold", "REORG_THRESHOLD"), GRAPH_NODE_REORG_THRESHOLD, "source.reorgThreshold");
  const options: GatewayOptions = {
    port: integer(pick("port", "PORT"), origin("port", "PORT"), 4000, "port"),
    host: pick("host", "HOST") ?? "127.0.0.1",
    corsOrigins: corsOrigins(pick("cors", "CORS_ORIGINS"), origin("cors", "CORS_ORIGINS")),
    maxLag: integer(pick("max-lag", "MAX_LAG"), origin("max-lag", "MAX_LAG"), 5, "maxLag"),
    limits: {
      maxConnections: integer(pick("max-connections", "MAX_CONNECTIONS"), origin("max-connections", "MAX_CONNECTIONS"),
        DEFAULT_SUBSCRIPTION_LIMITS.maxConnections, "limits.maxConnections"),
      maxSubscriptions: integer(pick("max-subscriptions", "MAX_SUBSCRIPTIONS"), origin("max-subscriptions", "MAX_SUBSCRIPTIONS"),
        DEFAULT_SUBSCRIPTION_LIMITS.maxSubscriptions, "limits.maxSubscriptions"),
      maxSubscriptionsPerConnection: integer(pick("max-subscriptions-per-connection", "MAX_SUBSCRIPTIONS_PER_CONNECTION"),
        origin("max-subscriptions-per-connection", "MAX_SUBSCRIPTIONS_PER_CONNECTION"), DEFAULT_SUBSCRIPTION_LIMITS.maxSubscriptionsPerConnection,
        "limits.maxSubscriptionsPerConnection"),
    },
    source:
      subgraphUrl !== undefined
        ? {
            subgraphUrl,
            ...(reorgThreshold === undefined ? {} : { reorgThreshold }),
            ...(bearerToken === undefined ? {} : { bearerToken }),
            ...(subgraphTimeoutMs === undefined ? {} : { timeoutMs: subgraphTimeoutMs }),
            ...(statusUrl === undefined ? {} : { statusUrl }),
          }
        : {
            rpcUrl,
            ...(rpcTimeoutMs === undefined ? {} : { rpcTimeoutMs }),
            deployment,
            dbPath: path.resolve(flags.get("db") ?? ".data/gateway-indexer.sqlite"),
            subgraphBuildDir: flags.has("subgraph-build") ? path.resolve(flags.get("subgraph-build") as string) : undefined,
          },
    chain: { rpcUrl, deployment, ...(chainTimeoutMs === undefined ? {} : { timeoutMs: chainTimeoutMs }) },
  };
  return { options, logLevel };
}

/**
 * The CLI's own log (its starting, ready and stopping lines) through the same redaction as the gateway's: a line of it
 * that came to quote a configured URL, or an error's message quoting one, would otherwise write an RPC key whole.
 * startGateway is given it as well; its redaction of an already redacted line changes nothing.
 */
export function cliLogger(config: CliConfig, write?: (line: string) => void): Logger {
  return redactingLogger(createJsonLogger({ level: config.logLevel, write, fields: { service: "latent-gateway" } }), gatewayRedactor(config.options));
}

async function main(): Promise<void> {
  let config: CliConfig;
  try {
    config = parseCli(process.argv.slice(2), process.env);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(error.message === "" ? USAGE : `${error.message}\n\n${USAGE}`);
      process.exit(error.message === "" ? 0 : 2);
    }
    throw error;
  }
  const logger = cliLogger(config);
  redact = gatewayRedactor(config.options);
  // Taken before the start: a signal without a handler would end the process there and then, leaving the indexer
  // thread no chance to give up its open and close its database in order, and the exit status would be the signal's.
  const starting = new AbortController();
  let gateway: GatewayHandle | null = null;
  const stop = (running: GatewayHandle): void => {
    running.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error("shutdown failed", { error });
        process.exit(1);
      },
    );
  };
  /** The signal that started the stop, null until one came. */
  let stoppingOn: string | null = null;
  const shutdown = (signal: string) => {
    // A second signal (a supervisor's SIGTERM after a Ctrl-C) must not start a second stop while the first closes what
    // it closes; the first one's end exits.
    if (stoppingOn !== null) {
      logger.info("already stopping", { signal, stoppingOn });
      return;
    }
    stoppingOn = signal;
    logger.info("shutting down", { signal });
    // Still starting: startGateway stops what it started and rejects with StartAbortedError, handled below.
    if (gateway === null) starting.abort();
    else stop(gateway);
  };
  // `on`, not `once`: with no handler left, a second signal would end the process there and then, mid-stop.
  process.on("SIGINT", () => shutdown("SIGINT"));
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  logger.info("starting", { source: "subgraphUrl" in config.options.source ? "subgraph-url" : "embedded" });
  try {
    gateway = await startGateway({ ...config.options, logger, signal: starting.signal });
  } catch (error) {
    if (!(starting.signal.aborted && error instanceof StartAbortedError)) throw error;
    logger.info("stopped while starting");
    process.exit(0);
  }
  logger.info("ready to serve", { url: gateway.url, wsUrl: gateway.wsUrl });
  // One line for scripts that start the gateway as a child process.
  process.stdout.write(`${JSON.stringify({ listening: gateway.url, ws: gateway.wsUrl, port: gateway.port })}\n`);
}

/** What the crash report below hides: the configured URLs once they are known (main sets it), any URL's path before. */
let redact: Redactor = redactUrlsIn;

if (require.main === module) {
  main().catch((error: unknown) => {
    // A deployment record or subgraph build that cannot be used is named by its message; the stack is for the rest, and
    // may hold any URL (redactUrlsIn), as written or as a library rewrote it.
    const known =
      error instanceof DeploymentError ||
      error instanceof IndexerError ||
      error instanceof HttpSourceConfigError ||
      error instanceof SubgraphDeploymentMismatchError ||
      error instanceof SubgraphChainMismatchError;
    const text = error instanceof Error ? (known ? redact(error.message) : redactUrlsIn(redact(error.stack ?? error.message))) : redactUrlsIn(String(error));
    process.stderr.write(`gateway: ${text}\n`);
    process.exit(1);
  });
}
