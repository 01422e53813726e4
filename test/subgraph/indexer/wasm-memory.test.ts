// Recycled mapping memories: the module rewritten to import its memory still runs as built, and a recycled memory
// reaches the next instance as a fresh one would.
import path from "node:path";
import { expect } from "chai";
import { loadSubgraph } from "../../../subgraph/indexer/manifest";
import { AscHeap, type MappingExports } from "../../../subgraph/indexer/runtime/asc-heap";
import { buildImports, HostState } from "../../../subgraph/indexer/runtime/host";
import { Wasm, type WasmMemory } from "../../../subgraph/indexer/runtime/wasm";
import { MEMORY_IMPORT, MEMORY_USES, MemoryRecycler, memoryImporting, RECYCLED_MEMORY_BYTES, RUNTIME_EXPORTS } from "../../../subgraph/indexer/runtime/wasm-memory";
import { probeBuildDir } from "./helpers/probe";

/** `(module (memory 1 3) (export "memory" (memory 0)) (data (i32.const 8) "hi"))`: no import section at all. */
const TINY = Uint8Array.from([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  0x05, 0x04, 0x01, 0x01, 0x01, 0x03,
  0x07, 0x0a, 0x01, 0x06, ...Buffer.from("memory"), 0x02, 0x00,
  0x0b, 0x08, 0x01, 0x00, 0x41, 0x08, 0x0b, 0x02, ...Buffer.from("hi"),
]);

