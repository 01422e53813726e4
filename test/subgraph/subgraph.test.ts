// The subgraph's build, schema and wiring. `npm test` builds the subgraph first (npm run subgraph:build), so these
// tests read subgraph/build/ and subgraph/abis/. The mappings themselves run in the embedded indexer's tests.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { expect } from "chai";
import { id as keccakId } from "ethers";
import { parse, Kind, type DirectiveNode, type ObjectTypeDefinitionNode, type TypeNode } from "graphql";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { ABI_SOURCES, checkHandlers, collectEvents, writeAbis } from "../../subgraph/scripts/abis";
import {
  DATA_SOURCES,
  renderManifest,
  writeDeploymentManifest,
  writeSourceManifest,
  type Deployment,
} from "../../subgraph/scripts/manifest";
import { CONTRACTS, syntheticDeployment, syntheticScenario } from "./fixtures/synthetic-scenario";

// Node's WebAssembly global (the project's TypeScript lib has no DOM/WebAssembly types).
interface WasmModule {
  readonly __wasmModule?: never;
}
declare const WebAssembly: {
  Module: {
    new (bytes: Uint8Array): WasmModule;
    exports(module: WasmModule): { name: string; kind: string }[];
    imports(module: WasmModule): { module: string; name: string; kind: string }[];
  };
};

const ROOT = path.resolve(__dirname, "..", "..");
const SUBGRAPH = path.join(ROOT, "subgraph");
const BUILD = path.join(SUBGRAPH, "build");

interface ManifestDataSource {
  name: string;
  network: string;
  source: { address: string; abi: string; startBlock: number };
  mapping: { file: string; abis: { name: string; file: string }[]; eventHandlers: { event: string; handler: string }[] };
}
interface Manifest {
  specVersion: string;
  schema: { file: string };
  dataSources: ManifestDataSource[];
}

function readManifest(file: string): Manifest {
  return parseYaml(fs.readFileSync(file, "utf8")) as Manifest;
}

function builtManifest(): Manifest {
  const file = path.join(BUILD, "subgraph.yaml");
  if (!fs.existsSync(file)) throw new Error("subgraph/build is missing: run `npm run subgraph:build` (npm test does)");
  return readManifest(file);
}

function typeName(t: TypeNode): string {
  return t.kind === Kind.NAMED_TYPE ? t.name.value : typeName(t.type);
}

function entityDirective(def: ObjectTypeDefinitionNode): DirectiveNode | undefined {
  return def.directives?.find((d) => d.name.value === "entity");
}

