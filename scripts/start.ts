/**
 * Interim `npm start` (until the devnet issue replaces it): starts a Hardhat node on 127.0.0.1:8545 as a direct
 * child process, deploys the whole set with the scenario's roles (guardian, arbitrator, funded accounts; devnet
 * governance timings), writes deployments/localhost.json, prints the addresses, and runs until SIGINT/SIGTERM, when
 * it stops the node by its PID and waits for it to exit, so no process is left behind.
 *
 * LATENT_SEED=1 also runs the full scenario (every kind of event, some jobs left live) for demo data.
 * LATENT_PORT changes the port (default 8545); LATENT_DEPLOYMENTS_DIR where the record goes (default deployments/).
 */
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import * as path from "node:path";
import { JsonRpcProvider } from "ethers";
import type { Signer } from "ethers";
import { CONTRACT_NAMES, writeDeploymentRecord } from "./deploy";
import { SCENARIO_SIGNERS, deployScenario, runFullScenario } from "./scenario";

const ROOT = path.join(__dirname, "..");
const HOST = "127.0.0.1";
const PORT = Number(process.env.LATENT_PORT ?? 8545);

function startNode(): ChildProcess {
  const bin = path.join(ROOT, "node_modules", ".bin", "hardhat");
  const child = spawn(bin, ["node", "--hostname", HOST, "--port", String(PORT)], {
    cwd: ROOT,
    env: { ...process.env, HARDHAT_DISABLE_TELEMETRY_PROMPT: "true" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  // The node logs every request; keep only its errors visible.
  child.stderr?.on("data", (chunk: Buffer) => process.stderr.write(chunk));
  child.stdout?.resume();
  return child;
}

/** Polls with plain fetch: an ethers provider created before the node listens logs retries of its own. */
async function waitForRpc(url: string, child: ChildProcess, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`hardhat node exited with code ${child.exitCode} (is port ${PORT} in use?)`);
    try {
      const response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
      });
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) throw new Error(`hardhat node did not answer on ${HOST}:${PORT} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

function stopNode(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) {
      resolve();
      return;
    }
    const force = setTimeout(() => child.kill("SIGKILL"), 10_000);
    child.once("exit", () => {
      clearTimeout(force);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

async function main(): Promise<void> {
  const child = startNode();
  let stopping = false;
  const stop = async (code: number): Promise<void> => {
    if (stopping) return;
    stopping = true;
    await stopNode(child);
    process.exit(code);
  };
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, () => void stop(0));
  // `hardhat run` forks this script with an IPC channel: if it dies (e.g. it alone got SIGTERM), stop too.
  process.on("disconnect", () => void stop(0));
  child.once("exit", (code) => {
    if (!stopping) {
      console.error(`hardhat node stopped unexpectedly (code ${code})`);
      process.exit(1);
    }
  });

  try {
    const url = `http://${HOST}:${PORT}`;
    await waitForRpc(url, child);
    // No response cache: a repeated view call must see the transaction just mined.
    const provider = new JsonRpcProvider(url, undefined, { pollingInterval: 200, cacheTimeout: -1 });
    const signers: Signer[] = await provider.listAccounts();
    if (signers.length < SCENARIO_SIGNERS) throw new Error(`the node has ${signers.length} accounts, ${SCENARIO_SIGNERS} needed`);
    const s = await deployScenario(signers, { networkName: "localhost" });
    const file = writeDeploymentRecord(s.deployment.record, process.env.LATENT_DEPLOYMENTS_DIR);
    console.log(`Latent on ${url} (chain ${s.deployment.record.chainId}), deployed by ${s.deployment.record.deployer}`);
    for (const name of CONTRACT_NAMES) {
      const c = s.deployment.record.contracts[name];
      console.log(`  ${name.padEnd(16)} ${c.address}  block ${c.blockNumber}`);
    }
    console.log(`wrote ${file}`);
    if (process.env.LATENT_SEED === "1") {
      const summary = await runFullScenario(s);
      console.log(`seeded blocks ${summary.fromBlock}-${summary.toBlock}: ${Object.keys(summary.jobs).length} jobs, ${summary.providers.length} providers`);
    }
    console.log("Ctrl-C to stop.");
  } catch (error) {
    console.error(error);
    await stop(1);
  }
}

void main();
