// A mapping instance for runtime tests: the data source's module instantiated with the host's imports and started,
// returned as its heap (what the host reads and writes).
import type { DataSourceSpec } from "../../../../subgraph/indexer/manifest";
import { AscHeap, type MappingExports } from "../../../../subgraph/indexer/runtime/asc-heap";
import { buildImports, HostState } from "../../../../subgraph/indexer/runtime/host";
import { Wasm } from "../../../../subgraph/indexer/runtime/wasm";

export function instantiate(ds: DataSourceSpec): AscHeap {
  const state = new HostState(ds, () => undefined);
  const instance = new Wasm.Instance(ds.wasm, buildImports(ds.wasm, state));
  const heap = new AscHeap(instance.exports as unknown as MappingExports);
  state.heap = heap;
  (instance.exports._start as () => void)();
  return heap;
}
