// Subscriptions, driven by the indexed head: when it advances, the hub runs one shared set of source queries (the
// jobs created in the new blocks, the subscribed jobs' current state, fresh statistics) and hands each subscriber
// its share. A thousand workers watching for jobs cost the source what one does.
//
// Every read for a head asks for that head's block (by hash where the source gave one), never the latest: the index
// moves on while a head is handled, and jobs judged with the protocol or providers of another block (a minimum stake,
// a pause), or a job's state sent from a later block than the head, would mix two blocks. A head that a reorg replaces
// while it is handled is refused by the source; what it would have sent is sent at the next head, which the watcher
// reports since its hash differs.
import { badUserInput, jobReorged, replayOverflow, shuttingDown } from "../errors";
import type { SubscriptionSlot } from "../limits/subscription-limits";
import { serialise, type Logger } from "../logger";
import type { HeadWatcher, IndexedHead } from "../sources/head-watcher";
import type { JobEntity, ProviderEntity } from "../subgraph/entities";
import type { PinnedBlock } from "../model/cursor";
import { SOURCE_MAX_FIRST, readAtOf, type ReadAt, type SubgraphReader } from "../subgraph/reader";
import { timeAt } from "../services/clock";
import { headReadAt } from "../services/keyset";
import { feedFieldsMatch, providerMayAccept, type FeedMatcher } from "../services/job-filters";
import { networkStats, type NetworkStatsModel } from "../services/network-stats";
import { isActive } from "../services/provider-filters";
import type { Where } from "../subgraph/where";
import { Channel, DEFAULT_MAX_QUEUED } from "./channel";
import { SharedRead } from "./shared-read";

/** A subscriber as the shared reads serving it know it: they are given up once all theirs have left. */
interface Served {
  /** The shared reads in flight that serve it: each is told when it leaves (its channel closes). */
  reads: Set<SharedRead>;
}

/** A shared read that every subscriber it served left (or the hub stopped): nobody waits for what it would say. */
const GIVEN_UP = Symbol("given up");

interface JobOpenedSubscriber extends Served {
  matcher: FeedMatcher;
  channel: Channel<JobEntity>;
  /**
   * While its replay (after `sinceBlock`) is read: the live jobs, held back to follow it, at most MAX_REPLAYED_JOBS
   * (the subscription ends past that). Null once they flow (at once without sinceBlock).
   */
  held: { sinceBlock: number; jobs: JobEntity[] } | null;
  /** The jobs replayed (offerKey): a reorg rescan may offer one of them again. */
  replayed: Set<string>;
  /**
   * Live jobs created in (from, through] are not sent: blocks above the hub's scanned head that the client said it
   * already has (a sinceBlock above it, e.g. read from a gateway further ahead). Empty without sinceBlock.
   */
  skip: { from: number; through: number };
}

interface JobUpdatedSubscriber extends Served {
  jobId: string;
  /** The job followed is this id with these terms: after a reorg another job may hold the id (ids are a counter). */
  termsHash: string;
  /** Its creation block as last sent. */
  createdAtBlock: number;
  /** What was last sent, to send only changes. */
  lastSent: string;
  /**
   * The block of the final status last sent (or the head it was first seen at, which is no lower), null while the
   * status is not final: the feed ends once that block is deeper than the reorg threshold, when no reorg can undo it.
   */
  finalAt: number | null;
  /** The block of the state first sent while heads the hub handles may be older (see covers), else null. */
  firstRead: PinnedBlock | null;
  channel: Channel<JobEntity>;
  /** Given back while finalAt is set (see SubscriptionSlot); null outside a WebSocket server. */
  slot: SubscriptionSlot | null;
}

interface ClientJobsSubscriber extends Served {
  channel: Channel<JobEntity>;
}

/** What a clientJobsUpdated group last sent of one job. */
interface SentJob {
  encoded: string;
  termsHash: string;
  createdAtBlock: number;
  /** The head it was sent at: dropped once deeper than REORG_RESCAN_BLOCKS, where no reorg changes it. */
  at: number;
}

/**
 * The clientJobsUpdated subscribers of one client: the jobs' changes are found and read once for all of them, and
 * what was sent is kept once, to send only changes and to look again at the jobs a reorg may have changed.
 */
