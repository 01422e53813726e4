// The wrapper that ties the devnet's child processes (and the worker's jobs) to their parent (scripts/devnet/leash.ts),
// with small shell commands in place of the subgraph build; test/e2e/devnet-killed.test.ts kills a devnet during the
// real build, test/scripts/worker/process-runner.test.ts a worker running a job.
import { expect } from "chai";
import * as os from "node:os";
import { spawnLeashed } from "../../scripts/devnet/leash";
import type { Leashed } from "../../scripts/devnet/leash";
import { groupGone, killGroup } from "../e2e/processes";

function exited(leashed: Leashed): Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string }> {
  let output = "";
  leashed.child.stdout.on("data", (d: Buffer) => (output += d.toString()));
  leashed.child.stderr.on("data", (d: Buffer) => (output += d.toString()));
  return new Promise((resolve) => leashed.child.once("close", (code, signal) => resolve({ code, signal, output })));
}

describe("scripts/devnet/leash", function () {
  this.timeout(30_000);
  const groups: number[] = [];
  after(() => groups.forEach(killGroup));

  it("passes on the command's output and exit code", async function () {
    const leashed = spawnLeashed("sh", ["-c", "echo out; echo err >&2; exit 3"], { cwd: process.cwd(), env: process.env });
    groups.push(leashed.child.pid as number);
    const result = await exited(leashed);
    expect(result.code).to.equal(3);
    expect(result.output.split("\n").sort()).to.deep.equal(["", "err", "out"]);
  });

  it("gives the command the wrapper's stdin, which the leash leaves free for its input", async function () {
    const leashed = spawnLeashed("sh", ["-c", "cat; echo done"], { cwd: process.cwd(), env: process.env });
    groups.push(leashed.child.pid as number);
    const result = exited(leashed);
    leashed.child.stdin.end("the job's input\n");
    expect(await result).to.deep.include({ code: 0, output: "the job's input\ndone\n" });
  });

  it("dies of the signal that killed the command", async function () {
    const leashed = spawnLeashed("sh", ["-c", "kill -USR2 $$"], { cwd: process.cwd(), env: process.env });
    groups.push(leashed.child.pid as number);
    expect(await exited(leashed)).to.deep.include({ code: null, signal: "SIGUSR2" });
  });

  it("exits 128 + n for a signal node keeps for itself (SIGUSR1 would open its debugger)", async function () {
    const leashed = spawnLeashed("sh", ["-c", "kill -USR1 $$"], { cwd: process.cwd(), env: process.env });
    groups.push(leashed.child.pid as number);
    const result = await exited(leashed);
    expect(result).to.deep.include({ code: 128 + os.constants.signals.SIGUSR1, signal: null });
    expect(result.output).to.not.contain("Debugger");
  });

  it("reports a command that cannot be started by its spawn error code, and exits 127", async function () {
    const leashed = spawnLeashed("/nonexistent/latent-command", [], { cwd: process.cwd(), env: process.env });
    groups.push(leashed.child.pid as number);
    expect((await exited(leashed)).code).to.equal(127);
    expect(leashed.spawnFailure()).to.include({ code: "ENOENT" });
  });

  it("when stopped, ends the command and what it started", async function () {
    const leashed = spawnLeashed("sh", ["-c", "sleep 300 & echo started; sleep 300"], { cwd: process.cwd(), env: process.env });
    const pgid = leashed.child.pid as number;
    groups.push(pgid);
    const result = exited(leashed);
    await new Promise<void>((resolve) => leashed.child.stdout.once("data", () => resolve()));
    leashed.stop();
    await result;
    expect(await groupGone(pgid, 10_000), "a process of the command's group is still running").to.equal(true);
  });
});
