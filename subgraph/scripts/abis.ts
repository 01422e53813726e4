/**
 * `npm run subgraph:abis`: writes the subgraph's ABIs (subgraph/abis/*.json, build output ignored by git) from the
 * Hardhat artifacts, compiling the contracts first when needed, and checks that every event has a handler.
 *
 * - Each data source's ABI holds the *events* of the contract's interface artifact (IProviderRegistry, IStaking, …):
 *   the implementations inherit them, so the ABI cannot drift from what they emit. Functions are left out on purpose:
 *   graph-cli then generates no call bindings, so no mapping can call the chain (`ethereum.call`).
 * - The governor's interface (IGovernor) lacks the events of the OpenZeppelin extensions a Governor is built from
 *   (GovernorSettings, GovernorVotesQuorumFraction, GovernorTimelockControl): they come from the artifacts that the
 *   installed @openzeppelin/contracts package ships, the same version the contracts compile against.
 * - When an implementation artifact exists (ProviderRegistry, Staking, …), every event it can emit must be in the
 *   data source's ABI, and every ABI event must have a handler in subgraph/subgraph.yaml: a new event without a
 *   handler fails the build.
 *
 * Usage: ts-node subgraph/scripts/abis.ts [--no-compile]
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse as parseYaml } from "yaml";
import { makeDirectory } from "../indexer/directories";

const ROOT = path.resolve(__dirname, "..", "..");
const ARTIFACTS = path.join(ROOT, "artifacts");
const OZ_BUILD = path.join(ROOT, "node_modules", "@openzeppelin", "contracts", "build", "contracts");
export const ABI_DIR = path.join(ROOT, "subgraph", "abis");
const MANIFEST = path.join(ROOT, "subgraph", "subgraph.yaml");

interface AbiParam {
  name: string;
  type: string;
  indexed?: boolean;
  components?: AbiParam[];
  internalType?: string;
}
interface AbiItem {
  type: string;
  name?: string;
  inputs?: AbiParam[];
  anonymous?: boolean;
}

/** One ABI per data source: the artifacts whose events it holds, and the implementation it must cover. */
export const ABI_SOURCES: { abi: string; artifacts: string[]; ozArtifacts?: string[]; implementation: string }[] = [
  { abi: "LatentToken", artifacts: ["contracts/interfaces/ILatentToken.sol/ILatentToken.json"], implementation: "LatentToken" },
  { abi: "PauseGuardian", artifacts: ["contracts/interfaces/IPauseGuardian.sol/IPauseGuardian.json"], implementation: "PauseGuardian" },
  {
    abi: "ProviderRegistry",
    artifacts: ["contracts/interfaces/IProviderRegistry.sol/IProviderRegistry.json"],
    implementation: "ProviderRegistry",
  },
  { abi: "Staking", artifacts: ["contracts/interfaces/IStaking.sol/IStaking.json"], implementation: "Staking" },
  { abi: "JobEscrow", artifacts: ["contracts/interfaces/IJobEscrow.sol/IJobEscrow.json"], implementation: "JobEscrow" },
  {
    abi: "DisputeManager",
    artifacts: ["contracts/interfaces/IDisputeManager.sol/IDisputeManager.json"],
    implementation: "DisputeManager",
  },
  {
    abi: "LatentGovernor",
    artifacts: ["contracts/interfaces/ILatentGovernor.sol/ILatentGovernor.json"],
    ozArtifacts: ["GovernorSettings", "GovernorVotesQuorumFraction", "GovernorTimelockControl"],
    implementation: "LatentGovernor",
  },
  {
    abi: "LatentTimelock",
    artifacts: ["contracts/governance/LatentTimelock.sol/LatentTimelock.json"],
    implementation: "LatentTimelock",
  },
];

/**
 * Events an implementation may declare that the subgraph deliberately does not handle, with the reason.
 * OpenZeppelin's EIP712 (token permits, governor signatures) declares IERC5267's EIP712DomainChanged but never emits
 * it: its domain is immutable.
 */
const NEVER_EMITTED: Record<string, string> = {
  "EIP712DomainChanged()": "OpenZeppelin EIP712 declares it (IERC5267) but never emits it: the domain is immutable",
};

/** The canonical type of a parameter as graph-cli writes it in an event signature (tuples spelled out). */
function paramType(p: AbiParam): string {
  if (p.type.startsWith("tuple")) {
    return `(${(p.components ?? []).map(paramType).join(",")})${p.type.slice("tuple".length)}`;
  }
  return p.type;
}

/** `Name(indexed type,…)`: the form of `event:` in a subgraph manifest. */
export function eventSignature(e: AbiItem, withIndexed = true): string {
  const inputs = (e.inputs ?? []).map((p) => `${withIndexed && p.indexed ? "indexed " : ""}${paramType(p)}`);
  return `${e.name}(${inputs.join(",")})`;
}

function readJson<T>(file: string): T {
  return JSON.parse(fs.readFileSync(file, "utf8")) as T;
}

