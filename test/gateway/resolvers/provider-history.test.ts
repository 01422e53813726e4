// Provider.history counts calendar days: the subgraph writes a ProviderDay only for a day with a change, so a
// provider's newest rows may lie weeks apart. A fake source holds such rows and answers the days query as graph-node
// does (its `where`, order and `first`), which the scenario chain, all of whose activity falls on a few days, cannot.
import { expect } from "chai";
import type { IndexedHead } from "../../../gateway/src/sources/head-watcher";
import type { SourceKind, SubgraphSource, Variables } from "../../../gateway/src/sources/source";
import { HASH_7, HASH_8, executeOver } from "../helpers/moving-index";

const PROVIDER = `0x${"0a".repeat(20)}`;
const DAY = 86_400;
/** The head's day: the history's days end with it. */
const TODAY = 100;

/** A ProviderDay row of `day`: `jobsCompleted` that day, `staked` at its end. */
const row = (day: number, jobsCompleted: number, staked: number) => ({
  id: `${PROVIDER}${day}`,
  day,
  date: String(day * DAY),
  jobsAccepted: jobsCompleted,
  jobsCompleted,
  jobsTimedOut: 0,
  disputesLost: 0,
  earned: "0",
  slashed: "0",
  gpuSecondsBilled: "0",
  staked: String(staked),
  gpusInUse: 0,
  pricePerGpuHour: "1",
  online: true,
  reputationScore: 5000,
});

type Row = ReturnType<typeof row>;

/** One provider with `rows`; the days query gets them filtered and ordered as graph-node would. */
class DaysIndex implements SubgraphSource {
  readonly kind: SourceKind = "subgraphUrl";

  constructor(private readonly rows: Row[]) {}

  async request<TData>(_query: string, variables: Variables = {}): Promise<TData> {
    const newestFirst = [...this.rows].sort((a, b) => b.day - a.day);
    const fromDay = typeof variables.fromDay === "number" ? variables.fromDay : -Infinity;
    const first = typeof variables.first === "number" ? variables.first : 100;
    const provider = {
      id: PROVIDER,
      days: newestFirst.filter((r) => r.day >= fromDay).slice(0, first),
      before: newestFirst.filter((r) => r.day < fromDay).slice(0, 1),
    };
    return { providers: [provider], _meta: { block: { number: 7, hash: null, timestamp: TODAY * DAY + 3600 } } } as TData;
  }

  async close(): Promise<void> {}
}

interface Day {
  date: number;
  jobsCompleted: number;
  staked: { wei: string };
}

async function history(rows: Row[], days: number): Promise<Day[]> {
  const head: IndexedHead = { number: 7, hash: null, parentHash: null, timestamp: TODAY * DAY + 3600, hasIndexingErrors: false };
  const result = await executeOver(new DaysIndex(rows), head, `{ provider(address: "${PROVIDER}") { history(days: ${days}) { date jobsCompleted staked { wei } } } }`);
  expect(result.errors?.map((e) => e.message).join("; ")).to.equal(undefined);
  return (result.data as { provider: { history: Day[] } }).provider.history;
}

/** Activity on days 80, 85, 90, 97 and 99: quiet in between, and on days 98 and 100. */
const SPARSE = [row(80, 1, 100), row(85, 1, 300), row(90, 1, 500), row(97, 2, 800), row(99, 1, 900)];

describe("Provider.history", function () {
  it("gives the `days` calendar days ending with the day of the block read, newest first", async function () {
    const days = await history(SPARSE, 7);
    expect(days.map((d) => d.date / DAY)).to.deep.equal([100, 99, 98, 97, 96, 95, 94]);
  });

  it("counts nothing on a day without activity", async function () {
    const days = await history(SPARSE, 7);
    expect(days.map((d) => d.jobsCompleted)).to.deep.equal([0, 1, 0, 2, 0, 0, 0]);
  });

  it("gives a quiet day the snapshot of the last day before it, one before the window included", async function () {
    const days = await history(SPARSE, 7);
    expect(days.map((d) => d.staked.wei)).to.deep.equal(["900", "900", "800", "800", "500", "500", "500"]);
  });

  it("leaves out the days before the provider's first", async function () {
    const days = await history([row(98, 1, 800)], 7);
    expect(days.map((d) => [d.date / DAY, d.jobsCompleted, d.staked.wei])).to.deep.equal([
      [100, 0, "800"],
      [99, 0, "800"],
      [98, 1, "800"],
    ]);
  });
});

/** Block 7 a few seconds before midnight UTC, at the end of day 99; block 8 a few seconds after it, on day 100. */
const BEFORE_MIDNIGHT = 100 * DAY - 10;
const AFTER_MIDNIGHT = 100 * DAY + 10;
/** Another provider, before PROVIDER in address order: a first page of one ends with it. */
const OTHER = `0x${"01".repeat(20)}`;