describe("subgraph", function () {
  describe("ABIs and handlers", function () {
    it("every event of every contract's ABI has a handler (and implementations emit nothing else)", function () {
      expect(() => writeAbis({ compile: false })).not.to.throw();
    });

    it("fails when an event has no handler, naming the data source and the event", function () {
      const abis = new Map(ABI_SOURCES.map((source) => [source.abi, collectEvents(source)]));
      const manifest = parseYaml(fs.readFileSync(path.join(SUBGRAPH, "subgraph.yaml"), "utf8")) as {
        dataSources: { name: string; mapping: { eventHandlers: { event: string }[] } }[];
      };
      const dataSource = manifest.dataSources[0]!;
      const dropped = dataSource.mapping.eventHandlers.shift()!;
      const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "latent-abis-"));
      try {
        const file = path.join(tmp, "subgraph.yaml");
        fs.writeFileSync(file, stringifyYaml(manifest));
        expect(checkHandlers(abis, file)).to.deep.equal([`data source ${dataSource.name}: no handler for ${dropped.event.replace(/, /g, ",")}`]);
      } finally {
        fs.rmSync(tmp, { recursive: true, force: true });
      }
    });

    it("the manifest has one data source per deployed contract, named as in deployments/<network>.json", function () {
      const manifest = readManifest(path.join(SUBGRAPH, "subgraph.yaml"));
      expect(manifest.dataSources.map((d) => d.name)).to.deep.equal([...DATA_SOURCES]);
      expect([...DATA_SOURCES]).to.deep.equal([...CONTRACTS]);
      expect(manifest.specVersion).to.equal("1.3.0");
    });

    it("the compiled WASM exports every handler and imports nothing that reaches the chain or IPFS", function () {
      const manifest = builtManifest();
      const modules = new Map<string, WasmModule>();
      for (const ds of manifest.dataSources) {
        const file = path.join(BUILD, ds.mapping.file);
        if (!modules.has(file)) modules.set(file, new WebAssembly.Module(fs.readFileSync(file)));
        const module = modules.get(file)!;
        const exported = new Set(WebAssembly.Module.exports(module).map((e) => e.name));
        for (const h of ds.mapping.eventHandlers) expect(exported.has(h.handler), `${ds.name}.${h.handler}`).to.equal(true);
      }
      for (const module of modules.values()) {
        const imports = WebAssembly.Module.imports(module).map((i) => `${i.module}.${i.name}`);
        const forbidden = imports.filter((i) => /ethereum\.(call|getBalance|hasCode)|ipfs\.|dataSource\.create/.test(i));
        expect(forbidden).to.deep.equal([]);
      }
      // One module for every data source: graph-cli compiles the shared entry point once.
      expect(modules.size).to.equal(1);
    });
  });

  describe("schema", function () {
    const source = fs.readFileSync(path.join(SUBGRAPH, "schema.graphql"), "utf8");
    const doc = parse(source);
    const objects = doc.definitions.filter((d): d is ObjectTypeDefinitionNode => d.kind === Kind.OBJECT_TYPE_DEFINITION);

    it("documents every type, field and enum value", function () {
      const missing: string[] = [];
      for (const def of doc.definitions) {
        if (!("name" in def) || !def.name) continue;
        if (!("description" in def) || !def.description) missing.push(def.name.value);
        const members =
          def.kind === Kind.ENUM_TYPE_DEFINITION
            ? (def.values ?? [])
            : def.kind === Kind.OBJECT_TYPE_DEFINITION || def.kind === Kind.INTERFACE_TYPE_DEFINITION
              ? (def.fields ?? [])
              : [];
        for (const m of members) if (!m.description) missing.push(`${def.name.value}.${m.name.value}`);
      }
      expect(missing).to.deep.equal([]);
    });

    it("declares immutability on every entity; feed events are immutable with Bytes ids", function () {
      for (const def of objects) {
        const entity = entityDirective(def);
        expect(entity, def.name.value).to.not.equal(undefined);
        const immutable = entity!.arguments?.find((a) => a.name.value === "immutable");
        expect(immutable, `${def.name.value} must say immutable: true|false`).to.not.equal(undefined);
        const implementsEvent = def.interfaces?.some((i) => i.name.value === "Event") ?? false;
        if (implementsEvent) {
          expect(immutable!.value.kind === Kind.BOOLEAN && immutable!.value.value, def.name.value).to.equal(true);
          const idField = def.fields?.find((f) => f.name.value === "id");
          expect(idField && typeName(idField.type), def.name.value).to.equal("Bytes");
        }
      }
    });

    it("has the entities the gateway reads, with the fields of its provider query", function () {
      const names = new Set(objects.map((d) => d.name.value));
      for (const name of [
        "Protocol",
        "Provider",
        "GpuModel",
        "Region",
        "Job",
        "Dispute",
        "Slash",
        "ThawRequest",
        "Proposal",
        "Vote",
        "ParameterChange",
        "Account",
        "EconomicParams",
        "NetworkDay",
        "ProviderDay",
      ]) {
        expect(names.has(name), name).to.equal(true);
      }
      const provider = objects.find((d) => d.name.value === "Provider")!;
      const fields = new Set(provider.fields!.map((f) => f.name.value));
      for (const f of ["registered", "online", "stakePerGpu", "gpusFree", "gpuModel", "vramGiB", "region", "tier", "pricePerGpuHour", "reputationScore"]) {
        expect(fields.has(f), `Provider.${f}`).to.equal(true);
      }
    });
  });

  describe("manifest per deployment", function () {
    let tmp: string;
    beforeEach(function () {
      tmp = fs.mkdtempSync(path.join(os.tmpdir(), "latent-subgraph-"));
    });
    afterEach(function () {
      fs.rmSync(tmp, { recursive: true, force: true });
    });

    it("writes a built subgraph directory with the deployment's addresses and start blocks", function () {
      const deployment = syntheticDeployment();
      deployment.contracts.JobEscrow.blockNumber = 42;
      const file = path.join(tmp, "deployments.json");
      fs.writeFileSync(file, JSON.stringify(deployment));
      const manifestFile = writeDeploymentManifest(file, path.join(tmp, "build"));

      const written = readManifest(manifestFile);
      const built = builtManifest();
      expect(written.dataSources.length).to.equal(built.dataSources.length);
      written.dataSources.forEach((ds, i) => {
        const contract = deployment.contracts[ds.name];
        expect(ds.source.address).to.equal(contract.address.toLowerCase());
        expect(ds.source.startBlock).to.equal(contract.blockNumber);
        expect(ds.network).to.equal("localhost");
        expect(ds.mapping).to.deep.equal(built.dataSources[i].mapping);
        const wasm = path.join(path.dirname(manifestFile), ds.mapping.file);
        expect(fs.readFileSync(wasm).equals(fs.readFileSync(path.join(BUILD, ds.mapping.file)))).to.equal(true);
        for (const abi of ds.mapping.abis) expect(fs.existsSync(path.join(path.dirname(manifestFile), abi.file))).to.equal(true);
      });
      expect(fs.existsSync(path.join(path.dirname(manifestFile), written.schema.file))).to.equal(true);
      // Addresses stay strings: a plain 0x… scalar would be a hex integer in YAML 1.2.
      expect(fs.readFileSync(manifestFile, "utf8")).to.include(`address: "${deployment.contracts.LatentToken.address}"`);
    });

    it("compiles nothing: the build's files are copied as they are, the build directory left untouched", function () {
      // A stand-in build whose modules are not WASM at all: only a copy brings them out as they went in; a compile
      // (from the subgraph's sources, into a build directory) would write real modules.
      const buildDir = path.join(tmp, "stand-in-build");
      fs.cpSync(BUILD, buildDir, { recursive: true });
      const stamp = (file: string) => Buffer.from(`not compiled: ${file}`);
      const manifest = builtManifest();
      for (const ds of manifest.dataSources) fs.writeFileSync(path.join(buildDir, ds.mapping.file), stamp(ds.mapping.file));
      // Each file of a directory with its size and modification time: what a compile writing into it would change.
      const files = (dir: string) =>
        (fs.readdirSync(dir, { recursive: true, encoding: "utf8" }) as string[])
          .map((name) => ({ name, stat: fs.statSync(path.join(dir, name)) }))
          .filter(({ stat }) => stat.isFile())
          .map(({ name, stat }) => `${name} ${stat.size} ${stat.mtimeMs}`)
          .sort();
      const before = { stand: files(buildDir), build: files(BUILD) };

      const manifestFile = writeDeploymentManifest(syntheticDeployment(), path.join(tmp, "out"), { buildDir });

      for (const ds of readManifest(manifestFile).dataSources) {
        expect(fs.readFileSync(path.join(path.dirname(manifestFile), ds.mapping.file)), ds.mapping.file).to.deep.equal(stamp(ds.mapping.file));
      }
      expect(files(buildDir)).to.deep.equal(before.stand);
      expect(files(BUILD)).to.deep.equal(before.build);
    });

    it("refuses a deployment that lacks a contract or has a malformed address", function () {
      const text = fs.readFileSync(path.join(SUBGRAPH, "subgraph.yaml"), "utf8");
      const missing: Deployment = syntheticDeployment();
      delete missing.contracts.Staking;
      expect(() => renderManifest(text, missing)).to.throw(/no contract Staking/);
      const bad: Deployment = syntheticDeployment();
      bad.contracts.JobEscrow.address = "0x1234";
      expect(() => renderManifest(text, bad)).to.throw(/invalid address/);
    });

    it("names the network graph-node knows the chain by, when asked", function () {
      const text = renderManifest(fs.readFileSync(path.join(SUBGRAPH, "subgraph.yaml"), "utf8"), syntheticDeployment("sepolia"), {
        network: "arbitrum-sepolia",
      });
      const manifest = parseYaml(text) as Manifest;
      expect(new Set(manifest.dataSources.map((d) => d.network))).to.deep.equal(new Set(["arbitrum-sepolia"]));
    });

    it("writes the graph-cli source manifest next to the template, ignored by git", function () {
      const network = `test-${process.pid}`;
      const file = writeSourceManifest(syntheticDeployment(network));
      try {
        expect(path.dirname(file)).to.equal(SUBGRAPH);
        const manifest = readManifest(file);
        expect(manifest.dataSources[0].mapping.file).to.equal("./src/mapping.ts");
        expect(manifest.dataSources[0].source.address).to.equal(syntheticDeployment().contracts.LatentToken.address);
        execFileSync("git", ["check-ignore", "-q", file], { cwd: ROOT }); // throws unless ignored
      } finally {
        fs.rmSync(file, { force: true });
      }
    });
  });

  describe("synthetic scenario (fixture for the mapping tests)", function () {
    it("emits every event the subgraph handles, from the right contract", function () {
      const { deployment, blocks } = syntheticScenario();
      const emitted = new Set<string>();
      for (const b of blocks) for (const log of b.logs) emitted.add(`${log.address}:${log.topics[0]}`);
      const manifest = builtManifest();
      const missing: string[] = [];
      for (const ds of manifest.dataSources) {
        const address = deployment.contracts[ds.name].address.toLowerCase();
        for (const h of ds.mapping.eventHandlers) {
          const topic0 = keccakId(h.event.replace(/indexed /g, ""));
          if (!emitted.has(`${address}:${topic0}`)) missing.push(`${ds.name}: ${h.event}`);
        }
      }
      expect(missing).to.deep.equal([]);
    });
  });
});
