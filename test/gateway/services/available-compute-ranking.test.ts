// availableCompute over a fake source, for what the scenario chain is too small to show (its default ranking) or does
// not stay in (a guardian pause, a free stake a wei short of a job's collateral).
import { expect } from "chai";
import type { ComputeRequirements, OfferOrder } from "../../../gateway/src/generated/graphql";
import type { OfferConnectionModel } from "../../../gateway/src/model/models";
import { availableCompute, priceBounds } from "../../../gateway/src/services/available-compute";
import type { ProtocolEntity, ProviderEntity } from "../../../gateway/src/subgraph/entities";
import type { BlockClock, ListArgs } from "../../../gateway/src/subgraph/reader";
import { allOf, anyOf } from "../../../gateway/src/subgraph/where";
import { FakeReader } from "../helpers/fake-reader";
import { list } from "../helpers/fake-source";

const protocol = { minStakePerGpu: "100", collateralRatioBps: 1000, protocolFeeBps: 500, pausedUntil: "0" } as ProtocolEntity;

function provider(n: number, reputationScore: number): ProviderEntity {
  return {
    id: `0x${n.toString(16).padStart(40, "0")}`,
    registered: true,
    online: true,
    stakePerGpu: "100",
    gpusFree: 8,
    pricePerGpuHour: "1000",
    reputationScore,
    // Covers any job's collateral here: what falls short is tested on its own below.
    freeStake: (10n ** 30n).toString(),
  } as ProviderEntity;
}

describe("availableCompute ranking", function () {
  it("ranks a price shared by more than a thousand providers by reputation, then address, on every page", async function () {
    // 1500 providers at one price: most with a new provider's 5000, the last few (highest addresses) better.
    const rows = Array.from({ length: 1500 }, (_, i) => provider(i + 1, i >= 1495 ? 9000 : 5000));
    const reader = new FakeReader({
      protocolOfPage: async () => ({ protocol, at: undefined }),
      // A source that tells no block time, nor any change: not paused.
      blockClock: async (): Promise<BlockClock> => ({ timestamp: null, newestDay: null, newestTime: null }),
      providers: async (args: ListArgs) => list(rows, args),
      providerPage: async (args: ListArgs) => ({ rows: list(rows, args), block: { number: 1, hash: null } }),
    });
    const expected = [...rows].sort((a, b) => b.reputationScore - a.reputationScore || (a.id < b.id ? -1 : 1)).map((p) => p.id);
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 3; page++) {
      const connection = await availableCompute(reader, null, { requirements: {}, first: 100, after });
      seen.push(...connection.edges.map((e) => e.node.provider.id));
      after = connection.pageInfo.endCursor;
    }
    expect(seen).to.deep.equal(expected.slice(0, 300));
  });
});

describe("availableCompute while the guardian has paused the protocol", function () {
  const NOW = 1_500;
  const rows = [provider(1, 5000), provider(2, 6000)];

  async function page(pausedUntil: number) {
    const at = { block: { number: 10, hash: null, timestamp: NOW }, byHash: false };
    const reader = new FakeReader({
      protocolOfPage: async () => ({ protocol: { ...protocol, pausedUntil: String(pausedUntil) }, at }),
      providers: async (args: ListArgs) => list(rows, args),
      providerPage: async (args: ListArgs) => ({ rows: list(rows, args), block: at.block }),
    });
    return availableCompute(reader, null, { requirements: {}, first: 20 });
  }

  async function offered(pausedUntil: number): Promise<string[]> {
    return (await page(pausedUntil)).edges.map((e) => e.node.provider.id);
  }

  it("offers nothing until the pause ends (JobEscrow.createJob and acceptJob revert while paused), then offers again", async function () {
    expect(await offered(NOW + 1)).to.deep.equal([]);
    expect(await offered(NOW)).to.deep.equal([rows[1]!.id, rows[0]!.id]);
  });

  it("names the block it judged the pause at as the empty page's blockNumber", async function () {
    expect((await page(NOW + 1)).pageInfo.blockNumber).to.equal(10);
  });
});

