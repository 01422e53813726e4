// The host functions of runtime/host.ts called directly, as a mapping would call them, in a live instance of the
// probe fixture's module: results and errors checked against graph-node's (runtime/wasm/src/host_exports.rs).
import { expect } from "chai";
import { HostError } from "../../../../subgraph/indexer/errors";
import { loadSubgraph } from "../../../../subgraph/indexer/manifest";
import { readStoreValue, writeStoreValue } from "../../../../subgraph/indexer/runtime/store-values";
import { ValueKind } from "../../../../subgraph/indexer/values/store-value";
import { probeBuildDir } from "../helpers/probe";
import { instantiateWithHost, type HostInstance } from "../helpers/instance";

describe("indexer runtime: host functions", function () {
  let host: HostInstance;

  before(async function () {
    this.timeout(180_000);
    host = instantiateWithHost(loadSubgraph(await probeBuildDir()).dataSources[0]!);
  });

  beforeEach(function () {
    host.logs.length = 0;
  });

  describe("strings from the mapping", function () {
    it("lose their NUL characters, as graph-node strips them from every string it reads", function () {
      const { heap, call, logs } = host;
      call("log.log", 3, heap.writeString("\u0000Maker\u0000\u0000"));
      expect(logs.map((r) => r.message)).to.deep.equal(["Maker"]);
      const value = writeStoreValue(heap, { kind: ValueKind.String, value: "a\u0000b" });
      expect(readStoreValue(heap, value)).to.deep.equal({ kind: ValueKind.String, value: "ab" });
    });

    it("fail the host call when they hold a lone surrogate (graph-node's UTF-16 decoding is strict)", function () {
      const { heap, call, logs } = host;
      expect(() => call("log.log", 3, heap.writeString("half \ud83d"))).to.throw(HostError, "invalid utf-16: lone surrogate found");
      expect(() => call("log.log", 3, heap.writeString("\ude00 half"))).to.throw(HostError, "invalid utf-16: lone surrogate found");
      call("log.log", 3, heap.writeString("whole \ud83d\ude00"));
      expect(logs.map((r) => r.message)).to.deep.equal(["whole 😀"]);
    });
  });
});
