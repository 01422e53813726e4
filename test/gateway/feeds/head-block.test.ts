// The subscription hub reads each head it handles at that head's block: over a fake source whose index moves on
// while a head is handled (helpers/moving-index.ts), and one whose head a reorg replaces meanwhile.
import { expect } from "chai";
import { SourceError } from "../../../gateway/src/errors";
import { SubscriptionHub } from "../../../gateway/src/feeds/subscription-hub";
import { silentLogger } from "../../../gateway/src/logger";
import { parseFeedFilter } from "../../../gateway/src/services/job-filters";
import type { HeadListener, IndexedHead } from "../../../gateway/src/sources/head-watcher";
import { FakeHeadWatcher } from "../helpers/fake-head-watcher";
import type { SourceKind, SubgraphSource, Variables } from "../../../gateway/src/sources/source";
import type { JobEntity, ProviderEntity } from "../../../gateway/src/subgraph/entities";
import { SubgraphReader } from "../../../gateway/src/subgraph/reader";
import { HASH_7, MovingIndex } from "../helpers/moving-index";

const HASH_6 = `0x${"06".repeat(32)}`;
const HASH_7B = `0x${"7b".repeat(32)}`;
const PROVIDER = "0x00000000000000000000000000000000000000aa";

const head = (number: number, hash: string, parentHash: string | null = null): IndexedHead => ({
  number,
  hash,
  parentHash,
  timestamp: 1_000,
  hasIndexingErrors: false,
});

/** Online with 8 H100s and a stake of 100 per GPU: active while the minimum stake is 100, not at 200. */
const provider = {
  id: PROVIDER, registered: true, online: true, gpuModelKey: "h100-sxm-80gb", regionKey: "eu-west", vramGiB: 80, gpusFree: 8,
  tier: "Enterprise", jobsCompleted: 0, maxSlashRewardBps: 10_000, pricePerGpuHour: "1", freeStake: "1000", stakePerGpu: "100",
} as ProviderEntity;

/** An open job created in block 7 that the provider may take. */
const job = (id: number, status: JobEntity["status"] = "Open") =>
  ({
    id: String(id), jobId: String(id), status, createdAtBlock: "7", termsHash: `0x${id}`, gpuModelKey: "*", regionKey: "*", minVramGiB: 0,
    gpuCount: 1, tier: "Any", minCompletedJobs: "0", minSlashRewardBps: 0, maxPricePerGpuHour: "5", targetProvider: "0x0000000000000000000000000000000000000000",
    escrowed: "10", acceptDeadline: "999999",
  }) as JobEntity;

const protocol = (minStakePerGpu: string) => ({ minStakePerGpu, collateralRatioBps: 1000, pausedUntil: "0" });

/** A started hub over `source` whose watcher saw `initial`; `advance` announces a new head as the watcher would. */
function startHub(source: SubgraphSource, initial: IndexedHead): { hub: SubscriptionHub; reader: SubgraphReader; advance: HeadListener } {
  let listener: HeadListener | null = null;
  const watcher = new FakeHeadWatcher({
    ensureHead: async () => initial,
    subscribe: (l: HeadListener) => {
      listener = l;
      return () => undefined;
    },
  });
  const reader = new SubgraphReader(source);
  const hub = new SubscriptionHub(reader, watcher, silentLogger, { reorgThreshold: 5 });
  hub.start();
  return { hub, reader, advance: (next, previous) => listener!(next, previous) };
}

/** The jobs a feed holds now, as "id:status" (a queued job is handed over at once; a pull left waiting is abandoned). */
async function queued(feed: AsyncIterableIterator<JobEntity>): Promise<string[]> {
  const jobs: string[] = [];
  for (;;) {
    const next = await Promise.race([feed.next(), new Promise<null>((resolve) => setImmediate(() => resolve(null)))]);
    if (next === null || next.done === true) return jobs;
    jobs.push(`${next.value.id}:${next.value.status}`);
  }
}

/** Block 7: job 1, which the provider may take. Block 8: governance raised the minimum stake above the provider's. */
const STAKE_RAISED = {
  7: { jobs: [job(1)], providers: [provider], protocol: protocol("100") },
  8: { jobs: [job(1)], providers: [provider], protocol: protocol("200") },
};

