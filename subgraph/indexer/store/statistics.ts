// The query planner's statistics (sqlite_stat1/stat4). Without them SQLite chooses indexes by rules of thumb, and
// the entity tables have an index per column: for `providers(where: {registered, online, …}, orderBy: price)` it
// picks the two-valued `online` index and sorts every provider (a page of offers ~2x slower at 10,000 providers; a
// filter that matches nothing, such as providers below the minimum stake, ~20x). Statistics are gathered while
// following the head, where the data looks like what queries will see: when the indexer first reaches it, then
// again once enough blocks or time have passed. A full ANALYZE of a 100 MB database (10,000 providers, 100,000 rows)
// takes ~0.25 s of the indexing thread; readers are not blocked (WAL).
import type { IndexerDatabase } from "./database";

export interface StatisticsPolicy {
  /** Refresh after this many blocks since the last refresh (default 10,000)... */
  everyBlocks: number;
  /** ...or after this long, if any block was indexed meanwhile (default 10 minutes). */
  everyMs: number;
}

export const DEFAULT_STATISTICS_POLICY: StatisticsPolicy = { everyBlocks: 10_000, everyMs: 10 * 60_000 };

export class PlannerStatistics {
  private last: { block: number; at: number } | null = null;

  constructor(
    private readonly db: Pick<IndexerDatabase, "refreshStatistics">,
    private readonly policy: StatisticsPolicy = DEFAULT_STATISTICS_POLICY,
    private readonly now: () => number = Date.now,
  ) {}

  /** Called at the head with the checkpoint: refreshes when due; returns the milliseconds it took, or null. */
  refreshIfDue(checkpoint: number): number | null {
    if (!this.due(checkpoint)) return null;
    const started = this.now();
    this.db.refreshStatistics();
    const at = this.now();
    this.last = { block: checkpoint, at };
    return at - started;
  }

  private due(checkpoint: number): boolean {
    if (this.last === null) return true;
    const blocks = checkpoint - this.last.block;
    if (blocks <= 0) return false;
    return blocks >= this.policy.everyBlocks || this.now() - this.last.at >= this.policy.everyMs;
  }
}
