import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { parseEther, ZeroAddress, encodeBytes32String } from "ethers";
import { ProviderRegistry__factory } from "../../../typechain-types";
import { Tier, acceptJob, createJob, gpuModelId, regionId, submitResult, thaw } from "../../../scripts/scenario";
import {
  H100_LISTING,
  asAccount,
  baseFixture,
  providersFixture,
  rawId,
  spec,
} from "../../helpers/fixtures";

const NAME = "NVIDIA H100 SXM5 80GB";
const URI = "https://h100.example/worker.json";

describe("ProviderRegistry", function () {
  describe("constructor", function () {
    it("emits the initial maxGpusPerProvider", async function () {
      const { c } = await loadFixture(baseFixture);
      await expect(c.registry.deploymentTransaction())
        .to.emit(c.registry, "ParameterUpdated")
        .withArgs(encodeBytes32String("maxGpusPerProvider"), 64);
    });

    it("refuses a zero staking, escrow, guardian or governance address", async function () {
      const { deployer, c } = await loadFixture(baseFixture);
      const f = new ProviderRegistry__factory(deployer);
      const x = await c.staking.getAddress();
      for (const [args, name] of [
        [[ZeroAddress, x, x, x, 8], "governance"],
        [[x, ZeroAddress, x, x, 8], "staking"],
        [[x, x, ZeroAddress, x, 8], "jobEscrow"],
        [[x, x, x, ZeroAddress, 8], "pauseGuardian"],
      ] as const) {
        await expect(f.deploy(...args))
          .to.be.revertedWithCustomError(c.registry, "GovernedZeroAddress")
          .withArgs(encodeBytes32String(name));
      }
    });

    it("refuses a maxGpusPerProvider outside [1, 1024]", async function () {
      const { deployer, c } = await loadFixture(baseFixture);
      const x = await c.staking.getAddress();
      await expect(new ProviderRegistry__factory(deployer).deploy(x, x, x, x, 1025))
        .to.be.revertedWithCustomError(c.registry, "GovernedParameterOutOfBounds")
        .withArgs(encodeBytes32String("maxGpusPerProvider"), 1025, 1, 1024);
    });
  });

  describe("register", function () {
    it("stores the record, offline, and emits every field with the human strings", async function () {
      const { c, providers, operators } = await loadFixture(baseFixture);
      const p = providers[0]!;
      await expect(c.registry.connect(p).register(spec(), NAME, URI, operators[0]!.address))
        .to.emit(c.registry, "ProviderRegistered")
        .withArgs(
          p.address,
          gpuModelId("h100-sxm-80gb"),
          NAME,
          regionId("eu-west"),
          80,
          8,
          Tier.Enterprise,
          parseEther("2"),
          URI,
          operators[0]!.address,
        );
      const r = await c.registry.getProvider(p.address);
      expect([r.operator, r.gpuCount, r.gpusInUse, r.vramGiB, r.tier, r.online, r.registered]).to.deep.equal([
        operators[0]!.address,
        8n,
        0n,
        80n,
        BigInt(Tier.Enterprise),
        false,
        true,
      ]);
      expect([r.gpuModel, r.pricePerGpuHour, r.region]).to.deep.equal([
        gpuModelId("h100-sxm-80gb"),
        parseEther("2"),
        regionId("eu-west"),
      ]);
    });

    it("counts registered providers", async function () {
      const { c, providers } = await loadFixture(baseFixture);
      await c.registry.connect(providers[0]!).register(spec(), NAME, URI, ZeroAddress);
      await c.registry.connect(providers[1]!).register(spec(), NAME, URI, ZeroAddress);
      expect(await c.registry.providerCount()).to.equal(2n);
    });

    it("is refused while the protocol is paused", async function () {
      const { c, providers, guardian } = await loadFixture(baseFixture);
      await c.pauseGuardian.connect(guardian).pause();
      const until = await c.pauseGuardian.pausedUntil();
      await expect(c.registry.connect(providers[0]!).register(spec(), NAME, URI, ZeroAddress))
        .to.be.revertedWithCustomError(c.pauseGuardian, "PauseGuardianProtocolPaused")
        .withArgs(until);
    });

    it("refuses a second registration of the same address", async function () {
      const { c, providers } = await loadFixture(baseFixture);
      await c.registry.connect(providers[0]!).register(spec(), NAME, URI, ZeroAddress);
      await expect(c.registry.connect(providers[0]!).register(spec(), NAME, URI, ZeroAddress))
        .to.be.revertedWithCustomError(c.registry, "ProviderRegistryAlreadyRegistered")
        .withArgs(providers[0]!.address);
    });

    for (const [label, id] of [
      ["empty", rawId("", 32)],
      ["uppercase", rawId("H100", 32)],
      ["with a space", rawId("h100 sxm", 32)],
      ["not left-aligned", `0x00${rawId("h100", 32).slice(2, 64)}`],
      ["with bytes after a zero", rawId("h100\u0000x", 32)],
    ] as const) {
      it(`refuses a GPU model id that is ${label}`, async function () {
        const { c, providers } = await loadFixture(baseFixture);
        await expect(c.registry.connect(providers[0]!).register(spec({ gpuModel: id }), NAME, URI, ZeroAddress))
          .to.be.revertedWithCustomError(c.registry, "ProviderRegistryInvalidGpuModel")
          .withArgs(id);
      });
    }

    it("accepts a GPU model id that fills all 32 bytes", async function () {
      const { c, providers } = await loadFixture(baseFixture);
      const id = gpuModelId("a".repeat(30) + "-9");
      await expect(c.registry.connect(providers[0]!).register(spec({ gpuModel: id }), NAME, URI, ZeroAddress)).to.emit(
        c.registry,
        "ProviderRegistered",
      );
    });

    for (const [label, name] of [
      ["empty", ""],
      ["longer than 64 bytes", "x".repeat(65)],
    ] as const) {
      it(`refuses a display name that is ${label}`, async function () {
        const { c, providers } = await loadFixture(baseFixture);
        await expect(c.registry.connect(providers[0]!).register(spec(), name, URI, ZeroAddress))
          .to.be.revertedWithCustomError(c.registry, "ProviderRegistryInvalidGpuModelName")
          .withArgs(name.length, 64);
      });
    }

    for (const [label, region] of [
      ["empty", rawId("", 16)],
      ["uppercase", rawId("EU-WEST", 16)],
    ] as const) {
      it(`refuses a region that is ${label}`, async function () {
        const { c, providers } = await loadFixture(baseFixture);
        await expect(c.registry.connect(providers[0]!).register(spec({ region }), NAME, URI, ZeroAddress))
          .to.be.revertedWithCustomError(c.registry, "ProviderRegistryInvalidRegion")
          .withArgs(region);
      });
    }

    for (const vram of [0, 4097]) {
      it(`refuses ${vram} GiB of VRAM`, async function () {
        const { c, providers } = await loadFixture(baseFixture);
        await expect(c.registry.connect(providers[0]!).register(spec({ vramGiB: vram }), NAME, URI, ZeroAddress))
          .to.be.revertedWithCustomError(c.registry, "ProviderRegistryInvalidVram")
          .withArgs(vram, 4096);
      });
    }

    for (const count of [0, 65]) {
      it(`refuses a GPU count of ${count} (max 64)`, async function () {
        const { c, providers } = await loadFixture(baseFixture);
        await expect(c.registry.connect(providers[0]!).register(spec({ gpuCount: count }), NAME, URI, ZeroAddress))
          .to.be.revertedWithCustomError(c.registry, "ProviderRegistryInvalidGpuCount")
          .withArgs(count, 64);
      });
    }

    it("refuses the Any tier for a machine", async function () {
      const { c, providers } = await loadFixture(baseFixture);
      await expect(c.registry.connect(providers[0]!).register(spec({ tier: Tier.Any }), NAME, URI, ZeroAddress))
        .to.be.revertedWithCustomError(c.registry, "ProviderRegistryInvalidTier")
        .withArgs(Tier.Any);
    });

    it("refuses a zero price", async function () {
      const { c, providers } = await loadFixture(baseFixture);
      await expect(c.registry.connect(providers[0]!).register(spec({ pricePerGpuHour: 0 }), NAME, URI, ZeroAddress))
        .to.be.revertedWithCustomError(c.registry, "ProviderRegistryInvalidPrice")
        .withArgs(0);
    });

    for (const [label, uri] of [
      ["empty", ""],
      ["longer than 256 bytes", "x".repeat(257)],
    ] as const) {
      it(`refuses a metadata URI that is ${label}`, async function () {
        const { c, providers } = await loadFixture(baseFixture);
        await expect(c.registry.connect(providers[0]!).register(spec(), NAME, uri, ZeroAddress))
          .to.be.revertedWithCustomError(c.registry, "ProviderRegistryInvalidMetadataURI")
          .withArgs(uri.length, 256);
      });
    }

    it("refuses the provider as its own operator", async function () {
      const { c, providers } = await loadFixture(baseFixture);
      const p = providers[0]!;
      await expect(c.registry.connect(p).register(spec(), NAME, URI, p.address))
        .to.be.revertedWithCustomError(c.registry, "ProviderRegistryInvalidOperator")
        .withArgs(p.address);
    });
  });

  describe("update", function () {
    it("replaces the specs and price and emits the whole spec", async function () {
      const { c, rtx } = await loadFixture(providersFixture);
      const next = spec({ gpuModel: gpuModelId("rtx-5090-32gb"), vramGiB: 32, gpuCount: 4, tier: Tier.Consumer, pricePerGpuHour: 7n });
      await expect(c.registry.connect(rtx.signer).update(next, "RTX 5090", "https://new.example"))
        .to.emit(c.registry, "ProviderUpdated")
        .withArgs(rtx.address, gpuModelId("rtx-5090-32gb"), "RTX 5090", regionId("eu-west"), 32, 4, Tier.Consumer, 7n, "https://new.example");
      const r = await c.registry.getProvider(rtx.address);
      expect([r.gpuModel, r.vramGiB, r.gpuCount, r.pricePerGpuHour, r.region]).to.deep.equal([
        gpuModelId("rtx-5090-32gb"),
        32n,
        4n,
        7n,
        regionId("eu-west"),
      ]);
    });

    it("keeps the operator, the online flag and the GPUs in use", async function () {
      const { s, c, h100, clients, operators } = await loadFixture(providersFixture);
      const job = await createJob(s, clients[0]!, { gpuCount: 3 });
      await acceptJob(s, job, h100);
      await c.registry.connect(h100.signer).update(spec({ gpuCount: 5 }), NAME, URI);
      const r = await c.registry.getProvider(h100.address);
      expect([r.operator, r.online, r.gpusInUse, r.gpuCount]).to.deep.equal([operators[0]!.address, true, 3n, 5n]);
    });

    it("refuses fewer GPUs than are in use", async function () {
      const { s, c, h100, clients } = await loadFixture(providersFixture);
      const job = await createJob(s, clients[0]!, { gpuCount: 3 });
      await acceptJob(s, job, h100);
      await expect(c.registry.connect(h100.signer).update(spec({ gpuCount: 2 }), NAME, URI))
        .to.be.revertedWithCustomError(c.registry, "ProviderRegistryGpuCountBelowInUse")
        .withArgs(2, 3);
    });

    it("validates the new spec like register", async function () {
      const { c, h100 } = await loadFixture(providersFixture);
      await expect(c.registry.connect(h100.signer).update(spec({ vramGiB: 0 }), NAME, URI))
        .to.be.revertedWithCustomError(c.registry, "ProviderRegistryInvalidVram")
        .withArgs(0, 4096);
    });

    it("is refused to an unregistered caller, an operator included", async function () {
      const { c, h100 } = await loadFixture(providersFixture);
      const op = h100.operator!;
      await expect(c.registry.connect(op).update(spec(), NAME, URI))
        .to.be.revertedWithCustomError(c.registry, "ProviderRegistryNotRegistered")
        .withArgs(await op.getAddress());
    });
  });

  describe("setPrice", function () {
    it("changes only the price and emits it", async function () {
      const { c, h100 } = await loadFixture(providersFixture);
      await expect(c.registry.connect(h100.signer).setPrice(123n))
        .to.emit(c.registry, "ProviderPriceUpdated")
        .withArgs(h100.address, 123n);
      expect((await c.registry.getProvider(h100.address)).pricePerGpuHour).to.equal(123n);
    });

    it("refuses a zero price", async function () {
      const { c, h100 } = await loadFixture(providersFixture);
      await expect(c.registry.connect(h100.signer).setPrice(0))
        .to.be.revertedWithCustomError(c.registry, "ProviderRegistryInvalidPrice")
        .withArgs(0);
    });

    it("cannot be called by the operator for its provider", async function () {
      const { c, h100 } = await loadFixture(providersFixture);
      const op = h100.operator!;
      await expect(c.registry.connect(op).setPrice(1n))
        .to.be.revertedWithCustomError(c.registry, "ProviderRegistryNotRegistered")
        .withArgs(await op.getAddress());
    });
  });

  describe("setOperator", function () {
    it("names a new operator and emits it", async function () {
      const { c, rtx, operators } = await loadFixture(providersFixture);
      await expect(c.registry.connect(rtx.signer).setOperator(operators[1]!.address))
        .to.emit(c.registry, "ProviderOperatorSet")
        .withArgs(rtx.address, operators[1]!.address);
      expect((await c.registry.getProvider(rtx.address)).operator).to.equal(operators[1]!.address);
    });

    it("removes the old operator's powers", async function () {
      const { c, h100, operators } = await loadFixture(providersFixture);
      await c.registry.connect(h100.signer).setOperator(operators[1]!.address);
      await expect(c.registry.connect(operators[0]!).setOnline(h100.address, false))
        .to.be.revertedWithCustomError(c.registry, "ProviderRegistryUnauthorized")
        .withArgs(operators[0]!.address, h100.address);
    });

    it("refuses the provider itself", async function () {
      const { c, h100 } = await loadFixture(providersFixture);
      await expect(c.registry.connect(h100.signer).setOperator(h100.address))
        .to.be.revertedWithCustomError(c.registry, "ProviderRegistryInvalidOperator")
        .withArgs(h100.address);
    });

    it("cannot be called by the operator", async function () {
      const { c, h100, operators } = await loadFixture(providersFixture);
      await expect(c.registry.connect(operators[0]!).setOperator(operators[1]!.address))
        .to.be.revertedWithCustomError(c.registry, "ProviderRegistryNotRegistered")
        .withArgs(operators[0]!.address);
    });
  });

  describe("setOnline", function () {
    it("lets the provider go offline and emits who did it", async function () {
      const { c, h100 } = await loadFixture(providersFixture);
      await expect(c.registry.connect(h100.signer).setOnline(h100.address, false))
        .to.emit(c.registry, "ProviderOnlineSet")
        .withArgs(h100.address, false, h100.address);
      expect((await c.registry.getProvider(h100.address)).online).to.equal(false);
    });

    it("lets the operator go online for its provider", async function () {
      const { c, h100, operators } = await loadFixture(providersFixture);
      await c.registry.connect(h100.signer).setOnline(h100.address, false);
      await expect(c.registry.connect(operators[0]!).setOnline(h100.address, true))
        .to.emit(c.registry, "ProviderOnlineSet")
        .withArgs(h100.address, true, operators[0]!.address);
    });

    it("refuses anyone else", async function () {
      const { c, rtx, clients } = await loadFixture(providersFixture);
      await expect(c.registry.connect(clients[0]!).setOnline(rtx.address, false))
        .to.be.revertedWithCustomError(c.registry, "ProviderRegistryUnauthorized")
        .withArgs(clients[0]!.address, rtx.address);
    });

    it("refuses an unregistered provider", async function () {
      const { c, clients } = await loadFixture(providersFixture);
      await expect(c.registry.connect(clients[0]!).setOnline(clients[0]!.address, true))
        .to.be.revertedWithCustomError(c.registry, "ProviderRegistryNotRegistered")
        .withArgs(clients[0]!.address);
    });
  });

  describe("deregister", function () {
    it("deletes the record, uncounts it and emits", async function () {
      const { c, rtx } = await loadFixture(providersFixture);
      await expect(c.registry.connect(rtx.signer).deregister()).to.emit(c.registry, "ProviderDeregistered").withArgs(rtx.address);
      expect((await c.registry.getProvider(rtx.address)).registered).to.equal(false);
      expect(await c.registry.providerCount()).to.equal(1n);
    });

    it("leaves the stake in Staking", async function () {
      const { c, rtx } = await loadFixture(providersFixture);
      const before = await c.staking.getStake(rtx.address);
      await c.registry.connect(rtx.signer).deregister();
      expect(await c.staking.getStake(rtx.address)).to.deep.equal(before);
    });

    it("allows registering again afterwards", async function () {
      const { c, rtx } = await loadFixture(providersFixture);
      await c.registry.connect(rtx.signer).deregister();
      await expect(c.registry.connect(rtx.signer).register(spec(), NAME, URI, ZeroAddress)).to.emit(c.registry, "ProviderRegistered");
    });

    it("is refused while GPUs are reserved", async function () {
      const { s, c, h100, clients } = await loadFixture(providersFixture);
      const job = await createJob(s, clients[0]!, { gpuCount: 2 });
      await acceptJob(s, job, h100);
      const [, locked] = await c.staking.getStake(h100.address);
      await expect(c.registry.connect(h100.signer).deregister())
        .to.be.revertedWithCustomError(c.registry, "ProviderRegistryWorkInProgress")
        .withArgs(h100.address, 2, locked);
    });

    it("is refused while collateral is locked after the GPUs were released", async function () {
      const { s, c, h100, clients } = await loadFixture(providersFixture);
      const job = await createJob(s, clients[0]!, { gpuCount: 2 });
      await acceptJob(s, job, h100);
      await submitResult(s, job, h100);
      const [, locked] = await c.staking.getStake(h100.address);
      expect(locked).to.be.greaterThan(0n);
      await expect(c.registry.connect(h100.signer).deregister())
        .to.be.revertedWithCustomError(c.registry, "ProviderRegistryWorkInProgress")
        .withArgs(h100.address, 0, locked);
    });

    it("is refused to an unregistered caller", async function () {
      const { c, clients } = await loadFixture(providersFixture);
      await expect(c.registry.connect(clients[0]!).deregister())
        .to.be.revertedWithCustomError(c.registry, "ProviderRegistryNotRegistered")
        .withArgs(clients[0]!.address);
    });
  });

  describe("reserve and release (job escrow only)", function () {
    async function escrowFixture() {
      const w = await providersFixture();
      return { ...w, escrow: await asAccount(await w.c.jobEscrow.getAddress()) };
    }

    it("reserve returns the record before the reservation and emits the new total", async function () {
      const { c, escrow, h100 } = await loadFixture(escrowFixture);
      const before = await c.registry.getProvider(h100.address);
      const returned = await c.registry.connect(escrow).reserve.staticCall(h100.address, h100.address, 7n, 3);
      expect(returned).to.deep.equal(before);
      await expect(c.registry.connect(escrow).reserve(h100.address, h100.address, 7n, 3))
        .to.emit(c.registry, "CapacityReserved")
        .withArgs(h100.address, 7n, 3, 3);
      expect(await c.registry.freeGpus(h100.address)).to.equal(5n);
    });

    it("reserve accepts the provider's operator as caller", async function () {
      const { c, escrow, h100 } = await loadFixture(escrowFixture);
      await expect(c.registry.connect(escrow).reserve(h100.address, await h100.operator!.getAddress(), 7n, 1)).to.emit(
        c.registry,
        "CapacityReserved",
      );
    });

    it("reserve refuses a caller that is neither the provider nor its operator", async function () {
      const { c, escrow, h100, clients } = await loadFixture(escrowFixture);
      await expect(c.registry.connect(escrow).reserve(h100.address, clients[0]!.address, 7n, 1))
        .to.be.revertedWithCustomError(c.registry, "ProviderRegistryUnauthorized")
        .withArgs(clients[0]!.address, h100.address);
    });

    it("reserve refuses an unregistered provider", async function () {
      const { c, escrow, clients } = await loadFixture(escrowFixture);
      await expect(c.registry.connect(escrow).reserve(clients[0]!.address, clients[0]!.address, 7n, 1))
        .to.be.revertedWithCustomError(c.registry, "ProviderRegistryNotRegistered")
        .withArgs(clients[0]!.address);
    });

    it("reserve refuses an offline provider", async function () {
      const { c, escrow, h100 } = await loadFixture(escrowFixture);
      await c.registry.connect(h100.signer).setOnline(h100.address, false);
      await expect(c.registry.connect(escrow).reserve(h100.address, h100.address, 7n, 1))
        .to.be.revertedWithCustomError(c.registry, "ProviderRegistryProviderInactive")
        .withArgs(h100.address);
    });

    it("reserve refuses a provider whose stake net of thawing is below the minimum", async function () {
      const { s, c, escrow, rtx } = await loadFixture(escrowFixture);
      // 2 GPUs need 200 LAT; leave 199 LAT not thawing.
      await thaw(s, rtx.signer, parseEther("2000") - parseEther("199"));
      await expect(c.registry.connect(escrow).reserve(rtx.address, rtx.address, 7n, 1))
        .to.be.revertedWithCustomError(c.registry, "ProviderRegistryProviderInactive")
        .withArgs(rtx.address);
    });

    it("reserve refuses more GPUs than are free", async function () {
      const { c, escrow, rtx } = await loadFixture(escrowFixture);
      await c.registry.connect(escrow).reserve(rtx.address, rtx.address, 1n, 1);
      await expect(c.registry.connect(escrow).reserve(rtx.address, rtx.address, 2n, 2))
        .to.be.revertedWithCustomError(c.registry, "ProviderRegistryInsufficientCapacity")
        .withArgs(rtx.address, 2, 1);
    });

    it("release frees the GPUs and emits the new total", async function () {
      const { c, escrow, h100 } = await loadFixture(escrowFixture);
      await c.registry.connect(escrow).reserve(h100.address, h100.address, 7n, 3);
      await expect(c.registry.connect(escrow).release(h100.address, 7n, 2))
        .to.emit(c.registry, "CapacityReleased")
        .withArgs(h100.address, 7n, 2, 1);
    });

    it("release of more than is reserved reverts", async function () {
      const { c, escrow, h100 } = await loadFixture(escrowFixture);
      await expect(c.registry.connect(escrow).release(h100.address, 7n, 1)).to.be.revertedWithPanic(0x11);
    });

    it("reserve and release are refused to anyone but the escrow, governance included", async function () {
      const { c, h100, timelock } = await loadFixture(escrowFixture);
      await expect(c.registry.connect(timelock).reserve(h100.address, h100.address, 1n, 1))
        .to.be.revertedWithCustomError(c.registry, "ProviderRegistryOnlyJobEscrow")
        .withArgs(timelock.address);
      await expect(c.registry.connect(h100.signer).release(h100.address, 1n, 1))
        .to.be.revertedWithCustomError(c.registry, "ProviderRegistryOnlyJobEscrow")
        .withArgs(h100.address);
    });
  });

  describe("views", function () {
    it("isActive is true for a registered, online, staked provider", async function () {
      const { c, h100 } = await loadFixture(providersFixture);
      expect(await c.registry.isActive(h100.address)).to.equal(true);
    });

    it("isActive is false offline", async function () {
      const { c, h100 } = await loadFixture(providersFixture);
      await c.registry.connect(h100.signer).setOnline(h100.address, false);
      expect(await c.registry.isActive(h100.address)).to.equal(false);
    });

    it("isActive is false once thawing takes the stake below the minimum", async function () {
      const { s, c, rtx } = await loadFixture(providersFixture);
      await thaw(s, rtx.signer, parseEther("1801"));
      expect(await c.registry.isActive(rtx.address)).to.equal(false);
    });

    it("isActive is false for an unregistered address", async function () {
      const { c, clients } = await loadFixture(providersFixture);
      expect(await c.registry.isActive(clients[0]!.address)).to.equal(false);
    });

    it("isAuthorized holds for the provider and its operator only", async function () {
      const { c, h100, rtx, clients, operators } = await loadFixture(providersFixture);
      expect(await c.registry.isAuthorized(h100.address, h100.address)).to.equal(true);
      expect(await c.registry.isAuthorized(h100.address, operators[0]!.address)).to.equal(true);
      expect(await c.registry.isAuthorized(h100.address, clients[0]!.address)).to.equal(false);
      expect(await c.registry.isAuthorized(rtx.address, ZeroAddress)).to.equal(false);
    });

    it("freeGpus is the listed count when nothing is reserved", async function () {
      const { c, h100 } = await loadFixture(providersFixture);
      expect(await c.registry.freeGpus(h100.address)).to.equal(BigInt(H100_LISTING.gpuCount));
    });
  });

  describe("setMaxGpusPerProvider", function () {
    it("is set by governance and emitted", async function () {
      const { c, timelock } = await loadFixture(baseFixture);
      await expect(c.registry.connect(timelock).setMaxGpusPerProvider(256))
        .to.emit(c.registry, "ParameterUpdated")
        .withArgs(encodeBytes32String("maxGpusPerProvider"), 256);
      expect(await c.registry.maxGpusPerProvider()).to.equal(256n);
    });

    it("bounds new listings", async function () {
      const { c, timelock, providers } = await loadFixture(baseFixture);
      await c.registry.connect(timelock).setMaxGpusPerProvider(4);
      await expect(c.registry.connect(providers[0]!).register(spec({ gpuCount: 5 }), NAME, URI, ZeroAddress))
        .to.be.revertedWithCustomError(c.registry, "ProviderRegistryInvalidGpuCount")
        .withArgs(5, 4);
    });

    for (const value of [0, 1025]) {
      it(`refuses ${value}`, async function () {
        const { c, timelock } = await loadFixture(baseFixture);
        await expect(c.registry.connect(timelock).setMaxGpusPerProvider(value))
          .to.be.revertedWithCustomError(c.registry, "GovernedParameterOutOfBounds")
          .withArgs(encodeBytes32String("maxGpusPerProvider"), value, 1, 1024);
      });
    }

    it("is refused to anyone but governance", async function () {
      const { c, deployer } = await loadFixture(baseFixture);
      await expect(c.registry.connect(deployer).setMaxGpusPerProvider(8))
        .to.be.revertedWithCustomError(c.registry, "GovernedOnlyGovernance")
        .withArgs(deployer.address);
    });
  });
});
