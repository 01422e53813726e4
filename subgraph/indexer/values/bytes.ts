// Byte helpers shared by the runtime, the store and the query layer. Node's Buffer does the heavy lifting;
// these add the 0x conventions of Ethereum and graph-node (lowercase, `0x` prefix, strict parsing).

export class HexParseError extends Error {}

export function bytesToHex(bytes: Uint8Array): string {
  return "0x" + Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex");
}

/** Parses `0x`-prefixed (or bare) hex; odd lengths and non-hex characters are errors, as graph-node's Bytes parsing. */
export function hexToBytes(hex: string): Buffer {
  const body = hex.startsWith("0x") || hex.startsWith("0X") ? hex.slice(2) : hex;
  if (body.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(body)) {
    throw new HexParseError(`not a valid hex string: '${hex}'`);
  }
  return Buffer.from(body, "hex");
}

/** `0x` hex from a JSON-RPC node: trusted to be well-formed, so no validation on this hot path. */
export function rpcHexToBytes(hex: string): Buffer {
  return Buffer.from(hex.length >= 2 && hex.charCodeAt(1) === 0x78 ? hex.slice(2) : hex, "hex");
}

// Below 2^47 in magnitude, BigInt <-> bytes goes through doubles, which is several times faster than BigInt
// arithmetic or hex strings. Counters, timestamps, block numbers and small amounts all take that path.
export const SMALL = 2n ** 47n;
const HEX_PAIRS = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/** Minimal-length little-endian two's complement, the representation graph-ts uses for BigInt. */
export function bigIntToSignedLE(value: bigint): Uint8Array {
  if (value < SMALL && value >= -SMALL) {
    let n = Number(value);
    const out: number[] = [];
    // Emit bytes until the rest is pure sign extension of the last byte's top bit.
    for (;;) {
      const byte = ((n % 256) + 256) % 256;
      out.push(byte);
      n = Math.floor(n / 256);
      if ((n === 0 && byte < 0x80) || (n === -1 && byte >= 0x80)) return Buffer.from(out);
    }
  }
  let hex: string;
  if (value > 0n) {
    hex = value.toString(16);
    if (hex.length % 2 === 1) hex = "0" + hex;
    // Keep the value positive: a set top bit needs an extra zero byte.
    if (parseInt(hex.slice(0, 2), 16) >= 0x80) hex = "00" + hex;
  } else {
    // n bytes hold [-2^(8n-1), 0): n = ceil((bitlen(-value - 1) + 1) / 8); the encoding is 2^(8n) + value.
    const magnitudeBits = (-value - 1n).toString(2).length;
    const n = Math.ceil((magnitudeBits + 1) / 8);
    hex = ((1n << BigInt(8 * n)) + value).toString(16).padStart(2 * n, "0");
  }
  const out = Buffer.from(hex, "hex");
  out.reverse();
  return out;
}

/** Whether `bytes` is the shortest two's complement of its value (what bigIntToSignedLE gives). */
export function isMinimalSignedLE(bytes: Uint8Array): boolean {
  const n = bytes.length;
  if (n <= 1) return n === 1;
  const last = bytes[n - 1]!;
  const signOfPrevious = bytes[n - 2]! & 0x80;
  return !((last === 0 && signOfPrevious === 0) || (last === 0xff && signOfPrevious !== 0));
}

/** The integer in `length` little-endian two's complement bytes at `start` (default: all of `bytes`). */
export function signedLEToBigInt(bytes: Uint8Array, start = 0, length = bytes.length - start): bigint {
  if (length === 0) return 0n;
  const end = start + length;
  const negative = (bytes[end - 1]! & 0x80) !== 0;
  if (length <= 5) {
    let n = 0;
    for (let i = end - 1; i >= start; i--) n = n * 256 + bytes[i]!;
    return BigInt(negative ? n - 2 ** (8 * length) : n);
  }
  let hex = "0x";
  for (let i = end - 1; i >= start; i--) hex += HEX_PAIRS[bytes[i]!];
  const unsigned = BigInt(hex);
  return negative ? unsigned - (1n << BigInt(length * 8)) : unsigned;
}

/** Big-endian unsigned bytes of a non-negative integer (empty for zero). */
export function unsignedBE(value: bigint): Buffer {
  if (value === 0n) return Buffer.alloc(0);
  let hex = value.toString(16);
  if (hex.length % 2 === 1) hex = "0" + hex;
  return Buffer.from(hex, "hex");
}

const BASE58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

/** Bitcoin-alphabet base58 (what graph-node's `bytesToBase58` uses, e.g. for IPFS hashes). */
export function toBase58(bytes: Uint8Array): string {
  let zeros = 0;
  while (zeros < bytes.length && bytes[zeros] === 0) zeros++;
  let value = 0n;
  for (const b of bytes) value = (value << 8n) | BigInt(b);
  let out = "";
  while (value > 0n) {
    out = BASE58_ALPHABET[Number(value % 58n)] + out;
    value /= 58n;
  }
  return "1".repeat(zeros) + out;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.compare(a, b) === 0;
}
