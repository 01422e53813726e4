// The limits JobEscrow enforces on a job, in TypeScript: constants of the contract (MIN_DURATION, MAX_DURATION,
// MAX_ACCEPT_WINDOW, MAX_URI_LENGTH), not governed parameters, so the subgraph holds none of them and no program need
// read them from the chain. This is the one copy, next to the contract, below what reads it: the gateway
// (availableCompute's quote range, Query.deployment's jobLimits), the GPU worker (its policy's longest job, its result
// URI) and the deploy script. test/contracts/jobs/job-limits.test.ts compares every value with the contract's.

const DAY = 24 * 3600;

export interface JobLimits {
  /** JobEscrow.MIN_DURATION: the shortest `maxDuration`, in seconds. */
  minDurationSeconds: number;
  /** JobEscrow.MAX_DURATION: the longest `maxDuration`, in seconds. */
  maxDurationSeconds: number;
  /** JobEscrow.MAX_ACCEPT_WINDOW: how far after the creating block's time `acceptDeadline` may be, in seconds. */
  maxAcceptWindowSeconds: number;
  /** JobEscrow.MAX_URI_LENGTH: the longest spec (and result) URI, in bytes; an empty one is refused too. */
  maxUriBytes: number;
  /**
   * The largest `minVramGiB` a job may require: ProviderRegistry.MAX_VRAM_GIB, the most a provider may list, above
   * which JobEscrow refuses the job (JobEscrowInvalidMinVram) as one no provider could accept.
   */
  maxMinVramGiB: number;
}

export const JOB_LIMITS: Readonly<JobLimits> = Object.freeze({
  minDurationSeconds: 60,
  maxDurationSeconds: 30 * DAY,
  maxAcceptWindowSeconds: 30 * DAY,
  maxUriBytes: 256,
  maxMinVramGiB: 4096,
});
