// What GPUs this machine offers, in the registry's terms (model id, VRAM per GPU, count). nvidia-smi is asked
// when present; the config fills in what it cannot tell (region, tier) and overrides whatever it says.

import { GPU_MODELS } from "../scenario/catalog";
import type { GpuConfig } from "./config";
import { GPU_MODEL_ID_BYTES, ProviderTier } from "./ids";
import type { Logger } from "./logger";
import { ProcessError, ProcessExitError, ProcessSpawnError, runProcess } from "./process-runner";

// One invocation tells both what the GPUs are and whether MIG is on: each run of nvidia-smi initialises NVML, which on
// a large machine takes seconds (more with persistence mode off).
export const NVIDIA_SMI_QUERY = [
  "--query-gpu=name,memory.total,count,uuid,driver_version,mig.mode.current",
  "--format=csv,noheader,nounits",
] as const;

/**
 * The query for a driver from before MIG (R450), which refuses the whole query for the one field it does not know
 * (status 2, NVML's "invalid argument"): asked only then. Such a driver has no MIG mode to report.
 */
export const NVIDIA_SMI_PRE_MIG_QUERY = [
  "--query-gpu=name,memory.total,count,uuid,driver_version",
  "--format=csv,noheader,nounits",
] as const;

/** The registry stores display names of at most this many bytes (ProviderRegistry.MAX_NAME_LENGTH). */
export const GPU_DISPLAY_NAME_MAX_BYTES = 64;

/** One GPU as nvidia-smi reports it. */
export interface GpuDevice {
  name: string;
  memoryMiB: number;
  uuid: string;
  driverVersion: string;
  /** mig.mode.current is "Enabled"; absent where the driver predates MIG (NVIDIA_SMI_PRE_MIG_QUERY). */
  migEnabled?: boolean;
}

/** GPUs of one model and memory size: the registry lists one homogeneous set per provider. */
export interface GpuGroup {
  model: string;
  displayName: string;
  vramGiB: number;
  devices: GpuDevice[];
}

export interface GpuSpecs {
  /** Normalised model id, e.g. "rtx-4090-24gb" (see normaliseGpuModelId). */
  model: string;
  /** Human name for the registry, at most 64 bytes, e.g. "NVIDIA GeForce RTX 4090". */
  displayName: string;
  /** Memory per GPU, GiB, rounded to the nearest integer. */
  vramGiB: number;
  gpuCount: number;
  region?: string;
  tier?: ProviderTier;
  /** Where the figures came from. */
  source: "nvidia-smi" | "config" | "nvidia-smi+config";
  driverVersion?: string;
  /** UUIDs of the GPUs counted, when detected. */
  uuids: string[];
  /** GPUs present but not offered, because the machine is heterogeneous. */
  ignored: { model: string; count: number }[];
}

/** nvidia-smi printed something this parser does not understand. */
export class NvidiaSmiOutputError extends Error {
  constructor(
    readonly line: string,
    reason: string,
  ) {
    super(`cannot parse nvidia-smi output line ${JSON.stringify(line)}: ${reason}`);
    this.name = "NvidiaSmiOutputError";
  }
}

/** Neither nvidia-smi nor the config says enough about the GPUs. */
export class GpuSpecsUnavailableError extends Error {
  constructor(
    readonly missingFields: string[],
    readonly detectionFailure: string | undefined,
  ) {
    super(
      `cannot tell the GPU ${missingFields.join(", ")}: ` +
        (detectionFailure ? `GPU detection failed (${detectionFailure})` : "GPU detection is off (config.gpu.detect)") +
        ` and config.gpu does not set ${missingFields.map((field) => `config.gpu.${field}`).join(", ")}`,
    );
    this.name = "GpuSpecsUnavailableError";
  }
}

/**
 * Parse `nvidia-smi --query-gpu=name,memory.total,count,uuid,driver_version[,mig.mode.current] --format=csv,noheader,nounits`
 * (`withMigMode`: the query asked for mig.mode.current, NVIDIA_SMI_QUERY; else NVIDIA_SMI_PRE_MIG_QUERY).
 */
