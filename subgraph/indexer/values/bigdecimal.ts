// BigDecimal with graph-node's exact semantics.
//
// graph-node wraps the Rust crate `bigdecimal` 0.1.2 and normalises every result (graph/src/data/store/scalar/
// bigdecimal.rs): `with_prec(34)` then strip trailing zeros. Two quirks of that crate are reproduced on purpose,
// because mappings' results (and therefore stored values) depend on them:
//  - `with_prec` rounds half-up only for positive numbers. For negative ones the remainder is negative, the
//    "should round" test `p < 10 * r` is false, and the value is truncated toward zero.
//  - It counts digits with `count_decimal_digits`, which corrects its bit-length estimate upward only for
//    positive numbers. A negative number may be counted one digit short and then keeps 35 significant digits.
// Division computes up to 100 digits with half-up rounding of the magnitude (`impl_division`), then normalises.

const LOG2_10_ESTIMATE = 3.3219280949; // the constant the crate divides bit lengths by

function absBig(x: bigint): bigint {
  return x < 0n ? -x : x;
}

const NIBBLE_BITS = [0, 1, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 4, 4, 4, 4];

function bitLength(x: bigint): number {
  if (x === 0n) return 0;
  const hex = absBig(x).toString(16);
  return (hex.length - 1) * 4 + NIBBLE_BITS[parseInt(hex[0]!, 16)]!;
}

const POW10_CACHE: bigint[] = [];
export function pow10(n: number): bigint {
  if (n < 64) {
    let cached = POW10_CACHE[n];
    if (cached === undefined) {
      cached = 10n ** BigInt(n);
      POW10_CACHE[n] = cached;
    }
    return cached;
  }
  return 10n ** BigInt(n);
}

/** `count_decimal_digits` of bigdecimal 0.1.2, including its under-count for negative numbers. */
function countDecimalDigits(x: bigint): number {
  if (x === 0n) return 1;
  let digits = Math.floor(bitLength(x) / LOG2_10_ESTIMATE);
  if (x > 0n) {
    let n = pow10(digits);
    while (x >= n) {
      n *= 10n;
      digits += 1;
    }
  }
  return digits;
}

/** 1 when the most significant decimal digit of a positive `x` is >= 5 (`get_rounding_term`). */
function roundingTerm(x: bigint): bigint {
  if (x === 0n) return 0n;
  const s = x.toString();
  return s.charCodeAt(0) >= 0x35 ? 1n : 0n;
}

export const MIN_EXP = -6143;
export const MAX_EXP = 6144;
export const MAX_SIGNIFICANT_DIGITS = 34;
const DIVISION_PRECISION = 100;

export class BigDecimalParseError extends Error {}

/** An immutable decimal `digits * 10^exp`, always normalised the way graph-node normalises. */
export class BigDecimal {
  /** Use {@link BigDecimal.of} or {@link BigDecimal.parse}: the constructor does not normalise. */
  constructor(
    readonly digits: bigint,
    readonly exp: number,
  ) {}

  static readonly ZERO = new BigDecimal(0n, 0);

  /** Builds and normalises `digits * 10^exp` (graph-node's `BigDecimal::new`). */
  static of(digits: bigint, exp: number): BigDecimal {
    return normalise(digits, -exp);
  }

  static fromBigInt(n: bigint): BigDecimal {
    return normalise(n, 0);
  }

  /**
   * Parses like bigdecimal 0.1.2's `from_str_radix(s, 10)`, quirks included: the exponent after the first `e`/`E` is
   * an i64 (`i64::from_str`) once one leading `+` is dropped; the rest, without its first `.`, is a num-bigint integer
   * (one sign, then digits and underscores, not starting with one), and the scale counts every character after the dot.
   */
  static parse(text: string): BigDecimal {
    let base = text;
    let exponent = 0n;
    const e = text.search(/[eE]/);
    if (e >= 0) {
      base = text.slice(0, e);
      let exp = text.slice(e + 1);
      if (exp.startsWith("+")) exp = exp.slice(1);
      if (!/^[+-]?[0-9]+$/.test(exp)) throw new BigDecimalParseError(`string is not a BigDecimal: '${text}'`);
      exponent = BigInt(exp);
      if (BigInt.asIntN(64, exponent) !== exponent) throw new BigDecimalParseError(`string is not a BigDecimal: '${text}'`);
    }
    const dot = base.indexOf(".");
    const digits = dot < 0 ? base : base.slice(0, dot) + base.slice(dot + 1);
    if (!/^[+-]?[0-9][0-9_]*$/.test(digits)) throw new BigDecimalParseError(`string is not a BigDecimal: '${text}'`);
    const magnitude = BigInt(digits.replace(/^[+-]|_/g, ""));
    const scale = (dot < 0 ? 0 : base.length - dot - 1) - Number(exponent);
    return normalise(digits.startsWith("-") ? -magnitude : magnitude, scale);
  }

  isZero(): boolean {
    return this.digits === 0n;
  }

