import type { JobEscrow } from "../../../../typechain-types";
import type { CandidateJob } from "../../../../scripts/worker/market";

/**
 * Job `jobId` as its JobCreated event has it, in the shape the worker's market takes (what the gateway's openJobs
 * gives the worker): acceptJob needs the terms back verbatim, as their hash is stored.
 */
export async function createdCandidate(escrow: JobEscrow, jobId: bigint): Promise<CandidateJob> {
  const [created] = await escrow.queryFilter(escrow.filters.JobCreated(jobId));
  if (created === undefined) throw new Error(`no JobCreated event for job ${jobId}`);
  const { client, terms: t, specURI, escrowed } = created.args;
  return {
    jobId,
    client,
    specURI,
    escrowed,
    terms: {
      requirements: {
        gpuModel: t.requirements.gpuModel,
        region: t.requirements.region,
        minVramGiB: Number(t.requirements.minVramGiB),
        gpuCount: Number(t.requirements.gpuCount),
        tier: Number(t.requirements.tier),
        minCompletedJobs: Number(t.requirements.minCompletedJobs),
        minSlashRewardBps: Number(t.requirements.minSlashRewardBps),
      },
      maxPricePerGpuHour: t.maxPricePerGpuHour,
      maxDuration: Number(t.maxDuration),
      acceptDeadline: t.acceptDeadline,
      targetProvider: t.targetProvider,
      specHash: t.specHash,
    },
  };
}
