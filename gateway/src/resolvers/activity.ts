import type { Resolvers } from "../generated/graphql";
import { badUserInput } from "../errors";
import { pageSize } from "../limits/page-size";
import { CATEGORY_FROM_SUBGRAPH, CATEGORY_TO_SUBGRAPH, eventAmount, eventKind } from "../model/events";
import { cursorScope } from "../model/cursor";
import { parseJobId } from "../model/ids";
import { keysetConnection } from "../services/keyset";
import type { EventEntity } from "../subgraph/entities";
import type { Where } from "../subgraph/where";

export const activityResolvers: Resolvers = {
  Query: {
    activity: (_root, args, ctx) => {
      const filter = args.filter;
      const where: Where = {};
      if (filter?.categories !== null && filter?.categories !== undefined) {
        if (filter.categories.length === 0) throw badUserInput("filter.categories", "must not be empty (omit it to match any)");
        where.category_in = filter.categories.map((c) => CATEGORY_TO_SUBGRAPH[c]);
      }
      if (filter?.account !== null && filter?.account !== undefined) where.accounts_contains = [filter.account];
      if (filter?.provider !== null && filter?.provider !== undefined) where.provider = filter.provider;
      if (filter?.jobId !== null && filter?.jobId !== undefined) where.job = parseJobId(filter.jobId, "filter.jobId");
      return keysetConnection(
        (a) => ctx.reader.eventPage(a),
        ctx.head.head,
        where,
        // Newest block first; within a block by id (transaction hash and log index): stable, if not log order.
        {
          scope: cursorScope("activity:BLOCK:DESC", { filter }),
          field: "blockNumber",
          direction: "desc",
          keyType: "BigInt",
          idKind: "hex",
          keyOf: (e: EventEntity) => e.blockNumber,
        },
        pageSize(args.first, 20, ctx.limits),
        args.after,
        (e) => e,
      );
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
  },
  ActivityConnection: { nodes: (c) => c.edges.map((e) => e.node) },
};
