// The jobUpdated feed across a real reorg of the suite's Hardhat chain: the block that created the job it follows is
// replaced by one without it. The hub runs in a gateway runtime over the separate indexer process, and sees exactly
// the heads the test shows it (as in job-opened-reorg.test.ts).
import { expect } from "chai";
import type { GraphQLError } from "graphql";
import { MaxUint256, parseEther } from "ethers";
import { makeTerms } from "../../../scripts/scenario";
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
});
