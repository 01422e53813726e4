// Activity-feed events of the subgraph (one entity type per contract event) as the product shows them.
import type { ActivityCategory } from "../generated/graphql";
import type { JobEventEntity, SubgraphEventCategory } from "../subgraph/entities";

/** Entity types not named after their event. */
const KIND_BY_TYPE: Record<string, string> = {
  Slash: "Slashed",
  Vote: "VoteCast",
  ParameterChange: "ParameterChanged",
  TokenRecovery: "TokensRecovered",
};

/** The contract event an entity records ("JobAcceptedEvent" -> "JobAccepted", "Slash" -> "Slashed"). */
export function eventKind(typename: string): string {
  return KIND_BY_TYPE[typename] ?? (typename.endsWith("Event") ? typename.slice(0, -"Event".length) : typename);
}

/** The main amount an event moved, whichever field holds it for its kind. */
export function eventAmount(e: JobEventEntity): bigint | null {
  const value = e.escrowed ?? e.collateral ?? e.cost ?? e.refund ?? e.amount ?? e.deposit ?? e.slashed ?? e.transferred ?? e.weight;
  return value === undefined ? null : BigInt(value);
}

/** Chain order: block, then log index. */
export function chronological(a: JobEventEntity, b: JobEventEntity): number {
  const block = Number(a.blockNumber) - Number(b.blockNumber);
  return block !== 0 ? block : Number(a.logIndex) - Number(b.logIndex);
}

export const CATEGORY_FROM_SUBGRAPH: Record<SubgraphEventCategory, ActivityCategory> = {
  Provider: "PROVIDER",
  Stake: "STAKE",
  Job: "JOB",
  Dispute: "DISPUTE",
  Governance: "GOVERNANCE",
  Timelock: "TIMELOCK",
  Parameter: "PARAMETER",
  Pause: "PAUSE",
  Token: "TOKEN",
};

export const CATEGORY_TO_SUBGRAPH = Object.fromEntries(
  Object.entries(CATEGORY_FROM_SUBGRAPH).map(([k, v]) => [v, k]),
) as Record<ActivityCategory, SubgraphEventCategory>;
