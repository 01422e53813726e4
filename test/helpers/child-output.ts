// A TypeScript CLI of this repository run as a child process (as `npm run` runs it, without npm in between), and the
// output it writes, collected as it comes: for the tests that wait on what a CLI prints and check what it must never
// print (an RPC URL's API key).
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import * as path from "node:path";

const REPO = path.resolve(__dirname, "..", "..");

/** Starts `script` (a path from the repository's root) with `args` through ts-node, transpiling only; stdout and stderr piped. */
export function spawnTsCli(script: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): ChildProcess {
  return spawn(process.execPath, ["-r", "ts-node/register/transpile-only", path.join(REPO, script), ...args], { cwd: REPO, stdio: ["ignore", "pipe", "pipe"], env });
}

export interface ChildOutput {
  /** What the child wrote to stdout so far. */
  readonly stdout: string;
  /** What the child wrote to stderr so far. */
  readonly stderr: string;
  /** Its exit code, null where a signal ended it; once its stdout and stderr are read to their end. */
  readonly exited: Promise<number | null>;
}

/** Collects the output of `child` (spawned with stdout and stderr piped) from now on, and waits for its exit. */
export function collectOutput(child: ChildProcess): ChildOutput {
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  // "close", not "exit": a child's last writes may still be in the pipes when it exits.
  const exited = new Promise<number | null>((resolve) => child.once("close", (code: number | null) => resolve(code)));
  return {
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
    exited,
  };
}

export interface SnippetRun {
  /** Its exit code; null where it was killed, having run past its limit. */
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `code` (TypeScript, from the repository's root, ts-node transpiling only) in a child process, killed after
 * `limitMs`: for a call that may never return (Node's recursive mkdir under /proc, which not even a signal handler
 * interrupts), which in this process would stop the test run with it.
 */
export function runTsSnippet(code: string, limitMs: number): SnippetRun {
  const run = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", "-e", code], { cwd: REPO, encoding: "utf8", timeout: limitMs, killSignal: "SIGKILL" });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}