function artifactAbi(file: string): AbiItem[] {
  if (!fs.existsSync(file)) throw new Error(`subgraph:abis: missing artifact ${path.relative(ROOT, file)}`);
  return readJson<{ abi: AbiItem[] }>(file).abi;
}

/** Finds `artifacts/contracts/**\/<name>.sol/<name>.json`, the artifact of an implementation, if it was compiled. */
function findImplementation(name: string): string | undefined {
  const base = path.join(ARTIFACTS, "contracts");
  if (!fs.existsSync(base)) return undefined;
  const stack = [base];
  while (stack.length > 0) {
    const dir = stack.pop()!;
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name === `${name}.sol`) {
          const file = path.join(full, `${name}.json`);
          if (fs.existsSync(file)) return file;
        } else stack.push(full);
      }
    }
  }
  return undefined;
}

/** Events of an ABI source, deduplicated by signature, in declaration order. */
export function collectEvents(source: (typeof ABI_SOURCES)[number]): AbiItem[] {
  const items: AbiItem[] = [];
  for (const a of source.artifacts) items.push(...artifactAbi(path.join(ARTIFACTS, a)));
  for (const a of source.ozArtifacts ?? []) items.push(...artifactAbi(path.join(OZ_BUILD, `${a}.json`)));
  const seen = new Set<string>();
  const events: AbiItem[] = [];
  for (const item of items) {
    if (item.type !== "event") continue;
    const sig = eventSignature(item);
    if (seen.has(sig) || NEVER_EMITTED[eventSignature(item, false)] !== undefined) continue;
    seen.add(sig);
    events.push(item);
  }
  return events;
}

function compileContracts(): void {
  const hardhat = path.join(ROOT, "node_modules", ".bin", "hardhat");
  execFileSync(hardhat, ["compile", "--quiet"], {
    cwd: ROOT,
    stdio: "inherit",
    env: { ...process.env, HARDHAT_DISABLE_TELEMETRY_PROMPT: "true" },
  });
}

/** Every event in an ABI must have a handler in the manifest's data source that uses that ABI. */
export function checkHandlers(abis: Map<string, AbiItem[]>, manifestFile = MANIFEST): string[] {
  const problems: string[] = [];
  if (!fs.existsSync(manifestFile)) return [`missing ${path.relative(ROOT, manifestFile)}`];
  const manifest = parseYaml(fs.readFileSync(manifestFile, "utf8")) as {
    dataSources: { name: string; source: { abi: string }; mapping: { eventHandlers?: { event: string }[] } }[];
  };
  const covered = new Set<string>();
  for (const ds of manifest.dataSources) {
    const events = abis.get(ds.source.abi);
    if (!events) {
      problems.push(`data source ${ds.name} uses ABI ${ds.source.abi}, which subgraph:abis does not write`);
      continue;
    }
    covered.add(ds.source.abi);
    const handled = new Set((ds.mapping.eventHandlers ?? []).map((h) => h.event.replace(/\s+/g, " ").replace(/, /g, ",")));
    for (const e of events) {
      const sig = eventSignature(e);
      if (!handled.has(sig)) problems.push(`data source ${ds.name}: no handler for ${sig}`);
    }
  }
  for (const abi of abis.keys()) if (!covered.has(abi)) problems.push(`no data source uses ABI ${abi}`);
  return problems;
}

export function writeAbis(options: { compile?: boolean } = {}): void {
  if (options.compile !== false) compileContracts();
  makeDirectory(ABI_DIR);
  const abis = new Map<string, AbiItem[]>();
  const problems: string[] = [];
  for (const source of ABI_SOURCES) {
    const events = collectEvents(source);
    abis.set(source.abi, events);
    const out = path.join(ABI_DIR, `${source.abi}.json`);
    const text = `${JSON.stringify(events, null, 2)}\n`;
    if (!fs.existsSync(out) || fs.readFileSync(out, "utf8") !== text) fs.writeFileSync(out, text);

    // Once the implementation is compiled, it must emit nothing the ABI (and so the subgraph) does not know.
    const impl = findImplementation(source.implementation);
    if (impl) {
      const known = new Set(events.map((e) => eventSignature(e)));
      for (const item of artifactAbi(impl)) {
        if (item.type !== "event") continue;
        const plain = eventSignature(item, false);
        if (NEVER_EMITTED[plain] !== undefined) continue;
        if (!known.has(eventSignature(item))) {
          problems.push(
            `${source.implementation} declares ${eventSignature(item)}, which is not in its interface: ` +
              `declare it in the interface and handle it in the subgraph`,
          );
        }
      }
    }
  }
  problems.push(...checkHandlers(abis));
  if (problems.length > 0) {
    throw new Error(`subgraph:abis found ${problems.length} problem(s):\n  - ${problems.join("\n  - ")}`);
  }
}

if (require.main === module) {
  try {
    writeAbis({ compile: !process.argv.includes("--no-compile") });
    console.log(`subgraph:abis: wrote ${ABI_SOURCES.length} ABIs to ${path.relative(ROOT, ABI_DIR)}/`);
  } catch (err) {
    console.error((err as Error).message);
    process.exit(1);
  }
}
