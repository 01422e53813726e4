// What an answer judges by time (networkStats' last day, openJobs' acceptance deadlines, availableCompute's and
// governance's pause) is judged at the time of the block it reads, also where the gateway's head carries none: then
// by the source's time for that block, else its last recorded change, never the wall clock's (years after these
// blocks, so on the other side of every deadline and midnight here).
import { expect } from "chai";
import type { ExecutionResult } from "graphql";
import { networkStats } from "../../../gateway/src/services/network-stats";
import type { IndexedHead } from "../../../gateway/src/sources/head-watcher";
import type { SourceKind, SubgraphSource, Variables } from "../../../gateway/src/sources/source";
import { SubgraphReader, type ListArgs } from "../../../gateway/src/subgraph/reader";
import type { Where } from "../../../gateway/src/subgraph/where";
import { list } from "../helpers/fake-source";
import { HASH_7, HASH_8, executeOver } from "../helpers/moving-index";

const DAY = 86_400;
/** Block 8: a few seconds before midnight UTC, at the end of day 99. */
const BLOCK_TIME = 100 * DAY - 10;
/** The last change the index recorded up to block 8 (Protocol.updatedAt). */
const LAST_CHANGE = BLOCK_TIME - 600;
/** The newest NetworkDay up to block 8. */
const NEWEST_DAY = 98;
const PROVIDER = `0x${"0a".repeat(20)}`;

const provider = {
  id: PROVIDER, registered: true, online: true, stakePerGpu: "100", gpuModelKey: "h100-sxm-80gb", regionKey: "eu-west", vramGiB: 80,
  gpusFree: 8, tier: "Enterprise", jobsCompleted: "0", maxSlashRewardBps: 10_000, pricePerGpuHour: "1", freeStake: "1000", reputationScore: 5000,
};

function job(jobId: string, acceptDeadline: number) {
  return {
    id: jobId, jobId, status: "Open", acceptDeadline: String(acceptDeadline), gpuModelKey: "*", regionKey: "*", minVramGiB: 0, gpuCount: 1,
    tier: "Any", minCompletedJobs: "0", minSlashRewardBps: 0, maxPricePerGpuHour: "5", targetProvider: `0x${"00".repeat(20)}`, escrowed: "10",
  };
}

interface Indexed {
  pausedUntil?: number;
  jobs?: ReturnType<typeof job>[];
}

/**
 * Blocks 7 and 8 of an index, alike but for their number, whose `_meta` tells no block time, as graph-node's may not,
 * except to the BlockClock query where `telling` says so (graph-node for a block asked by hash that its block cache
 * holds): BLOCK_TIME, for either.
 */
class UntimedIndex implements SubgraphSource {
  readonly kind: SourceKind = "subgraphUrl";

  constructor(
    private readonly telling: boolean,
    private readonly indexed: Indexed = {},
  ) {}

  async request<TData>(query: string, variables: Variables = {}): Promise<TData> {
    const operation = /query (\w+)/.exec(query)?.[1];
    const protocol = {
      minStakePerGpu: "100", collateralRatioBps: 1000, protocolFeeBps: 100, pausedUntil: String(this.indexed.pausedUntil ?? 0),
      onlineProviderCount: 1, currentParams: null, updatedAt: String(LAST_CHANGE),
    };
    const days = [96, NEWEST_DAY].map((day) => ({ day, providerCount: 1 }));
    const block = variables.block as { hash?: string; number?: number } | undefined;
    const number = block?.hash === HASH_7 || block?.number === 7 ? 7 : 8;
    const meta = { block: { number, hash: number === 7 ? HASH_7 : HASH_8, timestamp: operation === "BlockClock" && this.telling ? BLOCK_TIME : null } };
    if (operation === "BlockClock") return { _meta: meta, networkDays: [{ day: NEWEST_DAY }], providerDays: [], protocol } as TData;
    if (operation === "NetworkDays") return { networkDays: days.filter((d) => d.day >= Number(variables.fromDay)) } as TData;
    if (operation === "NetworkDayBefore") return { networkDays: days.filter((d) => d.day < Number(variables.day)).reverse().slice(0, 1) } as TData;
    const args: ListArgs = {
      where: (variables.where ?? {}) as Where,
      orderBy: String(variables.orderBy ?? "id"),
      orderDirection: variables.orderDirection === "desc" ? "desc" : "asc",
      first: Number(variables.first ?? 1000),
    };
    return { _meta: meta, protocol, providers: list([provider], args), jobs: list(this.indexed.jobs ?? [], args), gpuModels: [], regions: [] } as TData;
  }

  async close(): Promise<void> {}
}

/** The gateway's head: block 8, without its time. */
const HEAD: IndexedHead = { number: 8, hash: HASH_8, parentHash: null, timestamp: null, hasIndexingErrors: false };

