// Filter semantics of the query API on a schema written here (no chain): the cases where graph-node's SQL
// (store/postgres/src/relational_queries.rs) gives a result that SQL's own rules would not.
import { expect } from "chai";
import { QueryEngine } from "../../../../subgraph/indexer/query/engine";
import { gql, gqlErrors, itemIdsWhere } from "../helpers/dump";
import { SchemaDatabase } from "../helpers/schema-db";

const SCHEMA = `
  enum Tier { Gold, Silver }
  type Parent @entity { id: ID!, name: String! }
  type Item @entity {
    id: ID!
    name: String
    count: Int
    tier: Tier
    parent: Parent
    tags: [String!]
  }
`;

describe("query filters on a schema of the test", function () {
  let sdb: SchemaDatabase;
  let engine: QueryEngine;

  before(function () {
    sdb = SchemaDatabase.create(SCHEMA);
    sdb.insert("Parent", 1, { id: "p1", name: "one" });
    sdb.insert("Item", 1, { id: "a", name: "alpha", count: 1, tier: "Gold", parent: "p1", tags: '["x"]' });
    sdb.insert("Item", 1, { id: "b", name: null, count: null, tier: null, parent: null, tags: null });
    sdb.advance(1);
    engine = QueryEngine.forDatabase(sdb.db);
  });

  after(function () {
    sdb?.close();
  });

  const ids = (where: string): Promise<string[]> => itemIdsWhere(engine, where);

  it("matches nothing with an empty _in or _not_in list on ids, scalars, enums and references", async function () {
    for (const field of ["id", "name", "count", "tier", "parent"]) {
      expect(await ids(`{ ${field}_in: [] }`), `${field}_in`).to.deep.equal([]);
      expect(await ids(`{ ${field}_not_in: [] }`), `${field}_not_in`).to.deep.equal([]);
    }
    // Inside `or`, an empty list is a false alternative, not one that matches everything.
    expect(await ids(`{ or: [{ name_not_in: [] }, { id: "b" }] }`)).to.deep.equal(["b"]);
  });

  it("refuses a null _in or _not_in with graph-node's message", async function () {
    expect(await gqlErrors(engine, `{ items(where: { name_in: null }) { id } }`)).to.deep.equal([
      "Non-list value passed to `_in` filter",
    ]);
    expect(await gqlErrors(engine, `{ items(where: { count_not_in: null }) { id } }`)).to.deep.equal([
      "Non-list value passed to `_not_in` filter",
    ]);
  });

  // graph-node's build_filter_from_object refuses only `or` next to column filters; `and` and `_change_block` mix.
  it("takes `and` next to column filters, and `or` next to `and` and `_change_block`, as graph-node", async function () {
    expect(await ids(`{ count: 1, and: [{ name: "alpha" }] }`)).to.deep.equal(["a"]);
    expect(await ids(`{ count: 1, and: [{ name: "beta" }] }`)).to.deep.equal([]);
    expect(await ids(`{ and: [{ count: 1 }], or: [{ id: "a" }, { id: "b" }] }`)).to.deep.equal(["a"]);
    expect(await ids(`{ _change_block: { number_gte: 1 }, or: [{ id: "a" }, { id: "b" }] }`)).to.deep.equal(["a", "b"]);
  });

  it("refuses `or` next to column filters with graph-node's message, which names them", async function () {
    expect(await gqlErrors(engine, `{ items(where: { count: 1, name: "x", or: [{ id: "a" }] }) { id } }`)).to.deep.equal([
      "Cannot mix column filters with 'or' operator at the same level. Found column filter(s) 'count', 'name' alongside 'or' operator.\n\n" +
        "Instead of:\nwhere: { 'count', 'name', or: [...] }\n\nUse:\nwhere: { or: [{ 'count', 'name', ... }, { 'count', 'name', ... }] }",
    ]);
  });

  it("offers no _in or _not_in on list fields, as graph-node", async function () {
    const errors = await gqlErrors(engine, `{ items(where: { tags_not_in: [] }) { id } }`);
    expect(errors.join("\n")).to.match(/tags_not_in/);
  });
});

