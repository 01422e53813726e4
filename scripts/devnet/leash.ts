// A child process that cannot outlive its parent (the devnet, the worker), even when the parent is killed with
// SIGKILL: that runs no handler, so the parent itself can stop nothing then. Only the kernel acts on every death: it
// closes the dead process's file descriptors. So this file, run as a small wrapper, leads the command's process group
// and holds one end of a pipe from the parent, on its fd 3 (stdin is the command's: a job's input goes there); at EOF
// (the parent closed it to stop the command, or died) it stops the whole group, which reaches what the command
// started too (npm's shell, graph-cli, a job's own children) without their cooperation. The command does not get the
// leash: node marks every descriptor it inherits close-on-exec as it starts (libuv's uv_disable_stdio_inheritance),
// so the wrapper's fd 3 ends at the exec, and nothing the command starts can hold the parent's pipe open
// (test/scripts/worker/process-runner.test.ts).
import { spawn } from "node:child_process";
import type { ChildProcessByStdio } from "node:child_process";
import * as net from "node:net";
import * as os from "node:os";
import type { Readable, Writable } from "node:stream";

/** After SIGTERM, how long the group has to exit before SIGKILL: nobody may be left to wait on it. */
const KILL_AFTER_MS = 5_000;
/** The wrapper's fd that holds the leash: 0 to 2 are the command's stdio. */
const LEASH_FD = 3;

/** Why the wrapper could not start the command, as spawn reported it (it then exits with 127). */
export interface LeashSpawnFailure {
  /** e.g. ENOENT or EACCES. */
  code?: string;
  message: string;
}

export interface Leashed {
  /**
   * The wrapper: its stdin, stdout and stderr are the command's (write the input, then end stdin: the command reads
   * until EOF); it exits as the command did, killed by the same signal if it was.
   */
  child: ChildProcessByStdio<Writable, Readable, Readable>;
  /** Stops the command and everything it started (SIGTERM to the group, SIGKILL after 5 s); wait for `child`'s exit. */
  stop(): void;
  /** Once `child` has closed: why the command could not be started, if it could not. */
  spawnFailure(): LeashSpawnFailure | undefined;
}

/** Runs `command args` in a process group of its own that ends when this process does, however it ends. */
export function spawnLeashed(command: string, args: readonly string[], options: { cwd?: string; env: NodeJS.ProcessEnv }): Leashed {
  // Under ts-node (npm start, the tests) the wrapper registers ts-node itself, with this project's settings whatever
  // the command's directory.
  const register = __filename.endsWith(".ts")
    ? `require(${JSON.stringify(require.resolve("ts-node"))}).register({ transpileOnly: true, projectSearchDir: ${JSON.stringify(__dirname)} });\n`
    : "";
  const wrapper = `${register}require(${JSON.stringify(__filename)}).lead(process.argv[1], process.argv.slice(2));`;
  const child = spawn(process.execPath, ["-e", wrapper, command, ...args], {
    cwd: options.cwd,
    env: options.env,
    stdio: ["pipe", "pipe", "pipe", "pipe"],
    // The wrapper leads a new group: the group is what it stops, and a terminal's Ctrl-C reaches the parent only.
    detached: true,
  });
  // A command that exits without reading its input makes a write to its stdin fail with EPIPE: its exit says more.
  child.stdin.on("error", () => undefined);
  const leash = child.stdio[LEASH_FD] as net.Socket;
  // The wrapper writes nothing on the leash but a spawn failure; one gone before it is closed must not fail this
  // process with EPIPE.
  leash.on("error", () => undefined);
  let report = "";
  leash.on("data", (chunk: Buffer) => (report += chunk.toString("utf8")));
  const spawnFailure = (): LeashSpawnFailure | undefined => {
    if (report === "") return undefined;
    try {
      const parsed = JSON.parse(report) as { code?: unknown; message?: unknown };
      return { code: typeof parsed.code === "string" ? parsed.code : undefined, message: String(parsed.message) };
    } catch {
      return { message: report };
    }
  };
  return { child: child as ChildProcessByStdio<Writable, Readable, Readable>, stop: () => leash.end(), spawnFailure };
}

/** The wrapper's side: runs the command, stops its group at EOF on the leash or on a signal, exits as the command did. */
export function lead(command: string, args: readonly string[]): void {
  const child = spawn(command, args, { stdio: ["inherit", "inherit", "inherit"] });
  const leash = new net.Socket({ fd: LEASH_FD, readable: true, writable: true });
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
  const stopSignals = ["SIGTERM", "SIGINT", "SIGHUP"] as const;
  for (const signal of stopSignals) process.on(signal, stop);
  leash.on("end", stop);
  leash.on("error", stop);
  child.once("error", (error: NodeJS.ErrnoException) => {
    process.stderr.write(`cannot run ${command}: ${error.message}\n`);
    const exit = (): never => process.exit(127);
    leash.end(JSON.stringify({ code: error.code, message: error.message }), exit);
    setTimeout(exit, 1_000).unref();
  });
  child.once("exit", (code, signal) => {
    // What the command started may still be running, or ignoring SIGTERM: the group ends with the wrapper.
    if (stopping) signalGroup("SIGKILL");
    if (signal === null) process.exit(code ?? 0);
    // Die of the command's signal, so the parent sees what killed the command; 128 + n, as a shell reports it, for
    // the signals node takes for itself (SIGUSR1 opens its debugger, SIGPIPE is ignored) or in case one does not end it.
    const status = 128 + os.constants.signals[signal];
    if (signal === "SIGUSR1" || signal === "SIGPIPE") process.exit(status);
    for (const stopSignal of stopSignals) process.removeAllListeners(stopSignal);
    process.kill(process.pid, signal);
    setTimeout(() => process.exit(status), 100);
  });
}
