// The product scalars. Input errors carry BAD_USER_INPUT and say what is wrong with the value; the server surfaces
// that code whether the value came as a literal or as a variable.
import { GraphQLError, GraphQLScalarType, Kind, print, valueFromASTUntyped, type ASTNode, type ValidationRule, type ValueNode } from "graphql";
import { ErrorCode } from "../errors";
import { checksumAddress, parseAddress } from "../model/ids";

/** `value` is the refused value as the client sent it (a literal: its JSON value, as a variable would carry it). */
function invalid(scalar: string, problem: string, value: unknown, extra: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(`${scalar}: ${problem}`, { extensions: { code: ErrorCode.BadUserInput, scalar, value, ...extra } });
}

const LITERAL_KINDS: Partial<Record<Kind, string>> = { [Kind.STRING]: "a string", [Kind.INT]: "an integer" };

function literal(ast: ValueNode, scalar: string, kinds: readonly Kind[]): string {
  if (!kinds.includes(ast.kind)) throw invalid(scalar, `${print(ast)} is not ${kinds.map((k) => LITERAL_KINDS[k] ?? k).join(" or ")}`, valueFromASTUntyped(ast));
  return (ast as { value: string }).value;
}

/** The argument each literal value of a document being validated belongs to, as LiteralArguments marks it. */
const literalArguments = new WeakMap<ValueNode, { field: string; argument: string }>();

/** The field and argument path of a literal value in a document LiteralArguments validated, if it is one. */
export function literalArgumentOf(node: ASTNode | undefined): { field: string; argument: string } | undefined {
  return node === undefined ? undefined : literalArguments.get(node as ValueNode);
}

function markLiteral(value: ValueNode, field: string, argument: string): void {
  literalArguments.set(value, { field, argument });
  if (value.kind === Kind.OBJECT) for (const entry of value.fields) markLiteral(entry.value, field, `${argument}.${entry.name.value}`);
  else if (value.kind === Kind.LIST) value.values.forEach((item, i) => markLiteral(item, field, `${argument}[${i}]`));
}

/**
 * Marks every literal under a field's argument with the field and the argument path ("filter.client",
 * "requirements.gpuModels[1]"), so that a scalar refusing it names them as every other refused argument is named
 * (badFieldArgument). graphql-js gives parseLiteral the value node alone; a rule's Argument visit comes before the
 * visits of the values under it, where ValuesOfCorrectTypeRule parses them, so it must run with the specified rules.
 */
export const LiteralArguments: ValidationRule = (context) => ({
  Argument(node) {
    const parent = context.getParentType();
    const field = context.getFieldDef();
    if (context.getDirective() || !parent || !field) return;
    markLiteral(node.value, `${parent.name}.${field.name}`, node.name.value);
  },
});

/**
 * A literal's parse whose refusal points at the value (`locations`). graphql-js reports a GraphQLError thrown by
 * `parseLiteral` as it is, without the node, so a query with two literals of one scalar (`client` and `provider`
 * addresses) would not say which one is wrong; a variable's refusal names its path in the message instead.
 */
function atLiteral<T>(ast: ValueNode, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (!(error instanceof GraphQLError)) throw error;
    const at = literalArguments.get(ast);
    // The literal's value as a variable would have carried it (5, not the string the scalar was handed, "5").
    const extensions = { ...error.extensions, value: valueFromASTUntyped(ast) };
    if (at === undefined) throw new GraphQLError(error.message, { nodes: ast, extensions });
    throw new GraphQLError(`${at.field}(${at.argument}): ${error.message}`, { nodes: ast, extensions: { ...extensions, argument: at.argument, field: at.field } });
  }
}

const MAX_UINT256 = 2n ** 256n - 1n;

function parseBigInt(value: unknown): bigint {
  if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) return BigInt(value);
  if (typeof value === "string" && /^\d{1,78}$/.test(value)) {
    const n = BigInt(value);
    if (n <= MAX_UINT256) return n;
  }
  throw invalid("BigInt", `${JSON.stringify(value)} is not an unsigned decimal integer (a string of digits, at most 2^256 - 1)`, value);
}

