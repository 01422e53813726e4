import type { JobOrderField, ProviderOrderField, Resolvers } from "../generated/graphql";
import { badUserInput } from "../errors";
import { dayCount, pageSize } from "../limits/page-size";
import { cursorScope } from "../model/cursor";
import { parseJobId } from "../model/ids";
import { toConnection } from "../model/models";
import { availableCompute } from "../services/available-compute";
import { timeAt } from "../services/clock";
import { indexingStatus } from "../services/indexing";
import { acceptDeadlineWhere, acceptableJobsWhere, jobFilterWhere } from "../services/job-filters";
import { decodeKeysetCursor, keysetPage, type KeysetSort, type SortKeyType } from "../services/keyset";
import { requireKnownModelsAndRegions } from "../services/known-models";
import { networkStats } from "../services/network-stats";
import { isActive, providerFilterWhere } from "../services/provider-filters";
import type { JobEntity, ProviderEntity } from "../subgraph/entities";
import { allOf } from "../subgraph/where";

const PROVIDER_ORDER: Record<ProviderOrderField, { field: keyof ProviderEntity & string; type: SortKeyType }> = {
  ADDRESS: { field: "id", type: "Bytes" },
  PRICE: { field: "pricePerGpuHour", type: "BigInt" },
  REPUTATION: { field: "reputationScore", type: "Int" },
  FREE_GPUS: { field: "gpusFree", type: "Int" },
  GPU_COUNT: { field: "gpuCount", type: "Int" },
  VRAM: { field: "vramGiB", type: "Int" },
  STAKE: { field: "staked", type: "BigInt" },
  CREATED_AT: { field: "createdAt", type: "BigInt" },
};

/** Every job ordering is by a BigInt field. */
const JOB_ORDER: Record<JobOrderField, keyof JobEntity & string> = {
  CREATED: "jobId",
  UPDATED: "updatedAt",
  MAX_PRICE: "maxPricePerGpuHour",
  ESCROWED: "escrowed",
};

/** `bound`: the arguments that choose the rows, which the cursors are bound to. */
function providerSort(field: ProviderOrderField, direction: "asc" | "desc", bound: Record<string, unknown>): KeysetSort<ProviderEntity> {
  const { field: column, type } = PROVIDER_ORDER[field];
  return {
    scope: cursorScope(`providers:${field}:${direction.toUpperCase()}`, bound),
    field: column,
    direction,
    keyType: type,
    idKind: "hex",
    keyOf: (p) => String(p[column]),
  };
}

function jobSort(tagPrefix: string, field: JobOrderField, direction: "asc" | "desc", bound: Record<string, unknown>): KeysetSort<JobEntity> {
  const column = JOB_ORDER[field];
  return {
    scope: cursorScope(`${tagPrefix}:${field}:${direction.toUpperCase()}`, bound),
    field: column,
    direction,
    keyType: "BigInt",
    idKind: "integer",
    keyOf: (j) => String(j[column]),
  };
}

