// House style: NatSpec on every external function. Every function (including a public state variable's getter),
// event and custom error in the ABI of each of the project's own contracts (contracts/, not contracts/mocks/) must be
// documented in the compiler's output: a userdoc `notice` (written directly, through `@inheritdoc`, or inherited by
// solc from the interface the function implements) or a devdoc `details`. Solc's docs come from each contract's
// metadata in its build info. A public state variable is documented by the `///` comment on the variable (solc puts
// its `@notice` under userdoc.methods, its `@dev` under devdoc.stateVariables).
//
// Rule for dependencies: an ABI item that no project source declares (its selector is not on any function, public
// variable, event or error in a contracts/ file outside contracts/mocks/) comes from OpenZeppelin, is documented
// (or not) in OpenZeppelin's sources, and is left out: e.g. LatentGovernor's BALLOT_TYPEHASH and VotingDelaySet, the
// timelock's role constants, ShortStrings' StringTooLong. An OpenZeppelin function the project overrides is declared
// in a project source and so must be documented here.
import { expect } from "chai";
import { ethers } from "ethers";
import hre from "hardhat";
import type { BuildInfo } from "hardhat/types";

type Doc = { notice?: string; details?: string };
type DocSection = Record<string, Doc | Doc[]>;
type NatSpec = { methods?: DocSection; events?: DocSection; errors?: DocSection; stateVariables?: Record<string, Doc> };
type AstNode = { nodeType?: string; functionSelector?: string; eventSelector?: string; errorSelector?: string; [key: string]: unknown };

const isProjectSource = (file: string) => file.startsWith("contracts/") && !file.startsWith("contracts/mocks/");

/** Every selector (4 bytes for functions and errors, 32 for events) that a node of `ast` declares. */
function declaredSelectors(ast: unknown, into: Set<string>): void {
  if (Array.isArray(ast)) {
    for (const child of ast) declaredSelectors(child, into);
    return;
  }
  if (ast === null || typeof ast !== "object") return;
  const node = ast as AstNode;
  for (const selector of [node.functionSelector, node.eventSelector, node.errorSelector]) {
    if (typeof selector === "string") into.add(selector.toLowerCase());
  }
  for (const value of Object.values(node)) declaredSelectors(value, into);
}

function documented(entry: Doc | Doc[] | undefined, field: "notice" | "details"): boolean {
  const docs = entry === undefined ? [] : Array.isArray(entry) ? entry : [entry];
  return docs.some((doc) => (doc[field] ?? "").trim() !== "");
}

/** Each contract, interface and library of the project's sources, with its build info and solc's metadata (JSON). */
async function* projectArtifacts(): AsyncGenerator<{ fqn: string; file: string; name: string; buildInfo: BuildInfo; metadata: string }> {
  const names = (await hre.artifacts.getAllFullyQualifiedNames()).filter((fqn) => isProjectSource(fqn.split(":")[0]!));
  for (const fqn of names) {
    const [file, name] = fqn.split(":") as [string, string];
    const buildInfo = await hre.artifacts.getBuildInfo(fqn);
    if (buildInfo === undefined) throw new Error(`no build info for ${fqn}: run npx hardhat compile`);
    const output = buildInfo.output.contracts[file]![name]! as { metadata?: string };
    yield { fqn, file, name, buildInfo, metadata: output.metadata! };
  }
}

async function undocumentedItems(): Promise<{ missing: string[]; checked: number }> {
  const missing: string[] = [];
  let checked = 0;
  for await (const { fqn, file, name, buildInfo, metadata } of projectArtifacts()) {
    const projectSelectors = new Set<string>();
    for (const [source, { ast }] of Object.entries(buildInfo.output.sources)) {
      if (isProjectSource(source)) declaredSelectors(ast, projectSelectors);
    }
    const { userdoc, devdoc } = (JSON.parse(metadata) as { output: { userdoc: NatSpec; devdoc: NatSpec } }).output;
    const iface = new ethers.Interface((await hre.artifacts.readArtifact(fqn)).abi);
    iface.forEachFunction((fn) => check("methods", fn.format("sighash"), fn.selector, fn.name));
    iface.forEachEvent((ev) => check("events", ev.format("sighash"), ev.topicHash, undefined));
    iface.forEachError((er) => check("errors", er.format("sighash"), er.selector, undefined));

    function check(section: "methods" | "events" | "errors", signature: string, selector: string, getter?: string) {
      if (!projectSelectors.has(selector.slice(2).toLowerCase())) return; // declared by OpenZeppelin: see the rule above
      checked++;
      const ok =
        documented(userdoc[section]?.[signature], "notice") ||
        documented(devdoc[section]?.[signature], "details") ||
        (getter !== undefined && documented(devdoc.stateVariables?.[getter], "details"));
      if (!ok) missing.push(`${name}.${signature}`);
    }
  }
  return { missing, checked };
}

