// worker:try: runs one job spec as the worker would, with no chain and no gateway, so a provider can try its program
// before going live (and we can check the worker on a real GPU machine).
//
//   worker:try --config <file> --spec <file> [--gpus <n>] [--spec-hash <0x…>]
//
// The GPUs are detected and assigned as the daemon does (gpu.ts, gpu-pool.ts), the spec is read and checked as a
// fetched one is (size limit, keccak256, strict parse; against --spec-hash when given), and the executor is the one the
// config enables for the spec's kind, with the same limits and environment (executors/registry.ts). The result is
// published to a temporary results directory, removed afterwards: a file there is in no job, and would never be pruned.
// Prints one JSON object on stdout: the GPUs, the spec's hash, the result's hash, size, URI when inlined, text when it
// is short UTF-8, and the run time.
// Exit status: 0 after a successful run; 1 when the run cannot happen or fails (GPUs unknown or too few, a bad spec,
// no executor for it, the program failing); 2 for a usage or config error, or a command program that cannot be run or
// work directory that cannot be written, which the worker refuses at start too (setup.ts). SIGINT aborts the run (exit 1).

import * as fs from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { type Redactor, redactUrlsIn, redactUrlsInJson } from "../../subgraph/indexer/redact";
import { parseArgs, UsageError } from "./args";
import { ConfigError, WorkerConfig, configRedactor, loadConfig } from "./config";
import { NoExecutorError, buildExecutors } from "./executors/registry";
import { ResultStore } from "./executors/results";
import { ExecutionError } from "./executors/types";
import { GpuMigModeError, GpuSpecsUnavailableError, resolveGpuSpecs } from "./gpu";
import { GpuAssignmentError, GpuPool, offeredGpuIds, withAssignedGpus } from "./gpu-pool";
import { createLogger, jsonLineSink } from "./logger";
import { withoutOperatorKey } from "./operator-key";
import { ProcessError } from "./process-runner";
import { LoadedSpec, SpecError, SpecHashMismatchError, hashSpecBytes, parseJobSpec } from "./spec";
import { CommandExecutorSetupError, ConfigDirError, checkCommandExecutor } from "./setup";
import { SpecTooLargeError } from "./spec-fetch";

const USAGE = "Usage: worker:try --config <file> --spec <file> [--gpus <n>] [--spec-hash <0x…>]\n";

/** Result text longer than this is left out of the printout (its hash and size are still printed). */
export const TRY_RESULT_TEXT_MAX_BYTES = 64 * 1024;

/** The spec file cannot be read. */
export class SpecFileError extends SpecError {
  constructor(file: string, reason: string) {
    super(`cannot read the spec file ${file}: ${reason}`);
  }
}

interface TryOptions {
  config: WorkerConfig;
  specPath: string;
  gpus: number;
  specHash?: string;
}

function readOptions(argv: readonly string[]): TryOptions {
  const args = parseArgs(argv, [
    { name: "config", alias: "c", takesValue: true },
    { name: "spec", takesValue: true },
    { name: "gpus", takesValue: true },
    { name: "spec-hash", takesValue: true },
  ]);
  const configPath = args.get("config");
  const specPath = args.get("spec");
  if (typeof configPath !== "string") throw new UsageError("--config is required");
  if (typeof specPath !== "string") throw new UsageError("--spec is required");
  const gpusText = args.get("gpus") ?? "1";
  const gpus = Number(gpusText);
  if (typeof gpusText !== "string" || !/^[0-9]+$/.test(gpusText) || gpus < 1 || gpus > 65_535)
    throw new UsageError(`--gpus must be an integer between 1 and 65535, got "${String(gpusText)}"`);
  const specHash = args.get("spec-hash");
  if (specHash !== undefined && (typeof specHash !== "string" || !/^0x[0-9a-fA-F]{64}$/.test(specHash)))
    throw new UsageError(`--spec-hash must be 32 bytes of 0x-prefixed hex, got "${String(specHash)}"`);
  return { config: loadConfig(configPath), specPath: path.resolve(specPath), gpus, specHash: specHash?.toLowerCase() };
}

