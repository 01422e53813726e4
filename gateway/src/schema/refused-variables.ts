// The values graphql-js refused in a request's variables, for the refusals' `extensions.value`: its errors name them
// in the message only, which a client would have to parse.
import { Kind, coerceInputValue, isInputType, typeFromAST, type GraphQLError, type GraphQLSchema } from "graphql";

/**
 * The value each of `errors` that refuses a variable (its node is the variable's definition) refused: the value where
 * in the variable graphql-js found it wrong (an element of a list, a field of an input object), or null for one
 * missing or null where its type requires one. The variable's coercion is run again to find them, so that the k-th
 * refusal of a variable gets the k-th value that coercion refuses, in the order graphql-js reports them. Errors about
 * anything else are not in the map.
 */
export function refusedVariableValues(
  schema: GraphQLSchema,
  errors: readonly GraphQLError[],
  variables: Readonly<Record<string, unknown>> | undefined,
): Map<GraphQLError, unknown> {
  const refusedOf = new Map<string, unknown[]>();
  const taken = new Map<string, number>();
  const out = new Map<GraphQLError, unknown>();
  for (const error of errors) {
    const node = error.nodes?.[0];
    if (node?.kind !== Kind.VARIABLE_DEFINITION) continue;
    const name = node.variable.name.value;
    let refused = refusedOf.get(name);
    if (refused === undefined) {
      const found: unknown[] = [];
      const type = typeFromAST(schema, node.type);
      const value = variables !== undefined && Object.hasOwn(variables, name) ? variables[name] : undefined;
      if (value !== undefined && value !== null && type !== undefined && isInputType(type)) {
        coerceInputValue(value, type, (_path, invalid) => found.push(invalid));
      }
      refused = found;
      refusedOf.set(name, refused);
    }
    const k = taken.get(name) ?? 0;
    taken.set(name, k + 1);
    out.set(error, refused[k] ?? null);
  }
  return out;
}