/**
 * Two providers at blocks 7 and 8 around midnight, answering each query at the block it asks for. Its `_meta` tells
 * a block's time only where `telling` says so (as graph-node does not for a block asked by number, nor for one its
 * block cache lacks); its newest day entity is PROVIDER's newest row, on the day of block 7.
 */
class MidnightIndex implements SubgraphSource {
  readonly kind: SourceKind = "subgraphUrl";

  constructor(private readonly telling: boolean) {}

  async request<TData>(query: string, variables: Variables = {}): Promise<TData> {
    const block = variables.block as { hash?: string; number?: number } | undefined;
    const number = block?.hash === HASH_8 || block?.number === 8 ? 8 : 7;
    const meta = { block: { number, hash: number === 8 ? HASH_8 : HASH_7, timestamp: this.telling ? (number === 8 ? AFTER_MIDNIGHT : BEFORE_MIDNIGHT) : null } };
    const rows = [row(97, 1, 800), row(99, 1, 900)];
    const operation = /query (\w+)/.exec(query)?.[1];
    if (operation === "ProtocolOfPage") return { protocol: null, _meta: meta } as TData;
    if (operation === "Providers") {
      const where = variables.where as { id_gt?: string; id_in?: string[] };
      const providers = [{ id: OTHER }, { id: PROVIDER }].filter(
        (p) => (where.id_gt === undefined || p.id > where.id_gt) && (where.id_in === undefined || where.id_in.includes(p.id)),
      );
      return { providers: providers.slice(0, Number(variables.first)), _meta: meta } as TData;
    }
    if (operation === "BlockClock") return { _meta: meta, networkDays: [{ day: 99 }], providerDays: [{ day: 99 }], protocol: null } as TData;
    if (operation === "ProviderDays") {
      const fromDay = Number(variables.fromDay);
      const newestFirst = [...rows].reverse();
      const days = newestFirst.filter((r) => r.day >= fromDay).slice(0, Number(variables.first));
      return { providers: [{ id: PROVIDER, days, before: newestFirst.filter((r) => r.day < fromDay).slice(0, 1) }] } as TData;
    }
    throw new Error(`MidnightIndex: unexpected query ${operation}`);
  }

  async close(): Promise<void> {}
}

/**
 * PROVIDER's 3-day history on the page after the first (of one provider), each read by a request of its own: the
 * first at block 7, whose time the gateway's head did not carry, the second at block 8, after midnight. That page
 * reads block 7, its cursor's.
 */
async function historyOnLaterPage(source: SubgraphSource): Promise<number[]> {
  const head7: IndexedHead = { number: 7, hash: HASH_7, parentHash: null, timestamp: null, hasIndexingErrors: false };
  const head8: IndexedHead = { number: 8, hash: HASH_8, parentHash: null, timestamp: AFTER_MIDNIGHT, hasIndexingErrors: false };
  const first = await executeOver(source, head7, `{ providers(first: 1) { pageInfo { endCursor } } }`);
  expect(first.errors?.map((e) => e.message).join("; ")).to.equal(undefined);
  const cursor = (first.data as { providers: { pageInfo: { endCursor: string } } }).providers.pageInfo.endCursor;
  const later = await executeOver(source, head8, `{ providers(first: 1, after: "${cursor}") { nodes { address history(days: 3) { date } } } }`);
  expect(later.errors?.map((e) => e.message).join("; ")).to.equal(undefined);
  const nodes = (later.data as { providers: { nodes: { address: string; history: { date: number }[] }[] } }).providers.nodes;
  expect(nodes.map((n) => n.address)).to.deep.equal([PROVIDER]);
  return nodes[0]!.history.map((d) => d.date / DAY);
}

describe("Provider.history around midnight", function () {
  it("ends with the day of the block read, from the source's time of that block, not the request's head's day after midnight", async function () {
    expect(await historyOnLaterPage(new MidnightIndex(true))).to.deep.equal([99, 98, 97]);
  });

  it("ends with the newest day entity's day where the source tells no block time, not the request's head's day after midnight", async function () {
    expect(await historyOnLaterPage(new MidnightIndex(false))).to.deep.equal([99, 98, 97]);
  });

  it("dates a block just after midnight by its own time where the head carries none, not by the wall clock", async function () {
    const head: IndexedHead = { number: 8, hash: HASH_8, parentHash: null, timestamp: null, hasIndexingErrors: false };
    const result = await executeOver(new MidnightIndex(true), head, `{ provider(address: "${PROVIDER}") { history(days: 2) { date } } }`);
    expect(result.errors?.map((e) => e.message).join("; ")).to.equal(undefined);
    expect((result.data as { provider: { history: { date: number }[] } }).provider.history.map((d) => d.date / DAY)).to.deep.equal([100, 99]);
  });
});
