// Which providers: the product filters as graph-node `where` clauses, and the same rules in memory.
import type { ProviderFilter } from "../generated/graphql";
import { TIER_TO_SUBGRAPH } from "../model/enums";
import { JOB_LIMITS } from "../model/job-limits";
import type { ProviderEntity } from "../subgraph/entities";
import { allOf, anyOf, type Where } from "../subgraph/where";
import { gpuModelList, intInRange, regionList } from "./inputs";

/** IProviderRegistry.isActive, over the subgraph's fields. */
export function activeWhere(minStakePerGpu: string): Where {
  return { registered: true, online: true, stakePerGpu_gte: minStakePerGpu };
}

/** Registered and online, but under the minimum stake: online providers that may not take jobs. */
export function belowMinimumWhere(minStakePerGpu: string): Where {
  return { registered: true, online: true, stakePerGpu_lt: minStakePerGpu };
}

export function inactiveWhere(minStakePerGpu: string): Where {
  return anyOf({ registered: false }, { online: false }, { stakePerGpu_lt: minStakePerGpu });
}

export function isActive(provider: ProviderEntity, minStakePerGpu: string): boolean {
  return provider.registered && provider.online && BigInt(provider.stakePerGpu) >= BigInt(minStakePerGpu);
}

export function providerFilterWhere(filter: ProviderFilter | null | undefined, minStakePerGpu: string): Where {
  if (filter === null || filter === undefined) return {};
  const parts: Where[] = [];
  const column: Where = {};
  if (filter.active === true) parts.push(activeWhere(minStakePerGpu));
  if (filter.active === false) parts.push(inactiveWhere(minStakePerGpu));
  if (filter.registered !== null && filter.registered !== undefined) column.registered = filter.registered;
  if (filter.online !== null && filter.online !== undefined) column.online = filter.online;
  const models = gpuModelList(filter.gpuModels, "filter.gpuModels");
  if (models !== null) column.gpuModelKey_in = models;
  const regions = regionList(filter.regions, "filter.regions");
  if (regions !== null) column.regionKey_in = regions;
  if (filter.tier !== null && filter.tier !== undefined && filter.tier !== "ANY") column.tier = TIER_TO_SUBGRAPH[filter.tier];
  if (filter.minVramGiB !== null && filter.minVramGiB !== undefined) {
    // No provider may list more (ProviderRegistry.MAX_VRAM_GIB): a larger minimum is a mistake, not "none".
    column.vramGiB_gte = intInRange(filter.minVramGiB, 0, JOB_LIMITS.maxMinVramGiB, "filter.minVramGiB");
  }
  const minGpusFree = filter.minGpusFree ?? null;
  const minGpuCount = filter.minGpuCount ?? null;
  if (minGpusFree !== null) column.gpusFree_gte = intInRange(minGpusFree, 0, 65_535, "filter.minGpusFree");
  if (minGpuCount !== null) column.gpuCount_gte = intInRange(minGpuCount, 0, 65_535, "filter.minGpuCount");
  if (filter.maxPricePerGpuHour !== null && filter.maxPricePerGpuHour !== undefined) {
    column.pricePerGpuHour_lte = filter.maxPricePerGpuHour.toString();
  }
  if (filter.minReputation !== null && filter.minReputation !== undefined) {
    column.reputationScore_gte = intInRange(filter.minReputation, 0, 10_000, "filter.minReputation");
  }
  if (filter.operator !== null && filter.operator !== undefined) column.operator = filter.operator;
  // These ask "who offers this": a provider that deregistered (or only ever staked) offers nothing, though the
  // subgraph keeps the listing it left with (and a GPU count at 0 would pass its zeroed counts). A part of its own, so
  // that with `registered: false` the answer is empty, not a contradiction silently resolved for one side.
  if (asksForListing(filter)) parts.push({ registered: true });
  return allOf(column, ...parts);
}

/**
 * Whether the filter asks about what a provider offers (its listing, or its reputation as a provider to hire), which
 * only a registered provider has. `registered`, `online`, `active` and `operator` ask about the provider itself.
 */
function asksForListing(filter: ProviderFilter): boolean {
  const given = (value: unknown): boolean => value !== null && value !== undefined;
  return (
    given(filter.gpuModels) ||
    given(filter.regions) ||
    (given(filter.tier) && filter.tier !== "ANY") ||
    given(filter.minVramGiB) ||
    given(filter.minGpusFree) ||
    given(filter.minGpuCount) ||
    given(filter.maxPricePerGpuHour) ||
    given(filter.minReputation)
  );
}
