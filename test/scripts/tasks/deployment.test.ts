import * as fs from "node:fs";
import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import hre from "hardhat";
import { parseEther } from "ethers";
import { setOutputSink } from "../../../scripts/tasks";
import { VerificationError } from "../../../scripts/tasks/lib/errors";
import type { VerifyView } from "../../../scripts/tasks/actions/deployment";
import { task, taskFails, tasksBaseFixture, tempFile } from "./helpers";

describe("tasks: deployment", function () {
  describe("verify", function () {
    it("passes on a fresh deployment, printing every check, the genesis block and the mints included", async function () {
      const { file } = await loadFixture(tasksBaseFixture);
      const { result, output } = await task<VerifyView>(file, "deployment verify");
      expect([result.failed, result.notRun]).to.deep.equal([[], []]);
      expect(output).to.match(/^Deployment .* on network "hardhat": (\d+) of \1 checks passed\n/);
      expect(output).to.contain("  ok       genesis block\n");
      expect(output).to.contain("  ok       token.mints\n");
      expect(output).to.contain("  ok       registry.staking\n");
    });

    it("fails naming the check a mis-wired deployment fails (the deployer holds LAT)", async function () {
      const { file, c, funder, s } = await loadFixture(tasksBaseFixture);
      await c.token.connect(funder).transfer(s.deployment.record.deployer, parseEther("1"));
      // Run directly, not through taskFails: its sink drops what a failing task printed.
      const printed: string[] = [];
      const restore = setOutputSink((text) => printed.push(text));
      const error = await hre.run({ scope: "deployment", task: "verify" }, { deployment: file }).catch((e: unknown) => e).finally(restore);
      expect(error).to.be.instanceOf(VerificationError);
      expect((error as Error).message).to.match(/: 1 of \d+ checks failed: deployer holds no LAT$/).and.to.contain(file);
      // Every check is still listed, the failed one marked.
      expect(printed.join("\n")).to.match(/checks passed\n(.|\n)*  ok       registry\.staking\n(.|\n)*  FAILED   deployer holds no LAT\n/);
    });

    it("fails naming both lists when the recorded allocations are not what the token minted", async function () {
      const { file } = await loadFixture(tasksBaseFixture);
      const record = JSON.parse(fs.readFileSync(file, "utf8")) as { allocations: { to: string; amount: string }[] };
      record.allocations[0]!.amount = "1";
      const tampered = tempFile("tampered-allocations.json", JSON.stringify(record));
      await taskFails(tampered, "deployment verify", {}, VerificationError, /checks failed: token\.mints is .* to 0x.*, not 1 to 0x/);
    });

    it("on a record without genesisHash or allocations, says which checks it could not run and passes the rest", async function () {
      const { file } = await loadFixture(tasksBaseFixture);
      const { genesisHash: _genesis, allocations: _allocations, ...old } = JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, unknown>;
      const { result, output } = await task<VerifyView>(tempFile("old-record.json", JSON.stringify(old)), "deployment verify");
      expect([result.failed, result.notRun]).to.deep.equal([[], ["genesis block", "token.mints"]]);
      expect(output).to.match(/checks passed, 2 not run\n/);
      expect(output).to.contain("  not run  genesis block: the record has no genesisHash\n");
      expect(output).to.contain("  not run  token.mints: the allocations are not recorded");
    });
  });
});