describe("subscription hub: one block per head", function () {
  it("judges a head's jobs for a provider's jobOpened with the protocol and provider of that head's block while the index moves on", async function () {
    const { hub, advance } = startHub(new MovingIndex(STAKE_RAISED), head(6, HASH_6));
    const feed = await hub.jobOpened(parseFeedFilter({ provider: PROVIDER }));
    await advance(head(7, HASH_7, HASH_6), head(6, HASH_6));
    expect(await queued(feed)).to.deep.equal(["1:Open"]);
    hub.stop();
  });

  it("judges a jobOpened(sinceBlock) replay with the protocol and provider of the block its jobs are read at", async function () {
    const { hub } = startHub(new MovingIndex(STAKE_RAISED), head(7, HASH_7, HASH_6));
    const feed = await hub.jobOpened(parseFeedFilter({ provider: PROVIDER }), 6);
    expect(await queued(feed)).to.deep.equal(["1:Open"]);
    hub.stop();
  });

  it("sends jobUpdated the job's state at the head it handles, not a later block's the index has moved on to", async function () {
    const blocks = { 7: { jobs: [job(1, "Accepted")] }, 8: { jobs: [job(1, "Completed")] } };
    const { hub, reader, advance } = startHub(new MovingIndex(blocks), head(6, HASH_6));
    const feed = await hub.jobUpdated(job(1));
    // A query reads the latest block (7) before the hub learns of it; the index then moves on to block 8.
    await reader.jobsByIds(["1"]);
    await advance(head(7, HASH_7, HASH_6), head(6, HASH_6));
    expect(await queued(feed)).to.deep.equal(["1:Open", "1:Accepted"]);
    hub.stop();
  });

  it("skips a head a reorg replaces while its jobs are judged, rather than judge them with the new block's minimum stake, and offers the new head's", async function () {
    // Block 7 holds job 1, which the provider may not take (the minimum stake is above its own). After the first read
    // a reorg replaces it with a block holding job 2 instead, under a minimum the provider meets: job 1 is offerable in
    // neither block.
    const blocks: Record<string, Record<string, unknown>> = {
      [HASH_7]: { jobs: [job(1)], providers: [provider], protocol: protocol("200") },
      [HASH_7B]: { jobs: [job(2)], providers: [provider], protocol: protocol("100") },
    };
    let reorged = false;
    const source: SubgraphSource = {
      kind: "subgraphUrl" as SourceKind,
      async request<TData>(_query: string, variables: Variables = {}): Promise<TData> {
        const asked = (variables.block as { hash?: string } | undefined)?.hash;
        const hash = asked ?? (reorged ? HASH_7B : HASH_7);
        const gone = reorged && hash === HASH_7;
        reorged = true;
        // graph-node's words for a block hash it no longer has.
        if (gone) throw new SourceError("subgraph query failed", "no block with that hash");
        return blocks[hash] as TData;
      },
      async close() {},
    };
    const { hub, advance } = startHub(source, head(6, HASH_6));
    const feed = await hub.jobOpened(parseFeedFilter({ provider: PROVIDER }));
    await advance(head(7, HASH_7, HASH_6), head(6, HASH_6));
    await advance(head(7, HASH_7B, HASH_6), head(7, HASH_7, HASH_6));
    expect(await queued(feed)).to.deep.equal(["2:Open"]);
    hub.stop();
  });

  /**
   * A source at block 103 (hash "0xh103") whose job 1 was Accepted up to block 101 and Completed from block 102, with
   * empty statistics; the hub it feeds has yet to handle heads 101 to 103, which the watcher has already seen.
   */
  function aheadOfTheHub() {
    const blockOf = (variables: Variables) => (variables.block as { number?: number; hash?: string } | undefined) ?? { hash: "0xh103" };
    const numberOf = (block: { number?: number; hash?: string }) => block.number ?? Number(block.hash?.slice(3));
    const source: SubgraphSource = {
      kind: "subgraphUrl" as SourceKind,
      async request<TData>(_query: string, variables: Variables = {}): Promise<TData> {
        const status = numberOf(blockOf(variables)) <= 101 ? "Accepted" : "Completed";
        return {
          jobs: [{ ...job(1, status), createdAtBlock: "90" }],
          protocol: null,
          gpuModels: [],
          regions: [],
          networkDays: [],
          _meta: { block: { number: 103, hash: "0xh103", timestamp: 1_000 } },
        } as TData;
      },
      async close() {},
    };
    const at = (number: number) => head(number, `0xh${number}`, `0xh${number - 1}`);
    const started = startHub(source, at(103));
    /** Has the hub handle heads `from` to `through`, one after another, as the watcher hands them over. */
    const handle = async (from: number, through: number) => {
      for (let n = from; n <= through; n++) await started.advance(at(n), at(n - 1));
    };
    return { ...started, handle };
  }

  it("sends jobUpdated no older state than the one it started with while the hub catches up on heads below the block it was read at", async function () {
    const { hub, reader, handle } = aheadOfTheHub();
    // As the resolver reads it: at the latest block, 103.
    const [completed] = await reader.jobsByIds(["1"]);
    const feed = await hub.jobUpdated(completed!);
    await handle(101, 104);
    expect(await queued(feed)).to.deep.equal(["1:Completed"]);
    hub.stop();
  });

  it("sends jobUpdated started at the head the hub is at the state of an index rolled back below that head", async function () {
    const { hub, reader, handle, advance } = aheadOfTheHub();
    await handle(101, 103);
    const [completed] = await reader.jobsByIds(["1"]);
    const feed = await hub.jobUpdated(completed!);
    // A reorg: the index goes back to block 101 of another branch, where the job is not settled.
    await advance(head(101, "0xb101", "0xh100"), head(103, "0xh103", "0xh102"));
    expect(await queued(feed)).to.deep.equal(["1:Completed", "1:Accepted"]);
    hub.stop();
  });

  it("sends networkStats no block older than its first while the hub catches up on heads the watcher has seen", async function () {
    const { hub, handle } = aheadOfTheHub();
    const feed = await hub.networkStats(1);
    await handle(101, 104);
    const blocks: number[] = [];
    for (;;) {
      const next = await Promise.race([feed.next(), new Promise<null>((resolve) => setImmediate(() => resolve(null)))]);
      if (next === null || next.done === true) break;
      blocks.push(next.value.blockNumber);
    }
    expect(blocks).to.deep.equal([103, 104]);
    hub.stop();
  });
});
