// Order-preserving binary encodings for BigInt and BigDecimal.
//
// SQLite compares BLOBs with memcmp (shorter first on a common prefix). Encoding numbers so that memcmp order is
// numeric order lets the store index, filter (`_gt`, `_in`...) and sort 256-bit integers and arbitrary decimals
// with plain SQL and ordinary indexes, and the encodings are exact and reversible, so nothing else is stored.
import { BigDecimal } from "./bigdecimal";
// Magnitudes below SMALL take the arithmetic path, as in bytes.ts: counters, timestamps, block numbers, small amounts.
import { SMALL } from "./bytes";

/** A large BigInt's magnitude, least significant byte first, before its length is known. */
let scratch = new Uint8Array(64);

// BigInt: [sign byte][2-byte length][magnitude]. Positive: 0x01, len, big-endian magnitude. Negative: 0x00,
// 0xFFFF - len, magnitude with every byte inverted: a longer magnitude is a more negative number and sorts first.
// graph-node caps BigInt at ~435k bits, i.e. < 65536 bytes, so two length bytes suffice.

export function encodeBigInt(value: bigint): Buffer {
  const negative = value < 0n;
  if (value < SMALL && value > -SMALL) {
    let magnitude = Number(negative ? -value : value);
    let len = 0;
    for (let rest = magnitude; rest > 0; rest = Math.floor(rest / 256)) len++;
    const out = Buffer.allocUnsafe(3 + len);
    out[0] = negative ? 0x00 : 0x01;
    out.writeUInt16BE(negative ? 0xffff - len : len, 1);
    for (let i = 2 + len; i > 2; i--) {
      const byte = magnitude % 256;
      out[i] = negative ? 0xff - byte : byte;
      magnitude = Math.floor(magnitude / 256);
    }
    return out;
  }
  // Larger magnitudes 48 bits at a time through doubles, least significant first, into `scratch`: a hex string and
  // its parse cost about twice as much.
  let rest = negative ? -value : value;
  let len = 0;
  do {
    let chunk = Number(BigInt.asUintN(48, rest));
    rest >>= 48n;
    if (len + 14 > scratch.length) {
      const grown = new Uint8Array(scratch.length * 2);
      grown.set(scratch);
      scratch = grown;
    }
    for (let k = 0; k < 6; k++) {
      scratch[len++] = chunk % 256;
      chunk = Math.floor(chunk / 256);
    }
  } while (rest >= SMALL);
  for (let m = Number(rest); m > 0; m = Math.floor(m / 256)) scratch[len++] = m % 256;
  while (scratch[len - 1] === 0) len--; // the top chunk's leading zeros
  const out = Buffer.allocUnsafe(3 + len);
  out[0] = negative ? 0x00 : 0x01;
  out.writeUInt16BE(negative ? 0xffff - len : len, 1);
  const invert = negative ? 0xff : 0;
  for (let i = 0; i < len; i++) out[3 + i] = scratch[len - 1 - i]! ^ invert;
  return out;
}

export function decodeBigInt(buf: Uint8Array): bigint {
  const negative = buf[0] === 0x00;
  const stored = (buf[1]! << 8) | buf[2]!;
  const len = negative ? 0xffff - stored : stored;
  if (len === 0) return 0n;
  // 48 bits at a time through doubles, as encodeBigInt.
  const invert = negative ? 0xff : 0;
  let i = 3;
  let n = 0;
  for (let k = len % 6; k > 0; k--) n = n * 256 + (buf[i++]! ^ invert);
  let magnitude = BigInt(n);
  for (const end = 3 + len; i < end; i += 6) {
    n =
      (buf[i]! ^ invert) * 0x10000000000 + (buf[i + 1]! ^ invert) * 0x100000000 + (buf[i + 2]! ^ invert) * 0x1000000 +
      (buf[i + 3]! ^ invert) * 0x10000 + (buf[i + 4]! ^ invert) * 0x100 + (buf[i + 5]! ^ invert);
    magnitude = (magnitude << 48n) | BigInt(n);
  }
  return negative ? -magnitude : magnitude;
}

// BigDecimal: value = 0.D1D2…Dn × 10^A with D1 != 0 (A is the "adjusted exponent").
// Zero: [0x01]. Positive: [0x02][A + 2^31 as u32 BE][ASCII digits]. Negative: [0x00][inverted u32][digits
// mapped d -> '9' - d + '0'][0xFF]; the terminator makes a shorter (closer to zero) negative sort after a longer
// one with the same prefix.
const EXP_BIAS = 2 ** 31;

export function encodeBigDecimal(value: BigDecimal): Buffer {
  if (value.isZero()) return Buffer.from([0x01]);
  const negative = value.digits < 0n;
  const digits = (negative ? -value.digits : value.digits).toString();
  const adjusted = value.exp + digits.length;
  const out = Buffer.allocUnsafe(5 + digits.length + (negative ? 1 : 0));
  if (negative) {
    out[0] = 0x00;
    out.writeUInt32BE(0xffffffff - (adjusted + EXP_BIAS), 1);
    for (let i = 0; i < digits.length; i++) out[5 + i] = 0x39 - digits.charCodeAt(i) + 0x30;
    out[5 + digits.length] = 0xff;
  } else {
    out[0] = 0x02;
    out.writeUInt32BE(adjusted + EXP_BIAS, 1);
    out.write(digits, 5, "latin1");
  }
  return out;
}

export function decodeBigDecimal(buf: Uint8Array): BigDecimal {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (b[0] === 0x01) return BigDecimal.ZERO;
  const negative = b[0] === 0x00;
  let digits: string;
  let adjusted: number;
  if (negative) {
    adjusted = 0xffffffff - b.readUInt32BE(1) - EXP_BIAS;
    const chars: number[] = [];
    for (let i = 5; i < b.length - 1; i++) chars.push(0x39 - b[i]! + 0x30);
    digits = String.fromCharCode(...chars);
  } else {
    adjusted = b.readUInt32BE(1) - EXP_BIAS;
    digits = b.toString("latin1", 5);
  }
  const intVal = BigInt(digits);
  // Stored values are already normalised; normalising again could change a 35-digit negative (see bigdecimal.ts).
  return new BigDecimal(negative ? -intVal : intVal, adjusted - digits.length);
}
