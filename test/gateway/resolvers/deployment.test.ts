// Query.deployment: what a dApp needs to build a createJob transaction, from the deployment record the gateway was
// started with and JobEscrow's constants, checked against the suite's deployment and its deployed contracts.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { expect } from "chai";
import { getAddress } from "ethers";
import { describeEachSource, environment } from "../helpers/environment";

interface DeployedContract {
  name: string;
  address: string;
  deployedAtBlock: number | null;
}

interface DeploymentAnswer {
  deployment: {
    network: string;
    chainId: string;
    contracts: DeployedContract[];
    escrow: DeployedContract | null;
    jobLimits: { minDurationSeconds: number; maxDurationSeconds: number; maxAcceptWindowSeconds: number; maxUriBytes: number; maxMinVramGiB: number };
  } | null;
}

const DEPLOYMENT = `{
  deployment {
    network chainId
    contracts { name address deployedAtBlock }
    escrow: contract(name: "JobEscrow") { name address deployedAtBlock }
    jobLimits { minDurationSeconds maxDurationSeconds maxAcceptWindowSeconds maxUriBytes maxMinVramGiB }
  }
}`;

describeEachSource("Query.deployment", (ctx) => {
  it("gives the record's network, its chain id (the chain's) and every contract's name, address and deployment block, in the record's order", async function () {
    const { env, client } = ctx();
    const record = env.scenario.deployment.record;
    const { deployment } = await client.query<DeploymentAnswer>(DEPLOYMENT);
    expect(deployment).to.not.equal(null);
    expect(deployment!.network).to.equal(record.network);
    expect(deployment!.chainId).to.equal(String(record.chainId));
    expect(BigInt(deployment!.chainId)).to.equal((await env.scenario.rpc.getNetwork()).chainId);
    const expected = Object.entries(record.contracts).map(([name, entry]) => ({ name, address: getAddress(entry.address), deployedAtBlock: entry.blockNumber }));
    expect(expected.length, "the record holds the whole contract set").to.equal(8);
    expect(deployment!.contracts).to.deep.equal(expected);
  });

  it("gives one contract by the record's name for it, the address JobEscrow is deployed at", async function () {
    const { env, client } = ctx();
    const { deployment } = await client.query<DeploymentAnswer>(DEPLOYMENT);
    expect(deployment!.escrow?.address).to.equal(getAddress(await env.scenario.c.jobEscrow.getAddress()));
    expect(deployment!.escrow?.name).to.equal("JobEscrow");
  });

  it("refuses a name the record lacks with BAD_USER_INPUT listing the record's names", async function () {
    const { env, client } = ctx();
    const errors = await client.errors(`{ deployment { contract(name: "Treasury") { name } } }`);
    expect(errors[0]?.extensions).to.deep.include({
      code: "BAD_USER_INPUT",
      argument: "name",
      value: "Treasury",
      knownNames: Object.keys(env.scenario.deployment.record.contracts),
    });
    expect(errors[0]?.extensions).not.to.have.property("didYouMean");
  });

  it("refuses a known name written in another case, naming the one meant", async function () {
    const errors = await ctx().client.errors(`{ deployment { contract(name: "jobescrow") { name } } }`);
    expect(errors[0]?.extensions).to.deep.include({ code: "BAD_USER_INPUT", argument: "name", value: "jobescrow", didYouMean: "JobEscrow" });
    expect(errors[0]?.message).to.contain('did you mean "JobEscrow"?');
  });

  it("refuses a known name with spaces around it, naming the one meant", async function () {
    const errors = await ctx().client.errors(`{ deployment { contract(name: " JobEscrow ") { name } } }`);
    expect(errors[0]?.extensions).to.deep.include({ code: "BAD_USER_INPUT", argument: "name", value: " JobEscrow ", didYouMean: "JobEscrow" });
    expect(errors[0]?.message).to.contain('did you mean "JobEscrow"?');
  });

  it("gives the job limits the deployed JobEscrow enforces (MIN_DURATION, MAX_DURATION, MAX_ACCEPT_WINDOW, MAX_URI_LENGTH, MAX_VRAM_GIB)", async function () {
    const { env, client } = ctx();
    const escrow = env.scenario.c.jobEscrow;
    const { deployment } = await client.query<DeploymentAnswer>(DEPLOYMENT);
    expect(deployment!.jobLimits).to.deep.equal({
      minDurationSeconds: Number(await escrow.MIN_DURATION()),
      maxDurationSeconds: Number(await escrow.MAX_DURATION()),
      maxAcceptWindowSeconds: Number(await escrow.MAX_ACCEPT_WINDOW()),
      maxUriBytes: Number(await escrow.MAX_URI_LENGTH()),
      maxMinVramGiB: Number(await env.scenario.c.registry.MAX_VRAM_GIB()),
    });
  });
});

describe("Query.deployment of a gateway given no full record", function () {
  it("is null for a subgraphUrl gateway started without a deployment record (chain: null)", async function () {
    const env = await environment();
    const client = await env.startExtraGateway({ source: { subgraphUrl: env.subgraphUrl }, chain: null });
    const { deployment } = await client.query<DeploymentAnswer>(DEPLOYMENT);
    expect(deployment).to.equal(null);
  });

  it("gives deployedAtBlock null for a contract whose block the record does not give (the chain reader's record)", async function () {
    const env = await environment();
    const record = env.scenario.deployment.record;
    const withoutBlocks = {
      network: record.network,
      chainId: record.chainId,
      contracts: Object.fromEntries(Object.entries(record.contracts).map(([name, entry]) => [name, { address: entry.address }])),
    };
    const client = await env.startExtraGateway({
      source: { subgraphUrl: env.subgraphUrl },
      chain: { rpcUrl: env.chain.url, deployment: withoutBlocks as unknown as typeof record },
    });
    const { deployment } = await client.query<DeploymentAnswer>(DEPLOYMENT);
    expect(deployment!.contracts.map((c) => c.deployedAtBlock)).to.deep.equal(Object.keys(record.contracts).map(() => null));
    expect(deployment!.escrow?.address).to.equal(getAddress(record.contracts.JobEscrow.address));
  });
  it("tells the tasks' LOCAL_RPC_URL and --deployment for a localhost record given as a file on another chain port than 8545", async function () {
    const env = await environment();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "latent-task-reach-"));
    const file = path.join(dir, "localhost.json");
    fs.writeFileSync(file, JSON.stringify({ ...env.scenario.deployment.record, network: "localhost" }));
    try {
      const client = await env.startExtraGateway({ source: { subgraphUrl: env.subgraphUrl }, chain: { rpcUrl: env.chain.url, deployment: file } });
      const { deployment } = await client.query<{ deployment: { tasks: unknown } }>("{ deployment { tasks { localRpcUrl localRpcUrlWithheld deploymentFile } } }");
      expect(new URL(env.chain.url).port, "the suite's chain is not on 8545").to.not.equal("8545");
      expect(deployment.tasks).to.deep.equal({ localRpcUrl: env.chain.url, localRpcUrlWithheld: false, deploymentFile: file });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("tells no task reach for a gateway given the record rather than its file: it cannot say where the tasks find it", async function () {
    const env = await environment();
    const client = await env.startExtraGateway({
      source: { subgraphUrl: env.subgraphUrl },
      chain: { rpcUrl: env.chain.url, deployment: { ...env.scenario.deployment.record, network: "localhost" } },
    });
    const { deployment } = await client.query<{ deployment: { tasks: unknown } }>("{ deployment { tasks { localRpcUrl } } }");
    expect(deployment.tasks).to.equal(null);
  });
});
