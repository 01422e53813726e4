// What a task's `npx hardhat` process, a deploy, the scenario, the worker and the gateway's chain reader load of the TypeChain output: each factory they use
// by its own file, never through typechain-types' barrels (index.ts), each of which requires every factory under it.
// ts-node transpiles what is required at every start, and the root barrel is ~1 MB of TypeScript (every contract's
// ABI and bytecode, the mocks and OpenZeppelin's included): 3.9 CPU s to load against 2.35 s for the factories used.
import { expect } from "chai";
import { runTsSnippet } from "../helpers/child-output";

/** Far beyond what loading these modules takes (a ts-node start): only a load that never returns reaches it. */
const LIMIT_MS = 90_000;

describe("TypeChain imports of the scripts and the gateway", function () {
  this.timeout(LIMIT_MS * 2);

  /** The typechain-types barrels (index.ts) loaded once `requires` (a snippet's statements) ran; fails if the snippet does. */
  function barrelsLoaded(requires: string): string[] {
    const run = runTsSnippet(
      `${requires}
       const loaded = Object.keys(require.cache).filter((file) => file.includes("/typechain-types/"));
       if (loaded.length === 0) throw new Error("no TypeChain factory loaded: the snippet loads nothing it checks");
       console.log(JSON.stringify(loaded.filter((file) => file.endsWith("/index.ts")).map((file) => file.slice(file.indexOf("typechain-types/")))));`,
      LIMIT_MS,
    );
    expect(run.status, run.stderr).to.equal(0);
    return JSON.parse(run.stdout) as string[];
  }

  it("the task actions, deploy, the scenario, the post-job example and the fuzz model load no typechain-types barrel", function () {
    const requires = `const fs = require("node:fs");
       for (const file of fs.readdirSync("scripts/tasks/actions")) require("./scripts/tasks/actions/" + file);
       for (const module of ["./scripts/tasks/lib/context", "./scripts/deploy", "./scripts/scenario", "./scripts/examples/post-job", "./scripts/fuzz/model"]) require(module);`;
    expect(barrelsLoaded(requires)).to.deep.equal([]);
  });

  it("the worker (its CLI, every worker start) loads no typechain-types barrel", function () {
    // The worker's CLI loaded 986 KB of TypeChain's TypeScript for five factories, at every start of a provider's worker.
    expect(barrelsLoaded(`require("./scripts/worker/cli");`)).to.deep.equal([]);
  });

  it("the gateway's chain reader (every gateway start: its CLI, npm start) loads no typechain-types barrel", function () {
    // The gateway's CLI loaded 2.0 MB of TypeScript at --help, 986 KB of it TypeChain's for three interface factories.
    expect(barrelsLoaded(`require("./gateway/src/chain/chain-reader");`)).to.deep.equal([]);
  });
});
