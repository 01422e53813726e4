// The gateway's check that a subgraph endpoint (--subgraph-url) indexes the deployment it reads the chain by
// (--deployment): refused at the start when it indexes another one's contracts, warned of and checked again at each
// new head when it has indexed none of them yet.
import { expect } from "chai";
import { getAddress } from "ethers";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { createGatewayRuntime, type DeploymentRecord, type GatewayRuntime } from "../../../gateway/src";
import { SubgraphDeploymentMismatchError } from "../../../gateway/src/sources/deployment-check";
import { indexingStatus } from "../../../gateway/src/services/indexing";
import { collectOutput, spawnTsCli } from "../../helpers/child-output";
import { waitUntil } from "../../helpers/wait";
import { environment } from "../helpers/environment";
import { recordingLogger } from "../helpers/recording-logger";
import type { LocalChain } from "../helpers/local-chain";

const OTHER_STAKING = getAddress(`0x${"5a".repeat(20)}`);


/** `record` with Staking at `address`: the deployment of another network, as far as the subgraph can tell. */
function withStaking(record: DeploymentRecord, address: string): DeploymentRecord {
  return { ...record, contracts: { ...record.contracts, Staking: { ...record.contracts["Staking"]!, address } } };
}

/**
 * A graph-node whose subgraph has indexed nothing of the deployment until `index(staking)` says it has (Staking's
 * Parameter entities at that address); each index moves its head, so a gateway polling it sees a new head. Its heads
 * are `chain`'s blocks, hashes and all: it indexes the gateway's chain.
 */
