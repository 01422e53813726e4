import * as fs from "node:fs";
import * as path from "node:path";
import { makeExecutableSchema } from "@graphql-tools/schema";
import type { GraphQLSchema } from "graphql";
import type { Resolvers } from "../generated/graphql";
import { repoRoot } from "../repo-root";

/** The schema's SDL (gateway/src/schema.graphql), the single source of the API's shape. */
export const SCHEMA_PATH = path.join(repoRoot(), "gateway", "src", "schema.graphql");

export function loadTypeDefs(): string {
  return fs.readFileSync(SCHEMA_PATH, "utf8");
}

export function buildSchema(resolvers: Resolvers): GraphQLSchema {
  return makeExecutableSchema({
    typeDefs: loadTypeDefs(),
    resolvers: resolvers as Parameters<typeof makeExecutableSchema>[0]["resolvers"],
    // Every resolver must belong to a field of the SDL, so a renamed field cannot leave a resolver behind.
    resolverValidationOptions: { requireResolversToMatchSchema: "error" },
  });
}
