// Runs a program with no shell, in its own process group, under a wall-clock limit and a cap on its output.
// On timeout, overflow or abort the whole group is killed with SIGKILL, so children the program started cannot
// linger holding the GPU or our pipes. The group is leashed to the worker (devnet/leash.ts): when the worker dies,
// even of SIGKILL, the group is stopped too, so a restarted worker never runs a job beside its predecessor's copy.

import { spawnLeashed } from "../devnet/leash";

export interface RunProcessOptions {
  args: readonly string[];
  env: NodeJS.ProcessEnv;
  cwd?: string;
  /** Written to the program's stdin, which is then closed; stdin is empty when absent. */
  stdin?: Uint8Array;
  timeoutMs: number;
  /** Cap on each of stdout and stderr, in bytes. */
  maxOutputBytes: number;
  signal?: AbortSignal;
}

export interface ProcessOutput {
  stdout: Buffer;
  stderr: Buffer;
}

/** Base class of the ways a run can fail; `program` is the path that was run. */
export class ProcessError extends Error {
  constructor(
    readonly program: string,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The program could not be started at all (`code` is e.g. ENOENT or EACCES). */
export class ProcessSpawnError extends ProcessError {
  constructor(
    program: string,
    readonly code: string | undefined,
    reason: string,
  ) {
    super(program, `cannot start ${program}: ${reason}`);
  }
}

export class ProcessTimeoutError extends ProcessError {
  constructor(
    program: string,
    readonly timeoutMs: number,
  ) {
    super(program, `${program} ran longer than ${timeoutMs} ms and was killed`);
  }
}

export class ProcessOutputLimitError extends ProcessError {
  constructor(
    program: string,
    readonly stream: "stdout" | "stderr",
    readonly limitBytes: number,
  ) {
    super(program, `${program} wrote more than ${limitBytes} bytes to ${stream} and was killed`);
  }
}

export class ProcessAbortedError extends ProcessError {
  constructor(program: string) {
    super(program, `${program} was aborted`);
  }
}

/** The program ended with a non-zero status or was killed by a signal it did not get from us. */
export class ProcessExitError extends ProcessError {
  constructor(
    program: string,
    readonly exitCode: number | null,
    readonly exitSignal: NodeJS.Signals | null,
    /** The end of its stderr, for the log. */
    readonly stderrTail: string,
  ) {
    super(
      program,
      `${program} ${exitCode !== null ? `exited with status ${exitCode}` : `was killed by ${exitSignal}`}` +
        (stderrTail ? `: ${stderrTail}` : ""),
    );
  }
}

// After the program exits, how long its stdio may stay open (held by a descendant that left the process group)
// before we stop waiting for it.
const EXIT_LINGER_MS = 2000;
const STDERR_TAIL_CHARS = 500;

export function runProcess(program: string, options: RunProcessOptions): Promise<ProcessOutput> {
  return new Promise((resolve, reject) => {
    if (options.signal?.aborted) {
      reject(new ProcessAbortedError(program));
      return;
    }
    // A new process group (led by the leash's wrapper), so one kill reaches everything the program started.
    const leashed = spawnLeashed(program, options.args, { cwd: options.cwd, env: options.env });
    const child = leashed.child;

    let failure: ProcessError | undefined;
    const output = { stdout: [] as Buffer[], stderr: [] as Buffer[] };
    const sizes = { stdout: 0, stderr: 0 };

    const killGroup = (reason: ProcessError): void => {
      failure ??= reason;
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {
        // ESRCH: the group is already gone.
      }
    };

    const collect = (stream: "stdout" | "stderr") => (chunk: Buffer) => {
      sizes[stream] += chunk.length;
      if (sizes[stream] > options.maxOutputBytes) {
        killGroup(new ProcessOutputLimitError(program, stream, options.maxOutputBytes));
        return;
      }
      output[stream].push(chunk);
    };
    child.stdout.on("data", collect("stdout"));
    child.stderr.on("data", collect("stderr"));

    const timer = setTimeout(() => killGroup(new ProcessTimeoutError(program, options.timeoutMs)), options.timeoutMs);
    const onAbort = (): void => killGroup(new ProcessAbortedError(program));
    options.signal?.addEventListener("abort", onAbort, { once: true });
    let lingerTimer: NodeJS.Timeout | undefined;
    const cleanup = (): void => {
      clearTimeout(timer);
      clearTimeout(lingerTimer);
      options.signal?.removeEventListener("abort", onAbort);
    };

    // A program that exits without reading its stdin makes our write fail with EPIPE; its exit status says more.
    child.stdin.on("error", () => undefined);
    child.stdin.end(options.stdin ?? new Uint8Array(0));

    child.on("error", (error: NodeJS.ErrnoException) => {
      cleanup();
      reject(new ProcessSpawnError(program, error.code, error.message));
    });
    child.on("exit", () => {
      lingerTimer = setTimeout(() => {
        child.stdout.destroy();
        child.stderr.destroy();
        // Only the wrapper holds the other end of the leash (the program gets no fd 3), so it is closed already.
        child.stdio[3]?.destroy();
      }, EXIT_LINGER_MS);
    });
    child.on("close", (exitCode: number | null, exitSignal: NodeJS.Signals | null) => {
      cleanup();
      if (failure) {
        reject(failure);
        return;
      }
      const spawnFailure = leashed.spawnFailure();
      if (spawnFailure !== undefined) {
        reject(new ProcessSpawnError(program, spawnFailure.code, spawnFailure.message));
        return;
      }
      const stdout = Buffer.concat(output.stdout);
      const stderr = Buffer.concat(output.stderr);
      if (exitCode !== 0) {
        reject(
          new ProcessExitError(program, exitCode, exitSignal, stderr.toString("utf8").slice(-STDERR_TAIL_CHARS).trim()),
        );
        return;
      }
      resolve({ stdout, stderr });
    });
  });
}
