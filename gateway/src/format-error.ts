// One error policy for HTTP and WebSocket answers: known failures keep (or get) their standard code and a message
// that says what is wrong; anything unexpected is logged and answered as INTERNAL_SERVER_ERROR without details.
import { GraphQLError, Kind, type GraphQLFormattedError } from "graphql";
import { ChainError, ErrorCode, SourceError, SourceInternalError, chainUnavailable, sourceUnavailable } from "./errors";
import type { Logger } from "./logger";
import { literalArgumentOf } from "./schema/scalars";

/** The innermost error that says more than its wrappers (graphql-js and Apollo wrap what resolvers throw). */
function rootCause(error: unknown): unknown {
  let current = error;
  for (let i = 0; i < 5; i++) {
    if (current instanceof SourceError || current instanceof ChainError) return current;
    if (current instanceof GraphQLError && current.originalError !== undefined && current.originalError !== null) {
      current = current.originalError;
      continue;
    }
    return current;
  }
  return current;
}

function codeOf(error: unknown): string | undefined {
  if (!(error instanceof GraphQLError)) return undefined;
  const code = error.extensions.code;
  return typeof code === "string" ? code : undefined;
}

/**
 * The variable a refusal is about, where graphql-js refused a variable's value (its type refuses it, or a required one
 * is missing): the error's node is then the variable's definition. Its message names it ("Variable \"$p\" got
 * invalid value..."); `extensions.variable` names it for a client that branches on extensions, as `argument` names an
 * argument refused (a variable may feed several arguments, so it is named as the request wrote it).
 */
function refusedVariable(error: unknown): { variable: string; scalar?: unknown } | undefined {
  if (!(error instanceof GraphQLError)) return undefined;
  const node = error.nodes?.[0];
  if (node?.kind !== Kind.VARIABLE_DEFINITION) return undefined;
  // A scalar of ours that refused the value says which (as it does for a literal); graphql-js's own do not.
  const cause = error.originalError;
  const scalar = cause instanceof GraphQLError ? cause.extensions.scalar : undefined;
  return { variable: node.variable.name.value, ...(scalar === undefined ? {} : { scalar }) };
}

export function formatError(formatted: GraphQLFormattedError, error: unknown, logger: Logger): GraphQLFormattedError {
  const cause = rootCause(error);
  const base = { locations: formatted.locations, path: formatted.path };
  if (cause instanceof SourceError) {
    // The client is told the failure's code only: its message, which may quote the source's internals, is logged.
    if (cause instanceof SourceInternalError) logger.error("subgraph source failed", { failure: cause.failure, error: cause, path: formatted.path });
    const e = sourceUnavailable(cause);
    return { ...base, message: e.message, extensions: { code: ErrorCode.SourceUnavailable } };
  }
  if (cause instanceof ChainError) {
    const e = chainUnavailable(cause);
    return { ...base, message: e.message, extensions: { code: ErrorCode.ChainUnavailable } };
  }
  // A BAD_USER_INPUT raised by a scalar while parsing a literal reaches us wrapped as a validation error: the
  // client should still see BAD_USER_INPUT (graphql-js's message names the scalar and the value, not the argument;
  // the error's locations point at the literal).
  if (codeOf(cause) === ErrorCode.BadUserInput) {
    const extensions = { ...(cause as GraphQLError).extensions, ...formatted.extensions, ...refusedVariable(error), code: ErrorCode.BadUserInput };
    // The cause's own extensions still hold Apollo's `http` (the status a limit check asks for), which Apollo took
    // out of `formatted` only.
    delete (extensions as Record<string, unknown>).stacktrace;
    delete (extensions as Record<string, unknown>).http;
    return { ...formatted, extensions };
  }
  const code = formatted.extensions?.code;
  const variable = code === ErrorCode.BadUserInput ? refusedVariable(error) : undefined;
  if (variable !== undefined) return { ...formatted, extensions: { ...formatted.extensions, ...variable } };
  // graphql-js's own refusals of a literal (an Int past 32 bits, a value no enum has) name the value and the type,
  // not whose argument it is: a query with several Ints or enums would not say which.
  const literal = code === ErrorCode.ValidationFailed && error instanceof GraphQLError ? literalArgumentOf(error.nodes?.[0]) : undefined;
  if (literal !== undefined) {
    return { ...formatted, message: `${literal.field}(${literal.argument}): ${formatted.message}`, extensions: { ...formatted.extensions, ...literal } };
  }
  if (code === undefined || code === ErrorCode.Internal) {
    logger.error("internal error", { error: cause, path: formatted.path });
    return { ...base, message: "internal error", extensions: { code: ErrorCode.Internal } };
  }
  return formatted;
}
