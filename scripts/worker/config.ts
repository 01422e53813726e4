// The worker's config file: JSON with comments (see worker.example.json). Every field is validated up front and
// a bad one is rejected with its full path, what it must be and what was found; relative paths in the file are
// resolved against the file's own directory, so a config means the same thing whatever the current directory.

import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { getAddress } from "ethers";
import { JOB_LIMITS } from "../../contracts/jobs/job-limits";
import { GPU_MODEL_ID_BYTES, PROVIDER_TIERS, ProviderTier, REGION_ID_BYTES, SHORT_ID_PATTERN } from "./ids";
import { fetchRefusedPort } from "./fetch-ports";
import { JsonSyntaxError, parseJsonText } from "./jsonc";
import { LOG_LEVELS, LogLevel } from "./logger";
import { holdsUrl, type Redactor, urlRedactor } from "../../subgraph/indexer/redact";
import { DEFAULT_RETRY_POLICY, RetryPolicy } from "./retry";
import { DEFAULT_RUN_TIME_MARGIN, RunTimeMargin } from "./executors/run-time";
import { JOB_SPEC_KINDS, JobSpecKind, MATMUL_MAX_N, SPEC_MAX_BYTES_CEILING } from "./spec";
import { checkUrlForm, UrlFormError } from "../../subgraph/indexer/url-form";
import { FieldError, FieldReader, StringRules } from "./validate";

/**
 * A file the config names: `path` resolved against the config file's directory. Where the config wrote it relative,
 * `written` holds the value as written and `configDir` that directory, so that an error for a file not found shows
 * all three: a config copied to another directory keeps its relative paths, which then point elsewhere.
 */
export interface ConfigFilePath {
  path: string;
  /** `defaulted`: the field was not set, and `value` is its default. */
  written?: { value: string; configDir: string; defaulted?: boolean };
}

export type OperatorKeySource = { kind: "env"; variable: string } | ({ kind: "file" } & ConfigFilePath);

export type ContractsSource =
  ({ kind: "deploymentFile" } & ConfigFilePath) | { kind: "addresses"; jobEscrow: string; providerRegistry: string };

/** How an error names a file from the config: its resolved path and field, and for a relative one what was written. */
export function describeConfigFile(file: ConfigFilePath, field: string): string {
  if (file.written === undefined) return `${file.path} (${field})`;
  if (file.written.defaulted) {
    return (
      `${file.path} (${field} is not set: its default ${JSON.stringify(file.written.value)} is resolved against the ` +
      `config file's directory ${file.written.configDir}, not the current directory)`
    );
  }
  return (
    `${file.path} (${field} is ${JSON.stringify(file.written.value)}, a relative path, resolved against the config ` +
    `file's directory ${file.written.configDir}, not the current directory)`
  );
}

/** What the operator says about the machine; each given field wins over nvidia-smi. */
export interface GpuConfig {
  /** Run nvidia-smi at start-up (false: the fields below are the whole truth). */
  detect: boolean;
  nvidiaSmiPath: string;
  detectTimeoutMs: number;
  model?: string;
  displayName?: string;
  vramGiB?: number;
  gpuCount?: number;
  region?: string;
  tier?: ProviderTier;
}

export interface PolicyConfig {
  maxConcurrentJobs: number;
  /** Token units (wei of LAT) per GPU-hour; jobs offering less are skipped. */
  minPricePerGpuHour: bigint;
  maxDurationSeconds: number;
  acceptedKinds: JobSpecKind[];
  /** Call `settle` on our own jobs once their challenge window has passed. */
  autoSettle: boolean;
  /** Longest wait between two looks at the chain's time while a challenge window runs. */
  settlementPollMs: number;
  /** `declineJob` a job directed at us that we will not run, so the client's funds come back before it expires. */
  declineDirectedJobs: boolean;
}

export interface SpecsConfig {
  maxBytes: number;
  fetchTimeoutMs: number;
  fileRoot?: string;
  /** How fileRoot was written, where relative (for setup errors). */
  fileRootWritten?: ConfigFilePath["written"];
  allowHttp: boolean;
  /** Hosts fetched from although they are or resolve to loopback, private or link-local addresses (lowercase). */
  allowHosts: string[];
}

export interface MatmulExecutorConfig {
  enabled: boolean;
  maxN: number;
  /** This machine's speed at the built-in kernel (one thread per job), from which a job's run time is estimated. */
  multiplyAddsPerSecond: number;
  margin: RunTimeMargin;
}

