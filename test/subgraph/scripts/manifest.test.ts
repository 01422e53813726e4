// `npm run subgraph:manifest` as a command: each flag the README and the script document, and a wrong command line
// refused with a message naming what is wrong. Run as package.json runs it (ts-node --transpile-only).
import { expect } from "chai";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import { DATA_SOURCES, type Deployment } from "../../../subgraph/scripts/manifest";
import { syntheticDeployment } from "../fixtures/synthetic-scenario";

const ROOT = path.resolve(__dirname, "..", "..", "..");
const SUBGRAPH = path.join(ROOT, "subgraph");
/** A network name no checkout uses, since the default outputs land in subgraph/. */
const NETWORK = `manifest-test-${process.pid}`;

interface ManifestYaml {
  dataSources: { name: string; network: string; source: { address: string; startBlock: number } }[];
  templates?: { network: string }[];
}

/** The CLI's exit code and output; a run that hangs is killed at 60 s and reads as code -1. */
function manifestCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    // SIGKILL: a process spinning in synchronous code (Node's recursive mkdir under /proc) is ended whatever it handles.
    const child = execFile(
      path.join(ROOT, "node_modules", ".bin", "ts-node"),
      ["--transpile-only", "subgraph/scripts/manifest.ts", ...args],
      { cwd: ROOT, timeout: 60_000, killSignal: "SIGKILL" },
      (error, stdout, stderr) => resolve({ code: child.killed ? -1 : error === null ? 0 : typeof error.code === "number" ? error.code : 1, stdout, stderr }),
    );
  });
}

/**
 * The manifest written, after checking the command succeeded and printed its path: relative to the repository (the
 * working directory) where it lies in it, else absolute.
 */
async function written(args: string[], expected: string): Promise<ManifestYaml> {
  const result = await manifestCli(args);
  expect(result.code, result.stderr).to.equal(0);
  expect(result.stdout.trim()).to.equal(expected.startsWith(ROOT + path.sep) ? path.relative(ROOT, expected) : expected);
  return parse(fs.readFileSync(expected, "utf8")) as ManifestYaml;
}

function expectDeployed(manifest: ManifestYaml, d: Deployment, network: string): void {
  expect(manifest.dataSources.map((ds) => ds.name).sort()).to.deep.equal([...DATA_SOURCES].sort());
  for (const ds of manifest.dataSources) {
    expect(ds.network, ds.name).to.equal(network);
    expect(ds.source.address, ds.name).to.equal(d.contracts[ds.name]!.address.toLowerCase());
    expect(ds.source.startBlock, ds.name).to.equal(d.contracts[ds.name]!.blockNumber);
  }
  for (const template of manifest.templates ?? []) expect(template.network).to.equal(network);
}

