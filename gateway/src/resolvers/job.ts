// Job: a subgraph Job entity. `terms` gives back the JobTerms struct exactly as emitted, for acceptJob.
import type { Resolvers } from "../generated/graphql";
import { ChainError } from "../errors";
import {
  JOB_STATUS_FROM_SUBGRAPH,
  REFUND_REASON_FROM_SUBGRAPH,
  RULING_FROM_SUBGRAPH,
  SETTLEMENT_REASON_FROM_SUBGRAPH,
  TIER_ABI,
  TIER_FROM_SUBGRAPH,
} from "../model/enums";
import { chronological, eventAmount, eventKind } from "../model/events";
import { timeAt } from "../services/clock";
import { isPastAcceptDeadline } from "../services/job-filters";
import { readAtOf } from "../subgraph/reader";
import { optionalBigInt, optionalTime } from "./common";

export const jobResolvers: Resolvers = {
  Job: {
    status: (j) => JOB_STATUS_FROM_SUBGRAPH[j.status],
    client: (j) => j.client.id,
    provider: (j, _args, ctx) => (j.provider === null ? null : ctx.loaders.at(readAtOf(j)).provider.load(j.provider.id)),
    requirements: (j) => ({
      gpuModel: j.gpuModelKey === "*" ? null : j.gpuModelKey,
      // "" for a model no provider has registered (the subgraph made it for the job): no name, as for Provider.gpuModelName.
      gpuModelName: j.gpuModel?.name || null,
      gpuModelRaw: j.gpuModelRaw,
      region: j.regionKey === "*" ? null : j.regionKey,
      regionRaw: j.regionRaw,
      minVramGiB: j.minVramGiB,
      gpuCount: j.gpuCount,
      tier: TIER_FROM_SUBGRAPH[j.tier],
      minCompletedJobs: Number(j.minCompletedJobs),
      minSlashRewardBps: j.minSlashRewardBps,
    }),
    terms: (j) => ({
      requirements: {
        gpuModel: j.gpuModelRaw,
        region: j.regionRaw,
        minVramGiB: j.minVramGiB,
        gpuCount: j.gpuCount,
        tier: TIER_ABI[j.tier],
        minCompletedJobs: BigInt(j.minCompletedJobs),
        minSlashRewardBps: j.minSlashRewardBps,
      },
      maxPricePerGpuHour: BigInt(j.maxPricePerGpuHour),
      maxDuration: BigInt(j.maxDuration),
      acceptDeadline: BigInt(j.acceptDeadline),
      targetProvider: j.targetProvider,
      specHash: j.specHash,
    }),
    maxPricePerGpuHour: (j) => BigInt(j.maxPricePerGpuHour),
    maxDuration: (j) => Number(j.maxDuration),
    acceptDeadline: (j) => Number(j.acceptDeadline),
    // At the time of the block the job was read at (its page's, its event's), as openJobs judges deadlines.
    pastAcceptDeadline: async (j, _args, ctx) => {
      const at = readAtOf(j) ?? (await ctx.block.readAt());
      return isPastAcceptDeadline(j.acceptDeadline, await timeAt(at.block, () => ctx.loaders.at(at).blockClock()));
    },
    targetProvider: (j) => (j.directed ? j.targetProvider : null),
    escrowed: (j) => BigInt(j.escrowed),
    pricePerGpuHour: (j) => optionalBigInt(j.pricePerGpuHour),
    collateral: (j) => optionalBigInt(j.collateral),
    paramsVersion: (j) => (j.params === null ? null : Number(j.params.id)),
    resultDeadline: (j) => optionalTime(j.resultDeadline),
    challengeDeadline: (j) => optionalTime(j.challengeDeadline),
    result: (j) =>
      j.resultURI === null || j.resultHash === null || j.cost === null
        ? null
        : {
            uri: j.resultURI,
            hash: j.resultHash,
            cost: BigInt(j.cost),
            billedSeconds: Number(j.billedSeconds ?? 0),
            submittedBy: j.submittedBy,
          },
    settlement: (j) =>
      j.amountPaid === null || j.refund === null
        ? null
        : {
            reason: j.settlementReason === null ? null : SETTLEMENT_REASON_FROM_SUBGRAPH[j.settlementReason],
            amountPaid: BigInt(j.amountPaid),
            fee: optionalBigInt(j.fee),
            providerAmount: optionalBigInt(j.providerAmount),
            refund: BigInt(j.refund),
            countsForTrackRecord: j.countsForTrackRecord,
            refundReason: REFUND_REASON_FROM_SUBGRAPH[j.status] ?? null,
            slashed: BigInt(j.collateralSlashed),
            abandonedBy: j.abandonedBy,
          },
    dispute: (j) =>
      j.dispute === null
        ? null
        : {
            openedAt: Number(j.dispute.openedAt),
            deposit: BigInt(j.dispute.deposit),
            evidenceURI: j.dispute.evidenceURI,
            ruleDeadline: Number(j.dispute.ruleDeadline),
            answered: j.dispute.answered,
            answerEvidenceURI: j.dispute.answerEvidenceURI,
            ruling: RULING_FROM_SUBGRAPH[j.dispute.ruling],
            resolved: j.dispute.resolved,
            resolvedAt: optionalTime(j.dispute.resolvedAt),
            slashed: BigInt(j.dispute.slashed),
            reward: BigInt(j.dispute.reward),
          },
    createdAt: (j) => Number(j.createdAt),
    createdAtBlock: (j) => Number(j.createdAtBlock),
    acceptedAt: (j) => optionalTime(j.acceptedAt),
    submittedAt: (j) => optionalTime(j.submittedAt),
    closedAt: (j) => optionalTime(j.closedAt),
    updatedAt: (j) => Number(j.updatedAt),
    timeline: async (j, _args, ctx) => {
      const events = [...(await ctx.loaders.at(readAtOf(j)).eventsOfJob.load(j.id))].sort(chronological);
      return events.map((e) => ({
        kind: eventKind(e.__typename),
        timestamp: Number(e.timestamp),
        blockNumber: Number(e.blockNumber),
        transaction: e.transaction,
        logIndex: Number(e.logIndex),
        from: e.from,
        amount: eventAmount(e),
      }));
    },
    live: async (j, _args, ctx) => {
      if (ctx.chain === null) throw new ChainError("no chain RPC is configured for live reads");
      const live = await ctx.chain.job(BigInt(j.jobId));
      if (live === null) throw new ChainError(`JobEscrow has no job ${j.jobId} at the RPC's latest block`);
      return live;
    },
  },
};
