// JobSettlement.refundReason and slashed: why a job's whole escrow went back to its client (the job's final status:
// an upheld dispute, a time-out, an expiry, a cancellation, a decline), null for a job settled to its provider, and
// the provider's collateral slashed for the job, which must equal the Staking.Slashed events the chain logged for it;
// and who gave a job back before its deadline (abandonedBy), which a time-out leaves null.
import { expect } from "chai";
import { describeEachSource } from "../helpers/environment";

interface Settled {
  status: string;
  settlement: { reason: string | null; refundReason: string | null; slashed: { wei: string }; refund: { wei: string } } | null;
  escrowed: { wei: string };
  dispute: { slashed: { wei: string } } | null;
}

const JOB = `
  query Job($id: ID!) {
    job(id: $id) { status escrowed { wei } settlement { reason refundReason slashed { wei } refund { wei } } dispute { slashed { wei } } }
  }`;

describeEachSource("JobSettlement.refundReason and slashed", (ctx) => {
  const job = async (id: bigint) => (await ctx().client.query<{ job: Settled | null }>(JOB, { id: id.toString() })).job!;

  /** What Staking.Slashed logged for the job on the chain, all slashes together. */
  async function slashedOnChain(id: bigint): Promise<bigint> {
    const { staking } = ctx().env.scenario.c;
    const events = await staking.queryFilter(staking.filters.Slashed(undefined, id));
    return events.reduce((sum, e) => sum + e.args.amount, 0n);
  }

  it("names the reason of each full refund by the job's final status, with the whole escrow refunded and no settlement reason", async function () {
    const { jobs } = ctx().env.summary;
    const cases: [bigint, string, string][] = [
      [jobs.disputeUpheld, "REFUNDED", "DISPUTE_UPHELD"],
      [jobs.timedOut, "TIMED_OUT", "TIMEOUT"],
      [jobs.abandoned, "TIMED_OUT", "TIMEOUT"],
      [jobs.expired, "EXPIRED", "EXPIRED"],
      [jobs.cancelled, "CANCELLED", "CANCELLED"],
      [jobs.declined, "DECLINED", "DECLINED"],
    ];
    for (const [id, status, refundReason] of cases) {
      const j = await job(id);
      expect([j.status, j.settlement?.refundReason, j.settlement?.reason, j.settlement?.refund.wei], String(id)).to.deep.equal([
        status,
        refundReason,
        null,
        j.escrowed.wei,
      ]);
    }
  });

  it("names who gave a job back before its deadline (the operator that called abandonJob), and no one for a job whose deadline passed", async function () {
    const { jobs } = ctx().env.summary;
    const { jobEscrow } = ctx().env.scenario.c;
    const [given] = await jobEscrow.queryFilter(jobEscrow.filters.JobAbandoned(jobs.abandoned));
    const by = async (id: bigint) =>
      (await ctx().client.query<{ job: { settlement: { abandonedBy: string | null } } }>(`query($id: ID!) { job(id: $id) { settlement { abandonedBy } } }`, { id: id.toString() })).job.settlement.abandonedBy;
    expect(given, "the scenario gave a job back").to.not.equal(undefined);
    expect((await by(jobs.abandoned))?.toLowerCase()).to.equal(given!.args.by.toLowerCase());
    expect(await by(jobs.timedOut)).to.equal(null);
    expect(await by(jobs.disputeUpheld)).to.equal(null);
  });

  it("has no refund reason for a job settled to its provider, approved or after a rejected dispute", async function () {
    const { jobs } = ctx().env.summary;
    for (const id of [jobs.approved, jobs.settledAfterWindow, jobs.disputeRejected]) {
      const j = await job(id);
      expect([j.status, j.settlement?.refundReason], String(id)).to.deep.equal(["COMPLETED", null]);
    }
  });

  it("gives the collateral slashed for a timed-out job: what the chain's Slashed events for it amount to, more than 0", async function () {
    const id = ctx().env.summary.jobs.timedOut;
    const onChain = await slashedOnChain(id);
    expect(onChain > 0n, "the time-out slashed").to.equal(true);
    expect((await job(id)).settlement?.slashed.wei).to.equal(onChain.toString());
  });

  it("gives the collateral slashed for an upheld dispute: the chain's Slashed events for the job, the dispute's slash", async function () {
    const id = ctx().env.summary.jobs.disputeUpheld;
    const onChain = await slashedOnChain(id);
    const j = await job(id);
    expect(onChain > 0n, "the ruling slashed").to.equal(true);
    expect([j.settlement?.slashed.wei, j.dispute?.slashed.wei]).to.deep.equal([onChain.toString(), onChain.toString()]);
  });

  it("gives 0 slashed for a job that ended without a slash", async function () {
    const { jobs } = ctx().env.summary;
    for (const id of [jobs.approved, jobs.expired, jobs.cancelled, jobs.declined, jobs.disputeRejected]) {
      expect((await job(id)).settlement?.slashed.wei, String(id)).to.equal("0");
    }
  });
});