export interface CommandExecutorConfig {
  enabled: boolean;
  /** Absolute path of the provider's program; jobs can never name another. Set when enabled. */
  program?: string;
  args: string[];
  timeoutMs: number;
  /** The longest the program takes for any job, when the provider says; a job allowing less is refused. */
  expectedMs?: number;
  margin: RunTimeMargin;
  maxOutputBytes: number;
  /** Parent of the per-job temporary working directories. */
  workDir: string;
  /** How workDir was written, where relative (for setup errors). */
  workDirWritten?: ConfigFilePath["written"];
  /** Names of the worker's environment variables the program may see; all others are withheld. */
  envAllowList: string[];
}

export interface ResultsConfig {
  dir: string;
  /** How dir was written, where relative or defaulted (for setup errors). */
  dirWritten?: ConfigFilePath["written"];
  /** Longest resultURI the escrow accepts (its MAX_URI_LENGTH). */
  maxUriBytes: number;
  /** Where `dir` is served from, if it is; result files are then published as `<publicBaseUrl>/<file>`. */
  publicBaseUrl?: string;
  /** How long a result file is kept once all its jobs are over on-chain; 0: for ever. */
  retentionMs: number;
}

export interface WorkerConfig {
  /** Absolute path of the file this came from. */
  configPath: string;
  /**
   * `receiptTimeoutMs`: how long a sent transaction may go unmined (replacements included) before the write fails;
   * `replaceAfterMs`: a transaction not mined this long after it was sent is replaced with higher fees (0: never);
   * `maxFeePerGas`: the most a replacement pays per gas, wei.
   */
  chain: { rpcUrl: string; chainId?: number; receiptTimeoutMs: number; replaceAfterMs: number; maxFeePerGas: bigint };
  /** `resyncMs`: how often openJobs is read again while following the feed. */
  gateway: { httpUrl: string; wsUrl: string; resyncMs: number };
  /** The provider (owner) address the worker works for; checksummed. */
  provider: {
    address: string;
    /** Put the provider online (`ProviderRegistry.setOnline`, by the operator) when the worker starts. */
    onlineAtStart: boolean;
    /** Put it offline again when the worker stops. */
    offlineAtShutdown: boolean;
  };
  operatorKey: OperatorKeySource;
  contracts: ContractsSource;
  gpu: GpuConfig;
  policy: PolicyConfig;
  specs: SpecsConfig;
  executors: { matmul: MatmulExecutorConfig; command: CommandExecutorConfig };
  results: ResultsConfig;
  retry: RetryPolicy;
  shutdown: { graceMs: number };
  logLevel: LogLevel;
}

/** The config file is missing, unreadable, not JSON, or has a bad field (`field` names it). */
export class ConfigError extends Error {
  constructor(
    /** e.g. `config.executors.command.timeoutSeconds`, or `config` for the file as a whole. */
    readonly field: string,
    message: string,
    /** The FieldError found in the document, where one was (its class and data say what is wrong). */
    options?: { cause: FieldError },
  ) {
    super(message, options);
    this.name = "ConfigError";
  }
}

const UINT96_MAX = (1n << 96n) - 1n;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const ONE_DAY_SECONDS = 86_400;
/**
 * A scheme and `//`: a URL where a path belongs (an RPC endpoint pasted into the wrong field); or two slashes or
 * backslashes, as a URL pasted from Windows has them (`s3:\\bucket\<key>`), after a scheme longer than a drive letter.
 */
const URL_LIKE = /^(?:[a-z][a-z0-9+.-]*:\/\/|[a-z][a-z0-9+.-]+:[/\\]{2})/i;
/** A private key as a key file holds it; a path is refused when it is one, not when a file name merely contains 64 digits. */
const KEY_LIKE = /^\s*(0x)?[0-9a-f]{64}\s*$/i;
/** 500 gwei: far above what a block usually takes, low enough that a runaway bump cannot drain the operator key. */
const DEFAULT_MAX_FEE_PER_GAS = 500_000_000_000n;

/**
 * A URL where a path belongs: any scheme with `//` (or `\\`), or an http(s) or ws(s) URL anywhere in it with one slash
 * or backslash as well (holdsUrl), such as `https:/host/v2/<key>`, or the path a URL was already resolved into,
 * `/cwd/https:/host/v2/<key>` or `C:\work\https:\host\v2\<key>`.
 */
function isUrlLike(value: string): boolean {
  return URL_LIKE.test(value) || holdsUrl(value);
}

