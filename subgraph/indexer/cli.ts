// `npm run indexer -- [--rpc <url>] [--db <file>] [--subgraph <dir>] [--port N] ...`
//
// Indexes a built subgraph from any JSON-RPC endpoint into SQLite and prints progress. The indexer runs in a worker
// thread, with or without --port: there its heap is capped (--max-heap-mb) and a thread that hangs is found
// (--hang-timeout), neither of which the main thread could do for itself. The main thread prints progress, and with
// --port serves graph-node's query API over HTTP.
import path from "node:path";
import { IndexerError, IndexerWorkerDownError, StoppedError } from "./errors";
import type { IndexerLogRecord, ProgressEvent } from "./indexer";
import { loadSubgraph, type SubgraphBuild } from "./manifest";
import { accepts, describe, OPTION_RULES, WORKER_OPTION_RULES, type NumberRule } from "./option-rules";
import { redactUrl, redactUrlsIn, urlRedactor, type Redactor } from "./redact";
import { checkUrlForm, UrlFormError } from "./url-form";
import type { QueryServer } from "./server/http";
import { IndexerWorker } from "./worker/handle";
import { DEFAULT_MAX_HEAP_MB } from "./worker/protocol";
import { DirectoryRefusedError, makeWritableDirectory } from "./directories";

const USAGE = `Usage: npm run indexer -- [--rpc <url>] [--db <file>] [options]

  --rpc <url>             JSON-RPC endpoint (default http://127.0.0.1:8545)
  --db <file>             SQLite database (default .data/indexer.sqlite)
  --subgraph <dir>        subgraph build dir, or a subgraph dir with build/ (default subgraph). The project's
                          subgraph/build has placeholder addresses: index a deployment's build, written by
                          npm run subgraph:manifest -- deployments/<network>.json (subgraph/build-<network>)
  --port <n>              serve queries on http://<host>:<n>/subgraphs/name/<name> (indexing runs in a worker)
  --host <addr>           bind address for --port (default 127.0.0.1); only with --port
  --name <name>           subgraph name in the query URL (default latent); only with --port
  --reorg-threshold <n>   blocks below the head checked for reorgs (default 50)
  --poll-ms <n>           pause between passes at the head, at least 1 (default 1000)
  --max-range <n>         largest eth_getLogs block range (default 10000)
  --rps <n>               at most n JSON-RPC requests per second (0: unlimited; default: unlimited until rate limited)
  --hang-timeout <s>      the indexer's thread, answering nothing for s seconds (a mapping in an endless loop), is
                          terminated and restarted; with --once, exit code 1 (default 120; 0: never; else at
                          least ${WORKER_OPTION_RULES.hangTimeoutMs.min / 1000}, to the millisecond)
  --max-heap-mb <n>       the indexer thread's JavaScript heap limit in MB, at least ${WORKER_OPTION_RULES.maxHeapMb.min} (default ${DEFAULT_MAX_HEAP_MB})
  --once                  index up to the current head, then exit (exit code 1 if the subgraph failed, or the
                          indexer's thread died or hung); not with --port, --host, --name or --poll-ms
  --log-level <level>     critical|error|warning|info|debug (default info)
  --quiet                 no progress lines
  --help
`;

interface CliArgs {
  rpc: string;
  db: string;
  subgraph: string;
  port: number | null;
  host: string;
  name: string;
  reorgThreshold: number;
  pollMs: number;
  maxRange: number;
  rps: number | undefined;
  hangTimeoutMs: number;
  maxHeapMb: number;
  once: boolean;
  logLevel: IndexerLogRecord["level"];
  quiet: boolean;
}

class UsageError extends Error {}

/** Flags that only following the chain uses: with --once they would be ignored without a word. */
const NOT_WITH_ONCE: ReadonlyMap<string, string> = new Map([
  ["--port", "a one-off run serves no queries"],
  ["--host", "a one-off run serves no queries"],
  ["--name", "a one-off run serves no queries"],
  ["--poll-ms", "a one-off run does not wait at the head"],
]);

// What sets up the query server, which only --port starts.
const ONLY_WITH_PORT = ["--host", "--name"] as const;

// HttpRpc reaches the node with fetch, so http(s) only; and written as URL uses it (url-form.ts), as the gateway and
// the worker take a URL. No refusal repeats the URL: its path may be the provider's API key.
function httpUrl(flag: string, text: string): string {
  try {
    checkUrlForm(text, ["http", "https"]);
  } catch (error) {
    if (error instanceof UrlFormError) throw new UsageError(`${flag} ${error.message}`);
    throw error;
  }
  return text;
}

