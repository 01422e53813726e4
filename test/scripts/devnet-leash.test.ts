// The wrapper that ties the devnet's child processes to it (scripts/devnet/leash.ts), with small shell commands in
// place of the subgraph build; test/e2e/devnet-killed.test.ts kills a devnet during the real build.
import { expect } from "chai";
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
