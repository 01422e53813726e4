import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { parseEther, ZeroAddress } from "ethers";
import { LatentToken__factory } from "../../../typechain-types";
import { DEFAULT_TOTAL_SUPPLY } from "../../../scripts/deploy";
import { SCENARIO_ALLOCATIONS, signPermit } from "../../../scripts/scenario";
import { asAccount, baseFixture } from "../../helpers/fixtures";

describe("LatentToken", function () {
  async function factoryFixture() {
    const [deployer, treasury, a, b, k0, k1, k2] = await ethers.getSigners();
    const custodians: [string, string, string] = [k0!.address, k1!.address, k2!.address];
    const f = new LatentToken__factory(deployer);
    return {
      f,
      deploy: (t: string, supply: bigint, to: string[], amounts: bigint[]) => f.deploy(t, supply, to, amounts, custodians),
      deployer: deployer!,
      treasury: treasury!.address,
      a: a!.address,
      b: b!.address,
      custodians,
    };
  }

  describe("supply", function () {
    it("is Latent / LAT with 18 decimals", async function () {
      const { c } = await loadFixture(baseFixture);
      expect([await c.token.name(), await c.token.symbol(), await c.token.decimals()]).to.deep.equal(["Latent", "LAT", 18n]);
    });

    it("mints the allocations and the rest of the fixed supply to the treasury, nothing to the deployer", async function () {
      const { f, deploy, deployer, treasury, a, b } = await loadFixture(factoryFixture);
      const token = await deploy(treasury, 1000n, [a, b], [100n, 250n]);
      expect(await token.totalSupply()).to.equal(1000n);
      expect(await token.balanceOf(a)).to.equal(100n);
      expect(await token.balanceOf(b)).to.equal(250n);
      expect(await token.balanceOf(treasury)).to.equal(650n);
      expect(await token.balanceOf(deployer.address)).to.equal(0n);
    });

    it("emits a mint Transfer per allocation and for the treasury", async function () {
      const { f, deploy, treasury, a } = await loadFixture(factoryFixture);
      const token = await deploy(treasury, 1000n, [a], [100n]);
      const tx = token.deploymentTransaction();
      await expect(tx).to.emit(token, "Transfer").withArgs(ZeroAddress, a, 100n);
      await expect(tx).to.emit(token, "Transfer").withArgs(ZeroAddress, treasury, 900n);
    });

    it("is the deployed protocol's fixed supply", async function () {
      const { c, treasury, funder } = await loadFixture(baseFixture);
      expect(await c.token.totalSupply()).to.equal(DEFAULT_TOTAL_SUPPLY);
      const allocated = SCENARIO_ALLOCATIONS.funder + SCENARIO_ALLOCATIONS.voter0 + SCENARIO_ALLOCATIONS.voter1;
      expect(await c.token.balanceOf(treasury)).to.equal(DEFAULT_TOTAL_SUPPLY - allocated);
      expect(await c.token.balanceOf(funder.address)).to.be.lessThan(SCENARIO_ALLOCATIONS.funder);
    });

    it("refuses allocation lists of different lengths", async function () {
      const { f, deploy, treasury, a } = await loadFixture(factoryFixture);
      await expect(deploy(treasury, 1000n, [a, a], [1n]))
        .to.be.revertedWithCustomError(f, "LatentTokenInvalidAllocation")
        .withArgs(1);
    });

    it("refuses an allocation to the zero address", async function () {
      const { f, deploy, treasury, a } = await loadFixture(factoryFixture);
      await expect(deploy(treasury, 1000n, [a, ZeroAddress], [1n, 1n]))
        .to.be.revertedWithCustomError(f, "LatentTokenInvalidAllocation")
        .withArgs(1);
    });

    it("refuses an allocation to the deployer", async function () {
      const { f, deploy, treasury, deployer } = await loadFixture(factoryFixture);
      await expect(deploy(treasury, 1000n, [deployer.address], [1n]))
        .to.be.revertedWithCustomError(f, "LatentTokenInvalidAllocation")
        .withArgs(0);
    });

    it("refuses a zero allocation", async function () {
      const { f, deploy, treasury, a } = await loadFixture(factoryFixture);
      await expect(deploy(treasury, 1000n, [a], [0n])).to.be.revertedWithCustomError(f, "LatentTokenInvalidAllocation").withArgs(0);
    });

    it("refuses the deployer or the zero address as treasury", async function () {
      const { f, deploy, deployer, a } = await loadFixture(factoryFixture);
      await expect(deploy(deployer.address, 1000n, [a], [1n])).to.be.revertedWithCustomError(f, "LatentTokenInvalidAllocation").withArgs(1);
      await expect(deploy(ZeroAddress, 1000n, [], [])).to.be.revertedWithCustomError(f, "LatentTokenInvalidAllocation").withArgs(0);
    });

    it("refuses allocations above the supply", async function () {
      const { f, deploy, treasury, a, b } = await loadFixture(factoryFixture);
      await expect(deploy(treasury, 1000n, [a, b], [600n, 500n]))
        .to.be.revertedWithCustomError(f, "LatentTokenAllocationExceedsSupply")
        .withArgs(1100n, 1000n);
    });

    it("refuses a supply of 2^96 or more", async function () {
      const { f, deploy, treasury } = await loadFixture(factoryFixture);
      await expect(deploy(treasury, 2n ** 96n, [], []))
        .to.be.revertedWithCustomError(f, "ERC20ExceededSafeSupply")
        .withArgs(2n ** 96n, 2n ** 96n - 1n);
    });
  });

  describe("votes", function () {
    it("uses the timestamp as its clock", async function () {
      const { c } = await loadFixture(baseFixture);
      expect(await c.token.CLOCK_MODE()).to.equal("mode=timestamp");
      expect(await c.token.clock()).to.equal(BigInt(await time.latest()));
    });

    it("counts a balance as votes once delegated, checkpointed by timestamp", async function () {
      const { c, clients } = await loadFixture(baseFixture);
      const holder = clients[0]!;
      expect(await c.token.getVotes(holder.address)).to.equal(0n);
      const tx = c.token.connect(holder).delegate(holder.address);
      await expect(tx).to.emit(c.token, "DelegateChanged").withArgs(holder.address, ZeroAddress, holder.address);
      await expect(tx).to.emit(c.token, "DelegateVotesChanged").withArgs(holder.address, 0, parseEther("100000"));
      const t = await time.latest();
      await time.increase(10);
      expect(await c.token.getPastVotes(holder.address, t)).to.equal(parseEther("100000"));
      expect(await c.token.getPastVotes(holder.address, t - 1)).to.equal(0n);
    });

    it("does not count staked tokens: they belong to the staking contract", async function () {
      const { c, providers } = await loadFixture(baseFixture);
      const p = providers[0]!;
      await c.token.connect(p).delegate(p.address);
      await c.token.connect(p).approve(await c.staking.getAddress(), parseEther("60000"));
      await expect(c.staking.connect(p).stake(parseEther("60000")))
        .to.emit(c.token, "DelegateVotesChanged")
        .withArgs(p.address, parseEther("100000"), parseEther("40000"));
      expect(await c.token.getVotes(await c.staking.getAddress())).to.equal(0n);
    });
  });

  describe("custodians", function () {
    it("are the staking, escrow and dispute contracts", async function () {
      const { c, funder } = await loadFixture(baseFixture);
      for (const custodian of [c.staking, c.jobEscrow, c.disputeManager]) {
        expect(await c.token.isCustodian(await custodian.getAddress())).to.equal(true);
      }
      expect(await c.token.isCustodian(funder.address)).to.equal(false);
    });

    it("never have a delegate", async function () {
      const { c } = await loadFixture(baseFixture);
      expect(await c.token.delegates(await c.staking.getAddress())).to.equal(ZeroAddress);
    });

    it("cannot delegate", async function () {
      const { c, funder } = await loadFixture(baseFixture);
      const staking = await asAccount(await c.staking.getAddress());
      await expect(c.token.connect(staking).delegate(funder.address))
        .to.be.revertedWithCustomError(c.token, "LatentTokenCustodianCannotDelegate")
        .withArgs(staking.address);
    });

    it("cannot receive an allocation", async function () {
      const { f, deploy, treasury, custodians } = await loadFixture(factoryFixture);
      await expect(deploy(treasury, 1000n, [custodians[1]], [1n]))
        .to.be.revertedWithCustomError(f, "LatentTokenInvalidAllocation")
        .withArgs(0);
    });

    it("cannot be the treasury, whose rest of the supply Staking and the JobEscrow could never pass on", async function () {
      const { f, deploy, a, custodians } = await loadFixture(factoryFixture);
      for (const custodian of custodians) {
        await expect(deploy(custodian, 1000n, [a], [1n])).to.be.revertedWithCustomError(f, "LatentTokenInvalidAllocation").withArgs(1);
      }
    });
  });

  describe("permit", function () {
    it("sets an allowance from a signature and bumps the nonce", async function () {
      const { s, c, clients } = await loadFixture(baseFixture);
      const owner = clients[0]!;
      const spender = clients[1]!.address;
      const deadline = BigInt((await time.latest()) + 60);
      const sig = await signPermit(s, owner, spender, 5n, deadline);
      await expect(c.token.permit(owner.address, spender, 5n, deadline, sig.v, sig.r, sig.s))
        .to.emit(c.token, "Approval")
        .withArgs(owner.address, spender, 5n);
      expect(await c.token.nonces(owner.address)).to.equal(1n);
    });
  });
});
