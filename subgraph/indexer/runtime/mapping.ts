// Runs a data source's handlers: instantiates its WASM module, builds the `ethereum.Event` a handler receives in
// the module's memory and calls the handler with the host functions bound to the block's entity cache.
//
// graph-node instantiates a fresh module per trigger, so that nothing one handler leaves in module globals or memory
// reaches the next. Instantiation plus `_start` costs ~160-200 µs, so an instance here serves trigger after trigger
// and is put back between them in the state `_start` left it in (trigger-reset.ts): the same isolation. It is
// replaced after any failure, on a reorg and when its memory grows past `maxMemoryBytes`; and after every trigger
// where it cannot be reset (a module the host cannot rewrite, a runtime other than the stub one).
import Database from "better-sqlite3";
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
import { TriggerReset, type WasmGlobal } from "./trigger-reset";

export interface InstancePolicy {
  /**
   * Triggers an instance may serve before it is replaced. Every trigger sees a fresh instance's state whatever this
   * is; 1 instantiates anew for each, as graph-node does, which only costs more (the benchmark measures it).
   */
  maxTriggersPerInstance: number;
  /** Replace an instance whose memory grew beyond this. */
  maxMemoryBytes: number;
}

export const DEFAULT_INSTANCE_POLICY: InstancePolicy = {
  maxTriggersPerInstance: Number.POSITIVE_INFINITY,
  maxMemoryBytes: 64 * 1024 * 1024,
};

interface LiveInstance {
  readonly exports: MappingExports;
  readonly heap: AscHeap;
  /** Its memory when it was given one to recycle (see wasm-memory.ts). */
  readonly memory: WasmMemory | null;
  readonly entities: EntityMemory;
  readonly events: EventMemory;
  /** Null where the instance cannot be reset: it then serves one trigger. */
  readonly reset: TriggerReset | null;
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
    const entities = (this.state.entities = new EntityMemory(layout));
    this.stats.instantiations++;
    this.live = { exports, heap, memory, entities, events: new EventMemory(layout), reset: this.triggerReset(heap, layout, exports), uses: 0 };
    return this.live;
  }

  /**
   * The reset of a new instance that will serve more than one trigger, if it has the stub runtime and its mutable
   * globals were exported (wasm-memory.ts).
   */
  private triggerReset(heap: AscHeap, layout: ObjectLayout, exports: MappingExports): TriggerReset | null {
    const names = this.dataSource.memoryImporting?.mutableGlobals;
    if (this.policy.maxTriggersPerInstance <= 1 || !layout.stub || names === undefined) return null;
    const globals: WasmGlobal[] = [];
    for (const name of names) {
      const global = exports[name] as WasmGlobal | undefined;
      if (global === undefined) return null;
      globals.push(global);
    }
    return new TriggerReset(heap, globals);
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
   * mapping aborts, a host call fails or the module traps; a SqliteError of the store as it is (not deterministic).
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
      if (live.uses > 0) {
        live.reset!.restore();
        // The names written during the last trigger were zeroed with it: written again, they are kept from now on.
        const rewroteEntities = live.entities.afterReset();
        if (events.afterReset() || rewroteEntities) live.reset!.keep();
      }
      const event = events.write(handler, log, params, block, transaction);
      (exports[handler.handler] as (event: number) => void)(event);
    } catch (error) {
      this.live = null;
      // The store failing a read (a disk or I/O error) is not the mapping's doing, and another try need not meet it: the
      // pass fails and is retried, as graph-node retries non-deterministic errors, instead of failing the subgraph for good.
      if (error instanceof Database.SqliteError) throw error;
      throw this.handlerError(handler, block, log, error);
    } finally {
      this.state.context = null;
    }
    this.stats.triggers++;
    live.uses++;
    if (live.reset === null || live.uses >= this.policy.maxTriggersPerInstance || heap.memoryBytes > this.policy.maxMemoryBytes) this.drop();
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
