// The indexer's CLI as a process (`npm run indexer` without npm in between), for the tests of its command line,
// exit statuses and signals.
import { execFile, type ChildProcess } from "node:child_process";
import path from "node:path";
import { spawnTsCli } from "../../../helpers/child-output";
import { PROCESS_START_MS } from "../../../helpers/wait";

const REPO = path.resolve(__dirname, "..", "..", "..", "..");
// Resolved here and with the project's tsconfig named, so that the CLI also runs from another working directory.
const ARGV = ["-r", require.resolve("ts-node/register/transpile-only"), path.join(REPO, "subgraph", "indexer", "cli.ts")];
const ENV = { ...process.env, TS_NODE_TRANSPILE_ONLY: "true", TS_NODE_PROJECT: path.join(REPO, "tsconfig.json") };

/** Starts the CLI with `args`, stdout and stderr piped. */
export function spawnIndexerCli(args: readonly string[]): ChildProcess {
  return spawnTsCli("subgraph/indexer/cli.ts", args, ENV);
}

/**
 * Runs the CLI in `cwd` to completion (killed after `timeoutMs`: code -1): its exit code and output. The kill only ends
 * a run that hangs (with SIGKILL: one spinning in synchronous code, as Node's recursive mkdir under /proc did, is
 * ended whatever it handles): a --once run of the probe chain took 21.9 s of the 30 s this was at load average 15-19.
 */
export function runIndexerCli(args: readonly string[], timeoutMs = PROCESS_START_MS, cwd = REPO): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    // A run killed at timeoutMs reads as -1: the CLI ends with 0 on the SIGTERM the timeout sends, which would pass
    // for a clean exit (a busy-port run under load was reported as "expected 0 to equal 1").
    const child = execFile(process.execPath, [...ARGV, ...args], { cwd, env: ENV, timeout: timeoutMs, killSignal: "SIGKILL" }, (error, stdout, stderr) =>
      resolve({ code: child.killed ? -1 : error === null ? 0 : typeof error.code === "number" ? error.code : -1, stdout, stderr }),
    );
  });
}
