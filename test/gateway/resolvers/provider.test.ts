import { expect } from "chai";
import { describeEachSource } from "../helpers/environment";

interface ProviderRow {
  address: string;
  registered: boolean;
  online: boolean;
  active: boolean;
  operator: string | null;
  gpuModel: string | null;
  region: string | null;
  tier: string | null;
  vramGiB: number;
  pricePerGpuHour: { wei: string };
  capacity: { gpuCount: number; gpusInUse: number; gpusFree: number };
  reputation: { score: number };
  stake: { staked: { wei: string } };
  createdAt: number;
}

interface ProvidersPage {
  providers: { edges: { cursor: string; node: ProviderRow }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
}

const PROVIDERS = `
  query Providers($filter: ProviderFilter, $orderBy: ProviderOrder, $first: Int, $after: String) {
    providers(filter: $filter, orderBy: $orderBy, first: $first, after: $after) {
      edges { cursor node {
        address registered online active operator gpuModel region tier vramGiB pricePerGpuHour { wei }
        capacity { gpuCount gpusInUse gpusFree } reputation { score } stake { staked { wei } } createdAt
      } }
      pageInfo { hasNextPage endCursor }
    }
  }`;

describeEachSource("providers", (ctx) => {
  const page = async (variables: Record<string, unknown>) => (await ctx().client.query<ProvidersPage>(PROVIDERS, { first: 100, ...variables })).providers;
  const all = async (variables: Record<string, unknown> = {}) => (await page(variables)).edges.map((e) => e.node);

  it("lists every provider, ordered by address", async function () {
    const { env } = ctx();
    const rows = await all();
    const expected = env.summary.providers.length + env.bulk.wallets.length + env.ties.wallets.length;
    expect(rows.length).to.equal(expected);
    const addresses = rows.map((r) => r.address.toLowerCase());
    expect(addresses).to.deep.equal([...addresses].sort());
  });

  it("pages by cursor without overlaps or gaps", async function () {
    const whole = (await all({ orderBy: { field: "PRICE", direction: "DESC" } })).map((r) => r.address);
    const paged: string[] = [];
    let after: string | null = null;
    for (let guard = 0; guard < 30; guard++) {
      const p: ProvidersPage["providers"] = await page({ orderBy: { field: "PRICE", direction: "DESC" }, first: 9, after });
      paged.push(...p.edges.map((e) => e.node.address));
      if (!p.pageInfo.hasNextPage) break;
      after = p.pageInfo.endCursor;
    }
    expect(paged).to.deep.equal(whole);
  });

  const orders: [string, (r: ProviderRow) => bigint][] = [
    ["PRICE", (r) => BigInt(r.pricePerGpuHour.wei)],
    ["REPUTATION", (r) => BigInt(r.reputation.score)],
    ["FREE_GPUS", (r) => BigInt(r.capacity.gpusFree)],
    ["GPU_COUNT", (r) => BigInt(r.capacity.gpuCount)],
    ["VRAM", (r) => BigInt(r.vramGiB)],
    ["STAKE", (r) => BigInt(r.stake.staked.wei)],
    ["CREATED_AT", (r) => BigInt(r.createdAt)],
  ];
  for (const [field, value] of orders) {
    it(`orders by ${field}`, async function () {
      const rows = await all({ orderBy: { field, direction: "ASC" } });
      for (let i = 1; i < rows.length; i++) expect(value(rows[i - 1]!) <= value(rows[i]!)).to.equal(true);
    });
  }

  it("filters active providers, and the others", async function () {
    const { env } = ctx();
    const active = await all({ filter: { active: true } });
    const inactive = await all({ filter: { active: false } });
    expect(active.every((r) => r.active)).to.equal(true);
    expect(inactive.every((r) => !r.active)).to.equal(true);
    const deregistered = env.summary.providers.find((p) => !p.registered)!.address.toLowerCase();
    expect(inactive.map((r) => r.address.toLowerCase())).to.include(deregistered);
    expect(active.length + inactive.length).to.equal((await all()).length);
  });

  const filters: [string, Record<string, unknown>, (r: ProviderRow) => boolean][] = [
    ["registered", { registered: false }, (r) => !r.registered],
    ["online", { online: true }, (r) => r.online],
    ["GPU models", { gpuModels: ["l40s-48gb", "mi300x-192gb"] }, (r) => r.registered && ["l40s-48gb", "mi300x-192gb"].includes(r.gpuModel ?? "")],
    ["regions", { regions: ["ap-southeast"] }, (r) => r.registered && r.region === "ap-southeast"],
    ["tier", { tier: "ENTERPRISE" }, (r) => r.registered && r.tier === "ENTERPRISE"],
    ["minimum VRAM", { minVramGiB: 48 }, (r) => r.registered && r.vramGiB >= 48],
    ["minimum free GPUs", { minGpusFree: 8 }, (r) => r.registered && r.capacity.gpusFree >= 8],
    ["minimum listed GPUs", { minGpuCount: 8 }, (r) => r.registered && r.capacity.gpuCount >= 8],
    ["maximum price", { maxPricePerGpuHour: "500000000000000000" }, (r) => r.registered && BigInt(r.pricePerGpuHour.wei) <= 5n * 10n ** 17n],
    ["minimum reputation", { minReputation: 5001 }, (r) => r.registered && r.reputation.score >= 5001],
  ];
  for (const [name, filter, holds] of filters) {
    it(`filters by ${name}`, async function () {
      const everyone = await all();
      const filtered = await all({ filter });
      expect(filtered.length, "keeps some").to.be.greaterThan(0);
      expect(filtered.length, "drops some").to.be.lessThan(everyone.length);
      expect(filtered.map((r) => r.address)).to.deep.equal(everyone.filter(holds).map((r) => r.address));
    });
  }

  it("lists a provider whose GPUs all run a job by its listed GPUs, not by its free ones", async function () {
    const { env } = ctx();
    // The scenario's H100 rack runs a job on all 8 of its GPUs.
    const h100 = env.summary.providers[0]!.address;
    const record = await env.scenario.c.registry.getProvider(h100);
    expect([Number(record.gpuCount), Number(record.gpusInUse)]).to.deep.equal([8, 8]);
    const listed = await all({ filter: { minGpuCount: 8 } });
    expect(listed.find((r) => r.address === h100)?.capacity).to.deep.equal({ gpuCount: 8, gpusInUse: 8, gpusFree: 0 });
    expect((await all({ filter: { minGpusFree: 8 } })).map((r) => r.address)).not.to.include(h100);
    expect((await all({ filter: { minGpuCount: 9 } })).map((r) => r.address)).not.to.include(h100);
  });

  for (const filter of [{ minGpuCount: 0 }, { minGpusFree: 0 }]) {
    it(`lists registered providers only for ${JSON.stringify(filter)}: a deregistered one lists no GPUs`, async function () {
      const { env } = ctx();
      const everyone = await all();
      const deregistered = env.summary.providers.find((p) => !p.registered)!.address;
      expect(everyone.map((r) => r.address)).to.include(deregistered);
      const listed = await all({ filter });
      expect(listed.map((r) => r.address)).to.deep.equal(everyone.filter((r) => r.registered).map((r) => r.address));
    });
  }

  it("lists no provider for registered: false with a GPU count, 0 included", async function () {
    expect(await all({ filter: { registered: false, minGpuCount: 0 } })).to.deep.equal([]);
  });

  // Each filter built from the listing the scenario's deregistered provider left with, which the subgraph keeps.
  const lastListing: [string, (left: ProviderRow) => Record<string, unknown>, (r: ProviderRow, left: ProviderRow) => boolean][] = [
    ["GPU models", (left) => ({ gpuModels: [left.gpuModel] }), (r, left) => r.gpuModel === left.gpuModel],
    ["regions", (left) => ({ regions: [left.region] }), (r, left) => r.region === left.region],
    ["tier", (left) => ({ tier: left.tier }), (r, left) => r.tier === left.tier],
    ["minimum VRAM", (left) => ({ minVramGiB: left.vramGiB }), (r, left) => r.vramGiB >= left.vramGiB],
    ["maximum price", (left) => ({ maxPricePerGpuHour: left.pricePerGpuHour.wei }), (r, left) => BigInt(r.pricePerGpuHour.wei) <= BigInt(left.pricePerGpuHour.wei)],
    ["minimum reputation", (left) => ({ minReputation: left.reputation.score }), (r, left) => r.reputation.score >= left.reputation.score],
  ];
  for (const [name, filterOf, holds] of lastListing) {
    it(`lists registered providers only by ${name}: a deregistered one offers nothing, whatever it listed when it left`, async function () {
      const { env } = ctx();
      const everyone = await all();
      const address = env.summary.providers.find((p) => !p.registered)!.address;
      const left = everyone.find((r) => r.address === address)!;
      expect(left.gpuModel, "the subgraph keeps its last listing").to.not.equal(null);
      const listed = await all({ filter: filterOf(left) });
      expect(listed.map((r) => r.address)).to.deep.equal(everyone.filter((r) => r.registered && holds(r, left)).map((r) => r.address));
      expect(listed.map((r) => r.address)).not.to.include(address);
    });
  }

  it("lists no provider for registered: false with a listing filter", async function () {
    const { env } = ctx();
    const left = env.summary.providers.find((p) => !p.registered)!;
    expect(await all({ filter: { registered: false, regions: [left.region] } })).to.deep.equal([]);
  });

  it("refuses a minimum GPU count out of range with BAD_USER_INPUT naming filter.minGpuCount", async function () {
    for (const minGpuCount of [-1, 65_536]) {
      const errors = await ctx().client.errors(`query($filter: ProviderFilter) { providers(filter: $filter) { nodes { address } } }`, {
        filter: { minGpuCount },
      });
      expect(errors[0]?.extensions, String(minGpuCount)).to.deep.include({ code: "BAD_USER_INPUT", argument: "filter.minGpuCount" });
      expect(errors[0]?.message).to.equal(`filter.minGpuCount: must be an integer from 0 to 65535 (got ${minGpuCount})`);
    }
  });

  it("filters by operator", async function () {
    const { env } = ctx();
    const withOperator = env.summary.providers.find((p) => p.operator !== "0x0000000000000000000000000000000000000000")!;
    const rows = await all({ filter: { operator: withOperator.operator } });
    expect(rows.map((r) => r.address)).to.include(withOperator.address);
    expect(rows.every((r) => r.operator?.toLowerCase() === withOperator.operator.toLowerCase())).to.equal(true);
  });
});

describeEachSource("provider(address)", (ctx) => {
  const PROVIDER = `
    query Provider($address: Address!) {
      provider(address: $address) {
        address registered online active operator gpuModel gpuModelName region tier vramGiB metadataURI
        pricePerGpuHour { wei lat }
        capacity { gpuCount gpusInUse gpusFree }
        stake { staked { wei } locked { wei } thawing { wei } free { wei } perGpu { wei } minimumPerGpu { wei } meetsMinimum }
        reputation { score jobsAccepted jobsCompleted jobsTimedOut disputesLost }
        earnings { earned { wei } disputeDepositsWon { wei } disputeDepositsReturned { wei } feesPaid { wei } slashed { wei } gpuHoursBilled }
        jobs(first: 50) { nodes { id status provider { address } } pageInfo { hasNextPage } }
        slashes { reason jobId amount { wei } beneficiary }
        thawRequests { index amount { wei } withdrawn }
        history(days: 10) { date jobsAccepted reputation }
        live { blockNumber registered online active gpuCount gpusFree pricePerGpuHour { wei } staked { wei } locked { wei } thawing { wei } freeStake { wei } jobsCompleted }
      }
    }`;

  interface Detail {
    provider: {
      address: string;
      registered: boolean;
      active: boolean;
      gpuModel: string;
      capacity: { gpuCount: number; gpusInUse: number; gpusFree: number };
      stake: Record<string, { wei: string }> & { meetsMinimum: boolean };
      reputation: { score: number; jobsCompleted: number; jobsTimedOut: number; disputesLost: number };
      earnings: { earned: { wei: string }; disputeDepositsWon: { wei: string }; disputeDepositsReturned: { wei: string } };
      jobs: { nodes: { id: string; status: string; provider: { address: string } }[] };
      slashes: { reason: string; jobId: string; amount: { wei: string } }[];
      thawRequests: { withdrawn: boolean; amount: { wei: string } }[];
      history: { date: number }[];
      live: {
        blockNumber: number;
        registered: boolean;
        active: boolean;
        gpusFree: number;
        staked: { wei: string };
        locked: { wei: string };
        thawing: { wei: string };
        freeStake: { wei: string };
        jobsCompleted: number;
      };
    } | null;
  }

  const detail = async (address: string) => (await ctx().client.query<Detail>(PROVIDER, { address })).provider;

  it("pages its slashes and thaw requests with `after` and each row's cursor, as the rows of one list, newest first", async function () {
    const { env, client } = ctx();
    type Lists = { provider: { slashes: { cursor: string; transaction: string }[]; thawRequests: { cursor: string; index: number }[] } };
    const LISTS = `query Lists($address: Address!, $first: Int, $slashesAfter: String, $thawsAfter: String) {
      provider(address: $address) { slashes(first: $first, after: $slashesAfter) { cursor transaction } thawRequests(first: $first, after: $thawsAfter) { cursor index } }
    }`;
    const whole: ({ address: string } & Lists["provider"])[] = [];
    for (const address of env.summary.accounts.providers) whole.push({ address, ...(await client.query<Lists>(LISTS, { address, first: 100 })).provider });
    const paged = async (address: string, list: "slashes" | "thawRequests"): Promise<string[]> => {
      const rows: string[] = [];
      let after: string | null = null;
      // Bounded: a cursor that did not move the page on would repeat the first row forever.
      while (rows.length <= 100) {
        const variables = { address, first: 1, ...(list === "slashes" ? { slashesAfter: after } : { thawsAfter: after }) };
        const page: { cursor: string; transaction?: string; index?: number }[] = (await client.query<Lists>(LISTS, variables)).provider[list];
        if (page.length === 0) return rows;
        rows.push(...page.map((row) => String(row.transaction ?? row.index)));
        after = page[page.length - 1]!.cursor;
      }
      return rows;
    };
    const mostSlashed = whole.reduce((a, b) => (b.slashes.length > a.slashes.length ? b : a));
    const mostThawed = whole.reduce((a, b) => (b.thawRequests.length > a.thawRequests.length ? b : a));
    // The scenario slashes a provider once at most: its second page is the one a cursor must leave empty.
    expect(mostSlashed.slashes.length, "a provider with a slash").to.be.at.least(1);
    expect(mostThawed.thawRequests.length, "a provider with a thaw request").to.be.at.least(1);
    expect(await paged(mostSlashed.address, "slashes")).to.deep.equal(mostSlashed.slashes.map((s) => s.transaction));
    expect(await paged(mostThawed.address, "thawRequests")).to.deep.equal(mostThawed.thawRequests.map((t) => String(t.index)));
  });

  it("pages its slashes and thaw requests as connections whose hasNextPage says whether rows follow, a last page of exactly `first` rows too", async function () {
    const { env, client } = ctx();
    type Connection = { nodes: { cursor: string; key: string }[]; pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; endCursor: string | null } };
    type Lists = { provider: { slashes: { transaction: string }[]; thawRequests: { index: number }[]; slashesConnection: Connection; thawRequestsConnection: Connection } };
    const LISTS = `query Lists($address: Address!, $first: Int, $slashesAfter: String, $thawsAfter: String) {
      provider(address: $address) {
        slashes(first: 100) { transaction } thawRequests(first: 100) { index }
        slashesConnection(first: $first, after: $slashesAfter) { nodes { cursor key: transaction } pageInfo { hasNextPage hasPreviousPage endCursor } }
        thawRequestsConnection(first: $first, after: $thawsAfter) { nodes { cursor key: index } pageInfo { hasNextPage hasPreviousPage endCursor } }
      }
    }`;
    const ask = async (address: string, first: number, slashesAfter: string | null = null, thawsAfter: string | null = null) =>
      (await client.query<Lists>(LISTS, { address, first, slashesAfter, thawsAfter })).provider;
    const lists = await Promise.all(env.summary.accounts.providers.map(async (address) => ({ address, ...(await ask(address, 100)) })));
    const slashed = lists.reduce((a, b) => (b.slashes.length > a.slashes.length ? b : a));
    const thawed = lists.reduce((a, b) => (b.thawRequests.length > a.thawRequests.length ? b : a));
    expect(slashed.slashes.length, "a provider with a slash").to.be.at.least(1);
    expect(thawed.thawRequests.length, "a provider with a thaw request").to.be.at.least(1);
    const cases = [
      { list: "slashesConnection" as const, address: slashed.address, whole: slashed.slashes.map((s) => s.transaction) },
      { list: "thawRequestsConnection" as const, address: thawed.address, whole: thawed.thawRequests.map((t) => String(t.index)) },
    ];
    for (const { list, address, whole } of cases) {
      const exact = (await ask(address, whole.length))[list];
      expect(exact.nodes.map((n) => String(n.key)), list).to.deep.equal(whole);
      expect(exact.pageInfo.hasNextPage, `${list}: all its rows on one page of exactly \`first\``).to.equal(false);
      const keys: string[] = [];
      let after: string | null = null;
      for (let guard = 0; guard <= whole.length; guard++) {
        const page: Connection = (await ask(address, 1, list === "slashesConnection" ? after : null, list === "thawRequestsConnection" ? after : null))[list];
        keys.push(...page.nodes.map((n) => String(n.key)));
        expect(page.pageInfo.hasPreviousPage, list).to.equal(after !== null);
        expect(page.pageInfo.hasNextPage, `${list} after ${keys.length} of ${whole.length} rows`).to.equal(keys.length < whole.length);
        if (!page.pageInfo.hasNextPage) break;
        after = page.pageInfo.endCursor;
      }
      expect(keys, list).to.deep.equal(whole);
    }
  });

  it("refuses a slashes cursor of another provider, and a thaw requests cursor as a slashes one, as a connection's cursor is refused", async function () {
    const { env, client } = ctx();
    const FIRST = `query($a: Address!) { provider(address: $a) { slashes(first: 1) { cursor } thawRequests(first: 1) { cursor } } }`;
    type First = { provider: { slashes: { cursor: string }[]; thawRequests: { cursor: string }[] } };
    const firsts: ({ a: string } & First["provider"])[] = [];
    for (const a of env.summary.accounts.providers) firsts.push({ a, ...(await client.query<First>(FIRST, { a })).provider });
    const slashed = firsts.find((f) => f.slashes.length > 0)!;
    const thawed = firsts.find((f) => f.thawRequests.length > 0)!;
    const other = firsts.find((f) => f.a !== slashed.a)!;
    const SLASHES = `query($a: Address!, $after: String) { provider(address: $a) { slashes(after: $after) { cursor } } }`;
    const otherProvider = await client.errors(SLASHES, { a: other.a, after: slashed.slashes[0]!.cursor });
    expect(otherProvider[0]?.extensions).to.deep.include({ code: "BAD_USER_INPUT", argument: "after" });
    expect(otherProvider[0]?.message).to.equal(
      "after: the cursor was issued for another provider: ask with the provider it was issued for, or start again without `after`",
    );
    const otherList = await client.errors(SLASHES, { a: thawed.a, after: thawed.thawRequests[0]!.cursor });
    expect(otherList[0]?.extensions).to.deep.include({ code: "BAD_USER_INPUT", argument: "after" });
  });

  it("gives the stake breakdown and capacity the contracts hold", async function () {
    const { env } = ctx();
    const address = env.summary.providers[0]!.address;
    const p = (await detail(address))!;
    const [staked, locked, thawing] = await env.scenario.c.staking.getStake(address);
    expect(BigInt(p.stake.staked!.wei)).to.equal(staked);
    expect(BigInt(p.stake.locked!.wei)).to.equal(locked);
    expect(BigInt(p.stake.thawing!.wei)).to.equal(thawing);
    expect(BigInt(p.stake.free!.wei)).to.equal(await env.scenario.c.staking.freeStake(address));
    const record = await env.scenario.c.registry.getProvider(address);
    expect(p.capacity.gpuCount).to.equal(Number(record.gpuCount));
    expect(p.capacity.gpusInUse).to.equal(Number(record.gpusInUse));
    expect(p.active).to.equal(await env.scenario.c.registry.isActive(address));
  });

  it("gives history as consecutive calendar days, newest first, ending with the day networkStats' history ends with", async function () {
    const { env } = ctx();
    // One request: both read its block.
    const { provider, networkStats } = await ctx().client.query<{
      provider: { history: { date: number }[] };
      networkStats: { history: { date: number }[] };
    }>(`query($address: Address!) { provider(address: $address) { history(days: 10) { date } } networkStats(days: 1) { history { date } } }`, {
      address: env.summary.providers[0]!.address,
    });
    const dates = provider.history.map((d) => d.date);
    expect(dates[0]).to.equal(networkStats.history[0]!.date);
    expect(dates.length).to.be.within(1, 10);
    for (let i = 1; i < dates.length; i++) expect(dates[i - 1]! - dates[i]!).to.equal(86_400);
  });

  it("gives the slash reward cap Staking holds (the scenario caps one provider, the others have none)", async function () {
    const { env } = ctx();
    const caps: number[] = [];
    for (const { address } of env.summary.providers) {
      const { provider } = await ctx().client.query<{ provider: { maxSlashRewardBps: number } | null }>(
        `query($address: Address!) { provider(address: $address) { maxSlashRewardBps } }`,
        { address },
      );
      expect(provider!.maxSlashRewardBps).to.equal(Number(await env.scenario.c.staking.maxSlashRewardBps(address)));
      caps.push(provider!.maxSlashRewardBps);
    }
    expect(caps).to.include(2_500);
    expect(caps).to.include(10_000);
  });

  it("gives the track record JobEscrow keeps", async function () {
    const { env } = ctx();
    for (const { address } of env.summary.providers) {
      const p = (await detail(address))!;
      const stats = await env.scenario.c.jobEscrow.providerStats(address);
      expect(p.reputation.jobsCompleted).to.equal(Number(stats.completed));
      expect(p.reputation.jobsTimedOut).to.equal(Number(stats.timedOut));
      expect(p.reputation.disputesLost).to.equal(Number(stats.disputesLost));
      const expectedScore = Math.floor((10_000 * (p.reputation.jobsCompleted + 1)) / (p.reputation.jobsCompleted + p.reputation.jobsTimedOut + 2 * p.reputation.disputesLost + 2));
      expect(p.reputation.score).to.equal(expectedScore);
    }
  });

  it("gives as disputeDepositsWon the deposits DisputeManager paid to the provider, apart from earned (JobEscrow's settlements)", async function () {
    const { env } = ctx();
    const { disputeManager, jobEscrow } = env.scenario.c;
    const won = new Map<string, bigint>();
    const returned = new Map<string, bigint>();
    for (const e of await disputeManager.queryFilter(disputeManager.filters.DisputeResolved())) {
      const provider = (await jobEscrow.getJob(e.args.jobId)).provider.toLowerCase();
      const { deposit } = await disputeManager.getDispute(e.args.jobId);
      const to = e.args.depositTo.toLowerCase() === provider ? won : returned;
      to.set(provider, (to.get(provider) ?? 0n) + deposit);
    }
    const earned = new Map<string, bigint>();
    for (const e of await jobEscrow.queryFilter(jobEscrow.filters.JobSettled())) {
      const provider = e.args.provider.toLowerCase();
      earned.set(provider, (earned.get(provider) ?? 0n) + e.args.providerAmount);
    }
    const rejectedTo = (await jobEscrow.getJob(env.summary.jobs.disputeRejected)).provider.toLowerCase();
    expect(won.get(rejectedTo) ?? 0n).to.be.greaterThan(0n);
    for (const { address } of env.summary.providers) {
      const key = address.toLowerCase();
      const p = (await detail(address))!;
      expect(BigInt(p.earnings.disputeDepositsWon.wei), address).to.equal(won.get(key) ?? 0n);
      expect(BigInt(p.earnings.disputeDepositsReturned.wei), address).to.equal(returned.get(key) ?? 0n);
      expect(BigInt(p.earnings.earned.wei), address).to.equal(earned.get(key) ?? 0n);
    }
  });

  it("gives in history, on the day of each REJECTED ruling, the deposits DisputeManager paid to the provider that day", async function () {
    const { env } = ctx();
    const { disputeManager, jobEscrow } = env.scenario.c;
    const day = async (blockNumber: number) => Math.floor((await env.chain.ethers.getBlock(blockNumber))!.timestamp / 86_400);
    // provider -> day -> deposits won
    const won = new Map<string, Map<number, bigint>>();
    for (const e of await disputeManager.queryFilter(disputeManager.filters.DisputeResolved())) {
      const provider = (await jobEscrow.getJob(e.args.jobId)).provider.toLowerCase();
      if (e.args.depositTo.toLowerCase() !== provider) continue;
      const days = won.get(provider) ?? new Map<number, bigint>();
      const d = await day(e.blockNumber);
      days.set(d, (days.get(d) ?? 0n) + (await disputeManager.getDispute(e.args.jobId)).deposit);
      won.set(provider, days);
    }
    expect(won.size).to.be.greaterThan(0);
    const today = await day(await env.chain.blockNumber());
    for (const [provider, days] of won) {
      const span = today - Math.min(...days.keys()) + 1;
      const { provider: p } = await ctx().client.query<{ provider: { history: { date: number; disputeDepositsWon: { wei: string } }[] } }>(
        `query($address: Address!, $days: Int) { provider(address: $address) { history(days: $days) { date disputeDepositsWon { wei } } } }`,
        { address: provider, days: span },
      );
      for (const [d, amount] of days) {
        expect(BigInt(p.history.find((h) => h.date === d * 86_400)!.disputeDepositsWon.wei), `${provider} day ${d}`).to.equal(amount);
      }
      const total = p.history.reduce((a, h) => a + BigInt(h.disputeDepositsWon.wei), 0n);
      expect(total, provider).to.equal([...days.values()].reduce((a, b) => a + b, 0n));
    }
  });

  it("lists the provider's jobs, newest first", async function () {
    const { env } = ctx();
    const address = env.summary.providers[0]!.address;
    const p = (await detail(address))!;
    expect(p.jobs.nodes.length).to.be.greaterThan(1);
    const ids = p.jobs.nodes.map((j) => Number(j.id));
    expect(ids).to.deep.equal([...ids].sort((a, b) => b - a));
    expect(p.jobs.nodes.every((j) => j.provider.address === address)).to.equal(true);
    expect(ids).to.include(Number(env.summary.jobs.approved));
  });

  it("lists slashes with their reason and job", async function () {
    const { env } = ctx();
    const upheld = env.summary.jobs.disputeUpheld.toString();
    const timedOut = env.summary.jobs.timedOut.toString();
    const slashes = (await Promise.all(env.summary.providers.map((p) => detail(p.address)))).flatMap((p) => p!.slashes);
    expect(slashes.find((s) => s.jobId === upheld)?.reason).to.equal("DISPUTE");
    expect(slashes.find((s) => s.jobId === timedOut)?.reason).to.equal("TIMEOUT");
  });

  it("lists thaw requests (the departed provider withdrew its stake)", async function () {
    const { env } = ctx();
    const departed = env.summary.providers.find((p) => !p.registered)!;
    const p = (await detail(departed.address))!;
    expect(p.registered).to.equal(false);
    expect(p.thawRequests.length).to.be.greaterThan(0);
    expect(p.thawRequests.every((t) => t.withdrawn)).to.equal(true);
  });

  it("reads the live state from the chain at the latest block", async function () {
    const { env } = ctx();
    const address = env.summary.providers[0]!.address;
    const p = (await detail(address))!;
    const [staked, locked, thawing] = await env.scenario.c.staking.getStake(address);
    expect(p.live.blockNumber).to.equal(await env.chain.blockNumber());
    expect(BigInt(p.live.staked.wei)).to.equal(staked);
    expect(BigInt(p.live.locked.wei)).to.equal(locked);
    expect(BigInt(p.live.thawing.wei)).to.equal(thawing);
    expect(p.live.active).to.equal(await env.scenario.c.registry.isActive(address));
    expect(p.live.jobsCompleted).to.equal(Number((await env.scenario.c.jobEscrow.providerStats(address)).completed));
  });

  it("accepts the lowercase and the checksummed address alike", async function () {
    const { env } = ctx();
    const address = env.summary.providers[2]!.address;
    const a = await detail(address.toLowerCase());
    const b = await detail(address);
    expect(a?.address).to.equal(address);
    expect(b?.address).to.equal(address);
  });

  it("answers null for an address that never registered", async function () {
    expect(await detail("0x000000000000000000000000000000000000dead")).to.equal(null);
  });

  it("refuses a malformed address with BAD_USER_INPUT", async function () {
    for (const address of ["0x1234", "not an address", "0xZZ00000000000000000000000000000000000000"]) {
      const errors = await ctx().client.errors(`query($a: Address!) { provider(address: $a) { address } }`, { a: address });
      expect(errors[0]?.extensions?.code, address).to.equal("BAD_USER_INPUT");
    }
    const literal = await ctx().client.errors(`{ provider(address: "0x1234") { address } }`);
    expect(literal[0]?.extensions?.code).to.equal("BAD_USER_INPUT");
  });

  it("refuses an address with a wrong checksum", async function () {
    const { env } = ctx();
    const address = env.summary.providers[2]!.address;
    const flipped = address.slice(0, 2) + [...address.slice(2)].map((c) => (/[a-f]/.test(c) ? c.toUpperCase() : /[A-F]/.test(c) ? c.toLowerCase() : c)).join("");
    const errors = await ctx().client.errors(`query($a: Address!) { provider(address: $a) { address } }`, { a: flipped });
    expect(errors[0]?.extensions?.code).to.equal("BAD_USER_INPUT");
    expect(errors[0]?.message).to.contain("checksum");
  });

  it("refuses live state through a list", async function () {
    const errors = await ctx().client.errors(`{ providers(first: 2) { nodes { address live { staked { wei } } } } }`);
    expect(errors[0]?.extensions?.code).to.equal("GRAPHQL_VALIDATION_FAILED");
    expect(errors[0]?.message).to.contain("live");
  });

  /** Source queries one request costs, with the query cache empty (a new block drops it). */
  const sourceQueriesOf = async (query: string, variables: Record<string, unknown>) => {
    const { env, mode, client } = ctx();
    const gateway = env.gateways[mode];
    await env.chain.ethers.send("evm_mine", []);
    await env.waitForIndexed();
    // The protocol entity (behind `active`) is read once per block whatever the page: read it before counting.
    await client.query(`{ providers(first: 1) { nodes { active } } }`);
    const before = gateway.sourceQueries();
    await client.query(query, variables);
    return gateway.sourceQueries() - before;
  };

  it("fetches a page of providers with their jobs and slashes in a constant number of source queries", async function () {
    const query = `query($first: Int) {
      providers(first: $first) { nodes { address active jobs(first: 3) { nodes { id status } } slashes { amount { wei } } } }
    }`;
    const small = await sourceQueriesOf(query, { first: 3 });
    const large = await sourceQueriesOf(query, { first: 50 });
    expect(large).to.equal(small);
    expect(small).to.equal(3);
  });

  it("fetches a page of jobs with their providers and timelines in a constant number of source queries", async function () {
    const query = `query($first: Int) {
      jobs(first: $first, filter: { statuses: [COMPLETED, REFUNDED, TIMED_OUT] }) {
        nodes { id provider { address reputation { score } } timeline { kind } }
      }
    }`;
    const small = await sourceQueriesOf(query, { first: 2 });
    const large = await sourceQueriesOf(query, { first: 9 });
    expect(large).to.equal(small);
    expect(small).to.equal(3);
  });
});