describe("embedded indexer: recycled mapping memories", function () {
  it("turns a module's memory into an import with the same limits, even without an import section", function () {
    const rewritten = memoryImporting(TINY, new Set())!;
    expect(rewritten).to.not.equal(null);
    expect(rewritten.minimum).to.equal(1);
    expect(rewritten.maximum).to.equal(3);
    expect(Wasm.Module.imports(rewritten.module)).to.deep.equal([{ ...MEMORY_IMPORT, kind: "memory" }]);
    const recycler = new MemoryRecycler(rewritten);
    const memory = recycler.take();
    const instance = new Wasm.Instance(rewritten.module, { [MEMORY_IMPORT.module]: { [MEMORY_IMPORT.name]: memory } });
    expect(instance.exports.memory).to.equal(memory);
    expect(Buffer.from(memory.buffer, 8, 2).toString()).to.equal("hi");
    expect(() => memory.grow(3)).to.throw(RangeError); // the maximum holds
  });

  it("leaves a module without a memory of its own as it is", function () {
    const imported = Uint8Array.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x02, 0x08, 0x01, 0x01, 0x65, 0x01, 0x6d, 0x02, 0x00, 0x01]);
    expect(() => new Wasm.Module(imported)).to.not.throw();
    expect(memoryImporting(imported, new Set())).to.equal(null);
  });

  it("rewrites the project's mappings, which then run with a memory the host hands them", async function () {
    this.timeout(180_000);
    const build = loadSubgraph(await probeBuildDir());
    for (const ds of build.dataSources) {
      const rewritten = ds.memoryImporting!;
      expect(rewritten, ds.name).to.not.equal(null);
      const own = Wasm.Module.imports(ds.wasm);
      expect(Wasm.Module.imports(rewritten.module)).to.deep.equal([...own, { ...MEMORY_IMPORT, kind: "memory" }]);
      const sharing = build.dataSources.filter((other) => other.wasmFile === ds.wasmFile);
      const kept = new Set([...RUNTIME_EXPORTS, ...sharing.flatMap((other) => other.eventHandlers.map((h) => h.handler))]);
      const globals = rewritten.mutableGlobals.map((name) => ({ name, kind: "global" }));
      expect(Wasm.Module.exports(rewritten.module)).to.deep.equal([
        ...globals,
        ...Wasm.Module.exports(ds.wasm).filter((e) => (e.kind === "function" ? kept.has(e.name) : e.kind !== "global")),
      ]);
      const memory = new MemoryRecycler(rewritten).take();
      const state = new HostState(ds, () => undefined);
      const instance = new Wasm.Instance(rewritten.module, { ...buildImports(ds.wasm, state), [MEMORY_IMPORT.module]: { [MEMORY_IMPORT.name]: memory } });
      expect(instance.exports.memory).to.equal(memory);
      state.heap = new AscHeap(instance.exports as unknown as MappingExports);
      (instance.exports._start as () => void)();
      // The stub runtime's allocator position at least; every one exported can be set, so none is immutable.
      expect(globals.length, ds.name).to.be.greaterThan(0);
      for (const { name } of globals) {
        const global = instance.exports[name] as { value: number | bigint };
        const value = global.value;
        expect(() => (global.value = value), name).to.not.throw();
      }
    }
  });

  it("compiles and rewrites a mapping file once for all the data sources built from it", function () {
    // The project's subgraph: its eight data sources share one mapping file.
    const build = loadSubgraph(path.resolve(__dirname, "..", "..", "..", "subgraph", "build"));
    expect(new Set(build.dataSources.map((ds) => ds.wasmFile)).size).to.equal(1);
    const [first, ...others] = build.dataSources;
    expect(others.length).to.be.greaterThan(0);
    for (const ds of others) {
      expect(ds.wasm, ds.name).to.equal(first!.wasm);
      expect(ds.memoryImporting, ds.name).to.equal(first!.memoryImporting);
    }
    const exported = new Set(Wasm.Module.exports(first!.memoryImporting!.module).map((e) => e.name));
    for (const ds of build.dataSources) for (const h of ds.eventHandlers) expect(exported.has(h.handler), h.handler).to.equal(true);
  });

  it("exports every mutable global a module defines, after the imported ones, and no immutable one", function () {
    // (module (import "m" "g" (global i32)) (global i32 (i32.const 1)) (global (mut i64) (i64.const -2))
    //   (global (mut i32) (global.get 0)) (memory 1))
    const module = Uint8Array.from([
      0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
      0x02, 0x08, 0x01, 0x01, 0x6d, 0x01, 0x67, 0x03, 0x7f, 0x00,
      0x05, 0x03, 0x01, 0x00, 0x01,
      0x06, 0x10, 0x03, 0x7f, 0x00, 0x41, 0x01, 0x0b, 0x7e, 0x01, 0x42, 0x7e, 0x0b, 0x7f, 0x01, 0x23, 0x00, 0x0b,
    ]);
    expect(() => new Wasm.Module(module)).to.not.throw();
    const rewritten = memoryImporting(module, new Set())!;
    expect(rewritten.mutableGlobals).to.deep.equal(["__latent_global_2", "__latent_global_3"]);
    const memory = new MemoryRecycler(rewritten).take();
    const instance = new Wasm.Instance(rewritten.module, { m: { g: 5 }, [MEMORY_IMPORT.module]: { [MEMORY_IMPORT.name]: memory } });
    expect((instance.exports.__latent_global_2 as { value: bigint }).value).to.equal(-2n);
    expect((instance.exports.__latent_global_3 as { value: number }).value).to.equal(5);
  });

  it("hands the last memory back zeroed where it was written, and lets a very large one go", function () {
    const rewritten = memoryImporting(TINY, new Set())!;
    const recycler = new MemoryRecycler(rewritten);
    const memory = recycler.take();
    new Uint8Array(memory.buffer).fill(7, 0, 1000);
    recycler.give(memory, 1000);
    const again = recycler.take();
    expect(again).to.equal(memory);
    expect(new Uint8Array(again.buffer).every((b) => b === 0)).to.equal(true);
    expect(recycler.take()).to.not.equal(memory); // taken once only

    // A memory serves MEMORY_USES instances, then a fresh one takes over.
    const cycling = new MemoryRecycler(rewritten);
    const seen = new Set<WasmMemory>();
    for (let i = 0; i < MEMORY_USES * 2; i++) {
      const m = cycling.take();
      seen.add(m);
      cycling.give(m, 64);
    }
    expect(seen.size).to.equal(2);

    // No maximum (flags 0, minimum 1): such a memory may grow past what is worth keeping.
    const unbounded = memoryImporting(Uint8Array.from([...TINY.subarray(0, 8), 0x05, 0x03, 0x01, 0x00, 0x01, ...TINY.subarray(14)]), new Set())!;
    expect(unbounded.maximum).to.equal(null);
    const growing = new MemoryRecycler(unbounded);
    const large = growing.take();
    large.grow(RECYCLED_MEMORY_BYTES / 65536);
    growing.give(large, 100);
    expect(growing.take()).to.not.equal(large);
  });
});
