// Paths the full scenario does not take, each on a chain of its own (test/subgraph/helpers/own-chain.ts), indexed and
// compared with the contracts' views.
import { expect } from "chai";
import { ZeroAddress, parseEther, toBeHex } from "ethers";
import {
  GPU_MODELS,
  Ruling,
  acceptJob,
  advanceTo,
  claimTimeout,
  createJob,
  delegate,
  fund,
  guardianPause,
  latestTimestamp,
  mined,
  openDispute,
  passProposal,
  registerProvider,
  rule,
  submitResult,
} from "../../scripts/scenario";
import { toSpec } from "../../scripts/scenario/catalog";
import { gql } from "./indexer/helpers/dump";
import {
  checkAggregates,
  checkDailyRollups,
  checkDailySnapshots,
  checkDisputes,
  checkJobs,
  checkProtocol,
  checkProviders,
  checkSlashes,
} from "./helpers/entity-checks";
import { Mismatches, contextAtHead, indexOwnChain, type OwnChain } from "./helpers/own-chain";

describe("subgraph: paths the full scenario does not take", function () {
  this.timeout(300_000);

  describe("a directed job declined by an address that never registered nor staked", function () {
    let x: OwnChain | undefined;
    let outsider: string;
    let jobId: bigint;

    before(async function () {
      x = await indexOwnChain(async (s) => {
        const client = s.actors.clients[0]!;
        const target = s.actors.voters[1]!;
        outsider = (await target.getAddress()).toLowerCase();
        await fund(s, [client, s.actors.providers[0]!], parseEther("10000"));
        const model = GPU_MODELS[0]!;
        const listing = { gpuModel: model, region: "eu-west", gpuCount: 1, pricePerGpuHour: model.pricePerGpuHour, metadataURI: "https://p.example" };
        await registerProvider(s, s.actors.providers[0]!, { listing });
        const job = await createJob(s, client, { targetProvider: outsider });
        jobId = job.jobId;
        await mined(s.c.jobEscrow.connect(target).declineJob(job.jobId));
      });
    });

    after(async () => x?.close());

    it("does not make the decliner a Provider: the Providers are the addresses that registered or staked", async function () {
      const data = await gql<{ provider: unknown; job: { status: string } | null; jobDeclinedEvents: { provider: unknown; by: string }[] }>(
        x!.engine,
        `query($id: ID!, $job: ID!) {
          provider(id: $id) { id }
          job(id: $job) { status }
          jobDeclinedEvents { provider { id } by }
        }`,
        { id: outsider, job: jobId.toString() },
      );
      expect(data.job?.status).to.equal("Declined");
      expect(data.jobDeclinedEvents).to.deep.equal([{ provider: null, by: outsider }]);
      expect(data.provider).to.equal(null);
      const m = new Mismatches("Provider");
      await checkProviders(await contextAtHead(x!), m);
      m.assertNone();
    });
  });
  describe("transfers between holders that stay holders", function () {
    let x: OwnChain | undefined;
    const blocks = { funded: 0, plain: 0, emptied: 0 };

    before(async function () {
      x = await indexOwnChain(async (s) => {
        const [a, b] = [s.actors.clients[0]!, s.actors.clients[1]!];
        await fund(s, [a, b], parseEther("100"));
        blocks.funded = (await s.rpc.getBlockNumber());
        blocks.plain = (await mined(s.c.token.connect(a).transfer(await b.getAddress(), parseEther("40")))).blockNumber;
        const rest = await s.c.token.balanceOf(await a.getAddress());
        blocks.emptied = (await mined(s.c.token.connect(a).transfer(await b.getAddress(), rest))).blockNumber;
      });
    });

    after(async () => x?.close());

    type ProtocolAt = { protocol: { holderCount: number; updatedAtBlock: string } };
    const protocolAt = (block: number): Promise<ProtocolAt> =>
      gql<ProtocolAt>(x!.engine, `query($b: Int!) { protocol(id: "latent", block: { number: $b }) { holderCount updatedAtBlock } }`, { b: block });

    it("leave the Protocol as it was: its updatedAtBlock stays at the last change", async function () {
      const before = await protocolAt(blocks.funded);
      const after = await protocolAt(blocks.plain);
      expect(after.protocol).to.deep.equal(before.protocol);
      expect(Number(after.protocol.updatedAtBlock)).to.be.at.most(blocks.funded);
    });

    it("update it when one of them is left with nothing (the holder count drops), and the Protocol equals the views", async function () {
      const before = await protocolAt(blocks.plain);
      const after = await protocolAt(blocks.emptied);
      expect(after.protocol).to.deep.equal({ holderCount: before.protocol.holderCount - 1, updatedAtBlock: String(blocks.emptied) });
      const m = new Mismatches("Protocol");
      await checkProtocol(await contextAtHead(x!), m);
      m.assertNone();
    });
  });
  describe("a provider that moves its listing to another GPU model and region", function () {
    let x: OwnChain | undefined;

    before(async function () {
      x = await indexOwnChain(async (s) => {
        const [mover, stayer] = [s.actors.providers[0]!, s.actors.providers[1]!];
        await fund(s, [mover, stayer], parseEther("100000"));
        const [from, to] = [GPU_MODELS[0]!, GPU_MODELS[1]!];
        const at = (model: typeof from, region: string, gpuCount: number) =>
          ({ gpuModel: model, region, gpuCount, pricePerGpuHour: model.pricePerGpuHour, metadataURI: "https://p.example" });
        await registerProvider(s, mover, { listing: at(from, "eu-west", 2) });
        await registerProvider(s, stayer, { listing: at(from, "eu-west", 1) });
        const moved = at(to, "us-east", 4);
        await mined(s.c.registry.connect(mover).update(toSpec(moved), moved.gpuModel.name, moved.metadataURI));
      });
    });

    after(async () => x?.close());

    it("leaves each GpuModel's and Region's inventory equal to the sums over the providers listed there", async function () {
      const m = new Mismatches("inventories");
      await checkAggregates(await contextAtHead(x!), m);
      m.assertNone();
      const data = await gql<{ gpuModels: { providerCount: number; gpusTotal: number }[] }>(
        x!.engine,
        `{ gpuModels(orderBy: id) { providerCount gpusTotal } }`,
      );
      expect(data.gpuModels.map((g) => g.providerCount).sort()).to.deep.equal([1, 1]);
    });
  });
  describe("a provider whose slashes its cap cut, that leaves and registers again at midnight UTC with another model and region", function () {
    let x: OwnChain | undefined;
    let midnight = 0;

    before(async function () {
      x = await indexOwnChain(async (s) => {
        const [leaver, client] = [s.actors.providers[0]!, s.actors.clients[0]!];
        await fund(s, [leaver, client], parseEther("100000"));
        const [from, to] = [GPU_MODELS[0]!, GPU_MODELS[1]!];
        const at = (model: typeof from, region: string, gpuCount: number) =>
          ({ gpuModel: model, region, gpuCount, pricePerGpuHour: model.pricePerGpuHour, metadataURI: "https://p.example" });
        const p = await registerProvider(s, leaver, { listing: at(from, "eu-west", 2), operator: s.actors.operators[0]! });
        await mined(s.c.staking.connect(leaver).setMaxSlashRewardBps(2_500));
        const price = { maxPricePerGpuHour: parseEther("100") };
        // A time-out (its whole slash asked for the client) and an upheld dispute, both cut by the cap.
        const late = await createJob(s, client, price);
        await acceptJob(s, late, p, "operator");
        const disputed = await createJob(s, client, price);
        await acceptJob(s, disputed, p);
        await submitResult(s, disputed, p, { by: "operator", after: 600 });
        await openDispute(s, disputed);
        await rule(s, disputed, Ruling.Upheld);
        const { deadline } = await s.c.jobEscrow.getJob(late.jobId);
        if ((await latestTimestamp(s)) <= Number(deadline)) await advanceTo(s, Number(deadline) + 1);
        await claimTimeout(s, late);
        await mined(s.c.registry.connect(leaver).deregister());
        midnight = (Math.floor((await latestTimestamp(s)) / 86_400) + 1) * 86_400;
        await s.rpc.send("evm_setNextBlockTimestamp", [toBeHex(midnight)]);
        const again = at(to, "us-east", 3);
        await mined(s.c.registry.connect(leaver).register(toSpec(again), again.gpuModel.name, again.metadataURI, ZeroAddress));
        await mined(s.c.registry.connect(leaver).setOnline(p.address, true));
      });
    });

    after(async () => x?.close());

    it("records the slashes with the reward actually paid, and the jobs, disputes and Protocol as the views", async function () {
      const ctx = await contextAtHead(x!);
      const m = new Mismatches("slashes");
      await checkSlashes(ctx, m);
      await checkDisputes(ctx, m);
      await checkJobs(ctx, m);
      await checkProtocol(ctx, m);
      m.assertNone();
      const data = await gql<{ slashes: { amount: string; reward: string }[] }>(x!.engine, `{ slashes { amount reward } }`);
      expect(data.slashes).to.have.length(2);
      for (const slash of data.slashes) expect(BigInt(slash.reward)).to.equal((BigInt(slash.amount) * 2_500n) / 10_000n);
    });

    it("counts the provider once, in its new model and region only; the former ones keep their name and no inventory", async function () {
      const m = new Mismatches("inventories");
      const ctx = await contextAtHead(x!);
      await checkProviders(ctx, m);
      await checkAggregates(ctx, m);
      m.assertNone();
      const data = await gql<{ gpuModels: { id: string; providerCount: number }[]; regions: { id: string; providerCount: number }[] }>(
        x!.engine,
        `{ gpuModels(orderBy: id) { id providerCount } regions(orderBy: id) { id providerCount } }`,
      );
      expect(data.gpuModels).to.deep.equal([
        { id: GPU_MODELS[0]!.id, providerCount: 0 },
        { id: GPU_MODELS[1]!.id, providerCount: 1 },
      ].sort((a, b) => a.id.localeCompare(b.id)));
      expect(data.regions).to.deep.equal([{ id: "eu-west", providerCount: 0 }, { id: "us-east", providerCount: 1 }]);
    });

    it("puts a registration at exactly midnight UTC in the new day's NetworkDay and ProviderDay", async function () {
      const m = new Mismatches("days");
      const ctx = await contextAtHead(x!);
      await checkDailySnapshots(ctx, m);
      await checkDailyRollups(ctx, m);
      m.assertNone();
      const day = String(midnight / 86_400);
      const data = await gql<{
        networkDay: { date: string; providersRegistered: number; providerCount: number } | null;
        providerDays: { date: string; online: boolean }[];
      }>(
        x!.engine,
        `query($id: ID!, $day: Int!) {
          networkDay(id: $id) { date providersRegistered providerCount }
          providerDays(where: { day: $day }) { date online }
        }`,
        { id: day, day: midnight / 86_400 },
      );
      expect(data.networkDay).to.deep.equal({ date: String(midnight), providersRegistered: 1, providerCount: 1 });
      expect(data.providerDays).to.deep.equal([{ date: String(midnight), online: true }]);
    });
  });

  describe("governance starting a pause of its own with renewPause after the guardian's pause ended", function () {
    let x: OwnChain | undefined;
    let guardian: string;
    let timelock: string;
    let beforeProposal: number;

    before(async function () {
      x = await indexOwnChain(async (s) => {
        guardian = (await s.actors.guardian.getAddress()).toLowerCase();
        timelock = (await s.c.timelock.getAddress()).toLowerCase();
        await delegate(s, s.actors.funder);
        await guardianPause(s);
        await advanceTo(s, Number(await s.c.pauseGuardian.pausedUntil()) + 1);
        beforeProposal = await s.rpc.getBlockNumber();
        const g = s.deployment.config.governance;
        // In the future when the proposal executes, and within the 14-day bound then.
        const end = (await latestTimestamp(s)) + g.votingDelay + g.votingPeriod + g.timelockDelay + 86_400;
        const target = await s.c.pauseGuardian.getAddress();
        const p = await passProposal(s, [{ target, data: s.c.pauseGuardian.interface.encodeFunctionData("renewPause", [end]) }], "Pause again");
        return { pause: p.proposalId };
      });
    });

    after(async () => x?.close());

    it("names governance as the pause's starter (it named the guardian before), as PauseGuardian.pausedBy does", async function () {
      type PausedBy = { protocol: { pausedBy: string | null } };
      const at = (block: number) =>
        gql<PausedBy>(x!.engine, `query($b: Int!) { protocol(id: "latent", block: { number: $b }) { pausedBy } }`, { b: block });
      expect((await at(beforeProposal)).protocol.pausedBy).to.equal(guardian);
      const m = new Mismatches("Protocol");
      await checkProtocol(await contextAtHead(x!), m);
      m.assertNone();
      const data = await gql<PausedBy & { pauseRenewedEvents: { by: string; accounts: string[] }[] }>(
        x!.engine,
        `{ protocol(id: "latent") { pausedBy } pauseRenewedEvents { by accounts } }`,
      );
      expect(data.protocol.pausedBy).to.equal(timelock);
      expect(data.pauseRenewedEvents).to.deep.equal([{ by: timelock, accounts: [timelock] }]);
    });
  });
});
