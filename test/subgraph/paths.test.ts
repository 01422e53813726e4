// Paths the full scenario does not take, each on a chain of its own (test/subgraph/helpers/own-chain.ts), indexed and
// compared with the contracts' views.
import { expect } from "chai";
import { parseEther } from "ethers";
import { GPU_MODELS, createJob, fund, mined, registerProvider } from "../../scripts/scenario";
import { toSpec } from "../../scripts/scenario/catalog";
import { gql } from "./indexer/helpers/dump";
import { checkAggregates, checkProtocol, checkProviders } from "./helpers/entity-checks";
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
});
