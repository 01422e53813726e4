// What the README promises about loading a compiled subgraph: either directory works, and what the embedded
// indexer cannot run is refused when the manifest loads, not halfway through indexing.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { parse, stringify } from "yaml";
import { ManifestError } from "../../../subgraph/indexer/errors";
import { loadSubgraph } from "../../../subgraph/indexer/manifest";

const SUBGRAPH = path.resolve(__dirname, "..", "..", "..", "subgraph");

interface Manifest {
  features?: string[];
  dataSources: Array<{ mapping: { eventHandlers: Array<Record<string, unknown>> } & Record<string, unknown> }>;
}

describe("embedded indexer: loading a subgraph", function () {
  let tmp: string;
  beforeEach(() => {
    tmp = mkdtempSync(path.join(os.tmpdir(), "latent-manifest-"));
  });
  afterEach(() => rmSync(tmp, { recursive: true, force: true }));

  /** A copy of the project's build with its manifest edited by `edit`. */
  function editedBuild(edit: (manifest: Manifest) => void): string {
    const dir = path.join(tmp, "build");
    cpSync(path.join(SUBGRAPH, "build"), dir, { recursive: true });
    const file = path.join(dir, "subgraph.yaml");
    const manifest = parse(readFileSync(file, "utf8")) as Manifest;
    edit(manifest);
    writeFileSync(file, stringify(manifest));
    return dir;
  }

  it("takes the subgraph directory or its build directory alike", function () {
    const fromSubgraph = loadSubgraph(SUBGRAPH);
    const fromBuild = loadSubgraph(path.join(SUBGRAPH, "build"));
    expect(fromSubgraph.dir).to.equal(path.join(SUBGRAPH, "build"));
    expect(fromSubgraph.buildHash).to.equal(fromBuild.buildHash);
  });

  const refused: Array<[string, (manifest: Manifest) => void, RegExp]> = [
    ["block handlers", (m) => void (m.dataSources[0]!.mapping.blockHandlers = [{ handler: "handleBlock" }]), /blockHandlers are not supported/],
    ["call handlers", (m) => void (m.dataSources[0]!.mapping.callHandlers = [{ function: "f()", handler: "handleCall" }]), /callHandlers are not supported/],
    ["receipt: true", (m) => void (m.dataSources[0]!.mapping.eventHandlers[0]!.receipt = true), /asks for `receipt: true`/],
    ["topic filters", (m) => void (m.dataSources[0]!.mapping.eventHandlers[0]!.topic1 = ["0x01"]), /topic filters and declared calls are not supported/],
    ["declared calls", (m) => void (m.dataSources[0]!.mapping.eventHandlers[0]!.calls = { x: "X[event.address].x()" }), /topic filters and declared calls are not supported/],
    ["the fullTextSearch feature", (m) => void (m.features = ["fullTextSearch"]), /the fullTextSearch feature is not supported/],
  ];
  for (const [what, edit, message] of refused) {
    it(`refuses ${what} when the manifest loads`, function () {
      const dir = editedBuild(edit);
      expect(() => loadSubgraph(dir)).to.throw(ManifestError, message);
    });
  }

  it("loads the unedited copy (the edits above are what it refuses)", function () {
    expect(loadSubgraph(editedBuild(() => undefined)).dataSources.length).to.be.greaterThan(0);
  });
});
