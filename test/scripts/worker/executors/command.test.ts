import { expect } from "chai";
import { keccak256 } from "ethers";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { CommandExecutorConfig } from "../../../../scripts/worker/config";
import { CommandExecutor, OLD_JOB_DIR_MAX_AGE_MS } from "../../../../scripts/worker/executors/command";
import { ResultStore } from "../../../../scripts/worker/executors/results";
import { ExecutionAbortedError } from "../../../../scripts/worker/executors/types";
import {
  ProcessExitError,
  ProcessOutputLimitError,
  ProcessTimeoutError,
} from "../../../../scripts/worker/process-runner";
import { CommandParams, LoadedSpec, encodeJobSpec, hashSpecBytes } from "../../../../scripts/worker/spec";
import { processRunning } from "../../../e2e/processes";
import { waitUntil } from "../../../helpers/wait";

function loaded(params: CommandParams): LoadedSpec {
  const spec = { version: 1 as const, kind: "command" as const, params };
  const bytes = encodeJobSpec(spec);
  return { uri: "data:,", hash: hashSpecBytes(bytes), bytes, spec };
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => {
      throw new Error("expected a rejection");
    },
    (error: Error) => error,
  );
}

describe("command executor", () => {
  let dir: string;
  let workDir: string;
  let store: ResultStore;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "latent-command-"));
    workDir = path.join(dir, "work");
    store = new ResultStore({ dir: path.join(dir, "results"), maxUriBytes: 256 });
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** A node script with an absolute shebang, so it runs without PATH in its environment. */
  function program(name: string, source: string): string {
    const file = path.join(dir, name);
    fs.writeFileSync(file, `#!${process.execPath}\n${source}\n`, { mode: 0o755 });
    return file;
  }

  function executor(
    programPath: string,
    overrides: Partial<CommandExecutorConfig> = {},
    env: NodeJS.ProcessEnv = {},
  ): CommandExecutor {
    const config: CommandExecutorConfig = {
      enabled: true,
      program: programPath,
      args: [],
      timeoutMs: 10_000,
      margin: { seconds: 30, fraction: 0.25 },
      maxOutputBytes: 64 * 1024,
      workDir,
      envAllowList: [],
      ...overrides,
    };
    return new CommandExecutor(config, store, env);
  }

  const run = (subject: CommandExecutor, params: CommandParams, signal = new AbortController().signal) =>
    subject.run(loaded(params), signal);

  it("returns the program's stdout as the result, hashed with keccak256", async () => {
    const upper = program(
      "upper.js",
      `let s="";process.stdin.on("data",d=>s+=d).on("end",()=>process.stdout.write(JSON.parse(s).params.input.toUpperCase()))`,
    );
    const result = await run(executor(upper), { input: "hello gpu", args: [] });
    expect(Buffer.from(result.resultBytes).toString()).to.equal("HELLO GPU");
    expect(result.resultHash).to.equal(keccak256(Buffer.from("HELLO GPU")));
    expect(result.metrics.device).to.deep.equal({ type: "external", name: upper });
  });

  it("gives the program the exact spec bytes on stdin and in $LATENT_SPEC_PATH", async () => {
    const echo = program(
      "echo.js",
      `const fs=require("fs");let s="";process.stdin.on("data",d=>s+=d).on("end",()=>process.stdout.write(JSON.stringify([s,fs.readFileSync(process.env.LATENT_SPEC_PATH,"utf8"),process.env.LATENT_SPEC_HASH])))`,
    );
    const spec = loaded({ input: "x", args: ["a"] });
    const result = await executor(echo, { maxOutputBytes: 4096 }).run(spec, new AbortController().signal);
    const [stdin, file, hash] = JSON.parse(Buffer.from(result.resultBytes).toString()) as string[];
    expect(stdin).to.equal(Buffer.from(spec.bytes).toString());
    expect(file).to.equal(stdin);
    expect(hash).to.equal(spec.hash);
  });

  it("passes the configured arguments, never the job's", async () => {
    const argv = program("argv.js", `process.stdout.write(JSON.stringify(process.argv.slice(2)))`);
    const result = await run(executor(argv, { args: ["--model", "tiny"] }), {
      input: "",
      args: ["--evil", "; rm -rf /"],
    });
    expect(JSON.parse(Buffer.from(result.resultBytes).toString())).to.deep.equal(["--model", "tiny"]);
  });

  it("delivers shell metacharacters in the spec as inert data", async () => {
    const marker = path.join(dir, "pwned");
    const hostile = [`$(touch ${marker})`, `; touch ${marker}`, `\`touch ${marker}\``, `| touch ${marker} &&`];
    const echo = program(
      "echo.js",
      `let s="";process.stdin.on("data",d=>s+=d).on("end",()=>process.stdout.write(JSON.stringify(JSON.parse(s).params)))`,
    );
    const result = await run(executor(echo, { args: hostile }), { input: hostile.join(" "), args: hostile });
    expect(JSON.parse(Buffer.from(result.resultBytes).toString())).to.deep.equal({
      input: hostile.join(" "),
      args: hostile,
    });
    expect(fs.existsSync(marker)).to.equal(false);
  });

  it("shows the program only allow-listed environment variables", async () => {
    const env = program("env.js", `process.stdout.write(JSON.stringify(Object.keys(process.env).sort()))`);
    const parentEnv = { ALLOWED: "yes", LATENT_OPERATOR_KEY: "0xsecret", AWS_SECRET_ACCESS_KEY: "secret" };
    const result = await run(executor(env, { envAllowList: ["ALLOWED", "NOT_SET"] }, parentEnv), {
      input: "",
      args: [],
    });
    expect(JSON.parse(Buffer.from(result.resultBytes).toString())).to.deep.equal([
      "ALLOWED",
      "HOME",
      "LATENT_SPEC_HASH",
      "LATENT_SPEC_PATH",
      "TMPDIR",
    ]);
  });

  it("tells the program its assigned GPUs in CUDA_VISIBLE_DEVICES, NVIDIA_VISIBLE_DEVICES and LATENT_GPU_COUNT, over inherited values", async () => {
    const names = ["CUDA_VISIBLE_DEVICES", "NVIDIA_VISIBLE_DEVICES", "LATENT_GPU_COUNT"];
    const env = program("gpus.js", `process.stdout.write(JSON.stringify(${JSON.stringify(names)}.map(n=>process.env[n])))`);
    // The worker's own shell may set them (a provider testing on one GPU): allow-listed or not, the job's win.
    const parentEnv = { CUDA_VISIBLE_DEVICES: "0", NVIDIA_VISIBLE_DEVICES: "all", LATENT_GPU_COUNT: "8" };
    const subject = executor(env, { envAllowList: names }, parentEnv);
    const gpus = ["GPU-5c6d0a11-0002", "GPU-5c6d0a11-0003"];
    const result = await subject.run(loaded({ input: "", args: [] }), new AbortController().signal, gpus);
    expect(JSON.parse(Buffer.from(result.resultBytes).toString())).to.deep.equal([
      "GPU-5c6d0a11-0002,GPU-5c6d0a11-0003",
      "GPU-5c6d0a11-0002,GPU-5c6d0a11-0003",
      "2",
    ]);
  });

  it("points HOME and TMPDIR into the job's directory, so what the program leaves there goes with it, unless allow-listed", async () => {
    const paths = program("paths.js", `process.stdout.write(JSON.stringify([process.cwd(), process.env.HOME, process.env.TMPDIR]))`);
    const parentEnv = { HOME: "/home/provider", TMPDIR: "/var/tmp" };
    const [cwd, home, tmpdir] = JSON.parse(
      Buffer.from((await run(executor(paths, {}, parentEnv), { input: "", args: [] })).resultBytes).toString(),
    ) as string[];
    expect(cwd.startsWith(workDir)).to.equal(true);
    expect([home, tmpdir]).to.deep.equal([cwd, cwd]);
    const allowed = JSON.parse(
      Buffer.from(
        (await run(executor(paths, { envAllowList: ["HOME"] }, parentEnv), { input: "", args: [] })).resultBytes,
      ).toString(),
    ) as string[];
    expect(allowed.slice(1)).to.deep.equal(["/home/provider", allowed[0]]);
  });

  it("fails a job whose work directory mkdir answers ENOENT under a parent that exists (/proc/x), where Node's recursive mkdir would retry forever", async () => {
    const cwd = program("cwd.js", `process.stdout.write(process.cwd())`);
    const error = await run(executor(cwd, { workDir: "/proc/x" }), { input: "", args: [] }).then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(error).to.have.property("code", "ENOENT");
    expect(error).to.have.property("path", "/proc/x");
  });

  it("runs each job in a fresh directory that is removed afterwards", async () => {
    const cwd = program("cwd.js", `require("fs").writeFileSync("scratch","x");process.stdout.write(process.cwd())`);
    const result = await run(executor(cwd), { input: "", args: [] });
    const jobDir = Buffer.from(result.resultBytes).toString();
    expect(path.dirname(jobDir)).to.equal(workDir);
    expect(fs.existsSync(jobDir)).to.equal(false);
  });

  it("names each job's directory after the worker's process, so a later start can tell whether its worker is gone", async () => {
    const cwd = program("cwd.js", `process.stdout.write(process.cwd())`);
    const result = await run(executor(cwd), { input: "", args: [] });
    const jobDir = path.basename(Buffer.from(result.resultBytes).toString());
    expect(jobDir).to.match(new RegExp(`^latent-job-${process.pid}(-[0-9]+)?-[A-Za-z0-9]{6}$`));
  });

  it("removes the job directories of workers that are gone, with what their programs left, and nothing else", async () => {
    /** A pid no process has now: a child that has exited and been reaped. */
    const deadPid = spawnSync(process.execPath, ["-e", ""]).pid as number;
    const jobDir = (name: string): string => {
      fs.mkdirSync(path.join(workDir, name), { recursive: true });
      fs.writeFileSync(path.join(workDir, name, "checkpoint.bin"), "partial output");
      return path.join(workDir, name);
    };
    const dead = [jobDir(`latent-job-${deadPid}-a1B2c3`), jobDir(`latent-job-${deadPid}-4242-d4E5f6`)];
    const kept = [jobDir(`latent-job-${process.ppid}-g7H8i9`), jobDir("latent-job-j1K2l3"), jobDir("notes")];
    fs.writeFileSync(path.join(workDir, `latent-job-${deadPid}-m4N5o6`), "a file, not a job's directory");
    kept.push(path.join(workDir, `latent-job-${deadPid}-m4N5o6`));
    const removed = await executor(program("true.js", "")).removeStaleFiles();
    expect(removed.sort()).to.deep.equal(dead.sort());
    expect(fs.readdirSync(workDir).map((name) => path.join(workDir, name)).sort()).to.deep.equal(kept.sort());
  });

  it("removes a job directory named as before the pid scheme once its job's result deadline must have passed, not before", async () => {
    // No live worker writes such a name; an older one still running may, and then for a job it accepted before.
    const oldDir = path.join(workDir, "latent-job-p1Q2r3");
    fs.mkdirSync(oldDir, { recursive: true });
    fs.writeFileSync(path.join(oldDir, "checkpoint.bin"), "partial output");
    // Set back as a tar unpacking `./` would: the rule goes by the ctime, which only the clock moves.
    fs.utimesSync(oldDir, new Date(0), new Date(0));
    const made = fs.statSync(oldDir).ctimeMs;
    const subject = executor(program("true.js", ""));
    // 30 days of JobEscrow.MAX_DURATION, 1 of MAX_GRACE, 1 for the clocks.
    expect(OLD_JOB_DIR_MAX_AGE_MS).to.equal(32 * 86_400_000);
    expect(await subject.removeStaleFiles(made + OLD_JOB_DIR_MAX_AGE_MS)).to.deep.equal([]);
    expect(fs.existsSync(oldDir)).to.equal(true);
    expect(await subject.removeStaleFiles(made + OLD_JOB_DIR_MAX_AGE_MS + 1)).to.deep.equal([oldDir]);
    expect(fs.existsSync(oldDir)).to.equal(false);
  });

  it("reports a non-zero exit with its status and stderr, and still removes the directory", async () => {
    const fail = program(
      "fail.js",
      `process.stderr.write("model weights missing");process.stdout.write(process.cwd());process.exit(3)`,
    );
    const error = await rejection(run(executor(fail), { input: "", args: [] }));
    expect(error)
      .to.be.instanceOf(ProcessExitError)
      .and.to.include({ exitCode: 3, stderrTail: "model weights missing" });
    expect(fs.readdirSync(workDir)).to.deep.equal([]);
  });

  it("kills the program and the processes it started when it runs past the timeout", async () => {
    const pidFile = path.join(dir, "child.pid");
    // A shell script, not node: under load two node start-ups outlasted the timeout before the pid file was written.
    const hang = path.join(dir, "hang.sh");
    fs.writeFileSync(hang, `#!/bin/sh\nsleep 1000 &\necho $! > '${pidFile}'\nwait\n`, { mode: 0o755 });
    const error = await rejection(run(executor(hang, { timeoutMs: 1500 }), { input: "", args: [] }));
    expect(error).to.be.instanceOf(ProcessTimeoutError).and.to.include({ timeoutMs: 1500 });
    const childPid = Number(fs.readFileSync(pidFile, "utf8"));
    // The signal is delivered asynchronously; give the kernel a moment rather than assert on the spot.
    await waitUntil(() => !processRunning(childPid), "the program's background child ended");
  });

  it("kills a program that floods its output past the cap", async () => {
    const flood = program(
      "flood.js",
      `const b=Buffer.alloc(65536,120);(function w(){while(process.stdout.write(b));process.stdout.once("drain",w)})()`,
    );
    const error = await rejection(run(executor(flood, { maxOutputBytes: 100_000 }), { input: "", args: [] }));
    expect(error).to.be.instanceOf(ProcessOutputLimitError).and.to.include({ stream: "stdout", limitBytes: 100_000 });
  });

  it("kills the program when the job is aborted", async () => {
    const ready = path.join(dir, "ready");
    const hang = program(
      "hang.js",
      `require("fs").writeFileSync(${JSON.stringify(ready)},"");setInterval(()=>{},1000)`,
    );
    const controller = new AbortController();
    const running = run(executor(hang), { input: "", args: [] }, controller.signal);
    await waitUntil(() => fs.existsSync(ready), "the program started");
    controller.abort();
    expect(await rejection(running)).to.be.instanceOf(ExecutionAbortedError);
  });

  it("refuses a job whose maxDuration cannot hold executors.command.expectedSeconds with the margin", () => {
    // 600 s, with 30 s + 25%: 780 s.
    const subject = executor("/bin/true", { timeoutMs: 3_600_000, expectedMs: 600_000 });
    const spec = loaded({ input: "", args: [] }).spec;
    expect(subject.refusalReason(spec, 779)).to.equal(
      "may need 600 s (executors.command.expectedSeconds 600), 780 s with the margin " +
        "(executors.runTimeMargin: 30 s + 25%), above the job's maxDuration (779 s)",
    );
    expect(subject.refusalReason(spec, 780)).to.equal(undefined);
  });

  it("counts executors.command.expectedSeconds as the least run time of any job before its spec is known", () => {
    expect(executor("/bin/true", { timeoutMs: 3_600_000, expectedMs: 600_000 }).leastRunSeconds()).to.equal(600);
    expect(executor("/bin/true").leastRunSeconds()).to.equal(0);
  });

  it("does not judge the run time of a program that declares no expectedSeconds", () => {
    expect(executor("/bin/true").refusalReason(loaded({ input: "", args: [] }).spec, 60)).to.equal(undefined);
  });
});
