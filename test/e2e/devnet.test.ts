// The project's end-to-end test: `npm start` as a person runs it (its own process group, free ports, a scratch
// data directory and deployments directory so a developer's devnet is untouched), the seeded network through the
// gateway, the worker config it writes, then Ctrl-C and a check that nothing is left running or listening.
import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { JsonRpcProvider } from "ethers";
import { attachLatent } from "../../scripts/deploy";
import type { DeploymentRecord } from "../../scripts/deploy";
import { EVENTS_NEVER_EMITTED, collectEvents, missingEvents } from "../../scripts/scenario";
import { readDevnetInfo } from "../../scripts/devnet/files";
import type { DevnetInfo } from "../../scripts/devnet/files";
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

function portOf(url: string): number {
  return Number(new URL(url).port);
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

  it("serves the seeded network, writes a working worker config, and leaves nothing behind on Ctrl-C", async function () {
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
    expect(d.output()).to.include("Latent devnet is ready.");
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
