/**
 * Manifests per deployment. The committed subgraph/subgraph.yaml is a template with placeholder addresses; the
 * compiled WASM does not depend on addresses, so a deployment only needs its own manifest:
 *
 * - `writeDeploymentManifest(deployment, outDir)`: a *built* subgraph directory for a deployment (the compiled
 *   WASM, ABIs and schema of subgraph/build/ plus a subgraph.yaml with the deployment's addresses and start blocks),
 *   without recompiling: a few milliseconds. The embedded indexer (or graph-node) reads that directory.
 * - `writeSourceManifest(deployment)`: subgraph/subgraph.<network>.yaml, the template with the deployment's addresses,
 *   for graph-cli (`graph build` / `graph deploy` against a graph-node). Ignored by git, so the template never changes.
 *
 * CLI (npm run subgraph:manifest -- …):
 *   ts-node subgraph/scripts/manifest.ts deployments/<network>.json [--out <dir>] [--network <graph-node network name>]
 *                                       [--build-dir <compiled subgraph, default subgraph/build>]
 *   ts-node subgraph/scripts/manifest.ts deployments/<network>.json --source [--network <name>]
 * Prints the path written. A wrong command line exits 2 with a message naming the argument; a deployment or build
 * that cannot make a manifest exits 1.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { isMap, isScalar, isSeq, parseDocument, Scalar, type Document } from "yaml";
import { makeWritableDirectory } from "../indexer/directories";

const SUBGRAPH_DIR = path.resolve(__dirname, "..");
export const TEMPLATE_MANIFEST = path.join(SUBGRAPH_DIR, "subgraph.yaml");
export const BUILD_DIR = path.join(SUBGRAPH_DIR, "build");

/** `deployments/<network>.json` as scripts/deploy.ts writes it. */
export interface Deployment {
  network: string;
  chainId: number;
  deployer?: string;
  contracts: Record<string, { address: string; blockNumber: number }>;
}

export interface ManifestOptions {
  /** Network name for graph-node (default: the deployment's `network`). graph-node must know a chain by it. */
  network?: string;
}

/** The data sources (named after the contracts in deployments/<network>.json). */
export const DATA_SOURCES = [
  "LatentToken",
  "PauseGuardian",
  "ProviderRegistry",
  "Staking",
  "JobEscrow",
  "DisputeManager",
  "LatentGovernor",
  "LatentTimelock",
] as const;

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

function readDeploymentFile(file: string): Deployment {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    throw new Error(`cannot read the deployment file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  try {
    return JSON.parse(text) as Deployment;
  } catch {
    throw new Error(`the deployment file ${file} is not JSON`);
  }
}

export function loadDeployment(deployment: string | Deployment): Deployment {
  const d: Deployment = typeof deployment === "string" ? readDeploymentFile(deployment) : deployment;
  if (!d || typeof d !== "object" || !d.contracts || typeof d.contracts !== "object") {
    throw new Error("deployment: expected { network, chainId, contracts: { <Name>: { address, blockNumber } } }");
  }
  if (typeof d.network !== "string" || d.network.length === 0) throw new Error("deployment: missing network");
  return d;
}

/**
 * Returns `manifestText` (a source or built manifest) with every data source's network, address and start block
 * taken from the deployment. Throws if the deployment lacks a contract a data source needs.
 */
export function renderManifest(manifestText: string, deployment: string | Deployment, options: ManifestOptions = {}): string {
  const d = loadDeployment(deployment);
  const network = options.network ?? d.network;
  const doc: Document = parseDocument(manifestText);
  const dataSources = doc.get("dataSources");
  if (!isSeq(dataSources)) throw new Error("manifest: no dataSources");
  const problems: string[] = [];
  dataSources.items.forEach((item, i) => {
    if (!isMap(item)) return;
    const name = String(item.get("name"));
    const contract = d.contracts[name];
    if (!contract) {
      problems.push(`deployment has no contract ${name}`);
      return;
    }
    if (!ADDRESS.test(contract.address)) problems.push(`${name}: invalid address ${contract.address}`);
    if (!Number.isSafeInteger(contract.blockNumber) || contract.blockNumber < 0) {
      problems.push(`${name}: invalid blockNumber ${contract.blockNumber}`);
    }
    const address = new Scalar(contract.address.toLowerCase());
    address.type = Scalar.QUOTE_DOUBLE; // a plain 0x… scalar would read as a hex integer in YAML 1.2
    doc.setIn(["dataSources", i, "network"], network);
    doc.setIn(["dataSources", i, "source", "address"], address);
    doc.setIn(["dataSources", i, "source", "startBlock"], contract.blockNumber);
  });
  const templates = doc.get("templates");
  if (isSeq(templates)) templates.items.forEach((_t, i) => doc.setIn(["templates", i, "network"], network));
  // The template's header calls the addresses below placeholders; an operator checking what graph-node was given
  // would read that of real ones.
  const first = isMap(doc.contents) ? doc.contents.items[0]?.key : undefined;
  if (isScalar(first) && first.commentBefore) {
    first.commentBefore =
      ` Latent subgraph manifest for network ${network}, from the deployment record of chain ${d.chainId}: generated\n` +
      " by subgraph/scripts/manifest.ts from the template subgraph/subgraph.yaml. Edit the template and generate it again.";
  }
  if (problems.length > 0) throw new Error(`manifest for ${d.network}: ${problems.join("; ")}`);
  return doc.toString({ lineWidth: 0 });
}

/**
 * Writes a built subgraph directory for a deployment: the files of `buildDir` (subgraph/build, from
 * `npm run subgraph:build`) with a subgraph.yaml holding the deployment's addresses and start blocks.
 * Nothing is compiled. Returns the path of the manifest written (<outDir>/subgraph.yaml).
 */
export function writeDeploymentManifest(
  deployment: string | Deployment,
  outDir?: string,
  options: ManifestOptions & { buildDir?: string } = {},
): string {
  const d = loadDeployment(deployment);
  const buildDir = path.resolve(options.buildDir ?? BUILD_DIR);
  const built = path.join(buildDir, "subgraph.yaml");
  if (!fs.existsSync(built)) throw new Error(`${built} not found: run \`npm run subgraph:build\` first`);
  const out = path.resolve(outDir ?? path.join(SUBGRAPH_DIR, `build-${options.network ?? d.network}`));
  const text = renderManifest(fs.readFileSync(built, "utf8"), d, options);
  if (out !== buildDir) {
    // Not Node's recursive mkdir: under /proc (--out /proc/x/y) it never returns; this one is refused, naming the path.
    makeWritableDirectory(out);
    fs.cpSync(buildDir, out, {
      recursive: true,
      filter: (src) => path.dirname(src) !== buildDir || !/^subgraph(\..+)?\.yaml$/.test(path.basename(src)),
    });
  }
  const manifest = path.join(out, "subgraph.yaml");
  fs.writeFileSync(manifest, text);
  return manifest;
}

