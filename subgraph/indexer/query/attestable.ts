// graph-node's `graph-attestable` response header (graph/src/data/query/error.rs, is_attestable): whether an answer
// depends on the query and the indexed data alone, so that an indexer may be held to it. Parse errors, validation of
// arguments' values (`Failed to decode ...`), unsupported filters and orders are; GraphQL validation, the `first` and
// `skip` range, the store's errors, an ambiguous derived field, `indexing_error` and anything unexpected are not.
import { GraphQLError } from "graphql";

/** A query error graph-node answers but does not attest (its RangeArgumentsError, StoreError, AmbiguousDerivedFromResult). */
export class UnattestableQueryError extends GraphQLError {}

/** A scalar value graph-node cannot decode (its ValueParseError, which it attests), wherever GraphQL.js finds it. */
export class ValueDecodeError extends GraphQLError {}

/**
 * Whether graph-node attests a query that failed GraphQL validation: only where every error is a value it cannot
 * decode (a literal a scalar refused, which graph-node finds as it executes: ValueParseError), not an unknown field,
 * argument or type (its ValidationError).
 */
export function attestableValidation(errors: readonly GraphQLError[]): boolean {
  // GraphQL.js reports a literal's own GraphQLError as it is, and wraps a variable's as its originalError.
  return errors.every((error) => error instanceof ValueDecodeError || error.originalError instanceof ValueDecodeError);
}

/** Whether graph-node attests an answer with these errors (an answer without errors it does). */
export function attestable(errors: readonly GraphQLError[] | undefined): boolean {
  return (errors ?? []).every((error) => {
    const cause = error.originalError;
    if (cause === undefined || cause === null) return true;
    // A resolver's own error that is no GraphQLError is a failure of the engine or the database, not of the query.
    return cause instanceof GraphQLError && !(cause instanceof UnattestableQueryError);
  });
}
