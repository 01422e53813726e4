// A job the worker passed over because every slot was taken, offered again by the periodic openJobs re-read of a real
// gateway: the daemon's half (the job is skipped and forgotten) and the source's half (openJobs is read again every
// resyncMs) are unit-tested; this runs both against the in-process stack of the other network tests. A command job
// whose program waits for a file holds the one slot for as long as the test needs, with no timing to guess.
import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import { keccak256, toUtf8Bytes } from "ethers";
import { JobStatus } from "../../../scripts/worker/market";
import { startStack, startStackWorker, waitFor, writeStackWorkerConfig, type Stack } from "./helpers/stack";

// Waits until the file named by its first argument exists (at most 60 s, so that it cannot outlive a failed test).
const HOLD_PROGRAM = `#!/bin/sh
i=0
while [ ! -e "$1" ] && [ "$i" -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
echo held
`;

describe("worker on a live stack: a job passed over for want of a slot comes back at the openJobs re-read", function () {
  this.timeout(60_000);

  let stack: Stack;
  let stop: (() => Promise<void>) | undefined;
  let release: string;

  before(async function () {
    this.timeout(120_000);
    stack = await startStack();
  });

  after(async function () {
    this.timeout(60_000);
    if (release !== undefined) fs.writeFileSync(release, "");
    await stop?.().catch(() => undefined);
    await stack?.close();
  });

  it("skips the job while its one slot is held and another job waits, then takes it from a re-read once the slot frees", async () => {
    const program = path.join(stack.dir, "hold.sh");
    fs.writeFileSync(program, HOLD_PROGRAM, { mode: 0o755 });
    release = path.join(stack.dir, "release");
    const file = writeStackWorkerConfig(stack, "worker-resync.json", {
      resyncSeconds: 5, // the shortest re-read the config allows
      policy: { maxConcurrentJobs: 1, autoSettle: false },
      executors: { command: { enabled: true, program, args: [release], timeoutSeconds: 120 } },
      logLevel: "debug",
    });
    const worker = await startStackWorker(stack, file);
    stop = worker.stop;
    const { events, logs } = worker;
    const status = async (jobId: bigint): Promise<JobStatus> => Number((await stack.s.c.jobEscrow.getJob(jobId)).status);
    const matmul = (name: string) => ({ version: 1, kind: "matmul", params: { n: 8, seed: keccak256(toUtf8Bytes(name)), rounds: 1 } });

    const held = await stack.postSpecJob({ version: 1, kind: "command", params: { input: "", args: [] } });
    await waitFor("the command job holds the slot", async () => (await status(held)) === JobStatus.Accepted);
    const waiting = await stack.postSpecJob(matmul("waits for the slot"));
    const passedOver = await stack.postSpecJob(matmul("passed over"));
    await waitFor("the third job is passed over", async () =>
      events.some((e) => e.type === "job-skipped" && e.jobId === passedOver && /every slot is taken/.test(e.reason)),
    );
    expect(await status(waiting)).to.equal(JobStatus.Open);
    expect(await status(passedOver)).to.equal(JobStatus.Open);

    fs.writeFileSync(release, "");
    for (const jobId of [held, waiting, passedOver]) {
      await waitFor(`job ${jobId} is submitted`, async () => (await status(jobId)) === JobStatus.Submitted);
    }
    // One connection throughout: the job came back through the re-read, not the catch-up of a reconnection.
    expect(logs.filter((record) => record.msg === "read the jobs already open")).to.have.length(1);
    const accepted = events.findIndex((e) => e.type === "job-accepted" && e.jobId === passedOver);
    const skipped = events.findIndex((e) => e.type === "job-skipped" && e.jobId === passedOver);
    expect(accepted).to.be.greaterThan(skipped);
  });
});
