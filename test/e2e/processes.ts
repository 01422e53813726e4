// Child processes for end-to-end tests: each in its own process group (as a terminal runs a command), so a test
// can send Ctrl-C the way a person does and then check that no member of the group survived.
import { spawn } from "node:child_process";
import type { ChildProcessWithoutNullStreams, SpawnOptionsWithoutStdio } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";

export interface GroupProcess {
  child: ChildProcessWithoutNullStreams;
  /** The process group id (the child's pid). */
  pgid: number;
  /** stdout and stderr as received so far. */
  output(): string;
  /** Resolves with the exit code (null when killed by a signal), once what the group wrote to its pipes has been read. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** How long `exited` waits for a group that outlives its leader to end before it resolves with the pipes still open. */
const PIPES_AFTER_EXIT_MS = 30_000;

export function spawnGroup(command: string, args: readonly string[], options: SpawnOptionsWithoutStdio): GroupProcess {
  const child = spawn(command, args, { ...options, detached: true, stdio: ["ignore", "pipe", "pipe"] }) as unknown as ChildProcessWithoutNullStreams;
  if (child.pid === undefined) throw new Error(`cannot start ${command}`);
  let text = "";
  child.stdout.on("data", (d: Buffer) => (text += d.toString()));
  child.stderr.on("data", (d: Buffer) => (text += d.toString()));
  // "exit" may come before the child's last lines have been read from its pipes ("close" comes once they are): a test
  // that reads output() as soon as the process exited (the worker's --check JSON, the devnet's "stopped" lines) could
  // miss them. A member of the group that outlives the leader holds the pipes open, which the caller's groupGone then
  // names; the wait for them is bounded for that case only, so that it fails with that message instead of a timeout.
  const closed = new Promise<void>((resolve) => child.once("close", () => resolve()));
  const pgid = child.pid;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => {
      void Promise.race([closed, groupGone(pgid, PIPES_AFTER_EXIT_MS).then((gone) => (gone ? closed : undefined))]).then(() => resolve({ code, signal }));
    }),
  );
  return { child, pgid, output: () => text, exited };
}

/** Whether `pid` is a running process; a killed process waiting to be reaped (a zombie) counts as dead. */
export function processRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    // /proc/<pid>/stat: "pid (comm) state …"; an orphan is reaped by PID 1, which in a container may be slow.
    return !/\) Z /.test(fs.readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}

/** Whether any process of the group is alive (signal 0 to the group: ESRCH once it is empty). */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ESRCH") return false;
    throw error;
  }
}

/** Waits until the group is empty, up to `timeoutMs`; true if it emptied. */
export async function groupGone(pgid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (groupAlive(pgid)) {
    if (Date.now() > deadline) return false;
    await sleep(100);
  }
  return true;
}

/** Last resort in `finally`: nothing the test started may outlive it, whatever failed. */
export function killGroup(pgid: number): void {
  try {
    process.kill(-pgid, "SIGKILL");
  } catch {
    // Already gone.
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Polls `check` until it returns a value other than undefined; fails with `describe()` after `timeoutMs`. An error
 * thrown by `check` fails at once (catch what should be retried, e.g. a refused connection).
 */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs: number, describe: () => string = () => ""): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}\n${describe()}`);
    await sleep(250);
  }
}

/** Whether something accepts TCP connections on host:port. */
export function listening(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}
