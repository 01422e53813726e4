import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { InputError, MissingInputError, StateError } from "../../../scripts/tasks/lib/errors";
import type { TokenBalance, TokenTransfer } from "../../../scripts/tasks/actions/token";
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

  describe("transfer", function () {
    it("sends LAT from the signer to an account index (a new provider's stake), printing both wallets after it", async function () {
      const { file, c, deployer } = await loadFixture(tasksBaseFixture);
      const funder = await task<TokenBalance>(file, "token balance", { account: ACCOUNT.funder });
      expect(await c.token.balanceOf(deployer.address)).to.equal(0n);
      const { result, output } = await task<TokenTransfer>(file, "token transfer", { from: ACCOUNT.funder, to: ACCOUNT.deployer, amount: "250.5" });
      const sent = 250_500000000000000000n;
      expect(await c.token.balanceOf(deployer.address)).to.equal(sent);
      expect(result.amount).to.equal(sent);
      expect(result.to).to.equal(deployer.address);
      expect(result.fromBalance).to.equal(funder.result.balance - sent);
      expect(result.toBalance).to.equal(sent);
      expect(output).to.match(/^LatentToken\.transfer: transaction 0x[0-9a-f]{64} mined in block \d+\n/);
      expect(output.split("\n").slice(1)).to.deep.equal([
        `Sent 250.5 LAT (${sent} wei) from ${funder.result.account} to ${deployer.address}`,
        `  sender now holds     ${(await c.token.balanceOf(funder.result.account)) / 10n ** 18n}.5 LAT (${funder.result.balance - sent} wei)`,
        `  recipient now holds  250.5 LAT (${sent} wei)`,
      ]);
    });

    it("refuses more than the sender holds before signing, naming the balance and suggesting no transfer to the sender", async function () {
      const { file } = await loadFixture(tasksBaseFixture);
      await taskFails(file, "token transfer", { from: ACCOUNT.deployer, to: ACCOUNT.client0, amount: "1" }, StateError, /holds 0\.0 LAT \(0 wei\); the transfer needs 1\.0 LAT \(\d+ wei\)$/);
    });

    it("refuses to send LAT to the Staking contract, which would keep it, pointing at stake add", async function () {
      const { file, c } = await loadFixture(tasksBaseFixture);
      const staking = await c.staking.getAddress();
      await taskFails(file, "token transfer", { from: ACCOUNT.funder, to: staking, amount: "1" }, InputError, /^--to: 0x\w+ is the Staking contract, .*\(stake with stake add\)$/);
    });

    it("refuses to send LAT to the DisputeManager, saying that only a governance recovery would send it back", async function () {
      const { file, c } = await loadFixture(tasksBaseFixture);
      const dm = await c.disputeManager.getAddress();
      await taskFails(
        file,
        "token transfer",
        { from: ACCOUNT.funder, to: dm, amount: "1" },
        InputError,
        /^--to: 0x\w+ is the DisputeManager contract, which would keep the LAT until a governance proposal sends it back \(gov propose --contract DisputeManager --set recoverTokens, .*\); a dispute's deposit is paid with dispute open$/,
      );
    });

    it("refuses to send LAT to the sender itself", async function () {
      const { file } = await loadFixture(tasksBaseFixture);
      await taskFails(file, "token transfer", { from: ACCOUNT.funder, to: ACCOUNT.funder, amount: "1" }, InputError, /^--to: is the sender itself/);
    });

    it("refuses to send LAT to the zero address, naming it, before estimating the transaction", async function () {
      const { file } = await loadFixture(tasksBaseFixture);
      await taskFails(file, "token transfer", { from: ACCOUNT.funder, to: "0x0000000000000000000000000000000000000000", amount: "1" }, InputError, /^--to: is the zero address/);
    });

    it("refuses an amount of 0 LAT", async function () {
      const { file } = await loadFixture(tasksBaseFixture);
      await taskFails(file, "token transfer", { from: ACCOUNT.funder, to: ACCOUNT.deployer, amount: "0" }, InputError, /^--amount: must be more than 0 LAT$/);
    });

    it("prints JSON with amounts in wei", async function () {
      const { file, deployer } = await loadFixture(tasksBaseFixture);
      const { output } = await task(file, "token transfer", { from: ACCOUNT.funder, to: ACCOUNT.deployer, amount: "1", json: true });
      const json = JSON.parse(output) as Record<string, string>;
      expect(json.to).to.equal(deployer.address);
      expect(json.amount).to.equal("1000000000000000000");
      expect(json.toBalance).to.equal("1000000000000000000");
      expect(json.transaction).to.match(/^0x[0-9a-f]{64}$/);
    });
  });
});
