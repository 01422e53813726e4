import { expect } from "chai";
import { resultFigures, runBench } from "../../helpers/run-bench";

const KEYS = ["p50_ms", "p99_ms", "rps", "ceiling_rps", "peak_rss_mb"];

describe("npm run bench:gateway", function () {
  this.timeout(180_000);

  it("registers providers, indexes them and drives availableCompute cached and uncached, ending with RESULT lines", async function () {
    const run = await runBench("gateway/bench/bench.ts", ["--providers", "200", "--duration", "1", "--rate", "20", "--connections", "2"], 170_000);
    expect(run.code, run.output).to.equal(0);
    for (const prefix of ["RESULT", "RESULT_UNCACHED"]) {
      const figures = resultFigures(run.output, prefix);
      expect(figures, `${prefix} in\n${run.output}`).to.not.equal(null);
      expect(Object.keys(figures!)).to.deep.equal(KEYS);
      for (const key of ["rps", "ceiling_rps", "peak_rss_mb"]) expect(figures![key], `${prefix} ${key}`).to.be.greaterThan(0);
    }
  });

  it("refuses a provider count that is not a positive integer, naming the flag", async function () {
    const run = await runBench("gateway/bench/bench.ts", ["--providers", "0"], 60_000);
    expect(run.code).to.not.equal(0);
    expect(run.output).to.include("--providers needs a positive integer");
  });

  it("refuses an unknown option or --data-dir without a value, in one line with exit status 2, before starting anything", async function () {
    for (const [args, message] of [[["--provider", "100"], "unknown option --provider"], [["--providers", "10", "--data-dir"], "--data-dir needs a value"], [["--rate", "1e2"], "--rate needs a positive integer (got 1e2)"]] as const) {
      const run = await runBench("gateway/bench/bench.ts", [...args], 60_000);
      expect(run.code, args.join(" ")).to.equal(2);
      expect(run.output).to.equal(`bench:gateway: ${message}\n`);
    }
  });
});