/**
 * Writes subgraph/subgraph.<network>.yaml: the template with the deployment's addresses and start blocks, paths
 * relative to subgraph/, for `graph build` / `graph deploy`. Ignored by git. Returns its path.
 */
export function writeSourceManifest(deployment: string | Deployment, options: ManifestOptions & { out?: string } = {}): string {
  const d = loadDeployment(deployment);
  const network = options.network ?? d.network;
  const out = path.resolve(options.out ?? path.join(SUBGRAPH_DIR, `subgraph.${network}.yaml`));
  if (path.dirname(out) !== SUBGRAPH_DIR) throw new Error("the source manifest must sit in subgraph/ (its paths are relative)");
  if (out === TEMPLATE_MANIFEST) throw new Error("refusing to overwrite the template subgraph/subgraph.yaml");
  fs.writeFileSync(out, renderManifest(fs.readFileSync(TEMPLATE_MANIFEST, "utf8"), d, options));
  return out;
}

const USAGE =
  "usage: manifest.ts <deployments/<network>.json> [--out <dir>] [--network <name>] [--build-dir <dir>]\n" +
  "       manifest.ts <deployments/<network>.json> --source [--network <name>]";

/** The command line is wrong: the message names the argument. */
export class ManifestUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ManifestUsageError";
  }
}

export interface ManifestArgs {
  deployment: string;
  /** --source: subgraph/subgraph.<network>.yaml for graph-cli instead of a built directory. */
  source: boolean;
  out?: string;
  network?: string;
  buildDir?: string;
}

/** The CLI's arguments (after the script's own path). */
export function parseManifestArgs(args: readonly string[]): ManifestArgs {
  let deployment: string | undefined;
  const parsed: Omit<ManifestArgs, "deployment"> = { source: false };
  const valued = { "--out": "out", "--network": "network", "--build-dir": "buildDir" } as const;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg in valued) {
      const value = args[i + 1];
      if (value === undefined || value.startsWith("--") || value.length === 0) throw new ManifestUsageError(`${arg} needs a value`);
      const key = valued[arg as keyof typeof valued];
      if (parsed[key] !== undefined) throw new ManifestUsageError(`${arg} given twice`);
      parsed[key] = value;
      i++;
    } else if (arg === "--source") {
      parsed.source = true;
    } else if (arg.startsWith("-")) {
      throw new ManifestUsageError(`unknown option ${arg}`);
    } else if (deployment !== undefined) {
      throw new ManifestUsageError(`unexpected argument ${arg} (the deployment file is ${deployment})`);
    } else {
      deployment = arg;
    }
  }
  if (deployment === undefined) throw new ManifestUsageError("missing the deployment file (deployments/<network>.json)");
  // The source manifest always sits in subgraph/ and is made from the template: these would be ignored.
  if (parsed.source && parsed.out !== undefined) throw new ManifestUsageError("--out does not apply with --source");
  if (parsed.source && parsed.buildDir !== undefined) throw new ManifestUsageError("--build-dir does not apply with --source");
  return { deployment, ...parsed };
}

if (require.main === module) {
  let args: ManifestArgs;
  try {
    args = parseManifestArgs(process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof ManifestUsageError)) throw err;
    console.error(`manifest: ${err.message}\n${USAGE}`);
    process.exit(2);
  }
  try {
    const written = args.source
      ? writeSourceManifest(args.deployment, { network: args.network })
      : writeDeploymentManifest(args.deployment, args.out, { network: args.network, buildDir: args.buildDir });
    // Relative where it lies under the working directory; outside it ("../../tmp/x") the absolute path reads better.
    const relative = path.relative(process.cwd(), written);
    console.log(relative.startsWith("..") || path.isAbsolute(relative) ? written : relative);
  } catch (err) {
    console.error(`manifest: ${(err as Error).message}`);
    process.exit(1);
  }
}
