import { expect } from "chai";
import { buildSchema, getOperationAST, parse, type GraphQLSchema } from "graphql";
import { checkQueryLimits, DEFAULT_QUERY_LIMITS, type QueryLimits } from "../../../gateway/src/limits/query-limits";
import { loadTypeDefs } from "../../../gateway/src/schema/executable-schema";

describe("query limits", function () {
  let schema: GraphQLSchema;
  before(function () {
    schema = buildSchema(loadTypeDefs());
  });

  function check(query: string, variables: Record<string, unknown> = {}, limits: Partial<QueryLimits> = {}) {
    const document = parse(query);
    return checkQueryLimits(schema, document, getOperationAST(document)!, variables, { ...DEFAULT_QUERY_LIMITS, ...limits });
  }
  const limitsOf = (query: string, variables: Record<string, unknown> = {}, limits: Partial<QueryLimits> = {}) =>
    check(query, variables, limits).errors.map((e) => e.extensions.limit ?? e.extensions.code);

  it("defaults to the README's limits: depth 12, cost 5000, pages of 100, histories of 365 days", function () {
    expect(DEFAULT_QUERY_LIMITS).to.deep.equal({ maxDepth: 12, maxCost: 5000, maxPageSize: 100, maxDays: 365 });
  });

  it("lets an ordinary dashboard query through", function () {
    const result = check(`{ providers(first: 20) { nodes { address capacity { gpusFree } stake { staked { wei } } } } networkStats { jobs { total } } }`);
    expect(result.errors).to.deep.equal([]);
    expect(result.cost).to.be.greaterThan(0);
  });

  it("measures depth through fragments and inline fragments", function () {
    const query = `query { provider(address: "0x0000000000000000000000000000000000000001") { ...P } }
      fragment P on Provider { jobs { nodes { ... on Job { provider { address } } } } }`;
    expect(check(query).depth).to.equal(5);
    expect(limitsOf(query, {}, { maxDepth: 4 })).to.deep.equal(["depth"]);
  });

  it("multiplies the cost of what a list selects by its page size", function () {
    // A root field costs 10; what it selects is multiplied by its page size.
    const small = check(`{ providers(first: 2) { nodes { capacity { gpuCount } } } }`).cost;
    const large = check(`{ providers(first: 20) { nodes { capacity { gpuCount } } } }`).cost;
    expect(large - 10).to.equal(10 * (small - 10));
  });

  it("costs what the README says: 10 a root field, 1 an object field, 10 `live`, scalars nothing", function () {
    expect(check(`{ indexingStatus { lag } }`).cost).to.equal(10);
    const provider = `provider(address: "0x0000000000000000000000000000000000000001")`;
    expect(check(`{ ${provider} { address capacity { gpuCount } stake { staked { wei } } } }`).cost).to.equal(10 + 1 + 1 + 1);
    expect(check(`{ ${provider} { live { active } } }`).cost).to.equal(10 + 10);
    // A page multiplies what it selects: 10 + 3 × (nodes 1 + capacity 1).
    expect(check(`{ providers(first: 3) { nodes { capacity { gpuCount } } } }`).cost).to.equal(10 + 3 * 2);
  });

  it("counts a list without a page size as 20 items, and multiplies a history by its days", function () {
    // The list field costs 1, and what it selects (amount, earned: 1 each) is multiplied by 20, or by its days.
    expect(check(`{ job(id: "1") { timeline { kind amount { wei } } } }`).cost).to.equal(10 + 1 + 20 * 1);
    const provider = `provider(address: "0x0000000000000000000000000000000000000001")`;
    expect(check(`{ ${provider} { history(days: 7) { earned { wei } } } }`).cost).to.equal(10 + 1 + 7 * 1);
  });

  it("costs a nested connection (Provider.slashesConnection) by its `first`, as the plain list it pages, its edges and nodes not counted again", function () {
    const provider = `provider(address: "0x0000000000000000000000000000000000000001")`;
    const plain = check(`{ ${provider} { slashes(first: 3) { amount { wei } } } }`).cost;
    // 10 + the connection 1 + 3 × (node 1 + amount 1): the same 3 rows as the plain list's.
    expect(check(`{ ${provider} { slashesConnection(first: 3) { nodes { amount { wei } } } } }`).cost).to.equal(10 + 1 + 3 * 2);
    expect(check(`{ ${provider} { slashesConnection(first: 3) { edges { node { amount { wei } } } } } }`).cost).to.equal(10 + 1 + 3 * 3);
    expect(plain).to.equal(10 + 1 + 3 * 1);
    expect(limitsOf(`{ ${provider} { thawRequestsConnection(first: 101) { nodes { index } } } }`)).to.deep.equal(["BAD_USER_INPUT"]);
  });

  it("reads page sizes from variables", function () {
    const query = `query($n: Int) { jobs(first: $n) { nodes { provider { address } } } }`;
    expect(check(query, { n: 50 }).cost).to.be.greaterThan(check(query, { n: 5 }).cost);
    expect(limitsOf(query, { n: 500 })).to.deep.equal(["BAD_USER_INPUT"]);
  });

  it("reads a page size from the default of a variable the request leaves out, as execution does", function () {
    const selection = `{ nodes { jobs(first: $n) { nodes { id } } } }`;
    expect(check(`query($n: Int = 100) { providers(first: $n) ${selection} }`).cost).to.equal(
      check(`query($n: Int) { providers(first: $n) ${selection} }`, { n: 100 }).cost,
    );
    expect(limitsOf(`query($n: Int = 500) { jobs(first: $n) { nodes { id } } }`)).to.deep.equal(["BAD_USER_INPUT"]);
  });

  it("refuses a cost over the maximum", function () {
    expect(limitsOf(`{ providers(first: 100) { nodes { jobs(first: 100) { nodes { provider { address } } } } } }`)).to.deep.equal(["cost"]);
  });

  it("counts aliases: a wide query costs what all its fields cost", function () {
    const wide = (n: number) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: indexingStatus { lag }`).join(" ")} }`;
    expect(limitsOf(wide(10))).to.deep.equal([]);
    expect(limitsOf(wide(1000))).to.deep.equal(["cost"]);
  });

  it("does not blow up on fragments spread many times over", function () {
    const fragments = Array.from({ length: 30 }, (_, i) => `fragment F${i} on Provider { ${i === 29 ? "address" : `...F${i + 1} ...F${i + 1}`} }`).join("\n");
    const result = check(`{ provider(address: "0x0000000000000000000000000000000000000001") { ...F0 } } ${fragments}`);
    expect(result.depth).to.equal(2);
  });

  it("refuses `live` under a list, also through a fragment, and allows it on a single provider", function () {
    expect(limitsOf(`{ providers { nodes { live { active } } } }`)).to.deep.equal(["liveInList"]);
    expect(limitsOf(`{ jobs { edges { node { ...L } } } } fragment L on Job { live { status } }`)).to.deep.equal(["liveInList"]);
    expect(limitsOf(`{ availableCompute(requirements: {}) { nodes { provider { live { active } } } } }`)).to.deep.equal(["liveInList"]);
    expect(limitsOf(`{ provider(address: "0x0000000000000000000000000000000000000001") { live { active } jobs { nodes { id } } } }`)).to.deep.equal([]);
    expect(limitsOf(`{ job(id: "1") { live { status } provider { live { active } } } }`)).to.deep.equal([]);
  });

  it("says, refusing `live` under a list, that it is available on any one provider or job, the subscriptions' included", function () {
    const [error] = check(`{ jobs { nodes { live { status } } } }`).errors;
    expect(error!.message).to.equal(
      "`live` reads the chain, so it is only available outside lists (on provider, job, jobOpened, jobUpdated and clientJobsUpdated, and the objects they nest), not through the list `JobConnection.nodes`",
    );
    const address = `"0x0000000000000000000000000000000000000001"`;
    expect(limitsOf(`subscription { jobOpened(requirements: {}) { live { status } provider { live { active } } } }`)).to.deep.equal([]);
    expect(limitsOf(`subscription { clientJobsUpdated(client: ${address}) { live { status } } }`)).to.deep.equal([]);
    expect(limitsOf(`subscription { jobUpdated(id: "1") { live { status } } }`)).to.deep.equal([]);
  });

  it("leaves introspection alone", function () {
    const introspection = `{ __schema { types { name fields { name type { name ofType { name ofType { name ofType { name ofType { name } } } } } } } } }`;
    expect(limitsOf(introspection, {}, { maxDepth: 3 })).to.deep.equal([]);
  });
});
