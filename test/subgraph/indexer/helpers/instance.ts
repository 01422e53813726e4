// A mapping instance for runtime tests: the data source's module instantiated with the host's imports and started,
// returned as its heap (what the host reads and writes), or with the host functions themselves to call directly.
import type { DataSourceSpec } from "../../../../subgraph/indexer/manifest";
import { AscHeap, type MappingExports } from "../../../../subgraph/indexer/runtime/asc-heap";
import { EntityMemory } from "../../../../subgraph/indexer/runtime/entity-memory";
import { buildImports, HostState, type MappingLogRecord } from "../../../../subgraph/indexer/runtime/host";
import { ObjectLayout } from "../../../../subgraph/indexer/runtime/object-layout";
import { Wasm, type WasmImports } from "../../../../subgraph/indexer/runtime/wasm";

export function instantiate(ds: DataSourceSpec): AscHeap {
  return start(ds).heap;
}

export interface HostInstance {
  readonly heap: AscHeap;
  readonly state: HostState;
  readonly logs: MappingLogRecord[];
  /** Calls the host function the module imports as `name` (e.g. "bigInt.plus"), as the mapping would. */
  call(name: string, ...args: Array<number | bigint>): unknown;
}

function start(ds: DataSourceSpec): { heap: AscHeap; state: HostState; imports: WasmImports; logs: MappingLogRecord[] } {
  const logs: MappingLogRecord[] = [];
  const state = new HostState(ds, (record) => logs.push(record));
  const imports = buildImports(ds.wasm, state);
  const instance = new Wasm.Instance(ds.wasm, imports);
  const heap = new AscHeap(instance.exports as unknown as MappingExports);
  state.heap = heap;
  (instance.exports._start as () => void)();
  return { heap, state, imports, logs };
}

export function instantiateWithHost(ds: DataSourceSpec): HostInstance {
  const { heap, state, imports, logs } = start(ds);
  state.entities = new EntityMemory(new ObjectLayout(heap));
  const functions = new Map<string, unknown>();
  for (const group of Object.values(imports)) for (const [name, fn] of Object.entries(group)) functions.set(name, fn);
  const call = (name: string, ...args: Array<number | bigint>): unknown => {
    const fn = functions.get(name);
    if (typeof fn !== "function") throw new Error(`the probe module does not import ${name}`);
    return (fn as (...a: Array<number | bigint>) => unknown)(...args);
  };
  return { heap, state, logs, call };
}
