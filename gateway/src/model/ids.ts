// Identifiers as the contracts hold them and as people type them: addresses, GPU model ids (bytes32) and region
// codes (bytes16), all normalised lowercase ASCII `[a-z0-9-]`, left-aligned and zero padded on chain.
import { getAddress } from "ethers";
import { badUserInput } from "../errors";

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
const IDENTIFIER = /^[a-z0-9-]+$/;

/**
 * Validates an address: 0x and 40 hex digits, either all lowercase/uppercase or a valid EIP-55 checksum.
 * Returns it lowercase, the form the subgraph stores.
 */
export function parseAddress(value: string, argument: string): string {
  if (!ADDRESS.test(value)) {
    throw badUserInput(argument, `"${value}" is not an address (0x followed by 40 hex digits)`, { value });
  }
  const digits = value.slice(2);
  const mixedCase = digits !== digits.toLowerCase() && digits !== digits.toUpperCase();
  if (mixedCase) {
    try {
      getAddress(value);
    } catch {
      throw badUserInput(argument, `"${value}" has an invalid EIP-55 checksum (use the checksummed or the all-lowercase form)`, { value });
    }
  }
  return value.toLowerCase();
}

/**
 * EIP-55 form for output. The checksum costs a keccak256, and the same few thousand addresses are answered over
 * and over, so the forms are kept (a bounded map: the oldest half is dropped when it fills).
 */
const checksummed = new Map<string, string>();
const CHECKSUM_CACHE_SIZE = 50_000;

export function checksumAddress(address: string): string {
  const lowercase = address.toLowerCase();
  let out = checksummed.get(lowercase);
  if (out === undefined) {
    out = getAddress(lowercase);
    if (checksummed.size >= CHECKSUM_CACHE_SIZE) {
      let drop = CHECKSUM_CACHE_SIZE / 2;
      for (const key of checksummed.keys()) {
        checksummed.delete(key);
        if (--drop === 0) break;
      }
    }
    checksummed.set(lowercase, out);
  }
  return out;
}

export const ZERO_ADDRESS = "0x0000000000000000000000000000000000000000";

function parseIdentifier(value: string, argument: string, what: string, maxBytes: number): string {
  const id = value.trim().toLowerCase();
  if (id.length === 0 || id.length > maxBytes || !IDENTIFIER.test(id)) {
    throw badUserInput(argument, `"${value}" is not a ${what} (1 to ${maxBytes} characters of a-z, 0-9 and "-")`, { value });
  }
  return id;
}

/** A GPU model id as typed by a person ("H100-SXM-80GB" is accepted as "h100-sxm-80gb"). */
export function parseGpuModel(value: string, argument: string): string {
  return parseIdentifier(value, argument, "GPU model id (e.g. \"h100-sxm-80gb\")", 32);
}

/** A region code as typed by a person. */
export function parseRegion(value: string, argument: string): string {
  return parseIdentifier(value, argument, "region code (e.g. \"eu-west\")", 16);
}

/** A normalised id as the contracts hold it: its ASCII bytes left-aligned in a `bytes`-byte word, zero-padded; null: zero ("any"). */
export function encodeIdentifier(id: string | null, bytes: 32 | 16): string {
  const hex = id === null ? "" : Buffer.from(id, "ascii").toString("hex");
  if (hex.length > bytes * 2) throw new Error(`"${id}" does not fit ${bytes} bytes`);
  return `0x${hex.padEnd(bytes * 2, "0")}`;
}

/** The readable id in a zero-padded bytes32/bytes16, or null for zero ("any"). */
export function decodeIdentifier(raw: string): string | null {
  const hex = raw.replace(/^0x/, "").replace(/(00)+$/, "");
  if (hex.length === 0) return null;
  return Buffer.from(hex, "hex").toString("utf8");
}

const UINT256_LIMIT = 2n ** 256n;

/**
 * The canonical decimal form of a uint256 id, or null: digits only, no leading zero (but "0" itself), no sign, space,
 * exponent or hex. One id, one spelling: "01" or "1e0" taken as 1 would make a typo read another row, and the
 * spelling a client keeps (a cache key, a URL) differ from the one every answer gives back.
 */
function canonicalUint256(value: string): bigint | null {
  if (!/^(0|[1-9]\d{0,77})$/.test(value)) return null;
  const n = BigInt(value);
  return n < UINT256_LIMIT ? n : null;
}

/** A job id: a positive uint256 in canonical decimal, as the subgraph keys jobs and every answer writes them. */
export function parseJobId(value: string, argument: string): string {
  const n = canonicalUint256(value);
  if (n === null || n === 0n) {
    throw badUserInput(
      argument,
      `"${value}" is not a job id: a positive decimal integer below 2^256, written without leading zeros, sign, spaces, exponent or hex (job 1 is "1")`,
      { value },
    );
  }
  return value;
}

/** A proposal id: a uint256 in canonical decimal. */
export function parseProposalId(value: string, argument: string): string {
  if (canonicalUint256(value) === null) {
    throw badUserInput(
      argument,
      `"${value}" is not a proposal id: a decimal uint256, written without leading zeros, sign, spaces, exponent or hex`,
      { value },
    );
  }
  return value;
}
