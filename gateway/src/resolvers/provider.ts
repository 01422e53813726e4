// Provider: a subgraph Provider entity, with its relations batched through the request's DataLoaders and `live`
// read from the chain (only reachable outside lists; see limits/query-limits.ts).
import type { Resolvers } from "../generated/graphql";
import { ChainError, badUserInput } from "../errors";
import { cursorScope, decodeCursor, encodeCursor } from "../model/cursor";
import { JOB_STATUS_TO_SUBGRAPH, SLASH_REASON_FROM_SUBGRAPH, TIER_FROM_SUBGRAPH } from "../model/enums";
import { gpuHours } from "../model/money";
import { toConnection } from "../model/models";
import { dayCount, pageSize } from "../limits/page-size";
import { readAt } from "../services/keyset";
import { isActive } from "../services/provider-filters";
import { lastDayAt } from "../services/clock";
import { providerHistory } from "../services/provider-history";
import { listedKey } from "../subgraph/entities";
import { UNKNOWN_BLOCK, readAtOf } from "../subgraph/reader";
import { allOf, keysetAfter } from "../subgraph/where";
import { optionalTime } from "./common";

const PROVIDER_JOBS_TAG = "providerJobs:CREATED:DESC";

export const providerResolvers: Resolvers = {
  Provider: {
    address: (p) => p.id,
    active: async (p, _args, ctx) => {
      const protocol = await ctx.reader.protocol(readAtOf(p));
      return protocol !== null && isActive(p, protocol.minStakePerGpu);
    },
    gpuModel: (p) => listedKey(p.gpuModelKey),
    region: (p) => listedKey(p.regionKey),
    tier: (p) => (p.tier === null ? null : TIER_FROM_SUBGRAPH[p.tier]),
    pricePerGpuHour: (p) => BigInt(p.pricePerGpuHour),
    capacity: (p) => ({ gpuCount: p.gpuCount, gpusInUse: p.gpusInUse, gpusFree: p.gpusFree }),
    stake: async (p, _args, ctx) => {
      const protocol = await ctx.reader.protocol(readAtOf(p));
      const minimum = BigInt(protocol?.minStakePerGpu ?? 0);
      return {
        staked: BigInt(p.staked),
        locked: BigInt(p.locked),
        thawing: BigInt(p.thawing),
        free: BigInt(p.freeStake),
        perGpu: BigInt(p.stakePerGpu),
        minimumPerGpu: minimum,
        meetsMinimum: p.gpuCount > 0 && BigInt(p.stakePerGpu) >= minimum,
      };
    },
    reputation: (p) => ({
      score: p.reputationScore,
      jobsAccepted: p.jobsAccepted,
      jobsActive: p.jobsActive,
      jobsCompleted: p.jobsCompleted,
      jobsTimedOut: p.jobsTimedOut,
      jobsDeclined: p.jobsDeclined,
      disputesOpened: p.disputesOpened,
      disputesWon: p.disputesWon,
      disputesLost: p.disputesLost,
      disputesDrawn: p.disputesDrawn,
    }),
    earnings: (p) => ({
      earned: BigInt(p.earned),
      disputeDepositsWon: BigInt(p.disputeDepositsWon),
      disputeDepositsReturned: BigInt(p.disputeDepositsReturned),
      feesPaid: BigInt(p.feesPaid),
      slashed: BigInt(p.slashed),
      gpuHoursBilled: gpuHours(p.gpuSecondsBilled),
    }),
    createdAt: (p) => Number(p.createdAt),
    registeredAt: (p) => optionalTime(p.registeredAt),
    deregisteredAt: (p) => optionalTime(p.deregisteredAt),
    updatedAt: (p) => Number(p.updatedAt),
    jobs: async (p, args, ctx) => {
      const first = pageSize(args.first, 20, ctx.limits);
      // As jobs(filter: {statuses}) refuses it: an empty list matches no job, an answer the client did not mean.
      if (args.statuses?.length === 0) throw badUserInput("statuses", "must not be empty (omit it to match any)");
      // Bound to its provider too: one provider's cursor would page another's jobs after the first's position.
      const scope = cursorScope(PROVIDER_JOBS_TAG, { provider: p.id, statuses: args.statuses });
      const position = decodeCursor(args.after, scope, ["integer"], "integer");
      const statuses = args.statuses === null || args.statuses === undefined ? null : args.statuses.map((s) => JOB_STATUS_TO_SUBGRAPH[s]);
      const where = allOf(
        statuses === null ? null : { status_in: statuses },
        position === null ? null : keysetAfter("jobId", "desc", position.keys[0] ?? "0", position.id),
      );
      // A page sequence of its own: its first page reads the provider's block, and its cursors carry that block.
      const at = position === null ? readAtOf(p) : readAt(position.block, ctx.head.head);
      const rows = await ctx.loaders
        .at(at)
        .jobsOfProvider.get({ first: first + 1, where, orderBy: "jobId", orderDirection: "desc" })
        .load(p.id);
      const block = at?.block ?? null;
      return toConnection(
        rows,
        first,
        position !== null,
        (j) => j,
        (j) => encodeCursor(scope, { keys: [j.jobId], id: j.id, block: block ?? UNKNOWN_BLOCK }),
        block?.number ?? null,
      );
    },
    slashes: async (p, args, ctx) => {
      const rows = await ctx.loaders.at(readAtOf(p)).slashesOfProvider.get(pageSize(args.first, 20, ctx.limits, null, false)).load(p.id);
      return rows.map((s) => ({
        reason: SLASH_REASON_FROM_SUBGRAPH[s.reason],
        jobId: s.job?.id ?? null,
        amount: BigInt(s.amount),
        reward: BigInt(s.reward),
        toTreasury: BigInt(s.toTreasury),
        beneficiary: s.beneficiary,
        timestamp: Number(s.timestamp),
        blockNumber: Number(s.blockNumber),
        transaction: s.transaction,
      }));
    },
    thawRequests: async (p, args, ctx) => {
      const rows = await ctx.loaders.at(readAtOf(p)).thawRequestsOfProvider.get(pageSize(args.first, 20, ctx.limits, null, false)).load(p.id);
      return rows.map((t) => ({
        index: Number(t.requestIndex),
        amount: BigInt(t.amount),
        requestedAt: Number(t.requestedAt),
        maturesAt: Number(t.maturesAt),
        withdrawn: t.withdrawn,
        withdrawnAt: optionalTime(t.withdrawnAt),
      }));
    },
    history: async (p, args, ctx) => {
      const days = dayCount(args.days, 30, ctx.limits);
      // Read at the provider's block (the request's, for a provider that carries none), and dated by it.
      const at = readAtOf(p) ?? (await ctx.block.readAt());
      const loaders = ctx.loaders.at(at);
      const today = await lastDayAt(at.block, () => loaders.blockClock());
      if (today === null) return [];
      const fromDay = today - days + 1;
      const read = await loaders.daysOfProvider.get({ fromDay, first: days }).load(p.id);
      return providerHistory(read.days, read.before, fromDay, today);
    },
    live: async (p, _args, ctx) => {
      if (ctx.chain === null) throw new ChainError("no chain RPC is configured for live reads");
      return ctx.chain.provider(p.id);
    },
  },
};
