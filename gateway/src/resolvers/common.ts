import type { Resolvers } from "../generated/graphql";
import { formatLat } from "../model/money";

/** Amounts travel as bigint (wei) and are formatted only where a client asks for `lat`. */
export const tokenAmountResolvers: Resolvers = {
  TokenAmount: {
    wei: (amount) => amount,
    lat: (amount) => formatLat(amount),
  },
  OfferConnection: { nodes: (c) => c.edges.map((e) => e.node) },
  ProviderConnection: { nodes: (c) => c.edges.map((e) => e.node) },
  JobConnection: { nodes: (c) => c.edges.map((e) => e.node) },
  ProposalConnection: { nodes: (c) => c.edges.map((e) => e.node) },
};

/** A nullable big number of the subgraph (decimal text) as a bigint. */
export function optionalBigInt(value: string | null): bigint | null {
  return value === null ? null : BigInt(value);
}

/** A nullable timestamp of the subgraph (decimal text) as unix seconds. */
export function optionalTime(value: string | null): number | null {
  return value === null ? null : Number(value);
}
