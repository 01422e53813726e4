// scripts/examples/post-job.ts, the root README's dApp walk, against a local chain and a gateway on the embedded
// indexer: it finds the offer, posts the job with the gateway's terms (approve + createJob, or a permit) from a client
// key on a plain JSON-RPC connection, and follows the job until the status asked for.
import { expect } from "chai";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { Wallet, keccak256, parseEther } from "ethers";
import { silentLogger, startGateway, type GatewayHandle } from "../../../gateway/src";
import { GPU_MODELS, deployScenario, fund, registerProvider, type ProviderHandle, type Scenario } from "../../../scripts/scenario";
import { PostJobError, connectClient, parseArgs, postJob, type FollowedJob } from "../../../scripts/examples/post-job";
import { collectOutput, spawnTsCli } from "../../helpers/child-output";
import { startLocalChain, type LocalChain } from "../../gateway/helpers/local-chain";
import { waitUntil } from "../../helpers/wait";

const SPEC = Buffer.from(JSON.stringify({ version: 1, kind: "matmul", params: { n: 64, seed: `0x${"11".repeat(32)}`, rounds: 1 } }));
const PRICE = parseEther("0.35");

describe("scripts/examples/post-job.ts: the dApp walk", function () {
  this.timeout(120_000);
  let chain: LocalChain;
  let scenario: Scenario;
  let provider: ProviderHandle;
  let gateway: GatewayHandle;
  let tmpDir: string;
  let gatewayUrl: string;

  before(async function () {
    tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), "latent-post-job-"));
    chain = await startLocalChain();
    scenario = await deployScenario(chain.signers);
    const rtx4090 = GPU_MODELS.find((m) => m.id === "rtx-4090-24gb")!;
    await fund(scenario, [scenario.actors.providers[0]!], parseEther("10000"));
    provider = await registerProvider(scenario, scenario.actors.providers[0]!, {
      listing: { gpuModel: rtx4090, region: "us-east", gpuCount: 4, pricePerGpuHour: PRICE, metadataURI: "ipfs://post-job-provider" },
    });
    gateway = await startGateway({
      port: 0,
      headPollMs: 100,
      logger: silentLogger,
      chain: null,
      source: { rpcUrl: chain.url, deployment: scenario.deployment.record, dbPath: path.join(tmpDir, "index.sqlite"), indexerPollMs: 100 },
    });
    gatewayUrl = gateway.url;
  });

  after(async function () {
    await gateway?.stop();
    await chain?.close();
    fs.rmSync(tmpDir, { recursive: true, force: true });
  });

  /** A client of its own: a fresh key holding ETH for gas and `lat` LAT, on a plain JSON-RPC connection. */
  async function newClient(lat = parseEther("10")): Promise<Wallet> {
    const wallet = connectClient(Wallet.createRandom().privateKey, chain.url);
    await (await chain.signers[19]!.sendTransaction({ to: wallet.address, value: parseEther("1") })).wait();
    if (lat > 0n) await fund(scenario, [wallet.address], lat);
    return wallet;
  }

  /** The provider accepts `jobId` with the terms it was posted with (read back from its JobCreated log). */
  async function accept(jobId: bigint): Promise<void> {
    const [created] = await scenario.c.jobEscrow.queryFilter(scenario.c.jobEscrow.filters.JobCreated(jobId));
    // A decoded Result is read-only, and ethers cannot encode it back: the struct is copied out field by field.
    const t = created!.args.terms;
    const r = t.requirements;
    const terms = {
      requirements: { gpuModel: r.gpuModel, region: r.region, minVramGiB: r.minVramGiB, gpuCount: r.gpuCount, tier: r.tier, minCompletedJobs: r.minCompletedJobs, minSlashRewardBps: r.minSlashRewardBps },
      maxPricePerGpuHour: t.maxPricePerGpuHour,
      maxDuration: t.maxDuration,
      acceptDeadline: t.acceptDeadline,
      targetProvider: t.targetProvider,
      specHash: t.specHash,
    };
    await (await scenario.c.jobEscrow.connect(provider.signer).acceptJob(jobId, provider.address, terms)).wait();
  }

  it("approves, creates the job with the offer's terms and escrow, and follows it from OPEN to ACCEPTED", async function () {
    const client = await newClient();
    const before = await scenario.c.token.balanceOf(client.address);
    const seen: FollowedJob[] = [];
    // The provider's acceptance, once the job is OPEN: a failure of it fails the test rather than leave the feed waiting.
    let accepting: Promise<void> | null = null;
    let refused: (error: unknown) => void = () => undefined;
    const acceptFailed = new Promise<never>((_, reject) => (refused = reject));
    const posting = postJob({
      gatewayUrl,
      rpcUrl: chain.url,
      signer: client,
      requirements: { gpuModels: ["rtx-4090-24gb"], gpuCount: 2, hours: 0.5 },
      spec: SPEC,
      until: ["ACCEPTED"],
      onUpdate: (job) => {
        seen.push(job);
        if (job.status === "OPEN") accepting = accept(BigInt(job.id)).catch(refused);
      },
    });
    const posted = await Promise.race([posting, acceptFailed]);
    await accepting;
    expect(seen.map((job) => [job.status, job.provider?.address ?? null])).to.deep.equal([
      ["OPEN", null],
      ["ACCEPTED", provider.address],
    ]);
    // 0.35 LAT per GPU-hour, 2 GPUs, half an hour.
    expect(posted.escrowWei).to.equal(parseEther("0.35"));
    expect(posted.provider).to.equal(provider.address);
    expect(before - (await scenario.c.token.balanceOf(client.address))).to.equal(posted.escrowWei);
    const [created] = await scenario.c.jobEscrow.queryFilter(scenario.c.jobEscrow.filters.JobCreated(posted.jobId));
    expect(created!.args.client).to.equal(client.address);
    expect(created!.args.terms.maxPricePerGpuHour).to.equal(PRICE);
    expect(created!.args.terms.maxDuration).to.equal(1800n);
    expect(created!.args.terms.specHash).to.equal(keccak256(SPEC));
    expect(created!.args.specURI).to.equal(`data:application/json;base64,${SPEC.toString("base64")}`);
  });

  it("with permit: true posts the job in one transaction, with no approve and no allowance left", async function () {
    const client = await newClient();
    const nonce = await client.getNonce();
    const posted = await postJob({
      gatewayUrl,
      rpcUrl: chain.url,
      signer: client,
      requirements: { gpuModels: ["rtx-4090-24gb"], gpuCount: 1, hours: 1 },
      spec: SPEC,
      directed: true,
      permit: true,
      until: ["OPEN"],
    });
    expect(posted.last.status).to.equal("OPEN");
    expect(await client.getNonce()).to.equal(nonce + 1);
    expect(await scenario.c.token.allowance(client.address, await scenario.c.jobEscrow.getAddress())).to.equal(0n);
    const [created] = await scenario.c.jobEscrow.queryFilter(scenario.c.jobEscrow.filters.JobCreated(posted.jobId));
    expect(created!.args.targetProvider).to.equal(provider.address);
  });

  it("says so, and sends nothing, when no provider offers what the requirements ask", async function () {
    const client = await newClient();
    const nonce = await client.getNonce();
    let error: unknown;
    try {
      await postJob({ gatewayUrl, rpcUrl: chain.url, signer: client, requirements: { gpuModels: ["rtx-4090-24gb"], gpuCount: 8, hours: 1 }, spec: SPEC });
    } catch (caught) {
      error = caught;
    }
    expect(error).to.be.instanceOf(PostJobError);
    expect((error as Error).message).to.match(/^no provider offers \{"gpuModels":\["rtx-4090-24gb"\],"gpuCount":8,"hours":1\} now/);
    expect(await client.getNonce()).to.equal(nonce);
  });

  it("names the --rpc URL and what to check when it is not a reachable node (nothing listening, or the gateway's URL)", async function () {
    const key = Wallet.createRandom().privateKey;
    // A port nothing listens on: one the system gave a server that is closed again.
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const gone = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    for (const [rpcUrl, reason] of [
      [gone, /ECONNREFUSED/],
      [gatewayUrl, /^server response 400 Bad Request$/],
    ] as const) {
      const client = connectClient(key, rpcUrl);
      let error: unknown;
      try {
        await postJob({ gatewayUrl, rpcUrl, signer: client, requirements: { gpuModels: ["rtx-4090-24gb"], gpuCount: 1, hours: 1 }, spec: SPEC });
      } catch (caught) {
        error = caught;
      } finally {
        client.provider?.destroy();
      }
      expect(error, rpcUrl).to.be.instanceOf(PostJobError);
      const match = /^the chain's RPC endpoint (\S+) did not answer eth_chainId \((.*)\): is the chain running, and is --rpc its JSON-RPC URL\?$/.exec((error as Error).message);
      expect(match, (error as Error).message).to.not.equal(null);
      expect(match![1]).to.equal(rpcUrl);
      expect(match![2]).to.match(reason);
    }
  });

  it("says the client must be funded, and sends nothing, when it holds less LAT than the escrow", async function () {
    const client = await newClient(0n);
    let error: unknown;
    try {
      await postJob({ gatewayUrl, rpcUrl: chain.url, signer: client, requirements: { gpuModels: ["rtx-4090-24gb"], gpuCount: 1, hours: 1 }, spec: SPEC });
    } catch (caught) {
      error = caught;
    }
    expect(error).to.be.instanceOf(PostJobError);
    expect((error as Error).message).to.equal(`${client.address} holds 0 LAT wei, the job's escrow is ${PRICE}: fund the client first`);
    expect(await client.getNonce()).to.equal(0);
  });

  it("runs from the command line with the key in LATENT_CLIENT_KEY, printing the offer, the job and its status", async function () {
    const client = await newClient();
    const specFile = path.join(tmpDir, "spec.json");
    fs.writeFileSync(specFile, SPEC);
    const child = spawnTsCli(
      "scripts/examples/post-job.ts",
      ["--gateway", gatewayUrl, "--rpc", chain.url, "--spec-file", specFile, "--gpu-model", "rtx-4090-24gb", "--gpus", "1", "--hours", "0.25", "--until", "OPEN"],
      { ...process.env, LATENT_CLIENT_KEY: client.privateKey },
    );
    const output = collectOutput(child);
    const code = await output.exited;
    const { stdout, stderr } = output;
    expect(stderr).to.equal("");
    expect(code).to.equal(0);
    expect(stdout).to.match(new RegExp(`^offer: ${provider.address}, rtx-4090-24gb in us-east at 0\\.35 LAT per GPU-hour, 0\\.0875 LAT for the job\\n`));
    expect(stdout).to.match(/\njob (\d+) created in block \d+ \(transaction 0x[0-9a-f]{64}\), 87500000000000000 LAT wei in escrow\njob \1: OPEN\njob \1 is OPEN\n$/);
    await waitUntil(async () => (await scenario.c.token.balanceOf(client.address)) === parseEther("10") - parseEther("0.0875"), "the escrow was paid");
  });

  describe("its command line", function () {
    const env = { LATENT_CLIENT_KEY: `0x${"01".repeat(32)}` };
    const base = ["--spec-file", "spec.json", "--gpus", "1", "--hours", "1"];

    /** The PostJobError parseArgs throws for `argv`, as [exit code, first line]. */
    function refusal(argv: string[], environment: NodeJS.ProcessEnv = env): [number, string] {
      try {
        parseArgs(argv, environment);
      } catch (error) {
        expect(error).to.be.instanceOf(PostJobError);
        return [(error as PostJobError).exitCode, (error as Error).message.split("\n")[0]!];
      }
      throw new Error(`parseArgs took ${JSON.stringify(argv)}`);
    }

    it("refuses what it cannot take with exit code 2, naming the option", function () {
      expect(refusal(base, {})).to.deep.equal([2, "LATENT_CLIENT_KEY is not set: the client's private key signs the job"]);
      expect(refusal(["--gpus", "1", "--hours", "1"])).to.deep.equal([2, "--spec-file is required: the workload document the job runs"]);
      expect(refusal([...base, "--until", "DONE"])[1]).to.match(/^--until takes a job status \(OPEN, ACCEPTED, .*\), not "DONE"$/);
      expect(refusal(["--spec-file", "s", "--gpus", "1.5", "--hours", "1"])).to.deep.equal([2, '--gpus needs a whole number above 0 (got "1.5")']);
      expect(refusal([...base, "--key", "0x00"])).to.deep.equal([2, 'unknown argument "--key"']);
      expect(refusal([...base, "--gateway"])).to.deep.equal([2, "--gateway needs a value"]);
    });

    it("takes repeated models, regions and statuses, and defaults to the devnet's local URLs", function () {
      const { key, ...options } = parseArgs([...base, "--gpu-model", "a", "--gpu-model", "b", "--region", "us-east", "--until", "OPEN", "--until", "ACCEPTED", "--permit"], env);
      expect(key).to.equal(env.LATENT_CLIENT_KEY);
      expect(options).to.deep.equal({
        specFile: "spec.json",
        gatewayUrl: "http://127.0.0.1:4000/graphql",
        rpcUrl: "http://127.0.0.1:8545",
        requirements: { gpuCount: 1, hours: 1, gpuModels: ["a", "b"], regions: ["us-east"] },
        directed: false,
        permit: true,
        until: ["OPEN", "ACCEPTED"],
      });
    });
  });
});
