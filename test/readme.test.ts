// README.md's GraphQL examples ("A tour of the API"), as a newcomer pastes them: each one valid against the
// gateway's schema and within the query limits the gateway enforces by default.
import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import { buildSchema, getOperationAST, parse, validate } from "graphql";
import { checkQueryLimits, DEFAULT_QUERY_LIMITS } from "../gateway/src/limits/query-limits";
import { loadTypeDefs } from "../gateway/src/schema/executable-schema";

const README = path.join(__dirname, "..", "README.md");

function graphqlBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```graphql\n([\s\S]*?)^```$/gm)].map((m) => m[1] as string);
}

describe("README.md", function () {
  it("has GraphQL examples that the gateway's schema and default query limits accept", function () {
    const schema = buildSchema(loadTypeDefs());
    const blocks = graphqlBlocks(fs.readFileSync(README, "utf8"));
    expect(blocks.length, "the tour's examples").to.equal(6);
    for (const block of blocks) {
      const document = parse(block);
      expect(validate(schema, document).map((e) => e.message), block).to.deep.equal([]);
      const operation = getOperationAST(document);
      expect(operation, block).to.not.equal(null);
      expect(checkQueryLimits(schema, document, operation!, {}, DEFAULT_QUERY_LIMITS).errors.map((e) => e.message), block).to.deep.equal([]);
    }
  });
});
