// The project's end-to-end test: `npm start` as a person runs it (its own process group, free ports, a scratch
// data directory and deployments directory so a developer's devnet is untouched), the seeded network through the
// gateway, the worker config it writes, then Ctrl-C and a check that nothing is left running or listening.
import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { JsonRpcProvider, Wallet, ZeroHash, keccak256, parseEther, toBeHex, toUtf8Bytes } from "ethers";
import { attachLatent } from "../../scripts/deploy";
import type { DeploymentRecord } from "../../scripts/deploy";
import { EVENTS_NEVER_EMITTED, collectEvents, missingEvents } from "../../scripts/scenario";
import { readDevnetInfo } from "../../scripts/devnet/files";
import { SLASH_CAP_JOB_MIN_BPS } from "../../scripts/devnet/seed";
import type { DevnetInfo } from "../../scripts/devnet/files";
import { verifyMatmulResult } from "../../scripts/worker/executors/matmul";
import type { MatmulParams } from "../../scripts/worker/spec";
import { groupGone, killGroup, listening, spawnGroup, waitFor } from "./processes";
import type { GroupProcess } from "./processes";

const ROOT = path.join(__dirname, "..", "..");
const HOST = "127.0.0.1";

async function gql<T>(url: string, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query, variables }) });
  const body = (await response.json()) as { data?: T; errors?: { message: string }[] };
  if (body.errors !== undefined || body.data === undefined) throw new Error(`GraphQL errors: ${JSON.stringify(body.errors)}`);
  return body.data;
}

interface Offer {
  provider: { address: string };
  gpuModel: string;
  region: string;
  tier: string;
  freeGpus: number;
}

const OFFERS = `query Offers($first: Int!) {
  availableCompute(requirements: { gpuCount: 1 }, first: $first) {
    nodes { provider { address } gpuModel region tier freeGpus }
  }
}`;

const STATS = `{ networkStats(days: 1) {
  providers { registered active }
  jobs { open accepted submitted disputed completed cancelled expired declined timedOut refunded }
  disputes { total }
} }`;

const OPEN_JOBS = `{ jobs(filter: { statuses: [OPEN] }, first: 100) { nodes { id requirements { gpuModel gpuCount minSlashRewardBps } } } }`;

/** Every registered provider listing `model`, with its slash reward cap. */
const PROVIDERS_OF_MODEL = `query Providers($model: String!) {
  providers(filter: { gpuModels: [$model], registered: true }, first: 100) { nodes { address maxSlashRewardBps } }
}`;

const PROVIDER_OPEN_JOBS = `query OpenJobs($provider: Address!) { openJobs(provider: $provider, first: 100) { nodes { id } } }`;

function portOf(url: string): number {
  return Number(new URL(url).port);
}

async function rpc(url: string, method: string, params: unknown[] = []): Promise<unknown> {
  const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }) });
  const body = (await response.json()) as { result?: unknown; error?: { message: string } };
  if (body.error !== undefined) throw new Error(`${method}: ${body.error.message}`);
  return body.result;
}

/** Posts a matmul job directed at `provider`, from `clientKey`'s account, as a dApp would; returns its id. */
async function postMatmulJob(chainUrl: string, record: DeploymentRecord, clientKey: string, provider: string, params: MatmulParams): Promise<bigint> {
  const ethers = new JsonRpcProvider(chainUrl, undefined, { cacheTimeout: -1, staticNetwork: true });
  try {
    const client = new Wallet(clientKey, ethers);
    const c = attachLatent(record, client);
    const document = JSON.stringify({ version: 1, kind: "matmul", params });
    const now = Number(((await rpc(chainUrl, "eth_getBlockByNumber", ["latest", false])) as { timestamp: string }).timestamp);
    const terms = {
      requirements: { gpuModel: ZeroHash, region: toBeHex(0, 16), minVramGiB: 0, gpuCount: 1, tier: 0, minCompletedJobs: 0, minSlashRewardBps: 0 },
      maxPricePerGpuHour: parseEther("0.5"),
      maxDuration: 600,
      acceptDeadline: now + 3600,
      targetProvider: provider,
      specHash: keccak256(toUtf8Bytes(document)),
    };
    const escrow = await c.jobEscrow.getAddress();
    await (await c.token.approve(escrow, await c.jobEscrow.computeCost(terms.maxPricePerGpuHour, 1, terms.maxDuration))).wait();
    const receipt = await (await c.jobEscrow.createJob(terms, `data:application/json;base64,${Buffer.from(document).toString("base64")}`)).wait();
    const created = receipt?.logs.map((log) => c.jobEscrow.interface.parseLog(log)).find((e) => e?.name === "JobCreated");
    if (created === undefined || created === null) throw new Error("no JobCreated event");
    return created.args.getValue("jobId") as bigint;
  } finally {
    ethers.destroy();
  }
}

