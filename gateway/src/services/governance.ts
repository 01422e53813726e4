// Governance: parameters with their bounds, and proposals with OpenZeppelin Governor's state judged at the
// indexed head's time.
import type { ProposalState, ResolversParentTypes } from "../generated/graphql";
import { badUserInput } from "../errors";
import { cursorScope, decodeCursor, encodeCursor, quotedCursor, type PinnedBlock } from "../model/cursor";
import { toConnection, type ProposalConnectionModel, type ProposalModel } from "../model/models";
import { parameterSpec } from "../model/parameters";
import type { ProposalEntity } from "../subgraph/entities";
import type { IndexedHead } from "../sources/head-watcher";
import { SOURCE_MAX_FIRST, UNKNOWN_BLOCK, type ReadAt, type SubgraphReader } from "../subgraph/reader";
import { readAt } from "./keyset";
import { allOf, anyOf, keysetAfter, type Where } from "../subgraph/where";

export type GovernanceParameterModel = ResolversParentTypes["GovernanceParameter"];

/**
 * GovernorCountingSimple + GovernorTimelockControl.state(), from the indexed fields. A queued proposal whose
 * timelock operation was cancelled (vetoed) is Canceled, as the governor says.
 */
export function proposalState(p: ProposalEntity, now: number): ProposalState {
  if (p.status === "Canceled") return "CANCELED";
  if (p.status === "Executed") return "EXECUTED";
  if (p.status === "Queued") {
    if (p.timelockOperation?.status === "Cancelled") return "CANCELED";
    if (p.timelockOperation?.status === "Executed") return "EXECUTED";
    return "QUEUED";
  }
  if (BigInt(p.voteStart) >= BigInt(now)) return "PENDING";
  if (BigInt(p.voteEnd) >= BigInt(now)) return "ACTIVE";
  return p.quorumReached && BigInt(p.forVotes) > BigInt(p.againstVotes) ? "SUCCEEDED" : "DEFEATED";
}

/**
 * The part of each state the subgraph can filter on; the rest (succeeded or defeated, a queued proposal vetoed in
 * the timelock) is told apart after fetching, by proposalState.
 */
function stateWhere(state: ProposalState, now: string): Where {
  switch (state) {
    case "CANCELED":
      return { status_in: ["Canceled", "Queued"] };
    case "EXECUTED":
      return { status_in: ["Executed", "Queued"] };
    case "QUEUED":
      return { status: "Queued" };
    case "PENDING":
      return { status: "Created", voteStart_gte: now };
    case "ACTIVE":
      return { status: "Created", voteStart_lt: now, voteEnd_gte: now };
    case "SUCCEEDED":
    case "DEFEATED":
      return { status: "Created", voteEnd_lt: now };
  }
}

export async function parameters(reader: SubgraphReader, at?: ReadAt): Promise<GovernanceParameterModel[]> {
  const { parameters: rows, totalSupply } = await reader.parameters(at);
  return rows.map((row) => {
    const spec = parameterSpec(row.id, row.addressValue !== null, totalSupply);
    return {
      contract: row.contractKind,
      contractAddress: row.contract,
      name: row.name,
      unit: spec.unit,
      value: row.value === null ? null : BigInt(row.value),
      address: row.addressValue,
      min: spec.min,
      max: spec.max,
      changeCount: row.changeCount,
      updatedAt: Number(row.updatedAt),
    };
  });
}

const TAG = "proposals:CREATED:DESC";

/** Proposal cursors before pages read one block carried no time: the states on the next page could not match. */
const BEFORE_PINNED_PAGES = { keyCount: 1, change: "its cursors now carry the time the proposals' states are judged at" };

/**
 * A page of proposals. Like the other lists, a sequence reads one block (the first page's, which its cursors carry)
 * and judges states at one time: the cursor also carries the `now` of the first page, so that a state filter and
 * the states shown never move between pages. `start` is the block a first page reads (the latest when undefined):
 * the one the rest of its `governance` answer reads, whose time `headNow` is.
 */
export async function proposals(
  reader: SubgraphReader,
  head: IndexedHead | null,
  headNow: number,
  states: readonly ProposalState[] | null | undefined,
  first: number,
  after: string | null | undefined,
  start?: ReadAt,
): Promise<ProposalConnectionModel> {
  if (states !== null && states !== undefined && states.length === 0) {
    throw badUserInput("states", "must not be empty (omit it to match any)", { value: states });
  }
  const scope = cursorScope(TAG, { states });
  const position = decodeCursor(after, scope, ["integer", "integer"], "integer", "after", BEFORE_PINNED_PAGES);
  const now = position === null ? headNow : Number(position.keys[1]);
  // As a number past 2^53 it would reach the source as "1e+80", a failed query (SOURCE_UNAVAILABLE).
  if (!Number.isSafeInteger(now) || now < 0) throw badUserInput("after", `${quotedCursor(after ?? "")} is not a cursor returned by this list`, { value: after });
  const wanted = states === null || states === undefined ? null : new Set(states);
  const nowText = String(now);
  const base = wanted === null ? {} : anyOf(...[...wanted].map((s) => stateWhere(s, nowText)));
  let at = position === null ? start : readAt(position.block, head);
  let block: PinnedBlock | null = position?.block ?? start?.block ?? null;
  let cursor: { keys: string[]; id: string } | null = position;
  const rows: ProposalEntity[] = [];
  // Until the page is full or the proposals run out: stopping after a few rounds would end the list (no next page)
  // wherever many proposals of the other state that shares the filter (succeeded/defeated) come first. After the
  // first round, the biggest batches: governance has few proposals, so this is a handful of requests at most.
  for (let round = 0; rows.length <= first; round++) {
    const size = round === 0 ? first + 1 : SOURCE_MAX_FIRST;
    const batch = await reader.proposalPage({
      where: cursor === null ? base : allOf(base, keysetAfter("createdAt", "desc", cursor.keys[0] ?? "0", cursor.id)),
      orderBy: "createdAt",
      orderDirection: "desc",
      first: size,
      ...(at === undefined ? {} : { at }),
    });
    // The first round of a first page says which block the sequence reads; the later rounds read it too.
    if (at === undefined && batch.block.number > 0) {
      block = batch.block;
      at = { ...readAt(batch.block, head), fromCursor: false };
    }
    rows.push(...batch.rows.filter((p) => wanted === null || wanted.has(proposalState(p, now))));
    const last = batch.rows[batch.rows.length - 1];
    if (batch.rows.length < size || last === undefined) break;
    cursor = { keys: [last.createdAt, nowText], id: last.id };
  }
  return toConnection(
    rows,
    first,
    position !== null,
    (entity): ProposalModel => ({ entity, now }),
    (p) => encodeCursor(scope, { keys: [p.createdAt, nowText], id: p.id, block: block ?? UNKNOWN_BLOCK }),
    block?.number ?? null,
  );
}
