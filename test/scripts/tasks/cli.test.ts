/**
 * The tasks as a user runs them: a `hardhat node` child process holds the chain (separate `npx hardhat` processes
 * share no in-process network), the set is deployed to it over JSON-RPC, and each task runs as its own
 * `hardhat --network localhost ...` process, checked by exit code and output.
 */
import { execFile } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import * as path from "node:path";
import { expect } from "chai";
import { JsonRpcProvider, parseEther } from "ethers";
import type { JsonRpcSigner } from "ethers";
import { writeDeploymentRecord } from "../../../scripts/deploy";
import { deployScenario, fund } from "../../../scripts/scenario";
import { closedPort } from "../../helpers/closed-port";
import { startHardhatNode } from "../../helpers/hardhat-node";
import { DEPLOYMENT_DIR } from "./helpers";

const ROOT = path.join(__dirname, "..", "..", "..");
const HARDHAT = path.join(ROOT, "node_modules", ".bin", "hardhat");

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

describe("tasks: command line", function () {
  this.timeout(90_000);
  let node: ChildProcess;
  let provider: JsonRpcProvider;
  let url: string;
  let file: string;

  /** Runs `hardhat <args> --network localhost`, with the suite's record as --deployment unless `deployment` is false. */
  function cli(args: string[], env: NodeJS.ProcessEnv = {}, deployment = true): Promise<CliRun> {
    return new Promise((resolve) => {
      execFile(
        HARDHAT,
        [...args, "--network", "localhost", ...(deployment ? ["--deployment", file] : [])],
        // NO_COLOR: under CI=true Hardhat colours its messages, which the assertions read as text.
        { cwd: ROOT, env: { ...process.env, LOCAL_RPC_URL: url, HARDHAT_DISABLE_TELEMETRY_PROMPT: "true", NO_COLOR: "1", ...env } },
        (error, stdout, stderr) => {
          const code = error === null ? 0 : typeof error.code === "number" ? error.code : -1;
          resolve({ code, stdout, stderr });
        },
      );
    });
  }

  before(async function () {
    ({ node, url } = await startHardhatNode(60_000));
    // A static network: no detection loop (and its retry warnings) while the node is still starting.
    provider = new JsonRpcProvider(url, 31337, { staticNetwork: true });
    const signers: JsonRpcSigner[] = await Promise.all(Array.from({ length: 20 }, (_, i) => provider.getSigner(i)));
    const s = await deployScenario(signers);
    await fund(s, [signers[6]!, signers[15]!], parseEther("10000"));
    file = writeDeploymentRecord({ ...s.deployment.record, network: "cli" }, DEPLOYMENT_DIR);
  });

  after(function () {
    provider?.destroy();
    // Only the node this suite started, by its pid.
    if (node?.pid !== undefined && node.exitCode === null) process.kill(node.pid);
  });

  it("provider register exits 0 and prints the new listing", async function () {
    const run = await cli([
      "provider",
      "register",
      "--from",
      "6",
      "--model",
      "rtx-4090-24gb",
      "--count",
      "2",
      "--region",
      "us-east",
      "--price",
      "0.4",
      "--metadata-uri",
      "https://rtx.example/worker.json",
    ]);
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stdout).to.match(/Registered provider 0x[0-9a-fA-F]{40}: 2 x rtx-4090-24gb \(NVIDIA GeForce RTX 4090, 24 GiB\) in us-east, consumer/);
  });

  it("stake status --json prints the breakdown as JSON", async function () {
    const run = await cli(["stake", "status", "--provider", "6", "--json"]);
    expect(run.code, run.stderr).to.equal(0);
    const json = JSON.parse(run.stdout) as { balance: string; stake: { staked: string } };
    expect(json.balance).to.equal(parseEther("10000").toString());
    expect(json.stake.staked).to.equal("0");
  });

  it("bad input exits 1 naming the option, before anything is signed", async function () {
    const nonce = await provider.getTransactionCount(await (await provider.getSigner(6)).getAddress());
    const run = await cli(["stake", "add", "--from", "6", "--amount", "1.2.3"]);
    expect(run.code).to.equal(1);
    expect(run.stderr).to.contain('--amount: "1.2.3" is not a LAT amount');
    expect(await provider.getTransactionCount(await (await provider.getSigner(6)).getAddress())).to.equal(nonce);
  });

  // Hardhat shows every error's stack where it believes it runs on CI, which includes any Linux without a display,
  // under its own line with the message.
  it("bad input on CI prints the message once, without a stack trace, and exits 1", async function () {
    const run = await cli(["stake", "add", "--from", "6", "--amount", "1.2.3"], { CI: "true" });
    expect(run.code).to.equal(1);
    expect(run.stderr).to.contain('--amount: "1.2.3" is not a LAT amount');
    expect(run.stderr.split('--amount: "1.2.3" is not a LAT amount').length - 1, run.stderr).to.equal(1);
    expect(run.stderr, run.stderr).to.not.match(/^ {4}at /m);
  });

  it("without a node at the network's URL, names the URL in one line, once, and exits 1", async function () {
    const closed = `http://127.0.0.1:${await closedPort()}`;
    const run = await cli(["guardian", "status"], { CI: "true", LOCAL_RPC_URL: closed });
    expect(run.code).to.equal(1);
    expect(run.stderr).to.contain(`no node answers at ${closed} of network "localhost"`);
    expect(run.stderr.split("no node answers at").length - 1, run.stderr).to.equal(1);
    expect(run.stderr, run.stderr).to.not.match(/^ {4}at /m);
  });

  // The user's own mistake is not a plugin's failure, and its stack says nothing the message does not.
  it("a refusal prints its message alone on stderr, with no plugin prefix or stack-trace hint, and exits 1", async function () {
    const run = await cli(["stake", "add", "--from", "6", "--amount", "1.2.3"]);
    expect(run.code).to.equal(1);
    expect(run.stderr).to.equal('--amount: "1.2.3" is not a LAT amount: use a decimal number such as 1500 or 0.25\n');
    expect(run.stdout).to.equal("");
  });

  it("a revert prints the decoded custom error alone on stderr and exits 1", async function () {
    const run = await cli(["job", "cancel", "--from", "15", "--job", "99"]);
    expect(run.code).to.equal(1);
    expect(run.stderr).to.match(/^JobEscrow\.cancelJob reverted: JobEscrowUnknownJob\(jobId=99\): no job has id 99: the last job id is \d+\n$/);
  });

  it("a refusal of a task that another task runs rejects to that caller, which decides the exit", async function () {
    const run = await cli(["--config", path.join("test", "fixtures", "nested-task.config.ts"), "nested-stake-add", "--deployment", file], {}, false);
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stdout).to.contain('rejected: --amount: "1.2.3" is not a LAT amount');
    expect(run.stdout).to.contain("exitCode: 0");
    expect(run.stderr).to.equal("");
  });

  // A task of the user's own that runs a Latent task's body itself (runReadTask), not by hre.run, is that body's caller.
  it("a refusal of a task body that another task's code calls directly rejects to that code", async function () {
    const run = await cli(["--config", path.join("test", "fixtures", "nested-task.config.ts"), "direct-read-task", "--deployment", file], {}, false);
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stdout).to.contain("rejected: refused on purpose");
    expect(run.stdout).to.contain("exitCode: 0");
    expect(run.stderr).to.equal("");
  });

  it("--show-stack-traces shows where an expected error was thrown", async function () {
    const run = await cli(["stake", "add", "--from", "6", "--amount", "1.2.3", "--show-stack-traces"], { CI: "true" });
    expect(run.code).to.equal(1);
    expect(run.stderr, run.stderr).to.match(/^InputError: --amount: "1\.2\.3" is not a LAT amount.*\n {4}at parseLat /m);
  });

  // An error Hardhat raises before any task runs, the user's mistake on the command line, prints as Hardhat prints it
  // off CI, its line and a link (lib/errors.ts untraceCommandLineErrors): these pin it, so that a Hardhat upgrade
  // that prints otherwise fails here rather than leaving the README wrong.
  function unknownNetwork(env: NodeJS.ProcessEnv): Promise<CliRun> {
    return new Promise((resolve) => {
      execFile(HARDHAT, ["guardian", "status", "--network", "nope"], { cwd: ROOT, env: { ...env, HARDHAT_DISABLE_TELEMETRY_PROMPT: "true", NO_COLOR: "1" } }, (error, stdout, stderr) => {
        resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : -1, stdout, stderr });
      });
    });
  }

  it("an unknown --network on CI is Hardhat's HH100 line and a link, without a stack trace, exit 1", async function () {
    const run = await unknownNetwork({ ...process.env, CI: "true" });
    expect(run.code).to.equal(1);
    expect(run.stderr, run.stderr).to.match(/^Error HH100: Network nope doesn't exist\n+For more info go to https:\/\/\S+\/HH100 or run hardhat with --show-stack-traces\n$/);
  });

  it("a misspelt option on CI is Hardhat's HH305 line and a link, without a stack trace, exit 1", async function () {
    const run = await cli(["token", "transfer", "--from", "3", "--to", "4", "--amout", "1"], { CI: "true" });
    expect(run.code).to.equal(1);
    expect(run.stderr, run.stderr).to.match(/^Error HH305: Unrecognized param --amout\n+For more info go to https:\/\/\S+\/HH305 or run hardhat with --show-stack-traces\n$/);
  });

  it("a required option left out on CI is Hardhat's HH306 line naming it and a link, without a stack trace, exit 1", async function () {
    const run = await cli(["token", "transfer", "--from", "3", "--to", "4"], { CI: "true" });
    expect(run.code).to.equal(1);
    expect(run.stderr, run.stderr).to.match(/^Error HH306: The '--amount' parameter of task 'transfer' expects a value, but none was passed\.\n+For more info go to https:\/\/\S+\/HH306 /);
    expect(run.stderr, run.stderr).to.not.match(/^ {4}at /m);
  });

  it("an unknown task on CI is Hardhat's HH315 line naming it and a link, without a stack trace, exit 1", async function () {
    const run = await cli(["guardian", "unpause"], { CI: "true" });
    expect(run.code).to.equal(1);
    expect(run.stderr, run.stderr).to.match(/^Error HH315: Unrecognized task 'unpause' under scope 'guardian'\n+For more info go to https:\/\/\S+\/HH315 /);
    expect(run.stderr, run.stderr).to.not.match(/^ {4}at /m);
  });

  it("--show-stack-traces shows where Hardhat raised a command-line error", async function () {
    const run = await cli(["token", "transfer", "--from", "3", "--to", "4", "--amout", "1", "--show-stack-traces"], { CI: "true" });
    expect(run.code).to.equal(1);
    expect(run.stderr, run.stderr).to.match(/^HardhatError: HH305: Unrecognized param --amout\n {4}at .*ArgumentsParser/m);
  });

  it("an unknown --network off CI (no CI variable, a display) is Hardhat's HH100 line and a link, exit 1", async function () {
    // An environment of its own: whatever CI variables this run has would make Hardhat believe it runs on CI.
    const run = await unknownNetwork({ PATH: process.env.PATH, HOME: process.env.HOME, DISPLAY: ":0" });
    expect(run.code).to.equal(1);
    expect(run.stderr, run.stderr).to.match(/^Error HH100: Network nope doesn't exist\n+For more info go to https:\/\/\S+\/HH100 /);
    expect(run.stderr, run.stderr).to.not.match(/^ {4}at /m);
  });

  // The node is not on localhost's default port, so the tasks reach it through LOCAL_RPC_URL (as after npm start
  // --chain-port): a suggested command printed without it would go to http://127.0.0.1:8545, another chain or none.
  it("a suggested next command carries the LOCAL_RPC_URL that reached the node", async function () {
    const run = await cli([
      "job", "create", "--from", "15", "--max-price", "1", "--max-duration", "1h",
      "--spec-uri", "ipfs://spec", "--spec-hash", `0x${"ab".repeat(32)}`,
    ]);
    expect(run.code, run.stderr).to.equal(0);
    const id = /Created job (\d+)/.exec(run.stdout)?.[1];
    const next = `LOCAL_RPC_URL=${url} npx hardhat job status --job ${id} --network localhost --deployment ${file}`;
    expect(run.stdout).to.contain(`Follow it with: ${next}`);
  });

  it("devnet advance moves the node's clock, with no deployment record, and prints the new block", async function () {
    const before = await provider.getBlock("latest");
    const run = await cli(["devnet", "advance", "--by", "2h"], {}, false);
    expect(run.code, run.stderr).to.equal(0);
    const after = await provider.getBlock("latest");
    expect(after!.timestamp).to.equal(before!.timestamp + 7200);
    expect(run.stdout).to.contain(`Chain 31337 advanced by 2h: block ${after!.number} at `);
  });

  // The options a suggested command carries (--network, --deployment), pasted into devnet advance, work there too.
  it("devnet advance takes --deployment as the other tasks do, and names the deployment whose chain it moved", async function () {
    const before = await provider.getBlock("latest");
    const run = await cli(["devnet", "advance", "--by", "1h"]);
    expect(run.code, run.stderr).to.equal(0);
    expect((await provider.getBlock("latest"))!.timestamp).to.equal(before!.timestamp + 3600);
    expect(run.stdout).to.contain(`\n  the chain of deployment ${file}`);
  });

  // npm start prints the prefix `… --deployment <file> --from <#>`: pasted whole into devnet advance, it works there too.
  it("devnet advance takes --from as the other tasks do, and moves the node's clock", async function () {
    const before = await provider.getBlock("latest");
    const run = await cli(["devnet", "advance", "--from", "6", "--by", "1h"]);
    expect(run.code, run.stderr).to.equal(0);
    expect((await provider.getBlock("latest"))!.timestamp).to.equal(before!.timestamp + 3600);
  });

  // What npm start prints for every task: a read-only one with no account option takes it too, rather than HH305.
  it("a read-only task with no account option takes the printed prefix's --from", async function () {
    const run = await cli(["guardian", "status", "--from", "6"]);
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stdout).to.match(/guardian/i);
  });
});
