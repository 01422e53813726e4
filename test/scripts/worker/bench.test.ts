import { expect } from "chai";
import { runBench } from "../../helpers/run-bench";

describe("npm run bench:worker", function () {
  this.timeout(60_000);

  it("times the matmul workload for each size asked, on this thread and as a job in a worker thread", async function () {
    const run = await runBench("scripts/worker/bench.ts", ["64", "128"], 50_000);
    expect(run.code, run.output).to.equal(0);
    const lines = run.output.split("\n").filter((l) => /^n=\d+:/.test(l));
    expect(lines.map((l) => l.slice(0, l.indexOf(":")))).to.deep.equal(["n=64", "n=128"]);
    for (const line of lines) expect(line).to.match(/multiplyMs=\d+ \([\d.]+ G multiply-adds\/s\) jobMs=\d+ wallMs=\d+$/);
  });

  it("refuses a size outside the executor's range, naming it, with exit status 2", async function () {
    const run = await runBench("scripts/worker/bench.ts", ["0"], 50_000);
    expect(run.code).to.equal(2);
    expect(run.output).to.include('got "0"');
  });

  it("repeats a size that is not a number as typed, not as NaN", async function () {
    const run = await runBench("scripts/worker/bench.ts", ["--n", "256"], 50_000);
    expect(run.code).to.equal(2);
    expect(run.output).to.equal(`bench: matrix sizes must be integers in 1..2048, got "--n"\n`);
  });
});
