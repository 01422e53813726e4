// The long-running npm scripts (gateway, indexer; the worker in devnet.test.ts) as a process manager runs them:
// SIGTERM to the npm process only. npm forwards it to its child, which must be the service itself (`exec` in the
// script): through a shell in between, the shell dies and the service runs on, orphaned, without its shutdown.
import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import hre from "hardhat";
import { CONTRACT_NAMES } from "../../scripts/deploy";
import { startLocalChain } from "../../scripts/devnet/chain";
import { writeDeploymentManifest } from "../../subgraph/scripts/manifest";
import type { LocalChain } from "../../scripts/devnet/chain";
import { groupGone, killGroup, spawnGroup, waitFor } from "./processes";

const ROOT = path.join(__dirname, "..", "..");

describe("npm run <service>, stopped with SIGTERM to npm", function () {
  this.timeout(120_000);

  let scratch: string;
  let chain: LocalChain;
  const groups: number[] = [];

  before(async function () {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), "latent-e2e-npm-"));
    chain = await startLocalChain(hre, "127.0.0.1", 0);
  });

  after(async function () {
    for (const pgid of groups) killGroup(pgid);
    await chain.stop();
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  /** Starts `npm run <script> -- args`, waits for `ready` in its output, sends SIGTERM to npm; returns how it ended. */
  async function terminate(script: string, args: string[], ready: string): Promise<{ exit: { code: number | null; signal: NodeJS.Signals | null }; output: string }> {
    const npm = spawnGroup("npm", ["run", script, "--", ...args], { cwd: ROOT, env: { ...process.env, HARDHAT_DISABLE_TELEMETRY_PROMPT: "true" } });
    groups.push(npm.pgid);
    const log = () => npm.output().slice(-4000);
    await waitFor(
      `npm run ${script} to be ready`,
      async () => {
        if (npm.child.exitCode !== null) throw new Error(`npm run ${script} exited with ${npm.child.exitCode}:\n${log()}`);
        return npm.output().includes(ready) ? true : undefined;
      },
      60_000,
      log,
    );
    npm.child.kill("SIGTERM");
    const exit = await npm.exited;
    expect(await groupGone(npm.pgid, 20_000), `a process of npm run ${script} is still running:\n${log()}`).to.equal(true);
    return { exit, output: npm.output() };
  }

  it("the gateway and the indexer get the SIGTERM, stop gracefully, and npm exits 0", async function () {
    const record = {
      network: "localhost",
      chainId: chain.chainId,
      deployer: chain.accounts[0].address,
      contracts: Object.fromEntries(CONTRACT_NAMES.map((n, i) => [n, { address: `0x${(i + 1).toString(16).padStart(40, "0")}`, blockNumber: 1 }])),
    };
    const deployment = path.join(scratch, "localhost.json");
    fs.writeFileSync(deployment, JSON.stringify(record));
    // Reading an endpoint that is never reached: the gateway serves (and reports it unavailable) all the same.
    const gateway = await terminate(
      "gateway",
      ["--subgraph-url", "http://127.0.0.1:9/subgraphs/name/latent", "--rpc-url", chain.url, "--deployment", deployment, "--port", "0"],
      '"listening"',
    );
    expect(gateway.exit, gateway.output).to.deep.equal({ code: 0, signal: null });
    expect(gateway.output).to.match(/"msg":"shutting down".*"signal":"SIGTERM"/);

    // The CLI refuses the template build (placeholder addresses): it indexes the record's.
    const build = path.dirname(writeDeploymentManifest(record, path.join(scratch, "build")));
    const indexer = await terminate(
      "indexer",
      ["--rpc", chain.url, "--subgraph", build, "--db", path.join(scratch, "indexer.sqlite"), "--port", "0"],
      "queries: POST",
    );
    // Its shutdown prints nothing; exit 0 is its handler's (SIGTERM's default action would be a signal).
    expect(indexer.exit, indexer.output).to.deep.equal({ code: 0, signal: null });
  });
});