interface ClientGroup {
  client: string;
  subscribers: Set<ClientJobsSubscriber>;
  /** By job id, the jobs sent in the last REORG_RESCAN_BLOCKS heads. */
  sent: Map<string, SentJob>;
}

interface StatsSubscriber extends Served {
  days: number;
  /** The block of the statistics first sent while heads the hub handles may be older (see covers), else null. */
  firstRead: PinnedBlock | null;
  channel: Channel<NetworkStatsModel>;
}

/**
 * Blocks below a reorged head whose jobs are looked at again (the embedded indexer's default reorg threshold is 50):
 * the blocks the reorg replaced may hold jobs that were never offered.
 */
const REORG_RESCAN_BLOCKS = 64;

/**
 * Statuses no transaction leaves (JobStatus's settled, refunded and never-run states): a jobUpdated feed that has sent
 * one has nothing more to send once no reorg can undo it, so it ends then instead of holding a subscription slot.
 */
const FINAL_STATUSES: ReadonlySet<JobEntity["status"]> = new Set(["Completed", "Cancelled", "Expired", "Declined", "TimedOut", "Refunded"]);

/** A job as offered: after a reorg the same id may be another job (ids are a counter), the same terms the same one. */
const offerKey = (job: JobEntity) => `${job.id}:${job.termsHash}`;

/**
 * Most jobs a jobOpened(sinceBlock) replays: the channel's queue holds this many unread events before it cuts its client
 * off as too slow, and a replay is queued at once. The live jobs held back while the replay is read are queued right
 * after it, so the two together are held to this bound too (REPLAY_OVERFLOW past it): a source slow to answer the
 * replay while jobs pour in would otherwise have the hub hold them without bound.
 */
export const MAX_REPLAYED_JOBS = DEFAULT_MAX_QUEUED;

export interface SubscriptionHubOptions {
  /**
   * How deep a block must be before no reorg can replace it: the index's reorg threshold (the embedded indexer's
   * `reorgThreshold`, graph-node's ETHEREUM_REORG_THRESHOLD). A jobUpdated feed stays open until its final status
   * is deeper than this, so that a reorg undoing it is sent too.
   */
  reorgThreshold: number;
}

/**
 * Whether a subscriber's first event, read at `firstRead`, already says what `head` would: a head at or below its
 * block. Its first event is read at the newest block known (the watcher's head, or the index's latest), while the hub
 * may still have heads to handle that the watcher saw before, or that the index has passed: read at their blocks,
 * they would send an older state or older statistics after the first, then the first again. A head at the same
 * height with another hash (a reorg) is news.
 */
function covers(firstRead: PinnedBlock, head: IndexedHead): boolean {
  return head.number < firstRead.number || (head.number === firstRead.number && head.hash === firstRead.hash);
}

/**
 * Whether `subscriber`'s first event covers `head`. The first head it does not cover opens the gate for good: a lower
 * head after it is the index going back (a reorg), which is news.
 */
