import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import fc from "fast-check";
import { LibrariesHarness__factory } from "../../../typechain-types";
import { rawId } from "../../helpers/fixtures";

/** Reference model of LatentIds.isValid over raw bytes. */
function referenceIsValid(bytes: Uint8Array): boolean {
  const first = bytes.indexOf(0);
  const length = first === -1 ? bytes.length : first;
  if (length === 0) return false;
  for (let i = 0; i < length; i++) {
    const c = bytes[i]!;
    if (!((c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x2d)) return false;
  }
  return bytes.slice(length).every((b) => b === 0);
}

const hex = (bytes: Uint8Array) => `0x${Buffer.from(bytes).toString("hex")}`;

describe("libraries", function () {
  async function harnessFixture() {
    const [deployer] = await ethers.getSigners();
    return new LibrariesHarness__factory(deployer).deploy();
  }

  describe("LatentIds", function () {
    it("accepts normalised ids and rejects everything else, like the reference model (random ids)", async function () {
      const h = await loadFixture(harnessFixture);
      const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789-";
      const normalised = fc
        .array(fc.constantFrom(...alphabet.split("")), { minLength: 1, maxLength: 32 })
        .map((chars) => Buffer.from(rawId(chars.join(""), 32).slice(2), "hex"));
      const anyBytes = fc.uint8Array({ minLength: 32, maxLength: 32 });
      const nearlyValid = fc
        .tuple(fc.array(fc.constantFrom(...alphabet.split("")), { minLength: 1, maxLength: 31 }), fc.integer({ min: 0, max: 255 }), fc.nat(31))
        .map(([chars, byte, at]) => {
          const b = Buffer.from(rawId(chars.join(""), 32).slice(2), "hex");
          b[at] = byte;
          return b;
        });
      await fc.assert(
        fc.asyncProperty(fc.oneof(normalised, anyBytes, nearlyValid), async (bytes) => {
          expect(await h.isValid(hex(bytes))).to.equal(referenceIsValid(bytes));
        }),
        { numRuns: 150, seed: 42 },
      );
    });

    it("checks a region code over its 16 bytes", async function () {
      const h = await loadFixture(harnessFixture);
      expect(await h.isValidRegion(rawId("ap-southeast", 16))).to.equal(true);
      expect(await h.isValidRegion(rawId("a".repeat(16), 16))).to.equal(true);
      expect(await h.isValidRegion(rawId("Eu", 16))).to.equal(false);
      expect(await h.isValidRegion(rawId("", 16))).to.equal(false);
    });
  });

  describe("LatentMath", function () {
    it("rounds basis-point shares and metered cost down, like exact integer division", async function () {
      const h = await loadFixture(harnessFixture);
      const amount = fc.bigInt({ min: 0n, max: 2n ** 96n - 1n });
      await fc.assert(
        fc.asyncProperty(amount, fc.integer({ min: 0, max: 10_000 }), fc.bigInt({ min: 0n, max: 2n ** 96n - 1n }), fc.integer({ min: 0, max: 65_535 }), fc.integer({ min: 0, max: 30 * 86_400 }), async (a, b, price, gpus, seconds) => {
          expect(await h.bps(a, b)).to.equal((a * BigInt(b)) / 10_000n);
          expect(await h.cost(price, gpus, seconds)).to.equal((price * BigInt(gpus) * BigInt(seconds)) / 3600n);
        }),
        { numRuns: 60, seed: 7 },
      );
    });

    it("rounds the shares the protocol takes (bpsUp) up, never above the amount, and to a wei for any non-zero share of a wei", async function () {
      const h = await loadFixture(harnessFixture);
      expect(await h.bpsUp(1n, 1)).to.equal(1n);
      expect(await h.bpsUp(0n, 10_000)).to.equal(0n);
      expect(await h.bpsUp(1n, 0)).to.equal(0n);
      expect(await h.bpsUp(40n, 250)).to.equal(1n);
      expect(await h.bpsUp(41n, 250)).to.equal(2n);
      await fc.assert(
        fc.asyncProperty(fc.bigInt({ min: 0n, max: 2n ** 96n - 1n }), fc.integer({ min: 0, max: 10_000 }), async (a, b) => {
          const up = await h.bpsUp(a, b);
          expect(up).to.equal((a * BigInt(b) + 9_999n) / 10_000n);
          expect(up <= a).to.equal(true);
        }),
        { numRuns: 60, seed: 7 },
      );
    });
  });
});
