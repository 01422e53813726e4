// Runs a data source's handlers: instantiates its WASM module, builds the `ethereum.Event` a handler receives in
// the module's memory and calls the handler with the host functions bound to the block's entity cache.
//
// graph-node instantiates a fresh module per trigger. Instantiation plus `_start` costs ~200 µs, and the stub
// runtime never frees memory, so an instance here serves up to `maxTriggersPerInstance` triggers of one block
// (or more blocks with `reuseAcrossBlocks`) and is then dropped; it is also dropped after any failure and when its
// memory grows past `maxMemoryBytes`. Set maxTriggersPerInstance = 1 for graph-node's exact isolation (module
// globals never outlive a trigger); the benchmark measures the cost of each choice.
import { HandlerError, HostError, IndexerError } from "../errors";
import type { DataSourceSpec, EventHandlerSpec } from "../manifest";
import type { BlockHeader, LogData, TransactionData } from "../chain/types";
import type { EntityCache } from "../store/entity-cache";
import { AscHeap, TypeId, type MappingExports } from "./asc-heap";
import { EntityMemory } from "./entity-memory";
import { EventMemory } from "./event-memory";
import { ObjectLayout } from "./object-layout";
import type { AbiValue } from "../chain/abi-decoder";
import { buildImports, HostState, type MappingLogRecord } from "./host";
import { Wasm, type WasmImports, type WasmMemory } from "./wasm";
import { MEMORY_IMPORT, MemoryRecycler } from "./wasm-memory";

export interface InstancePolicy {
  /** Triggers an instance may serve before it is replaced (1 = a fresh instance per trigger, like graph-node). */
  maxTriggersPerInstance: number;
  /** Keep an instance across block boundaries (still bounded by maxTriggersPerInstance). */
  reuseAcrossBlocks: boolean;
  /** Replace an instance whose memory grew beyond this. */
  maxMemoryBytes: number;
}

// 100 triggers: instantiating is ~160 µs, 1.6 µs a trigger over 100, while an instance that serves a whole busy block
// made the benchmark's processing ~10% slower in CPU (256: 3.24-3.50 CPU-s, 100: 2.92-2.98, 32-64: 3.08-3.10), spread
// over everything that touches the instance's memory and over garbage collection rather than in one place.
export const DEFAULT_INSTANCE_POLICY: InstancePolicy = {
  maxTriggersPerInstance: 100,
  reuseAcrossBlocks: false,
  maxMemoryBytes: 64 * 1024 * 1024,
};

interface LiveInstance {
  readonly exports: MappingExports;
  readonly heap: AscHeap;
  /** Its memory when it was given one to recycle (see wasm-memory.ts). */
  readonly memory: WasmMemory | null;
  readonly events: EventMemory;
  uses: number;
}

export interface RuntimeStats {
  instantiations: number;
  triggers: number;
}

export class DataSourceRuntime {
  private live: LiveInstance | null = null;
  private readonly memories: MemoryRecycler | null;
  private readonly state: HostState;
  /** The host functions act on `state`, which follows the live instance: one set serves every instance. */
  private imports: WasmImports | null = null;
  readonly stats: RuntimeStats = { instantiations: 0, triggers: 0 };

  constructor(
    readonly dataSource: DataSourceSpec,
    private readonly policy: InstancePolicy,
    log: (record: MappingLogRecord) => void,
  ) {
    this.state = new HostState(dataSource, log);
    this.memories = dataSource.memoryImporting === null ? null : new MemoryRecycler(dataSource.memoryImporting);
  }

  private instance(): LiveInstance {
    if (this.live !== null) return this.live;
    this.imports ??= buildImports(this.dataSource.wasm, this.state);
    let memory: WasmMemory | null = null;
    let instance: { readonly exports: Record<string, unknown> };
    if (this.memories !== null) {
      memory = this.memories.take();
      this.imports[MEMORY_IMPORT.module] = { [MEMORY_IMPORT.name]: memory };
      instance = new Wasm.Instance(this.memories.module.module, this.imports);
    } else {
      instance = new Wasm.Instance(this.dataSource.wasm, this.imports);
    }
    const exports = instance.exports as unknown as MappingExports;
    const heap = new AscHeap(exports);
    this.state.heap = heap;
    this.state.context = null;
    // Built with --explicitStart: module globals are initialised by _start, before any handler.
    if (typeof exports._start === "function") exports._start();
    const layout = new ObjectLayout(heap);
    this.state.entities = new EntityMemory(layout);
    this.stats.instantiations++;
    this.live = { exports, heap, memory, events: new EventMemory(layout), uses: 0 };
    return this.live;
  }

  /** Called at each block boundary. */
  endBlock(): void {
    if (!this.policy.reuseAcrossBlocks) this.drop();
  }

  /** Drops the instance (after a failure, a reorg, or to start clean). */
  reset(): void {
    this.drop();
  }

  /** Ends the live instance, keeping its memory for the next one when that is worth it. */
  private drop(): void {
    const live = this.live;
    this.live = null;
    if (live === null || live.memory === null || this.memories === null) return;
    let used = live.memory.buffer.byteLength;
    // The stub runtime allocates upwards and never frees: the next object it hands out marks the end of what was
    // used. Zeroing only that much matters, as a memory keeps the size of the busiest block it served.
    if (this.state.entities?.stub === true) {
      try {
        used = Math.min(used, live.heap.allocClass(0, live.heap.classId(TypeId.ArrayBuffer)) + 16);
      } catch {
        return; // out of memory: let it go
      }
    }
    this.memories.give(live.memory, used);
  }

  /**
   * Runs one event handler. Throws HandlerError (deterministic: the subgraph fails at this block) when the
   * mapping aborts, a host call fails or the module traps.
   */
  runEvent(
    handler: EventHandlerSpec,
    log: LogData,
    params: readonly AbiValue[],
    block: BlockHeader,
    transaction: TransactionData,
    cache: EntityCache,
  ): void {
    let live: LiveInstance;
    try {
      live = this.instance();
    } catch (error) {
      this.live = null;
      throw this.handlerError(handler, block, log, error);
    }
    const { heap, exports, events } = live;
    this.state.context = { handler: handler.handler, block, cache };
    try {
      const event = events.write(handler, log, params, block, transaction);
      (exports[handler.handler] as (event: number) => void)(event);
    } catch (error) {
      this.live = null;
      throw this.handlerError(handler, block, log, error);
    } finally {
      this.state.context = null;
    }
    this.stats.triggers++;
    live.uses++;
    if (live.uses >= this.policy.maxTriggersPerInstance || heap.memoryBytes > this.policy.maxMemoryBytes) this.drop();
  }

  private handlerError(handler: EventHandlerSpec, block: BlockHeader, log: LogData, error: unknown): HandlerError {
    let detail: string;
    if (error instanceof HostError) detail = error.message;
    else if (error instanceof Wasm.RuntimeError) detail = `the mapping trapped: ${(error as Error).message}`;
    else if (error instanceof IndexerError) detail = error.message;
    else detail = `internal error in a host function: ${(error as Error).stack ?? String(error)}`;
    return new HandlerError(
      `${detail} in handler \`${handler.handler}\` of data source \`${this.dataSource.name}\` at block #${block.number} (${block.hash}), transaction ${log.transactionHash}, log index ${log.logIndex}`,
      handler.handler,
      this.dataSource.name,
      block.number,
      block.hash,
      log.transactionHash,
      log.logIndex,
      { cause: error },
    );
  }
}
