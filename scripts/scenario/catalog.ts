/**
 * Realistic provider listings, from consumer RTX cards to H100/H200 racks, and the id encodings the contracts match
 * on. Deterministic: listing i is always the same, so benchmarks and snapshots are reproducible.
 */
import { hexlify, parseEther, toUtf8Bytes } from "ethers";

/** IProviderRegistry.Tier */
export enum Tier {
  Any = 0,
  Enterprise = 1,
  Consumer = 2,
}

export interface GpuModel {
  /** Normalised id (lowercase `[a-z0-9-]`), stored on-chain as bytes32. */
  id: string;
  /** Display name, emitted for indexers. */
  name: string;
  vramGiB: number;
  tier: Tier.Enterprise | Tier.Consumer;
  /** GPUs per listed machine: consumer rigs are small, racks are 8-GPU nodes. */
  counts: readonly number[];
  /** Typical price per GPU-hour in LAT (18 decimals). */
  pricePerGpuHour: bigint;
}

export const GPU_MODELS: readonly GpuModel[] = [
  { id: "rtx-3090-24gb", name: "NVIDIA GeForce RTX 3090", vramGiB: 24, tier: Tier.Consumer, counts: [1, 2], pricePerGpuHour: parseEther("0.22") },
  { id: "rtx-4080-16gb", name: "NVIDIA GeForce RTX 4080", vramGiB: 16, tier: Tier.Consumer, counts: [1, 2], pricePerGpuHour: parseEther("0.25") },
  { id: "rtx-4090-24gb", name: "NVIDIA GeForce RTX 4090", vramGiB: 24, tier: Tier.Consumer, counts: [1, 2, 4], pricePerGpuHour: parseEther("0.35") },
  { id: "rtx-5090-32gb", name: "NVIDIA GeForce RTX 5090", vramGiB: 32, tier: Tier.Consumer, counts: [1, 2], pricePerGpuHour: parseEther("0.6") },
  { id: "rtx-a6000-48gb", name: "NVIDIA RTX A6000", vramGiB: 48, tier: Tier.Enterprise, counts: [2, 4], pricePerGpuHour: parseEther("0.5") },
  { id: "l40s-48gb", name: "NVIDIA L40S", vramGiB: 48, tier: Tier.Enterprise, counts: [4, 8], pricePerGpuHour: parseEther("0.9") },
  { id: "a100-pcie-40gb", name: "NVIDIA A100 PCIe 40GB", vramGiB: 40, tier: Tier.Enterprise, counts: [4, 8], pricePerGpuHour: parseEther("1.1") },
  { id: "a100-sxm-80gb", name: "NVIDIA A100 SXM4 80GB", vramGiB: 80, tier: Tier.Enterprise, counts: [8], pricePerGpuHour: parseEther("1.5") },
  { id: "h100-pcie-80gb", name: "NVIDIA H100 PCIe 80GB", vramGiB: 80, tier: Tier.Enterprise, counts: [4, 8], pricePerGpuHour: parseEther("2") },
  { id: "h100-sxm-80gb", name: "NVIDIA H100 SXM5 80GB", vramGiB: 80, tier: Tier.Enterprise, counts: [8], pricePerGpuHour: parseEther("2.5") },
  { id: "h200-sxm-141gb", name: "NVIDIA H200 SXM 141GB", vramGiB: 141, tier: Tier.Enterprise, counts: [8], pricePerGpuHour: parseEther("3.5") },
  { id: "mi300x-192gb", name: "AMD Instinct MI300X", vramGiB: 192, tier: Tier.Enterprise, counts: [8], pricePerGpuHour: parseEther("2.8") },
];

export const REGIONS: readonly string[] = [
  "us-east",
  "us-west",
  "eu-west",
  "eu-central",
  "ap-southeast",
  "ap-northeast",
  "sa-east",
];

const ID_PATTERN = /^[a-z0-9-]+$/;

/** bytes32 of a GPU model id: lowercase `[a-z0-9-]`, 1..32 bytes, left-aligned, zero padded. */
export function gpuModelId(id: string): string {
  if (!ID_PATTERN.test(id) || id.length > 32) throw new Error(`invalid GPU model id "${id}"`);
  return rightPad(id, 32);
}

/** bytes16 of a region code: lowercase `[a-z0-9-]`, 1..16 bytes, left-aligned, zero padded. */
export function regionId(code: string): string {
  if (!ID_PATTERN.test(code) || code.length > 16) throw new Error(`invalid region code "${code}"`);
  return rightPad(code, 16);
}

function rightPad(text: string, size: number): string {
  const bytes = toUtf8Bytes(text);
  const out = new Uint8Array(size);
  out.set(bytes);
  return hexlify(out);
}

/** Inverse of gpuModelId / regionId (strips the zero padding). */
export function decodeId(hex: string): string {
  const clean = hex.replace(/^0x/, "").replace(/(00)+$/, "");
  return Buffer.from(clean, "hex").toString("utf8");
}

/** What register() takes, plus the human strings it emits. */
export interface ProviderListing {
  gpuModel: GpuModel;
  region: string;
  gpuCount: number;
  pricePerGpuHour: bigint;
  metadataURI: string;
}

/** Listing i of a deterministic, realistic mix: ~40% consumer cards, the rest datacenter GPUs. */
export function listing(i: number): ProviderListing {
  const model = GPU_MODELS[(i * 7 + (i >> 3)) % GPU_MODELS.length] as GpuModel;
  const region = REGIONS[(i * 3 + (i >> 2)) % REGIONS.length] as string;
  const gpuCount = model.counts[i % model.counts.length] as number;
  // +-10% around the model's typical price, in 1% steps.
  const pct = BigInt(90 + ((i * 13) % 21));
  const pricePerGpuHour = (model.pricePerGpuHour * pct) / 100n;
  return { gpuModel: model, region, gpuCount, pricePerGpuHour, metadataURI: `https://provider-${i}.latent.example/worker.json` };
}

/** The ProviderSpec struct register() takes for a listing. */
export function toSpec(l: ProviderListing): {
  gpuModel: string;
  region: string;
  vramGiB: number;
  gpuCount: number;
  tier: number;
  pricePerGpuHour: bigint;
} {
  return {
    gpuModel: gpuModelId(l.gpuModel.id),
    region: regionId(l.region),
    vramGiB: l.gpuModel.vramGiB,
    gpuCount: l.gpuCount,
    tier: l.gpuModel.tier,
    pricePerGpuHour: l.pricePerGpuHour,
  };
}