export function loadConfig(file: string): WorkerConfig {
  // Resolved as a path, a URL would be quoted in the error below as /cwd/https:/host/<key>: with another scheme than
  // http(s) and ws(s), no redaction would know it for a URL.
  if (isUrlLike(file)) throw new ConfigError("config", "the config file must be given as a file path, not a URL");
  const configPath = path.resolve(file);
  let text: string;
  try {
    text = fs.readFileSync(configPath, "utf8");
  } catch (error) {
    throw new ConfigError("config", `cannot read config file ${configPath}: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = parseJsonText(text, { comments: true });
  } catch (error) {
    if (error instanceof JsonSyntaxError) throw new ConfigError("config", `config file ${configPath} is ${error.message}`);
    throw error;
  }
  return parseConfig(json, configPath);
}

/** Validate an already parsed config; `configPath` anchors its relative paths. */
export function parseConfig(json: unknown, configPath: string): WorkerConfig {
  try {
    return readConfig(json, path.resolve(configPath));
  } catch (error) {
    if (error instanceof FieldError) {
      const shown = withoutKeys(error);
      throw new ConfigError(shown.path, shown.message, { cause: shown });
    }
    throw error;
  }
}

/** 64 hex digits in a row: what a private key is, wherever in a value or a key name it was pasted. */
const KEY_DIGITS = /(?:0x)?[0-9a-f]{64}/gi;

/**
 * A FieldError quotes the value it found, and its path names the keys it went through: a private key pasted into
 * another field (provider.address, the provider's "key") or written as a key name would be printed in full. Such a
 * value is described instead, and such a name cut out.
 */
function withoutKeys(error: FieldError): FieldError {
  const hidden = "<64 hex digits, not shown: a private key?>";
  // The whole value, not its abbreviation: cut at 80 characters, a key's first digits would still be shown.
  const gotKey = error.got !== undefined && new RegExp(KEY_DIGITS.source, "i").test(fullText(error.got));
  const fieldPath = error.path.replace(KEY_DIGITS, hidden);
  if (!gotKey && fieldPath === error.path) return error;
  const problem = gotKey ? `${error.problem}, got a value holding 64 hex digits (not shown: never put the key itself in the config)` : error.problem;
  return new FieldError(fieldPath, problem.replace(KEY_DIGITS, hidden));
}

function fullText(value: unknown): string {
  try {
    return JSON.stringify(value, (_key, item: unknown) => (typeof item === "bigint" ? item.toString() : item)) ?? String(value);
  } catch {
    return String(value);
  }
}

function readConfig(json: unknown, configPath: string): WorkerConfig {
  const baseDir = path.dirname(configPath);
  const root = FieldReader.of(json, "config", [
    "chain",
    "gateway",
    "provider",
    "operatorKey",
    "contracts",
    "gpu",
    "policy",
    "specs",
    "executors",
    "results",
    "retry",
    "shutdown",
    "logLevel",
  ]);

  const chain = root.object("chain", ["rpcUrl", "chainId", "receiptTimeoutSeconds", "replaceAfterSeconds", "maxFeePerGas"]);
  const gateway = root.object("gateway", ["httpUrl", "wsUrl", "resyncSeconds"]);
  const provider = root.object("provider", ["address", "onlineAtStart", "offlineAtShutdown"]);
  const executors = readExecutors(root.optionalObject("executors", ["builtin", "command", "runTimeMargin"]), baseDir);
  const operatorKey = readOperatorKey(root, baseDir);
  refuseKeyForJobs(operatorKey, executors.command);

  return {
    configPath,
    chain: {
      // Requests only: the worker polls for what it waits on, so it needs no WebSocket RPC (whose dropped
      // connection ethers would not re-establish).
      rpcUrl: readFetchedUrl(chain, "rpcUrl", "the node"),
      chainId: chain.has("chainId") ? chain.integer("chainId", 1, Number.MAX_SAFE_INTEGER) : undefined,
      ...readReceiptWait(chain),
      maxFeePerGas: readFeeCap(chain, "maxFeePerGas"),
    },
    gateway: {
      httpUrl: readFetchedUrl(gateway, "httpUrl", "the gateway"),
      wsUrl: readUrl(gateway, "wsUrl", ["ws", "wss"]),
      resyncMs: gateway.optionalInteger("resyncSeconds", 5, 3600, 60) * 1000,
    },
    provider: {
      address: readAddress(provider, "address"),
      onlineAtStart: provider.boolean("onlineAtStart", true),
      offlineAtShutdown: provider.boolean("offlineAtShutdown", true),
    },
    operatorKey,
    contracts: readContracts(root.object("contracts", ["deploymentFile", "jobEscrow", "providerRegistry"]), baseDir),
    gpu: readGpu(root.optionalObject("gpu", GPU_KEYS)),
    policy: readPolicy(root.optionalObject("policy", POLICY_KEYS), executors),
    specs: readSpecs(
      root.optionalObject("specs", ["maxBytes", "fetchTimeoutSeconds", "fileRoot", "allowHttp", "allowHosts"]),
      baseDir,
    ),
    executors,
    results: readResults(root.optionalObject("results", ["dir", "maxUriBytes", "publicBaseUrl", "retentionDays"]), baseDir),
    retry: readRetry(
      root.optionalObject("retry", ["maxAttempts", "initialDelayMs", "maxDelayMs", "multiplier", "jitter"]),
    ),
    shutdown: {
      graceMs:
        (root.optionalObject("shutdown", ["graceSeconds"])?.optionalInteger("graceSeconds", 0, 3600, 30) ?? 30) * 1000,
    },
    logLevel: root.oneOf("logLevel", LOG_LEVELS, "info"),
  };
}

/** `schemes`: lowercase, without the colon (`["http", "https"]`). */
function readUrl(reader: FieldReader, key: string, schemes: readonly string[]): string {
  const value = reader.string(key, { maxBytes: 2048 });
  // Refused without being shown (url-form.ts): an endpoint written without its scheme keeps its key in its path, where
  // redactUrl cannot tell it from a route, and what URL takes for its scheme may be a user name.
  try {
    checkUrlForm(value, schemes);
  } catch (error) {
    if (error instanceof UrlFormError) throw new FieldError(reader.fieldPath(key), error.message);
    throw error;
  }
  return value;
}

/**
 * An http(s) URL the worker calls with fetch (the chain id, the gateway's queries). One on a port fetch refuses would
 * fail every call as `fetch failed: bad port`, a network error like an outage's, which no restart gets past.
 */
function readFetchedUrl(reader: FieldReader, key: string, server: string): string {
  const value = readUrl(reader, key, ["http", "https"]);
  const url = new URL(value);
  const port = fetchRefusedPort(url);
  if (port !== undefined) {
    // Named by its origin alone: the path and query may hold a key, the credentials are secret.
    throw new FieldError(
      reader.fieldPath(key),
      `names port ${port} (${url.protocol}//${url.host}), one that Node's fetch never connects to (a "bad port" of the ` +
        `Fetch standard), so the worker could never reach ${server} there: serve ${server} on another port and set ` +
        `${reader.fieldPath(key).replace(/^config\./, "")} to it`,
    );
  }
  return value;
}

function readAddress(reader: FieldReader, key: string): string {
  const value = reader.string(key, {
    pattern: /^0x[0-9a-fA-F]{40}$/,
    patternDescription: "a 0x-prefixed 20-byte address",
  });
  try {
    return getAddress(value);
  } catch {
    throw new FieldError(
      reader.fieldPath(key),
      "has a bad EIP-55 checksum (check its mixed case, or write it in lowercase)",
      value,
    );
  }
}

// A URL is refused without being shown: resolved, it would become <dir>/https:/host/<key>, which setup errors quote and
// that, with another scheme than http(s) and ws(s), no redaction recognises as a URL.
function resolvePath(reader: FieldReader, key: string, baseDir: string): string {
  const value = reader.string(key, { maxBytes: 4096 });
  if (isUrlLike(value)) throw new FieldError(reader.fieldPath(key), "must be a file path, not a URL");
  return path.resolve(baseDir, value);
}

function resolveFilePath(reader: FieldReader, key: string, baseDir: string): ConfigFilePath {
  const resolved = resolvePath(reader, key, baseDir);
  const value = reader.string(key, { maxBytes: 4096 });
  return path.isAbsolute(value) ? { path: resolved } : { path: resolved, written: { value, configDir: baseDir } };
}

// A job program is the client's code: a variable it is given is the client's to read, and this one would hand them
// the key that accepts and submits for the provider. Named by the variable, never by its value.
function refuseKeyForJobs(operatorKey: OperatorKeySource, command: CommandExecutorConfig): void {
  if (operatorKey.kind !== "env") return;
  const index = command.envAllowList.indexOf(operatorKey.variable);
  if (index === -1) return;
  throw new FieldError(
    `config.executors.command.envAllowList[${index}]`,
    `names ${operatorKey.variable}, the operator key's variable (config.operatorKey.env): job programs run the client's code and must never see the key`,
  );
}

// The key itself must never be echoed into an error message or a log, so nothing here reports the value found.
function readOperatorKey(root: FieldReader, baseDir: string): OperatorKeySource {
  const fieldPath = root.fieldPath("operatorKey");
  if (!root.has("operatorKey"))
    throw new FieldError(fieldPath, 'is required: {"env": "VARIABLE"} or {"file": "/path/to/key"}');
  const raw = root.raw("operatorKey");
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new FieldError(
      fieldPath,
      'must be {"env": "VARIABLE"} or {"file": "/path/to/key"}; never put the key itself in the config',
    );
  }
  const source = root.object("operatorKey", ["env", "file"]);
  if (source.has("env") === source.has("file")) {
    throw new FieldError(fieldPath, 'must have exactly one of "env" or "file"');
  }
  if (source.has("env")) {
    try {
      return {
        kind: "env",
        variable: source.string("env", { pattern: ENV_NAME, patternDescription: "an environment variable name" }),
      };
    } catch (error) {
      // What is found here may be the key itself, written where its variable's name belongs.
      if (error instanceof FieldError) {
        throw new FieldError(error.path, `${error.problem}; never put the key itself in the config`);
      }
      throw error;
    }
  }
  // A key written where its file's path belongs would be quoted, resolved, in the error for a file that cannot be read.
  const file = source.raw("file");
  if (typeof file === "string" && KEY_LIKE.test(file)) {
    throw new FieldError(
      source.fieldPath("file"),
      "looks like a private key, not a file path: put the key in a file and name that file; " +
        "never put the key itself in the config",
    );
  }
  return { kind: "file", ...resolveFilePath(source, "file", baseDir) };
}