export function parseNvidiaSmiOutput(text: string, withMigMode = false): GpuDevice[] {
  const devices: GpuDevice[] = [];
  const expected = withMigMode ? 6 : 5;
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.trim();
    if (line === "") continue;
    const fields = line.split(",").map((field) => field.trim());
    if (fields.length < expected)
      throw new NvidiaSmiOutputError(line, `expected ${expected} comma-separated fields, found ${fields.length}`);
    // Read from the right: only the name could ever contain a comma.
    const migMode = withMigMode ? fields.pop() : undefined;
    const [count, uuid, driverVersion] = fields.slice(-3);
    const memory = fields[fields.length - 4];
    const name = fields.slice(0, -4).join(", ");
    if (!/^[0-9]+$/.test(memory) || Number(memory) === 0) {
      throw new NvidiaSmiOutputError(line, `memory.total ${JSON.stringify(memory)} is not a positive number of MiB`);
    }
    if (!/^[0-9]+$/.test(count)) throw new NvidiaSmiOutputError(line, `count ${JSON.stringify(count)} is not a number`);
    if (name === "") throw new NvidiaSmiOutputError(line, "the name is empty");
    // "Disabled", or "[N/A]" on a GPU without MIG (every GeForce).
    const device: GpuDevice = { name, memoryMiB: Number(memory), uuid, driverVersion };
    if (migMode !== undefined) device.migEnabled = migMode === "Enabled";
    devices.push(device);
  }
  return devices;
}

export function vramGiBFromMiB(memoryMiB: number): number {
  return Math.round(memoryMiB / 1024);
}

// Marketed memory sizes (GB). The driver reports less than the marketed size (ECC and firmware reservations:
// an L40S "48GB" shows 46068 MiB), so the model id uses the smallest marketed size at or above the measured one,
// if it is within 10%. The vramGiB offered stays the measured figure, except for a model of the catalog (see
// offeredVramGiB).
const MARKETED_MEMORY_GB = [
  1, 2, 3, 4, 6, 8, 10, 11, 12, 16, 20, 24, 32, 40, 48, 64, 80, 94, 96, 128, 141, 144, 180, 192, 256, 288,
];

export function marketedMemoryGB(memoryMiB: number): number {
  const measured = memoryMiB / 1024;
  const size = MARKETED_MEMORY_GB.find((candidate) => candidate >= measured);
  return size !== undefined && size <= measured * 1.1 ? size : Math.round(measured);
}

// Branding that adds nothing to the identity of the model.
const NOISE_TOKENS = new Set(["nvidia", "geforce", "tesla", "quadro", "gpu", "graphics", "generation"]);

/**
 * The registry's model id for a GPU name as nvidia-smi prints it:
 *  1. lowercase; every run of characters outside [a-z0-9] separates tokens;
 *  2. drop the branding tokens nvidia, geforce, tesla, quadro, gpu, graphics, generation;
 *  3. unless a token already states the memory (`<digits>gb`), append `<marketed GB>gb` (see marketedMemoryGB);
 *  4. join with "-"; above 32 bytes, drop the last non-memory tokens until it fits.
 * "NVIDIA GeForce RTX 4090" (24564 MiB) -> "rtx-4090-24gb"; "NVIDIA H100 80GB HBM3" -> "h100-80gb-hbm3";
 * "NVIDIA A100-SXM4-40GB" -> "a100-sxm4-40gb"; "NVIDIA L40S" (46068 MiB) -> "l40s-48gb".
 */
export function normaliseGpuModelId(name: string, memoryMiB: number): string {
  const tokens = name
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((token) => token !== "" && !NOISE_TOKENS.has(token));
  const statesMemory = tokens.some((token) => /^[0-9]+gb$/.test(token));
  const memoryToken = statesMemory ? undefined : `${marketedMemoryGB(memoryMiB)}gb`;
  const body = tokens.length > 0 ? tokens : ["gpu"];
  const join = (): string => [...body, ...(memoryToken ? [memoryToken] : [])].join("-");
  while (join().length > GPU_MODEL_ID_BYTES && body.length > 1) {
    const lastOther = findLastIndex(body, (token) => !/^[0-9]+gb$/.test(token));
    body.splice(lastOther === -1 ? body.length - 1 : lastOther, 1);
  }
  return join().slice(0, GPU_MODEL_ID_BYTES).replace(/-+$/, "");
}

/**
 * Models whose nvidia-smi name does not say the form factor the network's catalog names them by
 * (scripts/scenario/catalog.ts, which `provider register` and clients use): keyed by the normalised name.
 */
