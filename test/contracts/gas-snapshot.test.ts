// `npm run gas:snapshot` as a command: run as package.json spells it, against a copy of the snapshot
// (GAS_SNAPSHOT_FILE) so the committed file is never touched. Gas is deterministic, so rewriting a copy whose figures
// were changed (an operation's gas, a deployment's gas and a runtime size) must give back the committed file byte for
// byte, and the same copy without UPDATE_GAS_SNAPSHOT fails on each.
import { expect } from "chai";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..", "..");
const COMMITTED = path.join(__dirname, "gas-snapshot.json");
const CHANGED_OPERATION = "JobEscrow.acceptJob";
const CHANGED_DEPLOYMENT = "Staking";

/** `npm run gas:snapshot`'s environment assignments and hardhat arguments, from package.json. */
function gasSnapshotCommand(): { env: Record<string, string>; args: string[] } {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> };
  const words = pkg.scripts["gas:snapshot"]!.split(/\s+/);
  const env: Record<string, string> = {};
  while (/^[A-Z_]+=/.test(words[0]!)) {
    const [name, value] = words.shift()!.split("=") as [string, string];
    env[name] = value;
  }
  expect(words.shift(), "gas:snapshot runs hardhat").to.equal("hardhat");
  return { env, args: words };
}

function hardhat(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(
      path.join(ROOT, "node_modules", ".bin", "hardhat"),
      args,
      { cwd: ROOT, env: { ...env, HARDHAT_DISABLE_TELEMETRY_PROMPT: "true", NO_COLOR: "1" }, timeout: 300_000, maxBuffer: 64 * 2 ** 20 },
      (error, stdout, stderr) => resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : 1, output: `${stdout}${stderr}` }),
    );
  });
}

describe("npm run gas:snapshot", function () {
  this.timeout(330_000);
  let dir: string;
  let committed: string;
  let changed: string;
  let updated: { code: number; output: string; file: string };
  let checked: { code: number; output: string };

  before(async function () {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "latent-gas-snapshot-"));
    committed = fs.readFileSync(COMMITTED, "utf8");
    const snapshot = JSON.parse(committed) as {
      deployment: Record<string, { gasUsed: number; runtimeBytes: number }>;
      scenarios: Record<string, Record<string, Record<string, { gasUsed: number }>>>;
    };
    snapshot.scenarios.undelegated!["1"]![CHANGED_OPERATION]!.gasUsed += 1;
    snapshot.deployment[CHANGED_DEPLOYMENT]!.gasUsed += 1;
    snapshot.deployment[CHANGED_DEPLOYMENT]!.runtimeBytes -= 1;
    changed = `${JSON.stringify(snapshot, null, 2)}\n`;
    const toUpdate = path.join(dir, "update.json");
    const toCheck = path.join(dir, "check.json");
    fs.writeFileSync(toUpdate, changed);
    fs.writeFileSync(toCheck, changed);

    const { env, args } = gasSnapshotCommand();
    // The suite running this has compiled already; two builds at once in one checkout would race on artifacts/.
    const run = ["test", "--no-compile", ...args.slice(1)];
    expect(args[0]).to.equal("test");
    const base: NodeJS.ProcessEnv = { ...process.env };
    delete base.UPDATE_GAS_SNAPSHOT;
    // Both at once: each is one EVM on one core, and together they stay within a minute.
    const [u, c] = await Promise.all([
      hardhat(run, { ...base, ...env, GAS_SNAPSHOT_FILE: toUpdate }),
      hardhat(run, { ...base, GAS_SNAPSHOT_FILE: toCheck }),
    ]);
    updated = { ...u, file: toUpdate };
    checked = c;
  });

  after(function () {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("sets UPDATE_GAS_SNAPSHOT=1 and runs test/contracts/gas.test.ts", function () {
    const { env, args } = gasSnapshotCommand();
    expect(env).to.deep.equal({ UPDATE_GAS_SNAPSHOT: "1" });
    expect(args).to.deep.equal(["test", "test/contracts/gas.test.ts"]);
  });

  it("rewrites a snapshot whose figure changed to the measured figures (the committed file, byte for byte) and passes", function () {
    expect(updated.code, updated.output.slice(-4000)).to.equal(0);
    expect(fs.readFileSync(updated.file, "utf8")).to.equal(committed);
  });

  it("without UPDATE_GAS_SNAPSHOT fails on the changed figures, names the file and the command that rewrites it, and leaves the file alone", function () {
    expect(checked.code, checked.output.slice(-4000)).to.not.equal(0);
    expect(checked.output).to.contain("2 failing");
    expect(checked.output).to.contain("matches the committed snapshot exactly");
    expect(checked.output).to.contain(`gas differs from ${path.join(dir, "check.json")}`);
    expect(checked.output).to.contain("matches the committed deployment gas and runtime sizes exactly");
    expect(checked.output).to.contain(`deployment gas or runtime size differs from ${path.join(dir, "check.json")}`);
    expect(checked.output).to.contain("`npm run gas:snapshot` rewrites it");
    expect(fs.readFileSync(path.join(dir, "check.json"), "utf8")).to.equal(changed);
  });
});
