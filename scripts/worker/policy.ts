// Which jobs the worker takes. Each check returns the reason a job is skipped (for the log), or undefined.
// The requirement checks mirror what JobEscrow.acceptJob enforces, so a job the contract would refuse is skipped
// here for the price of a view call instead of a reverted transaction.
//
// A refusal is `lasting` when nothing but a change of the provider's listing, stake or config could lift it while the
// job is open; a directed job refused that way is declined (policy.declineDirectedJobs). Everything that comes and
// goes by itself is not: GPUs or stake held by our other jobs, being offline, a track record that grows.

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
  // JobEscrow refuses a provider's own job (JobEscrowSelfDirectedJob): its timeout would pay the provider's slashed
  // stake back to the provider, skipping the thawing period.
  if (job.client.toLowerCase() === provider.toLowerCase()) return "posted by the provider itself, which JobEscrow refuses";
  if (terms.maxPricePerGpuHour < policy.minPricePerGpuHour) {
    return `pays at most ${terms.maxPricePerGpuHour} per GPU-hour, below policy.minPricePerGpuHour (${policy.minPricePerGpuHour})`;
  }
  if (terms.maxDuration > policy.maxDurationSeconds) {
    return `may run ${terms.maxDuration} s, above policy.maxDurationSeconds (${policy.maxDurationSeconds})`;
  }
  return undefined;
}

export interface Refusal {
  reason: string;
  lasting: boolean;
}

/** Checks against the provider's current on-chain record and the chain's time. */
export function matchRequirements(job: CandidateJob, record: ProviderRecord, chainTime: bigint): string | undefined {
  return requirementRefusal(job, record, chainTime)?.reason;
}

/** matchRequirements, saying whether the refusal is lasting. Lasting ones are looked for before passing ones. */
export function requirementRefusal(job: CandidateJob, record: ProviderRecord, chainTime: bigint): Refusal | undefined {
  const { terms } = job;
  const required = terms.requirements;
  const lasting = (reason: string): Refusal => ({ reason, lasting: true });
  const passing = (reason: string): Refusal => ({ reason, lasting: false });
  // Inactive, the record may be stale (a relisting on its way): nothing is lasting yet.
  if (!record.active) return passing(inactiveReason(record));
  // Too late to accept; the job's funds are the client's again through expireJob, without our transaction.
  if (chainTime > terms.acceptDeadline) return passing(`its acceptance deadline (${terms.acceptDeadline}) has passed`);
  if (record.operator !== ethers.ZeroAddress && job.client.toLowerCase() === record.operator.toLowerCase()) {
    return lasting(`posted by the provider's operator key (${record.operator}), which JobEscrow refuses`);
  }
  const model = decodeShortId(required.gpuModel, GPU_MODEL_ID_BYTES);
  if (model !== null && model !== record.gpuModel)
    return lasting(`requires GPU model ${model}, we list ${record.gpuModel}`);
  const region = decodeShortId(required.region, REGION_ID_BYTES);
  if (region !== null && region !== record.region) return lasting(`requires region ${region}, we list ${record.region}`);
  if (required.minVramGiB > record.vramGiB)
    return lasting(`requires ${required.minVramGiB} GiB per GPU, we list ${record.vramGiB}`);
  if (required.tier !== TierCode.Any && required.tier !== record.tier) {
    return lasting(`requires tier ${TierCode[required.tier]}, we list ${TierCode[record.tier]}`);
  }
  if (record.pricePerGpuHour > terms.maxPricePerGpuHour) {
    return lasting(`pays at most ${terms.maxPricePerGpuHour} per GPU-hour, our price is ${record.pricePerGpuHour}`);
  }
  const free = record.gpuCount - record.gpusInUse;
  if (required.gpuCount > free) {
    const reason = `requires ${required.gpuCount} GPUs, ${free} of ${record.gpuCount} are free`;
    return required.gpuCount > record.gpuCount ? lasting(reason) : passing(reason);
  }
  // Only the provider's own address can raise its cap: the worker, signing with the operator key, cannot.
  if (required.minSlashRewardBps > record.maxSlashRewardBps) {
    return lasting(`requires a slash reward cap of at least ${required.minSlashRewardBps} bps, ours is ${record.maxSlashRewardBps}`);
  }
  if (required.minCompletedJobs > record.completedJobs) {
    return passing(`requires ${required.minCompletedJobs} completed jobs, we have ${record.completedJobs}`);
  }
  return undefined;
}

/** Why an inactive provider takes no job, and who can change it: the operator key can do neither. */
export function inactiveReason(record: ProviderRecord): string {
  if (!record.online) return "the provider is offline: the worker puts it online at start (provider.onlineAtStart), or `npx hardhat provider online` does";
  if (record.stake === undefined || record.stake.held >= record.stake.required) return "the provider is not active (offline or under-staked)";
  const { held, required } = record.stake;
  return (
    `the provider is under-staked: ${held} wei staked (less what is thawing), below the ${required} wei its ${record.gpuCount} listed GPUs need ` +
    `(a slash or a thaw took it under): its owner adds at least ${required - held} wei with \`npx hardhat stake add\``
  );
}

/** Staking.lock's check on acceptance: the collateral must fit in the provider's free stake. */
export function checkCollateral(quote: CollateralQuote): string | undefined {
  return collateralRefusal(quote)?.reason;
}

/** checkCollateral; lasting when the collateral is more than would be free even once every job of ours has ended. */
export function collateralRefusal(quote: CollateralQuote): Refusal | undefined {
  if (quote.collateral <= quote.freeStake) return undefined;
  return {
    reason: `needs ${quote.collateral} wei of collateral, the provider's free stake is ${quote.freeStake} wei`,
    lasting: quote.collateral > quote.freeStake + quote.lockedStake,
  };
}
