// Builds what a fresh clone lacks, and only that: the contracts (Hardhat's own cache decides; a no-op takes a
// fraction of a second) and the subgraph (`npm run subgraph:build`, tens of seconds, so only when subgraph/build is
// missing or older than what it is built from).
import * as fs from "node:fs";
import * as path from "node:path";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { BuildError } from "./errors";
import { spawnLeashed } from "./leash";
import type { Lifecycle } from "./lifecycle";
import { type Progress, seconds } from "./progress";

export const ROOT = path.resolve(__dirname, "..", "..");
const SUBGRAPH_BUILT = path.join(ROOT, "subgraph", "build", "subgraph.yaml");

/** What the compiled subgraph is made from: the mappings, schema and manifest, and the contracts' interface ABIs. */
const SUBGRAPH_SOURCES = [
  path.join(ROOT, "subgraph", "schema.graphql"),
  path.join(ROOT, "subgraph", "subgraph.yaml"),
  path.join(ROOT, "subgraph", "src"),
  path.join(ROOT, "artifacts", "contracts", "interfaces"),
];

/** Newest modification time (ms) of the files at or under `target`; 0 when it does not exist. */
export function newestMtime(target: string): number {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(target);
  } catch {
    return 0;
  }
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = 0;
  for (const entry of fs.readdirSync(target)) newest = Math.max(newest, newestMtime(path.join(target, entry)));
  return newest;
}

/** Why subgraph/build must be (re)built, or null when it is up to date. */
export function subgraphBuildReason(built = SUBGRAPH_BUILT, sources = SUBGRAPH_SOURCES): string | null {
  if (!fs.existsSync(built)) return `${path.relative(ROOT, path.dirname(built))} is missing`;
  const builtAt = fs.statSync(built).mtimeMs;
  const stale = sources.find((source) => newestMtime(source) > builtAt);
  return stale === undefined ? null : `${path.relative(ROOT, stale)} changed since the last build`;
}

/**
 * Compiles the contracts (and their typings) in this process if anything changed; solc itself runs in a leashed child
 * (scripts/compile/solcjs.ts, registered in hardhat.config.ts), which a SIGKILL of this process does not leave running.
 */
export async function compileContracts(hre: HardhatRuntimeEnvironment, progress: Progress): Promise<void> {
  const started = Date.now();
  progress.status("build", "contracts: checking...");
  try {
    await hre.run("compile", { quiet: true });
  } catch (error) {
    throw new BuildError(`the contracts do not compile: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  progress.step("build", `contracts compiled or up to date (${seconds(Date.now() - started)})`);
}

/** Runs `npm run subgraph:build` when subgraph/build is missing or stale; Ctrl-C stops it. */
export async function buildSubgraphIfNeeded(progress: Progress, lifecycle: Lifecycle): Promise<void> {
  const reason = subgraphBuildReason();
  if (reason === null) {
    progress.step("build", "subgraph up to date (subgraph/build)");
    return;
  }
  const started = Date.now();
  progress.status("build", `subgraph: ${reason}, building (npm run subgraph:build, up to a minute)...`);
  // Leashed: in its own process group that ends with this process, even when it is killed with SIGKILL, so a build
  // cannot go on rewriting subgraph/build after the devnet is gone.
  const { child, stop } = spawnLeashed("npm", ["run", "subgraph:build"], {
    cwd: ROOT,
    env: { ...process.env, GRAPH_SKIP_NEW_VERSION_CHECK: "1", HARDHAT_DISABLE_TELEMETRY_PROMPT: "true" },
  });
  const lines: string[] = [];
  const collect = (chunk: Buffer): void => {
    for (const line of chunk.toString().split(/\r?\n/)) {
      const text = line.replace(/\x1b\[[0-9;]*m/g, "").trim();
      if (text === "") continue;
      lines.push(text);
      if (lines.length > 60) lines.shift();
      progress.status("build", `subgraph (${seconds(Date.now() - started)}): ${text.slice(0, 80)}`);
    }
  };
  // npm gets no input: EOF at once, as from /dev/null.
  child.stdin.end();
  child.stdout.on("data", collect);
  child.stderr.on("data", collect);
  const exited = new Promise<number | null>((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code, signal) => resolve(signal === null ? code : null));
  });
  const part = {
    name: "subgraph build",
    stop: async () => {
      stop();
      await exited.catch(() => undefined);
    },
  };
  lifecycle.add(part);
  let code: number | null;
  try {
    code = await exited;
  } catch (error) {
    lifecycle.remove(part);
    throw new BuildError(`cannot run npm run subgraph:build: ${(error as Error).message}`, { cause: error });
  }
  if (lifecycle.isStopping) return;
  lifecycle.remove(part);
  if (code !== 0) {
    throw new BuildError(`npm run subgraph:build failed (exit ${code}); its last lines:\n  ${lines.slice(-20).join("\n  ")}`);
  }
  progress.step("build", `subgraph built into subgraph/build (${seconds(Date.now() - started)})`);
}
