// The registry and the escrow match GPU models (bytes32) and regions (bytes16) as normalised short ids:
// lowercase ASCII `[a-z0-9-]`, non-empty, left-aligned and zero padded (LatentIds.sol). These helpers convert
// between the readable id and its on-chain word, refusing anything the contracts would refuse.

export const GPU_MODEL_ID_BYTES = 32;
export const REGION_ID_BYTES = 16;
export const SHORT_ID_PATTERN = /^[a-z0-9-]+$/;

export class ShortIdError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ShortIdError";
  }
}

export function isShortId(id: string, maxBytes: number): boolean {
  return SHORT_ID_PATTERN.test(id) && id.length <= maxBytes;
}

/** `"h100-sxm-80gb"` -> `0x683130302d73786d2d383067620000…` (width bytes, zero padded on the right). */
export function encodeShortId(id: string, width: number): string {
  if (!isShortId(id, width)) {
    throw new ShortIdError(`"${id}" is not a short id: need 1..${width} characters of [a-z0-9-]`);
  }
  return `0x${Buffer.from(id, "ascii")
    .toString("hex")
    .padEnd(width * 2, "0")}`;
}

/** The inverse of `encodeShortId`; the all-zero word ("any" in job requirements) decodes to null. */
export function decodeShortId(word: string, width: number): string | null {
  if (!new RegExp(`^0x[0-9a-fA-F]{${width * 2}}$`).test(word)) {
    throw new ShortIdError(`"${word}" is not a ${width}-byte hex word`);
  }
  const bytes = Buffer.from(word.slice(2), "hex");
  const end = bytes.indexOf(0);
  const length = end === -1 ? bytes.length : end;
  if (bytes.subarray(length).some((byte) => byte !== 0)) {
    throw new ShortIdError(`"${word}" has non-zero bytes after its first zero byte`);
  }
  if (length === 0) return null;
  const id = bytes.subarray(0, length).toString("latin1");
  if (!SHORT_ID_PATTERN.test(id)) throw new ShortIdError(`"${word}" holds characters outside [a-z0-9-]`);
  return id;
}

/** Market segment of a machine, as named in config files; the contracts' `Tier` enum also has `Any` (0). */
export const PROVIDER_TIERS = ["enterprise", "consumer"] as const;
export type ProviderTier = (typeof PROVIDER_TIERS)[number];

/** `IProviderRegistry.Tier` values. */
export enum TierCode {
  Any = 0,
  Enterprise = 1,
  Consumer = 2,
}

export function tierCode(tier: ProviderTier): TierCode {
  return tier === "enterprise" ? TierCode.Enterprise : TierCode.Consumer;
}
