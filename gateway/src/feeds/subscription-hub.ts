// Subscriptions, driven by the indexed head: when it advances, the hub runs one shared set of source queries (the
// jobs created in the new blocks, the subscribed jobs' current state, fresh statistics) and hands each subscriber
// its share. A thousand workers watching for jobs cost the source what one does.
import { shuttingDown } from "../errors";
import type { Logger } from "../logger";
import type { HeadWatcher, IndexedHead } from "../sources/head-watcher";
import type { JobEntity, ProviderEntity } from "../subgraph/entities";
import { SOURCE_MAX_FIRST, type SubgraphReader } from "../subgraph/reader";
import { chainNow } from "../services/clock";
import { feedFieldsMatch, providerMayAccept, type FeedMatcher } from "../services/job-filters";
import { networkStats, type NetworkStatsModel } from "../services/network-stats";
import { isActive } from "../services/provider-filters";
import { Channel } from "./channel";

interface JobOpenedSubscriber {
  matcher: FeedMatcher;
  channel: Channel<JobEntity>;
}

interface JobUpdatedSubscriber {
  jobId: string;
  /** What was last sent, to send only changes. */
  lastSent: string;
  channel: Channel<JobEntity>;
}

interface StatsSubscriber {
  days: number;
  channel: Channel<NetworkStatsModel>;
}

/**
 * Blocks below a reorged head whose jobs are looked at again (the embedded indexer's default reorg threshold is 50):
 * the blocks the reorg replaced may hold jobs that were never offered.
 */
const REORG_RESCAN_BLOCKS = 64;

/**
 * Statuses no transaction leaves (JobStatus's settled, refunded and never-run states): a jobUpdated feed that has sent
 * one has nothing more to send, so it ends instead of holding a subscription slot forever.
 */
const FINAL_STATUSES: ReadonlySet<JobEntity["status"]> = new Set(["Completed", "Cancelled", "Expired", "Declined", "TimedOut", "Refunded"]);

/** A job as offered: after a reorg the same id may be another job (ids are a counter), the same terms the same one. */
const offerKey = (job: JobEntity) => `${job.id}:${job.termsHash}`;

/**
 * Whether `head` is known to be the child of `scanned`, so that the blocks scanned up to `scanned` are still the
 * chain's. A head a few blocks up is not: the hub only ever sees heads' hashes, never those of the blocks between,
 * and a block it scanned may have been replaced on the way (block N replaced, the next head seen N+1 or higher).
 */
function extendsHead(head: IndexedHead, scanned: IndexedHead): boolean {
  return head.number === scanned.number + 1 && head.parentHash !== null && scanned.hash !== null && head.parentHash === scanned.hash;
}

export class SubscriptionHub {
  private readonly opened = new Set<JobOpenedSubscriber>();
  private readonly updated = new Set<JobUpdatedSubscriber>();
  private readonly stats = new Set<StatsSubscriber>();
  /** Jobs created up to this head have been offered to jobOpened subscribers. */
  private scanned: IndexedHead | null = null;
  /**
   * The jobs of blocks above this one were all read with subscribers listening, so recentlyOffered knows them: a
   * rescan after a reorg goes no lower, or it would offer the jobs of blocks scanned while nobody subscribed.
   */
  private rescanFloor = 0;
  /** The jobs offered from the last REORG_RESCAN_BLOCKS blocks (offerKey to creation block), not to offer twice. */
  private readonly recentlyOffered = new Map<string, number>();
  private unsubscribe: (() => void) | null = null;

  constructor(
    private readonly reader: SubgraphReader,
    private readonly head: HeadWatcher,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.unsubscribe = this.head.subscribe((head) => this.onHead(head));
  }

  stop(): void {
    this.unsubscribe?.();
    for (const s of [...this.opened, ...this.updated]) s.channel.fail(shuttingDown());
    for (const s of this.stats) s.channel.fail(shuttingDown());
  }

  get subscriberCount(): number {
    return this.opened.size + this.updated.size + this.stats.size;
  }

  /** Jobs posted from the next indexed block on that match `matcher`. */
  async jobOpened(matcher: FeedMatcher): Promise<AsyncIterableIterator<JobEntity>> {
    const head = await this.head.ensureHead();
    if (this.scanned === null) {
      this.scanned = head;
      this.rescanFloor = head.number;
    }
    const subscriber: JobOpenedSubscriber = { matcher, channel: new Channel(() => this.opened.delete(subscriber)) };
    this.opened.add(subscriber);
    return subscriber.channel;
  }

  /** `job` now, then each time its indexed state changes, ending after the first state in a final status. */
  jobUpdated(job: JobEntity): AsyncIterableIterator<JobEntity> {
    const subscriber: JobUpdatedSubscriber = {
      jobId: job.id,
      lastSent: JSON.stringify(job),
      channel: new Channel(() => this.updated.delete(subscriber)),
    };
    this.updated.add(subscriber);
    subscriber.channel.push(job);
    if (FINAL_STATUSES.has(job.status)) subscriber.channel.end();
    return subscriber.channel;
  }

  /** Statistics now, then at every new head. */
  async networkStats(days: number): Promise<AsyncIterableIterator<NetworkStatsModel>> {
    const head = await this.head.ensureHead();
    const current = await networkStats(this.reader, head, days);
    const subscriber: StatsSubscriber = { days, channel: new Channel(() => this.stats.delete(subscriber), 16) };
    this.stats.add(subscriber);
    subscriber.channel.push(current);
    return subscriber.channel;
  }

