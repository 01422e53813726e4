import { expect } from "chai";
import * as os from "node:os";
import { parseConfig } from "../../../../scripts/worker/config";
import { CommandExecutor } from "../../../../scripts/worker/executors/command";
import { MatmulExecutor } from "../../../../scripts/worker/executors/matmul";
import { NoExecutorError, buildExecutors } from "../../../../scripts/worker/executors/registry";
import { ResultStore } from "../../../../scripts/worker/executors/results";
import type { JobSpec } from "../../../../scripts/worker/spec";

const BASE = {
  chain: { rpcUrl: "http://127.0.0.1:8545" },
  gateway: { httpUrl: "http://127.0.0.1:4000/graphql", wsUrl: "ws://127.0.0.1:4000/graphql" },
  provider: { address: "0x70997970c51812dc3a010c7d01b50e0d17dc79c8" },
  operatorKey: { env: "LATENT_OPERATOR_KEY" },
  contracts: { deploymentFile: "deployments/localhost.json" },
};
const MATMUL: JobSpec = { version: 1, kind: "matmul", params: { n: 8, seed: `0x${"00".repeat(32)}`, rounds: 1 } };
const COMMAND: JobSpec = { version: 1, kind: "command", params: { input: "", args: [] } };
const store = new ResultStore({ dir: "/tmp", maxUriBytes: 256 });

// n=1000: 1e9 multiply-adds, 1000 s at 1 M/s with no margin.
const THOUSAND_SECOND_MATMUL: JobSpec = { version: 1, kind: "matmul", params: { n: 1000, seed: `0x${"00".repeat(32)}`, rounds: 1 } };

/** A matmul executor doing 1 M multiply-adds a second, with no run-time margin, for `maxConcurrentJobs` at once. */
function matmulConfig(maxConcurrentJobs: number) {
  return parseConfig(
    {
      ...BASE,
      policy: { maxConcurrentJobs },
      executors: { builtin: { matmul: { multiplyAddsPerSecond: 1e6 } }, runTimeMargin: { seconds: 0, fraction: 0 } },
    },
    "/w.json",
  );
}

describe("executor registry", () => {
  it("runs matmul jobs with the built-in executor by default", () => {
    const registry = buildExecutors(parseConfig(BASE, "/w.json"), store);
    expect(registry.kinds()).to.deep.equal(["matmul"]);
    expect(registry.forSpec(MATMUL)).to.be.instanceOf(MatmulExecutor);
  });

  it("has no executor for command jobs unless the config enables one", () => {
    const registry = buildExecutors(parseConfig(BASE, "/w.json"), store);
    expect(() => registry.forSpec(COMMAND)).to.throw(NoExecutorError, "no enabled executor accepts command jobs");
    expect(registry.refusalReason(COMMAND)).to.equal("no enabled executor accepts command jobs");
  });

  it("runs command jobs with the provider's program once enabled", () => {
    const config = parseConfig(
      { ...BASE, executors: { command: { enabled: true, program: "/usr/local/bin/job" } } },
      "/w.json",
    );
    expect(buildExecutors(config, store).forSpec(COMMAND)).to.be.instanceOf(CommandExecutor);
  });

  it("leaves out an enabled executor whose kind the policy does not accept", () => {
    const config = parseConfig(
      {
        ...BASE,
        executors: { command: { enabled: true, program: "/usr/local/bin/job" } },
        policy: { acceptedKinds: ["command"] },
      },
      "/w.json",
    );
    expect(buildExecutors(config, store).kinds()).to.deep.equal(["command"]);
  });

  it("estimates matmul run times for policy.maxConcurrentJobs jobs sharing the machine's cores", () => {
    // 4000 s for 8 jobs on 2 cores.
    expect(buildExecutors(matmulConfig(2), store, 2).refusalReason(THOUSAND_SECOND_MATMUL, 1000)).to.equal(undefined);
    expect(buildExecutors(matmulConfig(8), store, 2).refusalReason(THOUSAND_SECOND_MATMUL, 1000)).to.contain("may need 4000 s");
  });

  it("counts the machine's cores as os.availableParallelism() unless told otherwise, as the worker README says", () => {
    // Twice the 1000 s for twice as many jobs as cores.
    const cores = os.availableParallelism();
    expect(buildExecutors(matmulConfig(cores), store).refusalReason(THOUSAND_SECOND_MATMUL, 1000)).to.equal(undefined);
    const refusal = buildExecutors(matmulConfig(2 * cores), store).refusalReason(THOUSAND_SECOND_MATMUL, 1000);
    expect(refusal).to.contain("may need 2000 s").and.to.contain(`× 2 for policy.maxConcurrentJobs ${2 * cores} on ${cores} cores`);
  });

  it("passes on the executor's own refusal", () => {
    const config = parseConfig({ ...BASE, executors: { builtin: { matmul: { maxN: 4 } } } }, "/w.json");
    expect(buildExecutors(config, store).refusalReason(MATMUL)).to.contain("above executors.builtin.matmul.maxN (4)");
  });
});