async function emptyGraphNode(chain: LocalChain): Promise<{ subgraphUrl: string; index(staking: string): void; close(): Promise<void> }> {
  let block = 10;
  let staking: string | null = null;
  const hashes = new Map<number, string>();
  for (let n = 9; n <= 12; n++) hashes.set(n, (await chain.ethers.getBlock(n))!.hash!);
  const hash = (n: number) => hashes.get(n)!;
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString()));
    req.on("end", () => {
      const { query } = JSON.parse(body) as { query: string };
      const reply = (data: unknown) => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ data }));
      if (query.includes("parameters(")) {
        reply({ protocol: null, Staking: staking === null ? [] : [{ contract: staking.toLowerCase() }] });
        return;
      }
      reply({ _meta: { block: { number: block, hash: hash(block), timestamp: 1000 + block, parentHash: hash(block - 1) }, hasIndexingErrors: false, deployment: "QmEmpty" } });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    subgraphUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/subgraphs/name/latent`,
    index(address: string) {
      staking = address;
      block += 1;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe("the gateway's check that its subgraph URL indexes its deployment", function () {
  this.timeout(120_000);

  it("starts against a subgraph that indexes the deployment's contracts, warning of nothing", async function () {
    const env = await environment();
    const { lines, logger } = recordingLogger();
    const runtime = await createGatewayRuntime({
      source: { subgraphUrl: env.subgraphUrl },
      chain: { rpcUrl: env.chain.url, deployment: env.scenario.deployment.record },
      logger,
    });
    await runtime.close();
    expect(lines().filter((line) => line.level === "warn" || line.level === "error")).to.deep.equal([]);
  });

  it("refuses to start against a subgraph of another deployment with SubgraphDeploymentMismatchError naming the contract and both addresses", async function () {
    const env = await environment();
    const record = env.scenario.deployment.record;
    const indexed = record.contracts["Staking"]!.address.toLowerCase();
    const error = await createGatewayRuntime({
      source: { subgraphUrl: env.subgraphUrl },
      chain: { rpcUrl: env.chain.url, deployment: withStaking(record, OTHER_STAKING) },
      logger: recordingLogger().logger,
    }).then(
      async (runtime: GatewayRuntime) => {
        await runtime.close();
        return null;
      },
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(SubgraphDeploymentMismatchError);
    expect(error).to.include({ contract: "Staking", subgraphAddress: indexed, deploymentAddress: OTHER_STAKING });
    expect((error as Error).message).to.equal(
      `the subgraph indexes another deployment than the deployment record: its Staking is ${indexed}, the deployment's is ${OTHER_STAKING} (check --subgraph-url and --deployment)`,
    );
  });

  it("warns when the subgraph has indexed none of the deployment's contracts yet, and logs that it indexes them once it has", async function () {
    const env = await environment();
    const record = env.scenario.deployment.record;
    const node = await emptyGraphNode(env.chain);
    const { lines, logger } = recordingLogger();
    const runtime = await createGatewayRuntime({ source: { subgraphUrl: node.subgraphUrl }, chain: { rpcUrl: env.chain.url, deployment: record }, logger, headPollMs: 20 });
    try {
      expect(lines().filter((line) => line.level === "warn").map((line) => [line.msg, line.reason])).to.deep.equal([
        ["cannot tell yet whether the subgraph indexes the deployment; checking again at each new head", "the subgraph has indexed none of the deployment's contracts yet"],
      ]);
      node.index(record.contracts["Staking"]!.address);
      await waitUntil(() => lines().some((line) => line.msg === "the subgraph indexes the deployment"), "the gateway checked again");
      expect(lines().filter((line) => line.level === "error")).to.deep.equal([]);
      expect(runtime.services.deploymentMismatch).to.equal(null);
    } finally {
      await runtime.close();
      await node.close();
    }
  });

  it("logs an error naming both addresses and is not ready when the subgraph, having indexed nothing at the start, turns out to index another deployment", async function () {
    const env = await environment();
    const record = env.scenario.deployment.record;
    const node = await emptyGraphNode(env.chain);
    const { lines, logger } = recordingLogger();
    // Ready whatever the fake's head: only the mismatch may make it not.
    const runtime = await createGatewayRuntime({
      source: { subgraphUrl: node.subgraphUrl },
      chain: { rpcUrl: env.chain.url, deployment: record },
      logger,
      headPollMs: 20,
      maxLag: 1_000_000_000,
    });
    try {
      expect(await indexingStatus(runtime.services)).to.include({ ready: true });
      node.index(OTHER_STAKING);
      const expected = `the subgraph indexes another deployment than the deployment record: its Staking is ${OTHER_STAKING.toLowerCase()}, the deployment's is ${record.contracts["Staking"]!.address} (check --subgraph-url and --deployment)`;
      await waitUntil(() => lines().some((line) => line.level === "error"), "the gateway found the mismatch");
      expect(lines().filter((line) => line.level === "error").map((line) => [line.msg, line.error])).to.deep.equal([["the subgraph indexes another deployment", expected]]);
      expect(runtime.services.deploymentMismatch).to.equal(expected);
      expect(await indexingStatus(runtime.services)).to.include({ ready: false });
    } finally {
      await runtime.close();
      await node.close();
    }
  });

  it("CLI: exits 1 with one line naming the deployment file, the contract and both addresses when --subgraph-url indexes another deployment", async function () {
    const env = await environment();
    const record = env.scenario.deployment.record;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "latent-gateway-mismatch-"));
    const file = path.join(dir, "other.json");
    fs.writeFileSync(file, JSON.stringify(withStaking(record, OTHER_STAKING)));
    try {
      const child = spawnTsCli("gateway/src/cli.ts", ["--subgraph-url", env.subgraphUrl, "--rpc-url", env.chain.url, "--deployment", file, "--port", "0"]);
      const output = collectOutput(child);
      expect(await output.exited, output.stdout).to.equal(1);
      const indexed = record.contracts["Staking"]!.address.toLowerCase();
      expect(output.stderr).to.equal(
        `gateway: the subgraph indexes another deployment than ${file}: its Staking is ${indexed}, the deployment's is ${OTHER_STAKING} (check --subgraph-url and --deployment)\n`,
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
