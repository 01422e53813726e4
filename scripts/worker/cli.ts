// latent-worker: the provider's GPU worker daemon.
//
//   latent-worker --config <file> [--check] [--log-level <level>]
//
// Exit status: 0 after a clean shutdown (SIGINT/SIGTERM) or a successful --check; 2 for what fails the same way on
// every restart until a person changes something: a usage, config or setup error, found before or while connecting
// (the message names what to fix, isSetupError); 1 for what a restart may get past: an endpoint that stays down, a
// failure while running, an unexpected failure. A supervisor restarts on 1, not on 2.

import { keccak256 } from "ethers";
import { parseArgs, UsageError } from "./args";
import { type Redactor, redactUrlsIn, redactUrlsInJson } from "../../subgraph/indexer/redact";
import { ConfigError, WorkerConfig, configRedactor, configRoutes, loadConfig } from "./config";
import { type ChainCheck, ConnectNetwork, NetworkConnections, checkChain, connectNetwork } from "./connections";
import { Worker } from "./daemon";
import { ProviderInUseError, claimProvider } from "./provider-claim";
import { computeMatmulInThread } from "./executors/matmul";
import { briefError } from "./retry";
import { LOG_LEVELS, LogLevel, Logger, createLogger, jsonLineSink } from "./logger";
import { SignalSource, Stoppable, handleShutdownSignals } from "./signals";
import { WorkerParts, isSetupError, prepareWorkerParts, workerOptions } from "./setup";

export const USAGE = `Usage: latent-worker --config <file> [--check] [--log-level <level>]

  -c, --config <file>    the worker's config file (JSON with comments; see scripts/worker/worker.example.json)
      --check            validate the config, key, contracts and GPUs, check them against the chain when it
                         answers, run a matmul self-test, print a JSON summary and exit
      --log-level <lvl>  override config.logLevel: ${LOG_LEVELS.join(", ")}
  -h, --help             show this help
`;

export type CheckChain = typeof checkChain;

export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
  signals: SignalSource;
}

interface WorkerCliOptions {
  configPath: string;
  check: boolean;
  logLevel?: LogLevel;
}

function parseWorkerArgs(argv: readonly string[]): WorkerCliOptions | "help" {
  const args = parseArgs(argv, [
    { name: "config", alias: "c", takesValue: true },
    { name: "check", takesValue: false },
    { name: "log-level", takesValue: true },
    { name: "help", alias: "h", takesValue: false },
  ]);
  if (args.has("help")) return "help";
  const configPath = args.get("config");
  if (typeof configPath !== "string") throw new UsageError("--config <file> is required");
  const level = args.get("log-level");
  if (level !== undefined && !LOG_LEVELS.some((candidate) => candidate === level)) {
    throw new UsageError(`--log-level must be one of: ${LOG_LEVELS.join(", ")}`);
  }
  return { configPath, check: args.has("check"), logLevel: level as LogLevel | undefined };
}

function jsonText(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) => (typeof item === "bigint" ? item.toString() : item), 2);
}

const SELF_TEST_N = 64;

/** What --check says of the chain: what it found, or why it could not ask (the rest of the check stands). */
type NetworkSummary = ({ checked: true } & ChainCheck) | { checked: false; reason: string };

async function check(
  config: WorkerConfig,
  parts: WorkerParts,
  io: CliIo,
  logger: Logger,
  redact: Redactor,
  checkNetwork: CheckChain,
): Promise<number> {
  let network: NetworkSummary;
  try {
    network = { checked: true, ...(await checkNetwork(config, parts.operator.wallet, parts.contracts)) };
  } catch (error) {
    // What the chain says of the config fails the check as it would fail the start; a chain that cannot be asked
    // leaves the offline checks standing (a config checked where the node cannot be reached, in a build), and says so.
    if (isSetupError(error)) {
      io.stderr.write(redact(`latent-worker: ${briefError(error)}\n`));
      return 2;
    }
    const reason = briefError(error);
    logger.warn("--check could not ask the chain: the chain id, the contracts and the provider are not checked", { error: reason });
    network = { checked: false, reason };
  }
  const started = performance.now();
  const { hash } = await computeMatmulInThread({
    n: SELF_TEST_N,
    seed: keccak256(Buffer.from("latent worker self-test")),
    rounds: 1,
  });
  io.stdout.write(
    `${redact(jsonText({
      ok: true,
      provider: config.provider.address,
      operator: parts.operator.wallet.address,
      chain: config.chain,
      network,
      gateway: config.gateway,
      contracts: parts.contracts,
      gpus: parts.gpus,
      executors: parts.executors.kinds(),
      policy: config.policy,
      results: config.results,
      selfTest: { kind: "matmul", n: SELF_TEST_N, resultHash: hash, wallMs: Math.round(performance.now() - started) },
    }))}\n`,
  );
  return 0;
}

