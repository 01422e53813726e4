// Runs the provider's own program for `command` jobs. The job can never choose what runs or how: the program and
// its arguments come from the worker's config, and the job's spec document reaches the program only as data,
// on stdin and as the file $LATENT_SPEC_PATH, never through a shell or the command line. The program's stdout is
// the result. It runs in a fresh temporary directory (removed afterwards), with only the allow-listed environment
// variables, under a wall-clock limit and an output cap; see process-runner.ts for how it is killed.

import * as fs from "node:fs/promises";
import * as path from "node:path";
import { JOB_LIMITS } from "../../../contracts/jobs/job-limits";
import { makeDirectory } from "../../../subgraph/indexer/directories";
import { PARAM_BOUNDS } from "../../deploy";
import { processStartTime, processStillRunning } from "../../processes";
import type { CommandExecutorConfig } from "../config";
import { ProcessAbortedError, runProcess } from "../process-runner";
import type { JobSpec, LoadedSpec } from "../spec";
import type { ResultStore } from "./results";
import { runTimeRefusal } from "./run-time";
import { ExecutionAbortedError, ExecutionError, ExecutionResult, Executor } from "./types";

/** Variables the worker sets for the program, whatever the allow-list says. */
export const COMMAND_ENV = {
  specPath: "LATENT_SPEC_PATH",
  specHash: "LATENT_SPEC_HASH",
  gpuCount: "LATENT_GPU_COUNT",
  cudaVisibleDevices: "CUDA_VISIBLE_DEVICES",
  nvidiaVisibleDevices: "NVIDIA_VISIBLE_DEVICES",
} as const;

// A worker that dies mid-job (SIGKILL, out of memory) never removes the job's directory, nor what the program wrote
// there, and the job runs again in a new one after the restart: crash after crash the disk would fill. So each
// directory is named after its worker, `latent-job-<pid>-<start time>-<random>` (field 22 of /proc/<pid>/stat;
// `latent-job-<pid>-<random>` where there is no /proc), and at start the worker removes those whose worker is gone.
const OWN_START_TIME = processStartTime(process.pid);
const JOB_DIR_PREFIX = `latent-job-${OWN_START_TIME === undefined ? process.pid : `${process.pid}-${OWN_START_TIME}`}-`;
const JOB_DIR_NAME = /^latent-job-([0-9]{1,10})(?:-([0-9]{1,20}))?-[A-Za-z0-9]{6}$/;

// Workers from before that scheme named the directory `latent-job-<random>`, which no worker writes now: its worker may
// still be running (a host with two workers upgraded one at a time), and the name cannot tell. But a directory is made
// for a job already accepted, and JobEscrow refuses the job's result once its result deadline, the acceptance plus its
// maxDuration and grace, has passed: at most MAX_DURATION + MAX_GRACE (31 days) after the directory was made. One made
// longer ago than that can only hold a run nobody can be paid for, and is removed. Its ctime stands for when it was made:
// it is never earlier (mtime can be set back, by utimes or a tar unpacking `./` into it; ctime only by the clock). A
// day more allows for the worker's clock against the chain's.
const OLD_JOB_DIR_NAME = /^latent-job-[A-Za-z0-9]{6}$/;
export const OLD_JOB_DIR_MAX_AGE_MS = (JOB_LIMITS.maxDurationSeconds + PARAM_BOUNDS.grace[1] + 86_400) * 1000;

export class CommandExecutor implements Executor {
  readonly kind = "command" as const;
  private readonly program: string;

  constructor(
    private readonly config: CommandExecutorConfig,
    private readonly results: ResultStore,
    private readonly parentEnv: NodeJS.ProcessEnv = process.env,
  ) {
    if (!config.program) throw new ExecutionError("the command executor needs config.executors.command.program");
    this.program = config.program;
  }

  refusalReason(spec: JobSpec, maxDurationSeconds?: number): string | undefined {
    if (spec.kind !== "command") return `the command executor cannot run a ${spec.kind} job`;
    // Without a declared figure the worker cannot know what the program needs; the run is still stopped at the
    // job's maxDuration (daemon.ts), before its deadline.
    const { expectedMs } = this.config;
    if (maxDurationSeconds === undefined || expectedMs === undefined) return undefined;
    const estimate = `executors.command.expectedSeconds ${expectedMs / 1000}`;
    return runTimeRefusal(expectedMs / 1000, estimate, maxDurationSeconds, this.config.margin);
  }

