// graph-node's custom scalars. Outputs are produced already serialised by the resolvers (big numbers and Int8 as
// strings, Bytes as 0x hex, Timestamp as a string of microseconds); inputs are parsed into the values the filter
// compiler encodes, and bad inputs become GraphQL errors that say what is wrong.
import { GraphQLError, GraphQLScalarType, Kind, type ValueNode } from "graphql";
import { BigDecimal } from "../values/bigdecimal";
import { hexToBytes } from "../values/bytes";

function literalText(ast: ValueNode, accept: readonly Kind[]): string {
  if (!accept.includes(ast.kind)) throw new GraphQLError(`expected ${accept.join(" or ")}, got ${ast.kind}`, { nodes: ast });
  return (ast as { value: string }).value;
}

function passThrough(value: unknown): unknown {
  return value;
}

function parseBigInt(text: unknown): bigint {
  if (typeof text === "number" && Number.isInteger(text)) return BigInt(text);
  if (typeof text === "string" && /^-?\d+$/.test(text)) return BigInt(text);
  throw new GraphQLError(`Failed to decode \`BigInt\` value: \`${String(text)}\` is not a decimal integer`);
}

function parseInt8(text: unknown, name: string): bigint {
  const value = parseBigInt(text);
  if (BigInt.asIntN(64, value) !== value) throw new GraphQLError(`Failed to decode \`${name}\` value: \`${String(text)}\` does not fit in 64 bits`);
  return value;
}

function parseDecimal(text: unknown): BigDecimal {
  try {
    return BigDecimal.parse(String(text));
  } catch {
    throw new GraphQLError(`Failed to decode \`BigDecimal\` value: \`${String(text)}\``);
  }
}

function parseBytes(text: unknown): Buffer {
  if (typeof text !== "string") throw new GraphQLError(`Failed to decode \`Bytes\` value: expected a 0x hex string`);
  try {
    return hexToBytes(text);
  } catch {
    throw new GraphQLError(`Failed to decode \`Bytes\` value: \`${text}\` is not valid hex`);
  }
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

export const TimestampScalar = new GraphQLScalarType({
  name: "Timestamp",
  description: "A string representation of microseconds UNIX timestamp (16 digits)",
  serialize: passThrough,
  parseValue: (v) => parseInt8(v, "Timestamp"),
  parseLiteral: (ast) => parseInt8(literalText(ast, [Kind.STRING, Kind.INT]), "Timestamp"),
});
