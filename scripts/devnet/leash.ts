// A child process that cannot outlive the devnet, even when the devnet is killed with SIGKILL: that runs no handler,
// so the devnet itself can stop nothing then. Only the kernel acts on every death: it closes the dead process's file
// descriptors. So this file, run as a small wrapper, leads the command's process group and holds the read end of a
// pipe from the devnet; at EOF (the devnet closed it to stop the command, or died) it stops the whole group, which
// reaches what the command started too (npm's shell, graph-cli, its compilers) without their cooperation.
import { spawn } from "node:child_process";
import type { ChildProcessByStdio } from "node:child_process";
import * as os from "node:os";
import type { Readable, Writable } from "node:stream";

/** After SIGTERM, how long the group has to exit before SIGKILL: nobody may be left to wait on it. */
const KILL_AFTER_MS = 5_000;

export interface Leashed {
  /** The wrapper: its stdout and stderr are the command's; its exit code is the command's (signal n: 128 + n). */
  child: ChildProcessByStdio<Writable, Readable, Readable>;
  /** Stops the command and everything it started (SIGTERM to the group, SIGKILL after 5 s); wait for `child`'s exit. */
  stop(): void;
}

/** Runs `command args` in a process group of its own that ends when this process does, however it ends. */
export function spawnLeashed(command: string, args: readonly string[], options: { cwd: string; env: NodeJS.ProcessEnv }): Leashed {
  // Under ts-node (npm start, the tests) the wrapper registers ts-node itself, with this project's settings whatever
  // the command's directory.
  const register = __filename.endsWith(".ts")
    ? `require(${JSON.stringify(require.resolve("ts-node"))}).register({ transpileOnly: true, projectSearchDir: ${JSON.stringify(__dirname)} });\n`
    : "";
  const wrapper = `${register}require(${JSON.stringify(__filename)}).lead(process.argv[1], process.argv.slice(2));`;
  const child = spawn(process.execPath, ["-e", wrapper, command, ...args], {
    cwd: options.cwd,
    env: options.env,
    stdio: ["pipe", "pipe", "pipe"],
    // The wrapper leads a new group: the group is what it stops, and a terminal's Ctrl-C reaches the devnet only.
    detached: true,
  });
  // Nothing is ever written; a wrapper gone before the pipe is closed must not fail this process with EPIPE.
  child.stdin.on("error", () => undefined);
  return { child, stop: () => child.stdin.end() };
}

/** The wrapper's side: runs the command, stops its group at EOF on stdin or on a signal, exits as the command did. */
export function lead(command: string, args: readonly string[]): void {
  const child = spawn(command, args, { stdio: ["ignore", "inherit", "inherit"] });
  let stopping = false;
  const signalGroup = (signal: NodeJS.Signals): void => {
    try {
      process.kill(-process.pid, signal);
    } catch {
      // The group is gone.
    }
  };
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    signalGroup("SIGTERM");
    setTimeout(() => signalGroup("SIGKILL"), KILL_AFTER_MS).unref();
  };
  // The wrapper's own SIGTERM (it is in the group it signals, and a parent may signal the group) only starts the stop.
  for (const signal of ["SIGTERM", "SIGINT", "SIGHUP"] as const) process.on(signal, stop);
  process.stdin.on("end", stop);
  process.stdin.on("error", stop);
  process.stdin.resume();
  child.once("error", (error) => {
    process.stderr.write(`cannot run ${command}: ${error.message}\n`);
    process.exit(127);
  });
  child.once("exit", (code, signal) => {
    // What the command started may still be running, or ignoring SIGTERM: the group ends with the wrapper.
    if (stopping) signalGroup("SIGKILL");
    process.exit(code ?? 128 + (signal === null ? 0 : os.constants.signals[signal]));
  });
}
