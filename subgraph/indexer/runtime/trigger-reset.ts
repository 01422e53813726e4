// graph-node gives every trigger a fresh instance: nothing a handler leaves in module globals or in memory reaches
// the next one. Instantiating and running `_start` costs ~160-200 µs a trigger, so an instance here is instead put
// back, between triggers, in the state a fresh one has after `_start`: its mutable globals (the stub runtime's
// allocator position and the module-level variables) and the memory `_start` left (data segments and the objects it
// made) are restored, and what triggers allocated after it is zeroed, as in a memory nobody used. For the project's
// subgraph that is 55 KB copied and a few KB zeroed, ~1.5 µs.
//
// Between the two regions lie strings the host writes once and hands to every trigger (field and parameter names):
// kept, as AssemblyScript strings are immutable. A trigger that writes a new one makes it part of the kept region at
// the next restore (see `keep`).
import { TypeId, type AscHeap } from "./asc-heap";

/** A WebAssembly.Global, typed locally (see wasm.ts). */
export interface WasmGlobal {
  value: number | bigint;
}

/** Where the stub runtime's next allocation would start: one `__new` of nothing tells. */
function heapEnd(heap: AscHeap): number {
  // The block of a 0-byte object: a 4-byte size word and a 16-byte header before the pointer, 12 bytes of padding after.
  return heap.allocClass(0, heap.classId(TypeId.ArrayBuffer)) + 12;
}

export class TriggerReset {
  /** Memory as `_start` left it. */
  private readonly image: Uint8Array;
  /** The end of the kept region: from here on, memory belongs to the trigger. */
  private keptEnd: number;
  private readonly saved: Array<number | bigint>;

  /** To be made right after `_start`, on an instance of the stub runtime (bump allocation, nothing freed). */
  constructor(
    private readonly heap: AscHeap,
    private readonly globals: readonly WasmGlobal[],
  ) {
    heap.refresh();
    this.keptEnd = heapEnd(heap);
    this.image = new Uint8Array(heap.bytes.subarray(0, this.keptEnd)); // a copy (Buffer's slice would be a view)
    this.saved = globals.map((g) => g.value);
  }

  /** Puts the instance back in the state the last `keep` (or the constructor) saw. */
  restore(): void {
    const heap = this.heap;
    const used = heapEnd(heap);
    heap.refresh();
    heap.bytes.set(this.image, 0);
    heap.bytes.fill(0, this.keptEnd, used);
    const globals = this.globals;
    for (let i = 0; i < globals.length; i++) globals[i]!.value = this.saved[i]!;
  }

  /** Makes what the host allocated since `restore` (shared strings) part of the state every later trigger starts from. */
  keep(): void {
    this.keptEnd = heapEnd(this.heap);
    const globals = this.globals;
    for (let i = 0; i < globals.length; i++) this.saved[i] = globals[i]!.value;
  }
}
