import { formatEther } from "ethers";

/** Whole LAT as a decimal string without a trailing ".0" ("1234.5", "0", "0.000000000000000001"). */
export function formatLat(wei: bigint): string {
  const text = formatEther(wei);
  return text.endsWith(".0") ? text.slice(0, -2) : text;
}

/** floor(pricePerGpuHour * gpuCount * seconds / 3600): JobEscrow.computeCost. */
export function computeCost(pricePerGpuHour: bigint, gpuCount: number, seconds: number): bigint {
  return (pricePerGpuHour * BigInt(gpuCount) * BigInt(seconds)) / 3600n;
}

export const BPS = 10_000n;

export function bpsOf(amount: bigint, bps: number): bigint {
  return (amount * BigInt(bps)) / BPS;
}

/** GPU-seconds to GPU-hours for charts (a float is precise enough there). */
export function gpuHours(gpuSeconds: string | bigint): number {
  return Number(BigInt(gpuSeconds)) / 3600;
}
