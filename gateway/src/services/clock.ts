// The time an answer read at a block judges by: that block's own, on the chain's clock. Deadlines, the guardian's
// pause and proposal states are judged as the contracts judge them, by block time, and daily history ends with the
// block's day. Neither the request's head's time nor the wall clock will do: a page after a cursor reads an older
// block than the head, a head may carry no time, and a chain's time can run apart from the wall clock (test chains
// moved forward, networks with slow blocks). Around midnight UTC, or a deadline, either may be on the other side.
import type { PinnedBlock } from "../model/cursor";
import type { BlockClock } from "../subgraph/reader";

const DAY = 86_400;

/** The UTC day number of a unix time, as the subgraph numbers NetworkDay.day and ProviderDay.day. */
export function dayOf(seconds: number): number {
  return Math.floor(seconds / DAY);
}

/**
 * The day a history read at `block` ends with: the block's own, the day its rows were written under. `clock` asks
 * the source (read only where the block carries no time; the loaders' blockClock reads it once per block per
 * request). Null where nothing is indexed at the block (no history).
 */
export async function lastDayAt(block: PinnedBlock, clock: () => Promise<BlockClock>): Promise<number | null> {
  if (block.timestamp !== undefined) return dayOf(block.timestamp);
  const known = await clock();
  if (known.timestamp !== null) return dayOf(known.timestamp);
  // The source cannot say when the block was. The newest day a day entity was written for is one the block reached:
  // no day after the block's is made up. The days after it, up to the block's own, have no day entity, so no rows:
  // leaving them out drops only zero counts and unchanged snapshots, where guessing the day from another clock could
  // date the block a day off.
  return known.newestDay;
}

/**
 * The time deadlines and the pause are judged at for an answer read at `block`, unix seconds. `clock` as for
 * lastDayAt.
 */
export async function timeAt(block: PinnedBlock, clock: () => Promise<BlockClock>): Promise<number> {
  if (block.timestamp !== undefined) return block.timestamp;
  const known = await clock();
  if (known.timestamp !== null) return known.timestamp;
  // The source cannot say when the block was, nor could the chain (the head watcher asks it for a head's time where
  // the source gives none: HeadWatcherOptions.chainBlockOf). The time of the last change the index recorded
  // (Protocol.updatedAt) is one the block reached, on the chain's clock, and it is the block's own: every page of a
  // sequence, which reads the first page's block, judges at the same time, where the head's time or the wall clock
  // would move between pages and could lie past the block's (hiding jobs it still offered, ending its pause early).
  // What it gets wrong is only the quiet since that change: a deadline in it is judged not yet passed, as the index
  // last saw it, which acceptJob then tells the provider at once. Nothing recorded yet: nothing has a deadline to pass
  // either.
  return known.newestTime ?? 0;
}