function startedAfter(subscriber: { firstRead: PinnedBlock | null }, head: IndexedHead): boolean {
  if (subscriber.firstRead === null) return false;
  if (covers(subscriber.firstRead, head)) return true;
  subscriber.firstRead = null;
  return false;
}

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
  /** clientJobsUpdated's subscribers, by client address (lowercase). */
  private readonly clients = new Map<string, ClientGroup>();
  /** The job events of blocks up to this head have been looked at for clientJobsUpdated. */
  private clientScanned: IndexedHead | null = null;
  /** As rescanFloor, for clientJobsUpdated: a rescan does not send the changes of blocks read while nobody listened. */
  private clientRescanFloor = 0;
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
  /**
   * Heads are handled, and jobOpened subscribers join, one at a time: a subscriber that joined while a head's jobs
   * were being read would otherwise get neither them (it was not listed when they were handed out) nor, in its
   * replay, the jobs of that head (not yet marked scanned when it joined).
   */
  private turn: Promise<unknown> = Promise.resolve();
  /** The head being handled, or the last one handled (null before the first). */
  private handling: IndexedHead | null = null;
  /**
   * Aborted by stop(): the head watcher's stop awaits its listeners, and a head's reads on a source that does not
   * answer would hold it for as long as the source's timeout; the stop closes the source after it, which ends them.
   */
  private readonly stopping = new AbortController();

  constructor(
    private readonly reader: SubgraphReader,
    private readonly head: HeadWatcher,
    private readonly logger: Logger,
    private readonly options: SubscriptionHubOptions,
  ) {}

  start(): void {
    this.unsubscribe = this.head.subscribe((head) => this.untilStopped(this.inTurn(() => this.onHead(head))));
  }

  /** `work`, no longer awaited once the hub stops: what it still does then sends nothing (the channels are closed). */
  private untilStopped(work: Promise<void>): Promise<void> {
    const { signal } = this.stopping;
    if (signal.aborted) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const onStop = (): void => resolve();
      signal.addEventListener("abort", onStop, { once: true });
      work.then(resolve, reject).finally(() => signal.removeEventListener("abort", onStop));
    });
  }

  private inTurn<T>(work: () => Promise<T>): Promise<T> {
    const run = this.turn.then(work);
    this.turn = run.catch(() => undefined);
    return run;
  }

  stop(): void {
    this.stopping.abort();
    this.unsubscribe?.();
    for (const s of [...this.opened, ...this.updated]) s.channel.fail(shuttingDown());
    for (const s of this.stats) s.channel.fail(shuttingDown());
    for (const group of this.clients.values()) for (const s of group.subscribers) s.channel.fail(shuttingDown());
  }

  /**
   * Refuses a subscriber that would join once the hub has stopped (its start waited on the head or a read meanwhile):
   * no head would ever reach it, nor would the stop's SHUTTING_DOWN, and it would wait for events forever.
   */
  private refuseOnceStopped(): void {
    if (this.stopping.signal.aborted) throw shuttingDown();
  }

  /** `subscriber` left (its channel closed): it is no longer served, nor waited on by the reads serving it. */
  private left<S extends Served>(subscribers: Set<S>, subscriber: S): void {
    subscribers.delete(subscriber);
    for (const read of subscriber.reads) read.leave();
    subscriber.reads.clear();
  }

  /**
   * `read` for `subscribers`, over a reader given up once all of them have left or the hub stops: GIVEN_UP then, which
   * says nothing of the source (not logged as its failure).
   */
  private async readFor<T>(subscribers: readonly Served[], read: (reader: SubgraphReader) => Promise<T>): Promise<T | typeof GIVEN_UP> {
    const shared = new SharedRead(subscribers.length, this.stopping.signal);
    for (const subscriber of subscribers) subscriber.reads.add(shared);
    try {
      return await read(this.reader.withSignal(shared.signal));
    } catch (error) {
      if (shared.givenUp) return GIVEN_UP;
      throw error;
    } finally {
      shared.end();
      for (const subscriber of subscribers) subscriber.reads.delete(shared);
    }
  }

  get subscriberCount(): number {
    let clients = 0;
    for (const group of this.clients.values()) clients += group.subscribers.size;
    return this.opened.size + this.updated.size + this.stats.size + clients;
  }

  /**
   * Jobs posted from the next indexed block on that match `matcher`; with `sinceBlock`, first those created after
   * that block up to the last block scanned that are still open and match, then the live ones, none sent twice.
   * `reader` reads the replay: the subscriber's own, which its server gives up as it stops (the hub's reads end only
   * as the source closes).
   */
  async jobOpened(matcher: FeedMatcher, sinceBlock: number | null = null, reader: SubgraphReader = this.reader): Promise<AsyncIterableIterator<JobEntity>> {
    const head = await this.head.ensureHead();
    const { subscriber, scannedHead } = await this.inTurn(async () => {
      this.refuseOnceStopped();
      if (this.scanned === null) {
        this.scanned = head;
        this.rescanFloor = head.number;
      }
      const scannedHead = this.scanned;
      const scannedThrough = scannedHead.number;
      const subscriber: JobOpenedSubscriber = {
        matcher,
        channel: new Channel(() => this.left(this.opened, subscriber)),
        reads: new Set(),
        held: sinceBlock === null ? null : { sinceBlock, jobs: [] },
        replayed: new Set(),
        skip: { from: scannedThrough, through: sinceBlock ?? scannedThrough },
      };
      this.opened.add(subscriber);
      return { subscriber, scannedHead };
    });
    if (sinceBlock === null) return subscriber.channel;
    try {
      // The replay reads the block the live feed takes over from, all of it: the jobs and what they are judged with.
      const at = headReadAt(scannedHead);
      const jobs = sinceBlock < scannedHead.number ? await this.openJobsCreatedIn(sinceBlock, scannedHead.number, at, reader) : [];
      const offered = (await this.offers([subscriber], jobs, at, reader)).get(subscriber) ?? [];
      for (const job of offered) {
        subscriber.replayed.add(offerKey(job));
        subscriber.channel.push(job);
      }
      const held = (subscriber.held?.jobs ?? []).filter((job) => !subscriber.replayed.has(offerKey(job)));
      subscriber.held = null;
      // Queued at once behind the replay: past what a feed queues, the subscription ends here, not as too slow.
      if (offered.length + held.length > MAX_REPLAYED_JOBS) subscriber.channel.fail(replayOverflow(sinceBlock, MAX_REPLAYED_JOBS));
      else for (const job of held) subscriber.channel.push(job);
      return subscriber.channel;
    } catch (error) {
      void subscriber.channel.return();
      throw error;
    }
  }

  /**
   * `job` now, then each time its indexed state changes, until a final status is deeper than the reorg threshold
   * (at once, after the current state, for a job whose final status already is). Fails with JOB_REORGED when a
   * reorg removes the job. `reader` reads its start: the subscriber's own, as for jobOpened's replay.
   */
  async jobUpdated(job: JobEntity, slot: SubscriptionSlot | null = null, reader: SubgraphReader = this.reader): Promise<AsyncIterableIterator<JobEntity>> {
    const final = FINAL_STATUSES.has(job.status);
    const [head, finalAt] = await Promise.all([this.head.ensureHead(), final ? this.lastChangeBlock(job.id, reader) : Promise.resolve(null)]);
    this.refuseOnceStopped();
    const subscriber: JobUpdatedSubscriber = {
      jobId: job.id,
      termsHash: job.termsHash,
      createdAtBlock: Number(job.createdAtBlock),
      lastSent: JSON.stringify(job),
      finalAt: finalAt ?? (final ? head.number : null),
      firstRead: this.gate(readAtOf(job)?.block),
      channel: new Channel(() => this.left(this.updated, subscriber)),
      reads: new Set(),
      slot,
    };
    this.updated.add(subscriber);
    subscriber.channel.push(job);
    if (this.isSettled(subscriber, head)) subscriber.channel.end();
    else if (subscriber.finalAt !== null) slot?.release();
    return subscriber.channel;
  }

  /** Sets the subscriber's finalAt, giving its slot back as it becomes final and taking it again if a reorg undoes that. */
  private setFinalAt(subscriber: JobUpdatedSubscriber, finalAt: number | null): void {
    const wasFinal = subscriber.finalAt !== null;
    subscriber.finalAt = finalAt;
    if (!wasFinal && finalAt !== null) subscriber.slot?.release();
    if (wasFinal && finalAt === null) subscriber.slot?.retake();
  }

  /**
   * What a subscriber whose first event was read at `block` waits past (its firstRead): nothing when that is the head
   * the hub is at, since every head it handles next comes after it, nor when the source did not say which block.
   */
  private gate(block: PinnedBlock | undefined): PinnedBlock | null {
    const at = this.handling;
    if (block === undefined || (at !== null && at.number === block.number && at.hash === block.hash)) return null;
    return block;
  }

  /** The block of the job's last event (the one that set its status), null if it has none. */
  private async lastChangeBlock(jobId: string, reader: SubgraphReader): Promise<number | null> {
    const events = (await reader.eventsOfJobs([jobId])).get(jobId) ?? [];
    return events.length === 0 ? null : Math.max(...events.map((e) => Number(e.blockNumber)));
  }

  /** Whether the subscriber's final status is deeper than any reorg reaches. */
  private isSettled(subscriber: JobUpdatedSubscriber, head: IndexedHead): boolean {
    return subscriber.finalAt !== null && head.number - subscriber.finalAt > this.options.reorgThreshold;
  }

  /**
   * Each job of `client` (lowercase) as it is created or changes, from the next head on. Joins in turn, as jobOpened
   * does: one that joined while a head was read would hear neither that head's changes nor, after it, those before.
   */
  async clientJobsUpdated(client: string): Promise<AsyncIterableIterator<JobEntity>> {
    const head = await this.head.ensureHead();
    return this.inTurn(async () => {
      this.refuseOnceStopped();
      if (this.clientScanned === null) {
        this.clientScanned = head;
        this.clientRescanFloor = head.number;
      }
      const group = this.clients.get(client) ?? { client, subscribers: new Set<ClientJobsSubscriber>(), sent: new Map<string, SentJob>() };
      this.clients.set(client, group);
      const subscriber: ClientJobsSubscriber = {
        channel: new Channel(() => {
          this.left(group.subscribers, subscriber);
          if (group.subscribers.size === 0 && this.clients.get(client) === group) this.clients.delete(client);
        }),
        reads: new Set(),
      };
      group.subscribers.add(subscriber);
      return subscriber.channel;
    });
  }

  /** Statistics now, then at every new head. `reader` reads the first, as for jobOpened's replay. */
  async networkStats(days: number, reader: SubgraphReader = this.reader): Promise<AsyncIterableIterator<NetworkStatsModel>> {
    const head = await this.head.ensureHead();
    this.refuseOnceStopped();
    const current = await networkStats(reader, head, days);
    this.refuseOnceStopped();
    const subscriber: StatsSubscriber = {
      days,
      firstRead: this.gate({ number: head.number, hash: head.hash }),
      channel: new Channel(() => this.left(this.stats, subscriber), 16),
      reads: new Set(),
    };
    this.stats.add(subscriber);
    subscriber.channel.push(current);
    return subscriber.channel;
  }

  private async onHead(head: IndexedHead): Promise<void> {
    // A head queued behind one the stop gave up: its reads would only fail as the source closes.
    if (this.stopping.signal.aborted) return;
    this.handling = head;
    const scanned = this.scanned;
    let from = scanned?.number ?? null;
    // A head that is not known to extend the last one scanned may sit on blocks that replaced scanned ones (a
    // reorg, seen as a head at the same height, lower, or higher): look at the last blocks again, or the jobs of
    // the replacing blocks would never be offered. Those already offered are not offered again (recentlyOffered).
    if (scanned !== null && !extendsHead(head, scanned)) {
      from = Math.max(this.rescanFloor, Math.min(scanned.number, head.number - REORG_RESCAN_BLOCKS));
    }
    const listening = this.opened.size > 0;
    // clientJobsUpdated looks at its own blocks so: a head not known to extend the last one may have replaced them.
    const clientScanned = this.clientScanned;
    let clientFrom = clientScanned?.number ?? null;
    if (clientScanned !== null && !extendsHead(head, clientScanned)) {
      clientFrom = Math.max(this.clientRescanFloor, Math.min(clientScanned.number, head.number - REORG_RESCAN_BLOCKS));
    }
    const clientsListening = this.clients.size > 0;
    const at = headReadAt(head);
    const [opened, clientsRead] = await Promise.all([
      from !== null && head.number > from && listening ? this.deliverOpened(from, head, at) : true,
      clientFrom !== null && clientsListening ? this.deliverClientJobs(clientFrom, head, at) : true,
      this.updated.size > 0 ? this.deliverUpdated(head, at) : undefined,
      this.stats.size > 0 ? this.deliverStats(head) : undefined,
    ]);
    // Blocks whose jobs could not be read stay unscanned: the next head offers them, instead of a worker never
    // hearing of a job because the source failed once.
    if (opened) this.scanned = head;
    if (!listening) this.rescanFloor = head.number;
    if (clientsRead) this.clientScanned = head;
    if (!clientsListening) this.clientRescanFloor = head.number;
  }

  /**
   * Sends each subscribed client's jobs that events of blocks (afterBlock, head] concern, and those sent in the last
   * REORG_RESCAN_BLOCKS heads whose state differs now: a reorg that undoes a change leaves no event on the new branch.
   * Events, not Job.updatedAt, say which jobs changed: a timestamp cannot tell two blocks of the same second apart,
   * and the source may give a head no timestamp. False when they could not be read (nothing was sent).
   */
  private async deliverClientJobs(afterBlock: number, head: IndexedHead, at: ReadAt): Promise<boolean> {
    try {
      // Groups joined while the jobs are read wait for the next head, as jobOpened's subscribers do.
      const groups = [...this.clients.values()];
      const subscribers = groups.flatMap((group) => [...group.subscribers]);
      const read = await this.readFor(subscribers, async (reader) => {
        const ids = await this.jobIdsWithEventsIn(afterBlock, head.number, at, reader);
        for (const group of groups) for (const id of group.sent.keys()) ids.add(id);
        const list = [...ids].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0));
        const byId = new Map<string, JobEntity>();
        for (let i = 0; i < list.length; i += SOURCE_MAX_FIRST) {
          for (const job of await reader.jobsByIds(list.slice(i, i + SOURCE_MAX_FIRST), at)) byId.set(job.id, job);
        }
        return { list, byId };
      });
      if (read === GIVEN_UP) {
        this.clientRescanFloor = head.number;
        return true;
      }
      for (const group of groups) this.sendClientJobs(group, read.list, read.byId, head);
      return true;
    } catch (error) {
      if (!this.stopping.signal.aborted) {
        this.logger.warn("clientJobsUpdated feed could not read a head's jobs; it tries again at the next head", { block: head.number, error });
      }
      return false;
    }
  }

  private sendClientJobs(group: ClientGroup, ids: readonly string[], byId: ReadonlyMap<string, JobEntity>, head: IndexedHead): void {
    for (const id of ids) {
      if (group.subscribers.size === 0) return;
      const job = byId.get(id);
      const sent = group.sent.get(id);
      if (sent !== undefined && (job === undefined || job.termsHash !== sent.termsHash)) {
        // As jobUpdated: below the job's block, the index may be catching up on a branch that creates it again.
        if (job === undefined && head.number < sent.createdAtBlock) continue;
        const error = jobReorged(id, head.number, job === undefined ? "gone" : "otherTerms");
        for (const subscriber of [...group.subscribers]) subscriber.channel.fail(error);
        return;
      }
      if (job === undefined || job.client.id !== group.client) continue;
      const encoded = JSON.stringify(job);
      if (sent?.encoded === encoded) continue;
      group.sent.set(id, { encoded, termsHash: job.termsHash, createdAtBlock: Number(job.createdAtBlock), at: head.number });
      for (const subscriber of group.subscribers) subscriber.channel.push(job);
    }
    for (const [id, sent] of group.sent) if (sent.at <= head.number - REORG_RESCAN_BLOCKS) group.sent.delete(id);
  }

  /** The ids of the jobs that events of blocks (afterBlock, throughBlock] concern. */
  private async jobIdsWithEventsIn(afterBlock: number, throughBlock: number, at: ReadAt, reader: SubgraphReader): Promise<Set<string>> {
    const ids = new Set<string>();
    if (throughBlock <= afterBlock) return ids;
    let lastId: string | null = null;
    for (;;) {
      const page = await reader.events({
        where: {
          blockNumber_gt: String(afterBlock),
          blockNumber_lte: String(throughBlock),
          // Filtered at the source: a busy block's transfers, stakes and votes would otherwise be paged through here.
          job_not: null,
          ...(lastId === null ? {} : { id_gt: lastId }),
        },
        orderBy: "id",
        orderDirection: "asc",
        first: SOURCE_MAX_FIRST,
        at,
      });
      for (const event of page) if (event.job !== null) ids.add(event.job.id);
      if (page.length < SOURCE_MAX_FIRST) return ids;
      lastId = page[page.length - 1]?.id ?? null;
    }
  }

  /** False when the jobs could not be read (nothing was sent). */
  private async deliverOpened(afterBlock: number, head: IndexedHead, at: ReadAt): Promise<boolean> {
    try {
      const subscribers = [...this.opened];
      const read = await this.readFor(subscribers, async (reader) => {
        const jobs = (await this.jobsCreatedIn(afterBlock, head.number, at, {}, Infinity, reader)).filter((job) => !this.recentlyOffered.has(offerKey(job)));
        return { jobs, offers: await this.offers(subscribers, jobs, at, reader) };
      });
      if (read === GIVEN_UP) {
        // Nobody heard these blocks' jobs, as when nobody subscribed: a later rescan does not offer them either.
        this.rescanFloor = head.number;
        return true;
      }
      const { jobs, offers } = read;
      for (const [key, block] of this.recentlyOffered) if (block <= head.number - REORG_RESCAN_BLOCKS) this.recentlyOffered.delete(key);
      for (const [subscriber, offered] of offers) {
        for (const job of offered) this.sendLive(subscriber, job);
      }
      for (const job of jobs) this.recentlyOffered.set(offerKey(job), Number(job.createdAtBlock));
      return true;
    } catch (error) {
      if (!this.stopping.signal.aborted) {
        this.logger.warn("jobOpened feed could not read a head's jobs; it tries again at the next head", { block: head.number, error });
      }
      return false;
    }
  }

  private sendLive(subscriber: JobOpenedSubscriber, job: JobEntity): void {
    if (subscriber.channel.isClosed) return;
    const block = Number(job.createdAtBlock);
    if ((block > subscriber.skip.from && block <= subscriber.skip.through) || subscriber.replayed.has(offerKey(job))) return;
    const { held } = subscriber;
    if (held === null) {
      subscriber.channel.push(job);
    } else if (held.jobs.length < MAX_REPLAYED_JOBS) {
      held.jobs.push(job);
    } else {
      // Ended at once, the jobs held dropped: its replay may take a while yet, and more jobs keep coming meanwhile.
      held.jobs = [];
      subscriber.channel.fail(replayOverflow(held.sinceBlock, MAX_REPLAYED_JOBS));
    }
  }

  /**
   * The jobs of `jobs` that each subscriber's requirements take, judged at the head's block `at`, where the jobs were
   * read (its time for deadlines, its providers and protocol); the providers and the protocol are read once for all.
   */
  private async offers(
    subscribers: readonly JobOpenedSubscriber[],
    jobs: readonly JobEntity[],
    at: ReadAt,
    reader: SubgraphReader = this.reader,
  ): Promise<Map<JobOpenedSubscriber, JobEntity[]>> {
    const offers = new Map<JobOpenedSubscriber, JobEntity[]>();
    if (jobs.length === 0) return offers;
    const providerIds = [...new Set(subscribers.map((s) => s.matcher.provider).filter((p): p is string => p !== null))];
    const [providers, protocol] = await Promise.all([
      providerIds.length === 0 ? Promise.resolve([] as ProviderEntity[]) : reader.providersByIds(providerIds, at),
      reader.protocol(at),
    ]);
    const byId = new Map(providers.map((p) => [p.id, p]));
    // Deadlines at the block's time; where the head carries none, the source's for that block (timeAt).
    const now = await timeAt(at.block, () => reader.blockClock(at));
    for (const subscriber of subscribers) {
      const { matcher } = subscriber;
      const provider = matcher.provider === null ? null : byId.get(matcher.provider);
      offers.set(
        subscriber,
        jobs.filter((job) => {
          if (job.status !== "Open" || !feedFieldsMatch(job, matcher)) return false;
          if (matcher.provider === null) return true;
          if (provider === undefined || provider === null || protocol === null) return false;
          // An inactive provider (offline, under the minimum stake, deregistered) may accept nothing: openJobs
          // is empty for it, and acceptJob would revert in the registry.
          return isActive(provider, protocol.minStakePerGpu) && providerMayAccept(job, provider, protocol, now);
        }),
      );
    }
    return offers;
  }

  private async jobsCreatedIn(
    afterBlock: number,
    throughBlock: number,
    at: ReadAt,
    where: Where = {},
    most = Infinity,
    reader: SubgraphReader = this.reader,
  ): Promise<JobEntity[]> {
    const jobs: JobEntity[] = [];
    let lastJobId: string | null = null;
    for (;;) {
      const page: JobEntity[] = await reader.jobs({
        where: {
          ...where,
          createdAtBlock_gt: String(afterBlock),
          createdAtBlock_lte: String(throughBlock),
          ...(lastJobId === null ? {} : { jobId_gt: lastJobId }),
        },
        orderBy: "jobId",
        orderDirection: "asc",
        first: SOURCE_MAX_FIRST,
        at,
      });
      jobs.push(...page);
      if (page.length < SOURCE_MAX_FIRST || jobs.length > most) return jobs;
      lastJobId = page[page.length - 1]?.jobId ?? null;
    }
  }

  /** A replay: the jobs still open created in (afterBlock, throughBlock], refused past MAX_REPLAYED_JOBS. */
  private async openJobsCreatedIn(afterBlock: number, throughBlock: number, at: ReadAt, reader: SubgraphReader): Promise<JobEntity[]> {
    const jobs = await this.jobsCreatedIn(afterBlock, throughBlock, at, { status: "Open" }, MAX_REPLAYED_JOBS, reader);
    if (jobs.length > MAX_REPLAYED_JOBS) {
      throw badUserInput(
        "sinceBlock",
        `more than ${MAX_REPLAYED_JOBS} jobs still open were posted after block ${afterBlock}: resume from a later block, or page openJobs`,
        { value: afterBlock, maximum: MAX_REPLAYED_JOBS },
      );
    }
    return jobs;
  }

  private async deliverUpdated(head: IndexedHead, at: ReadAt): Promise<void> {
    try {
      // Those who subscribe while the jobs are read are not among the ids asked for: they wait for the next head,
      // rather than be told that their job is gone.
      const subscribers = [...this.updated];
      const ids = [...new Set(subscribers.map((s) => s.jobId))];
      const current = await this.readFor(subscribers, async (reader) => {
        const byId = new Map<string, JobEntity>();
        for (let i = 0; i < ids.length; i += SOURCE_MAX_FIRST) {
          for (const job of await reader.jobsByIds(ids.slice(i, i + SOURCE_MAX_FIRST), at)) byId.set(job.id, job);
        }
        return byId;
      });
      if (current === GIVEN_UP) return;
      for (const subscriber of subscribers) {
        if (subscriber.channel.isClosed || startedAfter(subscriber, head)) continue;
        const job = current.get(subscriber.jobId);
        if (job === undefined || job.termsHash !== subscriber.termsHash) {
          // An index below the job's block may be rolling back to catch up on the new branch, where the same
          // transaction can create the job again: its absence says nothing until the index is back at that height.
          if (job === undefined && head.number < subscriber.createdAtBlock) continue;
          subscriber.channel.fail(jobReorged(subscriber.jobId, head.number, job === undefined ? "gone" : "otherTerms"));
          continue;
        }
        const encoded = JSON.stringify(job);
        if (encoded !== subscriber.lastSent) {
          subscriber.lastSent = encoded;
          subscriber.createdAtBlock = Number(job.createdAtBlock);
          // A final status that a reorg replaced with another (Completed, then Cancelled on the new branch) starts
          // its window over, from the head it is seen at: the window waits until the block that set the status sent
          // is beyond any reorg, and that block is now one of the new branch, as shallow as the reorg left it. Kept
          // from the first status's block, the feed could end, telling the client this status is for good, while a
          // second reorg may still undo it.
          this.setFinalAt(subscriber, FINAL_STATUSES.has(job.status) ? head.number : null);
          subscriber.channel.push(job);
        }
        if (this.isSettled(subscriber, head)) subscriber.channel.end();
      }
    } catch (error) {
      // Once stopped, the source closing under the reads fails them: that says nothing of the source.
      if (!this.stopping.signal.aborted) this.logger.warn("jobUpdated feed skipped a head", { block: head.number, error });
    }
  }

  private async deliverStats(head: IndexedHead): Promise<void> {
    const byDays = new Map<number, StatsSubscriber[]>();
    for (const subscriber of this.stats) {
      if (startedAfter(subscriber, head)) continue;
      byDays.set(subscriber.days, [...(byDays.get(subscriber.days) ?? []), subscriber]);
    }
    const failed: { days: number; error: unknown }[] = [];
    await Promise.all(
      [...byDays].map(async ([days, subscribers]) => {
        try {
          const stats = await this.readFor(subscribers, (reader) => networkStats(reader, head, days));
          if (stats === GIVEN_UP) return;
          for (const subscriber of subscribers) subscriber.channel.push(stats);
        } catch (error) {
          failed.push({ days, error });
        }
      }),
    );
    // One line per head, as the other feeds write: the reads of every `days` ask one source for one block, so a
    // source that fails one mostly fails them all, and a line each would repeat the same failure once per `days`
    // asked. Each distinct error is named, with the days it failed, so that one that failed only some is not hidden.
    if (failed.length > 0 && !this.stopping.signal.aborted) {
      const byError = new Map<string, { error: unknown; days: number[] }>();
      for (const { days, error } of failed.sort((a, b) => a.days - b.days)) {
        const shown = serialise(error);
        const key = JSON.stringify(shown);
        const group = byError.get(key) ?? { error: shown, days: [] };
        group.days.push(days);
        byError.set(key, group);
      }
      const days = failed.map((f) => f.days);
      this.logger.warn("networkStats feed skipped a head", { block: head.number, days, errors: [...byError.values()] });
    }
  }
}
