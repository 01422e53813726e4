// The clientJobsUpdated feed across a real reorg of the suite's Hardhat chain: a change it sent, or the job itself,
// is undone by a branch that replaces its block. The hub runs in a gateway runtime over the separate indexer process,
// and sees exactly the heads the test shows it (as in job-updated-reorg.test.ts). Whatever a test leaves in the chain
// is reverted after it, so the other suites read the chain they expect.
import { expect } from "chai";
import type { GraphQLError } from "graphql";
import { parseEther } from "ethers";
import { cancelJob, createJob, makeTerms } from "../../../scripts/scenario";
import { createGatewayRuntime, silentLogger, type GatewayRuntime } from "../../../gateway/src";
import type { JobEntity } from "../../../gateway/src/subgraph/entities";
import { environment, type Environment } from "../helpers/environment";
import { headShower } from "../helpers/hub-heads";

describe("clientJobsUpdated across a reorg of the chain", function () {
  let env: Environment;
  let runtime: GatewayRuntime;
  let showHead: ReturnType<typeof headShower>;
  let before: string;
  const mine = async (blocks: number) => {
    for (let i = 0; i < blocks; i++) await env.chain.ethers.send("evm_mine", []);
  };

  beforeEach(async function () {
    env = await environment();
    await env.waitForIndexed();
    before = (await env.chain.ethers.send("evm_snapshot", [])) as string;
    runtime = await createGatewayRuntime({ source: { subgraphUrl: env.subgraphUrl }, chain: null, headPollMs: 2 ** 31 - 1, logger: silentLogger });
    showHead = headShower(runtime, env.subgraphUrl);
  });

  afterEach(async function () {
    await runtime.close();
    await env.chain.ethers.send("evm_revert", [before]);
    // Longer than the branch reverted, so that the indexers drop it.
    await mine(10);
    await env.waitForIndexed();
  });

  /** The feed of `client`'s jobs, subscribed at the hub's current head `block`. */
  const follow = async (client: { getAddress(): Promise<string> }, block: number): Promise<AsyncIterableIterator<JobEntity>> => {
    await showHead(block);
    return runtime.hub.clientJobsUpdated((await client.getAddress()).toLowerCase());
  };

  it("sends a job's state again when the block of a change it sent is replaced by one without the change", async function () {
    const { chain, scenario } = env;
    const client = scenario.actors.clients[2]!;
    const job = await createJob(scenario, client, { maxPricePerGpuHour: parseEther("2") });
    const jobId = String(job.jobId);
    const forkPoint = await chain.blockNumber();
    const feed = await follow(client, forkPoint);
    const fork = (await chain.ethers.send("evm_snapshot", [])) as string;

    // The branch the hub sees first: cancelled by the client in forkPoint + 1.
    await cancelJob(scenario, job);
    await showHead(forkPoint + 1);
    const cancelled = (await feed.next()).value as JobEntity;
    expect([cancelled.id, cancelled.status]).to.deep.equal([jobId, "Cancelled"]);

    // The branch that replaces it: two empty blocks, in which nothing happens to the job.
    await chain.ethers.send("evm_revert", [fork]);
    await mine(2);
    await showHead(forkPoint + 2);
    const again = (await feed.next()).value as JobEntity;
    expect([again.id, again.status]).to.deep.equal([jobId, "Open"]);
  });

  it("ends with JOB_REORGED when the block that created a job it sent is replaced by one without it", async function () {
    const { chain, scenario } = env;
    const client = scenario.actors.clients[2]!;
    // The escrow's allowance first, so that the job's own block is the only one the reorg replaces.
    const forkPoint = (await chain.blockNumber()) + 1;
    const terms = { maxPricePerGpuHour: parseEther("2") };
    await (await scenario.c.token.connect(client).approve(await scenario.c.jobEscrow.getAddress(), parseEther("1000000"))).wait();
    const feed = await follow(client, forkPoint);
    const fork = (await chain.ethers.send("evm_snapshot", [])) as string;

    // The branch the hub sees first: the job created in forkPoint + 1.
    await (await scenario.c.jobEscrow.connect(client).createJob(await makeTerms(scenario, terms), "ipfs://gateway-suite/reorg/client.json")).wait();
    const jobId = String(await scenario.c.jobEscrow.jobCount());
    await showHead(forkPoint + 1);
    expect((await feed.next()).value?.id).to.equal(jobId);

    // The branch that replaces it: two empty blocks, one past the job's.
    await chain.ethers.send("evm_revert", [fork]);
    await mine(2);
    await showHead(forkPoint + 2);
    const error = (await feed.next().catch((e: unknown) => e)) as GraphQLError;
    expect(error.extensions).to.deep.equal({ code: "JOB_REORGED", jobId, blockNumber: forkPoint + 2 });
  });
});
