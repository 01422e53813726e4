// Loads a subgraph as `graph build` leaves it: build/subgraph.yaml, schema.graphql, one .wasm per data source and
// the ABIs. Everything the indexer needs about a data source is resolved here once (event fragments, topic0,
// WASM module, context), so the hot path never parses text again.
import { createHash } from "node:crypto";
import { existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { EventFragment, Interface, type InterfaceAbi, type ParamType } from "ethers";
import { parse as parseYaml } from "yaml";
import { ManifestError } from "./errors";
import { SchemaModel } from "./schema/model";
import { Wasm, type WasmModule } from "./runtime/wasm";
import { memoryImporting, RUNTIME_EXPORTS, type MemoryImportingModule } from "./runtime/wasm-memory";
import { BigDecimal } from "./values/bigdecimal";
import { hexToBytes } from "./values/bytes";
import { bigIntValue, ValueKind, type EntityData, type StoreValue } from "./values/store-value";

export interface EventHandlerSpec {
  /** The signature as written in the manifest, e.g. `Transfer(indexed address,indexed address,uint256)`. */
  readonly event: string;
  readonly handler: string;
  readonly fragment: EventFragment;
  readonly topic0: string;
  /** Number of topics a matching log has (topic0 plus indexed parameters). */
  readonly topicCount: number;
  readonly params: readonly ParamType[];
}

export interface DataSourceSpec {
  readonly name: string;
  readonly network: string;
  /** Lower-case 0x address, or null when the data source matches every contract. */
  readonly address: string | null;
  readonly startBlock: number;
  readonly endBlock: number | null;
  readonly abiName: string;
  readonly iface: Interface;
  readonly eventHandlers: readonly EventHandlerSpec[];
  readonly wasm: WasmModule;
  /** The same module importing its memory, so that instances can recycle memories (runtime/wasm-memory.ts). */
  readonly memoryImporting: MemoryImportingModule | null;
  readonly wasmFile: string;
  readonly apiVersion: string;
  readonly context: EntityData;
}

export interface SubgraphBuild {
  /** The build directory (where subgraph.yaml references .wasm files). */
  readonly dir: string;
  readonly manifestFile: string;
  readonly specVersion: string;
  readonly schema: SchemaModel;
  readonly dataSources: readonly DataSourceSpec[];
  readonly templateNames: readonly string[];
  readonly network: string;
  /** sha256 over the manifest, schema, ABIs and WASM files: a rebuilt subgraph gets a new database. */
  readonly buildHash: string;
}

interface RawDataSource {
  kind?: string;
  name?: string;
  network?: string;
  source?: { address?: string; abi?: string; startBlock?: number; endBlock?: number };
  context?: Record<string, { type?: string; data?: unknown }>;
  mapping?: {
    kind?: string;
    apiVersion?: string;
    language?: string;
    file?: string;
    abis?: Array<{ name?: string; file?: string }>;
    eventHandlers?: Array<{ event?: string; handler?: string; receipt?: boolean; topic1?: unknown; topic2?: unknown; topic3?: unknown; calls?: unknown }>;
    blockHandlers?: unknown[];
    callHandlers?: unknown[];
  };
}

interface RawManifest {
  specVersion?: string;
  schema?: { file?: string };
  dataSources?: RawDataSource[];
  templates?: Array<{ name?: string }>;
  features?: string[];
}

/**
 * Finds the built manifest for a path that is either a build directory (its subgraph.yaml points at .wasm files)
 * or a subgraph source directory with a `build/` directory next to its manifest.
 */
export function resolveBuildDir(dirOrBuild: string): string {
  const dir = path.resolve(dirOrBuild);
  const direct = path.join(dir, "subgraph.yaml");
  if (existsSync(direct) && /\.wasm\b/.test(readFileSync(direct, "utf8"))) return dir;
  const build = path.join(dir, "build", "subgraph.yaml");
  if (existsSync(build)) return path.join(dir, "build");
  if (existsSync(direct)) {
    throw new ManifestError(`${direct} is a source manifest and ${path.join(dir, "build")} does not exist: run \`graph codegen && graph build\` first`);
  }
  throw new ManifestError(`no subgraph.yaml in ${dir} or ${path.join(dir, "build")}`);
}

/** Canonical signature without `indexed`, and the indexed flags, of a manifest event signature. */
function parseManifestEvent(signature: string): { canonical: string; indexed: boolean[] } {
  const open = signature.indexOf("(");
  if (open <= 0 || !signature.endsWith(")")) throw new ManifestError(`malformed event signature \`${signature}\``);
  const name = signature.slice(0, open).trim();
  const inner = signature.slice(open + 1, -1);
  const params: string[] = [];
  let depth = 0;
  let current = "";
  for (const ch of inner) {
    if (ch === "(") depth++;
    if (ch === ")") depth--;
    if (ch === "," && depth === 0) {
      params.push(current.trim());
      current = "";
    } else current += ch;
  }
  if (current.trim() !== "") params.push(current.trim());
  const indexed = params.map((p) => /^indexed\s+/.test(p));
  const types = params.map((p) => p.replace(/^indexed\s+/, "").replace(/\s+/g, ""));
  return { canonical: `${name}(${types.join(",")})`, indexed };
}

function contextValue(where: string, type: string | undefined, data: unknown): StoreValue {
  switch (type) {
    case "Bool":
    case "Boolean":
      return { kind: ValueKind.Bool, value: data === true || data === "true" };
    case "String":
      return { kind: ValueKind.String, value: String(data) };
    case "Int":
      return { kind: ValueKind.Int, value: Number(data) };
    case "Int8":
      return { kind: ValueKind.Int8, value: BigInt(String(data)) };
    case "Timestamp":
      return { kind: ValueKind.Timestamp, value: BigInt(String(data)) };
    case "BigDecimal":
      return { kind: ValueKind.BigDecimal, value: BigDecimal.parse(String(data)) };
    case "BigInt":
      return bigIntValue(BigInt(String(data)));
    case "Bytes":
      return { kind: ValueKind.Bytes, value: hexToBytes(String(data)) };
    case "List":
      if (!Array.isArray(data)) throw new ManifestError(`${where}: a List context value needs a list`);
      return {
        kind: ValueKind.Array,
        value: (data as Array<{ type?: string; data?: unknown }>).map((item, i) => contextValue(`${where}[${i}]`, item.type, item.data)),
      };
    case "Null":
      return { kind: ValueKind.Null };
    default:
      throw new ManifestError(`${where}: unknown context value type \`${String(type)}\``);
  }
}

export function loadSubgraph(dirOrBuild: string): SubgraphBuild {
  const dir = resolveBuildDir(dirOrBuild);
  const manifestFile = path.join(dir, "subgraph.yaml");
  const manifestText = readFileSync(manifestFile, "utf8");
  let raw: RawManifest;
  try {
    raw = parseYaml(manifestText) as RawManifest;
  } catch (error) {
    throw new ManifestError(`${manifestFile} is not valid YAML: ${(error as Error).message}`, { cause: error });
  }
  const hash = createHash("sha256");
  hash.update(manifestText);
  const read = (relative: string, what: string): Buffer => {
    const file = path.resolve(dir, relative);
    if (!existsSync(file) || !statSync(file).isFile()) throw new ManifestError(`${what} ${file} does not exist`);
    const bytes = readFileSync(file);
    hash.update(relative).update(bytes);
    return bytes;
  };
  const schemaFile = raw.schema?.file;
  if (schemaFile === undefined) throw new ManifestError(`${manifestFile}: schema.file is missing`);
  const schema = SchemaModel.parse(read(schemaFile, "schema").toString("utf8"));
  if ((raw.features ?? []).includes("fullTextSearch")) {
    throw new ManifestError("the fullTextSearch feature is not supported by the embedded indexer");
  }

  const dataSources: DataSourceSpec[] = [];
  /** Per mapping file: its module, and the functions its rewrite keeps exported. */
  const modules = new Map<string, { readonly wasm: WasmModule; readonly bytes: Buffer; readonly handlers: Set<string> }>();
  for (const [index, ds] of (raw.dataSources ?? []).entries()) {
    const where = `dataSources[${index}]${ds.name ? ` (${ds.name})` : ""}`;
    if (ds.kind !== "ethereum" && ds.kind !== "ethereum/contract") {
      throw new ManifestError(`${where}: data source kind \`${String(ds.kind)}\` is not supported (only ethereum)`);
    }
    const mapping = ds.mapping;
    if (mapping === undefined || ds.name === undefined || ds.network === undefined || ds.source?.abi === undefined) {
      throw new ManifestError(`${where}: name, network, source.abi and mapping are required`);
    }
    if ((mapping.blockHandlers ?? []).length > 0) {
      throw new ManifestError(`${where}: blockHandlers are not supported by the embedded indexer (event handlers only)`);
    }
    if ((mapping.callHandlers ?? []).length > 0) {
      throw new ManifestError(`${where}: callHandlers are not supported by the embedded indexer (they need trace APIs)`);
    }
    const abis = new Map<string, Interface>();
    for (const abi of mapping.abis ?? []) {
      if (abi.name === undefined || abi.file === undefined) throw new ManifestError(`${where}: an ABI needs a name and a file`);
      try {
        const parsed = JSON.parse(read(abi.file, "ABI").toString("utf8")) as InterfaceAbi | { abi: InterfaceAbi };
        // graph-cli copies plain ABI arrays; accept a Hardhat/Truffle artifact with an `abi` member too.
        abis.set(abi.name, new Interface(Array.isArray(parsed) || typeof parsed === "string" ? parsed : (parsed as { abi: InterfaceAbi }).abi));
      } catch (error) {
        if (error instanceof ManifestError) throw error;
        throw new ManifestError(`${where}: ABI ${abi.name} does not parse: ${(error as Error).message}`, { cause: error });
      }
    }
    const iface = abis.get(ds.source.abi);
    if (iface === undefined) throw new ManifestError(`${where}: source.abi ${ds.source.abi} is not among mapping.abis`);

    const eventHandlers: EventHandlerSpec[] = [];
    for (const h of mapping.eventHandlers ?? []) {
      if (h.event === undefined || h.handler === undefined) throw new ManifestError(`${where}: an event handler needs event and handler`);
      if (h.receipt === true) {
        throw new ManifestError(`${where}: handler ${h.handler} asks for \`receipt: true\`, which the embedded indexer does not provide`);
      }
      if (h.topic1 !== undefined || h.topic2 !== undefined || h.topic3 !== undefined || h.calls !== undefined) {
        throw new ManifestError(`${where}: handler ${h.handler}: topic filters and declared calls are not supported`);
      }
      const { canonical, indexed } = parseManifestEvent(h.event);
      const fragment = iface.fragments.find(
        (f): f is EventFragment =>
          f instanceof EventFragment &&
          f.format("sighash") === canonical &&
          f.inputs.length === indexed.length &&
          f.inputs.every((input, i) => input.indexed === indexed[i]),
      );
      if (fragment === undefined) {
        throw new ManifestError(`${where}: event \`${h.event}\` of handler ${h.handler} is not in ABI ${ds.source.abi} (with these indexed parameters)`);
      }
      eventHandlers.push({
        event: h.event,
        handler: h.handler,
        fragment,
        topic0: fragment.topicHash,
        topicCount: 1 + indexed.filter(Boolean).length,
        params: fragment.inputs,
      });
    }
    if (mapping.file === undefined) throw new ManifestError(`${where}: mapping.file is missing`);
    if (mapping.language !== "wasm/assemblyscript") {
      throw new ManifestError(`${where}: mapping language ${String(mapping.language)} is not supported`);
    }
    const wasmBytes = read(mapping.file, "mapping");
    let wasm = modules.get(mapping.file)?.wasm;
    if (wasm === undefined) {
      try {
        wasm = new Wasm.Module(wasmBytes);
      } catch (error) {
        throw new ManifestError(`${where}: ${mapping.file} is not a valid WASM module: ${(error as Error).message}`, { cause: error });
      }
      modules.set(mapping.file, { wasm, bytes: wasmBytes, handlers: new Set(RUNTIME_EXPORTS) });
    }
    for (const h of eventHandlers) modules.get(mapping.file)!.handlers.add(h.handler);
    const exported = new Set(Wasm.Module.exports(wasm).map((e) => e.name));
    for (const h of eventHandlers) {
      if (!exported.has(h.handler)) throw new ManifestError(`${where}: ${mapping.file} does not export handler ${h.handler}`);
    }
    const context: EntityData = new Map();
    for (const [key, entry] of Object.entries(ds.context ?? {})) {
      context.set(key, contextValue(`${where}.context.${key}`, entry.type, entry.data));
    }
    const address = ds.source.address;
    if (address !== undefined && !/^0x[0-9a-fA-F]{40}$/.test(address)) {
      throw new ManifestError(`${where}: source.address ${address} is not an address`);
    }
    dataSources.push({
      name: ds.name,
      network: ds.network,
      address: address === undefined ? null : address.toLowerCase(),
      startBlock: ds.source.startBlock ?? 0,
      endBlock: ds.source.endBlock ?? null,
      abiName: ds.source.abi,
      iface,
      eventHandlers,
      wasm,
      memoryImporting: null, // below, once every data source's handlers are known
      wasmFile: mapping.file,
      apiVersion: mapping.apiVersion ?? "0.0.9",
      context,
    });
  }
  if (dataSources.length === 0) throw new ManifestError(`${manifestFile} has no data sources`);
  // graph-cli gives every data source of one mapping file the same module: it is compiled and rewritten once, keeping
  // the handlers of all of them (an instance serves a whole run: the few extra exports cost nothing per trigger).
  const rewritten = new Map<string, MemoryImportingModule | null>();
  for (const [file, { bytes, handlers }] of modules) rewritten.set(file, memoryImporting(bytes, handlers));
  for (const [i, ds] of dataSources.entries()) dataSources[i] = { ...ds, memoryImporting: rewritten.get(ds.wasmFile)! };
  const networks = new Set(dataSources.map((d) => d.network));
  if (networks.size > 1) throw new ManifestError(`data sources index different networks (${[...networks].join(", ")})`);
  return {
    dir,
    manifestFile,
    specVersion: raw.specVersion ?? "unknown",
    schema,
    dataSources,
    templateNames: (raw.templates ?? []).map((t) => t.name ?? "?"),
    network: dataSources[0]!.network,
    buildHash: hash.digest("hex"),
  };
}
