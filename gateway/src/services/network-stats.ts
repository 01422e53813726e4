// networkStats: the Protocol totals, the inventory by model and region, the count of active providers and the
// daily history with quiet days carried forward.
import type { ResolversParentTypes } from "../generated/graphql";
import { gpuHours } from "../model/money";
import type { IndexedHead } from "../sources/head-watcher";
import type { NetworkDayEntity } from "../subgraph/entities";
import { SOURCE_MAX_FIRST, pinRows, type BlockClock, type ReadAt, type SubgraphReader } from "../subgraph/reader";
import { allOf } from "../subgraph/where";
import { lastDayAt } from "./clock";
import { headReadAt } from "./keyset";
import { belowMinimumWhere } from "./provider-filters";

const DAY = 86_400;

/** NetworkStats with TokenAmount fields as wei (the TokenAmount resolvers format them). */
export type NetworkStatsModel = ResolversParentTypes["NetworkStats"];
type NetworkDayStats = ResolversParentTypes["NetworkDayStats"];

function dayStats(day: number, entity: NetworkDayEntity | undefined, carried: NetworkDayEntity | null): NetworkDayStats {
  const snapshot = entity ?? carried;
  return {
    date: day * DAY,
    jobsCreated: entity?.jobsCreated ?? 0,
    jobsCompleted: entity?.jobsCompleted ?? 0,
    volume: BigInt(entity?.volumePaid ?? 0),
    fees: BigInt(entity?.fees ?? 0),
    disputeDepositsWon: BigInt(entity?.disputeDepositsWon ?? 0),
    slashed: BigInt(entity?.slashed ?? 0),
    gpuHoursBilled: gpuHours(entity?.gpuSecondsBilled ?? "0"),
    providersRegistered: entity?.providersRegistered ?? 0,
    providers: snapshot?.providerCount ?? 0,
    onlineProviders: snapshot?.onlineProviderCount ?? 0,
    gpusTotal: snapshot?.gpusTotal ?? 0,
    gpusInUse: snapshot?.gpusInUse ?? 0,
    stakeTotal: BigInt(snapshot?.stakeTotal ?? 0),
    jobsRunning: snapshot?.jobsRunning ?? 0,
  };
}

/** `days` UTC days ending with the day of `at`'s block (lastDayAt), oldest first; none where nothing is indexed. */
async function history(reader: SubgraphReader, days: number, at: ReadAt, clock: () => Promise<BlockClock>): Promise<NetworkDayStats[]> {
  const today = await lastDayAt(at.block, clock);
  if (today === null) return [];
  const fromDay = today - days + 1;
  const [entities, before] = await Promise.all([reader.networkDays(fromDay, at), reader.networkDayBefore(fromDay, at)]);
  const byDay = new Map(entities.map((e) => [e.day, e]));
  const out: NetworkDayStats[] = [];
  let carried = before;
  for (let day = fromDay; day <= today; day++) {
    const entity = byDay.get(day);
    out.push(dayStats(day, entity, carried));
    if (entity !== undefined) carried = entity;
  }
  return out;
}

/**
 * Providers that are registered, online and meet `minStakePerGpu` (IProviderRegistry.isActive). The subgraph cannot
 * store this count exactly: a governance change of the minimum changes it for every provider at once, and no mapping
 * can recount them (mappings cannot enumerate entities). graph-node has no count either. So it is counted as a
 * complement: Protocol.onlineProviderCount (registered and online, kept exact by the mappings) minus the online
 * providers under the minimum, read in the same request (one block). Those are few, since a provider under the
 * minimum can take no job: one source request in all but unusual cases (right after governance raised the minimum
 * above most stakes), which page on, a thousand providers per request, instead of walking every active provider.
 */
export async function countActiveProviders(reader: SubgraphReader, minStakePerGpu: string, at?: ReadAt): Promise<number> {
  const below = belowMinimumWhere(minStakePerGpu);
  const first = await reader.onlineCountAndProviderIds(below, at);
  if (first === null) return 0;
  let belowCount = first.ids.length;
  const last = first.ids[first.ids.length - 1];
  if (belowCount === SOURCE_MAX_FIRST && last !== undefined) belowCount += await reader.countProviders(allOf(below, { id_gt: last }), at);
  return first.onlineProviderCount - belowCount;
}

