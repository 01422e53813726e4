// `npm run fuzz` as the README describes it: FUZZ_RUNS sequences from FUZZ_SEED, and FUZZ_REPLAY=<seed> for one.
import { execFile } from "node:child_process";
import * as path from "node:path";
import { expect } from "chai";

const ROOT = path.join(__dirname, "..", "..");
const HARDHAT = path.join(ROOT, "node_modules", ".bin", "hardhat");

function fuzz(env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      HARDHAT,
      ["run", "scripts/fuzz.ts"],
      { cwd: ROOT, timeout: 60_000, env: { ...process.env, HARDHAT_DISABLE_TELEMETRY_PROMPT: "true", ...env } },
      (error, stdout, stderr) => resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : -1, stdout, stderr }),
    );
  });
}

describe("scripts/fuzz", function () {
  it("runs FUZZ_RUNS sequences from FUZZ_SEED and exits 0 when none fails", async function () {
    const run = await fuzz({ FUZZ_RUNS: "2", FUZZ_SEED: "1" });
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stdout).to.contain("ran 2 sequences from seed 1: 0 failed");
  });

  it("replays one seed with FUZZ_REPLAY", async function () {
    const run = await fuzz({ FUZZ_REPLAY: "1" });
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stdout.trim()).to.equal("seed 1: no failure");
  });
});