// graph-node binds a String filter's value as a Postgres LIKE/ILIKE pattern, unescaped (relational_queries.rs,
// `contains` and `starts_or_ends_with`), on a database that must use the C locale (catalog.rs, Locale::suitable).
describe("query string filters as graph-node's LIKE patterns", function () {
  let sdb: SchemaDatabase;
  let engine: QueryEngine;

  before(function () {
    sdb = SchemaDatabase.create(`type Word @entity { id: ID!, text: String, tags: [String!] }`);
    const words: Array<[string, string | null, string | null]> = [
      ["w1", "a_b", '["Foo_1"]'],
      ["w2", "axb", '["fooX1"]'],
      ["w3", "50%", null],
      ["w4", "500", null],
      ["w5", "Ébc", null],
      ["w6", "ébc", null],
      ["w7", "back\\slash", null],
      ["w8", null, null],
    ];
    for (const [id, text, tags] of words) sdb.insert("Word", 1, { id, text, tags });
    sdb.advance(1);
    engine = QueryEngine.forDatabase(sdb.db);
  });

  after(function () {
    sdb?.close();
  });

  // Values travel as variables, so that the test's strings are the filter values exactly.
  const ids = async (key: string, value: string | string[]): Promise<string[]> => {
    const type = Array.isArray(value) ? "[String!]" : "String";
    const query = `query($v: ${type}) { words(where: { ${key}: $v }, orderBy: id) { id } }`;
    return (await gql<{ words: Array<{ id: string }> }>(engine, query, { v: value })).words.map((w) => w.id);
  };

  it("treats _ and % in the value as wildcards, one character and any run", async function () {
    expect(await ids("text_contains", "a_b")).to.deep.equal(["w1", "w2"]);
    expect(await ids("text_starts_with", "50%")).to.deep.equal(["w3", "w4"]);
    expect(await ids("text_ends_with", "_b")).to.deep.equal(["w1", "w2"]);
    expect(await ids("text_not_contains", "x_")).to.deep.equal(["w1", "w3", "w4", "w5", "w6", "w7"]);
    expect(await ids("text_not_starts_with", "_")).to.deep.equal([]);
  });

  it("takes a _contains value that starts or ends with % as the whole pattern, unwrapped", async function () {
    expect(await ids("text_contains", "5%")).to.deep.equal(["w3", "w4"]);
    expect(await ids("text_contains", "%b")).to.deep.equal(["w1", "w2"]);
  });

  it("takes the character after a backslash literally", async function () {
    expect(await ids("text_contains", "a\\_b")).to.deep.equal(["w1"]);
    expect(await ids("text_contains", "k\\\\s")).to.deep.equal(["w7"]);
    // starts_with appends `%`, which the trailing backslash then escapes: a literal `x%` prefix.
    expect(await ids("text_starts_with", "50\\")).to.deep.equal(["w3"]);
  });

  it("refuses a pattern that ends with the escape character with Postgres' error", async function () {
    const query = `query($v: String) { words(where: { text_ends_with: $v }) { id } }`;
    expect(await gqlErrors(engine, query, { v: "b\\" })).to.deep.equal([
      "Failed to get entities from store: LIKE pattern must not end with escape character",
    ]);
  });

  it("folds only ASCII letters in _nocase filters, as ILIKE under the C locale", async function () {
    expect(await ids("text_contains_nocase", "BC")).to.deep.equal(["w5", "w6"]);
    expect(await ids("text_starts_with_nocase", "ÉBC")).to.deep.equal(["w5"]);
    expect(await ids("text_not_starts_with_nocase", "éB")).to.deep.equal(["w1", "w2", "w3", "w4", "w5", "w7"]);
  });

  it("matches list elements against each _contains_nocase value as an ILIKE pattern", async function () {
    expect(await ids("tags_contains_nocase", ["FOO_1"])).to.deep.equal(["w1", "w2"]);
    expect(await ids("tags_contains_nocase", ["foo"])).to.deep.equal([]);
    expect(await ids("tags_not_contains_nocase", ["%x%"])).to.deep.equal(["w1", "w3", "w4", "w5", "w6", "w7", "w8"]);
  });
});