/** As SpecFetcher does for a fetched document: the size limit, the hash (when one is committed to), the strict parse. */
async function loadSpecFile(file: string, maxBytes: number, expectedHash: string | undefined): Promise<LoadedSpec> {
  const uri = pathToFileURL(file).href;
  let bytes: Uint8Array;
  try {
    const stat = await fs.stat(file);
    if (!stat.isFile()) throw new Error("it is not a regular file");
    if (stat.size > maxBytes) throw new SpecTooLargeError(uri, maxBytes);
    bytes = new Uint8Array(await fs.readFile(file));
  } catch (error) {
    if (error instanceof SpecError) throw error;
    throw new SpecFileError(file, (error as Error).message);
  }
  const hash = hashSpecBytes(bytes);
  if (expectedHash !== undefined && hash !== expectedHash) throw new SpecHashMismatchError(expectedHash, hash);
  return { uri, hash, bytes, spec: parseJobSpec(bytes) };
}

export async function runTryJob(
  argv: readonly string[],
  io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream; env: NodeJS.ProcessEnv; signal?: AbortSignal },
): Promise<number> {
  let options: TryOptions;
  try {
    options = readOptions(argv);
  } catch (error) {
    if (!(error instanceof UsageError || error instanceof ConfigError)) throw error;
    // No config, no Redactor: a URL a config error quotes may hold a key (as gpu-probe).
    io.stderr.write(redactUrlsIn(`worker:try: ${error.message}\n${error instanceof UsageError ? USAGE : ""}`));
    return 2;
  }
  const { config } = options;
  const configRedact = configRedactor(config);
  const redact: Redactor = (text) => redactUrlsIn(configRedact(text));
  const logger = createLogger(config.logLevel, jsonLineSink(io.stderr, (line) => redactUrlsInJson(configRedact(line))));
  // What the daemon's children get: never the operator key's variable (setup.ts).
  const env = withoutOperatorKey(io.env, config.operatorKey);
  const resultsDir = await fs.mkdtemp(path.join(os.tmpdir(), "latent-try-"));
  try {
    try {
      await checkCommandExecutor(config.executors.command);
    } catch (error) {
      if (!(error instanceof CommandExecutorSetupError) && !(error instanceof ConfigDirError)) throw error;
      io.stderr.write(redact(`worker:try: ${error.message}\n`));
      return 2;
    }
    const specs = await resolveGpuSpecs(config.gpu, logger, env);
    const gpus = new GpuPool(offeredGpuIds(specs)).acquire(options.gpus);
    logger.info("GPUs assigned", { gpus });
    const loaded = await loadSpecFile(options.specPath, config.specs.maxBytes, options.specHash);
    const executors = buildExecutors(config, new ResultStore({ ...config.results, dir: resultsDir }), undefined, env);
    // As for a job already accepted (daemon.ts resumeJob): the executor's own limits, no maxDuration to judge against.
    const refusal = executors.refusalReason(loaded.spec);
    if (refusal !== undefined) throw new ExecutionError(refusal);
    const result = await executors.forSpec(loaded.spec).run(loaded, io.signal ?? new AbortController().signal, gpus);
    const text = resultText(result.resultBytes);
    io.stdout.write(
      `${redact(
        JSON.stringify(
          {
            gpus,
            gpuSource: specs.source,
            spec: { path: options.specPath, hash: loaded.hash, kind: loaded.spec.kind },
            resultHash: result.resultHash,
            resultBytes: result.resultBytes.length,
            ...(result.resultURI.startsWith("data:") ? { resultURI: result.resultURI } : {}),
            ...(text === undefined ? {} : { result: text }),
            wallMs: result.metrics.wallMs,
            device: withAssignedGpus(result.metrics.device, gpus, specs),
          },
          null,
          2,
        ),
      )}\n`,
    );
    return 0;
  } catch (error) {
    if (
      !(
        error instanceof GpuSpecsUnavailableError ||
        error instanceof GpuMigModeError ||
        error instanceof GpuAssignmentError ||
        error instanceof SpecError ||
        error instanceof ExecutionError ||
        error instanceof ProcessError ||
        error instanceof NoExecutorError
      )
    )
      throw error;
    io.stderr.write(redact(`worker:try: ${error.message}\n`));
    return 1;
  } finally {
    await fs.rm(resultsDir, { recursive: true, force: true });
  }
}

function resultText(bytes: Uint8Array): string | undefined {
  if (bytes.length > TRY_RESULT_TEXT_MAX_BYTES) return undefined;
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

if (require.main === module) {
  const controller = new AbortController();
  process.once("SIGINT", () => controller.abort());
  runTryJob(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    signal: controller.signal,
  }).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(
        redactUrlsIn(`worker:try: unexpected failure: ${error instanceof Error ? error.message : String(error)}\n`),
      );
      process.exit(1);
    },
  );
}
