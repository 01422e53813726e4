// Provider.history: calendar days, as networkStats' history counts them. The subgraph writes a ProviderDay only for
// a day with a change, so its newest N rows may span months; a chart of "the last 7 days" wants the 7 days.
import type { ResolversParentTypes } from "../generated/graphql";
import type { PinnedBlock } from "../model/cursor";
import { gpuHours } from "../model/money";
import type { ProviderDayEntity } from "../subgraph/entities";
import type { BlockClock } from "../subgraph/reader";

const DAY = 86_400;

type ProviderDayStats = ResolversParentTypes["ProviderDayStats"];

/** The UTC day number of a unix time, as the subgraph numbers ProviderDay.day. */
export function dayOf(seconds: number): number {
  return Math.floor(seconds / DAY);
}

/**
 * The day a history read at `block` ends with: the block's own, the day its rows were written under. Not the
 * request's head's, nor the wall clock's: a page after a cursor reads an older block, and around midnight UTC either
 * may be a day after the block's (a day it had not reached) or before it (leaving its last day out). Null where
 * nothing is indexed at the block (no history).
 */
export async function lastDayAt(block: PinnedBlock, clock: () => Promise<BlockClock>): Promise<number | null> {
  if (block.timestamp !== undefined) return dayOf(block.timestamp);
  const known = await clock();
  if (known.timestamp !== null) return dayOf(known.timestamp);
  // The source cannot say when the block was. The newest day a day entity was written for is one the block reached:
  // no day after the block's is made up. The days after it, up to the block's own, have no day entity, so none of
  // this provider's rows: leaving them out drops only zero counts and unchanged snapshots, where guessing the day from
  // another clock could date the block a day off.
  return known.newestDay;
}

function dayStats(day: number, entity: ProviderDayEntity | undefined, snapshot: ProviderDayEntity): ProviderDayStats {
  return {
    date: day * DAY,
    jobsAccepted: entity?.jobsAccepted ?? 0,
    jobsCompleted: entity?.jobsCompleted ?? 0,
    jobsTimedOut: entity?.jobsTimedOut ?? 0,
    disputesLost: entity?.disputesLost ?? 0,
    earned: BigInt(entity?.earned ?? 0),
    slashed: BigInt(entity?.slashed ?? 0),
    gpuHoursBilled: gpuHours(entity?.gpuSecondsBilled ?? "0"),
    staked: BigInt(snapshot.staked),
    gpusInUse: snapshot.gpusInUse,
    pricePerGpuHour: BigInt(snapshot.pricePerGpuHour),
    online: snapshot.online,
    reputation: snapshot.reputationScore,
  };
}

/**
 * The days fromDay..today, newest first, from the provider's rows of those days (`rows`) and its last row before
 * them (`before`, null if none). A day without a row counts nothing and keeps the snapshot of the last day before it.
 * Days before its first row are left out: it did not exist yet, and a made-up snapshot (no stake, offline, a score)
 * would chart as if it had.
 */
export function providerHistory(rows: readonly ProviderDayEntity[], before: ProviderDayEntity | null, fromDay: number, today: number): ProviderDayStats[] {
  const byDay = new Map(rows.map((r) => [r.day, r]));
  const out: ProviderDayStats[] = [];
  let carried = before;
  for (let day = fromDay; day <= today; day++) {
    const entity = byDay.get(day);
    const snapshot = entity ?? carried;
    if (snapshot === null) continue;
    out.push(dayStats(day, entity, snapshot));
    carried = snapshot;
  }
  return out.reverse();
}