function parseArgs(argv: readonly string[]): CliArgs {
  const args: CliArgs = {
    rpc: "http://127.0.0.1:8545",
    db: ".data/indexer.sqlite",
    subgraph: "subgraph",
    port: null,
    host: "127.0.0.1",
    name: "latent",
    reorgThreshold: 50,
    pollMs: 1000,
    maxRange: 10_000,
    rps: undefined,
    hangTimeoutMs: 120_000,
    maxHeapMb: DEFAULT_MAX_HEAP_MB,
    once: false,
    logLevel: "info",
    quiet: false,
  };
  // Number("") is 0 and Number(" 1 ") is 1: only plain decimals are read (here and below), and the message repeats what
  // was typed.
  const whole = (flag: string, value: string, min: number, max = Number.MAX_SAFE_INTEGER): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < min || n > max) {
      const range = max === Number.MAX_SAFE_INTEGER ? `at least ${min}` : `from ${min} to ${max}`;
      throw new UsageError(`${flag} needs a whole number ${range} (got "${value}")`);
    }
    return n;
  };
  // A flag that sets an IndexerOptions number is checked against the rule Indexer.open (or the worker's handle) checks
  // the option with.
  const option = (flag: string, value: string, rule: NumberRule): number => {
    const n = Number(value);
    if (!(rule.whole ? /^\d+$/ : /^\d+(\.\d+)?$/).test(value) || !accepts(rule, n)) throw new UsageError(`${flag} needs ${describe(rule)} (got "${value}")`);
    return n;
  };
  // --hang-timeout is in seconds, hangTimeoutMs in whole milliseconds: at most three decimals, so that the product is
  // exact (1.1 * 1000 is not 1100), and the rule the handle checks hangTimeoutMs with.
  const seconds = (flag: string, value: string, rule: NumberRule): number => {
    const ms = Math.round(Number(value) * 1000);
    if (!/^\d+(\.\d{1,3})?$/.test(value) || !accepts(rule, ms)) {
      const least = rule.zero === undefined ? `at least ${rule.min / 1000}` : `0 (${rule.zero}) or at least ${rule.min / 1000}`;
      throw new UsageError(`${flag} needs a number of seconds, ${least}, at most ${(rule.max ?? Infinity) / 1000}, to the millisecond (got "${value}")`);
    }
    return ms;
  };
  const given = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    given.add(flag);
    const value = (): string => {
      const v = argv[++i];
      // `--rpc --db x` would otherwise take "--db" as the URL and report "x" as an unknown option.
      if (v === undefined || v === "" || v.startsWith("--")) throw new UsageError(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case "--rpc":
        args.rpc = httpUrl(flag, value());
        break;
      case "--db": {
        args.db = value();
        // A database URL (postgres://user:password@host/db, libsql://host?authToken=…) would be read as a relative path:
        // a file made under folders named after its parts, credentials included, and printed whole in the start line.
        const scheme = /^([a-z][a-z0-9+.-]+):\//i.exec(args.db);
        if (scheme !== null) throw new UsageError(`--db takes a SQLite file's path, not a URL (got ${scheme[1]}:…)`);
        break;
      }
      case "--subgraph":
        args.subgraph = value();
        break;
      case "--port":
        args.port = whole(flag, value(), 0, 65_535);
        break;
      case "--host":
        args.host = value();
        break;
      case "--name":
        args.name = value();
        break;
      case "--reorg-threshold":
        args.reorgThreshold = option(flag, value(), OPTION_RULES.reorgThreshold);
        break;
      case "--poll-ms":
        args.pollMs = option(flag, value(), OPTION_RULES.pollIntervalMs);
        break;
      case "--max-range":
        args.maxRange = option(flag, value(), OPTION_RULES.maxBlockRange);
        break;
      case "--rps":
        args.rps = option(flag, value(), OPTION_RULES.maxRequestsPerSecond);
        break;
      case "--hang-timeout":
        args.hangTimeoutMs = seconds(flag, value(), WORKER_OPTION_RULES.hangTimeoutMs);
        break;
      case "--max-heap-mb":
        args.maxHeapMb = option(flag, value(), WORKER_OPTION_RULES.maxHeapMb);
        break;
      case "--once":
        args.once = true;
        break;
      case "--quiet":
        args.quiet = true;
        break;
      case "--log-level": {
        const level = value();
        if (!["critical", "error", "warning", "info", "debug"].includes(level)) throw new UsageError(`unknown log level ${level}`);
        args.logLevel = level as IndexerLogRecord["level"];
        break;
      }
      case "--help":
      case "-h":
        process.stdout.write(USAGE);
        process.exit(0);
        break;
      default:
        throw new UsageError(`unknown option ${flag}`);
    }
  }
  if (args.once) {
    for (const [flag, why] of NOT_WITH_ONCE) if (given.has(flag)) throw new UsageError(`${flag} cannot be used with --once: ${why}`);
  } else if (args.port === null) {
    for (const flag of ONLY_WITH_PORT) if (given.has(flag)) throw new UsageError(`${flag} needs --port: without it no queries are served`);
  }
  return args;
}

