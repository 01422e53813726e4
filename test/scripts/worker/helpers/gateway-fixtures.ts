// Jobs as the gateway serialises them (Bytes as hex, BigInt as decimal strings), with a termsHash computed from a
// hand-written ABI type (not the one the code under test derives from the ABI).
import { AbiCoder, ZeroAddress, keccak256 } from "ethers";

export const MODEL = `0x${Buffer.from("rtx-4090-24gb").toString("hex").padEnd(64, "0")}`;
export const REGION = `0x${Buffer.from("eu-west").toString("hex").padEnd(32, "0")}`;
export const SPEC_HASH = keccak256(Buffer.from("spec"));
export const CLIENT = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";

const TERMS_TUPLE =
  "tuple(tuple(bytes32 gpuModel, bytes16 region, uint16 minVramGiB, uint16 gpuCount, uint8 tier, uint32 minCompletedJobs, uint16 minSlashRewardBps) requirements, uint96 maxPricePerGpuHour, uint32 maxDuration, uint64 acceptDeadline, address targetProvider, bytes32 specHash)";

export interface GatewayTermsJson {
  requirements: { gpuModel: string; region: string; minVramGiB: number; gpuCount: number; tier: number; minCompletedJobs: string; minSlashRewardBps: number };
  maxPricePerGpuHour: string;
  maxDuration: string;
  acceptDeadline: string;
  targetProvider: string;
  specHash: string;
}

export function termsJson(overrides: Partial<GatewayTermsJson> = {}): GatewayTermsJson {
  return {
    requirements: { gpuModel: MODEL, region: REGION, minVramGiB: 24, gpuCount: 2, tier: 2, minCompletedJobs: "3", minSlashRewardBps: 2500 },
    maxPricePerGpuHour: "350000000000000000",
    maxDuration: "3600",
    acceptDeadline: "1750000000",
    targetProvider: ZeroAddress,
    specHash: SPEC_HASH,
    ...overrides,
  };
}

/** keccak256(abi.encode(terms)) of gateway-serialised terms. */
export function termsHashOf(t: GatewayTermsJson): string {
  const r = t.requirements;
  return keccak256(
    AbiCoder.defaultAbiCoder().encode(
      [TERMS_TUPLE],
      [[[r.gpuModel, r.region, r.minVramGiB, r.gpuCount, r.tier, BigInt(r.minCompletedJobs), r.minSlashRewardBps], BigInt(t.maxPricePerGpuHour), BigInt(t.maxDuration), BigInt(t.acceptDeadline), t.targetProvider, t.specHash]],
    ),
  );
}

/** An open job with consistent terms and termsHash. */
export function gatewayJob(id: number | string, terms: GatewayTermsJson = termsJson()): Record<string, unknown> {
  return {
    id: String(id),
    status: "OPEN",
    client: CLIENT.toLowerCase(),
    specURI: "data:,{}",
    termsHash: termsHashOf(terms),
    escrowed: { wei: "1050000000000000000" },
    terms,
  };
}