describe("npm run subgraph:manifest", function () {
  let tmp: string;
  let file: string;
  const d = syntheticDeployment(NETWORK);

  before(function () {
    if (!fs.existsSync(path.join(SUBGRAPH, "build", "subgraph.yaml"))) throw new Error("subgraph/build is missing: run `npm run subgraph:build`");
  });
  beforeEach(function () {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "latent-manifest-cli-"));
    file = path.join(tmp, "deployment.json");
    fs.writeFileSync(file, JSON.stringify(d));
  });
  afterEach(function () {
    fs.rmSync(tmp, { recursive: true, force: true });
    for (const name of [`build-${NETWORK}`, `build-other-${NETWORK}`, `subgraph.${NETWORK}.yaml`, `subgraph.other-${NETWORK}.yaml`]) {
      fs.rmSync(path.join(SUBGRAPH, name), { recursive: true, force: true });
    }
  });

  it("writes subgraph/build-<network>/: the compiled subgraph with the deployment's addresses, start blocks and network", async function () {
    const out = path.join(SUBGRAPH, `build-${NETWORK}`);
    expectDeployed(await written([file], path.join(out, "subgraph.yaml")), d, NETWORK);
    expect(fs.readdirSync(out).sort()).to.deep.equal(fs.readdirSync(path.join(SUBGRAPH, "build")).sort());
  });

  it("--out <dir> writes the built subgraph there", async function () {
    const out = path.join(tmp, "out");
    expectDeployed(await written([file, "--out", out], path.join(out, "subgraph.yaml")), d, NETWORK);
    expect(fs.existsSync(path.join(SUBGRAPH, `build-${NETWORK}`))).to.equal(false);
  });

  it("--network <name> puts every data source and template on that network, and names the default output by it", async function () {
    const other = `other-${NETWORK}`;
    expectDeployed(await written([file, "--network", other], path.join(SUBGRAPH, `build-${other}`, "subgraph.yaml")), d, other);
  });

  it("--build-dir <dir> starts from that compiled subgraph", async function () {
    const build = path.join(tmp, "build");
    fs.cpSync(path.join(SUBGRAPH, "build"), build, { recursive: true });
    fs.writeFileSync(path.join(build, "marker.txt"), "this build");
    const out = path.join(tmp, "out");
    expectDeployed(await written([file, "--build-dir", build, "--out", out], path.join(out, "subgraph.yaml")), d, NETWORK);
    expect(fs.readFileSync(path.join(out, "marker.txt"), "utf8")).to.equal("this build");
  });

  it("--source writes subgraph/subgraph.<network>.yaml from the template, for graph-cli", async function () {
    const manifest = await written([file, "--source"], path.join(SUBGRAPH, `subgraph.${NETWORK}.yaml`));
    expectDeployed(manifest, d, NETWORK);
    const template = parse(fs.readFileSync(path.join(SUBGRAPH, "subgraph.yaml"), "utf8")) as { dataSources: { mapping: { file: string } }[] };
    expect((manifest.dataSources[0] as unknown as { mapping: { file: string } }).mapping.file).to.equal(template.dataSources[0]!.mapping.file);
  });

  it("--source heads the manifest as generated for its network, not with the template's note that its addresses are placeholders", async function () {
    const out = path.join(SUBGRAPH, `subgraph.${NETWORK}.yaml`);
    await written([file, "--source"], out);
    const text = fs.readFileSync(out, "utf8");
    expect(text).to.match(new RegExp(`^# Latent subgraph manifest for network ${NETWORK}, from the deployment record of chain ${d.chainId}: generated\n`));
    expect(text).not.to.match(/placeholder/i);
  });

  it("--source --network <name> writes subgraph/subgraph.<name>.yaml on that network", async function () {
    const other = `other-${NETWORK}`;
    expectDeployed(await written([file, "--source", "--network", other], path.join(SUBGRAPH, `subgraph.${other}.yaml`)), d, other);
  });

  const refused: [string, (dir: string, deploymentFile: string) => string[], string][] = [
    ["no deployment file", () => [], "missing the deployment file"],
    ["an unknown option", (_dir, f) => [f, "--bogus"], "unknown option --bogus"],
    ["--out without its value", (_dir, f) => [f, "--out"], "--out needs a value"],
    ["--network followed by another option", (_dir, f) => [f, "--network", "--source"], "--network needs a value"],
    ["--build-dir without its value", (_dir, f) => [f, "--build-dir"], "--build-dir needs a value"],
    ["an option given twice", (_dir, f) => [f, "--network", "a", "--network", "b"], "--network given twice"],
    ["a second deployment file", (_dir, f) => [f, "other.json"], "unexpected argument other.json"],
    ["--out with --source", (dir, f) => [f, "--source", "--out", dir], "--out does not apply with --source"],
    ["--build-dir with --source", (dir, f) => [f, "--source", "--build-dir", dir], "--build-dir does not apply with --source"],
  ];
  for (const [what, args, message] of refused) {
    it(`refuses ${what} with status 2, a message naming it and the usage`, async function () {
      const result = await manifestCli(args(tmp, file));
      expect(result.code, result.stderr).to.equal(2);
      expect(result.stderr).to.contain(`manifest: ${message}`);
      expect(result.stderr).to.contain("usage: manifest.ts");
      expect(result.stdout).to.equal("");
    });
  }

  const unusable: [string, (dir: string) => string[], (dir: string) => string][] = [
    ["a deployment file that does not exist", (dir) => [path.join(dir, "missing.json")], (dir) => `cannot read the deployment file ${path.join(dir, "missing.json")}: ENOENT`],
    ["a deployment file that is not JSON", (dir) => [path.join(dir, "broken.json")], (dir) => `the deployment file ${path.join(dir, "broken.json")} is not JSON`],
    ["a deployment without a data source's contract", (dir) => [path.join(dir, "partial.json")], () => "deployment has no contract DisputeManager"],
    ["a --build-dir with no compiled subgraph", (dir) => [path.join(dir, "deployment.json"), "--build-dir", dir], (dir) => `${path.join(dir, "subgraph.yaml")} not found`],
    // Node's recursive mkdir never returned there: the run hung until killed.
    ["an --out that cannot be made under /proc", (dir) => [path.join(dir, "deployment.json"), "--out", "/proc/x/y"], () => "/proc/x/y: cannot be created there at /proc/x: ENOENT"],
  ];
  for (const [what, args, message] of unusable) {
    it(`fails on ${what} with status 1 and a message naming it`, async function () {
      fs.writeFileSync(path.join(tmp, "broken.json"), "{ not json");
      const partial = syntheticDeployment(NETWORK);
      delete partial.contracts.DisputeManager;
      fs.writeFileSync(path.join(tmp, "partial.json"), JSON.stringify(partial));
      const result = await manifestCli(args(tmp));
      expect(result.code, result.stderr).to.equal(1);
      expect(result.stderr).to.match(/^manifest: /);
      expect(result.stderr).to.contain(message(tmp));
      expect(result.stdout).to.equal("");
    });
  }
});
