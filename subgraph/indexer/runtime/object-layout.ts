// Laying out a graph of AssemblyScript objects in one allocation.
//
// The stub runtime's `__new` is a bump allocator: consecutive calls place 16-byte aligned blocks (size word, 16-byte
// header, payload) one after the other and nothing is ever freed. So instead of one `__new` (a call into WASM) per
// object, the host asks for a single block the size of the whole graph and carves the objects out of it exactly where
// consecutive `__new` calls would have put them: the runtime cannot tell the difference. Under another runtime (whose
// collector could move or free things) every object gets a `__new` of its own.
import { TypeId, type AscHeap } from "./asc-heap";

/** Bytes a stub-runtime block takes for an object of `payload` bytes: size word + header, 16-byte aligned. */
export function blockSize(payload: number): number {
  return (payload + 35) & ~15;
}

/** Bytes a Uint8Array (what Bytes, Address and BigInt are) of `length` bytes takes with its buffer. */
export function bytesObjectSize(length: number): number {
  return blockSize(length) + blockSize(12);
}

/** Bytes an Array<ref> of `length` elements takes with its buffer. */
export function arrayObjectSize(length: number): number {
  return blockSize(length * 4) + blockSize(16);
}

export class ObjectLayout {
  /** Whether `__new` behaves like the stub runtime's bump allocator (graph-cli builds with it). */
  readonly stub: boolean;
  readonly arrayBufferId: number;
  readonly uint8ArrayId: number;
  readonly stringId: number;
  /** While a graph is laid out: where the next object goes, and the end of the reserved region. */
  private pos = 0;
  private start = 0;
  private end = 0;

  constructor(readonly heap: AscHeap) {
    this.arrayBufferId = heap.classId(TypeId.ArrayBuffer);
    this.uint8ArrayId = heap.classId(TypeId.Uint8Array);
    this.stringId = heap.classId(TypeId.String);
    const a = heap.allocClass(13, this.arrayBufferId);
    const b = heap.allocClass(0, this.arrayBufferId);
    const w = heap.words;
    this.stub = b - a === blockSize(13) && w[(a - 20) >>> 2] === blockSize(13) - 4 && w[(a - 8) >>> 2] === this.arrayBufferId && w[(a - 4) >>> 2] === 13;
  }

  /** Reserves `size` bytes (the sum of the blockSizes of the objects about to be carved). */
  reserve(size: number): void {
    if (!this.stub) return;
    this.start = this.pos = this.heap.allocClass(size - 20, this.arrayBufferId) - 20;
    this.end = this.start + size;
  }

  /** Checks that the graph filled exactly the reserved region: a size computed wrong would corrupt the heap. */
  finish(): void {
    if (this.stub && this.pos !== this.end) {
      throw new Error(`internal error: laid out ${this.pos - this.start} bytes in a region of ${this.end - this.start}`);
    }
  }

  /** A new object of `payload` bytes, carved from the reserved region (stub runtime) or a `__new` of its own. */
  object(payload: number, classId: number): number {
    if (!this.stub) return this.heap.allocClass(payload, classId);
    const block = blockSize(payload);
    const w = this.heap.words;
    const at = this.pos >>> 2;
    w[at] = block - 4;
    w[at + 1] = 0;
    w[at + 2] = 0;
    w[at + 3] = classId;
    w[at + 4] = payload;
    const ptr = this.pos + 20;
    this.pos += block;
    return ptr;
  }

  /** Fills Array<T> `array` with `buffer` holding `length` pointers. */
  fillArray(array: number, buffer: number, length: number): void {
    const w = this.heap.words;
    w[array >>> 2] = buffer;
    w[(array + 4) >>> 2] = buffer;
    w[(array + 8) >>> 2] = length * 4;
    w[(array + 12) >>> 2] = length;
  }

  /** An Array<T> (class id `classId`) of `pointers`. */
  array(classId: number, pointers: ArrayLike<number>): number {
    const buffer = this.object(pointers.length * 4, this.arrayBufferId);
    const base = buffer >>> 2;
    for (let i = 0; i < pointers.length; i++) this.heap.words[base + i] = pointers[i]!;
    const array = this.object(16, classId);
    this.fillArray(array, buffer, pointers.length);
    return array;
  }

  /** A Uint8Array holding `bytes`. */
  bytes(bytes: Uint8Array): number {
    const buffer = this.object(bytes.length, this.arrayBufferId);
    const memory = this.heap.bytes;
    // Small integers are most of them: for those a loop beats the native copy's call overhead.
    if (bytes.length <= 8) for (let i = 0; i < bytes.length; i++) memory[buffer + i] = bytes[i]!;
    else memory.set(bytes, buffer);
    return this.uint8Array(buffer, bytes.length);
  }

  /** A Uint8Array holding the bytes of `0x…` hex (trusted: from the node), converted in place. */
  hexBytes(hex: string): number {
    const length = (hex.length - 2) >>> 1;
    const buffer = this.object(length, this.arrayBufferId);
    this.heap.bytes.write(hex.slice(2), buffer, length, "hex");
    return this.uint8Array(buffer, length);
  }

  /** The Uint8Array over the ArrayBuffer at `buffer` (`length` bytes). */
  private uint8Array(buffer: number, length: number): number {
    const view = this.object(12, this.uint8ArrayId);
    const w = this.heap.words;
    w[view >>> 2] = buffer;
    w[(view + 4) >>> 2] = buffer;
    w[(view + 8) >>> 2] = length;
    return view;
  }

  /** A String holding `text` (UTF-16LE). */
  string(text: string): number {
    const ptr = this.object(text.length * 2, this.stringId);
    this.heap.bytes.write(text, ptr, text.length * 2, "utf16le");
    return ptr;
  }

  /** A value class `{ kind: i32, data: u64 }` (store Value, ethereum.Value) with a pointer or a small payload. */
  value(classId: number, kind: number, low: number, high = 0): number {
    const ptr = this.object(16, classId);
    const w = this.heap.words;
    const at = ptr >>> 2;
    w[at] = kind;
    w[at + 1] = 0;
    w[at + 2] = low;
    w[at + 3] = high;
    return ptr;
  }
}
