import { expect } from "chai";
import { resultFigures, runBench } from "../../helpers/run-bench";

describe("npm run bench:indexer", function () {
  this.timeout(120_000);

  it("measures the fetch ceiling, processing and end to end on a small workload and ends with its RESULT line", async function () {
    const run = await runBench("scripts/bench/indexer-bench.ts", ["--events", "300"], 110_000);
    expect(run.code, run.output).to.equal(0);
    const figures = resultFigures(run.output, "RESULT");
    expect(figures, run.output).to.not.equal(null);
    expect(Object.keys(figures!)).to.deep.equal(["events_per_s", "ceiling_events_per_s", "processing_events_per_s", "peak_rss_mb"]);
    for (const [key, value] of Object.entries(figures!)) expect(value, key).to.be.greaterThan(0);
  });

  it("refuses an event count that is not a positive integer, naming the flag", async function () {
    const run = await runBench("scripts/bench/indexer-bench.ts", ["--events", "many"], 60_000);
    expect(run.code).to.not.equal(0);
    expect(run.output).to.include("--events needs a positive integer");
  });

  it("refuses an unknown option or --events without a value, in one line with exit status 2, before building a chain", async function () {
    for (const [args, message] of [[["--event", "300"], "unknown option --event"], [["--events"], "--events needs a value"], [["--events", "1.5"], "--events needs a positive integer (got 1.5)"]] as const) {
      const run = await runBench("scripts/bench/indexer-bench.ts", [...args], 60_000);
      expect(run.code, args.join(" ")).to.equal(2);
      expect(run.output).to.equal(`bench:indexer: ${message}\n`);
    }
  });
});
