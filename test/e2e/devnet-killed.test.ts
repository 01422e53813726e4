// `npm start` killed with SIGKILL (no handler runs) while it builds the subgraph: the build must end with it, not go
// on rewriting subgraph/build for a devnet that is gone. The build is made stale by touching a source, and what it
// rewrites is saved first and put back after, so the repository's build is as it was.
import { execFileSync } from "node:child_process";
import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { groupGone, killGroup, spawnGroup, waitFor } from "./processes";
import type { GroupProcess } from "./processes";

const ROOT = path.join(__dirname, "..", "..");
/** What `npm run subgraph:build` writes. */
const BUILT = ["subgraph/abis", "subgraph/generated", "subgraph/build"];
const SOURCE = path.join(ROOT, "subgraph", "schema.graphql");

interface Proc {
  pid: number;
  ppid: number;
  pgid: number;
  args: string;
}

function processes(): Proc[] {
  return execFileSync("ps", ["-A", "-o", "pid=,ppid=,pgid=,args="], { encoding: "utf8" })
    .split("\n")
    .map((line) => /^\s*(\d+)\s+(\d+)\s+(\d+)\s+(.*)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ pid: Number(m[1]), ppid: Number(m[2]), pgid: Number(m[3]), args: m[4] }));
}

/** Files under `dir` modified at or after `time` (ms). */
function writtenSince(dir: string, time: number): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((file) => fs.statSync(path.join(dir, file)).mtimeMs >= time);
}

describe("npm start killed while it builds the subgraph", function () {
  this.timeout(240_000);

  let scratch: string;
  let sourceTimes: fs.Stats;
  const groups: number[] = [];

  before(function () {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), "latent-e2e-killed-"));
    sourceTimes = fs.statSync(SOURCE);
    for (const dir of BUILT.filter((d) => fs.existsSync(path.join(ROOT, d)))) {
      fs.cpSync(path.join(ROOT, dir), path.join(scratch, "saved", dir), { recursive: true, preserveTimestamps: true });
    }
  });

  after(async function () {
    for (const pgid of groups) killGroup(pgid);
    // Nothing may write into the repository once it is put back.
    for (const pgid of groups) await groupGone(pgid, 10_000);
    for (const dir of BUILT) {
      fs.rmSync(path.join(ROOT, dir), { recursive: true, force: true });
      const saved = path.join(scratch, "saved", dir);
      if (fs.existsSync(saved)) fs.cpSync(saved, path.join(ROOT, dir), { recursive: true, preserveTimestamps: true });
    }
    fs.utimesSync(SOURCE, sourceTimes.atime, sourceTimes.mtime);
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  it("ends the subgraph build with a devnet killed with SIGKILL: no process of it left, nothing written after", async function () {
    const now = new Date();
    fs.utimesSync(SOURCE, now, now);
    const env: NodeJS.ProcessEnv = { ...process.env, LATENT_DEPLOYMENTS_DIR: path.join(scratch, "deployments"), HARDHAT_DISABLE_TELEMETRY_PROMPT: "true" };
    delete env.HARDHAT_NETWORK;
    const devnet: GroupProcess = spawnGroup("npm", ["start", "--", "--port", "0", "--chain-port", "0", "--data-dir", path.join(scratch, "data")], { cwd: ROOT, env });
    groups.push(devnet.pgid);
    const log = () => devnet.output().slice(-4000);

    // The devnet is the node process of npm start's group that runs scripts/start.ts; the build is a child of it
    // leading a group of its own. Killed while graph-cli compiles the mappings: seconds without a line of output
    // (output to the dead devnet's pipe would fail), before it writes subgraph/build.
    const { devnetPid, buildGroup } = await waitFor(
      "npm start to be compiling the subgraph",
      async () => {
        if (devnet.child.exitCode !== null) throw new Error(`npm start exited with ${devnet.child.exitCode}:\n${log()}`);
        const all = processes();
        const main = all.find((p) => p.pgid === devnet.pgid && p.args.includes("scripts/start.ts"));
        const leader = all.find((p) => main !== undefined && p.ppid === main.pid && p.pgid === p.pid);
        if (main === undefined || leader === undefined) return undefined;
        if (!groups.includes(leader.pgid)) groups.push(leader.pgid);
        const compiling = all.some((p) => p.pgid === leader.pgid && p.args.startsWith("node ") && p.args.includes("graph build"));
        return compiling ? { devnetPid: main.pid, buildGroup: leader.pgid } : undefined;
      },
      180_000,
      log,
    );

    const killedAt = Date.now();
    process.kill(devnetPid, "SIGKILL");
    const left = () => processes().filter((p) => p.pgid === buildGroup).map((p) => `${p.pid} ${p.args.slice(0, 120)}`).join("\n");
    const gone = await groupGone(buildGroup, 20_000);
    const running = gone ? "" : left();
    killGroup(buildGroup);
    await groupGone(buildGroup, 5_000);
    const written = writtenSince(path.join(ROOT, "subgraph", "build"), killedAt);
    expect(gone, `the subgraph build still runs after the devnet was killed:\n${running}`).to.equal(true);
    expect(written, "written into subgraph/build after the devnet was killed").to.deep.equal([]);
  });
});
