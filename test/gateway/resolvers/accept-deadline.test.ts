// A job past its acceptance deadline stays OPEN until someone calls JobEscrow.expireJob: Job.pastAcceptDeadline and
// jobs' filter.pastAcceptDeadline tell it apart, judged at the time of the block read as openJobs judges deadlines
// (JobEscrow.acceptJob takes a job while block.timestamp <= acceptDeadline). Each test posts a job with a short window
// and mines a block at an exact time: its deadline, or the second after.
import { expect } from "chai";
import { advanceTo, createJob, latestTimestamp, type JobHandle } from "../../../scripts/scenario";
import { describeEachSource } from "../helpers/environment";

interface JobsAnswer {
  past: { nodes: { id: string }[] };
  notPast: { nodes: { id: string }[] };
  job: { status: string; acceptDeadline: number; pastAcceptDeadline: boolean } | null;
}

const QUERY = `
  query Deadlines($id: ID!, $client: Address!) {
    past: jobs(filter: { client: $client, statuses: [OPEN], pastAcceptDeadline: true }, first: 100) { nodes { id } }
    notPast: jobs(filter: { client: $client, statuses: [OPEN], pastAcceptDeadline: false }, first: 100) { nodes { id } }
    job(id: $id) { status acceptDeadline pastAcceptDeadline }
  }`;

const WINDOW = 120;

describeEachSource("a job's acceptance deadline", (ctx) => {
  /** A new open job of one client, then a block mined at `deadline + offset`, indexed. */
  async function jobAt(offset: number): Promise<{ job: JobHandle; answer: JobsAnswer; blockTime: number }> {
    const { env, client } = ctx();
    const who = env.scenario.actors.clients[2]!;
    const job = await createJob(env.scenario, who, { acceptWindow: WINDOW });
    const deadline = Number(job.terms.acceptDeadline);
    expect(await latestTimestamp(env.scenario), "the job's block is before its deadline").to.be.lessThan(deadline + offset);
    await advanceTo(env.scenario, deadline + offset);
    await env.waitForIndexed();
    const answer = await client.query<JobsAnswer>(QUERY, { id: String(job.jobId), client: await who.getAddress() });
    return { job, answer, blockTime: await latestTimestamp(env.scenario) };
  }

  it("is not past at a block whose time is the deadline itself (acceptJob still takes the job): pastAcceptDeadline false, kept by filter false, left out by true", async function () {
    const { job, answer, blockTime } = await jobAt(0);
    const id = String(job.jobId);
    expect(blockTime).to.equal(Number(job.terms.acceptDeadline));
    expect(answer.job).to.deep.equal({ status: "OPEN", acceptDeadline: blockTime, pastAcceptDeadline: false });
    expect(answer.notPast.nodes.map((n) => n.id)).to.include(id);
    expect(answer.past.nodes.map((n) => n.id)).to.not.include(id);
  });

  it("is past at a block one second after the deadline, the job still OPEN: pastAcceptDeadline true, kept by filter true, left out by false", async function () {
    const { job, answer, blockTime } = await jobAt(1);
    const id = String(job.jobId);
    expect(blockTime).to.equal(Number(job.terms.acceptDeadline) + 1);
    expect(answer.job).to.deep.equal({ status: "OPEN", acceptDeadline: blockTime - 1, pastAcceptDeadline: true });
    expect(answer.past.nodes.map((n) => n.id)).to.include(id);
    expect(answer.notPast.nodes.map((n) => n.id)).to.not.include(id);
  });
});
