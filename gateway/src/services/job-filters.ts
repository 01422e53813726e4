// Which jobs: the product filters as graph-node `where` clauses, and which jobs a provider may accept, both as a
// clause (openJobs) and in memory (the jobOpened feed). The rules are JobEscrow.acceptJob's checks.
import type { JobFeedFilter, JobFilter } from "../generated/graphql";
import { badUserInput } from "../errors";
import { JOB_STATUS_TO_SUBGRAPH, TIER_TO_SUBGRAPH } from "../model/enums";
import { ZERO_ADDRESS } from "../model/ids";
import { BPS } from "../model/money";
import { NOT_LISTED, type JobEntity, type ProtocolEntity, type ProviderEntity } from "../subgraph/entities";
import type { Where } from "../subgraph/where";
import { gpuModelList, intInRange, regionList } from "./inputs";

export function jobFilterWhere(filter: JobFilter | null | undefined): Where {
  if (filter === null || filter === undefined) return {};
  const where: Where = {};
  if (filter.statuses !== null && filter.statuses !== undefined) {
    if (filter.statuses.length === 0) throw badUserInput("filter.statuses", "must not be empty (omit it to match any)", { value: filter.statuses });
    where.status_in = filter.statuses.map((s) => JOB_STATUS_TO_SUBGRAPH[s]);
  }
  if (filter.client !== null && filter.client !== undefined) where.client = filter.client;
  if (filter.provider !== null && filter.provider !== undefined) where.provider = filter.provider;
  if (filter.targetProvider !== null && filter.targetProvider !== undefined) where.targetProvider = filter.targetProvider;
  if (filter.directed !== null && filter.directed !== undefined) where.directed = filter.directed;
  const models = gpuModelList(filter.gpuModels, "filter.gpuModels");
  if (models !== null) where.gpuModelKey_in = models;
  const regions = regionList(filter.regions, "filter.regions");
  if (regions !== null) where.regionKey_in = regions;
  if (filter.tier !== null && filter.tier !== undefined) where.tier = TIER_TO_SUBGRAPH[filter.tier];
  if (filter.minGpuCount !== null && filter.minGpuCount !== undefined) {
    where.gpuCount_gte = intInRange(filter.minGpuCount, 0, 65_535, "filter.minGpuCount");
  }
  if (filter.maxGpuCount !== null && filter.maxGpuCount !== undefined) {
    where.gpuCount_lte = intInRange(filter.maxGpuCount, 0, 65_535, "filter.maxGpuCount");
  }
  if (filter.createdAfter !== null && filter.createdAfter !== undefined) where.createdAt_gt = String(filter.createdAfter);
  if (filter.createdBefore !== null && filter.createdBefore !== undefined) where.createdAt_lt = String(filter.createdBefore);
  // A range no job can be in is a mistake (bounds swapped, milliseconds for seconds), not a question answered "none".
  const { minGpuCount, maxGpuCount, createdAfter, createdBefore } = filter;
  // The range the bound may take given the other, as intInRange's refusals carry theirs (`value`, `minimum`, `maximum`).
  if (typeof minGpuCount === "number" && typeof maxGpuCount === "number" && maxGpuCount < minGpuCount) {
    throw badUserInput("filter.maxGpuCount", `${maxGpuCount} is below filter.minGpuCount (${minGpuCount}): no job can match`, {
      value: maxGpuCount,
      minimum: minGpuCount,
      maximum: 65_535,
    });
  }
  if (typeof createdAfter === "number" && typeof createdBefore === "number" && createdBefore <= createdAfter + 1) {
    throw badUserInput(
      "filter.createdBefore",
      `${createdBefore} leaves no second after filter.createdAfter (${createdAfter}): no job can match (both bounds exclude)`,
      { value: createdBefore, minimum: createdAfter + 2 },
    );
  }
  return where;
}

/**
 * Whether a job's acceptance deadline has passed at time `now`, the time of the block it was read at (clock.ts's
 * timeAt): JobEscrow.acceptJob reverts once `block.timestamp > acceptDeadline`, so a job still OPEN then can no longer
 * be taken, only expired (expireJob) or cancelled. The one rule openJobs, the jobOpened feed, Job.pastAcceptDeadline
 * and jobs' `filter.pastAcceptDeadline` judge deadlines by.
 */
export function isPastAcceptDeadline(acceptDeadline: string, now: number): boolean {
  return BigInt(acceptDeadline) < BigInt(now);
}

/** isPastAcceptDeadline as a clause: the jobs past their acceptance deadline at `now` (`past`), or those not. */
export function acceptDeadlineWhere(past: boolean, now: number): Where {
  return past ? { acceptDeadline_lt: String(now) } : { acceptDeadline_gte: String(now) };
}

