// The process runner's leash (scripts/devnet/leash.ts): a job's process group ends with the worker that started it,
// however the worker dies. Input, output, exit status, timeout and abort are covered through the command executor
// (executors/command.test.ts).
import { expect } from "chai";
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ProcessSpawnError, runProcess } from "../../../scripts/worker/process-runner";
import { killGroup, processRunning } from "../../e2e/processes";
import { waitUntil } from "../../helpers/wait";

const RUNNER = path.resolve(__dirname, "../../../scripts/worker/process-runner.ts");


/** The process group `pid` is in, from /proc/<pid>/stat (the fifth field). */
function groupOf(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[2]);
}

interface WorkerLike {
  process: ChildProcess;
  /** The job's shell and the sleep it started in the background, once the job has written them. */
  jobPids: Promise<number[]>;
}

describe("process runner leash", function () {
  this.timeout(60_000);
  let dir: string;
  const started: WorkerLike[] = [];
  const jobGroups: number[] = [];

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "latent-runner-"));
  });
  afterEach(() => {
    for (const worker of started.splice(0)) if (worker.process.pid !== undefined) killGroup(worker.process.pid);
    jobGroups.splice(0).forEach(killGroup);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** A worker-like process: runs one long job through runProcess, as the command executor does, and waits on it. */
  function startWorkerLike(name: string): WorkerLike {
    const pidFile = path.join(dir, `${name}.pids`);
    const job = `sleep 300 & echo "$$ $!" > ${pidFile}.part && mv ${pidFile}.part ${pidFile}; wait`;
    const source =
      `require(${JSON.stringify(require.resolve("ts-node"))}).register({ transpileOnly: true, projectSearchDir: ${JSON.stringify(path.dirname(RUNNER))} });\n` +
      `require(${JSON.stringify(RUNNER)}).runProcess("/bin/sh", { args: ["-c", ${JSON.stringify(job)}], ` +
      `env: { PATH: ${JSON.stringify(process.env.PATH ?? "/usr/bin:/bin")} }, timeoutMs: 600000, maxOutputBytes: 1024 });`;
    // Its own group, so that what the test kills at the end cannot reach the test runner.
    const child = spawn(process.execPath, ["-e", source], { stdio: "ignore", detached: true });
    const jobPids = (async () => {
      await waitUntil(() => fs.existsSync(pidFile), `the ${name} job wrote its pids`);
      const pids = fs.readFileSync(pidFile, "utf8").trim().split(" ").map(Number);
      jobGroups.push(groupOf(pids[0]!));
      return pids;
    })();
    const worker = { process: child, jobPids };
    started.push(worker);
    return worker;
  }

  it("stops the job's process group when the worker running it is killed with SIGKILL", async () => {
    const worker = startWorkerLike("killed");
    const pids = await worker.jobPids;
    expect(pids.every(processRunning), "the job is running").to.equal(true);
    worker.process.kill("SIGKILL");
    await waitUntil(() => !pids.some(processRunning), "every process of the job ended");
  });

  it("leaves a job running while its worker lives, though another worker's job ends with that worker", async () => {
    const living = startWorkerLike("living");
    const killed = startWorkerLike("killed");
    const [livingPids, killedPids] = await Promise.all([living.jobPids, killed.jobPids]);
    killed.process.kill("SIGKILL");
    await waitUntil(() => !killedPids.some(processRunning), "every process of the killed worker's job ended");
    expect(livingPids.every(processRunning), "the living worker's job ended").to.equal(true);
  });

  it("gives the job no fd 3: the leash stays with the wrapper, so a job's children cannot hold the worker's end open", async () => {
    // `[` is the shell's own builtin, so /dev/fd is the job's process, not a child's.
    const job = "if [ -e /dev/fd/3 ]; then echo open; else echo closed; fi";
    const output = await runProcess("/bin/sh", { args: ["-c", job], env: {}, timeoutMs: 30_000, maxOutputBytes: 1024 });
    expect(output.stdout.toString("utf8")).to.equal("closed\n");
  });

  // The wrapper, not the program, is what node starts: the program's spawn error must still come back as the worker's.
  for (const [what, code, make] of [
    ["a missing program", "ENOENT", () => path.join(dir, "absent")],
    ["a program without execute permission", "EACCES", () => {
      const file = path.join(dir, "not-executable");
      fs.writeFileSync(file, "#!/bin/sh\necho ran\n", { mode: 0o644 });
      return file;
    }],
  ] as const) {
    it(`reports ${what} as a ProcessSpawnError with its code, ${code}`, async () => {
      const program = make();
      const failure = await runProcess(program, { args: [], env: {}, timeoutMs: 30_000, maxOutputBytes: 1024 }).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(failure).to.be.instanceOf(ProcessSpawnError);
      expect(failure).to.include({ program, code });
    });
  }
});
