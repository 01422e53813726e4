// The subscription hub on its own, over a fake reader and a head it is told about by hand.
import { expect } from "chai";
import type { GraphQLError } from "graphql";
import { SourceError } from "../../../gateway/src/errors";
import { MAX_REPLAYED_JOBS, SubscriptionHub } from "../../../gateway/src/feeds/subscription-hub";
import type { SubscriptionSlot } from "../../../gateway/src/limits/subscription-limits";
import { createJsonLogger, silentLogger, type Logger } from "../../../gateway/src/logger";
import { parseFeedFilter } from "../../../gateway/src/services/job-filters";
import type { HeadListener, IndexedHead } from "../../../gateway/src/sources/head-watcher";
import type { JobEntity, JobEventEntity, ProtocolEntity, ProviderEntity } from "../../../gateway/src/subgraph/entities";
import type { BlockClock, ListArgs, ReadAt, SubgraphReader } from "../../../gateway/src/subgraph/reader";
import { FakeHeadWatcher } from "../helpers/fake-head-watcher";
import { FakeReader, type ReaderAnswers } from "../helpers/fake-reader";
import { list } from "../helpers/fake-source";
import { waitUntil } from "../../helpers/wait";

/** Block `number` of the chain whose block hashes are their numbers (each head the child of the one below). */
const head = (number: number): IndexedHead => ({
  number,
  hash: `0x${number.toString(16)}`,
  parentHash: `0x${(number - 1).toString(16)}`,
  timestamp: 1_000 + number,
  hasIndexingErrors: false,
});

function openJob(id: number, block: number): JobEntity {
  return { id: String(id), jobId: String(id), status: "Open", createdAtBlock: String(block), gpuModelKey: "*", regionKey: "*" } as JobEntity;
}

/** The jobs of `all` that a hub's query for jobs created in (createdAtBlock_gt, createdAtBlock_lte] selects. */
function createdIn(all: () => JobEntity[]): (args: ListArgs) => Promise<JobEntity[]> {
  return async (args) => {
    const where = args.where as { createdAtBlock_gt: string; createdAtBlock_lte: string };
    return all().filter((j) => Number(j.createdAtBlock) > Number(where.createdAtBlock_gt) && Number(j.createdAtBlock) <= Number(where.createdAtBlock_lte));
  };
}

/** The reorg threshold of the hubs below: a final status at block b is beyond any reorg from head b + 6 on. */
const REORG_THRESHOLD = 5;

/** A started hub over `reader`, at head 100; `advance` announces a new head as the head watcher would. */
function startHub(answers: ReaderAnswers, logger: Logger = silentLogger): { hub: SubscriptionHub; advance: HeadListener } {
  let listener: HeadListener | null = null;
  const watcher = new FakeHeadWatcher({
    ensureHead: async () => head(100),
    subscribe: (l: HeadListener) => {
      listener = l;
      return () => undefined;
    },
  });
  // The fakes below answer the hub's shared reads whatever their signal: the hub asks for a reader with one per read.
  const reader: SubgraphReader = new FakeReader({ withSignal: () => reader, ...answers });
  const hub = new SubscriptionHub(reader, watcher, logger, { reorgThreshold: REORG_THRESHOLD });
  hub.start();
  return { hub, advance: (next, previous) => listener!(next, previous) };
}

/** The next job a feed sends within `ms`, as "id:termsHash", or "nothing". */
async function nextWithin(feed: AsyncIterableIterator<JobEntity>, ms: number): Promise<string> {
  const next = await Promise.race([feed.next(), new Promise<"nothing">((resolve) => setTimeout(() => resolve("nothing"), ms))]);
  return next === "nothing" ? next : `${next.value?.id}:${next.value?.termsHash}`;
}