  private async onHead(head: IndexedHead): Promise<void> {
    const scanned = this.scanned;
    let from = scanned?.number ?? null;
    // A head that is not known to extend the last one scanned may sit on blocks that replaced scanned ones (a
    // reorg, seen as a head at the same height, lower, or higher): look at the last blocks again, or the jobs of
    // the replacing blocks would never be offered. Those already offered are not offered again (recentlyOffered).
    if (scanned !== null && !extendsHead(head, scanned)) {
      from = Math.max(this.rescanFloor, Math.min(scanned.number, head.number - REORG_RESCAN_BLOCKS));
    }
    const listening = this.opened.size > 0;
    const [opened] = await Promise.all([
      from !== null && head.number > from && listening ? this.deliverOpened(from, head) : true,
      this.updated.size > 0 ? this.deliverUpdated() : undefined,
      this.stats.size > 0 ? this.deliverStats(head) : undefined,
    ]);
    // Blocks whose jobs could not be read stay unscanned: the next head offers them, instead of a worker never
    // hearing of a job because the source failed once.
    if (opened) this.scanned = head;
    if (!listening) this.rescanFloor = head.number;
  }

  /** False when the jobs could not be read (nothing was sent). */
  private async deliverOpened(afterBlock: number, head: IndexedHead): Promise<boolean> {
    try {
      const jobs = (await this.jobsCreatedIn(afterBlock, head.number)).filter((job) => !this.recentlyOffered.has(offerKey(job)));
      for (const [key, block] of this.recentlyOffered) if (block <= head.number - REORG_RESCAN_BLOCKS) this.recentlyOffered.delete(key);
      if (jobs.length === 0) return true;
      const providerIds = [...new Set([...this.opened].map((s) => s.matcher.provider).filter((p): p is string => p !== null))];
      const [providers, protocol] = await Promise.all([
        providerIds.length === 0 ? Promise.resolve([] as ProviderEntity[]) : this.reader.providersByIds(providerIds),
        this.reader.protocol(),
      ]);
      const byId = new Map(providers.map((p) => [p.id, p]));
      const now = chainNow(head);
      for (const subscriber of this.opened) {
        const { matcher } = subscriber;
        const provider = matcher.provider === null ? null : byId.get(matcher.provider);
        for (const job of jobs) {
          if (job.status !== "Open" || !feedFieldsMatch(job, matcher)) continue;
          if (matcher.provider !== null) {
            if (provider === undefined || provider === null || protocol === null) continue;
            // An inactive provider (offline, under the minimum stake, deregistered) may accept nothing: openJobs
            // is empty for it, and acceptJob would revert in the registry.
            if (!isActive(provider, protocol.minStakePerGpu) || !providerMayAccept(job, provider, protocol, now)) continue;
          }
          subscriber.channel.push(job);
        }
      }
      for (const job of jobs) this.recentlyOffered.set(offerKey(job), Number(job.createdAtBlock));
      return true;
    } catch (error) {
      this.logger.warn("jobOpened feed could not read a head's jobs; it tries again at the next head", { block: head.number, error });
      return false;
    }
  }

  private async jobsCreatedIn(afterBlock: number, throughBlock: number): Promise<JobEntity[]> {
    const jobs: JobEntity[] = [];
    let lastJobId: string | null = null;
    for (;;) {
      const page: JobEntity[] = await this.reader.jobs({
        where: {
          createdAtBlock_gt: String(afterBlock),
          createdAtBlock_lte: String(throughBlock),
          ...(lastJobId === null ? {} : { jobId_gt: lastJobId }),
        },
        orderBy: "jobId",
        orderDirection: "asc",
        first: SOURCE_MAX_FIRST,
      });
      jobs.push(...page);
      if (page.length < SOURCE_MAX_FIRST) return jobs;
      lastJobId = page[page.length - 1]?.jobId ?? null;
    }
  }

  private async deliverUpdated(): Promise<void> {
    try {
      const ids = [...new Set([...this.updated].map((s) => s.jobId))];
      const current = new Map<string, JobEntity>();
      for (let i = 0; i < ids.length; i += SOURCE_MAX_FIRST) {
        for (const job of await this.reader.jobsByIds(ids.slice(i, i + SOURCE_MAX_FIRST))) current.set(job.id, job);
      }
      for (const subscriber of this.updated) {
        const job = current.get(subscriber.jobId);
        if (job === undefined) continue;
        const encoded = JSON.stringify(job);
        if (encoded === subscriber.lastSent) continue;
        subscriber.lastSent = encoded;
        subscriber.channel.push(job);
        // end() removes the subscriber from this.updated (onClose); deleting the current entry is safe in for...of.
        if (FINAL_STATUSES.has(job.status)) subscriber.channel.end();
      }
    } catch (error) {
      this.logger.warn("jobUpdated feed skipped a head", { error });
    }
  }

  private async deliverStats(head: IndexedHead): Promise<void> {
    const byDays = new Map<number, Promise<NetworkStatsModel>>();
    await Promise.all(
      [...this.stats].map(async (subscriber) => {
        let pending = byDays.get(subscriber.days);
        if (pending === undefined) {
          pending = networkStats(this.reader, head, subscriber.days);
          byDays.set(subscriber.days, pending);
        }
        try {
          subscriber.channel.push(await pending);
        } catch (error) {
          this.logger.warn("networkStats feed skipped a head", { block: head.number, error });
        }
      }),
    );
  }
}