export const BigIntScalar = new GraphQLScalarType<bigint, string>({
  name: "BigInt",
  serialize: (value) => {
    if (typeof value === "bigint") return value.toString();
    if (typeof value === "string" && /^-?\d+$/.test(value)) return value;
    if (typeof value === "number" && Number.isInteger(value)) return String(value);
    throw new GraphQLError(`BigInt cannot represent ${String(value)}`);
  },
  parseValue: parseBigInt,
  parseLiteral: (ast) => atLiteral(ast, () => parseBigInt(literal(ast, "BigInt", [Kind.STRING, Kind.INT]))),
});

function parseAddressValue(value: unknown): string {
  if (typeof value !== "string") throw invalid("Address", `${JSON.stringify(value)} is not a string`, value);
  try {
    return parseAddress(value, "Address");
  } catch (error) {
    if (error instanceof GraphQLError) throw invalid("Address", error.message.replace(/^Address: /, ""), value);
    throw error;
  }
}

/** Parsed to lowercase (the subgraph's form); serialised with the EIP-55 checksum. */
export const AddressScalar = new GraphQLScalarType<string, string>({
  name: "Address",
  serialize: (value) => {
    if (typeof value !== "string" || !/^0x[0-9a-fA-F]{40}$/.test(value)) throw new GraphQLError(`Address cannot represent ${String(value)}`);
    return checksumAddress(value);
  },
  parseValue: parseAddressValue,
  parseLiteral: (ast) => atLiteral(ast, () => parseAddressValue(literal(ast, "Address", [Kind.STRING]))),
});

/**
 * The last second of the year 9999. A time past it is not one in seconds: most likely one in milliseconds
 * (JavaScript's Date.now()), which as seconds would be some 50,000 years ahead and match no job, or every one.
 */
export const MAX_TIMESTAMP = 253_402_300_799;

function parseTimestamp(value: unknown): number {
  const n = typeof value === "string" && /^\d{1,15}$/.test(value) ? Number(value) : value;
  if (typeof n === "number" && Number.isSafeInteger(n) && n > MAX_TIMESTAMP) {
    throw invalid("Timestamp", `${JSON.stringify(value)} is past the year 9999: a unix time in seconds is wanted, not milliseconds`, value, {
      maximum: MAX_TIMESTAMP,
    });
  }
  if (typeof n === "number" && Number.isSafeInteger(n) && n >= 0) return n;
  throw invalid("Timestamp", `${JSON.stringify(value)} is not a unix time in seconds`, value);
}

export const TimestampScalar = new GraphQLScalarType<number, number>({
  name: "Timestamp",
  serialize: (value) => {
    if (typeof value === "number" && Number.isSafeInteger(value)) return value;
    if (typeof value === "bigint") return Number(value);
    if (typeof value === "string" && /^\d+$/.test(value)) return Number(value);
    throw new GraphQLError(`Timestamp cannot represent ${String(value)}`);
  },
  parseValue: parseTimestamp,
  parseLiteral: (ast) => atLiteral(ast, () => parseTimestamp(literal(ast, "Timestamp", [Kind.INT, Kind.STRING]))),
});

function parseBytes(value: unknown): string {
  if (typeof value === "string" && /^0x([0-9a-fA-F]{2})*$/.test(value)) return value.toLowerCase();
  throw invalid("Bytes", `${JSON.stringify(value)} is not 0x-prefixed hex with whole bytes`, value);
}

export const BytesScalar = new GraphQLScalarType<string, string>({
  name: "Bytes",
  serialize: (value) => {
    if (typeof value === "string" && /^0x[0-9a-fA-F]*$/.test(value)) return value.toLowerCase();
    throw new GraphQLError(`Bytes cannot represent ${String(value)}`);
  },
  parseValue: parseBytes,
  parseLiteral: (ast) => atLiteral(ast, () => parseBytes(literal(ast, "Bytes", [Kind.STRING]))),
});
