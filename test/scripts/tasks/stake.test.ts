import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { parseEther } from "ethers";
import { InputError, RevertError, StateError } from "../../../scripts/tasks/lib/errors";
import type { StakeStatus } from "../../../scripts/tasks/actions/stake";
import { guardianPause } from "../../../scripts/scenario";
import { ACCOUNT, literal, pasted, task, taskFails, tasksProvidersFixture, withAndWithoutAccounts } from "./helpers";

describe("tasks: stake", function () {
  describe("add", function () {
    it("approves and stakes", async function () {
      const { file, c, rtx } = await loadFixture(tasksProvidersFixture);
      const [before] = await c.staking.getStake(rtx.address);
      await task(file, "stake add", { from: ACCOUNT.rtx, amount: "250.5" });
      const [after] = await c.staking.getStake(rtx.address);
      expect(after - before).to.equal(parseEther("250.5"));
    });

    it("stakes with a permit, sending no approve", async function () {
      const { file, c, rtx } = await loadFixture(tasksProvidersFixture);
      const nonce = await c.token.nonces(rtx.address);
      const [before] = await c.staking.getStake(rtx.address);
      await task(file, "stake add", { from: ACCOUNT.rtx, amount: "100", permit: true });
      expect((await c.staking.getStake(rtx.address))[0] - before).to.equal(parseEther("100"));
      expect(await c.token.nonces(rtx.address)).to.equal(nonce + 1n);
    });

    it("while the protocol is paused fails with the pause's end before sending an approve", async function () {
      const { s, file, c, rtx } = await loadFixture(tasksProvidersFixture);
      await guardianPause(s);
      const staking = await c.staking.getAddress();
      const allowance = await c.token.allowance(rtx.address, staking);
      await taskFails(file, "stake add", { from: ACCOUNT.rtx, amount: "100" }, RevertError, /^Staking\.stake reverted: PauseGuardianProtocolPaused\(pausedUntil=/);
      expect(await c.token.allowance(rtx.address, staking)).to.equal(allowance);
    });

    it("refuses more than the wallet holds before sending anything", async function () {
      const { file } = await loadFixture(tasksProvidersFixture);
      await taskFails(file, "stake add", { from: ACCOUNT.rtx, amount: "1000000" }, StateError, /holds .* LAT .*; staking needs 1000000\.0 LAT/);
    });

    it("refusing an account without enough LAT, says how to send it the rest with token transfer", async function () {
      const { file, deployer } = await loadFixture(tasksProvidersFixture);
      await task(file, "provider register", { from: ACCOUNT.deployer, model: "a100-sxm-80gb", count: "2", region: "eu-west", price: "1", metadataUri: "https://gpu.example/0.json" });
      await taskFails(
        file,
        "stake add",
        { from: ACCOUNT.deployer, amount: "200" },
        StateError,
        new RegExp(`holds 0\\.0 LAT \\(0 wei\\); staking needs 200\\.0 LAT .*Send it the rest from an account that holds LAT: npx hardhat token transfer --to ${deployer.address} --amount 200\\.0 --network hardhat --deployment .* --from <holder>$`),
      );
    });

    it("refuses an account that is not a registered provider before sending anything, saying to register first", async function () {
      const { file, c, clients } = await loadFixture(tasksProvidersFixture);
      const client = clients[0]!.address;
      const staking = await c.staking.getAddress();
      const [balance, allowance] = await Promise.all([c.token.balanceOf(client), c.token.allowance(client, staking)]);
      await taskFails(
        file,
        "stake add",
        { from: ACCOUNT.client0, amount: "100" },
        StateError,
        new RegExp(
          `^${client} is not a registered provider: a stake counts only toward the staker's own listing, so it would back nothing .*` +
            `register first .*: npx hardhat provider register --model <id> .* --network hardhat --deployment .* --from ${ACCOUNT.client0}, then stake add$`,
        ),
      );
      expect(await c.token.balanceOf(client)).to.equal(balance);
      expect(await c.token.allowance(client, staking)).to.equal(allowance);
      expect((await c.staking.getStake(client))[0]).to.equal(0n);
    });

    it("refuses a provider's operator, ending with the command signed by the provider, its amount as given, which works as pasted", async function () {
      const { file, c, operators, h100 } = await loadFixture(tasksProvidersFixture);
      const command = `npx hardhat stake add --amount 100 --network hardhat --deployment ${file} --from ${ACCOUNT.h100}`;
      await taskFails(
        file,
        "stake add",
        { from: ACCOUNT.operator0, amount: "100" },
        StateError,
        new RegExp(`^${operators[0]!.address} is not a registered provider: the signer is the operator of ${h100.address}: .*: ${literal(command)}$`),
      );
      const [staked] = await c.staking.getStake(h100.address);
      const retry = pasted(command);
      await task(file, retry.name, retry.args);
      expect((await c.staking.getStake(h100.address))[0] - staked).to.equal(parseEther("100"));
    });

    it("refuses a provider's operator on a node without the provider's key, naming the provider by its address", async function () {
      const { file, operators, h100 } = await loadFixture(tasksProvidersFixture);
      const { getSigners } = ethers;
      const others = (await getSigners()).filter((a) => a.address !== h100.address);
      ethers.getSigners = async () => others;
      try {
        await taskFails(
          file,
          "stake add",
          { from: operators[0]!.address, amount: "100" },
          StateError,
          new RegExp(`^${operators[0]!.address} is not a registered provider: the signer is the operator of ${h100.address}: .*: ${literal(`npx hardhat stake add --amount 100 --network hardhat --deployment ${file} --from ${h100.address}`)}$`),
        );
      } finally {
        ethers.getSigners = getSigners;
      }
    });

    it("refuses the operator of several providers, naming them all and leaving the --from to choose", async function () {
      const { file, operators, h100, rtx } = await loadFixture(tasksProvidersFixture);
      await task(file, "provider operator", { from: ACCOUNT.rtx, operator: ACCOUNT.operator0 });
      await taskFails(
        file,
        "stake add",
        { from: ACCOUNT.operator0, amount: "100" },
        StateError,
        new RegExp(
          `^${operators[0]!.address} is not a registered provider: the signer is the operator of (${h100.address}, ${rtx.address}|${rtx.address}, ${h100.address}): .*: ` +
            `${literal(`npx hardhat stake add --amount 100 --network hardhat --deployment ${file} --from <one of them>`)}$`,
        ),
      );
    });

    it("refuses a provider that deregistered, and takes its stake again once it registers", async function () {
      const { file, c, rtx } = await loadFixture(tasksProvidersFixture);
      await task(file, "provider deregister", { from: ACCOUNT.rtx });
      await taskFails(file, "stake add", { from: ACCOUNT.rtx, amount: "100" }, StateError, /is not a registered provider/);
      await task(file, "provider register", { from: ACCOUNT.rtx, model: "rtx-4090-24gb", count: "2", region: "us-east", price: "1", metadataUri: "https://gpu.example/7.json" });
      const [before] = await c.staking.getStake(rtx.address);
      await task(file, "stake add", { from: ACCOUNT.rtx, amount: "100" });
      expect((await c.staking.getStake(rtx.address))[0] - before).to.equal(parseEther("100"));
    });

    it("refuses an amount given in wei, saying what it is in LAT, before checking the wallet", async function () {
      const { file } = await loadFixture(tasksProvidersFixture);
      await taskFails(file, "stake add", { from: ACCOUNT.rtx, amount: "250000000000000000000" }, InputError, /^--amount: .*amounts are in LAT, not wei: 250000000000000000000 wei is 250\.0 LAT$/);
    });

    it("refuses an amount that is not a number", async function () {
      const { file } = await loadFixture(tasksProvidersFixture);
      await taskFails(file, "stake add", { from: ACCOUNT.rtx, amount: "1.2.3" }, InputError, /^--amount: "1\.2\.3" is not a LAT amount/);
    });
  });

  describe("thaw, withdraw", function () {
    it("thaw opens a request that matures after the thawing period", async function () {
      const { file, c, rtx } = await loadFixture(tasksProvidersFixture);
      const { result } = await task<{ requestIndex: bigint; maturesAt: number }>(file, "stake thaw", { from: ACCOUNT.rtx, amount: "500" });
      const request = await c.staking.getThawRequest(rtx.address, result.requestIndex);
      expect(request.amount).to.equal(parseEther("500"));
      expect(Number(request.maturesAt)).to.equal(result.maturesAt);
      expect(result.maturesAt).to.equal((await time.latest()) + 3600);
    });

    it("thaw prints the stake withdraw command for when the request matures", async function () {
      const { file } = await loadFixture(tasksProvidersFixture);
      const { output } = await task(file, "stake thaw", { from: ACCOUNT.rtx, amount: "1850" });
      expect(output.split("\n").at(-1), "last, after the under-staked note").to.equal(
        `Then withdraw it: npx hardhat stake withdraw --network hardhat --deployment ${file} --from ${ACCOUNT.rtx}`,
      );
    });

    it("thaw below the listing's minimum stake says the provider is now under-staked and takes no new jobs", async function () {
      const { file, rtx } = await loadFixture(tasksProvidersFixture);
      const { result, output } = await task<{ underStaked: boolean }>(file, "stake thaw", { from: ACCOUNT.rtx, amount: "1850" });
      expect(result.underStaked).to.equal(true);
      expect(output).to.match(new RegExp(`\\n  ${rtx.address} is now under-staked \\(staked minus thawing, 150\\.0 LAT .*, is below the 200\\.0 LAT .* its listed GPUs need\\): it takes no new jobs`));
    });

    it("thaw that leaves the listing's minimum staked says nothing of it", async function () {
      const { file } = await loadFixture(tasksProvidersFixture);
      const { result, output } = await task<{ underStaked: boolean }>(file, "stake thaw", { from: ACCOUNT.rtx, amount: "500" });
      expect(result.underStaked).to.equal(false);
      expect(output).to.not.match(/under-staked/);
    });

    it("thaw all thaws the whole free stake", async function () {
      const { file, c, rtx } = await loadFixture(tasksProvidersFixture);
      await task(file, "stake thaw", { from: ACCOUNT.rtx, amount: "all" });
      expect(await c.staking.freeStake(rtx.address)).to.equal(0n);
    });

    it("thaw all with no free stake fails before sending, with the stake's breakdown", async function () {
      const { file, c, rtx } = await loadFixture(tasksProvidersFixture);
      await task(file, "stake thaw", { from: ACCOUNT.rtx, amount: "all" });
      const nonce = await ethers.provider.getTransactionCount(rtx.address);
      await taskFails(
        file,
        "stake thaw",
        { from: ACCOUNT.rtx, amount: "all" },
        StateError,
        /has no free stake to thaw \(staked 2000\.0 LAT .*, locked 0\.0 LAT .*, thawing 2000\.0 LAT .*\)$/,
      );
      expect(await ethers.provider.getTransactionCount(rtx.address)).to.equal(nonce);
      expect((await c.staking.thawRequestRange(rtx.address))[1]).to.equal(1n);
    });

    it("thaw beyond the free stake reverts with the amounts in LAT, saying what holds the rest and how much it can thaw", async function () {
      const { file } = await loadFixture(tasksProvidersFixture);
      await taskFails(
        file,
        "stake thaw",
        { from: ACCOUNT.rtx, amount: "2001" },
        RevertError,
        /StakingInsufficientFreeStake\(provider=0x[0-9a-fA-F]{40}, requested=2001\.0 LAT \(2001000000000000000000 wei\), free=2000\.0 LAT .*\): of its 2000\.0 LAT \(\d+ wei\) staked, 0\.0 LAT \(0 wei\) is locked as collateral of its running jobs until they end and 0\.0 LAT \(0 wei\) is thawing already: thaw at most 2000\.0 LAT \(\d+ wei\) now \(--amount all\)$/,
      );
    });

    it("thaw refuses an --amount that is no amount, offering all", async function () {
      const { file } = await loadFixture(tasksProvidersFixture);
      await taskFails(
        file,
        "stake thaw",
        { from: ACCOUNT.rtx, amount: "everything" },
        InputError,
        /^--amount: "everything" is not a LAT amount: use a decimal number such as 1500 or 0\.25, or all \(the whole free stake\)$/,
      );
    });

    it("thaw from an account that is no provider and has no stake says so before sending, not that its free stake is short", async function () {
      const { file, clients } = await loadFixture(tasksProvidersFixture);
      const client = clients[0]!.address;
      const nonce = await ethers.provider.getTransactionCount(client);
      for (const amount of ["100", "all"]) {
        await taskFails(file, "stake thaw", { from: ACCOUNT.client0, amount }, StateError, new RegExp(`^${client} is not a registered provider and has no stake to thaw \\(check --from\\)$`));
      }
      await taskFails(file, "stake withdraw", { from: ACCOUNT.client0 }, StateError, new RegExp(`^${client} is not a registered provider and has no stake to withdraw \\(check --from\\)$`));
      expect(await ethers.provider.getTransactionCount(client)).to.equal(nonce);
    });

    it("thaw from a provider's operator names the provider that thaws its own stake", async function () {
      const { file, operators, h100 } = await loadFixture(tasksProvidersFixture);
      await taskFails(
        file,
        "stake thaw",
        { from: ACCOUNT.operator0, amount: "100" },
        StateError,
        new RegExp(
          `^${operators[0]!.address} is not a registered provider and has no stake: the signer is the operator of ${h100.address}: .*: ` +
            `${literal(`npx hardhat stake thaw --amount 100 --network hardhat --deployment ${file} --from ${ACCOUNT.h100}`)}$`,
        ),
      );
    });

    it("thaw and withdraw still serve a deregistered provider's stake", async function () {
      const { file, c, rtx } = await loadFixture(tasksProvidersFixture);
      await task(file, "provider deregister", { from: ACCOUNT.rtx });
      await task(file, "stake thaw", { from: ACCOUNT.rtx, amount: "all" });
      await time.increase(3600);
      const { result } = await task<{ amount: bigint }>(file, "stake withdraw", { from: ACCOUNT.rtx });
      expect(result.amount).to.equal(parseEther("2000"));
      expect((await c.staking.getStake(rtx.address))[0]).to.equal(0n);
    });

    it("withdraw before maturity reverts and says when the request matures", async function () {
      const { file } = await loadFixture(tasksProvidersFixture);
      await task(file, "stake thaw", { from: ACCOUNT.rtx, amount: "500" });
      // The hour from the thaw's block: the refused withdraw is estimated, not mined a block later.
      await taskFails(file, "stake withdraw", { from: ACCOUNT.rtx }, RevertError, /StakingNothingToWithdraw\(.*\): request #0 \(500\.0 LAT .*\) matures .*\(in (1h|59m \d+s)\)$/);
    });

    it("withdraw pays out matured requests", async function () {
      const { file, c, rtx } = await loadFixture(tasksProvidersFixture);
      await task(file, "stake thaw", { from: ACCOUNT.rtx, amount: "500" });
      await time.increase(3600);
      const balance = await c.token.balanceOf(rtx.address);
      const { result } = await task<{ amount: bigint }>(file, "stake withdraw", { from: ACCOUNT.rtx });
      expect(result.amount).to.equal(parseEther("500"));
      expect((await c.token.balanceOf(rtx.address)) - balance).to.equal(parseEther("500"));
    });

    it("withdraw --max 0 is refused", async function () {
      const { file } = await loadFixture(tasksProvidersFixture);
      await taskFails(file, "stake withdraw", { from: ACCOUNT.rtx, max: "0" }, InputError, /^--max: 0 is outside \[1, 8\]/);
    });
  });

  it("status lists the breakdown and pending requests with their maturity", async function () {
    const { file } = await loadFixture(tasksProvidersFixture);
    await task(file, "stake thaw", { from: ACCOUNT.rtx, amount: "300" });
    const { result, output } = await task<StakeStatus>(file, "stake status", { provider: ACCOUNT.rtx });
    expect(result.stake.staked).to.equal(parseEther("2000"));
    expect(result.stake.thawing).to.equal(parseEther("300"));
    expect(result.stake.free).to.equal(parseEther("1700"));
    expect(result.thawRequests).to.have.length(1);
    expect(result.thawRequests[0]!.matured).to.equal(false);
    expect(output).to.match(/#0 {2}300\.0 LAT .* matures /);
    expect(output).to.contain("\n  thaw requests (thawing period 3600 s (1h)):\n");
  });

  it("status of an account that is no provider says so, where its zeros would read as a provider with nothing staked", async function () {
    const { file, clients } = await loadFixture(tasksProvidersFixture);
    const { result, output } = await task<StakeStatus>(file, "stake status", { provider: ACCOUNT.client0 });
    expect(result.registered).to.equal(false);
    expect(output.split("\n")[1]).to.equal("  not a registered provider: a stake of its own backs no listing (stake thaw and stake withdraw return it)");
    expect(output).to.contain(`Stake of ${clients[0]!.address}`);
  });

  it("status of a provider's operator names the provider and the command for its stake", async function () {
    const { file, h100 } = await loadFixture(tasksProvidersFixture);
    const { result, output } = await task<StakeStatus>(file, "stake status", { provider: ACCOUNT.operator0 });
    expect(result.registered).to.equal(false);
    expect(output.split("\n")[1]).to.match(
      new RegExp(`^  not a registered provider: it is the operator of ${h100.address}: the stake that backs a listing is the provider's: npx hardhat stake status --provider ${h100.address} --network hardhat --deployment \\S+$`),
    );
  });

  it("status of a registered provider does not call it anything else", async function () {
    const { file } = await loadFixture(tasksProvidersFixture);
    const { result, output } = await task<StakeStatus>(file, "stake status", { provider: ACCOUNT.rtx });
    expect(result.registered).to.equal(true);
    expect(output).to.not.contain("not a registered provider");
  });

  it("status runs with no account configured (a public RPC with no key), printing what it prints with one", async function () {
    const { file, rtx } = await loadFixture(tasksProvidersFixture);
    await task(file, "stake thaw", { from: ACCOUNT.rtx, amount: "300" });
    const { withAccounts, without } = await withAndWithoutAccounts<StakeStatus>(file, "stake status", { provider: rtx.address });
    expect(without.result).to.deep.equal(withAccounts.result);
    expect(without.output).to.equal(withAccounts.output).and.to.match(new RegExp(`^Stake of ${rtx.address} (.|\\n)*#0 {2}300\\.0 LAT `));
  });
});