export const queryResolvers: Resolvers = {
  Query: {
    availableCompute: (_root, args, ctx) =>
      availableCompute(
        ctx.reader,
        ctx.head.head,
        { ...args, first: pageSize(args.first, 20, ctx.limits) },
        (position) => ctx.block.pageAt(position),
        (at) => ctx.loaders.at(at).blockClock(),
      ),

    providers: async (_root, args, ctx) => {
      const first = pageSize(args.first, 20, ctx.limits);
      const sort = providerSort(args.orderBy?.field ?? "ADDRESS", args.orderBy?.direction === "DESC" ? "desc" : "asc", { filter: args.filter });
      const position = decodeKeysetCursor(args.after, sort);
      const { protocol, at } = await ctx.reader.protocolOfPage(await ctx.block.pageAt(position));
      const where = providerFilterWhere(args.filter, protocol?.minStakePerGpu ?? "0");
      await requireKnownModelsAndRegions(
        ctx.reader,
        { values: args.filter?.gpuModels, argument: "filter.gpuModels" },
        { values: args.filter?.regions, argument: "filter.regions" },
        at,
      );
      return keysetPage((a) => ctx.reader.providerPage(a), ctx.head.head, where, sort, first, position, (p) => p, at);
    },

    provider: async (_root, args, ctx) => ctx.loaders.at(await ctx.block.readAt()).provider.load(args.address),

    jobs: async (_root, args, ctx) => {
      const first = pageSize(args.first, 20, ctx.limits);
      const sort = jobSort("jobs", args.orderBy?.field ?? "CREATED", args.orderBy?.direction === "ASC" ? "asc" : "desc", { filter: args.filter });
      const where = jobFilterWhere(args.filter);
      const position = decodeKeysetCursor(args.after, sort);
      const at = await ctx.block.pageAt(position);
      await requireKnownModelsAndRegions(
        ctx.reader,
        { values: args.filter?.gpuModels, argument: "filter.gpuModels" },
        { values: args.filter?.regions, argument: "filter.regions" },
        at,
      );
      // Deadlines are judged at the page's block time, as openJobs judges them (and Job.pastAcceptDeadline): every page
      // of a sequence reads its first page's block, so a job does not change sides between two pages.
      const past = args.filter?.pastAcceptDeadline;
      const deadline = past === null || past === undefined ? {} : acceptDeadlineWhere(past, await timeAt(at.block, () => ctx.loaders.at(at).blockClock()));
      return keysetPage((a) => ctx.reader.jobPage(a), ctx.head.head, allOf(where, deadline), sort, first, position, (j) => j, at);
    },

    job: async (_root, args, ctx) => {
      const id = parseJobId(args.id, "id");
      return ctx.loaders.at(await ctx.block.readAt()).job.load(id);
    },

    openJobs: async (_root, args, ctx) => {
      const first = pageSize(args.first, 20, ctx.limits);
      const sort = jobSort("openJobs", "CREATED", "asc", { provider: args.provider });
      const position = decodeKeysetCursor(args.after, sort);
      const at = await ctx.block.pageAt(position);
      const { protocol } = await ctx.reader.protocolOfPage(at);
      // The provider's stake and capacity decide which jobs it may take: judged at the page's block.
      const provider = await ctx.loaders.at(at).provider.load(args.provider);
      // An address that never registered (unknown to the index, or one that only staked) is most likely a typo or the
      // wrong network: an empty list would read as "no jobs for you yet". One that deregistered was a provider: empty.
      if (provider === null || provider.registeredAt === null) {
        throw badUserInput("provider", `${args.provider} is not a registered provider (at block ${at.block.number})`, {
          value: args.provider,
          provider: args.provider,
          indexedBlock: at.block.number,
        });
      }
      // Deadlines too, at its time: judged at the head's, a job whose deadline passed between two pages would drop
      // out of the later one. Where the page's block carries no time, the source's time of that block (timeAt).
      const now = await timeAt(at.block, () => ctx.loaders.at(at).blockClock());
      // While the guardian's pause lasts, JobEscrow.acceptJob reverts for every job: none may be accepted now.
      const paused = protocol !== null && BigInt(protocol.pausedUntil) > BigInt(now);
      if (protocol === null || paused || !isActive(provider, protocol.minStakePerGpu)) {
        return toConnection([] as JobEntity[], first, position !== null, (j) => j, () => "");
      }
      const where = acceptableJobsWhere(provider, protocol, now);
      return keysetPage((a) => ctx.reader.jobPage(a), ctx.head.head, where, sort, first, position, (j) => j, at);
    },

    networkStats: async (_root, args, ctx) => {
      const days = dayCount(args.days, 30, ctx.limits);
      return networkStats(ctx.reader, await ctx.block.head(), days, (at) => ctx.loaders.at(at).blockClock());
    },

    governance: async (_root, _args, ctx) => {
      // Proposal states and the pause are judged at the time of the block every field reads.
      const at = await ctx.block.readAt();
      return { now: await timeAt(at.block, () => ctx.loaders.at(at).blockClock()), at };
    },

    // The index's status at the request's block; pinned by this field, that block is a fresh poll's, not the last seen.
    indexingStatus: (_root, _args, ctx) => indexingStatus(ctx, ctx.block.head(() => ctx.head.refresh())),
  },
};