const CATALOG_IDS: Readonly<Record<string, string>> = {
  "h100-80gb-hbm3": "h100-sxm-80gb", // "NVIDIA H100 80GB HBM3": the SXM5 board (the PCIe one says PCIe)
  "a100-sxm4-80gb": "a100-sxm-80gb",
  "h200-141gb": "h200-sxm-141gb", // "NVIDIA H200": the SXM board (the NVL one says NVL)
};

/**
 * The catalog's name for `model` (what `provider register` fills in for it), undefined for a model it does not know:
 * with nothing detected, a catalog model is named as the network names it, not by its id.
 */
export function catalogDisplayName(model: string): string | undefined {
  const known = GPU_MODELS.find((m) => m.id === model);
  return known === undefined ? undefined : truncateDisplayName(known.name);
}

/**
 * The memory per GPU a detected GPU is offered with: for a model of the catalog whose marketed size is the one
 * measured, the catalog's figure, which `provider register` lists and clients ask for (a real H200 shows 143771 MiB,
 * 140 GiB rounded, and the catalog lists 141: the worker warned at start that it had less memory than registered, and
 * gpu-probe advised registering 140, which a client asking for the catalog's 141 never matches); otherwise the
 * measured figure, rounded.
 */
export function offeredVramGiB(model: string, memoryMiB: number): number {
  const known = GPU_MODELS.find((m) => m.id === model);
  return known !== undefined && known.vramGiB === marketedMemoryGB(memoryMiB) ? known.vramGiB : vramGiBFromMiB(memoryMiB);
}

/** The id a detected GPU is offered under: the catalog's where the name alone would give another one. */
export function gpuModelIdFor(name: string, memoryMiB: number): string {
  const normalised = normaliseGpuModelId(name, memoryMiB);
  return CATALOG_IDS[normalised] ?? normalised;
}

function findLastIndex<T>(items: T[], predicate: (item: T) => boolean): number {
  for (let index = items.length - 1; index >= 0; index -= 1) if (predicate(items[index])) return index;
  return -1;
}

export function truncateDisplayName(name: string): string {
  let result = name.trim();
  while (Buffer.byteLength(result, "utf8") > GPU_DISPLAY_NAME_MAX_BYTES) result = result.slice(0, -1);
  return result;
}

/**
 * Group GPUs by model id and memory. The largest group is the one offered (ties: more VRAM, then model id);
 * the rest are returned so the caller can say they are left out.
 */
export function groupGpus(devices: GpuDevice[]): { offered: GpuGroup; ignored: GpuGroup[] } {
  if (devices.length === 0) throw new RangeError("groupGpus needs at least one device");
  const groups = new Map<string, GpuGroup>();
  for (const device of devices) {
    const model = gpuModelIdFor(device.name, device.memoryMiB);
    const vramGiB = offeredVramGiB(model, device.memoryMiB);
    const key = `${model}/${vramGiB}`;
    const group = groups.get(key) ?? { model, displayName: truncateDisplayName(device.name), vramGiB, devices: [] };
    group.devices.push(device);
    groups.set(key, group);
  }
  const ordered = [...groups.values()].sort(
    (a, b) => b.devices.length - a.devices.length || b.vramGiB - a.vramGiB || a.model.localeCompare(b.model),
  );
  return { offered: ordered[0], ignored: ordered.slice(1) };
}

// What a GPU probe may need to be found and to find the driver: the worker's environment also holds the operator key
// (operatorKey.env), which no child of the worker but the worker itself should ever see. The key's variable may itself
// be named CUDA_*: setup.ts and gpu-probe.ts pass an `env` without it (withoutOperatorKey).
const PROBE_ENV_NAMES = new Set(["PATH", "LD_LIBRARY_PATH"]);
const PROBE_ENV_PREFIX = "CUDA_";

/** The part of `env` a GPU probe is given: PATH, LD_LIBRARY_PATH and CUDA_* only. */
export function probeEnvironment(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const kept: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && (PROBE_ENV_NAMES.has(name) || name.startsWith(PROBE_ENV_PREFIX))) kept[name] = value;
  }
  return kept;
}

