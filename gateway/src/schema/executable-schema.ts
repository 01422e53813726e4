import * as fs from "node:fs";
import * as path from "node:path";
import { makeExecutableSchema } from "@graphql-tools/schema";
import { GraphQLScalarType, type GraphQLSchema } from "graphql";
import type { Resolvers } from "../generated/graphql";
import { repoRoot } from "../repo-root";

/** The schema's SDL (gateway/src/schema.graphql), the single source of the API's shape. */
export const SCHEMA_PATH = path.join(repoRoot(), "gateway", "src", "schema.graphql");

export function loadTypeDefs(): string {
  return fs.readFileSync(SCHEMA_PATH, "utf8");
}

/**
 * A custom scalar's behaviour alone. graphql-tools copies every property of a resolver's GraphQLScalarType over the
 * SDL's scalar, its `description` too, which scalars.ts leaves undefined: handed whole, it would erase the description
 * the SDL gives, and introspection would show the scalar undescribed.
 */
function scalarBehaviour(scalar: GraphQLScalarType): Pick<GraphQLScalarType, "serialize" | "parseValue" | "parseLiteral"> {
  return { serialize: scalar.serialize, parseValue: scalar.parseValue, parseLiteral: scalar.parseLiteral };
}

export function buildSchema(resolvers: Resolvers): GraphQLSchema {
  const withScalarBehaviour = Object.fromEntries(
    Object.entries(resolvers).map(([type, value]) => [type, value instanceof GraphQLScalarType ? scalarBehaviour(value) : value]),
  );
  return makeExecutableSchema({
    typeDefs: loadTypeDefs(),
    resolvers: withScalarBehaviour as Parameters<typeof makeExecutableSchema>[0]["resolvers"],
    // Every resolver must belong to a field of the SDL, so a renamed field cannot leave a resolver behind.
    resolverValidationOptions: { requireResolversToMatchSchema: "error" },
  });
}
