import { expect } from "chai";
import { describeEachSource } from "../helpers/environment";

interface ActivityRow {
  kind: string;
  category: string;
  timestamp: number;
  blockNumber: number;
  transaction: string;
  logIndex: number;
  accounts: string[];
  jobId: string | null;
  provider: string | null;
  amount: { wei: string } | null;
}

interface ActivityPage {
  activity: { edges: { cursor: string; node: ActivityRow }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
}

const ACTIVITY = `
  query Activity($filter: ActivityFilter, $first: Int, $after: String) {
    activity(filter: $filter, first: $first, after: $after) {
      edges { cursor node { kind category timestamp blockNumber transaction logIndex from accounts jobId provider amount { wei } } }
      pageInfo { hasNextPage endCursor }
    }
  }`;

describeEachSource("activity", (ctx) => {
  const page = async (variables: Record<string, unknown>) => (await ctx().client.query<ActivityPage>(ACTIVITY, { first: 100, ...variables })).activity;
  const rows = async (filter: Record<string, unknown>) => (await page({ filter })).edges.map((e) => e.node);
  const key = (r: ActivityRow) => `${r.transaction}:${r.logIndex}`;

  it("lists events newest first, and pages through them without overlaps", async function () {
    const first = await page({ first: 30 });
    const blocks = first.edges.map((e) => e.node.blockNumber);
    expect(blocks).to.deep.equal([...blocks].sort((a, b) => b - a));
    const second = await page({ first: 30, after: first.pageInfo.endCursor });
    const seen = new Set(first.edges.map((e) => key(e.node)));
    expect(second.edges.length).to.equal(30);
    expect(second.edges.some((e) => seen.has(key(e.node)))).to.equal(false);
    expect(second.edges[0]!.node.blockNumber).to.be.at.most(blocks[blocks.length - 1]!);
  });

  it("filters by category", async function () {
    const jobs = await rows({ categories: ["JOB", "DISPUTE"] });
    expect(jobs.length).to.be.greaterThan(0);
    expect(jobs.every((r) => r.category === "JOB" || r.category === "DISPUTE")).to.equal(true);
    const governance = await rows({ categories: ["GOVERNANCE"] });
    expect(governance.map((r) => r.kind)).to.include.members(["ProposalCreated", "VoteCast", "ProposalExecuted"]);
  });

  it("gives a job's events, the same as its timeline", async function () {
    const { env, client } = ctx();
    const id = env.summary.jobs.disputeUpheld.toString();
    const events = await rows({ jobId: id });
    const { job } = await client.query<{ job: { timeline: { kind: string }[] } }>(`query($id: ID!) { job(id: $id) { timeline { kind } } }`, { id });
    expect(events.map((r) => r.kind).sort()).to.deep.equal(job.timeline.map((e) => e.kind).sort());
    expect(events.every((r) => r.jobId === id)).to.equal(true);
  });

  it("gives the events that concern an address, and those about a provider", async function () {
    const { env } = ctx();
    const client = env.summary.accounts.clients[0]!;
    const mine = await rows({ account: client });
    expect(mine.length).to.be.greaterThan(0);
    expect(mine.every((r) => r.accounts.includes(client))).to.equal(true);
    const provider = env.summary.providers[0]!.address;
    const about = await rows({ provider });
    expect(about.map((r) => r.kind)).to.include.members(["ProviderRegistered", "Staked", "JobAccepted"]);
    expect(about.every((r) => r.provider === provider)).to.equal(true);
  });

  it("gives a parameter change's contract, parameter, unit and value before and after; null for other events", async function () {
    const { env, client } = ctx();
    type Change = { kind: string; accounts: string[]; parameter: Record<string, string | null> | null };
    const { activity } = await client.query<{ activity: { nodes: Change[] } }>(
      `{ activity(filter: { categories: [PARAMETER, GOVERNANCE] }, first: 100) {
        nodes { kind accounts parameter { contract name unit value previousValue address previousAddress } }
      } }`,
    );
    const changes = activity.nodes.filter((e) => e.kind === "ParameterChanged");
    const named = (contract: string, name: string) => changes.filter((e) => e.parameter?.contract === contract && e.parameter.name === name);
    // LIP-1 (the full scenario) moves the thawing period from the scenario's 1 hour to 2 hours.
    expect(named("Staking", "thawingPeriod")[0]?.parameter).to.deep.equal({
      contract: "Staking",
      name: "thawingPeriod",
      unit: "SECONDS",
      value: "7200",
      previousValue: "3600",
      address: null,
      previousAddress: null,
    });
    expect(named("Staking", "thawingPeriod")[0]?.accounts[0]).to.equal(await env.scenario.c.staking.getAddress());
    const arbitrator = named("DisputeManager", "arbitrator")[0]?.parameter;
    expect(arbitrator).to.include({ unit: "ADDRESS", value: null, previousValue: null, address: env.summary.accounts.arbitrator });
    // The value a constructor set first has none before it.
    const initial = changes.find((e) => e.parameter?.previousValue === null && e.parameter.unit !== "ADDRESS");
    expect(initial?.parameter?.value, "a first value").to.match(/^\d+$/);
    expect(changes.every((e) => e.parameter !== null)).to.equal(true);
    expect(activity.nodes.filter((e) => e.kind !== "ParameterChanged").map((e) => e.parameter)).to.satisfy((p: unknown[]) => p.length > 0 && p.every((x) => x === null));
  });

  it("names who gave a job back on its JobTimedOut (the operator that called abandonJob), and no one on a timeout whose deadline passed or on other events", async function () {
    const { env, client } = ctx();
    const { jobs } = env.summary;
    const { jobEscrow } = env.scenario.c;
    const [given] = await jobEscrow.queryFilter(jobEscrow.filters.JobAbandoned(jobs.abandoned));
    expect(given, "the scenario gave a job back").to.not.equal(undefined);
    type Row = { kind: string; jobId: string | null; abandonedBy: string | null };
    const timeline = async (id: bigint) =>
      (await client.query<{ activity: { nodes: Row[] } }>(`query($id: ID!) { activity(filter: { jobId: $id }, first: 100) { nodes { kind jobId abandonedBy } } }`, { id: id.toString() })).activity.nodes;
    const givenBack = await timeline(jobs.abandoned);
    expect(givenBack.filter((e) => e.kind === "JobTimedOut").map((e) => e.abandonedBy?.toLowerCase())).to.deep.equal([given!.args.by.toLowerCase()]);
    // The operator is not the provider: the field names who called, not whose job it was.
    expect(given!.args.by.toLowerCase()).to.not.equal(given!.args.provider.toLowerCase());
    const passed = await timeline(jobs.timedOut);
    expect(passed.filter((e) => e.kind === "JobTimedOut").map((e) => e.abandonedBy)).to.deep.equal([null]);
    const others = [...givenBack, ...passed].filter((e) => e.kind !== "JobTimedOut");
    expect(others.length).to.be.greaterThan(0);
    expect(others.every((e) => e.abandonedBy === null)).to.equal(true);
  });

  it("gives the amount each event moved", async function () {
    const { env } = ctx();
    const staked = (await rows({ provider: env.summary.providers[0]!.address, categories: ["STAKE"] })).find((r) => r.kind === "Staked")!;
    expect(BigInt(staked.amount!.wei)).to.be.greaterThan(0n);
    const registered = (await rows({ categories: ["PROVIDER"] })).find((r) => r.kind === "ProviderOnlineSet")!;
    expect(registered.amount).to.equal(null);
  });
});