// graph-node builds a child filter's SQL with child filters disallowed inside it (relational_queries.rs,
// `ColumnQual::Child`), so `a_: { b_: {...} }` is an error there: one we answered would break on a real graph-node.
describe("query child filters, one level deep as graph-node", function () {
  let sdb: SchemaDatabase;
  let engine: QueryEngine;

  before(function () {
    sdb = SchemaDatabase.create(`
      type Owner @entity { id: ID!, name: String!, parents: [Parent!]! @derivedFrom(field: "owner") }
      type Parent @entity { id: ID!, name: String!, owner: Owner, items: [Item!]! @derivedFrom(field: "parent") }
      type Item @entity { id: ID!, count: Int, parent: Parent }
    `);
    sdb.insert("Owner", 1, { id: "o1", name: "one" });
    sdb.insert("Parent", 1, { id: "p1", name: "first", owner: "o1" });
    sdb.insert("Item", 1, { id: "a", count: 2, parent: "p1" });
    sdb.insert("Item", 1, { id: "b", count: 5, parent: null });
    sdb.advance(1);
    engine = QueryEngine.forDatabase(sdb.db);
  });

  after(function () {
    sdb?.close();
  });

  it("applies child filters one level deep, also inside and/or", async function () {
    const query = `{ items(where: { or: [{ parent_: { name: "first", owner: "o1" } }, { count: 5 }] }, orderBy: id) { id } }`;
    expect((await gql<{ items: Array<{ id: string }> }>(engine, query)).items.map((i) => i.id)).to.deep.equal(["a", "b"]);
  });

  it("refuses a child filter inside a child filter with graph-node's message", async function () {
    const cases: Array<[string, string]> = [
      [`items(where: { parent_: { owner_: { name: "one" } } })`, "`owner`: `join on owner with Owner(name = one)`"],
      [`owners(where: { parents_: { items_: { count_gt: 1 } } })`, "`parent`: `join on parent with Item(count > 1)`"],
      // graph-node names the inner filter's fields in their byte order, not the schema's (`id` comes first there).
      [`owners(where: { parents_: { items_: { id: "a", count: 2 } } })`, "`parent`: `join on parent with Item(count = 2 and id = a)`"],
      [
        `items(where: { parent_: { or: [{ name: "x" }, { owner_: { id_in: ["o1", "o2"], name_starts_with: "o" } }] } })`,
        "`owner`: `join on owner with Owner(id in (o1,o2) and name ~ ^o*)`",
      ],
    ];
    for (const [field, message] of cases) {
      expect(await gqlErrors(engine, `{ ${field} { id } }`), field).to.deep.equal([`Child filter nesting not supported by value ${message}`]);
    }
  });
});

// A reference to an entity with Bytes ids is filtered with String operators (graph-node's API offers them), but its
// column holds bytes: graph-node matches `_contains` as bytes and fails the LIKE of `_starts_with` and `_ends_with`
// in Postgres (`bytea ~~ text`), and refuses `_nocase` (store/postgres/src/relational_queries.rs).
describe("query filters on a reference to Bytes ids", function () {
  let sdb: SchemaDatabase;
  let engine: QueryEngine;

  before(function () {
    sdb = SchemaDatabase.create(`
      type Account @entity { id: Bytes! }
      type Transfer @entity { id: ID!, from: Account! }
    `);
    sdb.insert("Account", 1, { id: Buffer.from("abcd", "hex") });
    sdb.insert("Transfer", 1, { id: "t", from: Buffer.from("abcd", "hex") });
    sdb.advance(1);
    engine = QueryEngine.forDatabase(sdb.db);
  });

  after(function () {
    sdb?.close();
  });

  it("matches _contains as bytes", async function () {
    expect(await gql(engine, `{ transfers(where: { from_contains: "0xcd" }) { id } }`)).to.deep.equal({ transfers: [{ id: "t" }] });
  });

  it("refuses _starts_with and _ends_with, which graph-node's database cannot run, rather than answer what it cannot", async function () {
    for (const op of ["starts_with", "not_starts_with", "ends_with", "not_ends_with"]) {
      expect(await gqlErrors(engine, `{ transfers(where: { from_${op}: "0xab" }) { id } }`), op).to.deep.equal([
        `Filter \`_${op}\` is only supported on String fields, not on \`from\``,
      ]);
    }
  });
});