/**
 * The largest escrow whose collateral the provider's free stake covers: collateral = ceil(escrowed * ratio /
 * 10000) <= freeStake  <=>  escrowed * ratio <= freeStake * 10000  <=>  escrowed <= floor(freeStake * 10000 / ratio).
 */
export function maxCoverableEscrow(freeStake: bigint, collateralRatioBps: number): bigint {
  if (collateralRatioBps === 0) return 2n ** 256n - 1n;
  return (freeStake * BPS) / BigInt(collateralRatioBps);
}

/** Open jobs `provider` may accept at time `now` (JobEscrow.acceptJob's checks; the caller checks `active`). */
export function acceptableJobsWhere(provider: ProviderEntity, protocol: ProtocolEntity, now: number): Where {
  return {
    status: "Open",
    ...acceptDeadlineWhere(false, now),
    gpuModelKey_in: provider.gpuModelKey === NOT_LISTED ? ["*"] : [provider.gpuModelKey, "*"],
    regionKey_in: provider.regionKey === NOT_LISTED ? ["*"] : [provider.regionKey, "*"],
    minVramGiB_lte: provider.vramGiB,
    gpuCount_lte: provider.gpusFree,
    tier_in: provider.tier === null ? ["Any"] : ["Any", provider.tier],
    minCompletedJobs_lte: String(provider.jobsCompleted),
    minSlashRewardBps_lte: provider.maxSlashRewardBps,
    maxPricePerGpuHour_gte: provider.pricePerGpuHour,
    targetProvider_in: [provider.id, ZERO_ADDRESS],
    escrowed_lte: maxCoverableEscrow(BigInt(provider.freeStake), protocol.collateralRatioBps).toString(),
  };
}

/** The same rules in memory, for jobs the feed has already fetched. */
export function providerMayAccept(job: JobEntity, provider: ProviderEntity, protocol: ProtocolEntity, now: number): boolean {
  return (
    job.status === "Open" &&
    !isPastAcceptDeadline(job.acceptDeadline, now) &&
    (job.gpuModelKey === "*" || job.gpuModelKey === provider.gpuModelKey) &&
    (job.regionKey === "*" || job.regionKey === provider.regionKey) &&
    job.minVramGiB <= provider.vramGiB &&
    job.gpuCount <= provider.gpusFree &&
    (job.tier === "Any" || job.tier === provider.tier) &&
    BigInt(job.minCompletedJobs) <= BigInt(provider.jobsCompleted) &&
    job.minSlashRewardBps <= provider.maxSlashRewardBps &&
    BigInt(job.maxPricePerGpuHour) >= BigInt(provider.pricePerGpuHour) &&
    (job.targetProvider === ZERO_ADDRESS || job.targetProvider === provider.id) &&
    BigInt(job.escrowed) <= maxCoverableEscrow(BigInt(provider.freeStake), protocol.collateralRatioBps)
  );
}

/** A feed subscription's filter, validated once when the subscription starts. */
export interface FeedMatcher {
  provider: string | null;
  gpuModels: Set<string> | null;
  regions: Set<string> | null;
  tier: string | null;
  minPricePerGpuHour: bigint | null;
  maxGpuCount: number | null;
}

export function parseFeedFilter(filter: JobFeedFilter | null | undefined): FeedMatcher {
  const models = gpuModelList(filter?.gpuModels, "requirements.gpuModels");
  const regions = regionList(filter?.regions, "requirements.regions");
  return {
    provider: filter?.provider ?? null,
    gpuModels: models === null ? null : new Set(models),
    regions: regions === null ? null : new Set(regions),
    tier: filter?.tier === null || filter?.tier === undefined ? null : TIER_TO_SUBGRAPH[filter.tier],
    minPricePerGpuHour: filter?.minPricePerGpuHour ?? null,
    maxGpuCount:
      filter?.maxGpuCount === null || filter?.maxGpuCount === undefined
        ? null
        : intInRange(filter.maxGpuCount, 1, 65_535, "requirements.maxGpuCount"),
  };
}

/** Whether a job's own terms match the feed's explicit fields (the provider rule is checked separately). */
export function feedFieldsMatch(job: JobEntity, m: FeedMatcher): boolean {
  return (
    (m.gpuModels === null || m.gpuModels.has(job.gpuModelKey)) &&
    (m.regions === null || m.regions.has(job.regionKey)) &&
    (m.tier === null || job.tier === m.tier) &&
    (m.minPricePerGpuHour === null || BigInt(job.maxPricePerGpuHour) >= m.minPricePerGpuHour) &&
    (m.maxGpuCount === null || job.gpuCount <= m.maxGpuCount)
  );
}
