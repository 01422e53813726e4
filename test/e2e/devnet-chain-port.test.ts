// `npm start --chain-port N` beside the default: its deployment record must not replace deployments/localhost.json,
// which `--network localhost` pairs with the chain on 8545, and the task command its banner prints must reach it.
import { execFile } from "node:child_process";
import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import type { DeploymentRecord } from "../../scripts/deploy";
import { readDevnetInfo } from "../../scripts/devnet/files";
import type { DevnetInfo } from "../../scripts/devnet/files";
import { groupGone, killGroup, spawnGroup, waitFor } from "./processes";

const ROOT = path.join(__dirname, "..", "..");

describe("npm start on another chain port", function () {
  this.timeout(240_000);

  let scratch: string;
  const groups: number[] = [];

  before(function () {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), "latent-e2e-port-"));
  });

  after(function () {
    for (const pgid of groups) killGroup(pgid);
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  it("writes its deployment record into its data directory and prints a task command that reaches its chain", async function () {
    const dataDir = path.join(scratch, "data");
    const deployments = path.join(scratch, "deployments");
    const env: NodeJS.ProcessEnv = { ...process.env, LATENT_DEPLOYMENTS_DIR: deployments, HARDHAT_DISABLE_TELEMETRY_PROMPT: "true" };
    delete env.HARDHAT_NETWORK;
    delete env.LOCAL_RPC_URL;
    const devnet = spawnGroup("npm", ["start", "--", "--port", "0", "--chain-port", "0", "--no-seed", "--data-dir", dataDir], { cwd: ROOT, env });
    groups.push(devnet.pgid);
    const log = () => devnet.output().slice(-4000);
    const info = await waitFor<DevnetInfo>(
      "npm start to write devnet.json",
      async () => {
        if (devnet.child.exitCode !== null) throw new Error(`npm start exited with ${devnet.child.exitCode}:\n${log()}`);
        const file = path.join(dataDir, "devnet.json");
        return fs.existsSync(file) && devnet.output().includes("Ctrl-C stops") ? readDevnetInfo(file) : undefined;
      },
      180_000,
      log,
    );

    expect(info.deploymentFile).to.equal(path.join(dataDir, "deployments", "localhost.json"));
    const record = JSON.parse(fs.readFileSync(info.deploymentFile, "utf8")) as DeploymentRecord;
    expect(record.chainId).to.equal(info.chain.chainId);
    expect(fs.existsSync(path.join(deployments, "localhost.json")), "the record of the chain on 8545").to.equal(false);

    // The command as printed, with only `<task>` filled in: its environment and options reach this devnet's chain,
    // where a task checks that the record's contracts have code.
    const printed = /Accounts \((.*)npx hardhat <task> (.*) --from <#>\):/.exec(devnet.output());
    expect(printed, log()).to.not.equal(null);
    const [, prefix, options] = printed as RegExpExecArray;
    const taskEnv: NodeJS.ProcessEnv = { ...env };
    for (const assignment of prefix.trim().split(" ").filter((a) => a !== "")) {
      const [name, value] = assignment.split("=");
      taskEnv[name] = value;
    }
    expect(taskEnv.LOCAL_RPC_URL).to.equal(info.chain.rpcUrl);
    const { stdout } = await promisify(execFile)("npx", ["hardhat", "guardian", "status", ...options.split(" "), "--json"], { cwd: ROOT, env: taskEnv });
    expect(JSON.parse(stdout)).to.have.property("paused", false);

    process.kill(-devnet.pgid, "SIGINT");
    expect(await devnet.exited, log()).to.deep.equal({ code: 0, signal: null });
    expect(await groupGone(devnet.pgid, 5_000), "a process of npm start's group is still running").to.equal(true);
  });
});
