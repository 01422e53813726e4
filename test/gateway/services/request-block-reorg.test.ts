// A request across a real reorg of the suite's Hardhat chain, made before the gateway's head watcher polls again: the
// gateway reads the separate indexer process (graph-node's dialect, which refuses a replaced block's hash) and polls
// its head only when a request asks it to (headPollMs at its largest), as in job-updated-reorg.test.ts.
import { expect } from "chai";
import { MaxUint256, parseEther } from "ethers";
import { makeTerms } from "../../../scripts/scenario";
import { waitUntil } from "../../helpers/wait";
import { environment } from "../helpers/environment";

/** The block the subgraph at `subgraphUrl` has indexed up to, and its hash. */
async function indexedHead(subgraphUrl: string): Promise<{ number: number; hash: string } | null> {
  const response = await fetch(subgraphUrl, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query: "{ _meta { block { number hash } } }" }),
  });
  const body = (await response.json()) as { data?: { _meta: { block: { number: number; hash: string } } } };
  return body.data?._meta.block ?? null;
}

interface Answer {
  data?: { job: { id: string } | null; networkStats: { blockNumber: number } } | null;
  errors?: { message: string; extensions?: { code?: string } }[];
  extensions?: { block?: { number: number; hash: string | null } };
}

describe("a request across a reorg of the chain, before the head watcher's next poll", function () {
  it("answers at the block that replaced the head the gateway had seen, not SOURCE_UNAVAILABLE", async function () {
    const env = await environment();
    await env.waitForIndexed();
    const { chain, scenario } = env;
    const client = scenario.actors.clients[2]!;
    const escrow = scenario.c.jobEscrow.connect(client);
    await (await scenario.c.token.connect(client).approve(await escrow.getAddress(), MaxUint256)).wait();
    const terms = await makeTerms(scenario, { gpuCount: 1, maxPricePerGpuHour: parseEther("2") });

    const forkPoint = await chain.blockNumber();
    const snapshot = (await chain.ethers.send("evm_snapshot", [])) as string;
    await (await escrow.createJob(terms, "ipfs://gateway-suite/reorg/pinned-head.json")).wait();
    const jobId = String(await escrow.jobCount());
    await waitUntil(async () => (await indexedHead(env.subgraphUrl))?.number === forkPoint + 1, `the indexer has indexed block ${forkPoint + 1}`);
    // Its first poll, at start, is the only one: it sees the block with the job.
    const gateway = await env.startExtraGateway({ source: { subgraphUrl: env.subgraphUrl }, chain: null, headPollMs: 2 ** 31 - 1 });
    await waitUntil(async () => gateway.handle.head()?.number === forkPoint + 1, `the gateway has seen block ${forkPoint + 1}`);
    const replaced = gateway.handle.head()!.hash;

    // The branch that replaces it: two empty blocks, one past the job's.
    await chain.ethers.send("evm_revert", [snapshot]);
    await chain.ethers.send("evm_mine", []);
    await chain.ethers.send("evm_mine", []);
    await waitUntil(async () => (await indexedHead(env.subgraphUrl))?.number === forkPoint + 2, `the indexer has indexed the new block ${forkPoint + 2}`);
    expect(gateway.handle.head()?.hash).to.equal(replaced);

    const response = await fetch(gateway.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: `{ job(id: "${jobId}") { id } networkStats(days: 1) { blockNumber } }` }),
    });
    const answer = (await response.json()) as Answer;
    expect(answer.errors).to.equal(undefined);
    // The job's block is gone: the new branch has no job under its id.
    expect(answer.data).to.deep.equal({ job: null, networkStats: { blockNumber: forkPoint + 2 } });
    expect(answer.extensions?.block?.number).to.equal(forkPoint + 2);
    expect(gateway.handle.head()?.number).to.equal(forkPoint + 2);
  });
});