/**
 * Run nvidia-smi (no shell, bounded time, with probeEnvironment(env) only) and parse what it prints: once, unless the
 * driver predates MIG (NVIDIA_SMI_PRE_MIG_QUERY). Throws ProcessError or NvidiaSmiOutputError.
 */
export async function queryNvidiaSmi(
  nvidiaSmiPath: string,
  timeoutMs: number,
  env: NodeJS.ProcessEnv = process.env,
): Promise<GpuDevice[]> {
  const run = async (args: readonly string[]): Promise<string> =>
    (
      await runProcess(nvidiaSmiPath, { args, env: probeEnvironment(env), timeoutMs, maxOutputBytes: 1024 * 1024 })
    ).stdout.toString("utf8");
  let devices: GpuDevice[];
  try {
    devices = parseNvidiaSmiOutput(await run(NVIDIA_SMI_QUERY), true);
  } catch (error) {
    if (!(error instanceof ProcessExitError && error.exitCode === 2)) throw error;
    devices = parseNvidiaSmiOutput(await run(NVIDIA_SMI_PRE_MIG_QUERY));
  }
  if (devices.length === 0) throw new NvidiaSmiOutputError("", "nvidia-smi listed no GPU");
  return devices;
}

/**
 * GPUs to be offered are in MIG mode. CUDA then runs only on their MIG devices (`MIG-…` UUIDs, `nvidia-smi -L`), never
 * on the whole GPU, so every job given one would fail; and MIG devices are not offered in their stead (README, "MIG").
 */
export class GpuMigModeError extends Error {
  constructor(readonly uuids: string[]) {
    super(
      `MIG mode is enabled on ${uuids.length === 1 ? "GPU" : "GPUs"} ${uuids.join(", ")}: CUDA cannot run a job on a ` +
        "whole GPU in MIG mode, and this worker does not offer MIG instances. Disable MIG on " +
        `${uuids.length === 1 ? "it" : "each"} (sudo nvidia-smi -i <uuid> -mig 0, then reset the GPU or reboot), ` +
        "check with nvidia-smi --query-gpu=uuid,mig.mode.current --format=csv, and start again",
    );
    this.name = "GpuMigModeError";
  }
}

function describeDetectionFailure(error: unknown): string {
  if (error instanceof ProcessSpawnError && error.code === "ENOENT") return `${error.program} not found`;
  if (error instanceof ProcessError || error instanceof NvidiaSmiOutputError) return error.message;
  return String(error);
}

/**
 * The GPU specs the worker offers: nvidia-smi's findings (if config.gpu.detect and it works), with each field the
 * config sets taking precedence. Throws GpuSpecsUnavailableError when model, VRAM or count remain unknown, and
 * GpuMigModeError when a GPU jobs would be given is in MIG mode.
 */