describe("availableCompute and the collateral a job would lock", function () {
  const at = { block: { number: 10, hash: null, timestamp: 1_000 }, byHash: false };
  const ratioBps = 1_500;
  // 3 GPUs for half an hour at 1001 wei: JobEscrow.computeCost = floor(1001 * 3 * 1800 / 3600) = 1501 (1501.5 cut),
  // and acceptJob locks LatentMath.bpsUp(1501, 1500) = ceil(225.15) = 226.
  const requirements = { gpuCount: 3, hours: 0.5 };
  const NEEDED = 226n;

  /** Over `rows`, counting in `read.rows` every row its lists return and in `read.lists` every list request. */
  function reader(rows: ProviderEntity[], read = { rows: 0, lists: 0 }) {
    const counted = (args: ListArgs) => {
      const page = list(rows, args);
      read.rows += page.length;
      read.lists += 1;
      return page;
    };
    // The cheapest row asked beside a page: one more row, in the same request.
    const cheapest = (args: ListArgs) => {
      const [row] = list(rows, { ...args, orderBy: "pricePerGpuHour", orderDirection: "asc", first: 1 });
      read.rows += row === undefined ? 0 : 1;
      return row ?? null;
    };
    return new FakeReader({
      protocolOfPage: async () => ({ protocol: { ...protocol, collateralRatioBps: ratioBps }, at }),
      providers: async (args: ListArgs) => counted(args),
      providerPage: async (args: ListArgs) => ({ rows: counted(args), block: at.block }),
      providerPageAndCheapest: async (args: ListArgs) => ({ rows: counted(args), block: at.block, cheapest: cheapest(args) }),
    });
  }

  /** Every offer of `requirements` in `orderBy`'s order, `first` a page. */
  async function allPages(source: ReturnType<typeof reader>, req: ComputeRequirements, first: number, orderBy?: OfferOrder): Promise<string[]> {
    const seen: string[] = [];
    let after: string | null = null;
    for (let guard = 0; guard < 1000; guard++) {
      const page: OfferConnectionModel = await availableCompute(source, null, { requirements: req, first, after, orderBy });
      seen.push(...page.edges.map((e) => e.node.provider.id));
      if (!page.pageInfo.hasNextPage) return seen;
      after = page.pageInfo.endCursor;
    }
    throw new Error("no last page");
  }

  const ORDERS: Array<OfferOrder | undefined> = [
    undefined,
    { field: "PRICE", direction: "ASC" },
    { field: "PRICE", direction: "DESC" },
    { field: "FREE_GPUS", direction: "DESC" },
    { field: "REPUTATION", direction: "ASC" },
  ];

  // 300 providers at 17 prices, free stakes from none to about the collateral at the dearest price, in an order
  // unrelated to price.
  const mixed = Array.from({ length: 300 }, (_, i) => ({
    ...provider(i + 1, 1000 + ((i * 37) % 50) * 100),
    gpusFree: 3 + (i % 6),
    pricePerGpuHour: String(1000 + ((i * 7) % 17) * 100),
    freeStake: String(((i * 7919) % 301) * 2),
  }));
  // JobEscrow.computeCost, then LatentMath.bpsUp.
  const collateral = (p: ProviderEntity) => (((BigInt(p.pricePerGpuHour) * 3n * 1800n) / 3600n) * BigInt(ratioBps) + 9_999n) / 10_000n;

  it("offers exactly the providers whose free stake covers the collateral at their price, in every order, however the stakes and prices mix", async function () {
    const covered = mixed.filter((p) => BigInt(p.freeStake) >= collateral(p)).map((p) => p.id);
    expect(covered.length, "the set mixes covered and short providers").to.be.within(50, 250);
    for (const orderBy of ORDERS) {
      const seen = await allPages(reader(mixed), requirements, 7, orderBy);
      expect([...seen].sort(), JSON.stringify(orderBy)).to.deep.equal([...covered].sort());
      expect(new Set(seen).size).to.equal(seen.length);
    }
  });

  it("reads about a page of rows, not the whole table, where no provider's free stake covers the collateral (8 GPUs for 720 hours)", async function () {
    // 3000 providers at 30 prices, each with free stake for a one-GPU hour but far from 8 GPUs for 720 hours.
    const rows = Array.from({ length: 3000 }, (_, i) => ({
      ...provider(i + 1, 5000),
      pricePerGpuHour: String(1000 + (i % 30) * 10),
      freeStake: String(1000 + i),
    }));
    for (const orderBy of ORDERS) {
      const read = { rows: 0, lists: 0 };
      const page = await availableCompute(reader(rows, read), null, { requirements: { gpuCount: 8, hours: 720 }, first: 20, orderBy });
      expect(page.edges, JSON.stringify(orderBy)).to.deep.equal([]);
      // The first read of a page, and the cheapest row after it where the order is not by price.
      expect(read.rows, JSON.stringify(orderBy)).to.be.at.most(32);
    }
  });

  const staked = (n: number, freeStake: bigint, reputation = 5000): ProviderEntity => ({
    ...provider(n, reputation),
    pricePerGpuHour: "1001",
    freeStake: freeStake.toString(),
  });

  it("offers a provider whose free stake is exactly the collateral, and not one a wei short (Staking.lock would revert)", async function () {
    const [short, exact] = [staked(1, NEEDED - 1n), staked(2, NEEDED)];
    const page = await availableCompute(reader([short, exact]), null, { requirements, first: 20 });
    expect(page.edges.map((e) => e.node.provider.id)).to.deep.equal([exact.id]);
    expect(page.edges[0]!.node.quote.collateral).to.equal(NEEDED);
    expect(page.edges[0]!.node.quote.collateralAvailable).to.equal(true);
  });

  it("reads on past short providers in an order other than price in one request, not a 1-row read for the price floor first", async function () {
    // Every third provider is covered, the rest a wei short: the page's first read of 5 rows keeps 2, so one more read
    // is needed; it learns its price floor from the cheapest row asked beside the first.
    const rows = Array.from({ length: 60 }, (_, i) => staked(i + 1, i % 3 === 0 ? NEEDED : NEEDED - 1n, 9000 - i));
    const read = { rows: 0, lists: 0 };
    const page = await availableCompute(reader(rows, read), null, { requirements, first: 4, orderBy: { field: "FREE_GPUS", direction: "DESC" } });
    // All have 8 free GPUs: graph-node breaks the tie by id in the order's direction.
    expect(page.edges.map((e) => e.node.provider.id)).to.deep.equal([rows[57]!.id, rows[54]!.id, rows[51]!.id, rows[48]!.id]);
    expect(read.lists, "list requests").to.equal(2);
  });

  for (const orderBy of [undefined, { field: "FREE_GPUS" as const, direction: "DESC" as const }]) {
    it(`pages through every covered provider and no other, ${orderBy === undefined ? "by price then reputation" : "in an explicit order"}, however many fall short in between`, async function () {
      // Every third provider is covered; the rest fall a wei short.
      const rows = Array.from({ length: 60 }, (_, i) => staked(i + 1, i % 3 === 0 ? NEEDED : NEEDED - 1n, 9000 - i));
      const source = reader(rows);
      const seen: string[] = [];
      let after: string | null = null;
      for (let guard = 0; guard < 10; guard++) {
        const page = await availableCompute(source, null, { requirements, first: 4, after, orderBy });
        seen.push(...page.edges.map((e) => e.node.provider.id));
        expect(page.edges.length, "a page is full while covered providers remain").to.equal(Math.min(4, 20 - (seen.length - page.edges.length)));
        if (!page.pageInfo.hasNextPage) break;
        after = page.pageInfo.endCursor;
      }
      const covered = rows.filter((_, i) => i % 3 === 0).map((p) => p.id);
      expect([...seen].sort()).to.deep.equal([...covered].sort());
      expect(new Set(seen).size).to.equal(seen.length);
    });
  }
});

