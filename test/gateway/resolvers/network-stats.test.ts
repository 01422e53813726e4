import { expect } from "chai";
import { describeEachSource } from "../helpers/environment";

interface Stats {
  blockNumber: number;
  timestamp: number;
  providers: { registered: number; online: number; active: number };
  gpus: { total: number; inUse: number; free: number; online: number; freeOnline: number };
  gpusByModel: { model: string; total: number; free: number; providers: number }[];
  gpusByRegion: { region: string; total: number; free: number }[];
  stake: { total: { wei: string }; locked: { wei: string }; thawing: { wei: string } };
  jobs: Record<string, number>;
  volume: { wei: string };
  fees: { wei: string };
  providerEarnings: { wei: string };
  disputeDepositsWon: { wei: string };
  slashed: { wei: string };
  escrowBalance: { wei: string };
  disputes: { total: number; open: number };
  history: { date: number; jobsCreated: number; providers: number; gpusTotal: number }[];
}

export const STATS_FIELDS = `
  blockNumber timestamp
  providers { registered online active }
  gpus { total inUse free online freeOnline }
  gpusByModel { model name total free providers onlineProviders online freeOnline }
  gpusByRegion { region total free providers onlineProviders online freeOnline }
  stake { total { wei } locked { wei } thawing { wei } }
  jobs { total open accepted submitted disputed completed cancelled expired declined timedOut refunded }
  volume { wei } fees { wei } providerEarnings { wei } disputeDepositsWon { wei } refunds { wei } slashed { wei } escrowBalance { wei } gpuHoursBilled
  disputes { total open }
  history { date jobsCreated jobsCompleted volume { wei } providers onlineProviders gpusTotal gpusInUse stakeTotal { wei } jobsRunning }`;

describeEachSource("networkStats", (ctx) => {
  const stats = async (days = 30) => (await ctx().client.query<{ networkStats: Stats }>(`query($days: Int) { networkStats(days: $days) { ${STATS_FIELDS} } }`, { days })).networkStats;

  it("counts providers as the registry does", async function () {
    const { env } = ctx();
    const s = await stats();
    expect(s.providers.registered).to.equal(Number(await env.scenario.c.registry.providerCount()));
    const everyone = [...env.summary.providers.map((p) => p.address), ...env.bulk.wallets.map((w) => w.address), ...env.ties.wallets.map((w) => w.address)];
    let active = 0;
    for (const address of everyone) if (await env.scenario.c.registry.isActive(address)) active += 1;
    expect(s.providers.active).to.equal(active);
    expect(s.providers.online).to.be.at.least(active);
  });

  it("counts jobs by status, summing to every job ever created", async function () {
    const { env } = ctx();
    const s = await stats();
    expect(s.jobs.total).to.equal(Number(await env.scenario.c.jobEscrow.jobCount()));
    const { total, ...byStatus } = s.jobs;
    expect(Object.values(byStatus).reduce((a, b) => a + b, 0)).to.equal(total);
  });

  it("breaks the GPUs down by model and by region, each summing to the total", async function () {
    const s = await stats();
    expect(s.gpus.total).to.be.greaterThan(0);
    expect(s.gpusByModel.reduce((a, m) => a + m.total, 0)).to.equal(s.gpus.total);
    expect(s.gpusByRegion.reduce((a, r) => a + r.total, 0)).to.equal(s.gpus.total);
    expect(s.gpusByModel.reduce((a, m) => a + m.free, 0)).to.equal(s.gpus.free);
    expect(s.gpus.total - s.gpus.inUse).to.equal(s.gpus.free);
  });

  it("holds what the escrow holds and the stake staking holds", async function () {
    const { env } = ctx();
    const s = await stats();
    const escrow = await env.scenario.c.token.balanceOf(await env.scenario.c.jobEscrow.getAddress());
    expect(BigInt(s.escrowBalance.wei)).to.equal(escrow);
    const staking = await env.scenario.c.token.balanceOf(await env.scenario.c.staking.getAddress());
    expect(BigInt(s.stake.total.wei)).to.equal(staking);
    expect(BigInt(s.volume.wei) > 0n && BigInt(s.fees.wei) > 0n && BigInt(s.slashed.wei) > 0n).to.equal(true);
  });

  it("gives as disputeDepositsWon the deposits of the disputes ruled REJECTED, apart from providerEarnings", async function () {
    const { env } = ctx();
    const { disputeManager, jobEscrow } = env.scenario.c;
    let won = 0n;
    for (const e of await disputeManager.queryFilter(disputeManager.filters.DisputeResolved())) {
      if (e.args.depositTo.toLowerCase() === (await jobEscrow.getJob(e.args.jobId)).provider.toLowerCase()) {
        won += (await disputeManager.getDispute(e.args.jobId)).deposit;
      }
    }
    let earnings = 0n;
    for (const e of await jobEscrow.queryFilter(jobEscrow.filters.JobSettled())) earnings += e.args.providerAmount;
    const s = await stats();
    expect(won).to.be.greaterThan(0n);
    expect(BigInt(s.disputeDepositsWon.wei)).to.equal(won);
    expect(BigInt(s.providerEarnings.wei)).to.equal(earnings);
  });

  it("gives one history entry per day, oldest first, ending on the head's day", async function () {
    const s = await stats(5);
    expect(s.history.length).to.equal(5);
    for (let i = 1; i < 5; i++) expect(s.history[i]!.date - s.history[i - 1]!.date).to.equal(86_400);
    expect(s.history[4]!.date).to.equal(Math.floor(s.timestamp / 86_400) * 86_400);
    expect(s.history[4]!.providers).to.equal(s.providers.registered);
    expect(s.history.every((d) => d.gpusTotal > 0), "quiet days carry the last snapshot").to.equal(true);
  });

  it("gives in history, on the day of each REJECTED ruling, the dispute deposits DisputeManager paid to providers that day", async function () {
    const { env } = ctx();
    const { disputeManager, jobEscrow } = env.scenario.c;
    const day = async (blockNumber: number) => Math.floor((await env.chain.ethers.getBlock(blockNumber))!.timestamp / 86_400);
    const won = new Map<number, bigint>();
    for (const e of await disputeManager.queryFilter(disputeManager.filters.DisputeResolved())) {
      if (e.args.depositTo.toLowerCase() !== (await jobEscrow.getJob(e.args.jobId)).provider.toLowerCase()) continue;
      const d = await day(e.blockNumber);
      won.set(d, (won.get(d) ?? 0n) + (await disputeManager.getDispute(e.args.jobId)).deposit);
    }
    expect(won.size).to.be.greaterThan(0);
    const today = await day(await env.chain.blockNumber());
    const span = today - Math.min(...won.keys()) + 1;
    const { networkStats: s } = await ctx().client.query<{ networkStats: { history: { date: number; disputeDepositsWon: { wei: string } }[] } }>(
      `query($days: Int) { networkStats(days: $days) { history { date disputeDepositsWon { wei } } } }`,
      { days: span },
    );
    for (const [d, amount] of won) {
      expect(BigInt(s.history.find((h) => h.date === d * 86_400)!.disputeDepositsWon.wei), `day ${d}`).to.equal(amount);
    }
    const total = s.history.reduce((a, h) => a + BigInt(h.disputeDepositsWon.wei), 0n);
    expect(total).to.equal([...won.values()].reduce((a, b) => a + b, 0n));
  });

  it("refuses a history longer than a year", async function () {
    const errors = await ctx().client.errors(`{ networkStats(days: 400) { blockNumber } }`);
    expect(errors[0]?.extensions?.code).to.equal("BAD_USER_INPUT");
  });
});
