// Which jobs the worker takes. Each check returns the reason a job is skipped (for the log), or undefined.
// The requirement checks mirror what JobEscrow.acceptJob enforces, so a job the contract would refuse is skipped
// here for the price of a view call instead of a reverted transaction.

import { ethers } from "ethers";
import type { PolicyConfig } from "./config";
import { GPU_MODEL_ID_BYTES, REGION_ID_BYTES, TierCode, decodeShortId } from "./ids";
import type { CandidateJob, CollateralQuote, ProviderRecord } from "./market";

/** Checks that need nothing but the job and the config. */
export function screenJob(job: CandidateJob, provider: string, policy: PolicyConfig): string | undefined {
  const { terms } = job;
  if (terms.targetProvider !== ethers.ZeroAddress && terms.targetProvider.toLowerCase() !== provider.toLowerCase()) {
    return `directed at another provider (${terms.targetProvider})`;
  }
  if (terms.maxPricePerGpuHour < policy.minPricePerGpuHour) {
    return `pays at most ${terms.maxPricePerGpuHour} per GPU-hour, below policy.minPricePerGpuHour (${policy.minPricePerGpuHour})`;
  }
  if (terms.maxDuration > policy.maxDurationSeconds) {
    return `may run ${terms.maxDuration} s, above policy.maxDurationSeconds (${policy.maxDurationSeconds})`;
  }
  return undefined;
}

/** Checks against the provider's current on-chain record and the chain's time. */
export function matchRequirements(job: CandidateJob, record: ProviderRecord, chainTime: bigint): string | undefined {
  const { terms } = job;
  const required = terms.requirements;
  if (!record.active) return "the provider is not active (offline or under-staked)";
  if (chainTime > terms.acceptDeadline) return `its acceptance deadline (${terms.acceptDeadline}) has passed`;
  const model = decodeShortId(required.gpuModel, GPU_MODEL_ID_BYTES);
  if (model !== null && model !== record.gpuModel) return `requires GPU model ${model}, we list ${record.gpuModel}`;
  const region = decodeShortId(required.region, REGION_ID_BYTES);
  if (region !== null && region !== record.region) return `requires region ${region}, we list ${record.region}`;
  if (required.minVramGiB > record.vramGiB)
    return `requires ${required.minVramGiB} GiB per GPU, we list ${record.vramGiB}`;
  const free = record.gpuCount - record.gpusInUse;
  if (required.gpuCount > free) return `requires ${required.gpuCount} GPUs, ${free} of ${record.gpuCount} are free`;
  if (required.tier !== TierCode.Any && required.tier !== record.tier) {
    return `requires tier ${TierCode[required.tier]}, we list ${TierCode[record.tier]}`;
  }
  if (required.minCompletedJobs > record.completedJobs) {
    return `requires ${required.minCompletedJobs} completed jobs, we have ${record.completedJobs}`;
  }
  if (record.pricePerGpuHour > terms.maxPricePerGpuHour) {
    return `pays at most ${terms.maxPricePerGpuHour} per GPU-hour, our price is ${record.pricePerGpuHour}`;
  }
  return undefined;
}

/** Staking.lock's check on acceptance: the collateral must fit in the provider's free stake. */
export function checkCollateral(quote: CollateralQuote): string | undefined {
  if (quote.collateral <= quote.freeStake) return undefined;
  return `needs ${quote.collateral} wei of collateral, the provider's free stake is ${quote.freeStake} wei`;
}