async function runDaemon(
  config: WorkerConfig,
  parts: WorkerParts,
  logger: Logger,
  io: CliIo,
  connect: ConnectNetwork,
  redact: Redactor,
): Promise<number> {
  // Connecting may put the provider online, and takes a while when the node is slow (retries, a receipt): a signal
  // meanwhile, left to Node, would end the process there and leave the provider online with no worker. It ends the
  // start-up instead, and a network connected all the same is closed at once, which puts the provider offline again.
  // The handlers stay until the network is closed: npm's forwarded copy of a Ctrl-C, or a second signal, that came
  // while going offline would otherwise end the process with the provider still online.
  // Before connecting, which puts the provider online: a second worker of it would run the first one's jobs again.
  let releaseClaim: () => void;
  try {
    releaseClaim = claimProvider(config.results.dir, config.provider.address, parts.contracts.jobEscrow);
  } catch (error) {
    if (!(error instanceof ProviderInUseError)) throw error;
    io.stderr.write(redact(`latent-worker: ${error.message}\n`));
    return 2;
  }
  const startup = new AbortController();
  let target: Stoppable = { stop: async () => startup.abort(), abortNow: () => startup.abort() };
  const removeHandlers = handleShutdownSignals(
    io.signals,
    { stop: () => target.stop(), abortNow: () => target.abortNow() },
    logger,
  );
  try {
    let network: NetworkConnections;
    try {
      network = await connect({ config, operator: parts.operator.wallet, contracts: parts.contracts, logger, signal: startup.signal });
    } catch (error) {
      if (startup.signal.aborted) {
        logger.info("worker stopped before it connected");
        return 0;
      }
      // Another chain, contracts not there or of two deployments, a key the provider has not named: restarting the
      // worker cannot fix these, the config (or the registration) must change.
      if (isSetupError(error)) {
        io.stderr.write(redact(`latent-worker: ${briefError(error)}\n`));
        return 2;
      }
      io.stderr.write(redact(`latent-worker: cannot connect: ${briefError(error)}\n`));
      return 1;
    }
    if (startup.signal.aborted) {
      await network.close();
      logger.info("worker stopped before it started");
      return 0;
    }
    const worker = new Worker(workerOptions(config, parts, network, logger));
    target = worker;
    try {
      await worker.run();
      logger.info("worker stopped");
      return 0;
    } catch (error) {
      io.stderr.write(redact(`latent-worker: ${briefError(error)}\n`));
      // At start, an unregistered provider or a gateway URL answering 404: the config's, as at connect.
      return isSetupError(error) ? 2 : 1;
    } finally {
      // A signal now (after a failure, or a second one after the first: npm's copy within a second is still the same
      // request) means the operator will not wait for a chain that does not answer: going offline is cut short.
      const offline = new AbortController();
      const giveUp = (): void => {
        if (offline.signal.aborted) return;
        logger.warn("signal received: no longer waiting to put the provider offline");
        offline.abort();
      };
      target = { stop: async () => giveUp(), abortNow: giveUp };
      await network.close(offline.signal);
    }
  } finally {
    removeHandlers();
    releaseClaim();
  }
}

/** The whole CLI, with its surroundings passed in; resolves to the exit status. */
export async function runWorkerCli(
  argv: readonly string[],
  io: CliIo,
  connect: ConnectNetwork = connectNetwork,
  checkNetwork: CheckChain = checkChain,
): Promise<number> {
  let options: WorkerCliOptions | "help";
  try {
    options = parseWorkerArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    // An unexpected argument is quoted as given: an RPC URL pasted onto the command line may hold a key.
    io.stderr.write(redactUrlsIn(`latent-worker: ${error.message}\n\n${USAGE}`));
    return 2;
  }
  if (options === "help") {
    io.stdout.write(USAGE);
    return 0;
  }
  let config: WorkerConfig;
  try {
    config = loadConfig(options.configPath);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    // No config, no Redactor: a URL named in the message (a bad field's value, a JSON snippet) may hold a key.
    io.stderr.write(redactUrlsIn(`latent-worker: ${error.message}\n`));
    return 2;
  }
  const redact = configRedactor(config);
  // After the config's Redactor, every other URL is cut to scheme and host but the config's routes: a setup error or
  // warning quotes what was written in the field it names (an RPC URL pasted into config.gpu.nvidiaSmiPath), and a
  // running worker's errors quote whatever a node, a spec host or a library wrote (another endpoint's URL with its key).
  const isRoute = configRoutes(config);
  const redactText: Redactor = (text) => redactUrlsIn(redact(text), isRoute);
  const level = options.logLevel ?? config.logLevel;
  const logger = createLogger(level, jsonLineSink(io.stderr, (line) => redactUrlsInJson(redact(line), isRoute)));
  let parts: WorkerParts;
  try {
    parts = await prepareWorkerParts(config, logger, io.env);
  } catch (error) {
    if (!isSetupError(error)) throw error;
    io.stderr.write(redactText(`latent-worker: ${(error as Error).message}\n`));
    return 2;
  }
  return options.check ? check(config, parts, io, logger, redactText, checkNetwork) : runDaemon(config, parts, logger, io, connect, redactText);
}

/**
 * What the CLI prints for a failure it did not expect: the stack trace, with every URL in it redacted (redactUrlsIn),
 * since ethers and fetch name the URL they called in their messages.
 */
export function unexpectedFailureMessage(error: unknown): string {
  let text = error instanceof Error ? (error.stack ?? error.message) : String(error);
  // The stack begins with the message: an ethers error's spells out a signed transaction, given here by its brief form.
  if (error instanceof Error) {
    const head = `${error.name}: ${error.message}`;
    if (text.startsWith(head)) text = `${error.name}: ${briefError(error)}${text.slice(head.length)}`;
  }
  return redactUrlsIn(`latent-worker: unexpected failure: ${text}\n`);
}

/** Run the CLI on this process: its arguments, streams, environment and signals. */
export function main(): void {
  // A failure no promise of the CLI carries (a throw in a timer, an 'error' event nobody listens for, a rejection nobody
  // awaits) would be printed by Node as it is, URLs and all: it ends the process the same way, but redacted.
  const crash = (error: unknown): void => {
    process.stderr.write(unexpectedFailureMessage(error));
    process.exit(1);
  };
  process.on("uncaughtException", crash);
  process.on("unhandledRejection", crash);
  runWorkerCli(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    signals: process,
  }).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(unexpectedFailureMessage(error));
      process.exit(1);
    },
  );
}

if (require.main === module) main();
