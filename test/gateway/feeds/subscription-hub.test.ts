// The subscription hub on its own, over a fake reader and a head it is told about by hand.
import { expect } from "chai";
import type { GraphQLError } from "graphql";
import { SourceError } from "../../../gateway/src/errors";
import { SubscriptionHub } from "../../../gateway/src/feeds/subscription-hub";
import { silentLogger } from "../../../gateway/src/logger";
import { parseFeedFilter } from "../../../gateway/src/services/job-filters";
import type { HeadListener, HeadWatcher, IndexedHead } from "../../../gateway/src/sources/head-watcher";
import type { JobEntity, ProtocolEntity, ProviderEntity } from "../../../gateway/src/subgraph/entities";
import type { ListArgs, SubgraphReader } from "../../../gateway/src/subgraph/reader";

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

/** A started hub over `reader`, at head 100; `advance` announces a new head as the head watcher would. */
function startHub(reader: SubgraphReader): { hub: SubscriptionHub; advance: HeadListener } {
  let listener: HeadListener | null = null;
  const watcher = {
    ensureHead: async () => head(100),
    subscribe: (l: HeadListener) => {
      listener = l;
      return () => undefined;
    },
  } as unknown as HeadWatcher;
  const hub = new SubscriptionHub(reader, watcher, silentLogger);
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
    const reader = {
      jobs: async (args: ListArgs) => {
        if (sourceDown) throw new SourceError("down", "the subgraph endpoint cannot be reached");
        return jobsCreatedIn(args);
      },
      protocol: async () => null,
    } as unknown as SubgraphReader;
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
    const { hub, advance } = startHub({ jobs: createdIn(() => jobs), protocol: async () => null } as unknown as SubgraphReader);
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

  it("after a reorg does not offer the jobs of blocks it scanned before anyone subscribed", async function () {
    const jobs = [{ ...openJob(1, 90), termsHash: "0xaa" }];
    const { hub, advance } = startHub({ jobs: createdIn(() => jobs), protocol: async () => null } as unknown as SubgraphReader);
    const feed = await hub.jobOpened(parseFeedFilter(null));

    await advance({ ...head(102), parentHash: "0xb101" }, head(100));
    expect(await nextWithin(feed, 100)).to.equal("nothing");
    hub.stop();
  });

  it("asks the source only for the new block's jobs when the head is the child of the one it scanned", async function () {
    const asked: string[] = [];
    const reader = {
      jobs: async (args: ListArgs) => {
        const where = args.where as { createdAtBlock_gt: string; createdAtBlock_lte: string };
        asked.push(`(${where.createdAtBlock_gt}, ${where.createdAtBlock_lte}]`);
        return [];
      },
      protocol: async () => null,
    } as unknown as SubgraphReader;
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
      jobsCompleted: 0, pricePerGpuHour: "1", freeStake: "1000", stakePerGpu: "100",
    } as ProviderEntity;
    const job = { ...openJob(1, 101), minVramGiB: 0, gpuCount: 1, tier: "Any", minCompletedJobs: "0", maxPricePerGpuHour: "5",
      targetProvider: "0x0000000000000000000000000000000000000000", escrowed: "10", acceptDeadline: "999999" } as JobEntity;
    const reader = {
      jobs: async () => [job],
      providersByIds: async () => [{ ...listing, online: false }],
      protocol: async () => ({ minStakePerGpu: "100", collateralRatioBps: 1000 }) as ProtocolEntity,
    } as unknown as SubgraphReader;
    const { hub, advance } = startHub(reader);
    const feed = await hub.jobOpened(parseFeedFilter({ provider }));
    await advance(head(101), head(100));
    expect(await nextWithin(feed, 200)).to.equal("nothing");
    hub.stop();
  });

  it("sends jobUpdated's final state and then ends the feed, freeing its subscription", async function () {
    let job: JobEntity = { ...openJob(1, 90), status: "Accepted" };
    const { hub, advance } = startHub({ jobsByIds: async () => [job] } as unknown as SubgraphReader);
    const feed = hub.jobUpdated(job);
    expect((await feed.next()).value?.status).to.equal("Accepted");
    job = { ...job, status: "Completed" };
    await advance(head(101), head(100));
    // Checked before reading the end, so that a feed that never ends fails here instead of waiting for mocha's timeout.
    expect(hub.subscriberCount).to.equal(0);
    expect((await feed.next()).value?.status).to.equal("Completed");
    expect(await feed.next()).to.deep.equal({ value: undefined, done: true });
    hub.stop();
  });

  it("sends a job already in a final status once to jobUpdated and ends the feed", async function () {
    const { hub } = startHub({ jobsByIds: async () => [] } as unknown as SubgraphReader);
    const feed = hub.jobUpdated({ ...openJob(1, 90), status: "Expired" });
    expect(hub.subscriberCount).to.equal(0);
    expect((await feed.next()).value?.status).to.equal("Expired");
    expect(await feed.next()).to.deep.equal({ value: undefined, done: true });
    hub.stop();
  });

  it("ends every subscription with SHUTTING_DOWN when it stops", async function () {
    const { hub } = startHub({ jobs: async () => [], protocol: async () => null } as unknown as SubgraphReader);
    const feed = await hub.jobOpened(parseFeedFilter(null));
    const pending = feed.next().catch((error: unknown) => error);
    hub.stop();
    const error = (await pending) as GraphQLError;
    expect(error.message).to.equal("the gateway is shutting down");
    expect(error.extensions).to.deep.equal({ code: "SHUTTING_DOWN" });
  });
});
