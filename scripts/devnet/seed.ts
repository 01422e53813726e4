// The demo network `npm start` seeds, built only from the scenario driver's steps (scripts/scenario):
//   1. runFullScenario: every action of the protocol once or more: 6 hand-made machines from an RTX 3090 to an
//      8x H100 rack (with operators), jobs through every path (approved, settled after the window, cancelled,
//      expired, declined, timed out and slashed, given back by its provider and slashed alike), disputes answered, upheld (a slash), rejected, drawn and expired,
//      a provider that thaws, withdraws and leaves, a guardian pause, and governance proposals executed, vetoed and
//      withdrawn; it leaves an open, a running and a submitted job.
//   2. bulkRegisterProviders: 20 more machines from the catalog's deterministic mix (12 GPU models, 7 regions,
//      consumer and enterprise), half of them with an operator, three with a pending thaw request, and one of
//      the two H100 SXM racks with a slash reward cap (the scenario's own H100 rack has one too).
//   3. Live work: running jobs on the catalog machines, open jobs waiting for datacenter GPUs (one asking for a
//      least slash reward cap that one catalog H100 rack meets and the two capped ones do not), and a result under
//      dispute, so every job status shows on the dashboard.
import { Wallet, keccak256, parseEther, toUtf8Bytes } from "ethers";
import type { Signer } from "ethers";
import {
  GPU_MODELS,
  Tier,
  acceptJob,
  bulkCreateJobs,
  bulkRegisterProviders,
  createJob,
  latestBlockNumber,
  mined,
  openDispute,
  runFullScenario,
  submitResult,
  thaw,
} from "../scenario";
import type { BulkProvidersResult, GpuModel, ProviderHandle, ProviderListing, Scenario, ScenarioSummary } from "../scenario";

/** Seeds of the catalog machines' keys: the same on every start, so their addresses are stable. */
export const DEVNET_SEED = "latent-devnet";
export const CATALOG_PROVIDERS = 20;
/**
 * The slash reward cap one catalog H100 SXM rack sets: below SLASH_CAP_JOB_MIN_BPS, so that the job is refused to a
 * machine that meets all its other requirements, not only to the scenario's capped rack, whose GPUs are all busy.
 */
export const CATALOG_SLASH_REWARD_CAP_BPS = 4_000;
/** The least slash reward cap one open job asks for: its client wants up to half of a slash of the collateral. */
export const SLASH_CAP_JOB_MIN_BPS = 5_000;
const SLASH_CAP_MODEL = "h100-sxm-80gb";
const OPEN_JOBS: { gpuModel?: string; region?: string; gpuCount: number; tier?: Tier; minVramGiB?: number; minSlashRewardBps?: number }[] = [
  { gpuModel: "h100-sxm-80gb", gpuCount: 8 },
  { gpuModel: "a100-sxm-80gb", gpuCount: 4, region: "eu-central" },
  { gpuModel: "l40s-48gb", gpuCount: 4 },
  { minVramGiB: 80, gpuCount: 2, tier: Tier.Enterprise, region: "ap-northeast" },
  { gpuModel: "h200-sxm-141gb", gpuCount: 8, region: "us-west" },
  { gpuModel: "rtx-5090-32gb", gpuCount: 2, region: "eu-west" },
  { gpuModel: SLASH_CAP_MODEL, gpuCount: 4, minSlashRewardBps: SLASH_CAP_JOB_MIN_BPS },
];
const RUNNING_JOBS = 8;

export interface SeedProvider {
  address: string;
  /** Zero address when the provider has none. */
  operator: string;
  gpuModel: string;
  region: string;
  gpuCount: number;
  tier: "consumer" | "enterprise";
  registered: boolean;
}

export interface SeedSummary {
  scenario: ScenarioSummary;
  providers: SeedProvider[];
  /** The scenario's RTX 4090 machine, whose operator is a Hardhat account: what the demo worker serves. */
  workerProvider: SeedProvider & { gpuModelName: string; vramGiB: number; pricePerGpuHour: bigint };
  operators: number;
  thawRequests: number;
  runningJobs: number;
  openJobs: number;
  disputedJobs: number;
  fromBlock: number;
  toBlock: number;
}

export type SeedPhase = "scenario" | "providers" | "operators" | "thaw requests" | "slash caps" | "live jobs";

function tierName(tier: Tier): "consumer" | "enterprise" {
  return tier === Tier.Consumer ? "consumer" : "enterprise";
}

function fromListing(address: string, operator: string, l: ProviderListing, registered = true): SeedProvider {
  return { address, operator, gpuModel: l.gpuModel.id, region: l.region, gpuCount: l.gpuCount, tier: tierName(l.gpuModel.tier), registered };
}

const ZERO = "0x0000000000000000000000000000000000000000";

function catalogModel(id: string): GpuModel {
  const model = GPU_MODELS.find((m) => m.id === id);
  if (model === undefined) throw new Error(`GPU model ${id} is not in the catalog`);
  return model;
}

