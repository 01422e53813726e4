import type { GatewayContext } from "../context";
import type { Resolvers } from "../generated/graphql";
import type { ProposalModel } from "../model/models";
import { VOTE_SUPPORT_FROM_SUBGRAPH } from "../model/enums";
import { parseProposalId } from "../model/ids";
import { pageSize } from "../limits/page-size";
import { parameters, proposalState, proposals } from "../services/governance";
import { cursorScope } from "../model/cursor";
import { nestedConnection, nestedPageRead, type NestedSort } from "../services/keyset";
import type { VoteEntity } from "../subgraph/entities";
import { optionalTime } from "./common";

const PROPOSAL_VOTES_TAG = "proposalVotes:TIMESTAMP:DESC";

export const governanceResolvers: Resolvers = {
  Governance: {
    // Every field reads the block of `g.at` (see GovernanceModel); the protocol's three share one cached request.
    parameters: (g, _args, ctx) => parameters(ctx.reader, g.at),
    economicParamsVersion: async (g, _args, ctx) => {
      const protocol = await ctx.reader.protocol(g.at);
      return protocol?.currentParams === null || protocol?.currentParams === undefined ? null : Number(protocol.currentParams.id);
    },
    paused: async (g, _args, ctx) => {
      const protocol = await ctx.reader.protocol(g.at);
      return protocol !== null && BigInt(protocol.pausedUntil) > BigInt(g.now);
    },
    pausedUntil: async (g, _args, ctx) => {
      const protocol = await ctx.reader.protocol(g.at);
      return protocol === null || protocol.pausedUntil === "0" ? null : Number(protocol.pausedUntil);
    },
    proposals: (g, args, ctx) =>
      proposals(ctx.reader, ctx.head.head, g.now, args.states, pageSize(args.first, 20, ctx.limits), args.after, g.at),
    proposal: async (g, args, ctx) => {
      const entity = await ctx.reader.proposal(parseProposalId(args.id, "id"), g.at);
      return entity === null ? null : { entity, now: g.now };
    },
  },
  Proposal: {
    id: (p) => p.entity.id,
    proposer: (p) => p.entity.proposer.id,
    title: (p) => p.entity.title,
    description: (p) => p.entity.description,
    state: (p) => proposalState(p.entity, p.now),
    voteStart: (p) => Number(p.entity.voteStart),
    voteEnd: (p) => Number(p.entity.voteEnd),
    forVotes: (p) => BigInt(p.entity.forVotes),
    againstVotes: (p) => BigInt(p.entity.againstVotes),
    abstainVotes: (p) => BigInt(p.entity.abstainVotes),
    quorum: (p) => BigInt(p.entity.quorum),
    quorumReached: (p) => p.entity.quorumReached,
    voterCount: (p) => p.entity.voteCount,
    actions: (p) =>
      p.entity.targets.map((target, i) => ({
        target,
        value: BigInt(p.entity.values[i] ?? 0),
        calldata: p.entity.calldatas[i] ?? "0x",
      })),
    createdAt: (p) => Number(p.entity.createdAt),
    eta: (p) => optionalTime(p.entity.eta),
    queuedAt: (p) => optionalTime(p.entity.queuedAt),
    executedAt: (p) => optionalTime(p.entity.executedAt),
    canceledAt: (p) => optionalTime(p.entity.canceledAt),
    // The plain list is its connection's nodes: one read (first + 1 rows) serves both where both are asked.
    votes: async (p, args, ctx) => (await votesConnection(p, args, ctx)).nodes,
    votesConnection: (p, args, ctx) => votesConnection(p, args, ctx),
  },
};

function votesConnection(p: ProposalModel, args: { first?: number | null; after?: string | null }, ctx: GatewayContext) {
  const first = pageSize(args.first, 20, ctx.limits);
  const sort: NestedSort<VoteEntity> = {
    scope: cursorScope(PROPOSAL_VOTES_TAG, { proposal: p.entity.id }),
    field: "timestamp",
    direction: "desc",
    keyKind: "integer",
    idKind: "hex",
    keyOf: (v) => v.timestamp,
  };
  // The proposal's block on a first page (readAtOf its entity), the cursor's after one.
  const page = nestedPageRead(p.entity, args.after, sort, ctx.head.head);
  return nestedConnection(
    page,
    first,
    (rows) => ctx.loaders.at(page.at).votesOfProposal.get(rows).load(p.entity.id),
    (v, cursor) => ({
      cursor,
      voter: v.voter.id,
      support: VOTE_SUPPORT_FROM_SUBGRAPH[v.support],
      weight: BigInt(v.weight),
      reason: v.reason,
      timestamp: Number(v.timestamp),
    }),
  );
}