describe("subscription hub", function () {
  it("offers jobOpened subscribers the jobs of a head whose query failed, at the next head", async function () {
    let sourceDown = false;
    const jobsCreatedIn = createdIn(() => [{ ...openJob(1, 101), termsHash: "0xaa" }]);
    const reader: ReaderAnswers = {
      jobs: async (args: ListArgs) => {
        if (sourceDown) throw new SourceError("down", "the subgraph endpoint cannot be reached");
        return jobsCreatedIn(args);
      },
      protocol: async () => null,
    };
    const { hub, advance } = startHub(reader);
    const feed = await hub.jobOpened(parseFeedFilter(null));

    sourceDown = true;
    await advance(head(101), head(100));
    sourceDown = false;
    await advance(head(102), head(101));

    expect(await nextWithin(feed, 200)).to.equal("1:0xaa");
    hub.stop();
  });

  /** A hub whose subscriber has been offered job 1 of block 101; `replace` sets what the source holds from then on. */
  async function offeredJobOfBlock101() {
    let jobs = [{ ...openJob(1, 101), termsHash: "0xaa" }];
    const { hub, advance } = startHub({ jobs: createdIn(() => jobs), protocol: async () => null });
    const feed = await hub.jobOpened(parseFeedFilter(null));
    await advance(head(101), head(100));
    expect(await nextWithin(feed, 200)).to.equal("1:0xaa");
    return { hub, advance, feed, replace: (next: typeof jobs) => (jobs = next) };
  }

  it("offers the jobs a reorg brought in at the same height, and not again those that survived it", async function () {
    const { hub, advance, feed, replace } = await offeredJobOfBlock101();
    // Block 101 replaced by one holding job 1 again and job 2.
    replace([{ ...openJob(1, 101), termsHash: "0xaa" }, { ...openJob(2, 101), termsHash: "0xbb" }]);
    await advance({ ...head(101), hash: "0xb101" }, head(101));
    expect(await nextWithin(feed, 200)).to.equal("2:0xbb");
    expect(await nextWithin(feed, 100)).to.equal("nothing");
    hub.stop();
  });

  it("offers the jobs of a block a reorg replaced when the next head seen is one higher, on the replacing block", async function () {
    const { hub, advance, feed, replace } = await offeredJobOfBlock101();
    // Block 101 replaced by one holding job 1 again and job 2; the hub next sees 102, the child of the new 101.
    replace([{ ...openJob(1, 101), termsHash: "0xaa" }, { ...openJob(2, 101), termsHash: "0xbb" }]);
    await advance({ ...head(102), parentHash: "0xb101" }, head(101));
    expect(await nextWithin(feed, 200)).to.equal("2:0xbb");
    expect(await nextWithin(feed, 100)).to.equal("nothing");
    hub.stop();
  });

  it("offers the jobs of a block a reorg replaced when the next head seen is several blocks higher", async function () {
    const { hub, advance, feed, replace } = await offeredJobOfBlock101();
    // Block 101 replaced by one holding job 2 instead (the same id on another chain would be another job, 0xcc).
    replace([{ ...openJob(2, 101), termsHash: "0xbb" }, { ...openJob(3, 103), termsHash: "0xcc" }]);
    await advance({ ...head(104), parentHash: "0xb103" }, head(101));
    expect([await nextWithin(feed, 200), await nextWithin(feed, 200)]).to.deep.equal(["2:0xbb", "3:0xcc"]);
    expect(await nextWithin(feed, 100)).to.equal("nothing");
    hub.stop();
  });

  it("reads a new head's jobs for jobOpened once, whatever the number of its subscribers", async function () {
    /** The source reads one head costs with `count` jobOpened subscribers, each offered the head's job. */
    const readsOfOneHead = async (count: number): Promise<number> => {
      let reads = 0;
      const jobsCreatedIn = createdIn(() => [{ ...openJob(1, 101), termsHash: "0xaa" }]);
      const reader: ReaderAnswers = {
        jobs: async (args: ListArgs) => (reads++, jobsCreatedIn(args)),
        protocol: async () => (reads++, null),
      };
      const { hub, advance } = startHub(reader);
      const feeds = await Promise.all(Array.from({ length: count }, () => hub.jobOpened(parseFeedFilter(null))));
      reads = 0;
      await advance(head(101), head(100));
      for (const feed of feeds) expect(await nextWithin(feed, 200)).to.equal("1:0xaa");
      hub.stop();
      return reads;
    };
    expect(await readsOfOneHead(10)).to.equal(await readsOfOneHead(1));
  });

  it("after a reorg reads the jobs of the last 64 blocks again, and none below", async function () {
    let jobs: JobEntity[] = [];
    const { hub, advance } = startHub({ jobs: createdIn(() => jobs), protocol: async () => null });
    const feed = await hub.jobOpened(parseFeedFilter(null));
    await advance(head(200), head(100));
    // A reorg at head 200 brings in jobs at blocks 136 and 137: only the latter is among the last 64 blocks.
    jobs = [{ ...openJob(10, 136), termsHash: "0xaa" }, { ...openJob(11, 137), termsHash: "0xbb" }];
    await advance({ ...head(200), hash: "0xb200" }, head(200));
    expect(await nextWithin(feed, 200)).to.equal("11:0xbb");
    expect(await nextWithin(feed, 100)).to.equal("nothing");
    hub.stop();
  });

  it("after a reorg does not offer the jobs of blocks it scanned before anyone subscribed", async function () {
    const jobs = [{ ...openJob(1, 90), termsHash: "0xaa" }];
    const { hub, advance } = startHub({ jobs: createdIn(() => jobs), protocol: async () => null });
    const feed = await hub.jobOpened(parseFeedFilter(null));

    await advance({ ...head(102), parentHash: "0xb101" }, head(100));
    expect(await nextWithin(feed, 100)).to.equal("nothing");
    hub.stop();
  });

  it("asks the source only for the new block's jobs when the head is the child of the one it scanned", async function () {
    const asked: string[] = [];
    const reader: ReaderAnswers = {
      jobs: async (args: ListArgs) => {
        const where = args.where as { createdAtBlock_gt: string; createdAtBlock_lte: string };
        asked.push(`(${where.createdAtBlock_gt}, ${where.createdAtBlock_lte}]`);
        return [];
      },
      protocol: async () => null,
    };
    const { hub, advance } = startHub(reader);
    await hub.jobOpened(parseFeedFilter(null));
    await advance(head(101), head(100));
    await advance(head(102), head(101));
    expect(asked).to.deep.equal(["(100, 101]", "(101, 102]"]);
    hub.stop();
  });

  it("sends a provider's jobOpened feed nothing while the provider is not active, as openJobs does", async function () {
    const provider = "0x00000000000000000000000000000000000000aa";
    const listing = {
      id: provider, registered: true, gpuModelKey: "h100-sxm-80gb", regionKey: "eu-west", vramGiB: 80, gpusFree: 8, tier: "Enterprise",
      jobsCompleted: 0, maxSlashRewardBps: 10_000, pricePerGpuHour: "1", freeStake: "1000", stakePerGpu: "100",
    } as ProviderEntity;
    const job = { ...openJob(1, 101), minVramGiB: 0, gpuCount: 1, tier: "Any", minCompletedJobs: "0", minSlashRewardBps: 0,
      maxPricePerGpuHour: "5", targetProvider: "0x0000000000000000000000000000000000000000", escrowed: "10", acceptDeadline: "999999" } as JobEntity;
    const reader: ReaderAnswers = {
      jobs: async () => [job],
      providersByIds: async () => [{ ...listing, online: false }],
      protocol: async () => ({ minStakePerGpu: "100", collateralRatioBps: 1000 }) as ProtocolEntity,
    };
    const { hub, advance } = startHub(reader);
    const feed = await hub.jobOpened(parseFeedFilter({ provider }));
    await advance(head(101), head(100));
    expect(await nextWithin(feed, 200)).to.equal("nothing");
    hub.stop();
  });

  it("judges a provider's jobOpened feed's deadlines at the source's time for a head's block where the head carries none, not the wall clock", async function () {
    const provider = "0x00000000000000000000000000000000000000aa";
    const listing = {
      id: provider, registered: true, online: true, gpuModelKey: "h100-sxm-80gb", regionKey: "eu-west", vramGiB: 80, gpusFree: 8, tier: "Enterprise",
      jobsCompleted: 0, maxSlashRewardBps: 10_000, pricePerGpuHour: "1", freeStake: "1000", stakePerGpu: "100",
    } as ProviderEntity;
    // Block 101's time is 2_000: job 1's deadline lies between it and the wall clock, job 2's before it.
    const job = (id: number, acceptDeadline: number) =>
      ({ ...openJob(id, 101), termsHash: `0x0${id}`, minVramGiB: 0, gpuCount: 1, tier: "Any", minCompletedJobs: "0", minSlashRewardBps: 0,
        maxPricePerGpuHour: "5", targetProvider: "0x0000000000000000000000000000000000000000", escrowed: "10", acceptDeadline: String(acceptDeadline) }) as JobEntity;
    const reader: ReaderAnswers = {
      jobs: async () => [job(1, 2_060), job(2, 1_999)],
      providersByIds: async () => [listing],
      protocol: async () => ({ minStakePerGpu: "100", collateralRatioBps: 1000 }) as ProtocolEntity,
      blockClock: async (at: ReadAt): Promise<BlockClock> => ({ timestamp: at.block.number === 101 ? 2_000 : null, newestDay: null, newestTime: null }),
    };
    const { hub, advance } = startHub(reader);
    const feed = await hub.jobOpened(parseFeedFilter({ provider }));
    await advance({ ...head(101), timestamp: null }, head(100));
    expect(await nextWithin(feed, 200)).to.equal("1:0x01");
    expect(await nextWithin(feed, 100)).to.equal("nothing");
    hub.stop();
  });

  /**
   * A hub whose jobUpdated feed follows job 1 (created in block 90, Accepted); `replace` sets what the source holds,
   * `slot` says what the feed did with its subscription slot.
   */
  async function followedJob() {
    let jobs: JobEntity[] = [{ ...openJob(1, 90), status: "Accepted", termsHash: "0xaa" }];
    const { hub, advance } = startHub({ jobsByIds: async () => jobs });
    const slot = recordingSlot();
    const feed = await hub.jobUpdated(jobs[0]!, slot);
    expect((await feed.next()).value?.status).to.equal("Accepted");
    return { hub, advance, feed, slot, replace: (next: JobEntity[]) => (jobs = next) };
  }

  /** A subscription slot that records what a feed did with it, in order. */
  function recordingSlot(): SubscriptionSlot & { calls: string[] } {
    const calls: string[] = [];
    return { calls, release: () => calls.push("release"), retake: () => calls.push("retake") };
  }

  it("gives jobUpdated's subscription slot back when it sends a final status, and not before", async function () {
    const { hub, advance, feed, slot, replace } = await followedJob();
    await advance(head(101), head(100));
    expect(slot.calls, "while the job runs").to.deep.equal([]);
    replace([{ ...openJob(1, 90), status: "Completed", termsHash: "0xaa" }]);
    await advance(head(102), head(101));
    expect((await feed.next()).value?.status).to.equal("Completed");
    expect(slot.calls).to.deep.equal(["release"]);
    hub.stop();
  });

  it("takes jobUpdated's subscription slot again when a reorg undoes its final status", async function () {
    const { hub, advance, feed, slot, replace } = await followedJob();
    replace([{ ...openJob(1, 90), status: "Completed", termsHash: "0xaa" }]);
    await advance(head(101), head(100));
    expect((await feed.next()).value?.status).to.equal("Completed");
    replace([{ ...openJob(1, 90), status: "Accepted", termsHash: "0xaa" }]);
    await advance({ ...head(101), hash: "0xb101" }, head(101));
    expect((await feed.next()).value?.status).to.equal("Accepted");
    expect(slot.calls).to.deep.equal(["release", "retake"]);
    hub.stop();
  });

  it("gives the slot of jobUpdated on a job already final back at once, while a reorg may undo the status", async function () {
    const job: JobEntity = { ...openJob(1, 80), status: "Cancelled" };
    const { hub } = startHub({ jobsByIds: async () => [job], eventsOfJobs: eventsInBlocks(80, 98) });
    const slot = recordingSlot();
    await hub.jobUpdated(job, slot);
    expect(slot.calls).to.deep.equal(["release"]);
    hub.stop();
  });

  /** A job event of job 1 in `block`, as eventsOfJobs answers it. */
  const eventsInBlocks = (...blocks: number[]) => async () =>
    new Map([["1", blocks.map((b) => ({ blockNumber: String(b) }) as JobEventEntity)]]);

  it("sends jobUpdated's final state and ends the feed once that state is deeper than the reorg threshold", async function () {
    const { hub, advance, feed, replace } = await followedJob();
    replace([{ ...openJob(1, 90), status: "Completed", termsHash: "0xaa" }]);
    await advance(head(101), head(100));
    expect((await feed.next()).value?.status).to.equal("Completed");
    await advance(head(101 + REORG_THRESHOLD), head(101));
    // Checked before reading the end, so that a feed that never ends fails here instead of waiting for mocha's timeout.
    expect(hub.subscriberCount, "still open while a reorg may undo the final status").to.equal(1);
    await advance(head(102 + REORG_THRESHOLD), head(101 + REORG_THRESHOLD));
    expect(hub.subscriberCount).to.equal(0);
    expect(await feed.next()).to.deep.equal({ value: undefined, done: true });
    hub.stop();
  });

  it("sends jobUpdated the state a reorg brings back after a final status", async function () {
    const { hub, advance, feed, replace } = await followedJob();
    replace([{ ...openJob(1, 90), status: "Completed", termsHash: "0xaa" }]);
    await advance(head(101), head(100));
    expect((await feed.next()).value?.status).to.equal("Completed");
    // Block 101 replaced by one without the settlement.
    replace([{ ...openJob(1, 90), status: "Accepted", termsHash: "0xaa" }]);
    await advance({ ...head(101), hash: "0xb101" }, head(101));
    expect((await feed.next()).value?.status).to.equal("Accepted");
    hub.stop();
  });

  it("sends a job whose final status is deeper than the reorg threshold once to jobUpdated and ends the feed", async function () {
    const reader: ReaderAnswers = { jobsByIds: async () => [], eventsOfJobs: eventsInBlocks(80, 100 - REORG_THRESHOLD - 1) };
    const { hub } = startHub(reader);
    const feed = await hub.jobUpdated({ ...openJob(1, 80), status: "Expired" });
    expect(hub.subscriberCount).to.equal(0);
    expect((await feed.next()).value?.status).to.equal("Expired");
    expect(await feed.next()).to.deep.equal({ value: undefined, done: true });
    hub.stop();
  });

  it("keeps jobUpdated on a job already final open until its final status is deeper than the reorg threshold", async function () {
    const job: JobEntity = { ...openJob(1, 80), status: "Cancelled" };
    const { hub, advance } = startHub({ jobsByIds: async () => [job], eventsOfJobs: eventsInBlocks(80, 98) });
    const feed = await hub.jobUpdated(job);
    expect((await feed.next()).value?.status).to.equal("Cancelled");
    await advance(head(98 + REORG_THRESHOLD), head(100));
    expect(hub.subscriberCount).to.equal(1);
    await advance(head(99 + REORG_THRESHOLD), head(98 + REORG_THRESHOLD));
    expect(hub.subscriberCount).to.equal(0);
    expect(await feed.next()).to.deep.equal({ value: undefined, done: true });
    hub.stop();
  });

  /** The error a feed ends with (or "no error" if it sends something or ends without one). */
  async function endingError(feed: AsyncIterableIterator<JobEntity>): Promise<GraphQLError | "no error"> {
    return feed.next().then(
      () => "no error",
      (error: unknown) => error as GraphQLError,
    );
  }

  it("ends jobUpdated with JOB_REORGED when a reorg removes the job", async function () {
    const { hub, advance, feed, replace } = await followedJob();
    replace([]);
    await advance({ ...head(100), hash: "0xb100" }, head(100));
    expect(hub.subscriberCount).to.equal(0);
    const error = await endingError(feed);
    expect(error).to.be.instanceOf(Error);
    expect((error as GraphQLError).extensions).to.deep.equal({ code: "JOB_REORGED", jobId: "1", blockNumber: 100 });
    hub.stop();
  });

  it("ends jobUpdated with JOB_REORGED when a reorg gives the job's id to a job with other terms", async function () {
    const { hub, advance, feed, replace } = await followedJob();
    replace([{ ...openJob(1, 90), termsHash: "0xbb" }]);
    await advance({ ...head(100), hash: "0xb100" }, head(100));
    expect(hub.subscriberCount).to.equal(0);
    expect(((await endingError(feed)) as GraphQLError).extensions?.code).to.equal("JOB_REORGED");
    hub.stop();
  });

  it("does not end with JOB_REORGED a jobUpdated that subscribes while the followed jobs are read", async function () {
    const jobs = [openJob(1, 90), openJob(2, 90)];
    let releaseRead: () => void = () => undefined;
    const read = new Promise<void>((resolve) => (releaseRead = resolve));
    let reading = false;
    const reader: ReaderAnswers = {
      jobsByIds: async (ids: string[]) => {
        reading = true;
        await read;
        return jobs.filter((j) => ids.includes(j.id));
      },
      eventsOfJobs: eventsInBlocks(),
    };
    const { hub, advance } = startHub(reader);
    await hub.jobUpdated(jobs[0]!);
    const handling = advance(head(101), head(100));
    while (!reading) await new Promise((resolve) => setImmediate(resolve));
    const feed = await hub.jobUpdated(jobs[1]!);
    releaseRead();
    await handling;
    expect(hub.subscriberCount).to.equal(2);
    expect((await feed.next()).value?.id).to.equal("2");
    hub.stop();
  });

  it("follows a job through an index rolled back below its block, once the new branch creates it again", async function () {
    const { hub, advance, feed, replace } = await followedJob();
    replace([]);
    await advance(head(89), head(100));
    expect(hub.subscriberCount, "the index below the job's block says nothing of it yet").to.equal(1);
    replace([{ ...openJob(1, 91), status: "Open", termsHash: "0xaa" }]);
    await advance({ ...head(92), parentHash: "0xb91" }, head(89));
    const again = (await feed.next()).value;
    expect([again?.status, again?.createdAtBlock]).to.deep.equal(["Open", "91"]);
    hub.stop();
  });

  /** A hub over the jobs `all()` holds, answering list queries as graph-node does (status, block range, paging). */
  function hubOver(all: () => JobEntity[]) {
    return startHub({ jobs: async (args: ListArgs) => list(all(), args), protocol: async () => null });
  }

  /** The ids of the jobs a feed holds now (a queued job is handed over at once; a pull left waiting is abandoned). */
  async function queued(feed: AsyncIterableIterator<JobEntity>): Promise<string[]> {
    const ids: string[] = [];
    for (;;) {
      const next = await Promise.race([feed.next(), new Promise<null>((resolve) => setImmediate(() => resolve(null)))]);
      if (next === null || next.done === true) return ids;
      ids.push(next.value.id);
    }
  }

  it("jobOpened(sinceBlock) replays the jobs still open created after that block, then sends the live ones", async function () {
    const jobs = [openJob(1, 94), openJob(2, 95), { ...openJob(3, 97), status: "Accepted" }, openJob(4, 100)] as JobEntity[];
    const { hub, advance } = hubOver(() => jobs);
    const feed = await hub.jobOpened(parseFeedFilter(null), 94);
    jobs.push(openJob(5, 101));
    await advance(head(101), head(100));
    expect(await queued(feed)).to.deep.equal(["2", "4", "5"]);
    hub.stop();
  });

  it("jobOpened(sinceBlock) sends the jobs of a head indexed while it replays after the replay", async function () {
    const jobs = [openJob(1, 95)];
    const { hub, advance, release: releaseReplay } = hubWithSlowReplay(jobs);
    await hub.jobOpened(parseFeedFilter(null));
    const subscribing = hub.jobOpened(parseFeedFilter(null), 90);
    // Until it is listed, no head may pass it by: one that did would be neither replayed nor sent live.
    while (hub.subscriberCount < 2) await new Promise((resolve) => setImmediate(resolve));
    jobs.push(openJob(2, 101));
    await advance(head(101), head(100));
    releaseReplay();
    expect(await queued(await subscribing)).to.deep.equal(["1", "2"]);
    hub.stop();
  });

  it("jobOpened(sinceBlock) sent while a head's jobs are handed out gets that head's jobs once", async function () {
    const jobs = [openJob(1, 95)];
    let releaseHead: () => void = () => undefined;
    const headRead = new Promise<void>((resolve) => (releaseHead = resolve));
    let headReading = false;
    const { hub, advance } = startHub({
      jobs: async (args: ListArgs) => list(jobs, args),
      // The protocol is read only to hand out a head's jobs (a feed without a provider needs nothing more).
      protocol: async () => {
        headReading = true;
        await headRead;
        return null;
      },
    });
    await hub.jobOpened(parseFeedFilter(null));
    jobs.push(openJob(2, 101));
    const handling = advance(head(101), head(100));
    while (!headReading) await new Promise((resolve) => setImmediate(resolve));
    const subscribing = hub.jobOpened(parseFeedFilter(null), 90);
    releaseHead();
    await handling;
    expect(await queued(await subscribing)).to.deep.equal(["1", "2"]);
    hub.stop();
  });

  it("jobOpened(sinceBlock) does not send a replayed job again when a reorg rescan offers it", async function () {
    const jobs = [openJob(1, 101)];
    const { hub, advance } = hubOver(() => jobs);
    await hub.jobOpened(parseFeedFilter(null));
    await advance(head(101), head(100));
    // Block 101 replaced by one holding job 2 as well, indexed before the hub has seen its head.
    jobs.push(openJob(2, 101));
    const feed = await hub.jobOpened(parseFeedFilter(null), 100);
    await advance({ ...head(101), hash: "0xb101" }, head(101));
    expect(await queued(feed)).to.deep.equal(["1", "2"]);
    hub.stop();
  });

  it("jobOpened(sinceBlock) above the blocks scanned sends live only the jobs created after it", async function () {
    const jobs = [openJob(1, 101), openJob(2, 102), openJob(3, 103)];
    const { hub, advance } = hubOver(() => jobs);
    const feed = await hub.jobOpened(parseFeedFilter(null), 102);
    await advance(head(103), head(100));
    expect(await queued(feed)).to.deep.equal(["3"]);
    hub.stop();
  });

  it("refuses a jobOpened(sinceBlock) that would replay more jobs than a feed queues", async function () {
    const jobs = Array.from({ length: MAX_REPLAYED_JOBS + 1 }, (_, i) => openJob(i + 1, 50));
    const { hub } = hubOver(() => jobs);
    const error = (await hub.jobOpened(parseFeedFilter(null), 49).catch((e: unknown) => e)) as GraphQLError;
    expect(error.extensions).to.deep.equal({ code: "BAD_USER_INPUT", argument: "sinceBlock", value: 49, maximum: 1000 });
    expect(hub.subscriberCount).to.equal(0);
    hub.stop();
  });

  /** A hub over `jobs` whose replays (the reads of open jobs) wait for `release`. */
  function hubWithSlowReplay(jobs: JobEntity[]) {
    let release: () => void = () => undefined;
    const replayRead = new Promise<void>((resolve) => (release = resolve));
    const { hub, advance } = startHub({
      jobs: async (args: ListArgs) => {
        if (args.where.status === "Open") await replayRead;
        return list(jobs, args);
      },
      protocol: async () => null,
    });
    return { hub, advance, release };
  }

  /** The ids a feed sends until it ends, and the error it ends with (null if none). */
  async function drain(feed: AsyncIterableIterator<JobEntity>): Promise<{ ids: string[]; error: GraphQLError | null }> {
    const ids: string[] = [];
    for (;;) {
      try {
        const next = await feed.next();
        if (next.done === true) return { ids, error: null };
        ids.push(next.value.id);
      } catch (error) {
        return { ids, error: error as GraphQLError };
      }
    }
  }

  const REPLAY_OVERFLOW = { code: "REPLAY_OVERFLOW", argument: "sinceBlock", maximum: MAX_REPLAYED_JOBS };

  it("ends a jobOpened(sinceBlock) with REPLAY_OVERFLOW, at once, when more live jobs arrive while it replays than a feed queues", async function () {
    const jobs = [openJob(1, 95)];
    const { hub, advance, release } = hubWithSlowReplay(jobs);
    const subscribing = hub.jobOpened(parseFeedFilter(null), 90);
    while (hub.subscriberCount < 1) await new Promise((resolve) => setImmediate(resolve));
    jobs.push(...Array.from({ length: MAX_REPLAYED_JOBS + 1 }, (_, i) => openJob(i + 2, 101)));
    await advance(head(101), head(100));
    // Dropped with the jobs it held while its replay is still being read, not once the replay is in.
    expect(hub.subscriberCount).to.equal(0);
    release();
    const { ids, error } = await drain(await subscribing);
    expect(ids).to.deep.equal([]);
    expect(error?.extensions).to.deep.equal(REPLAY_OVERFLOW);
    hub.stop();
  });

  it("ends a jobOpened(sinceBlock) with REPLAY_OVERFLOW after its replay when the replay and the jobs held are more than a feed queues", async function () {
    const replayed = 600;
    const jobs = Array.from({ length: replayed }, (_, i) => openJob(i + 1, 95));
    const { hub, advance, release } = hubWithSlowReplay(jobs);
    const subscribing = hub.jobOpened(parseFeedFilter(null), 90);
    while (hub.subscriberCount < 1) await new Promise((resolve) => setImmediate(resolve));
    jobs.push(...Array.from({ length: MAX_REPLAYED_JOBS - replayed + 1 }, (_, i) => openJob(replayed + i + 1, 101)));
    await advance(head(101), head(100));
    release();
    const { ids, error } = await drain(await subscribing);
    expect(ids).to.have.length(replayed);
    expect(error?.extensions).to.deep.equal(REPLAY_OVERFLOW);
    hub.stop();
  });

  it("ends every subscription with SHUTTING_DOWN when it stops", async function () {
    const { hub } = startHub({ jobs: async () => [], protocol: async () => null });
    const feed = await hub.jobOpened(parseFeedFilter(null));
    const pending = feed.next().catch((error: unknown) => error);
    hub.stop();
    const error = (await pending) as GraphQLError;
    expect(error.message).to.equal("the gateway is shutting down");
    expect(error.extensions).to.deep.equal({ code: "SHUTTING_DOWN" });
  });

  it("refuses SHUTTING_DOWN a subscription whose start was waiting for the indexed head when it stopped, keeping no subscriber", async function () {
    const waiting: (() => void)[] = [];
    const watcher = new FakeHeadWatcher({
      ensureHead: () => new Promise<IndexedHead>((resolve) => waiting.push(() => resolve(head(100)))),
      subscribe: () => () => undefined,
    });
    const hub = new SubscriptionHub(new FakeReader({}), watcher, silentLogger, { reorgThreshold: REORG_THRESHOLD });
    hub.start();
    const starts = {
      jobOpened: hub.jobOpened(parseFeedFilter(null)),
      jobUpdated: hub.jobUpdated({ ...openJob(1, 90), termsHash: "0xaa" }),
      networkStats: hub.networkStats(7),
    };
    while (waiting.length < 3) await new Promise((resolve) => setImmediate(resolve));
    hub.stop();
    for (const release of waiting) release();
    const outcomes: Record<string, unknown> = {};
    for (const [name, start] of Object.entries(starts)) {
      outcomes[name] = await (start as Promise<unknown>).then(
        () => "started",
        (error: GraphQLError) => error.extensions?.code,
      );
    }
    expect(outcomes).to.deep.equal({ jobOpened: "SHUTTING_DOWN", jobUpdated: "SHUTTING_DOWN", networkStats: "SHUTTING_DOWN" });
    expect(hub.subscriberCount).to.equal(0);
  });

  it("logs a head whose networkStats reads failed once, naming every days value it skipped", async function () {
    let sourceDown = false;
    const logged: { msg: string; block?: number; days?: number[] }[] = [];
    const logger = createJsonLogger({ level: "warn", write: (line) => void logged.push(JSON.parse(line) as (typeof logged)[number]) });
    const { hub, advance } = startHub(
      {
        // The statistics' first read: the source failing it fails the head's statistics for every days value.
        protocol: async () => {
          if (sourceDown) throw new SourceError("down", "the subgraph endpoint cannot be reached");
          return null;
        },
        inventory: async () => ({ gpuModels: [], regions: [] }),
        networkDays: async () => [],
        networkDayBefore: async () => null,
      },
      logger,
    );
    await Promise.all([hub.networkStats(7), hub.networkStats(1), hub.networkStats(7)]);
    sourceDown = true;
    await advance(head(101), head(100));
    expect(logged.map(({ msg, block, days }) => ({ msg, block, days }))).to.deep.equal([{ msg: "networkStats feed skipped a head", block: 101, days: [1, 7] }]);
    hub.stop();
  });

  it("names the head whose jobUpdated reads failed in its warning, as the other feeds' warnings do", async function () {
    const logged: { msg: string; block?: number; error?: { message: string } }[] = [];
    const logger = createJsonLogger({ level: "warn", write: (line) => void logged.push(JSON.parse(line) as (typeof logged)[number]) });
    const { hub, advance } = startHub(
      {
        jobsByIds: async () => {
          throw new SourceError("the subgraph endpoint cannot be reached", "down");
        },
      },
      logger,
    );
    await hub.jobUpdated({ ...openJob(1, 90), termsHash: "0xaa" });
    await advance(head(101), head(100));
    expect(logged.map(({ msg, block, error }) => ({ msg, block, error: error?.message }))).to.deep.equal([
      { msg: "jobUpdated feed skipped a head", block: 101, error: "the subgraph endpoint cannot be reached" },
    ]);
    hub.stop();
  });

  it("names in a head's networkStats warning each distinct error with the days values it failed", async function () {
    let sourceDown = false;
    const logged: { msg: string; days?: number[]; errors?: unknown[] }[] = [];
    const logger = createJsonLogger({ level: "warn", write: (line) => void logged.push(JSON.parse(line) as (typeof logged)[number]) });
    const { hub, advance } = startHub(
      {
        protocol: async () => null,
        inventory: async () => ({ gpuModels: [], regions: [] }),
        // The daily history is read from `days` - 1 days before the head's day (day 0): days 1 fails otherwise.
        networkDays: async (fromDay) => {
          if (!sourceDown) return [];
          if (fromDay === 0) throw new SourceError("the subgraph refused the query", "one day's read");
          throw new SourceError("the subgraph endpoint cannot be reached", "down");
        },
        networkDayBefore: async () => null,
      },
      logger,
    );
    await Promise.all([hub.networkStats(1), hub.networkStats(7), hub.networkStats(30)]);
    sourceDown = true;
    await advance(head(101), head(100));
    expect(logged.map(({ msg, days, errors }) => ({ msg, days, errors }))).to.deep.equal([
      {
        msg: "networkStats feed skipped a head",
        days: [1, 7, 30],
        errors: [
          { days: [1], error: { name: "SourceError", message: "the subgraph refused the query" } },
          { days: [7, 30], error: { name: "SourceError", message: "the subgraph endpoint cannot be reached" } },
        ],
      },
    ]);
    hub.stop();
  });

  describe("stopped while it reads a head's events", function () {
    /**
     * A hub with a jobUpdated subscriber, handling head 101 while the source holds its read of the job until the test
     * fails it (as closing the source does); `handled` is what the head watcher awaits of it, `logged` its warnings.
     */
    async function handlingAHeldHead() {
      let failRead: ((error: Error) => void) | null = null;
      const reader: ReaderAnswers = {
        jobsByIds: () => new Promise<JobEntity[]>((_resolve, reject) => (failRead = reject)),
      };
      const logged: string[] = [];
      const logger = createJsonLogger({ level: "warn", write: (line) => void logged.push(line) });
      const { hub, advance } = startHub(reader, logger);
      await hub.jobUpdated({ ...openJob(1, 90), termsHash: "0xaa" });
      const handled = advance(head(101), head(100));
      while (failRead === null) await new Promise((resolve) => setImmediate(resolve));
      return { hub, handled, logged, failRead: failRead as (error: Error) => void };
    }

    it("lets the head watcher's stop go on without waiting for the source to answer", async function () {
      this.timeout(10_000);
      const { hub, handled, failRead } = await handlingAHeldHead();
      hub.stop();
      // Never answered: without the hub giving the head up, this waits until mocha's timeout.
      await handled;
      failRead(new SourceError("closed", "the embedded indexer cannot answer"));
    });

    it("logs nothing when the source, closed after the stop, fails the read", async function () {
      const { hub, logged, failRead } = await handlingAHeldHead();
      hub.stop();
      failRead(new SourceError("closed", "the embedded indexer cannot answer"));
      await new Promise((resolve) => setImmediate(resolve));
      expect(logged).to.deep.equal([]);
    });
  });
});

