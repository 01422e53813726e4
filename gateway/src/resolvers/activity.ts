import type { ParameterChangeDetail, Resolvers } from "../generated/graphql";
import { badUserInput } from "../errors";
import { pageSize } from "../limits/page-size";
import { CATEGORY_FROM_SUBGRAPH, CATEGORY_TO_SUBGRAPH, eventAmount, eventKind } from "../model/events";
import { cursorScope } from "../model/cursor";
import { parseJobId } from "../model/ids";
import { parameterSpec } from "../model/parameters";
import { decodeKeysetCursor, keysetPage, type KeysetSort } from "../services/keyset";
import type { EventEntity } from "../subgraph/entities";
import type { Where } from "../subgraph/where";

/** Newest block first; within a block by id (transaction hash and log index): stable, if not log order. */
function activitySort(filter: unknown): KeysetSort<EventEntity> {
  return {
    scope: cursorScope("activity:BLOCK:DESC", { filter }),
    field: "blockNumber",
    direction: "desc",
    keyType: "BigInt",
    idKind: "hex",
    keyOf: (e) => e.blockNumber,
  };
}

/** A ParameterChange's parameter, its unit as the governance panel gives it; null for any other event. */
function parameterChange(e: EventEntity): ParameterChangeDetail | null {
  if (e.parameterContract === undefined || e.parameterName === undefined) return null;
  const address = e.addressValue ?? null;
  const bigint = (value: string | null | undefined) => (value === null || value === undefined ? null : BigInt(value));
  return {
    contract: e.parameterContract,
    name: e.parameterName,
    unit: parameterSpec(`${e.parameterContract}.${e.parameterName}`, address !== null, null).unit,
    value: bigint(e.parameterValue),
    previousValue: bigint(e.previousValue),
    address,
    previousAddress: e.previousAddressValue ?? null,
  };
}

export const activityResolvers: Resolvers = {
  Query: {
    activity: async (_root, args, ctx) => {
      const filter = args.filter;
      const where: Where = {};
      if (filter?.categories !== null && filter?.categories !== undefined) {
        if (filter.categories.length === 0) throw badUserInput("filter.categories", "must not be empty (omit it to match any)", { value: filter.categories });
        where.category_in = filter.categories.map((c) => CATEGORY_TO_SUBGRAPH[c]);
      }
      if (filter?.account !== null && filter?.account !== undefined) where.accounts_contains = [filter.account];
      if (filter?.provider !== null && filter?.provider !== undefined) where.provider = filter.provider;
      if (filter?.jobId !== null && filter?.jobId !== undefined) where.job = parseJobId(filter.jobId, "filter.jobId");
      const first = pageSize(args.first, 20, ctx.limits);
      const sort = activitySort(filter);
      const position = decodeKeysetCursor(args.after, sort);
      const at = await ctx.block.pageAt(position);
      return keysetPage((a) => ctx.reader.eventPage(a), ctx.head.head, where, sort, first, position, (e) => e, at);
    },
  },
  ActivityEvent: {
    kind: (e) => eventKind(e.__typename),
    category: (e) => CATEGORY_FROM_SUBGRAPH[e.category],
    timestamp: (e) => Number(e.timestamp),
    blockNumber: (e) => Number(e.blockNumber),
    logIndex: (e) => Number(e.logIndex),
    jobId: (e) => e.job?.id ?? null,
    provider: (e) => e.provider?.id ?? null,
    amount: (e) => eventAmount(e),
    parameter: (e) => parameterChange(e),
    abandonedBy: (e) => e.abandonedBy ?? null,
  },
  ActivityConnection: { nodes: (c) => c.edges.map((e) => e.node) },
};
