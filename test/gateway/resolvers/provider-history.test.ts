// Provider.history counts calendar days: the subgraph writes a ProviderDay only for a day with a change, so a
// provider's newest rows may lie weeks apart. A fake source holds such rows and answers the days query as graph-node
// does (its `where`, order and `first`), which the scenario chain, all of whose activity falls on a few days, cannot.
import { expect } from "chai";
import type { IndexedHead } from "../../../gateway/src/sources/head-watcher";
import type { SourceKind, SubgraphSource, Variables } from "../../../gateway/src/sources/source";
import { executeOver } from "../helpers/moving-index";

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
