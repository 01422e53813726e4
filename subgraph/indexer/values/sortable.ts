// Order-preserving binary encodings for BigInt and BigDecimal.
//
// SQLite compares BLOBs with memcmp (shorter first on a common prefix). Encoding numbers so that memcmp order is
// numeric order lets the store index, filter (`_gt`, `_in`...) and sort 256-bit integers and arbitrary decimals
// with plain SQL and ordinary indexes, and the encodings are exact and reversible, so nothing else is stored.
import { BigDecimal } from "./bigdecimal";
// Magnitudes below SMALL take the arithmetic path, as in bytes.ts: counters, timestamps, block numbers, small amounts.
import { SMALL, unsignedBE } from "./bytes";

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
  const magnitude = unsignedBE(negative ? -value : value);
  const out = Buffer.allocUnsafe(3 + magnitude.length);
  const len = magnitude.length;
  if (negative) {
    out[0] = 0x00;
    out.writeUInt16BE(0xffff - len, 1);
    for (let i = 0; i < len; i++) out[3 + i] = 0xff - magnitude[i]!;
  } else {
    out[0] = 0x01;
    out.writeUInt16BE(len, 1);
    magnitude.copy(out, 3);
  }
  return out;
}

export function decodeBigInt(buf: Uint8Array): bigint {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  const negative = b[0] === 0x00;
  const len = negative ? 0xffff - b.readUInt16BE(1) : b.readUInt16BE(1);
  if (len === 0) return 0n;
  let hex: string;
  if (negative) {
    const mag = Buffer.allocUnsafe(len);
    for (let i = 0; i < len; i++) mag[i] = 0xff - b[3 + i]!;
    hex = mag.toString("hex");
  } else {
    hex = b.subarray(3, 3 + len).toString("hex");
  }
  const magnitude = BigInt("0x" + hex);
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
