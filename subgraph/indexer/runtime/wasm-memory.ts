// Recycled linear memories. A mapping instance that is replaced (after a failure, on a reorg, past its memory cap, or
// after each trigger where it cannot be reset: runtime/mapping.ts) leaves its memory, an ArrayBuffer that V8 counts as
// external memory and frees only in a full garbage collection; when instances served one block each, a megabyte or
// two per block of such memory was what started most full collections while indexing. So the module
// is rewritten to import its memory instead of defining it, and each new instance gets the memory of the previous
// one, zeroed: what a fresh memory holds before the data segments are copied in, so the mapping cannot tell. The
// rewritten module also exports only what the host calls, as every export costs objects per instance, and its mutable
// globals, which the host saves and restores to give each trigger a fresh instance's state (see trigger-reset.ts).
import { Wasm, type WasmMemory, type WasmModule } from "./wasm";

/** The import that replaces the module's own memory. */
export const MEMORY_IMPORT = { module: "__latent_indexer", name: "memory" } as const;

export interface MemoryImportingModule {
  readonly module: WasmModule;
  /** The export names of the module's mutable globals (its allocator's position and module-level variables). */
  readonly mutableGlobals: readonly string[];
  /** The limits the module declared for its memory, in 64 KiB pages. */
  readonly minimum: number;
  readonly maximum: number | null;
}

const SECTION_IMPORT = 2;
const SECTION_MEMORY = 5;
const SECTION_GLOBAL = 6;
const SECTION_EXPORT = 7;
const SECTION_DATA_COUNT = 12;

/** Where a (non-custom) section goes in a module: in the order of their ids, but the data count comes before the code (10). */
function sectionOrder(id: number): number {
  return id === SECTION_DATA_COUNT ? 9.5 : id;
}
const KIND_FUNCTION = 0x00;
const KIND_TABLE = 0x01;
const KIND_MEMORY = 0x02;
const KIND_GLOBAL = 0x03;

function readU32(bytes: Uint8Array, at: number): { value: number; next: number } {
  let value = 0;
  let shift = 0;
  for (;;) {
    const byte = bytes[at++];
    if (byte === undefined) throw new RangeError("truncated LEB128");
    value += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) return { value, next: at };
    shift += 7;
  }
}

function u32(value: number): number[] {
  const out: number[] = [];
  do {
    let byte = value % 128;
    value = Math.floor(value / 128);
    if (value > 0) byte |= 0x80;
    out.push(byte);
  } while (value > 0);
  return out;
}

function name(text: string): number[] {
  const utf8 = [...Buffer.from(text, "utf8")];
  return [...u32(utf8.length), ...utf8];
}

/** Where the constant expression starting at `at` (a global's initialiser) ends, past its `end` opcode. */
function skipConstantExpression(bytes: Uint8Array, at: number): number {
  for (;;) {
    const op = bytes[at++];
    switch (op) {
      case 0x0b: // end
        return at;
      case 0x41: // i32.const
      case 0x42: // i64.const: signed LEB128, skipped as unsigned (only the length matters)
      case 0x23: // global.get
      case 0xd2: // ref.func
        at = readU32(bytes, at).next;
        break;
      case 0x43: // f32.const
        at += 4;
        break;
      case 0x44: // f64.const
        at += 8;
        break;
      case 0xd0: // ref.null
        at += 1;
        break;
      default:
        throw new RangeError(`unsupported opcode 0x${(op ?? 0).toString(16)} in a global's initialiser`);
    }
  }
}

