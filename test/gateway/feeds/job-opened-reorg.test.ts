// The jobOpened feed across a real reorg of the suite's Hardhat chain: a block the hub scanned is replaced, and the
// next head the hub sees is higher than the one it scanned, so it never sees the replacing block's own hash. The
// hub runs in a gateway runtime over the separate indexer process that polls only when told, so that the heads it
// sees are exactly the ones the test shows it.
import { expect } from "chai";
import { MaxUint256, parseEther } from "ethers";
import { makeTerms } from "../../../scripts/scenario";
import { createGatewayRuntime, silentLogger } from "../../../gateway/src";
import { parseFeedFilter } from "../../../gateway/src/services/job-filters";
import type { JobEntity } from "../../../gateway/src/subgraph/entities";
import { environment } from "../helpers/environment";
import { headShower } from "../helpers/hub-heads";

describe("jobOpened across a reorg of the chain", function () {
  it("offers the job of a replaced block when the next head seen is higher, and not again the job that survived", async function () {
    const env = await environment();
    await env.waitForIndexed();
    const { chain, scenario } = env;
    const client = scenario.actors.clients[2]!;
    const escrow = scenario.c.jobEscrow.connect(client);
    const mine = async () => {
      await chain.ethers.send("evm_mine", []);
    };
    const create = async (terms: Awaited<ReturnType<typeof makeTerms>>, specURI: string) => {
      await (await escrow.createJob(terms, specURI)).wait();
    };

    const runtime = await createGatewayRuntime({ source: { subgraphUrl: env.subgraphUrl }, chain: null, headPollMs: 2 ** 31 - 1, logger: silentLogger });
    try {
      const showHead = headShower(runtime, env.subgraphUrl);
      /** The jobs the feed holds now, as "id:termsHash". */
      const feed = await runtime.hub.jobOpened(parseFeedFilter(null));
      // A pull left waiting takes the next job pushed: it is kept for the next look rather than abandoned.
      let pulling: Promise<IteratorResult<JobEntity>> | null = null;
      const queued = async (): Promise<string[]> => {
        const ids: string[] = [];
        for (;;) {
          pulling ??= feed.next();
          const next = await Promise.race([pulling, new Promise<null>((resolve) => setImmediate(() => resolve(null)))]);
          if (next === null || next.done === true) return ids;
          pulling = null;
          ids.push(`${next.value.jobId}:${next.value.termsHash}`);
        }
      };

      await (await scenario.c.token.connect(client).approve(await escrow.getAddress(), MaxUint256)).wait();
      const terms = await makeTerms(scenario, { gpuCount: 1, maxPricePerGpuHour: parseEther("2") });
      const otherTerms = { ...terms, maxPricePerGpuHour: parseEther("2.5") };
      const hash = (t: typeof terms) => escrow.hashTerms(t);
      const forkPoint = await chain.blockNumber();
      await showHead(forkPoint);
      expect(await queued()).to.deep.equal([]);
      const snapshot = (await chain.ethers.send("evm_snapshot", [])) as string;

      // The branch the hub sees first: the job in forkPoint + 1, its head forkPoint + 2.
      await create(terms, "ipfs://gateway-suite/reorg/survivor.json");
      await mine();
      const jobId = await escrow.jobCount();
      await showHead(forkPoint + 2);
      expect(await queued()).to.deep.equal([`${jobId}:${await hash(terms)}`]);

      // The branch that replaces it, one block longer: the same job again in forkPoint + 1 (the same id and terms:
      // already offered), another in forkPoint + 2 (the height the hub scanned last), its head forkPoint + 3.
      await chain.ethers.send("evm_revert", [snapshot]);
      await create(terms, "ipfs://gateway-suite/reorg/survivor.json");
      await create(otherTerms, "ipfs://gateway-suite/reorg/replacement.json");
      await mine();
      expect(await chain.blockNumber()).to.equal(forkPoint + 3);
      await showHead(forkPoint + 3);
      expect(await escrow.jobCount()).to.equal(jobId + 1n);
      expect(await queued()).to.deep.equal([`${jobId + 1n}:${await hash(otherTerms)}`]);
    } finally {
      await runtime.close();
    }
  });
});
