import { expect } from "chai";
import { execFile } from "node:child_process";
import path from "node:path";

const ROOT = path.resolve(__dirname, "..", "..");
const HARDHAT = path.join(ROOT, "node_modules", ".bin", "hardhat");
// One run of three sequences took 58 s in a clean-clone CI at load average ~30, against a 60 s limit that then killed
// the next run (output empty, read as exit 1).
const RUN_LIMIT_MS = 240_000;

function fuzz(env: Record<string, string>): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(
      HARDHAT,
      ["run", "scripts/fuzz.ts"],
      { cwd: ROOT, env: { ...process.env, HARDHAT_DISABLE_TELEMETRY_PROMPT: "true", NO_COLOR: "1", HARDHAT_NETWORK: "hardhat", ...env }, timeout: RUN_LIMIT_MS },
      (error, stdout, stderr) => {
        // A run killed at the limit is told apart from one that exited 1 (it printed nothing, and read as a failure).
        const killed = error !== null && error.killed === true;
        resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : killed ? -1 : 1, output: `${stdout}${stderr}${killed ? `\n[killed after ${RUN_LIMIT_MS} ms]` : ""}` });
      },
    );
  });
}

describe("npm run fuzz", function () {
  this.timeout(RUN_LIMIT_MS + 30_000);

  it("runs FUZZ_RUNS sequences from FUZZ_SEED and says how many ran and failed", async function () {
    const run = await fuzz({ FUZZ_RUNS: "3", FUZZ_SEED: "1" });
    expect(run.code, run.output).to.equal(0);
    expect(run.output).to.include("ran 3 sequences from seed 1: 0 failed");
  });

  it("replays one seed with FUZZ_REPLAY", async function () {
    const run = await fuzz({ FUZZ_REPLAY: "2" });
    expect(run.code, run.output).to.equal(0);
    expect(run.output).to.include("seed 2: no failure");
  });

  it("refuses a FUZZ_RUNS that is not a whole number, naming it, with exit status 2", async function () {
    const run = await fuzz({ FUZZ_RUNS: "many" });
    expect(run.code).to.equal(2);
    expect(run.output).to.include('FUZZ_RUNS must be a whole number >= 1, got "many"');
  });
});
