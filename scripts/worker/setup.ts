// Turns a validated config into the worker's parts: operator key, contract addresses, GPU specs, executors and
// spec fetcher. Every failure here is the operator's to fix before the worker can run (exit status 2).

import { randomBytes } from "node:crypto";
import type { Stats } from "node:fs";
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { makeDirectory } from "../../subgraph/indexer/directories";
import { type CommandExecutorConfig, type ConfigFilePath, type ResultsConfig, type WorkerConfig, describeConfigFile } from "./config";
import type { NetworkConnections } from "./connections";
import type { WorkerOptions } from "./daemon";
import { ContractAddresses, ContractAddressesError, DeploymentFileError, resolveContractAddresses } from "./contracts";
import { ExecutorRegistry, buildExecutors } from "./executors/registry";
import { ResultStore, resultFile } from "./executors/results";
import { GpuMigModeError, GpuSpecs, GpuSpecsUnavailableError, resolveGpuSpecs } from "./gpu";
import type { Logger } from "./logger";
import { ChainMismatchError, ContractNotDeployedError, DeploymentMismatchError, OperatorNotAuthorizedError, ProviderNotRegisteredError, RpcEndpointError } from "./chain";
import { GatewayConnectionError, GatewayProtocolError, GatewayResponseError } from "./gateway-errors";
import { HttpStatusError } from "./retry";
import { OperatorKey, OperatorKeyError, loadOperatorKey, withoutOperatorKey } from "./operator-key";
import { SpecFetcher } from "./spec-fetch";

export interface WorkerParts {
  operator: OperatorKey;
  contracts: ContractAddresses;
  gpus: GpuSpecs;
  results: ResultStore;
  executors: ExecutorRegistry;
  specs: SpecFetcher;
}

/**
 * A directory the config names (config.results.dir, config.specs.fileRoot, config.executors.command.workDir) is
 * missing and cannot be created, is not a directory, or cannot be written (read, for specs.fileRoot). Named by its
 * field, its resolved path and, where relative, by what was written and what it was resolved against.
 */
export class ConfigDirError extends Error {
  readonly path: string;

  constructor(
    readonly field: string,
    what: string,
    dir: ConfigFilePath,
    readonly problem: string,
  ) {
    super(`${what} ${describeConfigFile(dir, field)} ${problem}`);
    this.name = "ConfigDirError";
    this.path = dir.path;
  }
}

/** The command executor's program cannot be run, or its work directory cannot be written. `field` names the setting. */
export class CommandExecutorSetupError extends Error {
  constructor(
    readonly field: string,
    readonly target: string,
    reason: string,
  ) {
    super(`${field}: ${target} ${reason}`);
    this.name = "CommandExecutorSetupError";
  }
}

/** A result file's URI would be longer than the escrow takes: every result too large to inline would be refused. */
export class ResultUriSetupError extends Error {
  constructor(
    readonly field: string,
    readonly uri: string,
    readonly maxUriBytes: number,
  ) {
    super(
      `${field} is too long: a result file would be named ${uri}, ${Buffer.byteLength(uri)} bytes, but ` +
        `config.results.maxUriBytes is ${maxUriBytes}`,
    );
    this.name = "ResultUriSetupError";
  }
}

/**
 * Whether `error` is a setup problem the operator must fix (as opposed to a bug or an outage): the worker would fail
 * the same way on every restart until the config, the key or the provider's registration changes (exit status 2, so
 * that a supervisor need not restart it). Found at start: the files and directories the config names, and, once the
 * RPC endpoint answers, what it says of the config: another chain, no contracts or two deployments at the configured
 * addresses, a provider not registered or an operator key it has not named, an endpoint that is no JSON-RPC node, or
 * an endpoint (the node's or the gateway's) answering an HTTP status that retrying cannot change (a 404, a 401, a
 * redirect), or a gateway that does not speak this worker's protocol (another version of its API refusing its queries,
 * answering in another shape, or closing the feed as a client it will not serve). An outage (retries given up) is not
 * one.
 */
export function isSetupError(error: unknown): boolean {
  if (
    error instanceof HttpStatusError ||
    error instanceof GatewayResponseError ||
    error instanceof GatewayProtocolError ||
    error instanceof GatewayConnectionError
  )
    return !error.transient;
  return (
    error instanceof OperatorKeyError ||
    error instanceof DeploymentFileError ||
    error instanceof ContractAddressesError ||
    error instanceof GpuSpecsUnavailableError ||
    error instanceof GpuMigModeError ||
    error instanceof ConfigDirError ||
    error instanceof CommandExecutorSetupError ||
    error instanceof ResultUriSetupError ||
    error instanceof DeploymentMismatchError ||
    error instanceof ChainMismatchError ||
    error instanceof ContractNotDeployedError ||
    error instanceof OperatorNotAuthorizedError ||
    error instanceof RpcEndpointError ||
    error instanceof ProviderNotRegisteredError
  );
}

