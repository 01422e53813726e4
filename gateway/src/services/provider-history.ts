// Provider.history: calendar days, as networkStats' history counts them. The subgraph writes a ProviderDay only for
// a day with a change, so its newest N rows may span months; a chart of "the last 7 days" wants the 7 days.
import type { ResolversParentTypes } from "../generated/graphql";
import { gpuHours } from "../model/money";
import type { ProviderDayEntity } from "../subgraph/entities";

const DAY = 86_400;

type ProviderDayStats = ResolversParentTypes["ProviderDayStats"];

function dayStats(day: number, entity: ProviderDayEntity | undefined, snapshot: ProviderDayEntity): ProviderDayStats {
  return {
    date: day * DAY,
    jobsAccepted: entity?.jobsAccepted ?? 0,
    jobsCompleted: entity?.jobsCompleted ?? 0,
    jobsTimedOut: entity?.jobsTimedOut ?? 0,
    disputesLost: entity?.disputesLost ?? 0,
    earned: BigInt(entity?.earned ?? 0),
    disputeDepositsWon: BigInt(entity?.disputeDepositsWon ?? 0),
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
