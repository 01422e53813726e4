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

/** Laid-out bytes, before the result's exact length is known (a number[] cost an array and its growth per call). */
let scratch = new Uint8Array(64);

/** Minimal-length little-endian two's complement, the representation graph-ts uses for BigInt. */
export function bigIntToSignedLE(value: bigint): Uint8Array {
  let at = 0;
  let n: number;
  if (value < SMALL && value >= -SMALL) n = Number(value);
  else {
    // 48 bits at a time through doubles: a hex string and its parse cost several times more. `>>` floors, so a
    // negative value stays negative until its rest fits the double path below.
    let rest = value;
    do {
      let chunk = Number(BigInt.asUintN(48, rest));
      rest >>= 48n;
      if (at + 14 > scratch.length) {
        const grown = new Uint8Array(scratch.length * 2);
        grown.set(scratch);
        scratch = grown;
      }
      for (let k = 0; k < 6; k++) {
        scratch[at++] = chunk % 256;
        chunk = Math.floor(chunk / 256);
      }
    } while (rest >= SMALL || rest < -SMALL);
    // At least one more byte even if the rest is 0 or -1: the rest was not small, so the chunk's top bit is not the sign.
    n = Number(rest);
  }
  // Emit bytes until the rest is pure sign extension of the last byte's top bit.
  for (;;) {
    const byte = ((n % 256) + 256) % 256;
    scratch[at++] = byte;
    n = Math.floor(n / 256);
    if ((n === 0 && byte < 0x80) || (n === -1 && byte >= 0x80)) break;
  }
  const out = Buffer.allocUnsafe(at);
  for (let i = 0; i < at; i++) out[i] = scratch[i]!;
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
  // 48 bits at a time through doubles, from the top: a hex string and its parse cost two to three times more.
  let i = end;
  let n = 0;
  for (let k = length % 6; k > 0; k--) n = n * 256 + bytes[--i]!;
  let unsigned = BigInt(n);
  while (i > start) {
    n =
      bytes[i - 1]! * 0x10000000000 + bytes[i - 2]! * 0x100000000 + bytes[i - 3]! * 0x1000000 + bytes[i - 4]! * 0x10000 +
      bytes[i - 5]! * 0x100 + bytes[i - 6]!;
    i -= 6;
    unsigned = (unsigned << 48n) | BigInt(n);
  }
  return negative ? BigInt.asIntN(length * 8, unsigned) : unsigned;
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
