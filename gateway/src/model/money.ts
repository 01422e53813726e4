const WEI_PER_LAT = 10n ** 18n;

/** Whole LAT as a decimal string, exact, without trailing zeros ("1234.5", "0", "0.000000000000000001", "-2"). */
export function formatLat(wei: bigint): string {
  const negative = wei < 0n;
  const abs = negative ? -wei : wei;
  const whole = (abs / WEI_PER_LAT).toString();
  const fraction = (abs % WEI_PER_LAT).toString().padStart(18, "0").replace(/0+$/, "");
  return `${negative ? "-" : ""}${whole}${fraction === "" ? "" : `.${fraction}`}`;
}

/** floor(pricePerGpuHour * gpuCount * seconds / 3600): JobEscrow.computeCost. */
export function computeCost(pricePerGpuHour: bigint, gpuCount: number, seconds: number): bigint {
  return (pricePerGpuHour * BigInt(gpuCount) * BigInt(seconds)) / 3600n;
}

export const BPS = 10_000n;

/** LatentMath.bpsUp: the protocol fee and a job's collateral round up. */
export function bpsOfUp(amount: bigint, bps: number): bigint {
  return (amount * BigInt(bps) + BPS - 1n) / BPS;
}

/** GPU-seconds to GPU-hours for charts (a float is precise enough there). */
export function gpuHours(gpuSeconds: string | bigint): number {
  return Number(BigInt(gpuSeconds)) / 3600;
}
