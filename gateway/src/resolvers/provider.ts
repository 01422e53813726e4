// Provider: a subgraph Provider entity, with its relations batched through the request's DataLoaders and `live`
// read from the chain (only reachable outside lists; see limits/query-limits.ts).
import type { GatewayContext } from "../context";
import type { Resolvers } from "../generated/graphql";
import { ChainError, badUserInput } from "../errors";
import { cursorScope } from "../model/cursor";
import { JOB_STATUS_TO_SUBGRAPH, SLASH_REASON_FROM_SUBGRAPH, TIER_FROM_SUBGRAPH } from "../model/enums";
import { gpuHours } from "../model/money";
import { toConnection, type ProviderModel } from "../model/models";
import { dayCount, pageSize } from "../limits/page-size";
import { nestedConnection, nestedPageRead, type NestedSort } from "../services/keyset";
import { isActive } from "../services/provider-filters";
import { lastDayAt } from "../services/clock";
import { providerHistory } from "../services/provider-history";
import { listedKey, type JobEntity, type SlashEntity, type ThawRequestEntity } from "../subgraph/entities";
import { readAtOf } from "../subgraph/reader";
import { allOf } from "../subgraph/where";
import { optionalTime } from "./common";

const PROVIDER_JOBS_TAG = "providerJobs:CREATED:DESC";
const PROVIDER_SLASHES_TAG = "providerSlashes:TIMESTAMP:DESC";
const PROVIDER_THAW_REQUESTS_TAG = "providerThawRequests:INDEX:DESC";

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
      if (args.statuses?.length === 0) throw badUserInput("statuses", "must not be empty (omit it to match any)", { value: args.statuses });
      // Bound to its provider too: one provider's cursor would page another's jobs after the first's position.
      const sort: NestedSort<JobEntity> = {
        scope: cursorScope(PROVIDER_JOBS_TAG, { provider: p.id, statuses: args.statuses }),
        field: "jobId",
        direction: "desc",
        keyKind: "integer",
        idKind: "integer",
        keyOf: (j) => j.jobId,
      };
      const page = nestedPageRead(p, args.after, sort, ctx.head.head);
      const statuses = args.statuses === null || args.statuses === undefined ? null : args.statuses.map((s) => JOB_STATUS_TO_SUBGRAPH[s]);
      const where = allOf(statuses === null ? null : { status_in: statuses }, page.after);
      const rows = await ctx.loaders
        .at(page.at)
        .jobsOfProvider.get({ first: first + 1, where, orderBy: "jobId", orderDirection: "desc" })
        .load(p.id);
      return toConnection(rows, first, page.position !== null, (j) => j, page.cursorOf, page.block?.number ?? null);
    },
    // The plain lists are their connections' nodes: one read (first + 1 rows) serves both where both are asked.
    slashes: async (p, args, ctx) => (await slashesConnection(p, args, ctx)).nodes,
    slashesConnection: (p, args, ctx) => slashesConnection(p, args, ctx),
    thawRequests: async (p, args, ctx) => (await thawRequestsConnection(p, args, ctx)).nodes,
    thawRequestsConnection: (p, args, ctx) => thawRequestsConnection(p, args, ctx),
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

interface NestedPageArguments {
  first?: number | null;
  after?: string | null;
}

function slashesConnection(p: ProviderModel, args: NestedPageArguments, ctx: GatewayContext) {
  const first = pageSize(args.first, 20, ctx.limits);
  const sort: NestedSort<SlashEntity> = {
    scope: cursorScope(PROVIDER_SLASHES_TAG, { provider: p.id }),
    field: "timestamp",
    direction: "desc",
    keyKind: "integer",
    idKind: "hex",
    keyOf: (s) => s.timestamp,
  };
  const page = nestedPageRead(p, args.after, sort, ctx.head.head);
  return nestedConnection(
    page,
    first,
    (rows) => ctx.loaders.at(page.at).slashesOfProvider.get(rows).load(p.id),
    (s, cursor) => ({
      cursor,
      reason: SLASH_REASON_FROM_SUBGRAPH[s.reason],
      jobId: s.job?.id ?? null,
      amount: BigInt(s.amount),
      reward: BigInt(s.reward),
      toTreasury: BigInt(s.toTreasury),
      beneficiary: s.beneficiary,
      timestamp: Number(s.timestamp),
      blockNumber: Number(s.blockNumber),
      transaction: s.transaction,
    }),
  );
}

function thawRequestsConnection(p: ProviderModel, args: NestedPageArguments, ctx: GatewayContext) {
  const first = pageSize(args.first, 20, ctx.limits);
  const sort: NestedSort<ThawRequestEntity> = {
    scope: cursorScope(PROVIDER_THAW_REQUESTS_TAG, { provider: p.id }),
    field: "requestIndex",
    direction: "desc",
    keyKind: "integer",
    idKind: "hex",
    keyOf: (t) => t.requestIndex,
  };
  const page = nestedPageRead(p, args.after, sort, ctx.head.head);
  return nestedConnection(
    page,
    first,
    (rows) => ctx.loaders.at(page.at).thawRequestsOfProvider.get(rows).load(p.id),
    (t, cursor) => ({
      cursor,
      index: Number(t.requestIndex),
      amount: BigInt(t.amount),
      requestedAt: Number(t.requestedAt),
      maturesAt: Number(t.maturesAt),
      withdrawn: t.withdrawn,
      withdrawnAt: optionalTime(t.withdrawnAt),
    }),
  );
}
