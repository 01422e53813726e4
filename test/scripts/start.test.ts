import { expect } from "chai";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { JsonRpcProvider } from "ethers";
import { attachLatent, readDeploymentRecord } from "../../scripts/deploy";
import { EVENTS_NEVER_EMITTED, collectEvents, missingEvents } from "../../scripts/scenario";

const ROOT = path.join(__dirname, "..", "..");

async function listening(url: string): Promise<boolean> {
  try {
    const r = await fetch(url, { method: "POST", body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }) });
    return r.ok;
  } catch {
    return false;
  }
}

describe("scripts/start (interim npm start)", function () {
  // Generous: it starts a node and runs ~200 transactions over HTTP, slow on a loaded 2-core machine.
  this.timeout(480_000);

  it("serves a deployed, seeded chain over JSON-RPC with every event, and stops the node on SIGTERM", async function () {
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const url = `http://127.0.0.1:${port}`;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "latent-start-"));
    const child = spawn(path.join(ROOT, "node_modules", ".bin", "hardhat"), ["run", "scripts/start.ts"], {
      cwd: ROOT,
      env: { ...process.env, LATENT_PORT: String(port), LATENT_SEED: "1", LATENT_DEPLOYMENTS_DIR: dir, HARDHAT_DISABLE_TELEMETRY_PROMPT: "true" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    try {
      const deadline = Date.now() + 420_000;
      while (!output.includes("Ctrl-C to stop.")) {
        if (child.exitCode !== null || Date.now() > deadline) throw new Error(`npm start did not come up:\n${output}`);
        await new Promise((r) => setTimeout(r, 200));
      }
      const record = readDeploymentRecord("localhost", dir);
      const provider = new JsonRpcProvider(url, undefined, { cacheTimeout: -1 });
      const c = attachLatent(record, provider);
      const events = await collectEvents(provider, record, c, 0);
      expect(missingEvents(c, events).sort()).to.deep.equal(EVENTS_NEVER_EMITTED.map((e) => `${e.contract}.${e.name}`).sort());
      provider.destroy();
    } finally {
      child.kill("SIGTERM");
    }
    await exited;
    expect(await listening(url)).to.equal(false);
  });
});
