import * as fs from "node:fs";
import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import hre from "hardhat";
import { parseEther } from "ethers";
import { setOutputSink } from "../../../scripts/tasks";
import { VerificationError } from "../../../scripts/tasks/lib/errors";
import type { VerifyView } from "../../../scripts/tasks/actions/deployment";
import { task, taskFails, tasksBaseFixture, tempFile, withoutAccounts } from "./helpers";

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

    it("fails naming both addresses when the record's guardian or arbitrator is not the chain's", async function () {
      const { file, guardian, arbitrator } = await loadFixture(tasksBaseFixture);
      const record = JSON.parse(fs.readFileSync(file, "utf8")) as { guardian: string; arbitrator: string };
      const tampered = tempFile("tampered-roles.json", JSON.stringify({ ...record, guardian: arbitrator.address, arbitrator: guardian.address }));
      await taskFails(
        tampered,
        "deployment verify",
        {},
        VerificationError,
        new RegExp(
          `checks failed: pauseGuardian\\.guardian is ${guardian.address}, not ${arbitrator.address}, disputeManager\\.arbitrator is ${arbitrator.address}, not ${guardian.address}(, |$)`,
        ),
      );
    });

    it("fails naming both figures when the record's supply is not the chain's", async function () {
      const { file, c } = await loadFixture(tasksBaseFixture);
      const record = JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, unknown>;
      const tampered = tempFile("tampered-supply.json", JSON.stringify({ ...record, totalSupply: "5" }));
      await taskFails(tampered, "deployment verify", {}, VerificationError, new RegExp(`token\\.totalSupply is ${await c.token.totalSupply()}, not 5`));
    });

    it("runs with no account configured (a public RPC with no key): it signs nothing", async function () {
      const { file } = await loadFixture(tasksBaseFixture);
      const { result } = await withoutAccounts(() => task<VerifyView>(file, "deployment verify"));
      expect(result.failed).to.deep.equal([]);
    });

    it("on a record without genesisHash, allocations, guardian, arbitrator or supply, says which checks it could not run and passes the rest", async function () {
      const { file } = await loadFixture(tasksBaseFixture);
      const { genesisHash: _g, allocations: _a, guardian: _gu, arbitrator: _ar, totalSupply: _t, ...old } = JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, unknown>;
      const { result, output } = await task<VerifyView>(tempFile("old-record.json", JSON.stringify(old)), "deployment verify");
      expect([result.failed, result.notRun]).to.deep.equal([[], ["genesis block", "pauseGuardian.guardian", "disputeManager.arbitrator", "token.mints", "token.totalSupply"]]);
      expect(output).to.match(/checks passed, 5 not run\n/);
      expect(output).to.contain("  not run  genesis block: the record has no genesisHash\n");
      expect(output).to.contain("  not run  pauseGuardian.guardian: the record has no guardian\n");
      expect(output).to.contain("  not run  token.mints: the allocations are not recorded");
    });
  });
});