export async function prepareWorkerParts(
  config: WorkerConfig,
  logger: Logger,
  env: NodeJS.ProcessEnv,
): Promise<WorkerParts> {
  const operator = loadOperatorKey(config.operatorKey, env);
  if (operator.looseFilePermissions) logger.warn(operator.looseFilePermissions);
  const contracts = resolveContractAddresses(config.contracts);
  const gpus = await resolveGpuSpecs(config.gpu, logger, withoutOperatorKey(env, config.operatorKey));
  await checkDir("config.results.dir", "results directory", { path: config.results.dir, written: config.results.dirWritten }, "write");
  if (config.specs.fileRoot !== undefined) {
    // Otherwise each file: spec would fail alone, after the job was found, as a document not there yet.
    await checkDir("config.specs.fileRoot", "spec file root", { path: config.specs.fileRoot, written: config.specs.fileRootWritten }, "read");
  }
  checkResultUriLength(config.results);
  await checkCommandExecutor(config.executors.command);
  warnOfUncheckedCommandRunTime(config, logger);
  const results = new ResultStore(config.results, { logger, retryDelayMs: config.retry.maxDelayMs });
  return {
    operator,
    contracts,
    gpus,
    results,
    executors: buildExecutors(config, results),
    specs: new SpecFetcher({
      maxBytes: config.specs.maxBytes,
      timeoutMs: config.specs.fetchTimeoutMs,
      fileRoot: config.specs.fileRoot,
      allowHttp: config.specs.allowHttp,
      allowHosts: config.specs.allowHosts,
    }),
  };
}

// A result is published after its job was accepted and run: a URI the escrow refuses then loses the job to a
// slashing timeout. Whether a result file's URI fits depends only on the config, so it is checked before any job.
function checkResultUriLength(results: ResultsConfig): void {
  const { resultURI } = resultFile(results, `0x${"0".repeat(64)}`);
  if (Buffer.byteLength(resultURI) <= results.maxUriBytes) return;
  const field = results.publicBaseUrl !== undefined ? "config.results.publicBaseUrl" : "config.results.dir";
  throw new ResultUriSetupError(field, resultURI, results.maxUriBytes);
}

// A command job is accepted (collateral locked) before its program runs: a program that cannot start would fail
// every such job after acceptance, each one ending in a slashing timeout. So it is refused here, before any job
// (and by worker:try before its run, so that a provider trying the program meets the error the worker would give).
export async function checkCommandExecutor(command: CommandExecutorConfig): Promise<void> {
  if (!command.enabled || command.program === undefined) return;
  const field = "config.executors.command";
  try {
    if (!(await fs.stat(command.program)).isFile()) throw new Error("it is not a regular file");
    await fs.access(command.program, fs.constants.X_OK);
  } catch (error) {
    throw new CommandExecutorSetupError(`${field}.program`, command.program, `cannot be run: ${(error as Error).message}`);
  }
  await checkDir(`${field}.workDir`, "job work directory", { path: command.workDir, written: command.workDirWritten }, "write");
}

/**
 * `write`: the worker's own directory, created (with its parents) when missing, and written in. `read`: one the worker
 * only reads, which must exist: made here it would be empty, and hide a path written wrong.
 */
async function checkDir(field: string, what: string, dir: ConfigFilePath, need: "read" | "write"): Promise<void> {
  const fail = (problem: string) => new ConfigDirError(field, what, dir, problem);
  let stats: Stats;
  try {
    stats = await fs.stat(dir.path);
  } catch (error) {
    // ENOTDIR: a parent is a file; mkdir says so.
    const missing = ["ENOENT", "ENOTDIR"].includes((error as NodeJS.ErrnoException).code ?? "");
    if (missing && need === "read") throw fail("does not exist");
    if (!missing) throw fail(`cannot be used: ${(error as Error).message}`);
    try {
      makeDirectory(dir.path);
      stats = await fs.stat(dir.path);
    } catch (mkdirError) {
      throw fail(`does not exist and cannot be created: ${(mkdirError as Error).message}`);
    }
  }
  if (!stats.isDirectory()) throw fail("is not a directory");
  try {
    await fs.access(dir.path, need === "write" ? fs.constants.W_OK | fs.constants.X_OK : fs.constants.R_OK | fs.constants.X_OK);
  } catch (error) {
    throw fail(`is not ${need === "write" ? "writable" : "readable"}: ${(error as Error).message}`);
  }
  if (need === "read") return;
  // access() asks the permission bits, which root passes: a read-only or root-squashed mount, or sysfs, refuses only the
  // write itself, and a worker let start would find out at its first result, once the job is accepted.
  const probe = path.join(dir.path, `.latent-write-check-${process.pid}-${randomBytes(4).toString("hex")}`);
  try {
    await fs.writeFile(probe, "", { flag: "wx" });
  } catch (error) {
    throw fail(`is not writable: ${(error as Error).message}`);
  }
  await fs.rm(probe, { force: true });
}

// Without expectedSeconds the worker cannot judge whether a command job's maxDuration is long enough: a warning, not a
// refusal to start, since a provider may knowingly run a program fast enough for any job, and the option is documented
// as optional; but once at start, so that an operator who merely forgot it learns what the worker will do.
function warnOfUncheckedCommandRunTime(config: WorkerConfig, logger: Logger): void {
  const { command } = config.executors;
  if (!command.enabled || command.expectedMs !== undefined || !config.policy.acceptedKinds.includes("command")) return;
  logger.warn(
    "command jobs are accepted without a run-time check: config.executors.command.expectedSeconds is not set, so a job " +
      "whose maxDuration is too short for the program is accepted, stopped at its maxDuration and slashed",
  );
}

/** The daemon's options: what the config says, wired to the prepared parts and the network's source and market. */
export function workerOptions(config: WorkerConfig, parts: WorkerParts, network: NetworkConnections, logger: Logger): WorkerOptions {
  return {
    provider: config.provider.address,
    gpus: parts.gpus,
    policy: config.policy,
    source: network.source,
    market: network.market,
    executors: parts.executors,
    specs: parts.specs,
    retry: config.retry,
    shutdownGraceMs: config.shutdown.graceMs,
    settlementPollMs: config.policy.settlementPollMs,
    results: parts.results,
    resultRetentionMs: config.results.retentionMs,
    escrow: network.escrow,
    logger,
  };
}