export async function resolveGpuSpecs(
  config: GpuConfig,
  logger: Logger,
  env: NodeJS.ProcessEnv = process.env,
): Promise<GpuSpecs> {
  let detected: { offered: GpuGroup; ignored: GpuGroup[] } | undefined;
  let failure: string | undefined;
  if (config.detect) {
    try {
      detected = groupGpus(await queryNvidiaSmi(config.nvidiaSmiPath, config.detectTimeoutMs, env));
    } catch (error) {
      failure = describeDetectionFailure(error);
      logger.warn("GPU detection failed; using config.gpu", { reason: failure });
    }
  }
  if (detected && detected.ignored.length > 0) {
    logger.warn("heterogeneous GPUs: offering the largest homogeneous group only", {
      offered: { model: detected.offered.model, count: detected.offered.devices.length },
      ignored: detected.ignored.map((group) => ({ model: group.model, count: group.devices.length })),
    });
  }
  if (!config.detect && config.gpuCount !== undefined)
    await warnOfMissingDeclaredGpus(config, config.gpuCount, logger, env);
  const offered = detected?.offered;
  const model = config.model ?? offered?.model;
  const vramGiB = config.vramGiB ?? offered?.vramGiB;
  const gpuCount = config.gpuCount ?? offered?.devices.length;
  const missing = [
    ...(model === undefined ? ["model"] : []),
    ...(vramGiB === undefined ? ["vramGiB"] : []),
    ...(gpuCount === undefined ? ["gpuCount"] : []),
  ];
  if (model === undefined || vramGiB === undefined || gpuCount === undefined)
    throw new GpuSpecsUnavailableError(missing, failure);

  if (offered) {
    const overridden = (["model", "vramGiB", "gpuCount", "displayName"] as const).filter(
      (field) => config[field] !== undefined,
    );
    if (overridden.length > 0) logger.info("config.gpu overrides detected GPU fields", { fields: overridden });
    // A config copied from worker.example.json (which sets an RTX 4090) onto another machine would list GPUs it does
    // not have, and gpu-probe would advise registering them: jobs asking for those would be taken and fail or be slow.
    const contradicted = {
      ...(model !== offered.model ? { model: { config: model, detected: offered.model } } : {}),
      ...(vramGiB > offered.vramGiB ? { vramGiB: { config: vramGiB, detected: offered.vramGiB } } : {}),
    };
    if (Object.keys(contradicted).length > 0) {
      logger.warn(
        "config.gpu offers GPUs other than those detected: jobs are matched against config.gpu, not this machine; " +
          "remove config.gpu.model and config.gpu.vramGiB to offer what nvidia-smi reports",
        contradicted,
      );
    }
    // Each job is assigned GPUs by UUID (gpu-pool.ts): there are no others to assign, whatever the count offered says.
    if (gpuCount > offered.devices.length) {
      logger.warn("config.gpu.gpuCount is more than the GPUs detected: jobs are assigned only the detected ones", {
        gpuCount,
        detected: offered.devices.length,
      });
    }
    // Only those jobs are given: a GPU in MIG mode left out of a mixed machine, or beyond gpuCount, is no one's concern.
    const mig = offered.devices.slice(0, gpuCount).filter((device) => device.migEnabled === true);
    if (mig.length > 0) throw new GpuMigModeError(mig.map((device) => device.uuid));
  }
  const usedConfig =
    !offered || [config.model, config.vramGiB, config.gpuCount, config.displayName].some((v) => v !== undefined);
  // nvidia-smi's name is the detected model's: under a config.gpu.model naming another, the registry would list a name
  // that contradicts the model offered, so that one is named as with nothing detected.
  const detectedName = offered !== undefined && offered.model === model ? offered.displayName : undefined;
  return {
    model,
    displayName: config.displayName ?? detectedName ?? catalogDisplayName(model) ?? model,
    vramGiB,
    gpuCount,
    region: config.region,
    tier: config.tier,
    source: offered ? (usedConfig ? "nvidia-smi+config" : "nvidia-smi") : "config",
    driverVersion: offered?.devices[0].driverVersion,
    // Where config.gpu.gpuCount offers fewer, only those jobs are given (gpu-pool.ts): gpu-probe then lists just them.
    uuids: offered?.devices.slice(0, gpuCount).map((device) => device.uuid) ?? [],
    ignored: detected?.ignored.map((group) => ({ model: group.model, count: group.devices.length })) ?? [],
  };
}

/**
 * With detection off, jobs are handed CUDA indices 0..gpuCount-1 (offeredGpuIds). A config copied from the devnet's
 * demo provider (4x RTX 4090, declared) onto a real machine with fewer GPUs would hand jobs indices that do not exist,
 * and each such job would fail after its acceptance. So nvidia-smi is asked all the same, and only to count: where it
 * is absent or fails (a machine without GPUs, which the demo declares on purpose) there is nothing to compare with.
 * A warning, not a refusal: the devnet's demo declares its GPUs so that it runs the same on a GPU machine too.
 */
async function warnOfMissingDeclaredGpus(
  config: GpuConfig,
  gpuCount: number,
  logger: Logger,
  env: NodeJS.ProcessEnv,
): Promise<void> {
  let present: number;
  try {
    present = (await queryNvidiaSmi(config.nvidiaSmiPath, config.detectTimeoutMs, env)).length;
  } catch {
    return;
  }
  if (present >= gpuCount) return;
  logger.warn(
    `config.gpu.detect is false and config.gpu.gpuCount declares ${gpuCount} GPUs, but nvidia-smi lists ${present}: ` +
      `jobs would be handed CUDA devices 0..${gpuCount - 1}, of which only ${present} exist. Set config.gpu.detect ` +
      `to true and remove config.gpu.model, vramGiB and gpuCount to offer what nvidia-smi reports, or set ` +
      `config.gpu.gpuCount to ${present} (and register no more than that)`,
    { gpuCount, detected: present },
  );
}