async function answer<T>(source: SubgraphSource, query: string, head: IndexedHead = HEAD): Promise<T> {
  const result: ExecutionResult = await executeOver(source, head, query);
  expect(result.errors?.map((e) => e.message).join("; ")).to.equal(undefined);
  return result.data as T;
}

async function historyDays(source: SubgraphSource): Promise<number[]> {
  const data = await answer<{ networkStats: { history: { date: number }[] } }>(source, `{ networkStats(days: 3) { history { date } } }`);
  return data.networkStats.history.map((d) => d.date / DAY);
}

async function openJobIds(source: SubgraphSource): Promise<string[]> {
  const data = await answer<{ openJobs: { nodes: { id: string }[] } }>(source, `{ openJobs(provider: "${PROVIDER}") { nodes { id } } }`);
  return data.openJobs.nodes.map((n) => n.id);
}

describe("networkStats history at a head without a time", function () {
  it("ends with the day of the block read, by the source's time for it, not the wall clock's day", async function () {
    expect(await historyDays(new UntimedIndex(true))).to.deep.equal([97, 98, 99]);
  });

  it("ends with the newest day entity's day where the source tells no time for the block, not the wall clock's day", async function () {
    expect(await historyDays(new UntimedIndex(false))).to.deep.equal([96, 97, NEWEST_DAY]);
  });

  it("ends with the block's day, by the source's time for it, for the subscription too (no request's loaders)", async function () {
    const stats = await networkStats(new SubgraphReader(new UntimedIndex(true)), HEAD, 3);
    expect(stats.history.map((d) => d.date / DAY)).to.deep.equal([97, 98, 99]);
  });
});

describe("networkStats at a head without a time", function () {
  it("gives the block's time as the source tells it, not 0", async function () {
    const data = await answer<{ networkStats: { timestamp: number } }>(new UntimedIndex(true), `{ networkStats { timestamp } }`);
    expect(data.networkStats.timestamp).to.equal(BLOCK_TIME);
  });
});

describe("openJobs at a head without a time", function () {
  it("lists a job whose acceptance deadline lies between the block's time (the source's) and the wall clock", async function () {
    expect(await openJobIds(new UntimedIndex(true, { jobs: [job("1", BLOCK_TIME - 1), job("2", BLOCK_TIME + 60)] }))).to.deep.equal(["2"]);
  });

  it("judges a later page's deadlines at its block's time (the source's), not at the request's head's after it", async function () {
    // Job 1, on the first page, open for ages yet (past the wall clock too); job 2's deadline a minute after block 7.
    const source = new UntimedIndex(true, { jobs: [job("1", 2 ** 40), job("2", BLOCK_TIME + 60)] });
    const head7: IndexedHead = { ...HEAD, number: 7, hash: HASH_7 };
    const first = await answer<{ openJobs: { pageInfo: { endCursor: string } } }>(
      source,
      `{ openJobs(provider: "${PROVIDER}", first: 1) { pageInfo { endCursor } } }`,
      head7,
    );
    // The next request's head: block 8, an hour after block 7, past job 2's deadline.
    const head8: IndexedHead = { ...HEAD, timestamp: BLOCK_TIME + 3_600 };
    const later = await answer<{ openJobs: { nodes: { id: string }[] } }>(
      source,
      `{ openJobs(provider: "${PROVIDER}", first: 1, after: "${first.openJobs.pageInfo.endCursor}") { nodes { id } } }`,
      head8,
    );
    expect(later.openJobs.nodes.map((n) => n.id)).to.deep.equal(["2"]);
  });

  it("judges deadlines at the index's last recorded change where the source tells no time for the block, not the wall clock", async function () {
    expect(await openJobIds(new UntimedIndex(false, { jobs: [job("1", LAST_CHANGE - 1), job("2", LAST_CHANGE)] }))).to.deep.equal(["2"]);
  });
});

describe("the guardian's pause at a head without a time", function () {
  const pausedUntil = BLOCK_TIME + 60;

  it("availableCompute offers nothing while the pause lasts at the block's time (the source's), though the wall clock is past it", async function () {
    const data = await answer<{ availableCompute: { nodes: unknown[] } }>(
      new UntimedIndex(true, { pausedUntil }),
      `{ availableCompute(requirements: {}) { nodes { provider { address } } } }`,
    );
    expect(data.availableCompute.nodes).to.deep.equal([]);
  });

  it("governance is paused while the pause lasts at the block's time (the source's), though the wall clock is past it", async function () {
    const data = await answer<{ governance: { paused: boolean } }>(new UntimedIndex(true, { pausedUntil }), `{ governance { paused } }`);
    expect(data.governance.paused).to.equal(true);
  });
});
