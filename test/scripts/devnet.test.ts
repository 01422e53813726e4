// The devnet's small parts, without starting anything: options, port checks, the subgraph's staleness rule, the
// ordered shutdown, deployment lookup, the worker config it writes. test/e2e/devnet.test.ts runs the whole.
import { expect } from "chai";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { execFile } from "node:child_process";
import hre from "hardhat";
import { subgraphBuildReason } from "../../scripts/devnet/build";
import { startLocalChain } from "../../scripts/devnet/chain";
import { serveGateway } from "../../scripts/devnet/serve";
import { TRANSIENT_RETRIES } from "../../subgraph/indexer/chain/rpc";
import { CONTRACT_NAMES } from "../../scripts/deploy";
import type { DeploymentRecord } from "../../scripts/deploy";
import {
  DEFAULT_DEPLOYMENTS_DIR,
  assertDeployed,
  findPlacedDeployment,
  formerUrlNetworkName,
  localDeploymentsDir,
  readDeploymentFile,
  rpcRecordPlace,
} from "../../scripts/devnet/deployment";
import { prepareIndex, resolveDeployment } from "../../scripts/devnet/devnet";
import type { Chain } from "../../scripts/devnet/devnet";
import type { RoleAccount } from "../../scripts/devnet/accounts";
import { ChainError, DeploymentError, DevnetError, PortInUseError, UsageError } from "../../scripts/devnet/errors";
import { writeMatmulSpec, writeWorkerConfig } from "../../scripts/devnet/files";
import { FETCH_BAD_PORTS } from "../../scripts/worker/fetch-ports";
import { DataDirInUseError, claimBuildLock, claimDataDir } from "../../scripts/devnet/instance";
import { Lifecycle, REPEAT_WINDOW_MS, StoppingError } from "../../scripts/devnet/lifecycle";
import { parseDevnetOptions, startHeadline } from "../../scripts/devnet/options";
import type { DevnetOptions } from "../../scripts/devnet/options";
import { assertPortFree } from "../../scripts/devnet/ports";
import { Progress } from "../../scripts/devnet/progress";
import type { DevnetInfo } from "../../scripts/devnet/files";
import { printBanner } from "../../scripts/devnet/report";
import { loadConfig } from "../../scripts/worker/config";
import { hashSpecBytes, parseJobSpec } from "../../scripts/worker/spec";
import { API_KEY, startKeyedRpc } from "../helpers/keyed-rpc";
import { waitUntil } from "../helpers/wait";

const ROOT = path.resolve(__dirname, "..", "..");


/** A record of the eight contracts at made-up addresses (1, 2, ...), deployed at `blockNumber`. */
function placeholderDeployment(network: string, chainId: number, blockNumber: number): DeploymentRecord {
  const contracts = Object.fromEntries(
    CONTRACT_NAMES.map((name, i) => [name, { address: `0x${(i + 1).toString(16).padStart(40, "0")}`, blockNumber }]),
  ) as DeploymentRecord["contracts"];
  return { network, chainId, deployer: `0x${"0".repeat(39)}9`, contracts };
}

/** What this process writes to stderr from now until `restore()`, kept instead of shown. */
function captureStderr(): { shown: string[]; restore: () => void } {
  const shown: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string | Uint8Array) => {
    shown.push(String(chunk));
    return true;
  }) as typeof process.stderr.write;
  return { shown, restore: () => void (process.stderr.write = write) };
}

/**
 * A TCP relay on loopback to the chain at `target` (http://127.0.0.1:<port>), counting the connections it could not
 * pass on because the chain refused them (stopped): a client whose connection is refused sees it closed at once.
 */
async function relayTo(target: string): Promise<{ url: string; refused: () => number; close: () => Promise<void> }> {
  const port = Number(new URL(target).port);
  let refused = 0;
  const clients = new Set<net.Socket>();
  const server = net.createServer((client) => {
    clients.add(client);
    const upstream = net.connect(port, "127.0.0.1");
    upstream.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "ECONNREFUSED") refused += 1;
      client.destroy();
    });
    upstream.on("close", () => client.destroy());
    client.on("error", () => upstream.destroy());
    client.on("close", () => {
      clients.delete(client);
      upstream.destroy();
    });
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    refused: () => refused,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of clients) client.destroy();
        server.close(() => resolve());
      }),
  };
}

