// What a task's `npx hardhat` process, a deploy and the scenario load of the TypeChain output: each factory they use
// by its own file, never through typechain-types' barrels (index.ts), each of which requires every factory under it.
// ts-node transpiles what is required at every start, and the root barrel is ~1 MB of TypeScript (every contract's
// ABI and bytecode, the mocks and OpenZeppelin's included): 3.9 CPU s to load against 2.35 s for the factories used.
import { expect } from "chai";
import { runTsSnippet } from "../helpers/child-output";

/** Far beyond what loading these modules takes (a ts-node start): only a load that never returns reaches it. */
const LIMIT_MS = 90_000;

describe("TypeChain imports of the scripts", function () {
  this.timeout(LIMIT_MS * 2);

  it("the task actions, deploy, the scenario, the post-job example and the fuzz model load no typechain-types barrel", function () {
    const run = runTsSnippet(
      `const fs = require("node:fs");
       for (const file of fs.readdirSync("scripts/tasks/actions")) require("./scripts/tasks/actions/" + file);
       for (const module of ["./scripts/tasks/lib/context", "./scripts/deploy", "./scripts/scenario", "./scripts/examples/post-job", "./scripts/fuzz/model"]) require(module);
       const loaded = Object.keys(require.cache).filter((file) => file.includes("/typechain-types/"));
       console.log(JSON.stringify({ factories: loaded.length > 0, barrels: loaded.filter((file) => file.endsWith("/index.ts")).map((file) => file.slice(file.indexOf("typechain-types/"))) }));`,
      LIMIT_MS,
    );
    expect(run.status, run.stderr).to.equal(0);
    expect(JSON.parse(run.stdout)).to.deep.equal({ factories: true, barrels: [] });
  });
});
