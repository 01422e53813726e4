/**
 * Shared fixtures: a full deployment through deployLatent (the same code as production), with the scenario's
 * actors, funded accounts and, where asked, registered providers and jobs. Use them through loadFixture.
 */
import { ethers } from "hardhat";
import { impersonateAccount, setBalance, time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { parseEther, ZeroAddress } from "ethers";
import {
  Tier,
  deployScenario,
  fund,
  gpuModelId,
  regionId,
  registerProvider,
  GPU_MODELS,
} from "../../scripts/scenario";
import type { ProviderHandle, ProviderListing, Scenario } from "../../scripts/scenario";
import type { IProviderRegistry } from "../../typechain-types/contracts/registry/ProviderRegistry";

export const FUNDS = parseEther("100000");

export interface Base {
  s: Scenario;
  c: Scenario["c"];
  deployer: HardhatEthersSigner;
  guardian: HardhatEthersSigner;
  arbitrator: HardhatEthersSigner;
  funder: HardhatEthersSigner;
  voters: HardhatEthersSigner[];
  providers: HardhatEthersSigner[];
  operators: HardhatEthersSigner[];
  clients: HardhatEthersSigner[];
  timelock: HardhatEthersSigner;
  treasury: string;
}

/** A fresh deployment; providers and clients hold FUNDS LAT each. */
export async function baseFixture(): Promise<Base> {
  const signers = await ethers.getSigners();
  const s = await deployScenario(signers);
  await fund(s, [...signers.slice(6, 12), ...signers.slice(15, 20)], FUNDS);
  const timelockAddress = await s.c.timelock.getAddress();
  return {
    s,
    c: s.c,
    deployer: signers[0] as HardhatEthersSigner,
    guardian: signers[1] as HardhatEthersSigner,
    arbitrator: signers[2] as HardhatEthersSigner,
    funder: signers[3] as HardhatEthersSigner,
    voters: signers.slice(4, 6),
    providers: signers.slice(6, 12),
    operators: signers.slice(12, 15),
    clients: signers.slice(15, 20),
    timelock: await asAccount(timelockAddress),
    treasury: timelockAddress,
  };
}

/** A signer for any address (a contract included), with ETH for gas. */
export async function asAccount(address: string): Promise<HardhatEthersSigner> {
  await impersonateAccount(address);
  await setBalance(address, parseEther("100"));
  return ethers.getSigner(address);
}

export function gpu(id: string): (typeof GPU_MODELS)[number] {
  const m = GPU_MODELS.find((g) => g.id === id);
  if (m === undefined) throw new Error(id);
  return m;
}

export const H100_LISTING: ProviderListing = {
  gpuModel: gpu("h100-sxm-80gb"),
  region: "eu-west",
  gpuCount: 8,
  pricePerGpuHour: parseEther("2"),
  metadataURI: "https://h100.example/worker.json",
};

export const RTX_LISTING: ProviderListing = {
  gpuModel: gpu("rtx-4090-24gb"),
  region: "us-east",
  gpuCount: 2,
  pricePerGpuHour: parseEther("0.4"),
  metadataURI: "https://rtx.example/worker.json",
};

export const H100_STAKE = parseEther("10000");
export const RTX_STAKE = parseEther("2000");

export interface WithProviders extends Base {
  h100: ProviderHandle;
  rtx: ProviderHandle;
}

/** Base plus two active providers: an 8x H100 (operator: operators[0]) and a 2x RTX 4090 without operator. */
export async function providersFixture(): Promise<WithProviders> {
  const b = await baseFixture();
  const h100 = await registerProvider(b.s, b.providers[0]!, { listing: H100_LISTING, stake: H100_STAKE, operator: b.operators[0] });
  const rtx = await registerProvider(b.s, b.providers[1]!, { listing: RTX_LISTING, stake: RTX_STAKE });
  return { ...b, h100, rtx };
}

/** A ProviderSpec struct with overrides. */
export function spec(overrides: Partial<IProviderRegistry.ProviderSpecStruct> = {}): IProviderRegistry.ProviderSpecStruct {
  return {
    gpuModel: gpuModelId("h100-sxm-80gb"),
    region: regionId("eu-west"),
    vramGiB: 80,
    gpuCount: 8,
    tier: Tier.Enterprise,
    pricePerGpuHour: parseEther("2"),
    ...overrides,
  };
}

/** Left-aligned, zero-padded raw bytes of `text` (no validation), for invalid-id tests. */
export function rawId(text: string, size: 16 | 32): string {
  const bytes = Buffer.alloc(size);
  Buffer.from(text, "latin1").copy(bytes);
  return `0x${bytes.toString("hex")}`;
}

export async function now(): Promise<number> {
  return time.latest();
}

export { ZeroAddress };

/**
 * A signature deadline (a permit's) a day past the chain's latest block, for tests that do not test the deadline.
 * After loadFixture reverts to its snapshot the latest block keeps the snapshot's time while the next block takes the
 * wall clock's, so a deadline minutes past `time.latest()` has expired when a slow run reaches the test that long
 * after the file's first (seen at load 20-29: ERC2612ExpiredSignature).
 */
export async function signatureDeadline(): Promise<bigint> {
  return BigInt((await time.latest()) + 86_400);
}