function readContracts(contracts: FieldReader, baseDir: string): ContractsSource {
  const hasFile = contracts.has("deploymentFile");
  const hasAddresses = contracts.has("jobEscrow") || contracts.has("providerRegistry");
  if (hasFile === hasAddresses) {
    throw new FieldError(
      contracts.path,
      'must have either "deploymentFile" or both "jobEscrow" and "providerRegistry"',
    );
  }
  if (hasFile) return { kind: "deploymentFile", ...resolveFilePath(contracts, "deploymentFile", baseDir) };
  return {
    kind: "addresses",
    jobEscrow: readAddress(contracts, "jobEscrow"),
    providerRegistry: readAddress(contracts, "providerRegistry"),
  };
}

const GPU_KEYS = [
  "detect",
  "nvidiaSmiPath",
  "detectTimeoutSeconds",
  "model",
  "displayName",
  "vramGiB",
  "gpuCount",
  "region",
  "tier",
];

function shortIdRules(maxBytes: number): StringRules {
  return {
    maxBytes,
    pattern: SHORT_ID_PATTERN,
    patternDescription: `lowercase [a-z0-9-], at most ${maxBytes} characters`,
  };
}

function readGpu(gpu: FieldReader | undefined): GpuConfig {
  return {
    detect: gpu?.boolean("detect", true) ?? true,
    nvidiaSmiPath: gpu?.optionalString("nvidiaSmiPath", { maxBytes: 4096 }) ?? "nvidia-smi",
    detectTimeoutMs: (gpu?.optionalInteger("detectTimeoutSeconds", 1, 300, 10) ?? 10) * 1000,
    model: gpu?.optionalString("model", shortIdRules(GPU_MODEL_ID_BYTES)),
    displayName: gpu?.optionalString("displayName", { maxBytes: 64 }),
    vramGiB: gpu?.has("vramGiB") ? gpu.integer("vramGiB", 1, 65_535) : undefined,
    gpuCount: gpu?.has("gpuCount") ? gpu.integer("gpuCount", 1, 65_535) : undefined,
    region: gpu?.optionalString("region", shortIdRules(REGION_ID_BYTES)),
    tier: gpu?.has("tier") ? gpu.oneOf("tier", PROVIDER_TIERS) : undefined,
  };
}