interface JobView {
  status: string;
  challengeDeadline: number | null;
  result: { hash: string } | null;
  settlement: { reason: string | null } | null;
  timeline: { kind: string; from: string }[];
}

const JOB = `query Job($id: ID!) { job(id: $id) { status challengeDeadline result { hash } settlement { reason } timeline { kind from } } }`;

async function jobView(graphql: string, id: bigint): Promise<JobView | null> {
  return (await gql<{ job: JobView | null }>(graphql, JOB, { id: id.toString() })).job;
}

/** Waits until the gateway shows the job in `status`; fails at once if it lands in a status it cannot leave. */
async function jobReaches(graphql: string, id: bigint, status: string, log: () => string): Promise<JobView> {
  return waitFor(
    `job ${id} to be ${status} in the gateway`,
    async () => {
      const job = await jobView(graphql, id);
      if (job !== null && ["CANCELLED", "EXPIRED", "DECLINED", "TIMED_OUT", "REFUNDED", "DISPUTED"].includes(job.status)) throw new Error(`job ${id} is ${job.status}\n${log()}`);
      return job?.status === status ? job : undefined;
    },
    90_000,
    log,
  );
}

describe("npm start (end to end)", function () {
  // Measured at ~15 s on an idle 2-core machine; generous for a loaded one.
  this.timeout(240_000);

  let scratch: string;
  let devnet: GroupProcess | undefined;
  const groups: number[] = [];

  before(function () {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), "latent-e2e-"));
  });

  after(function () {
    for (const pgid of groups) killGroup(pgid);
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  it("serves the seeded network, runs a worker through a job to settlement, and leaves nothing behind on Ctrl-C", async function () {
    const dataDir = path.join(scratch, "data");
    const env: NodeJS.ProcessEnv = { ...process.env, LATENT_DEPLOYMENTS_DIR: path.join(scratch, "deployments"), HARDHAT_DISABLE_TELEMETRY_PROMPT: "true" };
    delete env.HARDHAT_NETWORK;
    const started = Date.now();
    devnet = spawnGroup("npm", ["start", "--", "--port", "0", "--chain-port", "0", "--data-dir", dataDir], { cwd: ROOT, env });
    groups.push(devnet.pgid);
    const d = devnet;
    const log = () => d.output().slice(-4000);

    // Ports were picked by the system: devnet.json says which, once the devnet is up.
    const info = await waitFor<DevnetInfo>(
      "npm start to write devnet.json",
      async () => {
        if (d.child.exitCode !== null) throw new Error(`npm start exited with ${d.child.exitCode}:\n${log()}`);
        const file = path.join(dataDir, "devnet.json");
        return fs.existsSync(file) ? readDevnetInfo(file) : undefined;
      },
      180_000,
      log,
    );
    const ready = async (): Promise<true | undefined> => fetch(info.gateway.readyz).then((r) => (r.status === 200 ? true : undefined), () => undefined);
    await waitFor("/readyz", ready, 60_000, log);
    const readyMs = Date.now() - started;
    // The gateway answers /readyz as soon as its indexer reaches the head; the devnet prints its banner a moment
    // later, so the banner is awaited rather than expected at once.
    await waitFor("the ready banner", async () => (d.output().includes("Latent devnet is ready.") ? true : undefined), 30_000, log);
    expect(d.output()).to.include("PUBLIC TEST KEYS");
    const dashboard = await fetch(info.gateway.dashboard);
    expect(dashboard.status).to.equal(200);
    expect(dashboard.headers.get("content-type")).to.match(/^text\/html/);

    // The seeded offers, through the gateway: at least 20 providers, 5 GPU models, consumer and datacenter cards.
    const { availableCompute } = await gql<{ availableCompute: { nodes: Offer[] } }>(info.gateway.graphql, OFFERS, { first: 100 });
    const offers = availableCompute.nodes;
    const models = new Set(offers.map((o) => o.gpuModel));
    expect(new Set(offers.map((o) => o.provider.address)).size).to.be.at.least(20);
    expect(models.size).to.be.at.least(5);
    expect([...models].some((m) => m.startsWith("rtx-"))).to.equal(true);
    expect([...models].some((m) => m.startsWith("h100-") || m.startsWith("a100-"))).to.equal(true);
    expect(new Set(offers.map((o) => o.tier))).to.deep.equal(new Set(["CONSUMER", "ENTERPRISE"]));
    expect(new Set(offers.map((o) => o.region)).size).to.be.at.least(3);

    // Jobs in every state, disputes, both kinds of provider counts.
    const { networkStats } = await gql<{ networkStats: { providers: { registered: number }; jobs: Record<string, number>; disputes: { total: number } } }>(
      info.gateway.graphql,
      STATS,
    );
    expect(networkStats.providers.registered).to.be.at.least(20);
    for (const [status, count] of Object.entries(networkStats.jobs)) expect(count, `jobs ${status}`).to.be.greaterThan(0);
    expect(networkStats.disputes.total).to.be.at.least(5);

    // One open job asks for a least slash reward cap: the seeded providers of its model whose cap is lower may not
    // take it (one of them could take another job, so its cap is what keeps it out), and one whose cap is not may.
    const { jobs } = await gql<{ jobs: { nodes: { id: string; requirements: { gpuModel: string | null; gpuCount: number; minSlashRewardBps: number } }[] } }>(
      info.gateway.graphql,
      OPEN_JOBS,
    );
    const capped = jobs.nodes.filter((j) => j.requirements.minSlashRewardBps > 0);
    expect(capped.map((j) => j.requirements)).to.deep.equal([{ gpuModel: "h100-sxm-80gb", gpuCount: 4, minSlashRewardBps: SLASH_CAP_JOB_MIN_BPS }]);
    const cappedJob = capped[0]!.id;
    const { providers } = await gql<{ providers: { nodes: { address: string; maxSlashRewardBps: number }[] } }>(
      info.gateway.graphql,
      PROVIDERS_OF_MODEL,
      { model: "h100-sxm-80gb" },
    );
    const openJobsOf = async (provider: string) =>
      (await gql<{ openJobs: { nodes: { id: string }[] } }>(info.gateway.graphql, PROVIDER_OPEN_JOBS, { provider })).openJobs.nodes.map((j) => j.id);
    const below = providers.nodes.filter((p) => p.maxSlashRewardBps < SLASH_CAP_JOB_MIN_BPS);
    const meeting = providers.nodes.filter((p) => p.maxSlashRewardBps >= SLASH_CAP_JOB_MIN_BPS);
    expect(below.length, "providers whose cap is below the job's").to.be.at.least(2);
    const belowOpenJobs = await Promise.all(below.map((p) => openJobsOf(p.address)));
    for (const ids of belowOpenJobs) expect(ids).to.not.include(cappedJob);
    expect(belowOpenJobs.some((ids) => ids.length > 0), "a provider whose cap alone keeps it from the job").to.equal(true);
    const meetingOpenJobs = await Promise.all(meeting.map((p) => openJobsOf(p.address)));
    expect(meetingOpenJobs.some((ids) => ids.includes(cappedJob)), "a provider that may take the job").to.equal(true);

    // Every event the contracts can emit is on the chain (the seed exercises the whole protocol).
    const record = JSON.parse(fs.readFileSync(info.deploymentFile, "utf8")) as DeploymentRecord;
    const provider = new JsonRpcProvider(info.chain.rpcUrl, undefined, { cacheTimeout: -1, staticNetwork: true });
    try {
      const c = attachLatent(record, provider);
      const events = await collectEvents(provider, record, c, 0);
      expect(missingEvents(c, events).sort()).to.deep.equal(EVENTS_NEVER_EMITTED.map((e) => `${e.contract}.${e.name}`).sort());
    } finally {
      provider.destroy();
    }

    // The worker config npm start wrote passes the worker's own checks with the operator key it printed.
    expect(info.worker).to.not.equal(null);
    const worker = info.worker as NonNullable<DevnetInfo["worker"]>;
    const operatorKey = info.accounts.find((a) => a.index === worker.operatorIndex)?.privateKey;
    expect(operatorKey, "the operator's public test key").to.match(/^0x[0-9a-f]{64}$/);
    const check = spawnGroup(path.join(ROOT, "bin", "latent-worker.js"), ["--config", worker.config, "--check"], {
      cwd: ROOT,
      env: { ...process.env, [worker.keyEnv]: operatorKey },
    });
    groups.push(check.pgid);
    const checked = await check.exited;
    expect(checked.code, check.output()).to.equal(0);
    expect(await groupGone(check.pgid, 5_000), "a process of the worker's group is still running").to.equal(true);
    const summary = JSON.parse(check.output().slice(check.output().indexOf("{"))) as { ok: boolean; provider: string; operator: string };
    expect(summary.ok).to.equal(true);
    expect(summary.provider.toLowerCase()).to.equal(worker.provider.toLowerCase());
    expect(summary.operator.toLowerCase()).to.equal(worker.operator.toLowerCase());

    // One real worker: it hears of a job posted for its provider through the gateway, accepts it, runs the matmul,
    // submits the result and, once the challenge window has passed (moved on with evm_increaseTime, as only a
    // devnet allows), settles it. Run with the command the banner prints.
    const daemon = spawnGroup("npm", ["run", "worker", "--", "--config", worker.config], {
      cwd: ROOT,
      env: { ...process.env, [worker.keyEnv]: operatorKey },
    });
    groups.push(daemon.pgid);
    const workerLog = () => `worker:\n${daemon.output().slice(-4000)}`;
    await waitFor(
      "the worker to follow the gateway's job feed",
      async () => {
        if (daemon.child.exitCode !== null) throw new Error(`the worker exited with ${daemon.child.exitCode}\n${workerLog()}`);
        return daemon.output().includes("following the gateway's job feed") ? true : undefined;
      },
      60_000,
      workerLog,
    );
    const clientKey = info.accounts.find((a) => a.role.startsWith("client"))?.privateKey;
    expect(clientKey, "a client's public test key").to.match(/^0x[0-9a-f]{64}$/);
    const params: MatmulParams = { n: 64, seed: keccak256(toUtf8Bytes("latent e2e")), rounds: 2 };
    const jobId = await postMatmulJob(info.chain.rpcUrl, record, clientKey as string, worker.provider, params);
    const submitted = await jobReaches(info.gateway.graphql, jobId, "SUBMITTED", workerLog);
    expect((await verifyMatmulResult(params, submitted.result?.hash ?? "")).valid, "the submitted hash is the matmul's").to.equal(true);

    const now = Number(((await rpc(info.chain.rpcUrl, "eth_getBlockByNumber", ["latest", false])) as { timestamp: string }).timestamp);
    await rpc(info.chain.rpcUrl, "evm_increaseTime", [toBeHex((submitted.challengeDeadline as number) - now + 1)]);
    await rpc(info.chain.rpcUrl, "evm_mine");
    const completed = await jobReaches(info.gateway.graphql, jobId, "COMPLETED", workerLog);
    expect(completed.settlement?.reason).to.equal("CHALLENGE_WINDOW_PASSED");
    const settledBy = completed.timeline.find((e) => e.kind === "JobSettled")?.from;
    expect(settledBy?.toLowerCase(), "settled by the worker's operator key").to.equal(worker.operator.toLowerCase());

    // Stopped as a process manager stops a service: SIGTERM to npm alone, which forwards it to the worker.
    daemon.child.kill("SIGTERM");
    const workerExit = await daemon.exited;
    expect(workerExit, workerLog()).to.deep.equal({ code: 0, signal: null });
    expect(daemon.output()).to.match(/"msg":"shutting down: no new jobs; running jobs may finish","signal":"SIGTERM"/);
    expect(daemon.output()).to.include('"msg":"worker stopped"');
    expect(await groupGone(daemon.pgid, 5_000), "a process of the worker's group is still running").to.equal(true);

    // Ctrl-C, as a terminal sends it: to the whole process group.
    process.kill(-d.pgid, "SIGINT");
    const exit = await d.exited;
    expect(exit, log()).to.deep.equal({ code: 0, signal: null });
    expect(d.output()).to.include("stopped   gateway and its indexer");
    expect(d.output()).to.include("stopped   chain");
    expect(await groupGone(d.pgid, 5_000), "a process of npm start's group is still running").to.equal(true);
    expect(await listening(HOST, portOf(info.gateway.graphql)), "gateway port").to.equal(false);
    expect(await listening(HOST, portOf(info.chain.rpcUrl)), "chain port").to.equal(false);
    expect(fs.existsSync(path.join(dataDir, "devnet.json")), "devnet.json describes a running devnet only").to.equal(false);
    console.log(`      npm start ready in ${(readyMs / 1000).toFixed(1)} s, whole test ${((Date.now() - started) / 1000).toFixed(1)} s`);
  });
});
