// The jobUpdated feed across a real reorg of the suite's Hardhat chain: the block that created the job it follows is
// replaced by one without it. The hub runs in a gateway runtime over the separate indexer process, and sees exactly
// the heads the test shows it (as in job-opened-reorg.test.ts).
import { expect } from "chai";
import type { GraphQLError } from "graphql";
import { MaxUint256, parseEther } from "ethers";
import { cancelJob, createJob, makeTerms } from "../../../scripts/scenario";
import { createGatewayRuntime, silentLogger } from "../../../gateway/src";
import { environment } from "../helpers/environment";
import { headShower } from "../helpers/hub-heads";

describe("jobUpdated across a reorg of the chain", function () {
  it("ends with JOB_REORGED when the block that created the job is replaced by one without it", async function () {
    const env = await environment();
    await env.waitForIndexed();
    const { chain, scenario } = env;
    const client = scenario.actors.clients[2]!;
    const escrow = scenario.c.jobEscrow.connect(client);

    const runtime = await createGatewayRuntime({ source: { subgraphUrl: env.subgraphUrl }, chain: null, headPollMs: 2 ** 31 - 1, logger: silentLogger });
    try {
      const showHead = headShower(runtime, env.subgraphUrl);

      await (await scenario.c.token.connect(client).approve(await escrow.getAddress(), MaxUint256)).wait();
      const terms = await makeTerms(scenario, { gpuCount: 1, maxPricePerGpuHour: parseEther("2") });
      const forkPoint = await chain.blockNumber();
      const snapshot = (await chain.ethers.send("evm_snapshot", [])) as string;
      await (await escrow.createJob(terms, "ipfs://gateway-suite/reorg/followed.json")).wait();
      const jobId = String(await escrow.jobCount());
      await showHead(forkPoint + 1);
      const [job] = await runtime.services.reader.jobsByIds([jobId]);
      const feed = await runtime.hub.jobUpdated(job!);
      expect((await feed.next()).value?.id).to.equal(jobId);

      // The branch that replaces it: two empty blocks, one past the job's.
      await chain.ethers.send("evm_revert", [snapshot]);
      await chain.ethers.send("evm_mine", []);
      await chain.ethers.send("evm_mine", []);
      await showHead(forkPoint + 2);
      const error = (await feed.next().catch((e: unknown) => e)) as GraphQLError;
      expect(error.extensions).to.deep.equal({ code: "JOB_REORGED", jobId, blockNumber: forkPoint + 2 });
    } finally {
      await runtime.close();
    }
  });

  it("measures the window of a final status a reorg replaced with another from the new one's block, not the first's", async function () {
    const env = await environment();
    await env.waitForIndexed();
    const { chain, scenario } = env;
    const mine = async (blocks: number) => {
      for (let i = 0; i < blocks; i++) await chain.ethers.send("evm_mine", []);
    };
    // The job and its provider's decline stay out of the chain the other suites read: all of it is reverted after.
    const before = (await chain.ethers.send("evm_snapshot", [])) as string;
    const reorgThreshold = 2;
    const runtime = await createGatewayRuntime({
      source: { subgraphUrl: env.subgraphUrl, reorgThreshold },
      chain: null,
      headPollMs: 2 ** 31 - 1,
      logger: silentLogger,
    });
    try {
      const showHead = headShower(runtime, env.subgraphUrl);
      const directed = await createJob(scenario, scenario.actors.clients[2]!, { targetProvider: env.directedAt.address, maxPricePerGpuHour: parseEther("5") });
      const jobId = String(directed.jobId);
      const forkPoint = await chain.blockNumber();
      const fork = (await chain.ethers.send("evm_snapshot", [])) as string;

      // The branch the hub sees first: cancelled by the client in forkPoint + 1.
      await cancelJob(scenario, directed);
      await showHead(forkPoint + 1);
      const [cancelled] = await runtime.services.reader.jobsByIds([jobId]);
      const feed = await runtime.hub.jobUpdated(cancelled!);
      expect((await feed.next()).value?.status).to.equal("Cancelled");

      // The branch that replaces it: declined by the provider in forkPoint + 3.
      await chain.ethers.send("evm_revert", [fork]);
      await mine(2);
      await (await scenario.c.jobEscrow.connect(env.directedAt).declineJob(directed.jobId)).wait();
      await showHead(forkPoint + 3);
      expect((await feed.next()).value?.status).to.equal("Declined");

      // Past the threshold above the cancellation, not above the decline: a reorg may still undo the decline.
      await mine(1);
      await showHead(forkPoint + 1 + reorgThreshold + 1);
      expect(runtime.hub.subscriberCount).to.equal(1);

      await mine(2);
      await showHead(forkPoint + 3 + reorgThreshold + 1);
      expect(await feed.next()).to.deep.equal({ value: undefined, done: true });
    } finally {
      await runtime.close();
      await chain.ethers.send("evm_revert", [before]);
      // Longer than the branch reverted, so that the indexers drop it.
      await mine(10);
      await env.waitForIndexed();
    }
  });
});
