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

  it("gives the amount each event moved", async function () {
    const { env } = ctx();
    const staked = (await rows({ provider: env.summary.providers[0]!.address, categories: ["STAKE"] })).find((r) => r.kind === "Staked")!;
    expect(BigInt(staked.amount!.wei)).to.be.greaterThan(0n);
    const registered = (await rows({ categories: ["PROVIDER"] })).find((r) => r.kind === "ProviderOnlineSet")!;
    expect(registered.amount).to.equal(null);
  });
});
