// Page sequences read one block: rows whose sort key changes between two pages are neither skipped nor repeated, a
// new sequence sees the change, and a cursor whose block a reorganisation replaced is refused with CURSOR_EXPIRED.
import { expect } from "chai";
import { cancelJob, createJob } from "../../../scripts/scenario";
import type { GraphQLErrorJson } from "../helpers/client";
import { describeEachSource } from "../helpers/environment";

interface JobsPage {
  jobs: { nodes: { id: string }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null; blockNumber: number | null } };
}

const JOBS = `
  query Jobs($filter: JobFilter, $orderBy: JobOrder, $first: Int, $after: String) {
    jobs(filter: $filter, orderBy: $orderBy, first: $first, after: $after) { nodes { id } pageInfo { hasNextPage endCursor blockNumber } }
  }`;

const RECENTLY_UPDATED = { field: "UPDATED", direction: "DESC" };

describeEachSource("pinned page sequences", (ctx) => {
  let counter = 0;
  const spec = () => `ipfs://gateway-suite/${ctx().mode}/pinned-${++counter}.json`;

  /** Five new jobs of one client; the first of them is the least recently updated. */
  async function fiveJobs() {
    const { env } = ctx();
    const who = env.scenario.actors.clients[3]!;
    const jobs = [];
    for (let i = 0; i < 5; i++) jobs.push(await createJob(env.scenario, who, { specURI: spec() }));
    await env.waitForIndexed();
    return { jobs, filter: { client: await who.getAddress() } };
  }

  const page = async (filter: Record<string, unknown>, first: number, after: string | null = null) =>
    (await ctx().client.query<JobsPage>(JOBS, { filter, orderBy: RECENTLY_UPDATED, first, after })).jobs;

  it("pages through rows whose sort key changes between pages showing each row of the first page's block once", async function () {
    const { env } = ctx();
    const { jobs, filter } = await fiveJobs();
    const everything = (await page(filter, 100)).nodes.map((j) => j.id);
    const first = await page(filter, 2);
    // Cancelling the least recently updated of the five (on a later page) moves it above the cursor.
    const moved = String(jobs[0]!.jobId);
    expect(everything.indexOf(moved)).to.be.at.least(2);
    await cancelJob(env.scenario, jobs[0]!);
    await env.waitForIndexed();

    const seen = first.nodes.map((j) => j.id);
    const blocks = [first.pageInfo.blockNumber];
    let after = first.pageInfo.endCursor;
    while (after !== null) {
      const next = await page(filter, 2, after);
      seen.push(...next.nodes.map((j) => j.id));
      blocks.push(next.pageInfo.blockNumber);
      after = next.pageInfo.hasNextPage ? next.pageInfo.endCursor : null;
    }
    expect(seen).to.deep.equal(everything);
    expect(new Set(blocks).size).to.equal(1);
  });

  it("reads the nested lists of a later page (a job's timeline) at the sequence's block, not the latest", async function () {
    const { env, client } = ctx();
    const { jobs, filter } = await fiveJobs();
    const TIMELINES = `
      query Jobs($filter: JobFilter, $first: Int, $after: String) {
        jobs(filter: $filter, first: $first, after: $after) {
          nodes { id status timeline { kind } } pageInfo { hasNextPage endCursor blockNumber }
        }
      }`;
    type TimelineJob = { id: string; status: string; timeline: { kind: string }[] };
    type TimelinePage = { jobs: { nodes: TimelineJob[]; pageInfo: JobsPage["jobs"]["pageInfo"] } };
    const read = async (first: number, after: string | null) => (await client.query<TimelinePage>(TIMELINES, { filter, first, after })).jobs;
    const everything = await read(100, null);
    // Newest first: the oldest of the five is on the last page, which is read after it was cancelled.
    const first = await read(2, null);
    await cancelJob(env.scenario, jobs[0]!);
    await env.waitForIndexed();

    const seen: TimelineJob[] = [...first.nodes];
    let after = first.pageInfo.endCursor;
    while (after !== null) {
      const next = await read(2, after);
      seen.push(...next.nodes);
      after = next.pageInfo.hasNextPage ? next.pageInfo.endCursor : null;
    }
    expect(seen).to.deep.equal(everything.nodes);
    const latest = await read(100, null);
    const cancelled = latest.nodes.find((j) => j.id === String(jobs[0]!.jobId));
    expect(cancelled?.timeline.length).to.be.greaterThan(everything.nodes.find((j) => j.id === cancelled?.id)?.timeline.length ?? Infinity);
  });

  it("starts a new sequence without `after` at the latest block, which shows the changes", async function () {
    const { env } = ctx();
    const { jobs, filter } = await fiveJobs();
    const before = await page(filter, 2);
    await cancelJob(env.scenario, jobs[0]!);
    await env.waitForIndexed();
    const fresh = await page(filter, 2);
    expect(fresh.nodes[0]?.id).to.equal(String(jobs[0]!.jobId));
    expect(fresh.pageInfo.blockNumber).to.be.greaterThan(before.pageInfo.blockNumber ?? Infinity);
  });

  it("judges openJobs' acceptance deadlines on every page at the first page's block time, not the head's", async function () {
    const { env, client } = ctx();
    const OPEN_JOBS = `
      query OpenJobs($provider: Address!, $first: Int, $after: String) {
        openJobs(provider: $provider, first: $first, after: $after) { nodes { id } pageInfo { hasNextPage endCursor blockNumber } }
      }`;
    type OpenJobsPage = { openJobs: JobsPage["jobs"] };
    const provider = env.directedAt.address;
    const read = async (first: number, after: string | null) => (await client.query<OpenJobsPage>(OPEN_JOBS, { provider, first, after })).openJobs;
    const who = env.scenario.actors.clients[3]!;
    // Directed at one provider, so that no other test's provider sees them; the newest jobs, so on its last page.
    const soon = await createJob(env.scenario, who, { specURI: spec(), targetProvider: provider, acceptWindow: 120 });
    const later = await createJob(env.scenario, who, { specURI: spec(), targetProvider: provider, acceptWindow: 7 * 86_400 });
    await env.waitForIndexed();
    const everything = (await read(100, null)).nodes.map((j) => j.id);
    const split = everything.indexOf(String(soon.jobId));
    expect(split, "the short-lived job is open").to.be.at.least(1);
    const first = await read(split, null);

    // The short-lived job's deadline passes before the page that holds it is read.
    await env.chain.ethers.send("evm_increaseTime", [600]);
    await env.chain.ethers.send("evm_mine", []);
    await env.waitForIndexed();
    const second = await read(100, first.pageInfo.endCursor);

    expect([...first.nodes, ...second.nodes].map((j) => j.id)).to.deep.equal(everything);
    expect(second.pageInfo.blockNumber).to.equal(first.pageInfo.blockNumber);
    const fresh = (await read(100, null)).nodes.map((j) => j.id);
    expect(fresh).to.include(String(later.jobId)).and.not.include(String(soon.jobId));
  });

  it("refuses a cursor whose block a reorganisation replaced with CURSOR_EXPIRED, naming the block", async function () {
    const { env, client } = ctx();
    const snapshot = (await env.chain.ethers.send("evm_snapshot", [])) as string;
    const { filter } = await fiveJobs();
    const first = await page(filter, 2);
    // The branch the first page read is replaced by a longer one without its blocks.
    await env.chain.ethers.send("evm_revert", [snapshot]);
    const target = (first.pageInfo.blockNumber ?? 0) + 1;
    while ((await env.chain.blockNumber()) < target) await env.chain.ethers.send("evm_mine", []);
    await env.waitForIndexed();

    const errors: GraphQLErrorJson[] = await client.errors(JOBS, { filter, orderBy: RECENTLY_UPDATED, first: 2, after: first.pageInfo.endCursor });
    expect(errors.map((e) => e.extensions)).to.deep.equal([{ code: "CURSOR_EXPIRED", argument: "after", blockNumber: first.pageInfo.blockNumber }]);
    expect(errors[0]?.message).to.contain("start again without `after`");
  });
});