// Every URL cut, not only --rpc's (which `redact` also cuts where it is written in a form redactUrlsIn does not read):
// a mapping's message may quote any text, an event's URI or an entity's field, whose path or query may be a key.
function printLog(record: IndexerLogRecord, redact: Redactor): void {
  const where = record.source === "mapping" ? ` [${record.dataSource ?? "?"}${record.handler ? `/${record.handler}` : ""}${record.block !== null && record.block !== undefined ? ` #${record.block}` : ""}]` : "";
  process.stderr.write(`${new Date().toISOString()} ${record.level.toUpperCase()} ${record.source}${where}: ${redactUrlsIn(redact(record.message))}\n`);
}

function progressLine(p: ProgressEvent): string {
  return (
    `block ${p.checkpoint.number} / head ${p.head} (lag ${p.lag}) | ` +
    `${p.blocksPerSecond.toFixed(1)} blocks/s | ${p.eventsPerSecond.toFixed(1)} events/s | ${p.totalEvents} events`
  );
}

const PLACEHOLDER_ADDRESS = "0x0000000000000000000000000000000000000000";

/**
 * The project's subgraph/build (what the default --subgraph resolves to) is compiled from the manifest template, whose
 * data sources watch the placeholder address: no contract there emits events, so indexing it would find nothing and
 * say nothing.
 */
function refuseTemplateBuild(subgraph: string): SubgraphBuild {
  const build = loadSubgraph(subgraph);
  if (build.dataSources.length === 0 || !build.dataSources.every((ds) => ds.address === PLACEHOLDER_ADDRESS)) return build;
  throw new IndexerError(
    `every data source in ${path.join(build.dir, "subgraph.yaml")} watches the placeholder address ${PLACEHOLDER_ADDRESS} ` +
      "(a manifest template): it would index nothing. Write the build for a deployment with " +
      "`npm run subgraph:manifest -- deployments/<network>.json` and pass --subgraph subgraph/build-<network>",
  );
}

