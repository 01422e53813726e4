// The gateway's log, written where the devnet's data directory says: a directory the system will not create (under
// /proc) is refused with its error before the gateway starts, where Node's recursive mkdir never returned.
import { expect } from "chai";
import * as fs from "node:fs";
import { runTsSnippet } from "../../helpers/child-output";

/** Far beyond what a refusal takes (a ts-node start with the gateway's modules): only a call that never returns reaches it. */
const LIMIT_MS = 90_000;

describe("devnet: serveGateway", function () {
  this.timeout(LIMIT_MS * 2);

  it("refuses a log directory the system will not create (/proc/x) with its error, instead of never returning", function () {
    if (!fs.existsSync("/proc/self/stat")) this.skip(); // procfs (Linux): mkdir answers ENOENT under /proc.
    const run = runTsSnippet(
      `const { serveGateway } = require("./scripts/devnet/serve");
       serveGateway({ host: "127.0.0.1", port: 0, rpcUrl: "http://127.0.0.1:1", deployment: {}, dbPath: "/tmp/unused.sqlite", logFile: "/proc/latent-x/gateway.log" })
         .then(() => { console.log("served"); process.exit(0); }, (error) => { console.log("refused: " + error.code); process.exit(1); });`,
      LIMIT_MS,
    );
    expect({ status: run.status, stdout: run.stdout.trim() }, run.stderr).to.deep.equal({ status: 1, stdout: "refused: ENOENT" });
  });
});
