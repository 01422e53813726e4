// JobEscrow.recoverTokens and Staking.recoverTokens behave alike (any ERC20 but LAT, which they hold only for someone
// and keep no sum of), so one spec runs against both; DisputeManager's, which may also take LAT above its deposits, is
// tested in test/contracts/disputes.
import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { MaxUint256, parseEther, ZeroAddress } from "ethers";
import { LatentToken__factory } from "../../../typechain-types";
import { createJob, delegate, passProposal } from "../../../scripts/scenario";
import { providersFixture } from "../../helpers/fixtures";

const LAT = (n: string) => parseEther(n);
const STRAY = LAT("1000");

/** Both contracts holding LAT that is owed (a provider's stake, a job's escrow) and STRAY of another ERC20 each. */
async function strayFixture() {
  const w = await providersFixture();
  const job = await createJob(w.s, w.clients[0]!, { gpuModel: "h100-sxm-80gb", gpuCount: 4 });
  // A second deployment of the token contract is simply some other ERC20 here.
  const other = await new LatentToken__factory(w.deployer).deploy(w.funder.address, LAT("1000000"), [], [], [ZeroAddress, ZeroAddress, ZeroAddress]);
  for (const target of [w.c.jobEscrow, w.c.staking]) await other.connect(w.funder).transfer(await target.getAddress(), STRAY);
  return { ...w, job, other };
}

for (const name of ["JobEscrow", "Staking"] as const) {
  describe(`${name}.recoverTokens`, function () {
    const contractOf = (w: Awaited<ReturnType<typeof strayFixture>>) => (name === "JobEscrow" ? w.c.jobEscrow : w.c.staking);

    it("sends a given amount of another token to the address governance names and emits TokensRecovered", async function () {
      const w = await loadFixture(strayFixture);
      const target = contractOf(w);
      const tx = target.connect(w.timelock).recoverTokens(await w.other.getAddress(), w.funder.address, LAT("400"));
      await expect(tx).to.emit(target, "TokensRecovered").withArgs(await w.other.getAddress(), w.funder.address, LAT("400"));
      await expect(tx).to.changeTokenBalances(w.other, [target, w.funder], [-LAT("400"), LAT("400")]);
    });

    it("sends the whole balance of another token, read at execution, for type(uint256).max", async function () {
      const w = await loadFixture(strayFixture);
      const target = contractOf(w);
      await w.other.connect(w.funder).transfer(await target.getAddress(), LAT("5"));
      const tx = target.connect(w.timelock).recoverTokens(await w.other.getAddress(), w.funder.address, MaxUint256);
      await expect(tx).to.emit(target, "TokensRecovered").withArgs(await w.other.getAddress(), w.funder.address, STRAY + LAT("5"));
      expect(await w.other.balanceOf(await target.getAddress())).to.equal(0);
    });

    it("returns the amount sent", async function () {
      const w = await loadFixture(strayFixture);
      const target = contractOf(w);
      expect(await target.connect(w.timelock).recoverTokens.staticCall(await w.other.getAddress(), w.funder.address, MaxUint256)).to.equal(STRAY);
    });

    it("leaves the LAT it holds untouched", async function () {
      const w = await loadFixture(strayFixture);
      const target = contractOf(w);
      const lat = await w.c.token.balanceOf(await target.getAddress());
      expect(lat).to.be.greaterThan(0);
      await target.connect(w.timelock).recoverTokens(await w.other.getAddress(), w.funder.address, MaxUint256);
      expect(await w.c.token.balanceOf(await target.getAddress())).to.equal(lat);
    });

    it(`refuses LAT by ${name}RecoveryOfLat, naming the token, even for type(uint256).max`, async function () {
      const w = await loadFixture(strayFixture);
      const target = contractOf(w);
      const lat = await w.c.token.getAddress();
      for (const amount of [1n, MaxUint256]) {
        await expect(target.connect(w.timelock).recoverTokens(lat, w.funder.address, amount))
          .to.be.revertedWithCustomError(target, `${name}RecoveryOfLat`)
          .withArgs(lat);
      }
    });

    it(`refuses more than the balance by ${name}RecoveryExceedsBalance`, async function () {
      const w = await loadFixture(strayFixture);
      const target = contractOf(w);
      await expect(target.connect(w.timelock).recoverTokens(await w.other.getAddress(), w.funder.address, STRAY + 1n))
        .to.be.revertedWithCustomError(target, `${name}RecoveryExceedsBalance`)
        .withArgs(STRAY + 1n, STRAY);
    });

    it(`refuses a zero amount, and type(uint256).max of a token it holds none of, by ${name}RecoveryZeroAmount`, async function () {
      const w = await loadFixture(strayFixture);
      const target = contractOf(w);
      const none = await new LatentToken__factory(w.deployer).deploy(w.funder.address, LAT("1"), [], [], [ZeroAddress, ZeroAddress, ZeroAddress]);
      for (const [token, amount] of [[await w.other.getAddress(), 0n], [await none.getAddress(), MaxUint256]] as const) {
        await expect(target.connect(w.timelock).recoverTokens(token, w.funder.address, amount)).to.be.revertedWithCustomError(
          target,
          `${name}RecoveryZeroAmount`,
        );
      }
    });

    it(`refuses the zero address as recipient by ${name}RecoveryZeroRecipient`, async function () {
      const w = await loadFixture(strayFixture);
      const target = contractOf(w);
      await expect(target.connect(w.timelock).recoverTokens(await w.other.getAddress(), ZeroAddress, STRAY)).to.be.revertedWithCustomError(
        target,
        `${name}RecoveryZeroRecipient`,
      );
    });

    it("is refused to anyone but governance, the guardian included", async function () {
      const w = await loadFixture(strayFixture);
      const target = contractOf(w);
      for (const caller of [w.guardian, w.funder]) {
        await expect(target.connect(caller).recoverTokens(await w.other.getAddress(), caller.address, STRAY))
          .to.be.revertedWithCustomError(target, "GovernedOnlyGovernance")
          .withArgs(caller.address);
      }
    });

    it("still runs while the guardian has paused the protocol", async function () {
      const w = await loadFixture(strayFixture);
      const target = contractOf(w);
      await w.c.pauseGuardian.connect(w.guardian).pause();
      await expect(target.connect(w.timelock).recoverTokens(await w.other.getAddress(), w.funder.address, STRAY))
        .to.emit(target, "TokensRecovered")
        .withArgs(await w.other.getAddress(), w.funder.address, STRAY);
    });

    it("runs as a governance proposal through the Governor and the timelock", async function () {
      const w = await loadFixture(strayFixture);
      const target = contractOf(w);
      const data = target.interface.encodeFunctionData("recoverTokens", [await w.other.getAddress(), w.funder.address, MaxUint256]);
      await delegate(w.s, w.funder);
      const before = await w.other.balanceOf(w.funder.address);
      await passProposal(w.s, [{ target: await target.getAddress(), data }], `Return a token sent to the ${name} by mistake`);
      expect(await w.other.balanceOf(w.funder.address)).to.equal(before + STRAY);
    });
  });
}
