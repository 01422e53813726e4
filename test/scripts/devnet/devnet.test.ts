// The devnet's index directory, made where --data-dir says: a directory the system will not create (under /proc) is
// refused with its error, where Node's recursive mkdir never returned.
import { expect } from "chai";
import * as fs from "node:fs";
import { runTsSnippet } from "../../helpers/child-output";

/** Far beyond what a refusal takes (a ts-node start): only a call that never returns reaches it. */
const LIMIT_MS = 60_000;

describe("devnet: prepareIndex", function () {
  this.timeout(LIMIT_MS * 2);

  it("refuses an index directory the system will not create (/proc/x) with its error, instead of never returning", function () {
    if (!fs.existsSync("/proc/self/stat")) this.skip(); // procfs (Linux): mkdir answers ENOENT under /proc.
    const run = runTsSnippet(
      `const { prepareIndex } = require("./scripts/devnet/devnet");
       const progress = { step: () => {}, status: () => {} };
       try { prepareIndex("/proc/latent-x", "localhost", false, progress); console.log("made"); } catch (error) { console.log("refused: " + error.code); process.exit(1); }`,
      LIMIT_MS,
    );
    expect({ status: run.status, stdout: run.stdout.trim() }, run.stderr).to.deep.equal({ status: 1, stdout: "refused: ENOENT" });
  });
});
