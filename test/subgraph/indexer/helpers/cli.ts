// The indexer's CLI as a process (`npm run indexer` without npm in between), for the tests of its command line,
// exit statuses and signals.
import { execFile, type ChildProcess } from "node:child_process";
import path from "node:path";
import { spawnTsCli } from "../../../helpers/child-output";

const REPO = path.resolve(__dirname, "..", "..", "..", "..");
// Resolved here and with the project's tsconfig named, so that the CLI also runs from another working directory.
const ARGV = ["-r", require.resolve("ts-node/register/transpile-only"), path.join(REPO, "subgraph", "indexer", "cli.ts")];
const ENV = { ...process.env, TS_NODE_TRANSPILE_ONLY: "true", TS_NODE_PROJECT: path.join(REPO, "tsconfig.json") };

/** Starts the CLI with `args`, stdout and stderr piped. */
export function spawnIndexerCli(args: readonly string[]): ChildProcess {
  return spawnTsCli("subgraph/indexer/cli.ts", args, ENV);
}

/** Runs the CLI in `cwd` to completion (killed after `timeoutMs`): its exit code and output. */
export function runIndexerCli(args: readonly string[], timeoutMs = 30_000, cwd = REPO): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [...ARGV, ...args], { cwd, env: ENV, timeout: timeoutMs }, (error, stdout, stderr) =>
      resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : -1, stdout, stderr }),
    );
  });
}
