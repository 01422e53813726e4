// What the schema's descriptions promise of the arguments a client writes, held against what the gateway does: the
// range a bounded whole number's description states is the one its parser accepts (both ends in, one past either
// refused, with that range in `extensions.minimum`/`maximum`), and the scalars' stated limits are theirs. A client
// reads these descriptions through introspection; a range changed in code alone would make them lie.
import { expect } from "chai";
import { GraphQLError, getNullableType, isInputObjectType, isIntrospectionType, isListType, isObjectType, type GraphQLSchema } from "graphql";
import type { ComputeRequirements, JobFeedFilter, JobFilter, ProviderFilter } from "../../../gateway/src/generated/graphql";
import { createResolvers } from "../../../gateway/src/resolvers";
import { buildSchema } from "../../../gateway/src/schema/executable-schema";
import { BigIntScalar, MAX_TIMESTAMP, TimestampScalar } from "../../../gateway/src/schema/scalars";
import { parseRequirements } from "../../../gateway/src/services/available-compute";
import { jobFilterWhere, parseFeedFilter } from "../../../gateway/src/services/job-filters";
import { providerFilterWhere } from "../../../gateway/src/services/provider-filters";
import { FakeHub } from "../helpers/fake-hub";

/** Parses an input object holding `{ [field]: value }` as the gateway does, throwing its refusal. */
type Parse = (field: string, value: number) => unknown;

const BOUNDED: { input: string; fields: string[]; parse: Parse }[] = [
  {
    input: "ComputeRequirements",
    fields: ["minVramGiB", "gpuCount", "minReputation", "minCompletedJobs", "minSlashRewardBps"],
    parse: (field, value) => parseRequirements({ gpuCount: 1, [field]: value } as ComputeRequirements),
  },
  {
    input: "ProviderFilter",
    fields: ["minVramGiB", "minGpusFree", "minGpuCount", "minReputation"],
    parse: (field, value) => providerFilterWhere({ [field]: value } as ProviderFilter, "0"),
  },
  { input: "JobFilter", fields: ["minGpuCount", "maxGpuCount"], parse: (field, value) => jobFilterWhere({ [field]: value } as JobFilter) },
  { input: "JobFeedFilter", fields: ["maxGpuCount"], parse: (field, value) => parseFeedFilter({ [field]: value } as JobFeedFilter) },
];

function refusal(parse: () => unknown): GraphQLError | null {
  try {
    parse();
    return null;
  } catch (error) {
    if (error instanceof GraphQLError) return error;
    throw error;
  }
}

describe("gateway schema argument descriptions", function () {
  let schema: GraphQLSchema;
  before(function () {
    schema = buildSchema(createResolvers(new FakeHub()));
  });

  const inputField = (input: string, field: string): string => {
    const type = schema.getType(input);
    if (!isInputObjectType(type)) throw new Error(`the schema has no input ${input}`);
    const description = type.getFields()[field]?.description;
    if (description === undefined || description === null) throw new Error(`${input}.${field} has no description`);
    return description;
  };

  for (const { input, fields, parse } of BOUNDED) {
    for (const field of fields) {
      it(`states the range ${input}.${field} accepts, the one its parser refuses outside`, function () {
        const stated = /(\d+) to (\d+)/.exec(inputField(input, field));
        expect(stated, `${input}.${field}'s description states no "A to B" range`).to.not.equal(null);
        const [minimum, maximum] = [Number(stated![1]), Number(stated![2])];
        expect(refusal(() => parse(field, minimum)), `${minimum} accepted`).to.equal(null);
        expect(refusal(() => parse(field, maximum)), `${maximum} accepted`).to.equal(null);
        for (const outside of [minimum - 1, maximum + 1]) {
          const refused = refusal(() => parse(field, outside));
          expect(refused?.extensions, `${outside} refused`).to.deep.include({ code: "BAD_USER_INPUT", value: outside, minimum, maximum });
        }
      });
    }
  }

  it("says of every list argument and input field that an empty list is refused, as the gateway refuses one", function () {
    const lists: [string, string | null | undefined][] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (isIntrospectionType(type)) continue;
      if (isInputObjectType(type)) {
        for (const field of Object.values(type.getFields())) if (isListType(getNullableType(field.type))) lists.push([`${type.name}.${field.name}`, field.description]);
      } else if (isObjectType(type)) {
        for (const field of Object.values(type.getFields())) {
          for (const arg of field.args) if (isListType(getNullableType(arg.type))) lists.push([`${type.name}.${field.name}(${arg.name})`, arg.description]);
        }
      }
    }
    expect(lists.length, "the schema's list inputs").to.be.at.least(12);
    const silent = lists.filter(([, description]) => !/empty list is (refused|BAD_USER_INPUT)/.test(description ?? "")).map(([name]) => name);
    expect(silent, "list inputs whose description does not say an empty list is refused").to.deep.equal([]);
    // What they say, the parsers do.
    expect(refusal(() => jobFilterWhere({ statuses: [] }))?.extensions).to.deep.include({ code: "BAD_USER_INPUT", argument: "filter.statuses" });
    expect(refusal(() => jobFilterWhere({ gpuModels: [] }))?.extensions).to.deep.include({ code: "BAD_USER_INPUT", argument: "filter.gpuModels" });
    expect(refusal(() => parseFeedFilter({ regions: [] }))?.extensions).to.deep.include({ code: "BAD_USER_INPUT", argument: "requirements.regions" });
  });

  it("says that a Timestamp past the year 9999 is refused as milliseconds, at the bound the scalar holds", function () {
    const timestamp = schema.getType("Timestamp")?.description ?? "";
    expect(timestamp).to.include(String(MAX_TIMESTAMP)).and.include("9999").and.include("milliseconds");
    expect(TimestampScalar.parseValue(MAX_TIMESTAMP)).to.equal(MAX_TIMESTAMP);
    expect(refusal(() => TimestampScalar.parseValue(MAX_TIMESTAMP + 1))?.extensions).to.deep.include({ code: "BAD_USER_INPUT", maximum: MAX_TIMESTAMP });
    for (const field of ["createdAfter", "createdBefore"]) expect(inputField("JobFilter", field), `JobFilter.${field}`).to.include("9999").and.include("milliseconds");
  });

  it("states the BigInt scalar's bound, 2^256 - 1, which it holds", function () {
    expect(schema.getType("BigInt")?.description).to.include("2^256 - 1");
    const max = 2n ** 256n - 1n;
    expect(BigIntScalar.parseValue(max.toString())).to.equal(max);
    expect(refusal(() => BigIntScalar.parseValue((max + 1n).toString()))?.extensions).to.deep.include({ code: "BAD_USER_INPUT", scalar: "BigInt" });
  });
});