describe("availableCompute's price bounds of a filter", function () {
  // The reads ask for the free stake the floor's collateral needs, and skip the cheapest-row read where floor and
  // ceiling meet (a price group): a bound taken too wide costs reads, one too narrow would drop covered offers.
  it("narrows through `and`, widens through `or` (unbounded above where one part is), and takes a strict bound a wei inside", function () {
    expect(priceBounds({ reputationScore_gte: 1 })).to.deep.equal({ floor: 0n, ceiling: null });
    expect(priceBounds({ pricePerGpuHour: "7" })).to.deep.equal({ floor: 7n, ceiling: 7n });
    expect(priceBounds(allOf({ pricePerGpuHour_gt: "10" }, { pricePerGpuHour_lt: "20" }))).to.deep.equal({ floor: 11n, ceiling: 19n });
    expect(priceBounds(anyOf({ pricePerGpuHour: "7" }, { pricePerGpuHour_gte: "5" }))).to.deep.equal({ floor: 5n, ceiling: null });
    expect(priceBounds(anyOf({ pricePerGpuHour_lte: "9" }, { pricePerGpuHour: "12" }))).to.deep.equal({ floor: 0n, ceiling: 12n });
    const nested = allOf({ pricePerGpuHour_gte: "3" }, anyOf({ pricePerGpuHour: "8" }, { pricePerGpuHour: "6", id_gt: "0x01" }), { gpusFree_gte: 2 });
    expect(priceBounds(nested)).to.deep.equal({ floor: 6n, ceiling: 8n });
  });
});
