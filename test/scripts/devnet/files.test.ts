// The files npm start leaves in its data directory, made where the path says: a directory the system will not create
// (under /proc) is refused with its error, where Node's recursive mkdir never returned.
import { expect } from "chai";
import * as fs from "node:fs";
import { runTsSnippet } from "../../helpers/child-output";

/** Far beyond what a refusal takes (a ts-node start): only a call that never returns reaches it. */
const LIMIT_MS = 60_000;

/** Runs `call` (an expression over files.ts's exports, as `files`) on a path under /proc/x, in a child process. */
function underProc(call: string) {
  return runTsSnippet(
    `const files = require("./scripts/devnet/files");
     try { ${call}; console.log("written"); } catch (error) { console.log("refused: " + error.code); process.exit(1); }`,
    LIMIT_MS,
  );
}

describe("devnet files", function () {
  this.timeout(LIMIT_MS * 4);

  before(function () {
    if (!fs.existsSync("/proc/self/stat")) this.skip(); // procfs (Linux): mkdir answers ENOENT under /proc.
  });

  for (const [name, call] of [
    ["writeWorkerConfig", `files.writeWorkerConfig("/proc/latent-x/worker.json", { rpcUrl: "http://127.0.0.1:8545", chainId: 31337, gatewayHttpUrl: "http://127.0.0.1:4000/graphql", gatewayWsUrl: "ws://127.0.0.1:4000/graphql", provider: "0x0000000000000000000000000000000000000001", deploymentFile: "/tmp/d.json", keyEnv: "K", gpu: {} })`],
    ["writeMatmulSpec", `files.writeMatmulSpec("/proc/latent-x/matmul-spec.json")`],
    ["writeDevnetInfo", `files.writeDevnetInfo("/proc/latent-x/devnet.json", {})`],
  ] as const) {
    it(`${name} refuses a directory the system will not create (/proc/x) with its error, instead of never returning`, function () {
      const run = underProc(call);
      expect({ status: run.status, stdout: run.stdout.trim() }, run.stderr).to.deep.equal({ status: 1, stdout: "refused: ENOENT" });
    });
  }
});
