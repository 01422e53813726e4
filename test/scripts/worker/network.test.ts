// The worker wired to a real stack: chain over JSON-RPC, contracts, gateway with the embedded indexer. One worker
// runs in-process through the same connectNetwork the CLI uses (so its events and logs can be watched), then the
// real CLI runs as a child process. Every wait is a bounded poll of chain or gateway state.
import { expect } from "chai";
import { execFile, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { keccak256, parseEther, toUtf8Bytes } from "ethers";
import { Tier } from "../../../scripts/scenario";
import { verifyMatmulResult } from "../../../scripts/worker/executors/matmul";
import { CANDIDATE_JOB_FRAGMENT, GatewayJobError, hashJobTerms, toCandidateJob } from "../../../scripts/worker/gateway-jobs";
import type { LogRecord } from "../../../scripts/worker/logger";
import { ChallengeWindowOpenError, JobStatus, MarketRejectedError } from "../../../scripts/worker/market";
import type { MatmulParams } from "../../../scripts/worker/spec";
import { collectOutput } from "../../helpers/child-output";
import { createdCandidate } from "./helpers/created-job";
import { PROVIDER_GPUS, startStack, startStackWorker, waitFor, writeStackWorkerConfig, type PostedJob, type RunningWorker, type Stack } from "./helpers/stack";

const REPO = path.resolve(__dirname, "../../..");
const DAY = 86_400;

function matmul(name: string, n = 24): MatmulParams {
  return { n, seed: keccak256(toUtf8Bytes(name)), rounds: 1 };
}

describe("worker on a live stack (chain, contracts, gateway)", function () {
  this.timeout(60_000);

  let stack: Stack;
  let worker: RunningWorker | undefined;
  let jobA: PostedJob;
  let jobB: PostedJob;
  const refused: PostedJob[] = [];

  function writeConfig(name: string, logLevel: string): string {
    // No periodic openJobs re-read during the suite: a job must come from the catch-up or the feed.
    return writeStackWorkerConfig(stack, name, { resyncSeconds: 3600, policy: { settlementPollSeconds: 1 }, logLevel });
  }

  /** The CLI's assembly (cli.ts runDaemon), in-process so that its events and logs can be read. */
  const startWorker = (): Promise<RunningWorker> => startStackWorker(stack, writeConfig("worker.json", "debug"));

  const status = async (jobId: bigint): Promise<JobStatus> => Number((await stack.s.c.jobEscrow.getJob(jobId)).status);
  const online = async (): Promise<boolean> => (await stack.s.c.registry.getProvider(stack.provider.address)).online;

  /** Waits until the job is Submitted (or further) by our provider. */
  async function waitSubmitted(job: PostedJob, timeoutMs = 30_000): Promise<void> {
    await waitFor(`job ${job.jobId} is submitted`, async () => (await status(job.jobId)) >= JobStatus.Submitted, timeoutMs);
    const stored = await stack.s.c.jobEscrow.getJob(job.jobId);
    expect(stored.provider).to.equal(stack.provider.address);
  }

  async function submitted(jobId: bigint): Promise<{ resultURI: string; resultHash: string; cost: bigint }> {
    const [event] = await stack.s.c.jobEscrow.queryFilter(stack.s.c.jobEscrow.filters.ResultSubmitted(jobId));
    if (event === undefined) throw new Error(`no ResultSubmitted for job ${jobId}`);
    return { resultURI: event.args.resultURI, resultHash: event.args.resultHash, cost: event.args.cost };
  }

  const logged = (msg: string): LogRecord[] => worker?.logs.filter((record) => record.msg === msg) ?? [];

  before(async function () {
    this.timeout(120_000);
    stack = await startStack();
  });

  after(async function () {
    this.timeout(60_000);
    await worker?.stop().catch(() => undefined);
    await stack?.close();
  });

  it("goes online at start and takes a job posted before it started (openJobs)", async () => {
    jobA = await stack.postMatmulJob(matmul("job-a"));
    expect(await online()).to.equal(false);
    worker = await startWorker();
    expect(await online()).to.equal(true);
    await waitSubmitted(jobA);
    expect(worker.events.some((e) => e.type === "job-accepted" && e.jobId === jobA.jobId)).to.equal(true);
    const [catchUp] = logged("read the jobs already open");
    expect(catchUp?.fields.jobs).to.be.greaterThanOrEqual(1);
  });

  it("ran the built-in matmul for real: the submitted hash is the one anyone re-derives", async () => {
    const { resultURI, resultHash } = await submitted(jobA.jobId);
    const check = await verifyMatmulResult(jobA.params, resultHash);
    expect(check).to.deep.equal({ valid: true, expectedHash: resultHash });
    // The result itself (n*n*2 bytes, too big to inline) is the file the URI names.
    const bytes = fs.readFileSync(fileURLToPath(resultURI));
    expect(bytes.length).to.equal(jobA.params.n * jobA.params.n * 2);
    expect(keccak256(bytes)).to.equal(resultHash);
  });

  it("lists, from the real gateway, the provider's submitted job as one to resume after a restart", async () => {
    const running = worker as RunningWorker;
    await waitFor(`job ${jobA.jobId} is indexed as submitted`, async () => {
      const jobs = (await running.network.source.jobsInHand?.(new AbortController().signal)) ?? [];
      return jobs.some((job) => job.jobId === jobA.jobId);
    }, 10_000);
  });

  it("agrees with JobEscrow.hashTerms on the gateway's terms and refuses terms that do not hash to termsHash", async () => {
    const response = await fetch(stack.gateway.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: `query($id: ID!) { job(id: $id) { ...CandidateJobFields } } ${CANDIDATE_JOB_FRAGMENT}`, variables: { id: jobA.jobId.toString() } }),
    });
    const { data } = (await response.json()) as { data: { job: Record<string, unknown> & { terms: Record<string, unknown> } } };
    const candidate = toCandidateJob(data.job);
    expect(candidate.jobId).to.equal(jobA.jobId);
    expect(hashJobTerms(candidate.terms)).to.equal(await stack.s.c.jobEscrow.hashTerms(candidate.terms));
    expect(hashJobTerms(candidate.terms)).to.equal((await stack.s.c.jobEscrow.getJob(jobA.jobId)).termsHash);
    const tampered = { ...data.job, terms: { ...data.job.terms, maxDuration: "3601" } };
    expect(() => toCandidateJob(tampered)).to.throw(GatewayJobError, "its terms hash to");
  });

  it("reports reverts by their custom error (an early settle, a second accept)", async () => {
    const market = worker!.network.market;
    const state = await market.getJobState(jobA.jobId);
    expect(state.status).to.equal(JobStatus.Submitted);
    const candidate = await createdCandidate(stack.s.c.jobEscrow, jobA.jobId);
    const settle = await market.settle(candidate).then(() => undefined, (error: unknown) => error);
    expect(settle).to.be.instanceOf(ChallengeWindowOpenError);
    expect((settle as ChallengeWindowOpenError).challengeDeadline).to.equal(state.challengeDeadline);
    const accept = await market.accept(candidate).then(() => undefined, (error: unknown) => error);
    expect(accept).to.be.instanceOf(MarketRejectedError);
    expect((accept as MarketRejectedError).errorName).to.equal("JobEscrowUnexpectedStatus");
  });

  it("takes a job posted while it runs through the jobOpened feed, and ignores jobs it cannot take", async () => {
    refused.push(
      await stack.postMatmulJob(matmul("wrong-model"), { gpuModel: "h100-sxm-80gb", tier: Tier.Enterprise }),
      await stack.postMatmulJob(matmul("too-many-gpus"), { gpuCount: PROVIDER_GPUS + 2 }),
      await stack.postMatmulJob(matmul("too-cheap"), { maxPricePerGpuHour: parseEther("0.1") }),
    );
    jobB = await stack.postMatmulJob(matmul("job-b"));
    await waitSubmitted(jobB);
    // One connection, read before these jobs existed: job B came through the subscription.
    expect(logged("read the jobs already open")).to.have.length(1);
    for (const job of refused) {
      expect(await status(job.jobId)).to.equal(JobStatus.Open);
      expect(worker!.events.some((e) => e.type === "job-accepted" && e.jobId === job.jobId)).to.equal(false);
    }
    // The wrong model reaches the worker (the feed cannot filter "this model or any") and is skipped there; the
    // others are filtered out by the gateway already.
    const skip = worker!.events.find((e) => e.type === "job-skipped" && e.jobId === refused[0]!.jobId);
    expect(skip).to.deep.include({ type: "job-skipped" });
    expect((skip as { reason: string }).reason).to.contain("h100-sxm-80gb");
  });

  it("settles once the challenge window has passed; the provider is paid exactly cost - fee", async () => {
    const { jobEscrow, token } = stack.s.c;
    const before = await token.balanceOf(stack.provider.address);
    await stack.chain.ethers.send("evm_increaseTime", [DAY + 60]);
    await stack.chain.ethers.send("evm_mine", []);
    for (const job of [jobA, jobB]) {
      await waitFor(`job ${job.jobId} is completed`, async () => (await status(job.jobId)) === JobStatus.Completed);
      // The chain says Completed as soon as the settlement is mined; the worker reports it once it has the receipt.
      await waitFor(`the worker reports its settlement of job ${job.jobId}`, async () =>
        worker!.events.some((e) => e.type === "job-settled" && e.jobId === job.jobId),
      );
    }
    let paid = 0n;
    for (const job of [jobA, jobB]) {
      const { cost } = await submitted(job.jobId);
      const params = await jobEscrow.getParams((await jobEscrow.getJob(job.jobId)).paramsId);
      const fee = (cost * params.protocolFeeBps + 9_999n) / 10_000n;
      const [settled] = await jobEscrow.queryFilter(jobEscrow.filters.JobSettled(job.jobId));
      expect(cost).to.be.greaterThan(0n);
      expect(settled!.args.fee).to.equal(fee);
      expect(settled!.args.providerAmount).to.equal(cost - fee);
      paid += cost - fee;
      expect(worker!.events).to.deep.include({ type: "job-settled", jobId: job.jobId, by: "worker" });
    }
    expect((await token.balanceOf(stack.provider.address)) - before).to.equal(paid);
  });

  it("reconnects after a gateway restart and still takes a new job", async () => {
    await stack.stopGateway();
    const jobD = await stack.postMatmulJob(matmul("job-d"));
    await waitFor("the worker notices the gateway went away", async () => logged("job source disconnected; reconnecting").length > 0);
    await stack.startGateway();
    await waitSubmitted(jobD);
    expect(logged("following the gateway's job feed").length).to.be.greaterThanOrEqual(2);
  });

  it("declines a job directed at it that needs more GPUs than it lists, which only its directed-jobs read shows it", async () => {
    const { jobEscrow, token } = stack.s.c;
    const client = await stack.client.getAddress();
    const before = await token.balanceOf(client);
    const job = await stack.postMatmulJob(matmul("directed-too-big"), {
      targetProvider: stack.provider.address,
      gpuCount: PROVIDER_GPUS + 1,
    });
    // Neither openJobs nor the feed's filter lets it through: the next connection's catch-up reads it.
    await stack.restartGateway();
    await waitFor(`job ${job.jobId} is declined`, async () => (await status(job.jobId)) === JobStatus.Declined);
    const [declined] = await jobEscrow.queryFilter(jobEscrow.filters.JobDeclined(job.jobId));
    expect(declined!.args.by).to.equal(stack.operator.address);
    expect(await token.balanceOf(client)).to.equal(before);
    await waitFor("the decline is logged", async () => logged("job declined: the client is refunded").length > 0);
    expect(logged("job declined: the client is refunded")[0]!.fields).to.deep.include({
      reason: `requires ${PROVIDER_GPUS + 1} GPUs, ${PROVIDER_GPUS} of ${PROVIDER_GPUS} are free`,
    });
  });

  it("goes offline when stopped", async () => {
    await worker!.stop();
    worker = undefined;
    expect(await online()).to.equal(false);
  });

  it("as the real CLI: comes online, takes a job, and on SIGINT exits 0 and goes offline", async function () {
    this.timeout(90_000);
    const file = writeConfig("cli-worker.json", "info");
    const child = spawn("npm", ["run", "--silent", "worker", "--", "--config", file], {
      cwd: REPO,
      env: { ...process.env, LATENT_OPERATOR_KEY: stack.operator.privateKey },
      stdio: ["ignore", "pipe", "pipe"],
      // Its own process group, so that a failing test can stop npm and the worker together.
      detached: true,
    });
    // Its log goes to stderr; stdout, piped too for collectOutput, is read and dropped.
    const output = collectOutput(child);
    try {
      await waitFor("the CLI worker goes online", online, 30_000).catch((error: Error) => {
        throw new Error(`${error.message}; its stderr: ${output.stderr}`);
      });
      const jobE = await stack.postMatmulJob(matmul("job-e"));
      await waitSubmitted(jobE);
      // The worker's own SIGINT, by its PID (the script execs node in place of sh): the Ctrl-C of someone who runs
      // it directly. npm passing a SIGTERM on to it is test/e2e/npm-scripts.test.ts's.
      const workerPid = await workerProcessOf(child.pid!);
      process.kill(workerPid, "SIGINT");
      const code = await output.exited;
      expect(code, output.stderr).to.equal(0);
      expect(output.stderr).to.contain("shutting down");
      expect(await online()).to.equal(false);
      expect(output.stderr).to.contain("provider is offline");
    } finally {
      if (child.exitCode === null && child.signalCode === null) {
        try {
          process.kill(-child.pid!, "SIGKILL");
        } catch {
          // Already gone.
        }
      }
    }
  });
});

/** The PID of the node process running scripts/worker/cli.ts below `root`. */
async function workerProcessOf(root: number): Promise<number> {
  const table = await new Promise<string>((resolve, reject) =>
    execFile("ps", ["-A", "-o", "pid=,ppid=,args="], (error, stdout) => (error ? reject(error) : resolve(stdout))),
  );
  const processes = table
    .split("\n")
    .map((line) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line))
    .filter((match): match is RegExpExecArray => match !== null)
    .map((match) => ({ pid: Number(match[1]), ppid: Number(match[2]), args: match[3]! }));
  const below = new Set([root]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const p of processes) {
      if (below.has(p.ppid) && !below.has(p.pid)) {
        below.add(p.pid);
        grew = true;
      }
    }
  }
  const worker = processes.find((p) => below.has(p.pid) && p.args.includes("scripts/worker/cli.ts") && !p.args.startsWith("sh "));
  if (worker === undefined) throw new Error(`no worker process below ${root}`);
  return worker.pid;
}