describe("subscription hub: clientJobsUpdated", function () {
  const A = `0x${"a".repeat(40)}`;
  const B = `0x${"b".repeat(40)}`;
  const job = (id: number, client: string, status: JobEntity["status"], createdAtBlock = 101): JobEntity =>
    ({ id: String(id), jobId: String(id), status, client: { id: client }, termsHash: `0x${id}`, createdAtBlock: String(createdAtBlock) }) as JobEntity;

  /** A source holding `jobs` and the events that changed them, which a test edits as the chain moves (or reorgs). */
  function source() {
    const jobs = new Map<string, JobEntity>();
    let events: { id: string; blockNumber: string; job: { id: string } | null }[] = [];
    let rowsRead = 0;
    let down = false;
    const answers: ReaderAnswers = {
      events: async (args: ListArgs) => {
        if (down) throw new SourceError("down", "the subgraph endpoint cannot be reached");
        const where = args.where as { blockNumber_gt: string; blockNumber_lte: string; id_gt?: string; job_not?: null };
        const hits = events
          .filter((e) => Number(e.blockNumber) > Number(where.blockNumber_gt) && Number(e.blockNumber) <= Number(where.blockNumber_lte))
          .filter((e) => !("job_not" in where) || e.job !== null)
          .filter((e) => where.id_gt === undefined || e.id > where.id_gt)
          .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
          .slice(0, args.first ?? Infinity);
        rowsRead += hits.length;
        return hits as never;
      },
      jobsByIds: async (ids: readonly string[]) => ids.flatMap((id) => jobs.get(id) ?? []),
    };
    return {
      answers,
      /** `changed` as an event of block `block` left it. */
      change(changed: JobEntity, block: number) {
        jobs.set(changed.id, changed);
        events.push({ id: `0x${block}${String(events.length).padStart(4, "0")}`, blockNumber: String(block), job: { id: changed.id } });
      },
      /** `count` events of block `block` that concern no job (token transfers, stakes...). */
      unrelated(block: number, count: number) {
        for (let i = 0; i < count; i++) events.push({ id: `0x${block}${String(events.length).padStart(4, "0")}`, blockNumber: String(block), job: null });
      },
      /** How many event rows the source has returned. */
      rowsRead: () => rowsRead,
      /** A reorg back to `block`: the later events are gone, and the jobs as `jobsNow` says. */
      revertTo(block: number, jobsNow: JobEntity[]) {
        events = events.filter((e) => Number(e.blockNumber) <= block);
        jobs.clear();
        for (const j of jobsNow) jobs.set(j.id, j);
      },
      setDown(value: boolean) {
        down = value;
      },
    };
  }

  const sent = async (feed: AsyncIterableIterator<JobEntity>) => {
    const next = await feed.next();
    return `${next.value?.id}:${next.value?.status}`;
  };

  it("sends the client's jobs that the new blocks' events concern, and not another client's", async function () {
    const chain = source();
    const { hub, advance } = startHub(chain.answers);
    const feed = await hub.clientJobsUpdated(A);
    chain.change(job(1, A, "Open"), 101);
    chain.change(job(2, B, "Open"), 101);
    await advance(head(101), head(100));
    chain.change(job(2, B, "Accepted"), 102);
    chain.change(job(3, A, "Open", 102), 102);
    await advance(head(102), head(101));
    // Job 3 right after job 1: neither of B's events was sent.
    expect([await sent(feed), await sent(feed)]).to.deep.equal(["1:Open", "3:Open"]);
    hub.stop();
  });

  it("reads only the new blocks' events that concern a job, not a busy block's transfers", async function () {
    const chain = source();
    const { hub, advance } = startHub(chain.answers);
    const feed = await hub.clientJobsUpdated(A);
    chain.unrelated(101, 2_500);
    chain.change(job(1, A, "Open"), 101);
    await advance(head(101), head(100));
    expect(await sent(feed)).to.equal("1:Open");
    expect(chain.rowsRead()).to.equal(1);
    hub.stop();
  });

  it("sends a job once per head, however many of the head's events concern it", async function () {
    const chain = source();
    const { hub, advance } = startHub(chain.answers);
    const feed = await hub.clientJobsUpdated(A);
    chain.change(job(1, A, "Open"), 101);
    chain.change(job(1, A, "Accepted"), 102);
    await advance(head(102), head(100));
    chain.change(job(2, A, "Open", 103), 103);
    await advance(head(103), head(102));
    expect([await sent(feed), await sent(feed)]).to.deep.equal(["1:Accepted", "2:Open"]);
    hub.stop();
  });

  it("sends the changes of blocks whose events could not be read at the next head", async function () {
    const chain = source();
    const { hub, advance } = startHub(chain.answers);
    const feed = await hub.clientJobsUpdated(A);
    chain.change(job(1, A, "Open"), 101);
    chain.setDown(true);
    await advance(head(101), head(100));
    chain.setDown(false);
    await advance(head(102), head(101));
    expect(await sent(feed)).to.equal("1:Open");
    hub.stop();
  });

  it("sends again the state of a job sent in the reorg window whose change a reorg undid", async function () {
    const chain = source();
    const { hub, advance } = startHub(chain.answers);
    // Created before the feed started listening (block 100): the rescan after the reorg does not reach its creation.
    chain.change(job(1, A, "Open", 100), 100);
    const feed = await hub.clientJobsUpdated(A);
    chain.change(job(1, A, "Accepted", 100), 101);
    await advance(head(101), head(100));
    expect(await sent(feed)).to.equal("1:Accepted");
    // Block 101 replaced by one without the acceptance: no event of the new branch says that job 1 changed.
    chain.revertTo(100, [job(1, A, "Open", 100)]);
    await advance({ ...head(101), hash: "0xb101" }, head(101));
    expect(await sent(feed)).to.equal("1:Open");
    hub.stop();
  });

  it("ends with JOB_REORGED when a reorg removes a job it sent", async function () {
    const chain = source();
    const { hub, advance } = startHub(chain.answers);
    const feed = await hub.clientJobsUpdated(A);
    chain.change(job(1, A, "Open"), 101);
    await advance(head(101), head(100));
    expect(await sent(feed)).to.equal("1:Open");
    chain.revertTo(100, []);
    await advance({ ...head(102), parentHash: "0xb101" }, head(101));
    const error = (await feed.next().catch((e: unknown) => e)) as GraphQLError;
    expect(error.extensions).to.deep.equal({ code: "JOB_REORGED", jobId: "1", blockNumber: 102 });
    hub.stop();
  });

  it("reads a head once for all the subscribers of a client, and gives the read up once they all leave", async function () {
    const chain = source();
    let reads = 0;
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    let signal: AbortSignal | null = null;
    const answers: ReaderAnswers = {
      ...chain.answers,
      events: async (args: ListArgs) => {
        reads += 1;
        if (reads === 2) {
          await held;
          if (signal?.aborted === true) throw new SourceError("aborted", "given up");
        }
        return chain.answers.events!(args);
      },
    };
    let listener: HeadListener | null = null;
    const watcher = new FakeHeadWatcher({ ensureHead: async () => head(100), subscribe: (l: HeadListener) => ((listener = l), () => undefined) });
    const reader: SubgraphReader = new FakeReader({
      ...answers,
      withSignal: (s: AbortSignal) => {
        signal = s;
        return reader;
      },
    });
    const hub = new SubscriptionHub(reader, watcher, silentLogger, { reorgThreshold: REORG_THRESHOLD });
    hub.start();
    const [first, second] = [await hub.clientJobsUpdated(A), await hub.clientJobsUpdated(A)];
    chain.change(job(1, A, "Open"), 101);
    await listener!(head(101), head(100));
    expect([await sent(first), await sent(second), reads]).to.deep.equal(["1:Open", "1:Open", 1]);

    const handled = listener!(head(102), head(101));
    await waitUntil(() => reads === 2, "the second head's events are being read");
    await first.return!();
    expect(signal!.aborted, "one subscriber is still waiting").to.equal(false);
    await second.return!();
    expect(signal!.aborted).to.equal(true);
    release();
    await handled;
    hub.stop();
  });
});
