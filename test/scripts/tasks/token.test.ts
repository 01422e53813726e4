import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { InputError, MissingInputError } from "../../../scripts/tasks/lib/errors";
import type { TokenBalance } from "../../../scripts/tasks/actions/token";
import { ACCOUNT, task, taskFails, tasksBaseFixture, withAndWithoutAccounts, withoutAccounts } from "./helpers";

describe("tasks: token", function () {
  describe("balance", function () {
    it("prints an account's LAT balance, with no votes and no delegate before it delegates", async function () {
      const { file, c, clients } = await loadFixture(tasksBaseFixture);
      const client = clients[0]!.address;
      const { result, output } = await task<TokenBalance>(file, "token balance", { account: ACCOUNT.client0 });
      const held = await c.token.balanceOf(client);
      expect(held).to.be.greaterThan(0n);
      expect(result).to.deep.equal({ account: client, balance: held, votes: 0n, delegate: null });
      expect(output).to.equal(
        [
          `LAT of ${client}`,
          `  balance   100000.0 LAT (${held} wei)`,
          "  votes     0.0 LAT (0 wei)",
          "  delegate  none (its LAT counts as no one's votes until it delegates: gov delegate)",
        ].join("\n"),
      );
    });

    it("after a self-delegation shows the account as its own delegate, with its balance as votes", async function () {
      const { file, clients } = await loadFixture(tasksBaseFixture);
      await task(file, "gov delegate", { from: ACCOUNT.client0 });
      const { result, output } = await task<TokenBalance>(file, "token balance", { account: ACCOUNT.client0 });
      expect(result.delegate).to.equal(clients[0]!.address);
      expect(result.votes).to.equal(result.balance);
      expect(output).to.contain(`  delegate  itself (${clients[0]!.address})`);
    });

    it("counts votes delegated by another account as the delegate's, not the holder's", async function () {
      const { file, clients } = await loadFixture(tasksBaseFixture);
      await task(file, "gov delegate", { from: ACCOUNT.client1, to: ACCOUNT.client0 });
      const holder = await task<TokenBalance>(file, "token balance", { account: ACCOUNT.client1 });
      const delegate = await task<TokenBalance>(file, "token balance", { account: ACCOUNT.client0 });
      expect(holder.result.delegate).to.equal(clients[0]!.address);
      expect(holder.result.votes).to.equal(0n);
      expect(delegate.result.votes).to.equal(holder.result.balance);
      expect(delegate.result.delegate).to.equal(null);
    });

    it("--account defaults to --from's account", async function () {
      const { file, clients } = await loadFixture(tasksBaseFixture);
      const { result } = await task<TokenBalance>(file, "token balance", { from: ACCOUNT.client1 });
      expect(result.account).to.equal(clients[1]!.address);
    });

    it("runs with no account configured (a public RPC with no key), printing what it prints with one", async function () {
      const { file, clients } = await loadFixture(tasksBaseFixture);
      const { withAccounts, without } = await withAndWithoutAccounts<TokenBalance>(file, "token balance", { account: clients[0]!.address });
      expect(without.result).to.deep.equal(withAccounts.result);
      expect(without.output).to.equal(withAccounts.output).and.to.match(new RegExp(`^LAT of ${clients[0]!.address}\\n  balance   100000\\.0 LAT `));
    });

    it("with no account configured, requires --account", async function () {
      const { file } = await loadFixture(tasksBaseFixture);
      await withoutAccounts(() =>
        taskFails(file, "token balance", {}, MissingInputError, /^--account: required: network "hardhat" has no account to default to \(give an address/),
      );
    });

    it("refuses an --account that is neither an address nor an account index", async function () {
      const { file } = await loadFixture(tasksBaseFixture);
      await taskFails(file, "token balance", { account: "alice.eth" }, InputError, /^--account: "alice\.eth" is neither an address nor an account index$/);
    });

    it("prints JSON with amounts in wei", async function () {
      const { file, c, clients } = await loadFixture(tasksBaseFixture);
      const { output } = await task(file, "token balance", { account: ACCOUNT.client0, json: true });
      expect(JSON.parse(output)).to.deep.equal({
        account: clients[0]!.address,
        balance: (await c.token.balanceOf(clients[0]!.address)).toString(),
        votes: "0",
        delegate: null,
      });
    });
  });
});
