// The limits JobEscrow.createJob enforces on a job's terms. They are constants of the contract (MIN_DURATION,
// MAX_DURATION, MAX_ACCEPT_WINDOW, MAX_URI_LENGTH), not governed parameters, so the subgraph holds none of them: this
// is the gateway's one copy (availableCompute's quote range and Query.deployment's jobLimits both read it), and
// test/gateway/resolvers/deployment.test.ts compares every value with the deployed contract's.

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
}

export const JOB_LIMITS: Readonly<JobLimits> = Object.freeze({
  minDurationSeconds: 60,
  maxDurationSeconds: 30 * DAY,
  maxAcceptWindowSeconds: 30 * DAY,
  maxUriBytes: 256,
});
