// A scalar written as a literal in the query and refused (an address, an amount): the error, as a dApp gets it over
// HTTP, says which value it is: its field and argument path in the message and extensions, and `locations`, as
// graphql-js does for a variable by naming its path in the message.
import { expect } from "chai";
import { DEFAULT_QUERY_LIMITS } from "../../../gateway/src/limits/query-limits";
import { silentLogger } from "../../../gateway/src/logger";
import { buildSchema } from "../../../gateway/src/schema/executable-schema";
import { AddressScalar, BigIntScalar, BytesScalar, TimestampScalar } from "../../../gateway/src/schema/scalars";
import { bareContext } from "../helpers/bare-context";
import { serveGraphQLHttp, type ServedGraphQLHttp } from "../helpers/served-graphql-http";

interface Answer {
  status: number;
  errors: { message: string; locations?: { line: number; column: number }[]; extensions?: Record<string, unknown> }[];
}

describe("GraphQL over HTTP: a scalar literal refused", function () {
  let served: ServedGraphQLHttp;

  before(async function () {
    served = await serveGraphQLHttp({
      schema: buildSchema({ Address: AddressScalar, BigInt: BigIntScalar, Bytes: BytesScalar, Timestamp: TimestampScalar }),
      limits: DEFAULT_QUERY_LIMITS,
      logger: silentLogger,
      context: bareContext,
    });
  });

  after(() => served.close());

  async function post(query: string, variables?: Record<string, unknown>): Promise<Answer> {
    const response = await fetch(served.url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query, variables }) });
    const json = (await response.json()) as { errors?: Answer["errors"] };
    return { status: response.status, errors: json.errors ?? [] };
  }

  it("points at the malformed literal of two of one scalar, with BAD_USER_INPUT, the scalar, the field and the argument named", async function () {
    const query = [
      "{",
      '  jobs(filter: { client: "0x5FbDB2315678afecb367f032d93F642f64180aa3",',
      '                 provider: "0x12" }) { nodes { id } }',
      "}",
    ].join("\n");
    const refused = await post(query);
    expect(refused.status).to.equal(400);
    expect(refused.errors).to.have.length(1);
    const [error] = refused.errors;
    expect(error?.message).to.equal('Query.jobs(filter.provider): Address: "0x12" is not an address (0x followed by 40 hex digits)');
    expect(error?.extensions).to.deep.equal({ code: "BAD_USER_INPUT", scalar: "Address", value: "0x12", argument: "filter.provider", field: "Query.jobs" });
    expect(error?.locations).to.deep.equal([{ line: 3, column: 28 }]);
  });

  it("names a variable a scalar refused in extensions.variable, with the scalar, as a literal's refusal names its argument", async function () {
    const refused = await post("query Q($p: Address!) { openJobs(provider: $p) { nodes { id } } }", { p: "0x12" });
    expect(refused.status).to.equal(400);
    expect(refused.errors).to.have.length(1);
    expect(refused.errors[0]?.message).to.match(/^Variable "\$p" got invalid value "0x12"; Address: "0x12" is not an address/);
    expect(refused.errors[0]?.extensions).to.deep.equal({ code: "BAD_USER_INPUT", variable: "p", scalar: "Address", value: "0x12" });
  });

  it("points at a literal of the wrong kind (a list where a BigInt goes)", async function () {
    const query = '{ availableCompute(requirements: { gpuCount: 1, maxPricePerGpuHour: ["1"] }) { nodes { gpuModel } } }';
    const refused = await post(query);
    expect(refused.status).to.equal(400);
    expect(refused.errors[0]?.message).to.equal('Query.availableCompute(requirements.maxPricePerGpuHour): BigInt: ["1"] is not a string or an integer');
    expect(refused.errors[0]?.extensions).to.deep.equal({ code: "BAD_USER_INPUT", scalar: "BigInt", value: ["1"], argument: "requirements.maxPricePerGpuHour", field: "Query.availableCompute" });
    expect(refused.errors[0]?.locations).to.deep.equal([{ line: 1, column: query.indexOf('["1"]') + 1 }]);
  });

  it("says what a literal of the wrong kind is (an integer where an Address string goes), after another root field", async function () {
    const query = '{ providers(first: 1) { nodes { jobs(first: 1) { nodes { id } } } } activity(filter: { account: 5 }) { nodes { kind } } }';
    const refused = await post(query);
    expect(refused.status).to.equal(400);
    expect(refused.errors[0]?.message).to.equal("Query.activity(filter.account): Address: 5 is not a string");
    expect(refused.errors[0]?.extensions).to.deep.equal({ code: "BAD_USER_INPUT", scalar: "Address", value: 5, argument: "filter.account", field: "Query.activity" });
  });

  it("names the argument of an Int literal past 32 bits, keeping GRAPHQL_VALIDATION_FAILED", async function () {
    const refused = await post("{ jobs(first: 5) { nodes { id } } providers(first: 2147483648) { nodes { address } } }");
    expect(refused.status).to.equal(400);
    expect(refused.errors[0]?.message).to.equal("Query.providers(first): Int cannot represent non 32-bit signed integer value: 2147483648");
    expect(refused.errors[0]?.extensions).to.deep.include({ code: "GRAPHQL_VALIDATION_FAILED", argument: "first", field: "Query.providers" });
  });

  it("names the argument path of an enum value no enum has", async function () {
    const refused = await post("{ availableCompute(requirements: { tier: GOLD }) { nodes { gpuModel } } }");
    expect(refused.errors[0]?.message).to.equal('Query.availableCompute(requirements.tier): Value "GOLD" does not exist in "Tier" enum.');
    expect(refused.errors[0]?.extensions).to.deep.include({ code: "GRAPHQL_VALIDATION_FAILED", argument: "requirements.tier", field: "Query.availableCompute" });
  });

  it("names a nested field's argument by that field (ComputeOffer.jobTerms), not by the root field above it", async function () {
    const query = '{ offer: availableCompute(requirements: {}) { nodes { jobTerms(acceptWithinSeconds: 60, specHash: "0x0g") { escrow { wei } } } } }';
    const refused = await post(query);
    expect(refused.status).to.equal(400);
    expect(refused.errors[0]?.message).to.equal('ComputeOffer.jobTerms(specHash): Bytes: "0x0g" is not 0x-prefixed hex with whole bytes');
    expect(refused.errors[0]?.extensions).to.deep.equal({ code: "BAD_USER_INPUT", scalar: "Bytes", value: "0x0g", argument: "specHash", field: "ComputeOffer.jobTerms" });
  });
});