const POLICY_KEYS = [
  "maxConcurrentJobs",
  "minPricePerGpuHour",
  "maxDurationSeconds",
  "acceptedKinds",
  "autoSettle",
  "settlementPollSeconds",
  "declineDirectedJobs",
];

function readPolicy(policy: FieldReader | undefined, executors: WorkerConfig["executors"]): PolicyConfig {
  const enabledKinds = JOB_SPEC_KINDS.filter((kind) => executors[kind].enabled);
  let acceptedKinds: JobSpecKind[] = enabledKinds;
  if (policy?.has("acceptedKinds")) {
    const kindsPath = policy.fieldPath("acceptedKinds");
    const listed = policy.stringArray("acceptedKinds", JOB_SPEC_KINDS.length, {}, []);
    if (listed.length === 0) throw new FieldError(kindsPath, "must list at least one kind of job", listed);
    acceptedKinds = listed.map((kind, index) => {
      const known = JOB_SPEC_KINDS.find((candidate) => candidate === kind);
      if (!known) throw new FieldError(`${kindsPath}[${index}]`, `must be one of: ${JOB_SPEC_KINDS.join(", ")}`, kind);
      if (!executors[known].enabled) {
        throw new FieldError(
          `${kindsPath}[${index}]`,
          `names the ${known} executor, which is not enabled in config.executors`,
          kind,
        );
      }
      return known;
    });
  }
  return {
    maxConcurrentJobs: policy?.optionalInteger("maxConcurrentJobs", 1, 1024, 1) ?? 1,
    minPricePerGpuHour: readTokenAmount(policy, "minPricePerGpuHour"),
    // No job may last longer than the escrow's MAX_DURATION.
    maxDurationSeconds:
      policy?.optionalInteger("maxDurationSeconds", 1, JOB_LIMITS.maxDurationSeconds, ONE_DAY_SECONDS) ?? ONE_DAY_SECONDS,
    acceptedKinds,
    autoSettle: policy?.boolean("autoSettle", true) ?? true,
    settlementPollMs: (policy?.optionalInteger("settlementPollSeconds", 1, 3600, 60) ?? 60) * 1000,
    declineDirectedJobs: policy?.boolean("declineDirectedJobs", true) ?? true,
  };
}

