import { expect } from "chai";
import { SourceError } from "../../../gateway/src/errors";
import { HttpSubgraphSource } from "../../../gateway/src/sources/http-source";

describe("HttpSubgraphSource", () => {
  it("names an endpoint it cannot reach by its host and route, without its credentials or query", async () => {
    // Port 9 (discard): nothing answers there on a test machine.
    const source = new HttpSubgraphSource({ url: "http://user:pw@127.0.0.1:9/subgraphs/name/latent?token=abc" });
    let caught: unknown;
    await source.request("{ _meta { block { number } } }").catch((error: unknown) => (caught = error));
    expect(caught).to.be.instanceOf(SourceError);
    expect((caught as SourceError).message).to.equal("subgraph request to http://127.0.0.1:9/subgraphs/name/latent?… failed");
  });
});
