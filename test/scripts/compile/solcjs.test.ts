import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { expect } from "chai";
import { processStartTime, processStillRunning } from "../../../scripts/processes";
import { waitUntil } from "../../helpers/wait";

const ROOT = path.resolve(__dirname, "..", "..", "..");

/** The processes whose parent is `pid`, from /proc (Linux, like the devnet's own checks). */
function childrenOf(pid: number): number[] {
  const children: number[] = [];
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^[0-9]+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
    } catch {
      continue; // Gone since the listing.
    }
    // Field 4, the parent pid, follows the command name, which may hold spaces and parentheses.
    const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    if (ppid === pid) children.push(Number(entry));
  }
  return children;
}

function descendantsOf(pid: number): number[] {
  return childrenOf(pid).flatMap((child) => [child, ...descendantsOf(child)]);
}

/** The CPU time `pid` has used, in clock ticks (fields 14 and 15 of /proc/<pid>/stat); 0 once it is gone. */
function cpuTicks(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return Number(fields[14 - 3]) + Number(fields[15 - 3]);
  } catch {
    return 0;
  }
}

function commandLine(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ").trim();
  } catch {
    return "";
  }
}

// The smallest parent on the devnet's compile path: a process that loads this project's Hardhat config and runs the
// solcjs subtask, as `hre.run("compile")` does, on three copies of the project's own contracts, which solcjs takes
// half a minute to compile (ten seconds a copy; more copies exhaust its WebAssembly memory): it is still compiling
// well after the parent is killed.
const PARENT = `
require(${JSON.stringify(require.resolve("ts-node"))}).register({ transpileOnly: true });
const fs = require("node:fs");
const path = require("node:path");
const hre = require("hardhat");
const dir = path.join(hre.config.paths.artifacts, "build-info");
const info = JSON.parse(fs.readFileSync(path.join(dir, fs.readdirSync(dir).find((n) => n.endsWith(".json"))), "utf8"));
const sources = { ...info.input.sources };
for (let copy = 1; copy <= 2; copy++) {
  for (const [name, source] of Object.entries(info.input.sources)) if (name.startsWith("contracts/")) sources[\`copy\${copy}/\${name}\`] = source;
}
const input = { ...info.input, sources };
hre.run("compile:solidity:solcjs:run", { input, solcJsPath: require.resolve("solc/soljson.js") }).then(() => console.log("compiled"));
`;

describe("compile: the solcjs child", function () {
  this.timeout(180_000);

  it("does not outlive a parent killed with SIGKILL while it compiles", async function () {
    if (process.platform !== "linux") this.skip();
    const parent = spawn(process.execPath, ["-e", PARENT], {
      cwd: ROOT,
      env: { ...process.env, HARDHAT_DISABLE_TELEMETRY_PROMPT: "true" },
      stdio: ["ignore", "pipe", "inherit"],
    });
    const exited = new Promise<void>((resolve) => parent.once("exit", () => resolve()));
    try {
      const parentPid = parent.pid!;
      let runner = 0;
      await waitUntil(
        () => {
          runner = descendantsOf(parentPid).find((pid) => commandLine(pid).split(" ")[1]?.endsWith("solcjs-runner.js")) ?? 0;
          return runner !== 0;
        },
        "the solcjs child started",
        { timeoutMs: 120_000, intervalMs: 100 },
      );
      // Killed before it has read all of its input, the child would fail at once for want of it: wait until it has
      // spent enough CPU (usually 100 ticks a second) to have read it, loaded the compiler and started on the sources.
      await waitUntil(() => cpuTicks(runner) >= 300, "the solcjs child is compiling (300 ticks of CPU)", { timeoutMs: 120_000, intervalMs: 100 });
      const started = descendantsOf(parentPid).map((pid) => ({ pid, startTime: processStartTime(pid), command: commandLine(pid) }));
      parent.kill("SIGKILL");
      await exited;
      // The leash sends SIGTERM to the group at once, which ends the compiler child (SIGKILL 5 s later otherwise).
      // Those still running after the wait are named by the assertion below, not by the wait's timeout.
      const alive = () => started.filter((p) => processStillRunning(p.pid, p.startTime));
      await waitUntil(() => alive().length === 0, "the children exited", { timeoutMs: 10_000, intervalMs: 100 }).catch(() => undefined);
      const left = alive();
      for (const p of left) process.kill(p.pid, "SIGKILL");
      expect(left.map((p) => p.command)).to.deep.equal([]);
    } finally {
      parent.kill("SIGKILL");
    }
  });
});