/** Global indexes of the mutable globals the module defines (the index space starts with the imported globals). */
function mutableGlobalIndexes(imports: Uint8Array | undefined, globals: Uint8Array | undefined): number[] {
  let importedGlobals = 0;
  if (imports !== undefined) {
    const count = readU32(imports, 0);
    let at = count.next;
    for (let i = 0; i < count.value; i++) {
      const moduleName = readU32(imports, at);
      const fieldName = readU32(imports, moduleName.next + moduleName.value);
      at = fieldName.next + fieldName.value;
      const kind = imports[at++];
      if (kind === KIND_FUNCTION) at = readU32(imports, at).next;
      else if (kind === KIND_TABLE) at = limitsEnd(imports, at + 1);
      else if (kind === KIND_MEMORY) at = limitsEnd(imports, at);
      else if (kind === KIND_GLOBAL) {
        importedGlobals++;
        at += 2; // value type, mutability
      } else throw new RangeError(`unsupported import kind ${kind}`);
    }
  }
  const indexes: number[] = [];
  if (globals === undefined) return indexes;
  const count = readU32(globals, 0);
  let at = count.next;
  for (let i = 0; i < count.value; i++) {
    if (globals[at + 1] === 1) indexes.push(importedGlobals + i);
    at = skipConstantExpression(globals, at + 2);
  }
  return indexes;
}

/** Where the limits (flags, minimum, optional maximum) starting at `at` end. */
function limitsEnd(bytes: Uint8Array, at: number): number {
  const flags = bytes[at]!;
  const minimum = readU32(bytes, at + 1);
  return flags & 1 ? readU32(bytes, minimum.next).next : minimum.next;
}

/** The export name of the mutable global with index `index`. */
function globalExportName(index: number): string {
  return `__latent_global_${index}`;
}

/**
 * The export section with only the functions named in `functions`, what is neither a function nor a global, and an
 * export of each global in `globals`.
 */
function keptExports(body: Uint8Array, functions: ReadonlySet<string>, globals: readonly number[]): number[] {
  const count = readU32(body, 0);
  const kept: number[] = [];
  for (const index of globals) kept.push(...name(globalExportName(index)), KIND_GLOBAL, ...u32(index));
  let n = globals.length;
  let at = count.next;
  for (let i = 0; i < count.value; i++) {
    const length = readU32(body, at);
    const kind = body[length.next + length.value]!;
    const index = readU32(body, length.next + length.value + 1);
    const exportName = Buffer.from(body.subarray(length.next, length.next + length.value)).toString("utf8");
    if (kind === KIND_FUNCTION ? functions.has(exportName) : kind !== KIND_GLOBAL) {
      for (let j = at; j < index.next; j++) kept.push(body[j]!);
      n++;
    }
    at = index.next;
  }
  return [...u32(n), ...kept];
}

/** The exports the host calls besides the handlers. */
export const RUNTIME_EXPORTS: readonly string[] = ["_start", "__new", "id_of_type"];

/**
 * `bytes` with its one defined memory (min, optional max; not shared) turned into the import MEMORY_IMPORT with the
 * same limits, compiled; null for a module that defines no memory, or anything else this does not handle, which
 * then runs as it is. Only the functions named in `functions` stay exported, and the mutable globals (under names of
 * their own; no other global): an instance makes a
 * JavaScript object for every export, and the module exports every handler of every data source built from the
 * same mapping file plus graph-ts's TypeId constants (246 exports for the project's token data source), some
 * 50 KB of objects per instance that only a full collection frees.
 */