/** Seeds the demo network on a fresh `deployScenario` deployment; `onPhase` is told as each phase starts. */
export async function seedDemoNetwork(s: Scenario, onPhase: (phase: SeedPhase) => void = () => undefined): Promise<SeedSummary> {
  const fromBlock = (await latestBlockNumber(s)) + 1;
  onPhase("scenario");
  const scenario = await runFullScenario(s);

  onPhase("providers");
  const bulk = await bulkRegisterProviders(s, { count: CATALOG_PROVIDERS, seed: DEVNET_SEED });

  onPhase("operators");
  const operators = await assignOperators(s, bulk);

  onPhase("thaw requests");
  // Part of the spare stake (twice the minimum plus 1,000 LAT is staked), so the machines stay active.
  const thawing = bulk.wallets.filter((_, i) => i % 7 === 3);
  for (const wallet of thawing) await thaw(s, wallet, parseEther("400"));

  onPhase("slash caps");
  // Before the live jobs: Staking refuses to lower a cap while any collateral is locked.
  await capSlashReward(s, bulk);

  onPhase("live jobs");
  await bulkCreateJobs(s, { count: RUNNING_JOBS, seed: `${DEVNET_SEED}:running`, acceptWith: bulk });
  await bulkCreateJobs(s, {
    count: OPEN_JOBS.length,
    seed: `${DEVNET_SEED}:open`,
    jobFor: (i) => ({ ...OPEN_JOBS[i], maxPricePerGpuHour: parseEther("4"), maxDuration: 4 * 3600 }),
  });
  await leaveDisputeOpen(s, scenario);

  const providers: SeedProvider[] = [
    ...scenario.providers.map((p) => ({ ...p, tier: tierName(p.tier) })),
    ...bulk.wallets.map((w, i) => fromListing(w.address, operators.get(w.address) ?? ZERO, bulk.listings[i] as ProviderListing)),
  ];
  return {
    scenario,
    providers,
    workerProvider: await workerProvider(s, scenario),
    operators: providers.filter((p) => p.registered && p.operator !== ZERO).length,
    thawRequests: thawing.length,
    runningJobs: RUNNING_JOBS + 1,
    openJobs: OPEN_JOBS.length + 1,
    disputedJobs: 1,
    fromBlock,
    toBlock: await latestBlockNumber(s),
  };
}

/** Every other catalog machine gets an operator (a hot key derived from the devnet seed). */
async function assignOperators(s: Scenario, bulk: BulkProvidersResult): Promise<Map<string, string>> {
  const assigned = new Map<string, string>();
  for (const [i, wallet] of bulk.wallets.entries()) {
    if (i % 2 === 1) continue;
    const operator = new Wallet(keccak256(toUtf8Bytes(`${DEVNET_SEED}:operator:${i}`)));
    await mined(s.c.registry.connect(wallet).setOperator(operator.address));
    assigned.set(wallet.address, operator.address);
  }
  return assigned;
}

/** The last catalog H100 SXM rack caps its slash reward below what the open slash-cap job asks. */
async function capSlashReward(s: Scenario, bulk: BulkProvidersResult): Promise<void> {
  const models = bulk.listings.map((l) => l.gpuModel.id);
  const index = models.lastIndexOf(SLASH_CAP_MODEL);
  if (index <= models.indexOf(SLASH_CAP_MODEL)) {
    throw new Error(`the catalog machines need two ${SLASH_CAP_MODEL} racks: one to cap its slash reward, one to take the job`);
  }
  await mined(s.c.staking.connect(bulk.wallets[index] as Wallet).setMaxSlashRewardBps(CATALOG_SLASH_REWARD_CAP_BPS));
}

/** A result under dispute that nobody has answered or ruled yet (the scenario resolves all of its disputes). */
async function leaveDisputeOpen(s: Scenario, scenario: ScenarioSummary): Promise<void> {
  const index = scenario.providers.findIndex((p) => p.gpuModel === "a100-sxm-80gb");
  const p = scenario.providers[index];
  if (p === undefined) throw new Error("the scenario has no A100 machine");
  const record = await s.c.registry.getProvider(p.address);
  const handle: ProviderHandle = {
    signer: s.actors.providers[index] as Signer,
    address: p.address,
    listing: { gpuModel: catalogModel(p.gpuModel), region: p.region, gpuCount: p.gpuCount, pricePerGpuHour: record.pricePerGpuHour, metadataURI: "" },
  };
  const job = await createJob(s, s.actors.clients[1] as Signer, { gpuModel: p.gpuModel, gpuCount: 2 });
  await acceptJob(s, job, handle);
  await submitResult(s, job, handle, { after: 900 });
  await openDispute(s, job, { evidenceURI: "ipfs://bafy-latent-evidence/wrong-checkpoint.json" });
}

async function workerProvider(s: Scenario, scenario: ScenarioSummary): Promise<SeedSummary["workerProvider"]> {
  const p = scenario.providers.find((x) => x.gpuModel === "rtx-4090-24gb" && x.operator !== ZERO);
  if (p === undefined) throw new Error("the scenario has no RTX 4090 machine with an operator");
  const record = await s.c.registry.getProvider(p.address);
  return {
    ...p,
    tier: tierName(p.tier),
    gpuCount: Number(record.gpuCount),
    gpuModelName: catalogModel(p.gpuModel).name,
    vramGiB: Number(record.vramGiB),
    pricePerGpuHour: record.pricePerGpuHour,
  };
}