describe("scripts/devnet", function () {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "latent-devnet-"));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  /**
   * What printBanner prints for an unseeded devnet on the local chain at 8545 with only the client's account, as
   * `info` and the shell's `env` change it.
   */
  function bannerText(info: Partial<DevnetInfo>, env: Record<string, string> = {}, keyAccounts: RoleAccount[] = []): string {
    let out = "";
    const rpcUrl = info.chain?.rpcUrl ?? "http://127.0.0.1:8545";
    printBanner(new Progress({ tty: false, write: (t) => (out += t) }), {
      info: {
        startedAt: "2030-01-01T00:00:00Z",
        pid: 1,
        chain: { rpcUrl, wsUrl: rpcUrl.replace("http", "ws"), chainId: 31337, local: true },
        gateway: { graphql: "http://127.0.0.1:4001/graphql", ws: "ws://127.0.0.1:4001/graphql", dashboard: "http://127.0.0.1:4001/", readyz: "http://127.0.0.1:4001/readyz" },
        deploymentFile: path.join(DEFAULT_DEPLOYMENTS_DIR, "localhost.json"),
        seeded: false,
        accounts: [{ index: 15, address: "0xcd3B766CCDd6AE721141F452C550Ca635964ce71", role: "client (posts jobs)" }],
        worker: null,
        specFile: null,
        indexDb: path.join(dir, "index.sqlite"),
        gatewayLog: path.join(dir, "gateway.log"),
        ...info,
      },
      network: null,
      operators: new Map(),
      keyAccounts,
      workerProviderText: null,
      infoFile: path.join(dir, "devnet.json"),
      env,
    });
    return out;
  }

  describe("options", function () {
    const parse = (...argv: string[]) => parseDevnetOptions(argv, "/work");

    it("defaults to a fresh, seeded local chain on 8545 with the gateway on 4000 and .data", function () {
      expect(parse()).to.deep.equal({ port: 4000, chainPort: 8545, rpcUrl: undefined, seed: true, deploy: true, deploymentFile: undefined, dataDir: "/work/.data", host: "127.0.0.1" });
      expect(parse("--no-seed", "--port=0", "--chain-port", "9545", "--data-dir", "tmp")).to.include({ seed: false, port: 0, chainPort: 9545, dataDir: "/work/tmp" });
    });

    it("with --rpc-url: no seed and no deployment unless asked", function () {
      expect(parse("--rpc-url", "http://10.0.0.1:8545")).to.include({ rpcUrl: "http://10.0.0.1:8545", seed: false, deploy: false });
      expect(parse("--rpc-url", "http://x:2", "--seed", "--deploy")).to.include({ seed: true, deploy: true });
      expect(parse("--rpc-url", "http://x:2", "--deployment", "d.json")).to.include({ deploymentFile: "/work/d.json" });
    });

    it("refuses what it does not understand or what contradicts itself, naming the option", function () {
      const cases: [string[], RegExp][] = [
        [["--prot", "1"], /unknown option --prot/],
        [["--port"], /--port needs a value/],
        [["--port", "65536"], /--port must be a port number/],
        [["--chain-port", "-1"], /--chain-port needs a value|--chain-port must be/],
        [["--seed"], /^--seed only applies with --rpc-url \(the local chain is always fresh and deployed, and seeded unless --no-seed\)$/],
        [["--deploy"], /^--deploy only applies with --rpc-url \(the local chain is always fresh and deployed, and seeded unless --no-seed\)$/],
        [["--rpc-url", "ftp://x"], /^--rpc-url must start with http:\/\/ or https:\/\/, not ftp:\/\/$/],
        [["--rpc-url", "alice:sEcReT@x:8545"], /^--rpc-url has no http:\/\/ or https:\/\/ scheme$/],
        [["--rpc-url", "https:/host/v2/secret"], /^--rpc-url must have two slashes after its scheme \(https:\/\/host\/…\), not "\/"$/],
        [["--rpc-url", "https:host"], /two slashes after its scheme \(https:\/\/host\/…\), not none$/],
        [["--rpc-url", "https:///host"], /two slashes after its scheme \(https:\/\/host\/…\), not "\/\/\/"$/],
        [["--rpc-url", "http://x:2", "--chain-port", "1"], /--chain-port applies to the local chain/],
        [["--rpc-url", "http://x:2", "--no-seed"], /--no-seed is the default/],
        [["--rpc-url", "http://x:2", "--seed", "--deployment", "d.json"], /--seed needs a deployment made by this run/],
        [["--no-seed=1"], /--no-seed takes no value/],
        [["--port", "8545"], /--port and --chain-port are both 8545/],
      ];
      for (const [argv, message] of cases) expect(() => parse(...argv), argv.join(" ")).to.throw(UsageError, message);
      expect(parse("--help")).to.equal("help");
    });

    it("refuses a port Node's fetch never connects to, naming it, as the worker would refuse the config written for it", function () {
      expect(() => parse("--chain-port", "6000")).to.throw(UsageError).with.property(
        "message",
        `--chain-port 6000 is a port Node's fetch never connects to (a "bad port" of the Fetch standard, which browsers refuse too): the worker could never reach the local chain there; pick another port`,
      );
      expect(() => parse("--port", "10080")).to.throw(UsageError, /^--port 10080 is a port Node's fetch never connects to .*: the worker could never reach the gateway there; pick another port$/);
      for (const bad of FETCH_BAD_PORTS) expect(() => parse("--port", String(bad)), String(bad)).to.throw(UsageError, /never connects to/);
      const refused = (): unknown => parse("--rpc-url", "http://user:pAsS@127.0.0.1:6000/v2/sEcReTkEy");
      expect(refused).to.throw(UsageError).with.property(
        "message",
        `--rpc-url names port 6000 (http://127.0.0.1:6000), a port Node's fetch never connects to (a "bad port" of the Fetch standard, which browsers refuse too): the worker could never reach the chain there`,
      );
      expect(parse("--port", "6001", "--chain-port", "5999")).to.include({ port: 6001, chainPort: 5999 });
    });

    it("refuses an --rpc-url that URL would trim or strip (spaces around it, a tab or line break in it), without showing it", function () {
      for (const [text, message] of [
        [" https://eth.example.org/v2/sEcReTkEy", "--rpc-url has leading or trailing whitespace"],
        ["https://eth.example.org/v2/sEcReTkEy\n", "--rpc-url has leading or trailing whitespace"],
        ["https://eth.example.org/v2/sEc\tReTkEy", "--rpc-url has a tab or line break in it"],
      ]) {
        expect(() => parse("--rpc-url", text), JSON.stringify(text)).to.throw(UsageError).with.property("message", message);
      }
    });

    it("refuses options npm kept for itself (npm start --port 4001, without --) instead of starting on the defaults", function () {
      // What npm 7+ hands the script for `npm start --port=4001`, `npm start --no-seed --data-dir x` and `npm start --deploy`.
      expect(() => parseDevnetOptions([], "/work", { npm_config_port: "4001" })).to.throw(UsageError, /^npm kept --port for itself .*: write npm start -- --port 4001$/);
      expect(() => parseDevnetOptions(["x"], "/work", { npm_config_seed: "", npm_config_data_dir: "true" })).to.throw(
        UsageError,
        /^npm kept --data-dir, --seed for itself .*: write npm start -- --data-dir <value> --no-seed$/,
      );
      expect(() => parseDevnetOptions([], "/work", { npm_config_deploy: "true" })).to.throw(UsageError, /^npm kept --deploy for itself .*: write npm start -- --deploy$/);
      // npm's own settings are not ours to judge.
      expect(parseDevnetOptions(["--port", "4001"], "/work", { npm_config_nodedir: "/usr", npm_config_cache: "/tmp" })).to.include({ port: 4001 });
    });

    it("refuses an option followed by another option instead of its value, naming the first", function () {
      expect(() => parse("--data-dir", "--no-seed")).to.throw(UsageError, /^--data-dir needs a value$/);
      expect(() => parse("--rpc-url", "http://x:2", "--deployment", "--deploy")).to.throw(UsageError, /^--deployment needs a value$/);
    });
  });

  it("reports a taken port with the option that changes it", async function () {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as net.AddressInfo).port;
    try {
      const error = await assertPortFree("127.0.0.1", port, "the local chain", "--chain-port").catch((e: unknown) => e);
      expect(error).to.be.instanceOf(PortInUseError);
      expect((error as Error).message).to.equal(
        `port ${port} on 127.0.0.1 (the local chain) is already in use: stop whatever listens there (another devnet?) or pick another port with --chain-port <n>`,
      );
    } finally {
      server.close();
    }
    await assertPortFree("127.0.0.1", port, "the local chain", "--chain-port");
    await assertPortFree("127.0.0.1", 0, "the local chain", "--chain-port");
  });

  it("reports a chain port taken after the check as taken, not with a crash", async function () {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as net.AddressInfo).port;
    try {
      const error = await startLocalChain(hre, "127.0.0.1", port).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(PortInUseError);
      expect((error as Error).message).to.match(new RegExp(`^port ${port} on 127\\.0\\.0\\.1 \\(the local chain\\) is already in use: .* --chain-port <n>$`));
    } finally {
      server.close();
    }
    const chain = await startLocalChain(hre, "127.0.0.1", 0);
    await chain.stop();
  });

  it("shows an indexing error that repeats every poll once, not twice a second, while the chain is gone", async function () {
    // A chain, then a gateway whose indexer and query threads each compile their TypeScript under ts-node: CPU-bound
    // work that serveGateway took 13-33 s for on a 2-core machine at load 16-22, and over 52 s once (60 s failed).
    this.timeout(180_000);
    const chain = await startLocalChain(hre, "127.0.0.1", 0);
    const relay = await relayTo(chain.url);
    const deployment = placeholderDeployment("gone", chain.chainId, 0);
    const logFile = path.join(dir, "gateway.log");
    // Each logged failure from its message on (the log file's lines begin with the time).
    const loggedFailures = (): string[] =>
      fs
        .readFileSync(logFile, "utf8")
        .split("\n")
        .filter((l) => l.includes("indexing pass failed"))
        .map((l) => l.slice(l.indexOf("indexing pass failed")));
    const { shown, restore } = captureStderr();
    let gateway: Awaited<ReturnType<typeof serveGateway>> | undefined;
    try {
      gateway = await serveGateway({ host: "127.0.0.1", port: 0, rpcUrl: relay.url, deployment, dbPath: path.join(dir, "index.sqlite"), logFile });
      await chain.stop();
      // A failed pass is its first request refused (TRANSIENT_RETRIES + 1 times, the transport's retries): enough refused
      // for five passes means at least three whole passes failed after the one under way at the stop, each a repeat
      // that must not be logged or shown again (one pass's worth more, for a chain read of the gateway's own).
      await waitUntil(
        () => relay.refused() >= 5 * (TRANSIENT_RETRIES + 1) && loggedFailures().length > 0,
        "five passes' requests were refused by the stopped chain and a failure was logged",
      );
    } finally {
      restore();
      await gateway?.stop();
      await relay.close();
    }
    const logged = loggedFailures();
    const failures = shown.filter((l) => l.includes("indexing pass failed"));
    // The indexer itself logs a failure that repeats at every poll once a minute (the gateway's retry events count
    // them all), and the console shows what the log file holds.
    // A pass under way when the chain stopped may fail on another call (eth_getBlockByNumber) than the retries that
    // follow (eth_blockNumber), and the relay's closed connection reaches fetch as "other side closed" at one pass
    // and "read ECONNRESET" at another (on a loaded machine): each distinct message once, however they alternate.
    expect(logged, "failures in the log file").to.not.be.empty;
    expect(new Set(logged).size, logged.join("\n")).to.equal(logged.length);
    expect(failures.length, failures.join("")).to.equal(logged.length);
  });

  it("keeps the API key in --rpc-url's path out of the gateway log file and the errors it shows, naming the node's host", async function () {
    // serveGateway's threads, as above.
    this.timeout(180_000);
    const node = await startKeyedRpc();
    const deployment = placeholderDeployment("keyed", 31337, 1);
    const logFile = path.join(dir, "gateway.log");
    const { shown, restore } = captureStderr();
    let gateway: Awaited<ReturnType<typeof serveGateway>> | undefined;
    try {
      gateway = await serveGateway({ host: "127.0.0.1", port: 0, rpcUrl: node.url, deployment, dbPath: path.join(dir, "index.sqlite"), logFile });
      // /readyz reads the chain's head through the chain reader, whose ethers errors carry the request's URL.
      await fetch(new URL("/readyz", gateway.url));
      await waitUntil(
        () => shown.some((line) => line.includes("indexing pass failed")) && fs.readFileSync(logFile, "utf8").includes("chain read failed"),
        "the indexer's failure was shown and the chain reader's logged",
      );
    } finally {
      restore();
      await gateway?.stop();
      await node.close();
    }
    const logged = fs.readFileSync(logFile, "utf8");
    expect(`${logged}${shown.join("")}`).not.to.include(API_KEY);
    expect(logged).to.include(`upstream ${node.origin}/… unavailable`);
    expect(shown.join("")).to.include(`upstream ${node.origin}/… unavailable`);
  });

  it("npm start --rpc-url keeps the API key in the URL's path out of what it prints and the files it names, naming the host", async function () {
    this.timeout(180_000);
    const node = await startKeyedRpc();
    const run = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        ["-r", "ts-node/register/transpile-only", path.join(ROOT, "scripts", "start.ts"), "--rpc-url", node.url, "--data-dir", path.join(dir, "data"), "--port", "0"],
        { cwd: ROOT, timeout: 170_000, env: { ...process.env, LATENT_DEPLOYMENTS_DIR: path.join(dir, "records") } },
        (error, stdout, stderr) => resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : null, stdout, stderr }),
      ).stdin?.end();
    }).finally(() => node.close());
    // The node has no unlocked account to deploy from: npm start stops there, having printed the chain and the record.
    expect(run.code, run.stderr).to.equal(1);
    expect(`${run.stdout}${run.stderr}`).not.to.include(API_KEY);
    expect(run.stdout).to.include(`Latent on ${node.origin}/…`);
    expect(run.stderr).to.include(`${node.origin}/… has 0`);
  });

  it("has git ignore the default data directory and a second devnet's beside it (.data2, .data-b), as the README says", async function () {
    for (const dataDir of [".data", ".data2", ".data-b"]) {
      const code = await new Promise<number | null>((resolve) => {
        execFile("git", ["check-ignore", "--quiet", "--no-index", `${dataDir}/devnet.json`], { cwd: ROOT }, (error) =>
          resolve(error === null ? 0 : typeof error.code === "number" ? error.code : null),
        );
      });
      expect(code, `git check-ignore ${dataDir}/devnet.json`).to.equal(0);
    }
  });

  it("lets one devnet at a time use a data directory, taking over from one that is gone", function () {
    const release = claimDataDir(dir);
    expect(() => claimDataDir(dir, process.ppid)).to.throw(DataDirInUseError, new RegExp(`another devnet \\(pid ${process.pid}\\) is running`));
    release();
    fs.writeFileSync(path.join(dir, "devnet.pid"), "2147483646\n");
    const again = claimDataDir(dir);
    // The pid alone, so that `kill $(cat devnet.pid)` signals that process and no other.
    expect(fs.readFileSync(path.join(dir, "devnet.pid"), "utf8")).to.equal(`${process.pid}\n`);
    again();
    expect(fs.readdirSync(dir)).to.deep.equal([]);
  });

  it("takes over a data directory whose devnet was killed and whose pid another process has since", function () {
    if (!fs.existsSync(`/proc/${process.ppid}/stat`)) this.skip(); // Start times come from /proc (Linux).
    // A devnet that ran as pid <ppid> and was killed (before a reboot, a container restart): that pid now names
    // another live process, which started at another time than the devnet that wrote the claim.
    claimDataDir(dir, process.ppid, () => "100");
    const release = claimDataDir(dir);
    try {
      expect(fs.readFileSync(path.join(dir, "devnet.pid"), "utf8")).to.equal(`${process.pid}\n`);
    } finally {
      release();
    }
    // The same live process, as it recorded itself, still holds it.
    claimDataDir(dir, process.ppid);
    expect(() => claimDataDir(dir)).to.throw(DataDirInUseError, new RegExp(`another devnet \\(pid ${process.ppid}\\) is running`));
  });

  it("makes a second devnet wait for the first's build (contracts, subgraph) instead of building into the same directories at once", async function () {
    const file = path.join(dir, "build.pid");
    const first = await claimBuildLock(file, { pid: process.ppid });
    const waitedFor: number[] = [];
    let heldWhileWaiting = "";
    const second = await claimBuildLock(file, {
      onWait: (holder) => waitedFor.push(holder),
      // The first devnet's build ends while the second waits.
      wait: async () => {
        heldWhileWaiting = fs.readFileSync(file, "utf8");
        first();
      },
    });
    expect([waitedFor, heldWhileWaiting]).to.deep.equal([[process.ppid], `${process.ppid}\n`]);
    expect(fs.readFileSync(file, "utf8")).to.equal(`${process.pid}\n`);
    second();
    expect(fs.existsSync(file)).to.equal(false);
  });

  it("stops waiting for another devnet's build when this one is stopped (Ctrl-C)", async function () {
    const file = path.join(dir, "build.pid");
    await claimBuildLock(file, { pid: process.ppid });
    let stopping = false;
    const stopped = claimBuildLock(file, {
      wait: async () => {
        stopping = true;
      },
      throwIfStopping: () => {
        if (stopping) throw new StoppingError();
      },
    });
    const error = await stopped.catch((e: unknown) => e);
    expect(error).to.be.instanceOf(StoppingError);
    expect(fs.readFileSync(file, "utf8")).to.equal(`${process.ppid}\n`);
  });

  it("reports a data directory it cannot create in one line naming the file in the way and --data-dir", function () {
    const file = path.join(dir, "a-file");
    fs.writeFileSync(file, "");
    for (const target of [file, path.join(file, "data"), path.join(file, "data", "deeper")]) {
      expect(() => claimDataDir(target), target).to.throw(DevnetError, `cannot use ${target} as the data directory (${file} is a file, not a directory): give another --data-dir`);
    }
  });

  it("npm start stops at once, exit 1, naming a data directory the system will not create (/proc/x), instead of hanging", async function () {
    if (!fs.existsSync("/proc/self/stat")) this.skip(); // procfs (Linux): mkdir answers ENOENT under /proc.
    this.timeout(120_000);
    // Node's recursive mkdir loops forever, synchronously, on that ENOENT: the kill at the timeout is the failure.
    const run = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        ["-r", "ts-node/register/transpile-only", path.join(ROOT, "scripts", "start.ts"), "--data-dir", "/proc/x", "--port", "0", "--chain-port", "0"],
        { cwd: ROOT, timeout: 100_000, killSignal: "SIGKILL" },
        (error, stdout, stderr) => resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : null, stdout, stderr }),
      ).stdin?.end();
    });
    expect({ code: run.code, stderr: run.stderr }).to.deep.equal({
      code: 1,
      stderr: "npm start failed: cannot use /proc/x as the data directory (cannot be created there: ENOENT): give another --data-dir\n",
    });
  });

  it("npm start refuses a chain port Node's fetch never connects to at once, naming it, before building or starting anything", async function () {
    this.timeout(120_000);
    const run = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        ["-r", "ts-node/register/transpile-only", path.join(ROOT, "scripts", "start.ts"), "--chain-port", "6000", "--port", "0", "--data-dir", path.join(os.tmpdir(), "latent-bad-port")],
        { cwd: ROOT, timeout: 100_000, killSignal: "SIGKILL" },
        (error, _stdout, stderr) => resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : null, stderr }),
      ).stdin?.end();
    });
    expect(run.code).to.equal(2);
    expect(run.stderr.split("\n")[0]).to.equal(
      `npm start: --chain-port 6000 is a port Node's fetch never connects to (a "bad port" of the Fetch standard, which browsers refuse too): the worker could never reach the local chain there; pick another port`,
    );
  });

  it("reports a data directory the system does not permit in one line naming it and --data-dir", function () {
    if (!fs.existsSync("/sys/kernel")) this.skip(); // sysfs (Linux): mkdir answers EPERM there, even to root.
    expect(() => claimDataDir("/sys/latent-data")).to.throw(DevnetError, "cannot use /sys/latent-data as the data directory (not permitted: EPERM): give another --data-dir");
    expect(() => claimDataDir("/sys/latent-data/deeper")).to.throw(
      DevnetError,
      "cannot use /sys/latent-data/deeper as the data directory (not permitted at /sys/latent-data: EPERM): give another --data-dir",
    );
  });

  it("removes what a previous devnet left about itself once the data directory is claimed", function () {
    // A killed devnet's devnet.json and record (another chain port), and the worker config and spec of a seeded run
    // before a --no-seed one.
    fs.mkdirSync(path.join(dir, "deployments"));
    for (const name of ["devnet.json", "worker.json", "matmul-spec.json", "gateway.log", "deployments/localhost.json"]) fs.writeFileSync(path.join(dir, name), "previous devnet");
    fs.writeFileSync(path.join(dir, "devnet.pid"), "2147483646\n");
    const release = claimDataDir(dir);
    try {
      expect(fs.readdirSync(dir).sort()).to.deep.equal(["deployments", "devnet.pid", "devnet.pid.start", "gateway.log"]);
      expect(fs.readdirSync(path.join(dir, "deployments"))).to.deep.equal([]);
    } finally {
      release();
    }
    // A devnet still running keeps its files.
    fs.writeFileSync(path.join(dir, "devnet.json"), "running devnet");
    fs.writeFileSync(path.join(dir, "devnet.pid"), `${process.pid}\n`);
    expect(() => claimDataDir(dir, process.ppid)).to.throw(DataDirInUseError);
    expect(fs.readFileSync(path.join(dir, "devnet.json"), "utf8")).to.equal("running devnet");
  });

  it("rebuilds the subgraph when its build is missing or older than a source", function () {
    const built = path.join(dir, "build", "subgraph.yaml");
    const source = path.join(dir, "src", "mapping.ts");
    fs.mkdirSync(path.dirname(source), { recursive: true });
    fs.writeFileSync(source, "");
    expect(subgraphBuildReason(built, [path.join(dir, "src")])).to.match(/is missing$/);
    fs.mkdirSync(path.dirname(built), { recursive: true });
    fs.writeFileSync(built, "");
    fs.utimesSync(source, new Date(1000), new Date(1000));
    expect(subgraphBuildReason(built, [path.join(dir, "src"), path.join(dir, "absent")])).to.equal(null);
    fs.utimesSync(source, new Date(), new Date(Date.now() + 60_000));
    expect(subgraphBuildReason(built, [path.join(dir, "src")])).to.match(/changed since the last build$/);
  });

  it("removes the previous devnet's index on a fresh chain, and says so; keeps an existing chain's index", function () {
    const stale = path.join(dir, "index", "localhost", "indexer.sqlite");
    fs.mkdirSync(path.dirname(stale), { recursive: true });
    fs.writeFileSync(stale, "previous devnet");
    let kept = "";
    const onExisting = prepareIndex(dir, "localhost", false, new Progress({ tty: false, write: (t) => (kept += t) }));
    expect(onExisting).to.equal(stale);
    expect(fs.readFileSync(stale, "utf8")).to.equal("previous devnet");
    expect(kept).to.equal("");
    let said = "";
    const onFresh = prepareIndex(dir, "localhost", true, new Progress({ tty: false, write: (t) => (said += t) }));
    expect(onFresh).to.equal(stale);
    expect(fs.existsSync(stale)).to.equal(false);
    expect(fs.existsSync(path.dirname(stale))).to.equal(true);
    expect(said).to.match(/^index +removed the previous devnet's index \(.*index\/localhost\): the chain is new\n$/);
  });

  it("stops parts newest first, once, and exits with the code asked", async function () {
    const lines: string[] = [];
    const order: string[] = [];
    const exits: number[] = [];
    const lifecycle = new Lifecycle({ log: (l) => lines.push(l), exit: (c) => exits.push(c), stopTimeoutMs: 50 });
    lifecycle.add({ name: "chain", stop: async () => void order.push("chain") });
    lifecycle.add({ name: "gateway", stop: async () => void order.push("gateway") });
    lifecycle.add({ name: "stuck", stop: () => new Promise(() => undefined) });
    lifecycle.add({ name: "file", stop: async () => void order.push("file"), quiet: true });
    await Promise.all([lifecycle.shutdown(0), lifecycle.shutdown(1)]);
    expect(order).to.deep.equal(["file", "gateway", "chain"]);
    expect(exits).to.deep.equal([0]);
    expect(lines).to.deep.equal(["stopped   stuck (gave up waiting after 50 ms)", "stopped   gateway", "stopped   chain"]);
    expect(() => lifecycle.throwIfStopping()).to.throw("the devnet is stopping");
  });

  /**
   * A lifecycle handling signals, with one part (the gateway) whose stop waits until `release()`, on a fake clock that
   * reads 0 until `advance(ms)` moves it.
   */
  function listeningWithStuckGateway() {
    const lines: string[] = [];
    const exits: number[] = [];
    let stopped = (): void => undefined;
    let now = 0;
    const lifecycle = new Lifecycle({ log: (l) => lines.push(l), exit: (c) => exits.push(c), now: () => now });
    lifecycle.add({ name: "gateway", stop: () => new Promise<void>((resolve) => (stopped = resolve)) });
    return { lines, exits, lifecycle, advance: (ms: number) => void (now += ms), release: () => stopped(), stopListening: lifecycle.handleSignals() };
  }

  it("on a signal stops the parts; a repeat within a second is the same request, a later one exits at once", function () {
    const { lines, exits, lifecycle, advance, release, stopListening } = listeningWithStuckGateway();
    try {
      process.emit("SIGHUP", "SIGHUP");
      expect(lifecycle.isStopping).to.equal(true);
      advance(REPEAT_WINDOW_MS - 1);
      process.emit("SIGHUP", "SIGHUP"); // npm forwards the terminal's Ctrl-C: the same request
      expect(exits).to.deep.equal([]);
      advance(1);
      process.emit("SIGHUP", "SIGHUP");
      expect(exits).to.deep.equal([1]);
      expect(lines).to.deep.equal(["\nSIGHUP: stopping", "SIGHUP again: exiting without waiting"]);
    } finally {
      stopListening();
      release();
    }
  });

  it("while stopping after a failure, a first signal waits for the parts; only a later one exits at once", async function () {
    const { lines, exits, lifecycle, advance, release, stopListening } = listeningWithStuckGateway();
    try {
      const stopped = lifecycle.shutdown(1); // npm start failed: stopping what started
      advance(REPEAT_WINDOW_MS);
      process.emit("SIGINT", "SIGINT"); // the person's first Ctrl-C, more than a second after the failure
      expect(exits).to.deep.equal([]);
      release();
      await stopped;
      expect(exits).to.deep.equal([1]);
      expect(lines).to.deep.equal(["\nSIGINT: already stopping (again to exit without waiting)", "stopped   gateway"]);
    } finally {
      stopListening();
      release();
    }
  });

  it("shows progress in place on a terminal and throttled on a pipe", function () {
    let tty = "";
    const onTty = new Progress({ tty: true, write: (t) => (tty += t) });
    onTty.status("seed", "block 1");
    onTty.step("seed", "done");
    expect(tty).to.equal("\r\x1b[2Kseed      block 1\r\x1b[2Kseed      done\n");
    let piped = "";
    let now = 0;
    const onPipe = new Progress({ tty: false, write: (t) => (piped += t), now: () => now, throttleMs: 1000 });
    onPipe.status("index", "block 1");
    now = 500;
    onPipe.status("index", "block 2");
    now = 1500;
    onPipe.status("index", "block 3");
    expect(piped).to.equal("index     block 1\nindex     block 3\n");
  });

  it("on a pipe shows a new step's first status however soon after the last step's (why the subgraph is rebuilt)", function () {
    let piped = "";
    let now = 0;
    const onPipe = new Progress({ tty: false, write: (t) => (piped += t), now: () => now, throttleMs: 3000 });
    onPipe.status("build", "contracts: checking...");
    now = 300;
    onPipe.step("build", "contracts compiled or up to date (0.3 s)");
    onPipe.status("build", "subgraph: subgraph/build is missing, building...");
    expect(piped).to.equal("build     contracts: checking...\nbuild     contracts compiled or up to date (0.3 s)\nbuild     subgraph: subgraph/build is missing, building...\n");
  });

  describe("deployment records", function () {
    const record = (chainId: number, network: string) => ({
      network,
      chainId,
      deployer: "0x0000000000000000000000000000000000000001",
      contracts: Object.fromEntries(
        ["LatentTimelock", "LatentToken", "PauseGuardian", "ProviderRegistry", "Staking", "JobEscrow", "DisputeManager", "LatentGovernor"].map((n, i) => [
          n,
          { address: `0x${(i + 1).toString(16).padStart(40, "0")}`, blockNumber: i + 1 },
        ]),
      ),
    });
    const write = (name: string, value: unknown) => fs.writeFileSync(path.join(dir, name), JSON.stringify(value));

    it("finds the record of an --rpc-url chain with the tasks' lookup, null when there is none (the devnet then deploys)", async function () {
      const place = { dir, network: "chain-11155111", exact: false, why: null };
      expect(await findPlacedDeployment({ ...place, dir: path.join(dir, "none") }, 11155111, hre.ethers.provider)).to.equal(null);
      write("sepolia.json", record(11155111, "sepolia"));
      write("notes.json", { hello: "world" });
      expect((await findPlacedDeployment(place, 11155111, hre.ethers.provider))?.file).to.equal(path.join(dir, "sepolia.json"));
      write("sepolia-2.json", record(11155111, "sepolia-2"));
      const several = await findPlacedDeployment(place, 11155111, hre.ethers.provider).catch((e: unknown) => e);
      expect(several).to.be.instanceOf(DeploymentError);
      expect((several as Error).message).to.match(/several deployment records .* \(sepolia-2\.json, sepolia\.json\): choose one with --deployment/);
    });

    it("refuses the record of an --rpc-url chain written on another chain with its id (a restarted node), saying to add --deploy", async function () {
      write("localhost.json", { ...record(31337, "localhost"), genesisHash: `0x${"00".repeat(32)}` });
      const place = { dir, network: "localhost", exact: false, why: null };
      const error = await findPlacedDeployment(place, 31337, hre.ethers.provider).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(DeploymentError);
      expect((error as Error).message).to.match(/localhost\.json was written for another chain with id 31337 \(genesis 0x(00){32}, this node's is 0x[0-9a-f]{64}\): remove it or add --deploy$/);
    });

    it("checks a --deployment file against the chain", async function () {
      write("a.json", record(1, "mainnet"));
      expect((await readDeploymentFile(path.join(dir, "a.json"), 1)).record.network).to.equal("mainnet");
      const refused = async (file: string, chainId: number): Promise<string> => {
        const error = await readDeploymentFile(path.join(dir, file), chainId).catch((e: unknown) => e);
        expect(error).to.be.instanceOf(DeploymentError);
        return (error as Error).message;
      };
      expect(await refused("a.json", 10)).to.match(/is for chain 1, but the chain at --rpc-url is 10/);
      expect(await refused("b.json", 1)).to.equal(`--deployment ${path.join(dir, "b.json")}: does not exist`);
      write("c.json", { ...record(1, "mainnet"), contracts: {} });
      expect(await refused("c.json", 1)).to.match(/no address and block number for LatentTimelock/);
    });

    it("reports a record whose contract has no code on the chain (a restarted node), naming the contract and saying to add --deploy", async function () {
      const found = { record: record(31337, "localhost") as unknown as DeploymentRecord, file: path.join(dir, "localhost.json") };
      const contracts = Object.entries(found.record.contracts);
      for (const [i, [name, c]] of contracts.entries()) {
        c.address = hre.ethers.getAddress(`0x${(0xa11ce0 + i).toString(16).padStart(40, "0")}`);
        if (name !== "PauseGuardian") await hre.network.provider.send("hardhat_setCode", [c.address, "0x00"]);
      }
      const guardian = found.record.contracts.PauseGuardian.address;
      const error = await assertDeployed(hre.ethers.provider, found).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(DeploymentError);
      expect((error as Error).message).to.equal(
        `localhost.json says PauseGuardian is at ${guardian}, but chain 31337 has no code there (was the node restarted?): add --deploy to deploy a new set`,
      );
      await hre.network.provider.send("hardhat_setCode", [guardian, "0x00"]);
      await assertDeployed(hre.ethers.provider, found);
    });

    it("keeps a local chain's record in the deployments directory on 8545 only, elsewhere in the data directory", function () {
      const data = path.join(dir, "data");
      expect(localDeploymentsDir("http://127.0.0.1:8545", data, {})).to.equal(DEFAULT_DEPLOYMENTS_DIR);
      expect(localDeploymentsDir("http://127.0.0.1:8545", data, { LATENT_DEPLOYMENTS_DIR: path.join(dir, "records") })).to.equal(path.join(dir, "records"));
      for (const url of ["http://127.0.0.1:9545", "http://127.0.0.1:38545"]) {
        expect(localDeploymentsDir(url, data, { LATENT_DEPLOYMENTS_DIR: path.join(dir, "records") }), url).to.equal(path.join(data, "deployments"));
      }
    });

    it("keeps the record of an --rpc-url chain 31337 off 8545 in the data directory, named after its URL", function () {
      const data = path.join(dir, "data");
      const env = { LATENT_DEPLOYMENTS_DIR: path.join(dir, "records") };
      for (const url of ["http://127.0.0.1:8545", "http://localhost:8545/"]) {
        expect(rpcRecordPlace(url, 31337, data, env), url).to.include({ dir: path.join(dir, "records"), network: "localhost", exact: false });
      }
      expect(rpcRecordPlace("http://127.0.0.1:9545", 11155111, data, env)).to.include({ dir: path.join(dir, "records"), network: "chain-11155111", exact: false });
      const other = rpcRecordPlace("http://127.0.0.1:9545", 31337, data, env);
      expect(other).to.include({ dir: path.join(data, "deployments"), network: "chain-31337-127.0.0.1-9545", exact: true });
      expect(rpcRecordPlace("http://10.0.0.2:8545", 31337, data, env).network).to.equal("chain-31337-10.0.0.2-8545");
    });

    it("names the record of an --rpc-url chain with a path after a hash of the path, which may be an API key", function () {
      const data = path.join(dir, "data");
      const keyed = rpcRecordPlace("http://127.0.0.1:9545/v2/sEcReTkEy", 31337, data, {});
      expect(keyed.network).to.match(/^chain-31337-127\.0\.0\.1-9545-[0-9a-f]{8}$/);
      expect(rpcRecordPlace("http://127.0.0.1:9545/v2/another", 31337, data, {}).network).not.to.equal(keyed.network);
    });

    it("knows the name an --rpc-url chain's record had when it was named after the URL's path itself", function () {
      const data = path.join(dir, "data");
      expect(rpcRecordPlace("http://127.0.0.1:9545/v2/sEcReTkEy", 31337, data, {}).formerNetwork).to.equal("chain-31337-127.0.0.1-9545-v2-sEcReTkEy");
      expect(formerUrlNetworkName("https://dev.example.org/rpc/", 1337)).to.equal("chain-1337-dev.example.org-443-rpc");
      expect(rpcRecordPlace("http://127.0.0.1:9545/", 31337, data, {}).formerNetwork, "no path: the same name").to.equal(undefined);
    });

    it("keeps the record of an --rpc-url chain 1337 (Ganache, geth --dev) off 8545 in the data directory, named after its URL", function () {
      const data = path.join(dir, "data");
      const env = { LATENT_DEPLOYMENTS_DIR: path.join(dir, "records") };
      expect(rpcRecordPlace("http://127.0.0.1:8545", 1337, data, env)).to.include({ dir: path.join(dir, "records"), network: "chain-1337", exact: false });
      const ganache = rpcRecordPlace("http://127.0.0.1:7545", 1337, data, env);
      expect(ganache).to.include({ dir: path.join(data, "deployments"), network: "chain-1337-127.0.0.1-7545", exact: true });
    });

    // Two chains 31337: the record of the one on 8545 (another devnet's) sits in the deployments directory.
    it("with --rpc-url on another chain 31337, deploys to and then reuses its own record, leaving localhost.json alone", async function () {
      const records = path.join(dir, "records");
      fs.mkdirSync(records);
      const theirs = JSON.stringify(record(31337, "localhost"));
      fs.writeFileSync(path.join(records, "localhost.json"), theirs);
      const url = "http://127.0.0.1:9545";
      const options = parseDevnetOptions(["--rpc-url", url, "--data-dir", path.join(dir, "data")], dir) as DevnetOptions;
      const chain: Chain = { rpcUrl: url, wsUrl: null, chainId: 31337, local: false, signers: await hre.ethers.getSigners(), rpc: hre.ethers.provider, accounts: [], publicKeys: false };
      const progress = new Progress({ tty: false, write: () => undefined });
      const saved = process.env.LATENT_DEPLOYMENTS_DIR;
      const snapshot = (await hre.network.provider.send("evm_snapshot", [])) as string;
      process.env.LATENT_DEPLOYMENTS_DIR = records;
      try {
        const first = await resolveDeployment(chain, options, progress);
        expect(first.file).to.equal(path.join(dir, "data", "deployments", "chain-31337-127.0.0.1-9545.json"));
        expect(first.record.network).to.equal("chain-31337-127.0.0.1-9545");
        expect(fs.readFileSync(path.join(records, "localhost.json"), "utf8")).to.equal(theirs);
        const again = await resolveDeployment(chain, options, progress);
        expect(again.file).to.equal(first.file);
        expect(again.scenario, "deployed again").to.equal(null);
      } finally {
        if (saved === undefined) delete process.env.LATENT_DEPLOYMENTS_DIR;
        else process.env.LATENT_DEPLOYMENTS_DIR = saved;
        await hre.network.provider.send("evm_revert", [snapshot]);
      }
    });

    it("with --rpc-url on a chain it cannot deploy to or seed, says what to do instead of deploying", async function () {
      const records = path.join(dir, "records");
      fs.mkdirSync(records);
      const url = "https://rpc.example.org";
      const chain = (signers: Chain["signers"]): Chain => ({ rpcUrl: url, wsUrl: null, chainId: 11155111, local: false, signers, rpc: hre.ethers.provider, accounts: [], publicKeys: false });
      const progress = new Progress({ tty: false, write: () => undefined });
      const saved = process.env.LATENT_DEPLOYMENTS_DIR;
      process.env.LATENT_DEPLOYMENTS_DIR = records;
      try {
        // No record, and no unlocked accounts to deploy one from (a real chain).
        const noAccounts = await resolveDeployment(chain([]), parseDevnetOptions(["--rpc-url", url], dir) as DevnetOptions, progress).catch((e: unknown) => e);
        expect(noAccounts).to.be.instanceOf(ChainError);
        expect((noAccounts as Error).message).to.equal(
          "deploying from npm start needs a development node with 20 unlocked accounts; https://rpc.example.org has 0. " +
            "On a real chain, deploy with `RPC_URL=... DEPLOYER_PRIVATE_KEY=... npm run deploy -- --network remote` first.",
        );
        // No record, and unlocked accounts, but not a development chain: the devnet's set would be deployed for good.
        const unlocked = await resolveDeployment(chain(await hre.ethers.getSigners()), parseDevnetOptions(["--rpc-url", url], dir) as DevnetOptions, progress).catch((e: unknown) => e);
        expect(unlocked).to.be.instanceOf(ChainError);
        expect((unlocked as Error).message).to.equal(
          "chain 11155111 at https://rpc.example.org is not a development chain (31337 or 1337), and npm start deploys only the devnet's set " +
            "(its governance timings, guardian, arbitrator and allocations). Deploy with `RPC_URL=... DEPLOYER_PRIVATE_KEY=... npm run deploy -- --network remote` first.",
        );
        // A record it did not deploy: --seed would run the scenario's roles against someone else's set.
        write(path.join("records", "remote.json"), record(11155111, "remote"));
        const options = parseDevnetOptions(["--rpc-url", url, "--seed"], dir) as DevnetOptions;
        const seeded = await resolveDeployment(chain(await hre.ethers.getSigners()), options, progress).catch((e: unknown) => e);
        expect(seeded).to.be.instanceOf(DeploymentError);
        expect((seeded as Error).message).to.match(/^--seed needs a deployment made by this run, and .*remote\.json already exists for chain 11155111: add --deploy$/);
      } finally {
        if (saved === undefined) delete process.env.LATENT_DEPLOYMENTS_DIR;
        else process.env.LATENT_DEPLOYMENTS_DIR = saved;
      }
    });

    it("with --rpc-url, finds a record kept under the name its URL's path once gave it, moving it and its index to the new name", async function () {
      const url = "http://127.0.0.1:9545/v2/sEcReTkEy";
      const data = path.join(dir, "data");
      const options = parseDevnetOptions(["--rpc-url", url, "--data-dir", data], dir) as DevnetOptions;
      const chain: Chain = { rpcUrl: url, wsUrl: null, chainId: 31337, local: false, signers: await hre.ethers.getSigners(), rpc: hre.ethers.provider, accounts: [], publicKeys: false };
      let printed = "";
      const progress = new Progress({ tty: false, write: (t) => (printed += t) });
      const snapshot = (await hre.network.provider.send("evm_snapshot", [])) as string;
      try {
        const deployed = await resolveDeployment(chain, options, progress);
        const name = deployed.record.network;
        // As an npm start before the path was hashed left it: the record and its index named after the path.
        const former = "chain-31337-127.0.0.1-9545-v2-sEcReTkEy";
        fs.rmSync(deployed.file);
        fs.writeFileSync(path.join(data, "deployments", `${former}.json`), JSON.stringify({ ...deployed.record, network: former }));
        fs.mkdirSync(path.join(data, "index", former), { recursive: true });
        fs.writeFileSync(path.join(data, "index", former, "indexer.sqlite"), "kept");
        printed = "";
        const again = await resolveDeployment(chain, options, progress);
        expect(again.scenario, "deployed again").to.equal(null);
        expect(again.file).to.equal(deployed.file);
        expect(again.record).to.deep.equal(JSON.parse(JSON.stringify(deployed.record)));
        expect(fs.readdirSync(path.join(data, "deployments"))).to.deep.equal([`${name}.json`]);
        expect(fs.readdirSync(path.join(data, "index"))).to.deep.equal([name]);
        expect(fs.readFileSync(path.join(data, "index", name, "indexer.sqlite"), "utf8")).to.equal("kept");
        expect(printed).to.match(new RegExp(`renamed the record named after the URL's path to \\S*${name}\\.json, and its index to \\S*${name}, where the indexer starts over`));
        expect(printed).not.to.include("sEcReTkEy");
      } finally {
        await hre.network.provider.send("evm_revert", [snapshot]);
      }
    });

    it("with --rpc-url and --deploy, moves a record and index kept under the name its URL's path once gave them before writing the new record", async function () {
      const url = "http://127.0.0.1:9545/v2/sEcReTkEy";
      const data = path.join(dir, "data");
      const options = parseDevnetOptions(["--rpc-url", url, "--data-dir", data, "--deploy"], dir) as DevnetOptions;
      const chain: Chain = { rpcUrl: url, wsUrl: null, chainId: 31337, local: false, signers: await hre.ethers.getSigners(), rpc: hre.ethers.provider, accounts: [], publicKeys: false };
      let printed = "";
      const progress = new Progress({ tty: false, write: (t) => (printed += t) });
      const snapshot = (await hre.network.provider.send("evm_snapshot", [])) as string;
      try {
        const first = await resolveDeployment(chain, options, progress);
        const name = first.record.network;
        // As an npm start before the path was hashed left it: the record and its index named after the path.
        const former = "chain-31337-127.0.0.1-9545-v2-sEcReTkEy";
        fs.rmSync(first.file);
        fs.writeFileSync(path.join(data, "deployments", `${former}.json`), JSON.stringify({ ...first.record, network: former }));
        fs.mkdirSync(path.join(data, "index", former), { recursive: true });
        printed = "";
        const again = await resolveDeployment(chain, options, progress);
        expect(again.scenario, "deployed again").not.to.equal(null);
        expect(again.file).to.equal(first.file);
        expect(again.record.contracts.LatentToken.address).not.to.equal(first.record.contracts.LatentToken.address);
        // Nothing is left named after the path, which nothing would move once <name>.json exists.
        expect(fs.readdirSync(path.join(data, "deployments"))).to.deep.equal([`${name}.json`]);
        expect(fs.readdirSync(path.join(data, "index"))).to.deep.equal([name]);
        expect(printed).to.match(new RegExp(`renamed the record named after the URL's path to \\S*${name}\\.json, and its index to \\S*${name}`));
        expect(printed).not.to.include("sEcReTkEy");
      } finally {
        await hre.network.provider.send("evm_revert", [snapshot]);
      }
    });
  });

  it("prints how tasks reach a devnet on another chain port, seeded or not", function () {
    const banner = (worker: boolean, rpcUrl = "http://127.0.0.1:9545", env: Record<string, string> = {}): string =>
      bannerText(
        {
          chain: { rpcUrl, wsUrl: rpcUrl.replace("http", "ws"), chainId: 31337, local: true },
          deploymentFile: path.join(process.cwd(), "deployments", "localhost.json"),
          seeded: worker,
          accounts: [
            { index: 7, address: "0x14dC79964da2C08b23698B3D3cc7Ca32193d9955", role: "provider: 4x rtx-4090-24gb" },
            { index: 15, address: "0xcd3B766CCDd6AE721141F452C550Ca635964ce71", role: "client (posts jobs)" },
          ],
          worker: worker
            ? { config: path.join(dir, "worker.json"), provider: "0x14dC79964da2C08b23698B3D3cc7Ca32193d9955", operator: "0x1CBd3b2770909D4e10f157cABC84C7264073C9Ec", operatorIndex: 13, keyEnv: "LATENT_OPERATOR_KEY" }
            : null,
          specFile: worker ? path.join(dir, "matmul-spec.json") : null,
        },
        env,
      );
    for (const seeded of [true, false]) {
      const out = banner(seeded);
      expect(out, `seeded: ${seeded}`).to.include("Accounts (LOCAL_RPC_URL=http://127.0.0.1:9545 npx hardhat <task> --network localhost --from <#>):");
      // No command line that would reach port 8545 instead.
      for (const line of out.split("\n").filter((l) => l.includes("npx hardhat"))) expect(line).to.include("LOCAL_RPC_URL=http://127.0.0.1:9545 ");
    }
    expect(banner(true)).to.match(/\n {2}LOCAL_RPC_URL=http:\/\/127\.0\.0\.1:9545 npx hardhat job create --provider 7 --max-price 0\.5 --max-duration 10m --spec-file \S+ --network localhost --from 15\n/);
    // On 8545 the localhost network needs nothing, unless this shell exported LOCAL_RPC_URL for another devnet.
    expect(banner(true, "http://127.0.0.1:8545")).to.include("Accounts (npx hardhat <task> --network localhost --from <#>):");
    const exported = banner(true, "http://127.0.0.1:8545", { LOCAL_RPC_URL: "http://127.0.0.1:9545" });
    for (const line of exported.split("\n").filter((l) => l.includes("npx hardhat"))) expect(line).to.include("LOCAL_RPC_URL=http://127.0.0.1:8545 ");
  });

  it("names --rpc-url instead of repeating it in task commands when its path may be an API key", function () {
    const out = bannerText({
      chain: { rpcUrl: "https://dev.example.org/v2/sEcReTkEy", wsUrl: null, chainId: 31337, local: false },
      deploymentFile: path.join(process.cwd(), "deployments", "localhost.json"),
    });
    expect(out).to.include("Accounts (LOCAL_RPC_URL=<--rpc-url> npx hardhat <task> --network localhost --from <#>):");
  });

  it("prints how tasks reach an unseeded --rpc-url development chain, which lists no account, and nothing of the kind for another chain", function () {
    const banner = (chainId: number) =>
      bannerText({
        chain: { rpcUrl: "http://127.0.0.1:9545", wsUrl: null, chainId, local: false },
        deploymentFile: path.join(dir, "deployments", `chain-${chainId}-127.0.0.1-9545.json`),
        accounts: [],
      });
    for (const chainId of [31337, 1337]) {
      expect(banner(chainId), `chain ${chainId}`).to.include(
        `\nTasks (LOCAL_RPC_URL=http://127.0.0.1:9545 npx hardhat <task> --network localhost --deployment ${path.join(dir, "deployments", `chain-${chainId}-127.0.0.1-9545.json`)}):\n`,
      );
    }
    expect(banner(11155111)).to.not.include("npx hardhat");
  });

  it("names deployments/localhost.json in task commands when the shell's LATENT_DEPLOYMENTS_DIR would send the tasks elsewhere", function () {
    const print = (env: Record<string, string>) => bannerText({}, env);
    expect(print({})).to.include("Accounts (npx hardhat <task> --network localhost --from <#>):");
    expect(print({ LATENT_DEPLOYMENTS_DIR: path.join(dir, "records") })).to.include(`--network localhost --deployment ${path.join("deployments", "localhost.json")} --from <#>`);
  });

  it("heads its output with what it runs: a --no-seed devnet as deployed and not seeded", function () {
    expect(startHeadline({ seed: true })).to.equal("Latent devnet: a fresh local chain, deployed and seeded");
    expect(startHeadline({ seed: false })).to.equal("Latent devnet: a fresh local chain, deployed and not seeded (--no-seed)");
    expect(startHeadline({ rpcUrl: "http://127.0.0.1:8546", seed: false })).to.equal("Latent on http://127.0.0.1:8546");
  });

  it("prints the GraphQL endpoint as one to POST JSON to, pointing a browser at the dashboard (a GET there is refused as CSRF)", function () {
    const line = bannerText({}).split("\n").find((l) => l.startsWith("  GraphQL "));
    expect(line).to.match(/^  GraphQL     http:\/\/\S+\/graphql  \(POST, content-type: application\/json; in a browser, open the Dashboard\)$/);
  });

  it("after the two keys it prints, names the file that holds every account's key", function () {
    const client = { index: 15, address: "0xcd3B766CCDd6AE721141F452C550Ca635964ce71", role: "client (posts jobs)", privateKey: `0x${"11".repeat(32)}` };
    const operator = { index: 14, address: "0xdF3e18d64BC6A983f673Ab319CCaE4f1a57C7097", role: "operator (worker hot key)", privateKey: `0x${"22".repeat(32)}` };
    const out = bannerText({ accounts: [operator, client] }, {}, [client]);
    const lines = out.split("\n");
    const keys = lines.indexOf(`  #15  ${client.privateKey}  client`);
    expect(keys, out).to.be.greaterThan(0);
    expect(lines[keys + 1]).to.match(/^  every account's key: .*devnet\.json \(accounts\[\]\.privateKey\)$/);
  });

  /** The worker config npm start writes for the demo provider, at `config`. */
  function writeDemoWorkerConfig(config: string): void {
    writeWorkerConfig(config, {
      rpcUrl: "http://127.0.0.1:8545",
      chainId: 31337,
      gatewayHttpUrl: "http://127.0.0.1:4000/graphql",
      gatewayWsUrl: "ws://127.0.0.1:4000/graphql",
      provider: "0x14dC79964da2C08b23698B3D3cc7Ca32193d9955",
      deploymentFile: path.join(dir, "localhost.json"),
      gpu: { model: "rtx-4090-24gb", displayName: "NVIDIA GeForce RTX 4090", vramGiB: 24, gpuCount: 4, region: "us-east", tier: "consumer" },
      keyEnv: "LATENT_OPERATOR_KEY",
    });
  }

  it("heads the worker config with a --config path that works from anywhere and the README's section for a provider of one's own", function () {
    const config = path.join(dir, "worker-header.json");
    expect(path.relative(process.cwd(), config).startsWith(".."), "a data directory outside the checkout").to.equal(true);
    writeDemoWorkerConfig(config);
    const text = fs.readFileSync(config, "utf8");
    expect(text).to.include(`npm run worker -- --config ${config}\n`);
    expect(text).to.include("(README.md: Joining as a new provider)");
    expect(fs.readFileSync(path.join(__dirname, "..", "..", "README.md"), "utf8")).to.match(/^### Joining as a new provider$/m);
  });

  it("writes a worker config and a job spec the worker accepts", function () {
    const config = path.join(dir, "worker.json");
    writeDemoWorkerConfig(config);
    const loaded = loadConfig(config);
    expect(loaded.operatorKey).to.deep.equal({ kind: "env", variable: "LATENT_OPERATOR_KEY" });
    expect(loaded.gpu).to.include({ detect: false, model: "rtx-4090-24gb", gpuCount: 4, region: "us-east", tier: "consumer" });
    expect(loaded.results.dir).to.equal(path.join(dir, "worker-results"));
    expect(loaded.policy.settlementPollMs).to.equal(2000);
    expect(fs.readFileSync(config, "utf8")).to.not.match(/0x[0-9a-f]{64}/);

    const specFile = path.join(dir, "spec.json");
    const hash = writeMatmulSpec(specFile);
    const bytes = fs.readFileSync(specFile);
    expect(hashSpecBytes(bytes)).to.equal(hash);
    expect(parseJobSpec(bytes)).to.deep.include({ kind: "matmul" });
    expect((JSON.parse(bytes.toString("utf8")) as { params: { n: number } }).params.n, "a 256x256 matmul").to.equal(256);
  });
});
