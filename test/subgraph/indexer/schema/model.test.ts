// What the README lists as not supported in a subgraph's schema is refused when the schema loads, naming the type,
// rather than indexed in part: Int8 ids, aggregations and timeseries. Fulltext definitions (`_Schema_`) define no
// entity; the manifest's fullTextSearch feature, which a subgraph using them declares, is refused (manifest.test.ts).
import { expect } from "chai";
import { SchemaError } from "../../../../subgraph/indexer/errors";
import { SchemaModel } from "../../../../subgraph/indexer/schema/model";

describe("indexer schema: what the embedded indexer does not support", function () {
  it("refuses Int8 ids, aggregations and timeseries entities, naming the type", function () {
    const cases: Array<[string, string]> = [
      [`type Tick @entity { id: Int8!, price: BigInt! }`, "Tick.id: Int8 ids are not supported by the embedded indexer"],
      [
        `type Point @entity(timeseries: true) { id: Int8!, timestamp: Timestamp!, price: BigDecimal! }`,
        "type Point: timeseries entities are not supported by the embedded indexer",
      ],
      [
        `type Stats @aggregation(intervals: ["hour"], source: "Point") { id: Int8!, timestamp: Timestamp!, sum: BigDecimal! @aggregate(fn: "sum", arg: "price") }`,
        "type Stats: @aggregation is not supported by the embedded indexer",
      ],
    ];
    for (const [source, message] of cases) {
      expect(() => SchemaModel.parse(source), message).to.throw(SchemaError, message);
    }
  });

  it("takes a fulltext definition as no entity", function () {
    const schema = SchemaModel.parse(`
      type _Schema_ @fulltext(name: "search", language: en, algorithm: rank, include: [{ entity: "Item", fields: [{ name: "name" }] }])
      type Item @entity { id: ID!, name: String! }
    `);
    expect([...schema.entities.keys()]).to.deep.equal(["Item"]);
  });
});