// JSON numbers lose precision beyond 2^53 and prices are uint96 wei, so amounts are decimal strings.
function readTokenAmount(reader: FieldReader | undefined, key: string): bigint {
  if (!reader?.has(key)) return 0n;
  const value = reader.raw(key);
  const problem = "must be a decimal string of token units (wei), at most 2^96-1";
  if (typeof value !== "string" || !/^[0-9]{1,29}$/.test(value))
    throw new FieldError(reader.fieldPath(key), problem, value);
  const amount = BigInt(value);
  if (amount > UINT96_MAX) throw new FieldError(reader.fieldPath(key), problem, value);
  return amount;
}

// A decimal string like the token amounts: fees on some chains are far below a gwei, and JSON numbers stop at 2^53.
/** The chain's receipt timeout and, under it, the replacement delay. */
function readReceiptWait(chain: FieldReader): { receiptTimeoutMs: number; replaceAfterMs: number } {
  const receiptTimeoutSeconds = chain.optionalInteger("receiptTimeoutSeconds", 20, 3600, 180);
  // At least 10 s under the receipt timeout, or no replacement would be sent (or have time to be mined) before the
  // write gives up; a lowered timeout lowers the default with it rather than reject a field nobody set.
  const replaceCeiling = receiptTimeoutSeconds - 10;
  const replaceAfterSeconds = chain.optionalInteger("replaceAfterSeconds", 0, replaceCeiling, Math.min(60, replaceCeiling));
  return { receiptTimeoutMs: receiptTimeoutSeconds * 1000, replaceAfterMs: replaceAfterSeconds * 1000 };
}

function readFeeCap(reader: FieldReader, key: string): bigint {
  if (!reader.has(key)) return DEFAULT_MAX_FEE_PER_GAS;
  const value = reader.raw(key);
  const problem = "must be a decimal string of wei per gas, from 1 to 2^96-1";
  if (typeof value !== "string" || !/^[0-9]{1,29}$/.test(value) || BigInt(value) < 1n || BigInt(value) > UINT96_MAX)
    throw new FieldError(reader.fieldPath(key), problem, value);
  return BigInt(value);
}

function readSpecs(specs: FieldReader | undefined, baseDir: string): SpecsConfig {
  const fileRoot = specs?.has("fileRoot") ? resolveFilePath(specs, "fileRoot", baseDir) : undefined;
  return {
    maxBytes: specs?.optionalInteger("maxBytes", 256, SPEC_MAX_BYTES_CEILING, 64 * 1024) ?? 64 * 1024,
    fetchTimeoutMs: (specs?.optionalInteger("fetchTimeoutSeconds", 1, 600, 30) ?? 30) * 1000,
    fileRoot: fileRoot?.path,
    fileRootWritten: fileRoot?.written,
    allowHttp: specs?.boolean("allowHttp", true) ?? true,
    allowHosts: readAllowHosts(specs),
  };
}

// A host as a URL's hostname writes it: a name or an IPv4 address, or an IPv6 address (brackets optional). A port, a
// scheme or a path would never match a URL's host, and the refusal it was meant to lift would stay unexplained.
const HOST_NAME = /^(?=.{1,253}$)[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?)*$/i;

function readAllowHosts(specs: FieldReader | undefined): string[] {
  const hosts = specs?.stringArray("allowHosts", 256, { maxBytes: 255 }, []) ?? [];
  return hosts.map((host, index) => {
    const bare = host.replace(/^\[(.*)\]$/, "$1");
    if (net.isIPv6(bare)) return new URL(`http://[${bare}]/`).hostname.slice(1, -1);
    if (HOST_NAME.test(host)) return host.toLowerCase();
    throw new FieldError(
      `${specs?.fieldPath("allowHosts")}[${index}]`,
      "must be a host name or an IP address alone, without a scheme, port or path (e.g. \"127.0.0.1\" or \"localhost\")",
      host,
    );
  });
}