  plus(other: BigDecimal): BigDecimal {
    const [a, b, scale] = align(this, other);
    return normalise(a + b, scale);
  }

  minus(other: BigDecimal): BigDecimal {
    const [a, b, scale] = align(this, other);
    return normalise(a - b, scale);
  }

  times(other: BigDecimal): BigDecimal {
    return normalise(this.digits * other.digits, -(this.exp + other.exp));
  }

  /** Throws RangeError on division by zero; the host turns that into the graph-node message. */
  dividedBy(other: BigDecimal): BigDecimal {
    if (other.digits === 0n) throw new RangeError("division by zero");
    if (this.digits === 0n) return BigDecimal.ZERO;
    // The crate returns `self` unchanged when dividing by one, and 1 when both int values are equal.
    const scale = -this.exp - -other.exp;
    if (other.digits === 1n && other.exp === 0) return this;
    if (this.digits === other.digits) return normalise(1n, scale);
    return divide(this.digits, other.digits, scale);
  }

  equals(other: BigDecimal): boolean {
    return this.digits === other.digits && this.exp === other.exp;
  }

  compare(other: BigDecimal): number {
    const [a, b] = align(this, other);
    return a < b ? -1 : a > b ? 1 : 0;
  }

  /** bigdecimal 0.1.2's Display: plain notation, never an exponent. */
  toString(): string {
    const negative = this.digits < 0n;
    const abs = absBig(this.digits).toString();
    const scale = -this.exp;
    let text: string;
    if (scale <= 0) {
      text = this.digits === 0n ? "0" : abs + "0".repeat(-scale);
    } else if (scale >= abs.length) {
      text = "0." + "0".repeat(scale - abs.length) + abs;
    } else {
      text = abs.slice(0, abs.length - scale) + "." + abs.slice(abs.length - scale);
    }
    return negative ? "-" + text : text;
  }
}

/** Brings both to the larger scale (more fractional digits); returns the two int values and that scale. */
function align(x: BigDecimal, y: BigDecimal): [bigint, bigint, number] {
  const sx = -x.exp;
  const sy = -y.exp;
  if (sx === sy) return [x.digits, y.digits, sx];
  if (sx > sy) return [x.digits, y.digits * pow10(sx - sy), sx];
  return [x.digits * pow10(sy - sx), y.digits, sy];
}

/** `impl_division` of bigdecimal 0.1.2 followed by graph-node's normalisation. */
function divide(num: bigint, den: bigint, scale: number): BigDecimal {
  const negative = num < 0n !== den < 0n;
  let n = absBig(num);
  const d = absBig(den);
  while (n < d) {
    scale += 1;
    n *= 10n;
  }
  let quotient = n / d;
  let remainder = n % d;
  if (remainder !== 0n) {
    const precision = countDecimalDigits(quotient);
    if (precision < DIVISION_PRECISION) {
      // The crate produces one digit per loop iteration until the remainder is zero or 100 digits are reached;
      // computing the same number of digits at once gives the same quotient and remainder.
      const extra = DIVISION_PRECISION - precision;
      const scaled = remainder * pow10(extra);
      const more = scaled / d;
      quotient = quotient * pow10(extra) + more;
      remainder = scaled % d;
      scale += extra;
      if (remainder === 0n) {
        // The loop would have stopped early; trailing zeros are stripped by normalisation anyway.
      }
    }
    if (remainder !== 0n) quotient += roundingTerm((remainder * 10n) / d);
  }
  return normalise(negative ? -quotient : quotient, scale);
}

/** graph-node's `BigDecimal::normalized`: `with_prec(34)` then strip trailing zeros. `scale` = -exp. */
function normalise(intVal: bigint, scale: number): BigDecimal {
  if (intVal === 0n) return BigDecimal.ZERO;
  const digits = countDecimalDigits(intVal);
  let value = intVal;
  if (digits > MAX_SIGNIFICANT_DIGITS) {
    const diff = digits - MAX_SIGNIFICANT_DIGITS;
    const p = pow10(diff);
    // BigInt division truncates toward zero and the remainder takes the dividend's sign, as num-bigint's div_rem.
    let q = value / p;
    const r = value % p;
    if (p < 10n * r) q += roundingTerm(r);
    value = q;
    scale -= diff;
  } else if (digits < MAX_SIGNIFICANT_DIGITS) {
    const diff = MAX_SIGNIFICANT_DIGITS - digits;
    value = value * pow10(diff);
    scale += diff;
  }
  if (value === 0n) return BigDecimal.ZERO;
  // Strip trailing zeros.
  let text = absBig(value).toString();
  let trailing = 0;
  while (text.charCodeAt(text.length - 1 - trailing) === 0x30) trailing += 1;
  if (trailing > 0) {
    text = text.slice(0, text.length - trailing);
    value = value < 0n ? -BigInt(text) : BigInt(text);
    scale -= trailing;
  }
  return new BigDecimal(value, -scale);
}
