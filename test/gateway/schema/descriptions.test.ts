// The gateway's schema documents itself: dApps and dashboards read the API through introspection, so every type,
// field, argument, enum value and input field of the public schema, built as the gateway builds it, has a
// description. Built-in scalars and introspection types (graphql-js documents those) are left out.
import { expect } from "chai";
import { isEnumType, isInputObjectType, isInterfaceType, isIntrospectionType, isNonNullType, isObjectType, isSpecifiedScalarType } from "graphql";
import type { GraphQLSchema } from "graphql";
import { createResolvers } from "../../../gateway/src/resolvers";
import { buildSchema } from "../../../gateway/src/schema/executable-schema";
import { CONTRACT_NAMES } from "../../../scripts/deploy";
import { FakeHub } from "../helpers/fake-hub";

const described = (description: string | null | undefined) => (description ?? "").trim() !== "";

/** Every schema element without a description, as `Type`, `Type.field`, `Type.field(arg)` or `Enum.VALUE`. */
export function undescribed(schema: GraphQLSchema): string[] {
  const missing: string[] = [];
  for (const type of Object.values(schema.getTypeMap())) {
    if (isIntrospectionType(type) || isSpecifiedScalarType(type)) continue;
    if (!described(type.description)) missing.push(type.name);
    if (isObjectType(type) || isInterfaceType(type)) {
      for (const field of Object.values(type.getFields())) {
        if (!described(field.description)) missing.push(`${type.name}.${field.name}`);
        for (const arg of field.args) {
          if (!described(arg.description)) missing.push(`${type.name}.${field.name}(${arg.name})`);
        }
      }
    } else if (isInputObjectType(type)) {
      for (const field of Object.values(type.getFields())) {
        if (!described(field.description)) missing.push(`${type.name}.${field.name}`);
      }
    } else if (isEnumType(type)) {
      for (const value of type.getValues()) {
        if (!described(value.description)) missing.push(`${type.name}.${value.name}`);
      }
    }
  }
  return missing;
}

/**
 * Every nullable field of an object type (the root types' aside: a root field's null is its errors') whose description
 * never says "null": a dApp cannot tell when to expect one.
 */
export function nullUnexplained(schema: GraphQLSchema): string[] {
  const roots = new Set([schema.getQueryType(), schema.getSubscriptionType()]);
  const missing: string[] = [];
  for (const type of Object.values(schema.getTypeMap())) {
    if (isIntrospectionType(type) || !isObjectType(type) || roots.has(type)) continue;
    for (const field of Object.values(type.getFields())) {
      if (!isNonNullType(field.type) && !/\bnull\b/i.test(field.description ?? "")) missing.push(`${type.name}.${field.name}`);
    }
  }
  return missing;
}

describe("gateway schema descriptions", function () {
  it("describes every type, field, argument, enum value and input field", function () {
    const schema = buildSchema(createResolvers(new FakeHub()));
    const missing = undescribed(schema);
    expect(missing, `${missing.length} without a description in gateway/src/schema.graphql:\n  ${missing.join("\n  ")}\n`).to.deep.equal([]);
  });

  it("says when each nullable field of an object type is null", function () {
    const schema = buildSchema(createResolvers(new FakeHub()));
    const missing = nullUnexplained(schema);
    expect(missing, `${missing.length} nullable fields whose description does not say when they are null:\n  ${missing.join("\n  ")}\n`).to.deep.equal([]);
  });

  it("lists under Deployment.contract(name) the contracts a deployment record keys, as scripts/deploy.ts names them, in its order", function () {
    const schema = buildSchema(createResolvers(new FakeHub()));
    const deployment = schema.getType("Deployment");
    if (!isObjectType(deployment)) throw new Error("the schema has no Deployment type");
    const description = deployment.getFields().contract?.args.find((arg) => arg.name === "name")?.description ?? "";
    // "...keys it: A, B, ... or Z."
    const listed = /: ([A-Za-z, ]+)\.$/.exec(description)?.[1]?.split(/, | or /) ?? [];
    expect(listed).to.deep.equal([...CONTRACT_NAMES]);
  });
});