const COMMAND_KEYS = [
  "enabled", "program", "args", "timeoutSeconds", "expectedSeconds", "maxOutputBytes", "workDir", "envAllowList",
];

// About half of what bench.ts measured on a 2-core cloud VM (2.3 G/s at n=1024): a slower machine, or one busy with
// another job, should still finish what this lets it accept. A provider who measured theirs can raise it.
export const DEFAULT_MATMUL_MULTIPLY_ADDS_PER_SECOND = 1e9;

function readExecutors(executors: FieldReader | undefined, baseDir: string): WorkerConfig["executors"] {
  const builtin = executors?.optionalObject("builtin", ["matmul"]);
  const matmul = builtin?.optionalObject("matmul", ["enabled", "maxN", "multiplyAddsPerSecond"]);
  const command = executors?.optionalObject("command", COMMAND_KEYS);
  const marginReader = executors?.optionalObject("runTimeMargin", ["seconds", "fraction"]);
  const d = DEFAULT_RUN_TIME_MARGIN;
  const margin: RunTimeMargin = {
    seconds: marginReader?.optionalInteger("seconds", 0, 3600, d.seconds) ?? d.seconds,
    fraction: marginReader?.number("fraction", 0, 10, d.fraction) ?? d.fraction,
  };
  const commandEnabled = command?.boolean("enabled", false) ?? false;
  const workDir = command?.has("workDir") ? resolveFilePath(command, "workDir", baseDir) : { path: os.tmpdir() };
  const commandPath = command?.path ?? "config.executors.command";
  let program: string | undefined;
  if (command?.has("program")) {
    program = command.string("program", { maxBytes: 4096 });
    if (!path.isAbsolute(program)) {
      throw new FieldError(
        command.fieldPath("program"),
        "must be an absolute path (the worker never searches PATH for it)",
        program,
      );
    }
  } else if (commandEnabled) {
    throw new FieldError(`${commandPath}.program`, "is required when the command executor is enabled");
  }
  const result: WorkerConfig["executors"] = {
    matmul: {
      enabled: matmul?.boolean("enabled", true) ?? true,
      maxN: matmul?.optionalInteger("maxN", 1, MATMUL_MAX_N, MATMUL_MAX_N) ?? MATMUL_MAX_N,
      multiplyAddsPerSecond:
        matmul?.number("multiplyAddsPerSecond", 1e6, 1e15, DEFAULT_MATMUL_MULTIPLY_ADDS_PER_SECOND) ??
        DEFAULT_MATMUL_MULTIPLY_ADDS_PER_SECOND,
      margin,
    },
    command: {
      enabled: commandEnabled,
      program,
      args: command?.stringArray("args", 64, { minLength: 0, maxBytes: 4096 }, []) ?? [],
      timeoutMs: (command?.optionalInteger("timeoutSeconds", 1, ONE_DAY_SECONDS, 3600) ?? 3600) * 1000,
      expectedMs: command?.has("expectedSeconds") ? command.integer("expectedSeconds", 1, ONE_DAY_SECONDS) * 1000 : undefined,
      margin,
      maxOutputBytes: command?.optionalInteger("maxOutputBytes", 1, 1024 ** 3, 16 * 1024 ** 2) ?? 16 * 1024 ** 2,
      workDir: workDir.path,
      workDirWritten: workDir.written,
      envAllowList: command?.stringArray(
        "envAllowList",
        256,
        { pattern: ENV_NAME, patternDescription: "an environment variable name" },
        ["PATH"],
      ) ?? ["PATH"],
    },
  };
  const { expectedMs, timeoutMs } = result.command;
  // The program would be killed before the time it says it may need: every job that long would fail and be slashed.
  if (expectedMs !== undefined && expectedMs > timeoutMs) {
    throw new FieldError(
      `${commandPath}.expectedSeconds`,
      `must be at most executors.command.timeoutSeconds (${timeoutMs / 1000})`,
      expectedMs / 1000,
    );
  }
  if (!result.matmul.enabled && !result.command.enabled) {
    throw new FieldError("config.executors", "enables no executor: the worker could run no job");
  }
  return result;
}

