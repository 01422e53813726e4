// graph-node's custom scalars. Outputs are produced already serialised by the resolvers (big numbers and Int8 as
// strings, Bytes as 0x hex, Timestamp as a string of microseconds); inputs are parsed into the values the filter
// compiler encodes, and bad inputs become GraphQL errors that say what is wrong.
import { GraphQLScalarType, Kind, type ValueNode } from "graphql";
import { BigDecimal } from "../values/bigdecimal";
import { ValueDecodeError } from "./attestable";

function literalText(ast: ValueNode, accept: readonly Kind[]): string {
  if (!accept.includes(ast.kind)) throw new ValueDecodeError(`expected ${accept.join(" or ")}, got ${ast.kind}`, { nodes: ast });
  return (ast as { value: string }).value;
}

function passThrough(value: unknown): unknown {
  return value;
}

// graph-node reads a BigInt with num-bigint: an optional sign and decimal digits, refused with its messages.
function parseBigInt(text: unknown): bigint {
  if (typeof text === "number" && Number.isInteger(text)) return BigInt(text);
  const s = String(text);
  if (/^[+-]?\d+$/.test(s)) return BigInt(s);
  const why = /^[+-]?$/.test(s) ? "cannot parse integer from empty string" : "invalid digit found in string";
  throw new ValueDecodeError(`Failed to decode \`BigInt\` value: \`${why}\``);
}

// graph-node reads Int8 (and Timestamp microseconds) as a Rust i64, naming the value it refuses.
function parseInt8(text: unknown, name: string): bigint {
  const s = String(text);
  const value = typeof text === "number" && Number.isInteger(text) ? BigInt(text) : /^[+-]?\d+$/.test(s) ? BigInt(s) : null;
  if (value === null || BigInt.asIntN(64, value) !== value) throw new ValueDecodeError(`Failed to decode \`${name}\` value: \`${s}\``);
  return value;
}

function parseDecimal(text: unknown): BigDecimal {
  try {
    return BigDecimal.parse(String(text));
  } catch {
    throw new ValueDecodeError(`Failed to decode \`BigDecimal\` value: \`${String(text)}\``);
  }
}

// graph-node reads Bytes with the hex crate after trimming every leading `0x` (lower case only), refusing with its
// messages: an odd length first, then the first character that is no hex digit, by its position after the `0x`.
function parseBytes(text: unknown): Buffer {
  if (typeof text !== "string") throw new ValueDecodeError(`Failed to decode \`Bytes\` value: expected a 0x hex string`);
  let body = text;
  while (body.startsWith("0x")) body = body.slice(2);
  if (body.length % 2 !== 0) throw new ValueDecodeError("Failed to decode `Bytes` value: `Odd number of digits`");
  const bad = body.search(/[^0-9a-fA-F]/);
  if (bad >= 0) throw new ValueDecodeError(`Failed to decode \`Bytes\` value: \`Invalid character '${body[bad]}' at position ${bad}\``);
  return Buffer.from(body, "hex");
}

export const BigIntScalar = new GraphQLScalarType({
  name: "BigInt",
  serialize: passThrough,
  parseValue: parseBigInt,
  parseLiteral: (ast) => parseBigInt(literalText(ast, [Kind.STRING, Kind.INT])),
});

export const BigDecimalScalar = new GraphQLScalarType({
  name: "BigDecimal",
  serialize: passThrough,
  parseValue: parseDecimal,
  parseLiteral: (ast) => parseDecimal(literalText(ast, [Kind.STRING, Kind.INT, Kind.FLOAT])),
});

export const BytesScalar = new GraphQLScalarType({
  name: "Bytes",
  serialize: passThrough,
  parseValue: parseBytes,
  parseLiteral: (ast) => parseBytes(literalText(ast, [Kind.STRING])),
});

export const Int8Scalar = new GraphQLScalarType({
  name: "Int8",
  description: "8 bytes signed integer",
  serialize: passThrough,
  parseValue: (v) => parseInt8(v, "Int8"),
  parseLiteral: (ast) => parseInt8(literalText(ast, [Kind.STRING, Kind.INT]), "Int8"),
});

// graph-node coerces a Timestamp argument from a string only (graph/src/data/value.rs, coerce_scalar): a number
// is refused.
function parseTimestamp(value: unknown): bigint {
  if (typeof value !== "string") throw new ValueDecodeError(`Failed to decode \`Timestamp\` value: \`${String(value)}\` is not a string of microseconds`);
  return parseInt8(value, "Timestamp");
}

export const TimestampScalar = new GraphQLScalarType({
  name: "Timestamp",
  description: "A string representation of microseconds UNIX timestamp (16 digits)",
  serialize: passThrough,
  parseValue: parseTimestamp,
  parseLiteral: (ast) => parseTimestamp(literalText(ast, [Kind.STRING])),
});