export function memoryImporting(bytes: Uint8Array, functions: ReadonlySet<string>): MemoryImportingModule | null {
  const sections: Array<{ id: number; body: Uint8Array }> = [];
  let at = 8;
  while (at < bytes.length) {
    const id = bytes[at]!;
    const size = readU32(bytes, at + 1);
    sections.push({ id, body: bytes.subarray(size.next, size.next + size.value) });
    at = size.next + size.value;
  }
  const memories = sections.filter((s) => s.id === SECTION_MEMORY);
  if (memories.length !== 1) return null;
  const memory = memories[0]!.body;
  const count = readU32(memory, 0);
  if (count.value !== 1) return null;
  const flags = memory[count.next]!;
  if (flags !== 0 && flags !== 1) return null; // shared or 64-bit memories: leave them alone
  const minimum = readU32(memory, count.next + 1);
  const maximum = flags === 1 ? readU32(memory, minimum.next) : null;
  const limits = memory.subarray(count.next, (maximum ?? minimum).next);
  const entry = [...name(MEMORY_IMPORT.module), ...name(MEMORY_IMPORT.name), KIND_MEMORY, ...limits];
  let mutable: number[];
  try {
    mutable = mutableGlobalIndexes(sections.find((s) => s.id === SECTION_IMPORT)?.body, sections.find((s) => s.id === SECTION_GLOBAL)?.body);
  } catch (error) {
    if (error instanceof RangeError) return null;
    throw error;
  }

  // Chunks, joined once: the code section alone is most of a ~200 KB module, rewritten for every data source.
  const out: Uint8Array[] = [bytes.subarray(0, 8)];
  const section = (id: number, body: Uint8Array | number[]): void => {
    out.push(Uint8Array.of(id, ...u32(body.length)), body instanceof Uint8Array ? body : Uint8Array.from(body));
  };
  // Sections come in a fixed order (custom sections, id 0, may sit anywhere): a section the module lacks goes before
  // the first one that follows it.
  let imported = false;
  let exported = sections.some((s) => s.id === SECTION_EXPORT);
  const addMissing = (before: number): void => {
    if (!imported && before > SECTION_IMPORT) {
      section(SECTION_IMPORT, [...u32(1), ...entry]);
      imported = true;
    }
    if (!exported && before > SECTION_EXPORT) {
      section(SECTION_EXPORT, keptExports(Uint8Array.of(0), functions, mutable));
      exported = true;
    }
  };
  for (const { id, body } of sections) {
    if (id === SECTION_MEMORY) continue;
    if (id === SECTION_IMPORT) {
      const imports = readU32(body, 0);
      section(id, [...u32(imports.value + 1), ...body.subarray(imports.next), ...entry]);
      imported = true;
      continue;
    }
    if (id !== 0) addMissing(sectionOrder(id));
    section(id, id === SECTION_EXPORT ? keptExports(body, functions, mutable) : body);
  }
  addMissing(Number.POSITIVE_INFINITY);
  return {
    module: new Wasm.Module(Buffer.concat(out)),
    mutableGlobals: mutable.map(globalExportName),
    minimum: minimum.value,
    maximum: maximum?.value ?? null,
  };
}

/** A memory with the module's limits, for a module from memoryImporting(). */
export function newMemory(module: MemoryImportingModule): WasmMemory {
  const descriptor = module.maximum === null ? { initial: module.minimum } : { initial: module.minimum, maximum: module.maximum };
  return new Wasm.Memory(descriptor);
}

/** Memories up to this size are recycled; a bigger one (a block that allocated a lot) is left to the collector. */
export const RECYCLED_MEMORY_BYTES = 4 * 1024 * 1024;

/**
 * Instances a memory serves before it is left to the collector. Recycling memories for good leaves V8 no reason
 * for a full collection but the growth of the JavaScript heap, which it lets reach about four times the live heap
 * first: the benchmark's peak RSS went from 484 to 548 MB. A fresh memory every 16 instances keeps enough full
 * collections (466 MB; 64 instances: 498 MB) and most of the gain.
 */
export const MEMORY_USES = 16;

/** Holds the memory of the instance last dropped for the next one. */
export class MemoryRecycler {
  private spare: { memory: WasmMemory; used: number; uses: number } | null = null;
  private uses = 0;

  constructor(readonly module: MemoryImportingModule) {}

  /** A memory as a new instance expects it: all zeros (the instance then copies its data segments in). */
  take(): WasmMemory {
    const spare = this.spare;
    this.spare = null;
    if (spare === null) {
      this.uses = 1;
      return newMemory(this.module);
    }
    new Uint8Array(spare.memory.buffer, 0, spare.used).fill(0);
    this.uses = spare.uses + 1;
    return spare.memory;
  }

  /** Hands back the memory of an instance that will never run again; only its first `used` bytes were written. */
  give(memory: WasmMemory, used: number): void {
    if (memory.buffer.byteLength > RECYCLED_MEMORY_BYTES || this.uses >= MEMORY_USES) return;
    this.spare = { memory, used: Math.min(used, memory.buffer.byteLength), uses: this.uses };
  }
}