// `redact`: hides --rpc's path, query and credentials (an API key) in everything printed, the indexer's messages included.
async function main(args: CliArgs, redact: Redactor): Promise<void> {
  const build = refuseTemplateBuild(args.subgraph);
  // Not Node's recursive mkdir, which never returns for a directory under /proc (--db /proc/x/y.sqlite): refused, naming it.
  try {
    makeWritableDirectory(path.dirname(path.resolve(args.db)));
  } catch (error) {
    if (!(error instanceof DirectoryRefusedError)) throw error;
    throw new IndexerError(`--db ${args.db}: its directory ${error.message}`, { cause: error });
  }
  const worker = new IndexerWorker({
    subgraph: args.subgraph,
    db: args.db,
    rpc: args.rpc,
    reorgThreshold: args.reorgThreshold,
    pollIntervalMs: args.pollMs,
    maxBlockRange: args.maxRange,
    maxRequestsPerSecond: args.rps,
    logLevel: args.logLevel,
    hangTimeoutMs: args.hangTimeoutMs,
    maxHeapMb: args.maxHeapMb,
    once: args.once,
    // A one-off run that lost its thread fails (exit code 1) for whoever started it to decide, rather than retry.
    ...(args.once ? { restart: false as const } : {}),
  });
  let lastPrint = 0;
  worker.on("log", (record) => printLog(record, redact));
  worker.on("progress", (p) => {
    if (args.quiet || Date.now() - lastPrint < 2000) return;
    lastPrint = Date.now();
    process.stdout.write(`${progressLine(p)}\n`);
  });
  worker.on("failed", (fatal) => {
    // A handler's error quotes what the mapping wrote, as its log lines do (printLog).
    process.stderr.write(redactUrlsIn(redact(`SUBGRAPH FAILED: ${fatal.message}\n`)));
  });
  // A thread that died or hung is restarted by the handle (and queries say `hasIndexingErrors` meanwhile); one it does
  // not restart would leave this process serving a frozen index, or waiting for nothing: exit non-zero instead, for a
  // supervisor to act on. What killed the thread may quote any text, and any URL in it (another node's, --rpc's with
  // other credentials, a --db path made of a URL): every URL is cut, not only --rpc's.
  worker.on("error", (error) => {
    process.stderr.write(redactUrlsIn(redact(`${new Date().toISOString()} ERROR indexer: ${error.message}\n`)));
    if (error instanceof IndexerWorkerDownError && error.restartInMs === null) void worker.stop().then(() => process.exit(1));
  });
  worker.on("restarted", (status) => {
    process.stderr.write(`${new Date().toISOString()} INFO indexer: the worker thread runs again, from block ${status.checkpoint?.number ?? "none"}\n`);
  });
  worker.on("done", (status) => {
    const cp = status.checkpoint!;
    process.stdout.write(redactUrlsIn(redact(`done: block ${cp.number} (${cp.hash})${status.failed ? `, FAILED: ${status.fatalError!.message}` : ""}\n`)));
    void worker.stop().then(() => process.exit(status.failed ? 1 : 0));
  });
  // Taken before anything is printed: whoever reads the first line may signal at once, and a signal without a
  // handler would end the process there and then, leaving the thread no chance to finish its block. A one-off run
  // stopped half-way keeps the default (the signal's exit status): it did not do what it was asked.
  let stopping = false;
  if (!args.once) {
    const shutdown = (): void => {
      stopping = true;
      void worker.stop().then(() => process.exit(0));
    };
    process.once("SIGINT", shutdown);
    process.once("SIGTERM", shutdown);
  }
  try {
    await worker.ready;
  } catch (error) {
    // Stopped by the signal while it started: shutdown() exits once the thread has ended.
    if (stopping && error instanceof StoppedError) return;
    throw error;
  }
  process.stdout.write(`indexing ${build.dir} from ${redactUrl(args.rpc)} into ${args.db} (deployment ${worker.status().deployment})\n`);
  if (args.port !== null) {
    let server: QueryServer;
    try {
      server = await worker.serve({ port: args.port, host: args.host, name: args.name });
    } catch (error) {
      // A signal came while the port was being bound (a --host name is looked up first): the handle closes what it
      // bound (serve() rejects with StoppedError), or the bind failed on its own; either way shutdown() exits 0 once
      // the thread has ended, as the signal asked.
      if (stopping) return;
      // Stopped as on a signal, so that the thread ends after its block and releases the database's lock in order.
      await worker.stop();
      throw new IndexerError(`cannot serve queries on ${args.host}:${args.port} (--host, --port): ${(error as Error).message}`, { cause: error });
    }
    process.stdout.write(`queries: POST ${server.queryUrl}\n`);
    process.stdout.write(`indexing status: POST ${server.statusUrl} (graph-node's index-node API: the gateway's --subgraph-status-url)\n`);
  }
}

let args: CliArgs;
try {
  args = parseArgs(process.argv.slice(2));
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  // A refusal repeats what was typed, which may be a URL in the wrong place (`--rps <url>`, or one without `--rpc`
  // before it: an unknown option), whose path may be the key.
  process.stderr.write(`${redactUrlsIn(error.message)}\n\n${USAGE}`);
  process.exit(2);
}
const redact = urlRedactor([{ url: args.rpc }]);
main(args, redact).catch((error: unknown) => {
  // The indexer's own errors (no build, RPC down, a database of another kind) say what is wrong: the stack is
  // only for what it did not foresee, and may hold any URL (redactUrlsIn), as written or as a library rewrote it.
  const foreseen = error instanceof IndexerError || (error as NodeJS.ErrnoException).code === "ERR_WORKER_OUT_OF_MEMORY";
  // Foreseen includes the worker's IndexerError for any error of the thread's start ("indexer worker: <message>"), which
  // may quote a value of the node's answer (a MalformedAnswerError's, cut already) or anything a library threw: every URL
  // is cut either way.
  const text = redactUrlsIn(redact(foreseen ? (error as Error).message : ((error as Error).stack ?? String(error))));
  process.stderr.write(`indexer: ${text}\n`);
  process.exit(1);
});