function readResults(results: FieldReader | undefined, baseDir: string): ResultsConfig {
  const dir: ConfigFilePath = results?.has("dir")
    ? resolveFilePath(results, "dir", baseDir)
    : { path: path.resolve(baseDir, "results"), written: { value: "results", configDir: baseDir, defaulted: true } };
  return {
    dir: dir.path,
    dirWritten: dir.written,
    // A longer result URI is one the escrow refuses (JobEscrow.MAX_URI_LENGTH).
    maxUriBytes: results?.optionalInteger("maxUriBytes", 64, JOB_LIMITS.maxUriBytes, JOB_LIMITS.maxUriBytes) ?? JOB_LIMITS.maxUriBytes,
    publicBaseUrl: results?.has("publicBaseUrl") ? readBaseUrl(results, "publicBaseUrl") : undefined,
    retentionMs: (results?.optionalInteger("retentionDays", 0, 3650, 30) ?? 30) * ONE_DAY_SECONDS * 1000,
  };
}

// A result file is named by appending /<hash>.bin: after a query or a fragment that would name something else.
function readBaseUrl(reader: FieldReader, key: string): string {
  const value = readUrl(reader, key, ["http", "https"]);
  const url = new URL(value);
  // Every result URI is published on-chain: a password in it would be public for good. Not echoed, for the same reason.
  if (url.username !== "" || url.password !== "") {
    throw new FieldError(reader.fieldPath(key), "must carry no user or password: every result URI built from it is published on-chain");
  }
  // Not echoed either: a query may be a signature (a presigned upload URL).
  if (url.search !== "" || url.hash !== "" || value.includes("?") || value.includes("#")) {
    throw new FieldError(reader.fieldPath(key), "must have no query or fragment (result files are named <url>/<hash>.bin)");
  }
  // Browsers and Node's fetch refuse these ports before connecting: every result URI published would be one no client
  // could fetch, while the worker, which only writes the files, would run on without a sign.
  const port = fetchRefusedPort(url);
  if (port !== undefined) {
    throw new FieldError(
      reader.fieldPath(key),
      `names port ${port} (${url.protocol}//${url.host}), one that fetch never connects to (a "bad port" of the Fetch ` +
        `standard, in browsers and Node alike), so no client could fetch a result there: serve results.dir on another ` +
        `port and set ${reader.fieldPath(key).replace(/^config\./, "")} to it`,
    );
  }
  return value;
}

function readRetry(retry: FieldReader | undefined): RetryPolicy {
  const d = DEFAULT_RETRY_POLICY;
  const policy: RetryPolicy = {
    maxAttempts: retry?.optionalInteger("maxAttempts", 1, 100, d.maxAttempts) ?? d.maxAttempts,
    initialDelayMs: retry?.optionalInteger("initialDelayMs", 1, 600_000, d.initialDelayMs) ?? d.initialDelayMs,
    maxDelayMs: retry?.optionalInteger("maxDelayMs", 1, 3_600_000, d.maxDelayMs) ?? d.maxDelayMs,
    multiplier: retry?.number("multiplier", 1, 10, d.multiplier) ?? d.multiplier,
    jitter: retry?.number("jitter", 0, 1, d.jitter) ?? d.jitter,
  };
  if (policy.maxDelayMs < policy.initialDelayMs) {
    throw new FieldError(
      "config.retry.maxDelayMs",
      `must be at least retry.initialDelayMs (${policy.initialDelayMs})`,
      policy.maxDelayMs,
    );
  }
  return policy;
}

/**
 * The URLs whose path a worker config shows to be a route, not a key, for redactUrlsIn: the gateway's, and a result
 * file's URI under `results.publicBaseUrl` (public, published on-chain, and named in full so the operator can find it).
 */
export function configRoutes(config: { gateway: { httpUrl: string; wsUrl: string }; results?: { publicBaseUrl?: string } }): (url: URL) => boolean {
  const gateway = new Set([config.gateway.httpUrl, config.gateway.wsUrl].map((url) => routeOf(new URL(url))));
  const base = config.results?.publicBaseUrl === undefined ? null : new URL(config.results.publicBaseUrl);
  // A path segment boundary: a base of /results must not keep /results-of-someone-else/<key>.
  const basePath = base === null ? "" : base.pathname.replace(/\/*$/, "/");
  return (url) =>
    gateway.has(routeOf(url)) || (base !== null && url.origin === base.origin && `${url.pathname.replace(/\/*$/, "")}/`.startsWith(basePath));
}

function routeOf(url: URL): string {
  return `${url.origin}${url.pathname}`;
}

/** The Redactor for a worker config's URLs: the RPC endpoint's whole path may be its key; the gateway's is its route. */
export function configRedactor(config: { chain: { rpcUrl: string }; gateway: { httpUrl: string; wsUrl: string } }): Redactor {
  return urlRedactor([
    { url: config.chain.rpcUrl },
    { url: config.gateway.httpUrl, keepPath: true },
    { url: config.gateway.wsUrl, keepPath: true },
  ]);
}