type ContractNode = AstNode & { id: number; name: string; linearizedBaseContracts: number[]; nodes: AstNode[] };

/** Every contract and interface a project source defines, by AST id. */
function projectContracts(sources: Record<string, { ast: unknown }>): Map<number, ContractNode> {
  const out = new Map<number, ContractNode>();
  for (const [source, { ast }] of Object.entries(sources)) {
    if (!isProjectSource(source)) continue;
    for (const node of (ast as { nodes: AstNode[] }).nodes) {
      if (node.nodeType === "ContractDefinition") out.set((node as ContractNode).id, node as ContractNode);
    }
  }
  return out;
}

/**
 * Every function a project source declares (its own or in a project base) whose named parameters lack a `@param` or
 * whose outputs lack a `@return` in the contract's devdoc. A public variable's getter is left out: the variable's
 * own comment documents it (see the test above), and solc keeps no `@return` for it.
 */
async function undocumentedParamsAndReturns(): Promise<{ missing: string[]; checked: number }> {
  const missing: string[] = [];
  let checked = 0;
  for await (const { fqn, file, name, buildInfo, metadata } of projectArtifacts()) {
    const contracts = projectContracts(buildInfo.output.sources);
    const self = [...contracts.values()].find((node) => node.name === name && buildInfo.output.sources[file] !== undefined);
    if (self === undefined) continue; // a library or file-level item with no contract node of its own
    const functions = new Set<string>();
    const getters = new Set<string>();
    for (const baseId of self.linearizedBaseContracts) {
      for (const member of contracts.get(baseId)?.nodes ?? []) {
        if (typeof member.functionSelector !== "string") continue;
        (member.nodeType === "FunctionDefinition" ? functions : getters).add(member.functionSelector.toLowerCase());
      }
    }
    const devdoc = (JSON.parse(metadata) as { output: { devdoc: { methods?: Record<string, { params?: Record<string, string>; returns?: Record<string, string> }> } } }).output.devdoc;
    const iface = new ethers.Interface((await hre.artifacts.readArtifact(fqn)).abi);
    iface.forEachFunction((fn) => {
      const selector = fn.selector.slice(2).toLowerCase();
      if (!functions.has(selector) || getters.has(selector)) return;
      checked++;
      const doc = devdoc.methods?.[fn.format("sighash")] ?? {};
      for (const input of fn.inputs) {
        if (input.name !== "" && (doc.params?.[input.name] ?? "").trim() === "") missing.push(`${name}.${fn.name}: @param ${input.name}`);
      }
      const returns = Object.keys(doc.returns ?? {}).length;
      if (returns < fn.outputs.length) missing.push(`${name}.${fn.name}: @return (${returns} of ${fn.outputs.length})`);
    });
  }
  return { missing, checked };
}

describe("NatSpec", function () {
  it("documents every function, event and error of the project's contracts", async function () {
    const { missing, checked } = await undocumentedItems();
    expect(checked, "items checked").to.be.greaterThan(300);
    expect(missing, `${missing.length} undocumented (add a @notice, @inheritdoc or @dev):\n  ${missing.join("\n  ")}\n`).to.deep.equal([]);
  });

  it("documents every parameter and return value of the project's functions", async function () {
    const { missing, checked } = await undocumentedParamsAndReturns();
    expect(checked, "functions checked").to.be.greaterThan(200);
    expect(missing, `${missing.length} undocumented (add a @param or @return):\n  ${missing.join("\n  ")}\n`).to.deep.equal([]);
  });
});

describe("unchecked blocks", function () {
  it("each follows a comment, within the three lines above it, that says why it cannot overflow or underflow", async function () {
    const { readdirSync, readFileSync, statSync } = await import("node:fs");
    const path = await import("node:path");
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir)) {
        const full = path.join(dir, entry);
        if (statSync(full).isDirectory()) {
          if (entry !== "mocks") walk(full);
        } else if (entry.endsWith(".sol")) files.push(full);
      }
    };
    walk(path.join(hre.config.paths.root, "contracts"));
    const unexplained: string[] = [];
    let blocks = 0;
    for (const file of files) {
      const lines = readFileSync(file, "utf8").split("\n");
      lines.forEach((line, i) => {
        if (!/\bunchecked\s*\{/.test(line)) return;
        blocks++;
        const comment = lines.slice(Math.max(0, i - 3), i).filter((above) => above.includes("//")).join(" ");
        if (!/cannot|overflow|underflow|fits|below|at most|<=|< 2/i.test(comment)) unexplained.push(`${path.relative(hre.config.paths.root, file)}:${i + 1}`);
      });
    }
    expect(blocks, "unchecked blocks found").to.be.greaterThan(20);
    expect(unexplained, "unchecked blocks without a comment saying why they cannot overflow").to.deep.equal([]);
  });
});