/**
 * The statistics at `head`'s block. Every read asks for that block: read at the latest, the totals, the breakdowns
 * and the active count could come from different blocks (the index moving on between the requests, or since the
 * head was seen), disagreeing with each other and with `blockNumber`. A head a reorganisation replaced since is
 * refused by the source (BlockNotServedError). `clockAt` tells the block's time where the head carries none (in a
 * request, the loaders' blockClock, read once per block).
 */
export async function networkStats(
  reader: SubgraphReader,
  head: IndexedHead,
  days: number,
  clockAt: (at: ReadAt) => Promise<BlockClock> = (at) => reader.blockClock(at),
): Promise<NetworkStatsModel> {
  const at = headReadAt(head);
  let known: Promise<BlockClock> | null = null;
  const clock = () => (known ??= clockAt(at));
  const protocol = await reader.protocol(at);
  const [inventory, active, daily, timestamp] = await Promise.all([
    reader.inventory(at),
    protocol === null ? Promise.resolve(0) : countActiveProviders(reader, protocol.minStakePerGpu, at),
    history(reader, days, at, clock),
    // 0 only where the source tells no time for the block either: the block's time is not guessed.
    head.timestamp ?? clock().then((c) => c.timestamp ?? 0),
  ]);
  const p = protocol;
  const big = (v: string | undefined) => BigInt(v ?? 0);
  // Tagged with its block (readAtOf), as rows are: a networkStats subscription event names that block.
  const stats: NetworkStatsModel = {
    blockNumber: head.number,
    timestamp,
    providers: { registered: p?.providerCount ?? 0, online: p?.onlineProviderCount ?? 0, active },
    gpus: {
      total: p?.gpusTotal ?? 0,
      inUse: p?.gpusInUse ?? 0,
      free: p?.gpusFree ?? 0,
      online: p?.gpusOnline ?? 0,
      freeOnline: p?.gpusFreeOnline ?? 0,
    },
    gpusByModel: inventory.gpuModels
      .filter((m) => m.providerCount > 0)
      .map((m) => ({
        model: m.id,
        name: m.name,
        providers: m.providerCount,
        onlineProviders: m.onlineProviderCount,
        total: m.gpusTotal,
        free: m.gpusFree,
        online: m.gpusOnline,
        freeOnline: m.gpusFreeOnline,
      })),
    gpusByRegion: inventory.regions
      .filter((r) => r.providerCount > 0)
      .map((r) => ({
        region: r.id,
        providers: r.providerCount,
        onlineProviders: r.onlineProviderCount,
        total: r.gpusTotal,
        free: r.gpusFree,
        online: r.gpusOnline,
        freeOnline: r.gpusFreeOnline,
      })),
    stake: { total: big(p?.stakeTotal), locked: big(p?.stakeLocked), thawing: big(p?.stakeThawing) },
    jobs: {
      total: p?.jobCount ?? 0,
      open: p?.jobsOpen ?? 0,
      accepted: p?.jobsAccepted ?? 0,
      submitted: p?.jobsSubmitted ?? 0,
      disputed: p?.jobsDisputed ?? 0,
      completed: p?.jobsCompleted ?? 0,
      cancelled: p?.jobsCancelled ?? 0,
      expired: p?.jobsExpired ?? 0,
      declined: p?.jobsDeclined ?? 0,
      timedOut: p?.jobsTimedOut ?? 0,
      refunded: p?.jobsRefunded ?? 0,
    },
    volume: big(p?.volumePaid),
    fees: big(p?.feesTotal),
    providerEarnings: big(p?.providerEarningsTotal),
    disputeDepositsWon: big(p?.disputeDepositsWonTotal),
    refunds: big(p?.refundsTotal),
    slashed: big(p?.slashedTotal),
    escrowBalance: big(p?.escrowBalance),
    gpuHoursBilled: gpuHours(p?.gpuSecondsBilled ?? "0"),
    disputes: { total: p?.disputeCount ?? 0, open: p?.disputesOpen ?? 0 },
    history: daily,
  };
  pinRows([stats], at);
  return stats;
}