  leastRunSeconds(): number {
    return (this.config.expectedMs ?? 0) / 1000;
  }

  async run(loaded: LoadedSpec, signal: AbortSignal, gpus?: readonly string[]): Promise<ExecutionResult> {
    const refusal = this.refusalReason(loaded.spec);
    if (refusal !== undefined) throw new ExecutionError(refusal);
    const startedAt = new Date();
    makeDirectory(this.config.workDir);
    const workDir = await fs.mkdtemp(path.join(this.config.workDir, JOB_DIR_PREFIX));
    try {
      const specPath = path.join(workDir, "spec.json");
      await fs.writeFile(specPath, loaded.bytes, { mode: 0o600 });
      let output;
      try {
        output = await runProcess(this.program, {
          args: this.config.args,
          cwd: workDir,
          env: this.environment(workDir, specPath, loaded.hash, gpus),
          stdin: loaded.bytes,
          timeoutMs: this.config.timeoutMs,
          maxOutputBytes: this.config.maxOutputBytes,
          signal,
        });
      } catch (error) {
        if (error instanceof ProcessAbortedError) throw new ExecutionAbortedError("command");
        throw error;
      }
      const published = await this.results.publish(output.stdout, undefined, signal);
      return {
        resultBytes: new Uint8Array(output.stdout),
        resultHash: published.resultHash,
        resultURI: published.resultURI,
        metrics: {
          device: { type: "external", name: this.program },
          startedAt: startedAt.toISOString(),
          wallMs: Date.now() - startedAt.getTime(),
          details: { stdoutBytes: output.stdout.length, stderrBytes: output.stderr.length },
        },
      };
    } finally {
      await fs.rm(workDir, { recursive: true, force: true });
    }
  }

  /**
   * Removes the job directories of workers that are gone, and those of older workers made more than
   * OLD_JOB_DIR_MAX_AGE_MS before `nowMs`, and returns their paths. A live worker's (another one sharing the directory,
   * or this one) is left, as is anything not named as a job directory or not ours to remove (the default work directory
   * is the shared temporary directory).
   */
  async removeStaleFiles(nowMs = Date.now()): Promise<string[]> {
    let names: string[];
    try {
      names = await fs.readdir(this.config.workDir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw error;
    }
    const uid = process.getuid?.();
    const removed: string[] = [];
    for (const name of names.sort()) {
      const match = JOB_DIR_NAME.exec(name);
      const old = OLD_JOB_DIR_NAME.test(name);
      if (!old && (match === null || processStillRunning(Number(match[1]), match[2]))) continue;
      const jobDir = path.join(this.config.workDir, name);
      const stat = await fs.lstat(jobDir).catch(() => undefined);
      if (stat === undefined || !stat.isDirectory() || (uid !== undefined && stat.uid !== uid)) continue;
      if (old && nowMs - stat.ctimeMs <= OLD_JOB_DIR_MAX_AGE_MS) continue;
      await fs.rm(jobDir, { recursive: true, force: true });
      removed.push(jobDir);
    }
    return removed;
  }

  private environment(workDir: string, specPath: string, specHash: string, gpus?: readonly string[]): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {};
    for (const name of this.config.envAllowList) {
      const value = this.parentEnv[name];
      if (value !== undefined) env[name] = value;
    }
    // Unless allow-listed, HOME and TMPDIR point into the job's directory, so what the program leaves there is
    // removed with it.
    return {
      HOME: workDir,
      TMPDIR: workDir,
      ...env,
      [COMMAND_ENV.specPath]: specPath,
      [COMMAND_ENV.specHash]: specHash,
      // After the allow-list: an inherited CUDA_VISIBLE_DEVICES (the worker's own shell's) would put every job on the
      // same GPUs. NVIDIA_VISIBLE_DEVICES is what the NVIDIA container runtime reads, for a program that starts one.
      ...(gpus === undefined
        ? {}
        : {
            [COMMAND_ENV.cudaVisibleDevices]: gpus.join(","),
            [COMMAND_ENV.nvidiaVisibleDevices]: gpus.join(","),
            [COMMAND_ENV.gpuCount]: String(gpus.length),
          }),
    };
  }
}
