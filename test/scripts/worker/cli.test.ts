import { expect } from "chai";
import { ZeroAddress, ZeroHash, keccak256, makeError } from "ethers";
import { execFile } from "node:child_process";
import { EventEmitter } from "node:events";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { PassThrough } from "node:stream";
import { IJobEscrow__factory, IProviderRegistry__factory } from "../../../typechain-types";
import { runWorkerCli, unexpectedFailureMessage } from "../../../scripts/worker/cli";
import type { ConnectNetwork } from "../../../scripts/worker/connections";
import { GatewayProtocolError, GatewayResponseError } from "../../../scripts/worker/gateway-errors";
import { gatewayJobSource } from "../../../scripts/worker/gateway-source";
import { computeMatmulResult } from "../../../scripts/worker/executors/matmul-kernel";
import { TierCode } from "../../../scripts/worker/ids";
import { CandidateJob, JobMarket, JobSource, JobStatus } from "../../../scripts/worker/market";
import { providerClaimFile } from "../../../scripts/worker/provider-claim";
import { processStartTime } from "../../../scripts/processes";
import { closedPort } from "../../helpers/closed-port";
import { waitUntil } from "../../helpers/wait";

const LAUNCHER = path.resolve(__dirname, "../../../bin/latent-worker.js");
/** The unprivileged user and group (nobody, nogroup) that root runs the mode-bit tests as. */
const NOBODY = 65534;
// Hardhat's well-known account #1: public test material.
const KEY = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
const PROVIDER = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";

const CONTRACTS = {
  jobEscrow: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
  providerRegistry: "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512",
};
const ESCROW = IJobEscrow__factory.createInterface();

/** An RPC URL where nothing listens (a port bound and released), so --check finds no chain to ask, whatever devnet runs here. */
let nothingListens: string;

function configJson(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    chain: { rpcUrl: nothingListens },
    gateway: { httpUrl: "http://127.0.0.1:4000/graphql", wsUrl: "ws://127.0.0.1:4000/graphql" },
    provider: { address: PROVIDER },
    operatorKey: { env: "TEST_OPERATOR_KEY" },
    contracts: { ...CONTRACTS },
    gpu: { detect: false, model: "rtx-4090-24gb", vramGiB: 24, gpuCount: 1, region: "eu-west", tier: "consumer" },
    logLevel: "error",
    ...overrides,
  };
}

function runLauncher(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  user: { uid: number; gid: number } | {} = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [LAUNCHER, ...args],
      { env: { PATH: process.env.PATH, ...env }, cwd: os.tmpdir(), ...user },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

interface RpcRequest {
  id: number;
  method: string;
  params: unknown[];
}

/** A stand-in JSON-RPC node on chain 31337: `answer` gives each method's result (batches included); what it throws is a JSON-RPC error. */
async function fakeNode(answer: (request: RpcRequest) => unknown): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as RpcRequest | RpcRequest[];
      const reply = (r: RpcRequest) => {
        try {
          return { jsonrpc: "2.0", id: r.id, result: r.method === "eth_chainId" ? "0x7a69" : answer(r) };
        } catch (error) {
          return { jsonrpc: "2.0", id: r.id, error: { code: -32601, message: (error as Error).message } };
        }
      };
      response.setHeader("content-type", "application/json");
      response.end(JSON.stringify(Array.isArray(body) ? body.map(reply) : reply(body)));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function collect(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on("data", (chunk: Buffer) => chunks.push(chunk));
  return { stream, text: () => Buffer.concat(chunks).toString("utf8") };
}

/** A market for the configured provider (active, one idle RTX 4090) where no job ever changes; `onProviderRead` counts reads. */
function idleMarket(onProviderRead: () => void = () => undefined): JobMarket {
  return {
    getProvider: async () => {
      onProviderRead();
      return {
        registered: true,
        active: true,
        online: true,
        gpuModel: "rtx-4090-24gb",
        region: "eu-west",
        vramGiB: 24,
        gpuCount: 1,
        gpusInUse: 0,
        operator: ZeroAddress,
        tier: TierCode.Consumer,
        pricePerGpuHour: 1n,
        completedJobs: 0,
        maxSlashRewardBps: 10_000,
      };
    },
    getJobState: async () => ({ status: JobStatus.None, provider: ZeroAddress, client: ZeroAddress, termsHash: ZeroHash }),
    landedResultHash: async (jobId) => {
      throw new Error(`job ${jobId} has no submitted result: no job ever changes here`);
    },
    chainTime: async () => 0n,
    collateral: async () => ({ collateral: 0n, freeStake: 0n, lockedStake: 0n }),
    accept: async () => ({ resultDeadline: 0n }),
    submit: async () => ({ challengeDeadline: 0n, cost: 0n }),
    settle: async () => undefined,
    decline: async () => undefined,
    abandon: async () => undefined,
  };
}

function feedOnly(source: JobSource): JobSource {
  return { jobs: (signal) => source.jobs(signal) };
}

describe("latent-worker CLI", () => {
  before(async () => {
    nothingListens = `http://127.0.0.1:${await closedPort()}`;
  });
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "latent-cli-"));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  function writeConfig(json: unknown): string {
    const file = path.join(dir, "worker.json");
    fs.writeFileSync(file, JSON.stringify(json));
    return file;
  }

  describe("as a process", () => {
    it("exits 2 with the field-naming message for a bad config", async () => {
      const file = writeConfig(configJson({ executors: { command: { timeoutSeconds: "abc" } } }));
      const { code, stderr } = await runLauncher(["--config", file]);
      expect(code).to.equal(2);
      expect(stderr).to.equal(
        'latent-worker: config.executors.command.timeoutSeconds: must be an integer between 1 and 86400, got "abc"\n',
      );
    });

    it("exits 2 with the usage when --config is missing", async () => {
      const { code, stderr } = await runLauncher([]);
      expect(code).to.equal(2);
      expect(stderr).to.contain("--config <file> is required").and.to.contain("Usage: latent-worker");
    });

    it("checks a good setup, runs the self-test and prints a JSON summary", async () => {
      const file = writeConfig(configJson());
      const { code, stdout } = await runLauncher(["--config", file, "--check"], { TEST_OPERATOR_KEY: KEY });
      expect(code).to.equal(0);
      const summary = JSON.parse(stdout) as {
        operator: string;
        gpus: { model: string };
        selfTest: { resultHash: string };
      };
      expect(summary.operator).to.equal(PROVIDER);
      expect(summary.gpus.model).to.equal("rtx-4090-24gb");
      const expected = computeMatmulResult({
        n: 64,
        seed: keccak256(Buffer.from("latent worker self-test")),
        rounds: 1,
      });
      expect(summary.selfTest.resultHash).to.equal(expected.hash);
    });

    it("prints a failure thrown outside its promises (a timer, an event) as an unexpected failure, without its URLs' keys", async () => {
      // Loaded before the launcher, so the timer fires while the CLI awaits its first I/O, with no promise of its own to
      // carry the error: Node would print it as it is.
      const preload = path.join(dir, "throw-from-timer.js");
      fs.writeFileSync(
        preload,
        'setTimeout(() => { throw new Error("request to https://eth.example.org/v2/sEcReTkEy0123456789 failed"); }, 0);\n',
      );
      const file = writeConfig(configJson());
      const { code, stderr } = await runLauncher(["--config", file, "--check"], {
        TEST_OPERATOR_KEY: KEY,
        NODE_OPTIONS: `--require ${preload}`,
      });
      expect(code).to.equal(1);
      expect(stderr).to.match(/^latent-worker: unexpected failure: Error: request to https:\/\/eth\.example\.org\/… failed\n/);
      expect(stderr).not.to.contain("sEcReTkEy");
    });
  });

  describe("in process", () => {
    const io = (env: NodeJS.ProcessEnv = { TEST_OPERATOR_KEY: KEY }) => {
      const stdout = collect();
      const stderr = collect();
      const signals = new EventEmitter();
      return { stdout, stderr, signals, io: { stdout: stdout.stream, stderr: stderr.stream, env, signals } };
    };

    it("prints the usage on --help and exits 0", async () => {
      const { io: cliIo, stdout, stderr } = io();
      expect(await runWorkerCli(["--help"], cliIo)).to.equal(0);
      expect(stdout.text()).to.contain("Usage: latent-worker --config <file>");
      expect(stderr.text()).to.equal("");
    });

    it("reads the config named by -c as by --config", async () => {
      const { io: cliIo, stderr } = io();
      const file = writeConfig(configJson({ executors: { command: { timeoutSeconds: "abc" } } }));
      expect(await runWorkerCli(["-c", file], cliIo)).to.equal(2);
      expect(stderr.text()).to.equal(
        'latent-worker: config.executors.command.timeoutSeconds: must be an integer between 1 and 86400, got "abc"\n',
      );
    });

    it("--check passes when the chain cannot be asked, saying so in its summary and a warning, and never asks the gateway", async () => {
      const paths: string[] = [];
      const server = http.createServer((request, response) => {
        paths.push(request.url ?? "");
        response.statusCode = 503;
        response.end();
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      try {
        const base = `127.0.0.1:${(server.address() as AddressInfo).port}`;
        const config = configJson({
          chain: { rpcUrl: `http://${base}/rpc`, chainId: 31337 },
          gateway: { httpUrl: `http://${base}/graphql`, wsUrl: `ws://${base}/graphql` },
          logLevel: "warn",
        });
        const { io: cliIo, stdout, stderr } = io();
        expect(await runWorkerCli(["--config", writeConfig(config), "--check"], cliIo)).to.equal(0);
        const summary = JSON.parse(stdout.text()) as { ok: boolean; network: unknown };
        expect(summary.ok).to.equal(true);
        expect(summary.network).to.deep.equal({ checked: false, reason: `http://${base}/… answered HTTP 503` });
        const warning = JSON.parse(stderr.text()) as { level: string; msg: string };
        expect(warning.level).to.equal("warn");
        expect(warning.msg).to.equal("--check could not ask the chain: the chain id, the contracts and the provider are not checked");
        // One try at the chain id, no retries: a check answers at once.
        expect(paths).to.deep.equal(["/rpc"]);
      } finally {
        await new Promise((resolve) => server.close(resolve));
      }
    });

    it("passes --check on a copy of worker.example.json kept as the repository keeps it, with no specs directory beside it", async () => {
      // The copy at <dir>/scripts/worker/, its deployment file where the example names it: ../../deployments/.
      const copyDir = path.join(dir, "scripts", "worker");
      fs.mkdirSync(copyDir, { recursive: true });
      fs.mkdirSync(path.join(dir, "deployments"));
      const deployment = { chainId: 31337, contracts: { JobEscrow: { address: CONTRACTS.jobEscrow }, ProviderRegistry: { address: CONTRACTS.providerRegistry } } };
      fs.writeFileSync(path.join(dir, "deployments", "localhost.json"), JSON.stringify(deployment));
      const copy = path.join(copyDir, "worker.json");
      fs.copyFileSync(path.resolve(__dirname, "../../../scripts/worker/worker.example.json"), copy);
      // No PATH: the example's GPUs are taken as written, whatever this machine has.
      const { io: cliIo, stdout, stderr } = io({ LATENT_OPERATOR_KEY: KEY });
      expect(await runWorkerCli(["--config", copy, "--check"], cliIo), stderr.text()).to.equal(0);
      expect((JSON.parse(stdout.text()) as { ok: boolean }).ok).to.equal(true);
    });

    it("--check prints chain.rpcUrl without the API key in its path", async () => {
      const config = configJson({ chain: { rpcUrl: "https://eth.example.org/v2/sEcReTkEy0123456789" } });
      const { io: cliIo, stdout } = io();
      expect(await runWorkerCli(["--config", writeConfig(config), "--check"], cliIo)).to.equal(0);
      expect((JSON.parse(stdout.text()) as { chain: { rpcUrl: string } }).chain.rpcUrl).to.equal("https://eth.example.org/…");
    });

    it("exits 2 for a config error without the API key of the RPC URL it names, in its path or query", async () => {
      const config = configJson({ chain: { rpcUrl: "wss://eth.example.org/v2/sEcReTkEy0123456789?token=tOkEn42" } });
      const { io: cliIo, stderr } = io();
      expect(await runWorkerCli(["--config", writeConfig(config)], cliIo)).to.equal(2);
      expect(stderr.text()).to.equal("latent-worker: config.chain.rpcUrl: must start with http:// or https://, not wss://\n");
    });

    it("exits 2 for a config error without the credentials of the gateway URL it names", async () => {
      const config = configJson({ gateway: { httpUrl: "ws://operator:hUnTeR2@gw.example.org/graphql", wsUrl: "ws://gw.example.org/graphql" } });
      const { io: cliIo, stderr } = io();
      expect(await runWorkerCli(["--config", writeConfig(config)], cliIo)).to.equal(2);
      expect(stderr.text()).to.equal("latent-worker: config.gateway.httpUrl: must start with http:// or https://, not ws://\n");
    });

    it("exits 2 for an RPC URL written without its scheme without printing it, since its path may be a key", async () => {
      const config = configJson({ chain: { rpcUrl: "eth.example.org/v2/sEcReTkEy0123456789" } });
      const { io: cliIo, stderr } = io();
      expect(await runWorkerCli(["--config", writeConfig(config)], cliIo)).to.equal(2);
      expect(stderr.text()).to.equal("latent-worker: config.chain.rpcUrl: has no http:// or https:// scheme\n");
    });

    it("exits 2 for an RPC URL over the length limit without the key its shortened form begins with", async () => {
      const config = configJson({ chain: { rpcUrl: `https://eth.example.org/v2/sEcReTkEy0123456789?jwt=${"x".repeat(2100)}` } });
      const { io: cliIo, stderr } = io();
      expect(await runWorkerCli(["--config", writeConfig(config)], cliIo)).to.equal(2);
      expect(stderr.text()).to.contain("config.chain.rpcUrl: must be at most 2048 bytes").and.not.to.contain("sEcReTkEy");
    });

    it("prints an unexpected failure's stack trace without the keys and credentials of the URLs in it", () => {
      const error = new Error(
        "request to https://eth.example.org/v2/sEcReTkEy0123456789?key=k3y failed (gateway https://op:hUnTeR2@gw.example.org/graphql)",
      );
      const message = unexpectedFailureMessage(error);
      expect(message).to.match(
        /^latent-worker: unexpected failure: Error: request to https:\/\/eth\.example\.org\/… failed \(gateway https:\/\/gw\.example\.org\/…\)\n {4}at /,
      );
      expect(message).not.to.contain("sEcReTkEy").and.not.to.contain("k3y").and.not.to.contain("hUnTeR2");
    });

    it("prints an unexpected ethers error by its short message and code, then its stack, without the signed transaction", () => {
      const signed = `0x02f8${"ab".repeat(120)}`;
      const message = unexpectedFailureMessage(makeError("nonce has already been used", "NONCE_EXPIRED", { transaction: { data: signed } }));
      expect(message).to.match(/^latent-worker: unexpected failure: Error: nonce has already been used \(NONCE_EXPIRED\)\n {4}at /);
      expect(message).not.to.contain(signed);
    });

    it("--log-level overrides config.logLevel; logs are JSON lines on stderr", async () => {
      const source: JobSource = {
        async *jobs(signal: AbortSignal): AsyncGenerator<CandidateJob> {
          await new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
        },
      };
      const market = idleMarket();
      const connect: ConnectNetwork = async () => ({ source, market, close: async () => undefined });
      const run = async (extra: string[]): Promise<string> => {
        const { io: cliIo, stderr, signals } = io();
        // config.logLevel is "error": only the flag lets info lines through.
        const exit = runWorkerCli(["--config", writeConfig(configJson()), ...extra], cliIo, connect);
        // A fixed pause lost the race on a loaded machine: the signal came before the CLI listened for it.
        await waitUntil(() => signals.listenerCount("SIGTERM") > 0, "the CLI listens for SIGTERM");
        signals.emit("SIGTERM");
        expect(await exit).to.equal(0);
        return stderr.text();
      };
      expect(await run([])).to.equal("");
      const lines = (await run(["--log-level", "info"])).trimEnd().split("\n");
      const records = lines.map((line) => JSON.parse(line) as { level: string; msg: string });
      expect(records.map((r) => r.level)).to.include("info");
      expect(records.map((r) => r.msg)).to.include("worker stopped");
    });

    it("exits 2 at start, naming the status and without the URL's credentials, when gateway.wsUrl's handshake is answered 401", async () => {
      const server = http.createServer();
      server.on("upgrade", (_request, socket: import("node:stream").Duplex) =>
        socket.end("HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"),
      );
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      try {
        const { port } = server.address() as AddressInfo;
        const wsUrl = `ws://worker:pAsSwOrD@127.0.0.1:${port}/graphql`;
        // The job feed alone: the restart's read of jobs in hand goes over HTTP, which this server does not answer.
        const connect: ConnectNetwork = async ({ config, logger }) => ({
          source: feedOnly(gatewayJobSource({
            httpUrl: config.gateway.httpUrl,
            wsUrl: config.gateway.wsUrl,
            provider: PROVIDER,
            feedFilter: async () => ({}),
            chainUrl: config.chain.rpcUrl,
            retry: { maxAttempts: 1, initialDelayMs: 10, maxDelayMs: 50, multiplier: 2, jitter: 0 },
            logger,
          })),
          market: idleMarket(),
          close: async () => undefined,
        });
        const { io: cliIo, stderr, signals } = io();
        const config = configJson({ gateway: { httpUrl: `http://127.0.0.1:${port}/graphql`, wsUrl }, logLevel: "warn" });
        const exit = runWorkerCli(["--config", writeConfig(config)], cliIo, connect);
        // A worker that retries instead (logged at warn) is stopped, so that the test fails at once rather than hang.
        const retried = waitUntil(() => stderr.text().includes("job source disconnected; reconnecting"), "the worker retries");
        const outcome = await Promise.race([exit, retried.then(() => "retried")]);
        if (outcome === "retried") signals.emit("SIGTERM");
        await exit;
        expect(outcome).to.equal(2);
        expect(stderr.text()).to.match(/^latent-worker: ws:\/\/.*127\.0\.0\.1:\d+\/graphql answered HTTP 401\n$/m);
        expect(stderr.text()).not.to.contain("pAsSwOrD");
      } finally {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      }
    });

    it("exits 2 naming the variable when the operator key is not set", async () => {
      const { io: cliIo, stderr } = io({});
      expect(await runWorkerCli(["--config", writeConfig(configJson())], cliIo)).to.equal(2);
      expect(stderr.text()).to.contain("environment variable TEST_OPERATOR_KEY (config.operatorKey.env) is not set");
    });

    describe("keeps keys out of what it prints", () => {
      const RPC = "https://eth.example.org/v2/sEcReTkEy0123456789";
      const OTHER = "https://other.example.org/v3/oThErKeY9876543210?apikey=qUeRyKeY";
      const NO_SECRETS = ["sEcReTkEy", "oThErKeY", "qUeRyKeY"];
      /** Not one 8-digit stretch of the operator key: V8's excerpt of a bad JSON text shows about ten characters. */
      function expectNoOperatorKey(text: string): void {
        const digits = KEY.slice(2);
        for (let start = 0; start + 8 <= digits.length; start += 1) {
          expect(text.toLowerCase()).not.to.contain(digits.slice(start, start + 8));
        }
      }

      it("exits 2 for an unexpected argument without the key of the URL it quotes", async () => {
        const { io: cliIo, stderr } = io();
        expect(await runWorkerCli(["--config", writeConfig(configJson()), OTHER], cliIo)).to.equal(2);
        expect(stderr.text()).to.match(/^latent-worker: unexpected argument "https:\/\/other\.example\.org\/…"\n\nUsage: /);
        for (const secret of NO_SECRETS) expect(stderr.text()).not.to.contain(secret);
      });

      it("exits 2 for --config naming a URL, without the key that its path would have quoted", async () => {
        const { io: cliIo, stderr } = io();
        expect(await runWorkerCli(["--config", RPC], cliIo)).to.equal(2);
        expect(stderr.text()).to.equal("latent-worker: the config file must be given as a file path, not a URL\n");
      });

      it("exits 2 for a setup error without the key of a URL it or a setup warning quotes, the RPC URL or another", async () => {
        for (const nvidiaSmiPath of [RPC, OTHER]) {
          // A URL pasted into the wrong field: the GPU detection failure quotes the program it could not find.
          const config = configJson({ chain: { rpcUrl: RPC }, gpu: { nvidiaSmiPath } });
          const { io: cliIo, stderr } = io();
          expect(await runWorkerCli(["--config", writeConfig(config), "--log-level", "warn"], cliIo)).to.equal(2);
          const [warning, error] = stderr.text().trimEnd().split("\n");
          expect((JSON.parse(warning) as { msg: string }).msg).to.equal("GPU detection failed; using config.gpu");
          expect(error).to.contain("GPU detection failed").and.to.contain("https://");
          for (const secret of NO_SECRETS) expect(stderr.text(), nvidiaSmiPath).not.to.contain(secret);
        }
      });

      it("logs a setup warning with a URL's key hidden and the text after the line break that ends the URL kept", async () => {
        const config = configJson({ gpu: { nvidiaSmiPath: `${OTHER}\nwas pasted here` } });
        const { io: cliIo, stderr } = io();
        expect(await runWorkerCli(["--config", writeConfig(config), "--log-level", "warn"], cliIo)).to.equal(2);
        const warning = JSON.stringify(JSON.parse(stderr.text().split("\n")[0] as string));
        expect(warning).to.contain("https://other.example.org/…\\nwas pasted here");
        for (const secret of NO_SECRETS) expect(stderr.text()).not.to.contain(secret);
      });

      it("exits 2 for a setup error without the key of a URL whose path begins with a backslash after its host", async () => {
        // URL reads it as https://eth.example.org/v2/<key>: pasted into the wrong field, GPU detection quotes it.
        const config = configJson({ gpu: { nvidiaSmiPath: "https://eth.example.org\\v2\\sEcReTkEy0123456789" } });
        const { io: cliIo, stderr } = io();
        expect(await runWorkerCli(["--config", writeConfig(config), "--log-level", "warn"], cliIo)).to.equal(2);
        const [warning, error] = stderr.text().trimEnd().split("\n");
        expect(JSON.stringify(JSON.parse(warning))).to.contain("https://eth.example.org/…");
        expect(error).to.contain("GPU detection failed").and.to.contain("https://eth.example.org/…");
        expect(stderr.text()).not.to.contain("sEcReTkEy");
      });

      it("exits 2 for a config error without the key of a URL whose path begins with a backslash after its host", async () => {
        const config = configJson({ provider: { address: "https://eth.example.org\\v2\\sEcReTkEy0123456789" } });
        const { io: cliIo, stderr } = io();
        expect(await runWorkerCli(["--config", writeConfig(config)], cliIo)).to.equal(2);
        expect(stderr.text()).to.equal(
          'latent-worker: config.provider.address: must be a 0x-prefixed 20-byte address, got "https://eth.example.org/…"\n',
        );
      });

      it("exits 2 for a URL where a file path belongs without printing it: the path it resolves to is no URL", async () => {
        for (const [field, override] of [
          ["config.contracts.deploymentFile", { contracts: { deploymentFile: RPC } }],
          ["config.operatorKey.file", { operatorKey: { file: RPC } }],
          ["config.results.dir", { results: { dir: RPC } }],
        ] as const) {
          const { io: cliIo, stderr } = io();
          expect(await runWorkerCli(["--config", writeConfig(configJson(override))], cliIo)).to.equal(2);
          expect(stderr.text()).to.equal(`latent-worker: ${field}: must be a file path, not a URL\n`);
        }
      });

      it("exits 2 for a relative deployment file not found, naming the field, the path as written and where it led", async () => {
        // As in a copy of worker.example.json moved out of scripts/worker/.
        const config = writeConfig(configJson({ contracts: { deploymentFile: "../../deployments/localhost.json" } }));
        const resolved = path.resolve(dir, "../../deployments/localhost.json");
        const { io: cliIo, stderr } = io();
        expect(await runWorkerCli(["--config", config], cliIo)).to.equal(2);
        expect(stderr.text()).to.equal(
          `latent-worker: deployment file ${resolved} (config.contracts.deploymentFile is "../../deployments/localhost.json", ` +
            `a relative path, resolved against the config file's directory ${dir}, not the current directory): ` +
            `ENOENT: no such file or directory, open '${resolved}'\n`,
        );
      });

      it("exits 2 for a relative deployment file without a contract's address, naming the field, the path as written and where it led", async () => {
        fs.mkdirSync(path.join(dir, "deployments"), { recursive: true });
        const resolved = path.join(dir, "deployments", "dev.json");
        fs.writeFileSync(resolved, JSON.stringify({ chainId: 31337, JobEscrow: "0x5FbDB2315678afecb367f032d93F642f64180aa3" }));
        const config = writeConfig(configJson({ contracts: { deploymentFile: "deployments/dev.json" } }));
        const { io: cliIo, stderr } = io();
        expect(await runWorkerCli(["--config", config], cliIo)).to.equal(2);
        expect(stderr.text()).to.equal(
          `latent-worker: deployment file ${resolved} (config.contracts.deploymentFile is "deployments/dev.json", ` +
            `a relative path, resolved against the config file's directory ${dir}, not the current directory): ` +
            `has no address for ProviderRegistry\n`,
        );
      });

      it("exits 2 for a relative operator key file not found, naming the field, the path as written and where it led", async () => {
        const config = writeConfig(configJson({ operatorKey: { file: "keys/operator.key" } }));
        const resolved = path.join(dir, "keys/operator.key");
        const { io: cliIo, stderr } = io();
        expect(await runWorkerCli(["--config", config], cliIo)).to.equal(2);
        expect(stderr.text()).to.equal(
          `latent-worker: cannot read key file ${resolved} (config.operatorKey.file is "keys/operator.key", a relative ` +
            `path, resolved against the config file's directory ${dir}, not the current directory): ` +
            `ENOENT: no such file or directory, stat '${resolved}'\n`,
        );
      });

      it("exits 2 for a deployment file that is not JSON without the excerpt V8 quotes, which may be part of a key", async () => {
        const deploymentFile = path.join(dir, "deployment.json");
        // A hand-edited record with the RPC provider's key written without its quotes: V8's message would quote its start.
        fs.writeFileSync(deploymentFile, `{"chainId": 31337, "rpcApiKey": sEcReTkEy0123456789}`);
        const { io: cliIo, stderr } = io();
        expect(await runWorkerCli(["--config", writeConfig(configJson({ contracts: { deploymentFile } }))], cliIo)).to.equal(2);
        expect(stderr.text()).to.equal(
          `latent-worker: deployment file ${deploymentFile} (config.contracts.deploymentFile): is not valid JSON ` +
            "at line 1, column 33: unexpected token\n",
        );
      });

      it("exits 2 for the operator key written into the config, as operatorKey.env or .file, without printing it", async () => {
        for (const [field, operatorKey] of [
          ["config.operatorKey.env", { env: KEY }],
          ["config.operatorKey.env", { env: `TEST_OPERATOR_KEY=${KEY}` }],
          ["config.operatorKey.file", { file: KEY }],
          ["config.operatorKey.file", { file: KEY.slice(2) }],
        ] as const) {
          const { io: cliIo, stderr } = io();
          expect(await runWorkerCli(["--config", writeConfig(configJson({ operatorKey }))], cliIo)).to.equal(2);
          const message = new RegExp(`^latent-worker: ${field.replace(/\./g, "\\.")}: .*never put the key itself in the config\n$`);
          expect(stderr.text()).to.match(message);
          expectNoOperatorKey(stderr.text());
        }
      });

      it("exits 2 for a config that is not JSON without the excerpt V8 quotes, which may be part of the key", async () => {
        const file = path.join(dir, "worker.json");
        // The key pasted without its quotes (and without its 0x, so that it begins with a letter V8 calls a token).
        const unquoted = KEY.slice(2).replace(/^5/, "a");
        const text = JSON.stringify(configJson()).replace('{"env":"TEST_OPERATOR_KEY"}', unquoted);
        fs.writeFileSync(file, text);
        const column = text.indexOf(unquoted) + 1;
        const { io: cliIo, stderr } = io();
        expect(await runWorkerCli(["--config", file], cliIo)).to.equal(2);
        expect(stderr.text()).to.equal(
          `latent-worker: config file ${file} is not valid JSON at line 1, column ${column}: unexpected token\n`,
        );
        expectNoOperatorKey(stderr.text());
      });
    });

    it("exits 2 before connecting, naming the pid, when another worker of the provider runs with the results directory", async () => {
      const results = path.join(dir, "results");
      fs.mkdirSync(results);
      // A live process (pid 1) holds the claim, as a first worker of the provider would.
      const claim = providerClaimFile(results, PROVIDER, CONTRACTS.jobEscrow);
      fs.writeFileSync(claim, "1\n");
      fs.writeFileSync(`${claim}.start`, `${processStartTime(1) ?? ""}\n`);
      let connected = false;
      const connect: ConnectNetwork = async () => {
        connected = true;
        throw new Error("must not connect");
      };
      const { io: cliIo, stderr } = io();
      expect(await runWorkerCli(["--config", writeConfig(configJson({ results: { dir: results } }))], cliIo, connect)).to.equal(2);
      expect(stderr.text()).to.equal(
        `latent-worker: another worker (pid 1) serves provider ${PROVIDER} with this JobEscrow (${claim}): run one worker ` +
          "per provider, or stop that one first\n",
      );
      expect(connected).to.equal(false);
    });

    it("claims the provider while it runs and gives the claim back when it stops", async () => {
      const results = path.join(dir, "results");
      const claim = providerClaimFile(results, PROVIDER, CONTRACTS.jobEscrow);
      const source: JobSource = {
        async *jobs(signal: AbortSignal): AsyncGenerator<CandidateJob> {
          await new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
        },
      };
      const connect: ConnectNetwork = async () => ({ source, market: idleMarket(), close: async () => undefined });
      const { io: cliIo, signals } = io();
      const exit = runWorkerCli(["--config", writeConfig(configJson({ results: { dir: results } }))], cliIo, connect);
      await waitUntil(() => signals.listenerCount("SIGTERM") > 0, "the CLI listens for SIGTERM");
      expect(fs.readFileSync(claim, "utf8")).to.equal(`${process.pid}\n`);
      signals.emit("SIGTERM");
      expect(await exit).to.equal(0);
      expect(fs.existsSync(claim)).to.equal(false);
    });

    it("exits 2 naming config.executors.command.program, before connecting, when the program cannot be run", async () => {
      const notExecutable = path.join(dir, "job.sh");
      fs.writeFileSync(notExecutable, "#!/bin/sh\necho ok\n", { mode: 0o644 });
      for (const program of [notExecutable, path.join(dir, "missing")]) {
        let connected = false;
        const connect: ConnectNetwork = async () => {
          connected = true;
          throw new Error("must not connect");
        };
        const config = configJson({ executors: { command: { enabled: true, program } } });
        const { io: cliIo, stderr } = io();
        expect(await runWorkerCli(["--config", writeConfig(config)], cliIo, connect)).to.equal(2);
        expect(stderr.text()).to.match(new RegExp(`^latent-worker: config\\.executors\\.command\\.program: ${program} cannot be run: `));
        expect(connected).to.equal(false);
      }
    });

    it("exits 2 naming config.executors.command.workDir, before connecting, when job directories cannot be made there", async () => {
      const program = path.join(dir, "job.sh");
      fs.writeFileSync(program, "#!/bin/sh\necho ok\n", { mode: 0o755 });
      // Under a regular file: no directory can be made there, whoever runs the test (root may write anywhere else).
      const blocker = path.join(dir, "blocker");
      fs.writeFileSync(blocker, "");
      const workDir = path.join(blocker, "jobs");
      let connected = false;
      const connect: ConnectNetwork = async () => {
        connected = true;
        throw new Error("must not connect");
      };
      const config = configJson({ executors: { command: { enabled: true, program, expectedSeconds: 60, workDir } } });
      const { io: cliIo, stderr } = io();
      expect(await runWorkerCli(["--config", writeConfig(config)], cliIo, connect)).to.equal(2);
      expect(stderr.text()).to.match(
        new RegExp(`^latent-worker: job work directory ${workDir} \\(config\\.executors\\.command\\.workDir\\) does not exist and cannot be created: .*ENOTDIR`),
      );
      expect(connected).to.equal(false);
    });

    it("warns once at start that command jobs are accepted without a run-time check while expectedSeconds is unset", async () => {
      const program = path.join(dir, "job.sh");
      fs.writeFileSync(program, "#!/bin/sh\necho ok\n", { mode: 0o755 });
      const warnings = async (command: Record<string, unknown>): Promise<string[]> => {
        const config = configJson({
          logLevel: "warn",
          policy: { acceptedKinds: ["matmul", "command"] },
          executors: { command: { enabled: true, program, ...command } },
        });
        const { io: cliIo, stderr } = io();
        expect(await runWorkerCli(["--config", writeConfig(config), "--check"], cliIo)).to.equal(0);
        const records = stderr.text().trimEnd().split("\n").filter((line) => line !== "");
        return records.map((line) => (JSON.parse(line) as { msg: string }).msg);
      };
      const unchecked = (await warnings({})).filter((msg) => msg.includes("without a run-time check"));
      expect(unchecked).to.deep.equal([
        "command jobs are accepted without a run-time check: config.executors.command.expectedSeconds is not set, so a " +
          "job whose maxDuration is too short for the program is accepted, stopped at its maxDuration and slashed",
      ]);
      expect((await warnings({ expectedSeconds: 60 })).filter((msg) => msg.includes("without a run-time check"))).to.deep.equal([]);
    });

    /** The stderr of a worker whose connect logs `record`'s fields as a warning, then fails with `failure`. */
    const loggedWhileRunning = async (fields: Record<string, unknown>, failure: Error): Promise<string> => {
      const connect: ConnectNetwork = async ({ logger }) => {
        logger.warn("retrying", fields);
        throw failure;
      };
      const config = configJson({ logLevel: "warn", results: { dir: path.join(dir, "results"), publicBaseUrl: "https://results.example.org/latent" } });
      const { io: cliIo, stderr } = io();
      expect(await runWorkerCli(["--config", writeConfig(config)], cliIo, connect)).to.equal(1);
      return stderr.text();
    };

    it("logs and prints a running worker's errors without the key of a URL that no config field holds", async () => {
      const other = "https://eth-other.example.org/v2/key123";
      const text = await loggedWhileRunning({ error: new Error(`eth_call to ${other} failed`) }, new Error(`${other}: HTTP 503`));
      expect(text).not.to.contain("key123");
      expect(text).to.contain("eth_call to https://eth-other.example.org/… failed");
      expect(text).to.contain("latent-worker: cannot connect: https://eth-other.example.org/…: HTTP 503");
    });

    it("prints an ethers error that ends the start by its short message and code, not the signed transaction its full message holds", async () => {
      const signed = `0x02f8${"ab".repeat(120)}`;
      const connect: ConnectNetwork = async () => {
        throw makeError("could not coalesce error", "UNKNOWN_ERROR", { payload: { method: "eth_sendRawTransaction", params: [signed] } });
      };
      const { io: cliIo, stderr } = io();
      expect(await runWorkerCli(["--config", writeConfig(configJson())], cliIo, connect)).to.equal(1);
      expect(stderr.text()).to.equal("latent-worker: cannot connect: could not coalesce error (UNKNOWN_ERROR)\n");
    });

    it("logs and prints a result file's URI under config.results.publicBaseUrl whole", async () => {
      const uri = `https://results.example.org/latent/${"ab".repeat(32)}.bin`;
      const text = await loggedWhileRunning({ error: new Error(`submitting ${uri} failed`) }, new Error(`result URI ${uri} refused`));
      expect(text).to.contain(`"submitting ${uri} failed"`);
      expect(text).to.contain(`latent-worker: cannot connect: result URI ${uri} refused`);
    });

    it("exits 2 naming config.results.publicBaseUrl, before connecting, when a result file's URI could not be submitted", async () => {
      let connected = false;
      const connect: ConnectNetwork = async () => {
        connected = true;
        throw new Error("must not connect");
      };
      const publicBaseUrl = `https://results.example.org/${"a".repeat(180)}`;
      const config = configJson({ results: { dir: path.join(dir, "results"), publicBaseUrl } });
      const { io: cliIo, stderr } = io();
      expect(await runWorkerCli(["--config", writeConfig(config)], cliIo, connect)).to.equal(2);
      expect(stderr.text()).to.equal(
        `latent-worker: config.results.publicBaseUrl is too long: a result file would be named ${publicBaseUrl}/` +
          `${"0".repeat(64)}.bin, 277 bytes, but config.results.maxUriBytes is 256\n`,
      );
      expect(connected).to.equal(false);
    });

    for (const [what, resultsDir, message] of [
      [
        "cannot be made",
        () => {
          const file = path.join(dir, "a-file");
          fs.writeFileSync(file, "");
          return path.join(file, "results");
        },
        (results: string) =>
          new RegExp(`^latent-worker: results directory ${results} \\(config\\.results\\.dir\\) does not exist and cannot be created: .*ENOTDIR`),
      ],
      [
        // sysfs refuses new files even to root, whose access() check passes: the write itself is what tells.
        "cannot be written in, even where access() says it can (Linux's /sys/kernel)",
        () => "/sys/kernel",
        (results: string) => new RegExp(`^latent-worker: results directory ${results} \\(config\\.results\\.dir\\) is not writable: `),
      ],
      [
        "is too long for a result file's file:// URI",
        () => path.join(dir, "r".repeat(200)),
        (results: string) =>
          new RegExp(
            `^latent-worker: config\\.results\\.dir is too long: a result file would be named file://${results}/${"0".repeat(64)}\\.bin, ` +
              `\\d+ bytes, but config\\.results\\.maxUriBytes is 256\\n$`,
          ),
      ],
    ] as const) {
      it(`exits 2 naming config.results.dir, before connecting, when it ${what}`, async () => {
        let connected = false;
        const connect: ConnectNetwork = async () => {
          connected = true;
          throw new Error("must not connect");
        };
        const results = resultsDir();
        const { io: cliIo, stderr } = io();
        expect(await runWorkerCli(["--config", writeConfig(configJson({ results: { dir: results } }))], cliIo, connect)).to.equal(2);
        expect(stderr.text()).to.match(message(results));
        expect(connected).to.equal(false);
      });
    }

    describe("directories the config names", () => {
      const program = () => {
        const file = path.join(dir, "job.sh");
        fs.writeFileSync(file, "#!/bin/sh\necho ok\n", { mode: 0o755 });
        return file;
      };
      const fields = [
        { field: "results.dir", what: "results directory", json: (value: string) => ({ results: { dir: value } }) },
        { field: "specs.fileRoot", what: "spec file root", json: (value: string) => ({ specs: { fileRoot: value } }) },
        {
          field: "executors.command.workDir",
          what: "job work directory",
          json: (value: string) => ({ executors: { command: { enabled: true, program: program(), expectedSeconds: 60, workDir: value } } }),
        },
      ] as const;
      /** The exit status and stderr of a worker started with `overrides`, which must fail before it connects. */
      const setupFailure = async (overrides: Record<string, unknown>): Promise<{ code: number; stderr: string }> => {
        let connected = false;
        const connect: ConnectNetwork = async () => {
          connected = true;
          throw new Error("must not connect");
        };
        const { io: cliIo, stderr } = io();
        const code = await runWorkerCli(["--config", writeConfig(configJson(overrides))], cliIo, connect);
        expect(connected).to.equal(false);
        return { code, stderr: stderr.text() };
      };
      /**
       * setupFailure for a directory whose mode bits lock the worker out. Root reads and writes whatever the mode bits
       * say (CI runs as root), so there the worker runs as a process of the unprivileged `nobody` instead.
       */
      const lockedOutFailure = async (overrides: Record<string, unknown>): Promise<{ code: number; stderr: string }> => {
        if (process.getuid?.() !== 0) return setupFailure(overrides);
        // nobody's own directory, as a worker's is: only the locked one inside it is closed to it.
        fs.chownSync(dir, NOBODY, NOBODY);
        const { code, stderr } = await runLauncher(["--config", writeConfig(configJson(overrides))], { TEST_OPERATOR_KEY: KEY }, { uid: NOBODY, gid: NOBODY });
        return { code, stderr };
      };
      const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

      for (const { field, what, json } of fields) {
        it(`exits 2 when config.${field} is a file, naming the field, the path and that it is not a directory`, async () => {
          const file = path.join(dir, "a-file");
          fs.writeFileSync(file, "");
          const { code, stderr } = await setupFailure(json(file));
          expect(code).to.equal(2);
          expect(stderr).to.equal(`latent-worker: ${what} ${file} (config.${field}) is not a directory\n`);
        });

        if (field !== "specs.fileRoot") {
          // Node's recursive mkdir makes the parent again and retries, forever, where mkdir answers ENOENT under a
          // parent that exists: the worker hung at start, burning a CPU.
          it(`exits 2 when config.${field} cannot be made where mkdir answers ENOENT under a parent that exists (/proc/x), naming the path`, async () => {
            const { code, stderr } = await setupFailure(json("/proc/x"));
            expect(code).to.equal(2);
            expect(stderr).to.match(new RegExp(`^latent-worker: ${what} /proc/x \\(config\\.${escape(field)}\\) does not exist and cannot be created: .*ENOENT`));
          });
        }

        it(`exits 2 when config.${field} is relative and resolves to a file, showing it as written and as resolved`, async () => {
          fs.writeFileSync(path.join(dir, "a-file"), "");
          const { code, stderr } = await setupFailure(json("a-file"));
          expect(code).to.equal(2);
          expect(stderr).to.equal(
            `latent-worker: ${what} ${path.join(dir, "a-file")} (config.${field} is "a-file", a relative path, resolved ` +
              `against the config file's directory ${dir}, not the current directory) is not a directory\n`,
          );
        });

        it(`exits 2 when config.${field} is not ${field === "specs.fileRoot" ? "readable" : "writable"}, naming the field and the path`, async () => {
          const locked = path.join(dir, "locked");
          fs.mkdirSync(locked, { mode: 0o000 });
          try {
            const { code, stderr } = await lockedOutFailure(json(locked));
            expect(code).to.equal(2);
            expect(stderr).to.match(new RegExp(`^latent-worker: ${what} ${escape(locked)} \\(config\\.${escape(field)}\\) is not (readable|writable): .*EACCES`));
          } finally {
            fs.chmodSync(locked, 0o700);
          }
        });
      }

      it("exits 2 when config.specs.fileRoot does not exist, which it would not create: every file: spec would fail", async () => {
        const missing = path.join(dir, "no-specs");
        const { code, stderr } = await setupFailure({ specs: { fileRoot: missing } });
        expect(code).to.equal(2);
        expect(stderr).to.equal(`latent-worker: spec file root ${missing} (config.specs.fileRoot) does not exist\n`);
        expect(fs.existsSync(missing)).to.equal(false);
      });

      it("creates a missing results.dir and executors.command.workDir, relative ones under the config file's directory", async () => {
        const config = configJson({
          results: { dir: "out/results" },
          executors: { command: { enabled: true, program: program(), expectedSeconds: 60, workDir: "out/work" } },
        });
        const { io: cliIo } = io();
        expect(await runWorkerCli(["--config", writeConfig(config), "--check"], cliIo)).to.equal(0);
        expect(fs.statSync(path.join(dir, "out", "results")).isDirectory()).to.equal(true);
        expect(fs.statSync(path.join(dir, "out", "work")).isDirectory()).to.equal(true);
      });

      it("names the default results.dir as a default when it cannot be made, resolved against the config file's directory", async () => {
        fs.writeFileSync(path.join(dir, "results"), "");
        const { code, stderr } = await setupFailure({});
        expect(code).to.equal(2);
        expect(stderr).to.equal(
          `latent-worker: results directory ${path.join(dir, "results")} (config.results.dir is not set: its default ` +
            `"results" is resolved against the config file's directory ${dir}, not the current directory) is not a directory\n`,
        );
      });
    });

    it("exits 2 naming the chain when the RPC endpoint serves another chain than the config's", async () => {
      // A stand-in node that is on chain 1.
      const server = http.createServer((_request, response) => {
        response.setHeader("content-type", "application/json");
        response.end(JSON.stringify({ jsonrpc: "2.0", id: 1, result: "0x1" }));
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      try {
        const { port } = server.address() as AddressInfo;
        const config = configJson({ chain: { rpcUrl: `http://127.0.0.1:${port}`, chainId: 31337 } });
        const { io: cliIo, stderr } = io();
        expect(await runWorkerCli(["--config", writeConfig(config)], cliIo)).to.equal(2);
        expect(stderr.text()).to.equal(
          "latent-worker: the RPC endpoint serves chain 1, but config.chain.chainId says 31337\n",
        );
      } finally {
        await new Promise((resolve) => server.close(resolve));
      }
    });

    it("exits 2 naming the deployment file when it was written for another chain than the RPC endpoint serves", async () => {
      // The node is on chain 31337; the deployment file (a testnet's, say) says 1. The config sets no chainId.
      const node = await fakeNode(() => {
        throw new Error("nothing is read once the chain is known to be wrong");
      });
      try {
        const deploymentFile = path.join(dir, "deployment.json");
        fs.writeFileSync(
          deploymentFile,
          JSON.stringify({
            chainId: 1,
            JobEscrow: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
            ProviderRegistry: "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512",
          }),
        );
        const config = configJson({ chain: { rpcUrl: node.url }, contracts: { deploymentFile } });
        const { io: cliIo, stderr } = io();
        expect(await runWorkerCli(["--config", writeConfig(config)], cliIo)).to.equal(2);
        expect(stderr.text()).to.equal(
          "latent-worker: the RPC endpoint serves chain 31337, but the deployment file " +
            `${deploymentFile} (config.contracts.deploymentFile) says 1\n`,
        );
      } finally {
        await node.close();
      }
    });

    it("exits 2 for a relative deployment file of another chain, naming the field, the path as written and where it led", async () => {
      const node = await fakeNode(() => {
        throw new Error("nothing is read once the chain is known to be wrong");
      });
      try {
        fs.mkdirSync(path.join(dir, "deployments"), { recursive: true });
        const resolved = path.join(dir, "deployments", "mainnet.json");
        fs.writeFileSync(
          resolved,
          JSON.stringify({
            chainId: 1,
            JobEscrow: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
            ProviderRegistry: "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512",
          }),
        );
        const config = configJson({ chain: { rpcUrl: node.url }, contracts: { deploymentFile: "deployments/mainnet.json" } });
        const { io: cliIo, stderr } = io();
        expect(await runWorkerCli(["--config", writeConfig(config)], cliIo)).to.equal(2);
        expect(stderr.text()).to.equal(
          `latent-worker: the RPC endpoint serves chain 31337, but the deployment file ${resolved} ` +
            `(config.contracts.deploymentFile is "deployments/mainnet.json", a relative path, resolved against the config ` +
            `file's directory ${dir}, not the current directory) says 1\n`,
        );
      } finally {
        await node.close();
      }
    });

    it("exits 2 naming the contract when the configured address holds no code", async () => {
      const node = await fakeNode(() => "0x");
      try {
        const { io: cliIo, stderr } = io();
        expect(await runWorkerCli(["--config", writeConfig(configJson({ chain: { rpcUrl: node.url } }))], cliIo)).to.equal(2);
        expect(stderr.text()).to.equal(
          "latent-worker: there is no JobEscrow contract at 0x5FbDB2315678afecb367f032d93F642f64180aa3 on chain 31337 (check config.contracts)\n",
        );
      } finally {
        await node.close();
      }
    });

    it("exits 2 naming both registries when the configured JobEscrow uses another ProviderRegistry than the configured one", async () => {
      const other = "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0";
      const node = await fakeNode((request) => {
        if (request.method === "eth_getCode") return "0x6000";
        const data = (request.params[0] as { data: string }).data;
        if (data === ESCROW.encodeFunctionData("registry")) return ESCROW.encodeFunctionResult("registry", [other]);
        throw new Error(`unexpected call ${request.method} ${data}`);
      });
      try {
        const { io: cliIo, stderr } = io();
        expect(await runWorkerCli(["--config", writeConfig(configJson({ chain: { rpcUrl: node.url } }))], cliIo)).to.equal(2);
        expect(stderr.text()).to.equal(
          `latent-worker: the JobEscrow at ${CONTRACTS.jobEscrow} uses the ProviderRegistry at ${other}, but ` +
            `config.contracts.providerRegistry names the ProviderRegistry at ${CONTRACTS.providerRegistry}: they are not one ` +
            "deployment (a stale deployment file?)\n",
        );
      } finally {
        await node.close();
      }
    });

    it("exits 2 when the provider has named another operator than the key", async () => {
      const registry = IProviderRegistry__factory.createInterface();
      const node = await fakeNode((request) => {
        if (request.method === "eth_getCode") return "0x6000";
        const data = (request.params[0] as { data: string }).data;
        if (data === ESCROW.encodeFunctionData("registry")) return ESCROW.encodeFunctionResult("registry", [CONTRACTS.providerRegistry]);
        const call = registry.parseTransaction({ data });
        if (call?.name === "isAuthorized") return registry.encodeFunctionResult("isAuthorized", [false]);
        if (call?.name === "getProvider") {
          const record = [ZeroAddress, 1, 0, 24, 1, false, true, `0x${"00".repeat(32)}`, 1n, `0x${"00".repeat(16)}`];
          return registry.encodeFunctionResult("getProvider", [record]);
        }
        throw new Error(`unexpected call ${request.method} ${call?.name ?? data}`);
      });
      try {
        const { io: cliIo, stderr } = io();
        expect(await runWorkerCli(["--config", writeConfig(configJson({ chain: { rpcUrl: node.url } }))], cliIo)).to.equal(2);
        expect(stderr.text()).to.equal(
          `latent-worker: the operator key (${PROVIDER}) is not the operator of provider ${PROVIDER}: ` +
            "the owner names it with `npx hardhat provider operator --operator <address>`\n",
        );
      } finally {
        await node.close();
      }
    });

    it("exits 2 naming the URL and the status when chain.rpcUrl answers HTTP 404", async () => {
      const server = http.createServer((_request, response) => {
        response.statusCode = 404;
        response.end("not found");
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      try {
        const { port } = server.address() as AddressInfo;
        const config = configJson({ chain: { rpcUrl: `http://127.0.0.1:${port}/` } });
        const { io: cliIo, stderr } = io();
        expect(await runWorkerCli(["--config", writeConfig(config)], cliIo)).to.equal(2);
        expect(stderr.text()).to.equal(`latent-worker: http://127.0.0.1:${port}/ answered HTTP 404\n`);
      } finally {
        await new Promise((resolve) => server.close(resolve));
      }
    });

    it("exits 2 at once, naming the field, the port and the fix, when chain.rpcUrl is on a port fetch never connects to", async () => {
      const config = configJson({ chain: { rpcUrl: "http://127.0.0.1:6000/v2/sEcReTkEy" } });
      const { io: cliIo, stderr } = io();
      expect(await runWorkerCli(["--config", writeConfig(config)], cliIo)).to.equal(2);
      expect(stderr.text()).to.equal(
        "latent-worker: config.chain.rpcUrl: names port 6000 (http://127.0.0.1:6000), one that Node's fetch never " +
          'connects to (a "bad port" of the Fetch standard), so the worker could never reach the node there: serve the ' +
          "node on another port and set chain.rpcUrl to it\n",
      );
    });

    it("exits 2 naming the field when chain.rpcUrl answers eth_chainId with something that is not JSON", async () => {
      const server = http.createServer((_request, response) => response.end("<html>a web server</html>"));
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      try {
        const { port } = server.address() as AddressInfo;
        const config = configJson({ chain: { rpcUrl: `http://127.0.0.1:${port}` } });
        const { io: cliIo, stderr } = io();
        expect(await runWorkerCli(["--config", writeConfig(config)], cliIo)).to.equal(2);
        expect(stderr.text()).to.equal(
          `latent-worker: the RPC endpoint http://127.0.0.1:${port} (config.chain.rpcUrl) answered eth_chainId with something that is not JSON\n`,
        );
      } finally {
        await new Promise((resolve) => server.close(resolve));
      }
    });

    it("exits 2 naming the provider when it is not registered", async () => {
      const market = idleMarket();
      const connect: ConnectNetwork = async () => ({
        source: { jobs: async function* () {} },
        market: { ...market, getProvider: async () => ({ ...(await market.getProvider()), registered: false }) },
        close: async () => undefined,
      });
      const { io: cliIo, stderr } = io();
      expect(await runWorkerCli(["--config", writeConfig(configJson())], cliIo, connect)).to.equal(2);
      expect(stderr.text()).to.equal(
        `latent-worker: provider ${PROVIDER} is not registered in the ProviderRegistry: the owner registers it with \`npx hardhat provider register\`\n`,
      );
    });

    const otherVersions: [string, () => Error, RegExp][] = [
      [
        "refuses the worker's query with a GraphQL error an outage does not give",
        () => new GatewayResponseError("openJobs", [{ message: 'Cannot query field "openJobs"', code: "GRAPHQL_VALIDATION_FAILED" }]),
        /^latent-worker: the gateway refused openJobs: Cannot query field "openJobs" \[GRAPHQL_VALIDATION_FAILED\]\n$/,
      ],
      [
        "answers the worker's query in another shape",
        () => new GatewayProtocolError("http://worker:pAsSwOrD@127.0.0.1:4000/graphql", "openJobs is not a job connection"),
        /^latent-worker: unexpected answer from the gateway at http:\/\/127\.0\.0\.1:4000\/graphql: openJobs is not a job connection\n$/,
      ],
    ];
    for (const [what, failure, message] of otherVersions) {
      it(`exits 2, a restart alone being no help, when a gateway of another version ${what} at start`, async () => {
        const connect: ConnectNetwork = async () => ({
          source: {
            // eslint-disable-next-line require-yield
            jobs: async function* () {
              throw failure();
            },
          },
          market: idleMarket(),
          close: async () => undefined,
        });
        const { io: cliIo, stderr } = io();
        expect(await runWorkerCli(["--config", writeConfig(configJson({ logLevel: "error" }))], cliIo, connect)).to.equal(2);
        expect(stderr.text().split("\n").filter((line) => line.startsWith("latent-worker:")).join("\n") + "\n").to.match(message);
      });
    }

    it("exits 2 at once, before querying openJobs, when a gateway of another version refuses the listing of the jobs in hand", async () => {
      let feeds = 0;
      const connect: ConnectNetwork = async () => ({
        source: {
          // eslint-disable-next-line require-yield
          jobs: async function* () {
            feeds += 1;
          },
          jobsInHand: async () => {
            throw new GatewayResponseError("jobs", [{ message: 'Cannot query field "jobs"', code: "GRAPHQL_VALIDATION_FAILED" }]);
          },
        },
        market: idleMarket(),
        close: async () => undefined,
      });
      const { io: cliIo, stderr } = io();
      expect(await runWorkerCli(["--config", writeConfig(configJson({ logLevel: "error" }))], cliIo, connect)).to.equal(2);
      expect(stderr.text().split("\n").filter((line) => line.startsWith("latent-worker:"))).to.deep.equal([
        'latent-worker: the gateway refused jobs: Cannot query field "jobs" [GRAPHQL_VALIDATION_FAILED]',
      ]);
      expect(feeds).to.equal(0);
    });

    describe("--check against the chain", () => {
      const registry = IProviderRegistry__factory.createInterface();
      /** A node on chain 31337 where both contracts hold code and are one deployment, and the provider is as given. */
      const nodeWith = (provider: { registered: boolean; authorized: boolean; online: boolean }) =>
        fakeNode((request) => {
          if (request.method === "eth_getCode") return "0x6000";
          const data = (request.params[0] as { data: string }).data;
          if (data === ESCROW.encodeFunctionData("registry")) return ESCROW.encodeFunctionResult("registry", [CONTRACTS.providerRegistry]);
          const call = registry.parseTransaction({ data });
          if (call?.name === "isAuthorized") return registry.encodeFunctionResult("isAuthorized", [provider.authorized]);
          if (call?.name === "getProvider") {
            const record = [PROVIDER, 1, 0, 24, 1, provider.online, provider.registered, `0x${"00".repeat(32)}`, 1n, `0x${"00".repeat(16)}`];
            return registry.encodeFunctionResult("getProvider", [record]);
          }
          throw new Error(`unexpected call ${request.method} ${call?.name ?? data}`);
        });

      it("summarises the chain it checked: its id and whether the provider is online", async () => {
        const node = await nodeWith({ registered: true, authorized: true, online: false });
        try {
          const { io: cliIo, stdout } = io();
          expect(await runWorkerCli(["--config", writeConfig(configJson({ chain: { rpcUrl: node.url } })), "--check"], cliIo)).to.equal(0);
          expect((JSON.parse(stdout.text()) as { network: unknown }).network).to.deep.equal({ checked: true, chainId: 31337, online: false });
        } finally {
          await node.close();
        }
      });

      it("exits 2 naming the chain when the RPC endpoint serves another chain than the config's", async () => {
        const node = await nodeWith({ registered: true, authorized: true, online: false });
        try {
          const { io: cliIo, stdout, stderr } = io();
          const config = configJson({ chain: { rpcUrl: node.url, chainId: 1 } });
          expect(await runWorkerCli(["--config", writeConfig(config), "--check"], cliIo)).to.equal(2);
          expect(stderr.text()).to.equal("latent-worker: the RPC endpoint serves chain 31337, but config.chain.chainId says 1\n");
          expect(stdout.text()).to.equal("");
        } finally {
          await node.close();
        }
      });

      it("exits 2 naming the provider when it is not registered", async () => {
        const node = await nodeWith({ registered: false, authorized: false, online: false });
        try {
          const { io: cliIo, stderr } = io();
          expect(await runWorkerCli(["--config", writeConfig(configJson({ chain: { rpcUrl: node.url } })), "--check"], cliIo)).to.equal(2);
          expect(stderr.text()).to.equal(
            `latent-worker: provider ${PROVIDER} is not registered in the ProviderRegistry: the owner registers it with \`npx hardhat provider register\`\n`,
          );
        } finally {
          await node.close();
        }
      });

      it("exits 2 when the provider has named another operator than the key", async () => {
        const node = await nodeWith({ registered: true, authorized: false, online: true });
        try {
          const { io: cliIo, stderr } = io();
          expect(await runWorkerCli(["--config", writeConfig(configJson({ chain: { rpcUrl: node.url } })), "--check"], cliIo)).to.equal(2);
          expect(stderr.text()).to.contain(`latent-worker: the operator key (${PROVIDER}) is not the operator of provider ${PROVIDER}`);
        } finally {
          await node.close();
        }
      });
    });

    it("exits 1 when the RPC endpoint stays down past the retries", async () => {
      const server = http.createServer();
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      const { port } = server.address() as AddressInfo;
      await new Promise((resolve) => server.close(resolve));
      const config = configJson({
        chain: { rpcUrl: `http://127.0.0.1:${port}` },
        retry: { maxAttempts: 2, initialDelayMs: 1, maxDelayMs: 2 },
      });
      const { io: cliIo, stderr } = io();
      expect(await runWorkerCli(["--config", writeConfig(config)], cliIo)).to.equal(1);
      expect(stderr.text()).to.equal(`latent-worker: cannot connect: gave up after 2 attempts: fetch failed: connect ECONNREFUSED 127.0.0.1:${port}\n`);
    });

    it("keeps the API key in the RPC endpoint's URL out of its logs and messages when the node answers HTTP errors", async () => {
      // As Alchemy and Infura do, the key is the URL's last path segment; ethers puts the URL in its HTTP errors.
      const server = http.createServer((request, response) => {
        const chunks: Buffer[] = [];
        request.on("data", (chunk: Buffer) => chunks.push(chunk));
        request.on("end", () => {
          const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as RpcRequest | RpcRequest[];
          if (!Array.isArray(body) && body.method === "eth_chainId") {
            response.setHeader("content-type", "application/json");
            response.end(JSON.stringify({ jsonrpc: "2.0", id: body.id, result: "0x7a69" }));
            return;
          }
          response.statusCode = 503;
          response.end("upstream unavailable");
        });
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      try {
        const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
        const config = configJson({
          chain: { rpcUrl: `${origin}/v2/sEcReTkEy0123456789` },
          retry: { maxAttempts: 2, initialDelayMs: 1, maxDelayMs: 2 },
          logLevel: "warn",
        });
        const { io: cliIo, stderr } = io();
        expect(await runWorkerCli(["--config", writeConfig(config)], cliIo)).to.equal(1);
        expect(stderr.text()).not.to.contain("sEcReTkEy0123456789");
        expect(stderr.text()).to.contain("transient failure; retrying").and.to.contain(`${origin}/…`);
      } finally {
        await new Promise((resolve) => server.close(resolve));
      }
    });

    it("exits 1 naming the failure when the worker fails while running, and still closes the network (going offline)", async () => {
      let closed = false;
      const source: JobSource = {
        // eslint-disable-next-line require-yield
        async *jobs(): AsyncGenerator<CandidateJob> {
          throw new Error("the job feed broke");
        },
      };
      const connect: ConnectNetwork = async () => ({ source, market: idleMarket(), close: async () => void (closed = true) });
      const { io: cliIo, stderr, signals } = io();
      expect(await runWorkerCli(["--config", writeConfig(configJson())], cliIo, connect)).to.equal(1);
      expect(stderr.text()).to.contain("latent-worker: the job feed broke\n");
      expect(closed).to.equal(true);
      expect(signals.listenerCount("SIGTERM")).to.equal(0);
    });

    it("stops waiting to put the provider offline on a signal while closing after a failure, and exits 1", async () => {
      let closing: AbortSignal | undefined;
      const source: JobSource = {
        // eslint-disable-next-line require-yield
        async *jobs(): AsyncGenerator<CandidateJob> {
          throw new Error("the job feed broke");
        },
      };
      // As a chain that never answers the provider's read: closing ends only when its signal says so.
      const connect: ConnectNetwork = async () => ({
        source,
        market: idleMarket(),
        close: (signal) => {
          closing = signal;
          return new Promise<void>((resolve) => signal?.addEventListener("abort", () => resolve(), { once: true }));
        },
      });
      const { io: cliIo, stderr, signals } = io();
      const exit = runWorkerCli(["--config", writeConfig(configJson({ logLevel: "warn" }))], cliIo, connect);
      await waitUntil(() => closing !== undefined, "the CLI closes the network");
      signals.emit("SIGINT");
      expect(await exit).to.equal(1);
      expect(closing?.aborted).to.equal(true);
      const logged = stderr.text().split("\n").filter((line) => line.startsWith("{")).map((line) => (JSON.parse(line) as { msg: string }).msg);
      expect(logged).to.include("signal received: no longer waiting to put the provider offline");
    });

    it("keeps listening for signals until the network is closed (going offline), so npm's copy of a Ctrl-C cannot end it first", async () => {
      let closing = false;
      let closed: () => void = () => undefined;
      const source: JobSource = {
        async *jobs(signal: AbortSignal): AsyncGenerator<CandidateJob> {
          await new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
        },
      };
      // As a setOnline(false) whose receipt is still awaited: closing ends only when the test says so.
      const connect: ConnectNetwork = async () => ({
        source,
        market: idleMarket(),
        close: () => {
          closing = true;
          return new Promise<void>((resolve) => (closed = resolve));
        },
      });
      const { io: cliIo, signals } = io();
      const exit = runWorkerCli(["--config", writeConfig(configJson())], cliIo, connect);
      await waitUntil(() => signals.listenerCount("SIGINT") > 0, "the CLI listens for SIGINT");
      signals.emit("SIGINT");
      await waitUntil(() => closing, "the CLI closes the network");
      // Without a listener, Node's default for the repeated SIGINT would end the process here.
      expect(signals.listenerCount("SIGINT"), "SIGINT listeners while closing").to.be.greaterThan(0);
      closed();
      expect(await exit).to.equal(0);
      expect(signals.listenerCount("SIGINT") + signals.listenerCount("SIGTERM")).to.equal(0);
    });

    it("on a SIGTERM while connecting (going online), closes the network once connected (going offline) and exits 0 without running the worker", async () => {
      let providerReads = 0;
      let closed = false;
      let connected: () => void = () => undefined;
      let connecting = false;
      const market = idleMarket(() => (providerReads += 1));
      const source: JobSource = {
        async *jobs(signal: AbortSignal): AsyncGenerator<CandidateJob> {
          await new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
        },
      };
      // As a setOnline whose receipt is still awaited: connecting ends only when the test says so, signal or not.
      const connect: ConnectNetwork = async () => {
        connecting = true;
        await new Promise<void>((resolve) => (connected = resolve));
        return { source, market, close: async () => void (closed = true) };
      };
      const { io: cliIo, signals } = io();
      let exited = false;
      const exit = runWorkerCli(["--config", writeConfig(configJson())], cliIo, connect).finally(() => (exited = true));
      try {
        await waitUntil(() => connecting, "the CLI connects");
        signals.emit("SIGTERM");
        connected();
        // Either the CLI ends, or the worker starts (and reads its provider): the first comes first only with the fix.
        await waitUntil(() => exited || providerReads > 0, "the CLI exits or the worker starts");
        expect(providerReads, "the worker ran").to.equal(0);
        expect(await exit).to.equal(0);
        expect(closed).to.equal(true);
        expect(signals.listenerCount("SIGTERM") + signals.listenerCount("SIGINT")).to.equal(0);
      } finally {
        if (!exited) signals.emit("SIGTERM");
        await exit;
      }
    });

    it("on a SIGINT while connecting, stops connecting (no more retries) and exits 0", async () => {
      let connecting = false;
      // As connectNetwork retrying a node that is down: it stops at the signal it is given, and only then.
      const connect: ConnectNetwork = ({ signal }) => {
        connecting = true;
        return new Promise((_resolve, reject) =>
          signal?.addEventListener("abort", () => reject(new Error("connect ECONNREFUSED")), { once: true }),
        );
      };
      const { io: cliIo, stderr, signals } = io();
      let exited = false;
      const exit = runWorkerCli(["--config", writeConfig(configJson())], cliIo, connect).finally(() => (exited = true));
      await waitUntil(() => connecting, "the CLI connects");
      signals.emit("SIGINT");
      await waitUntil(() => exited, "the CLI exits");
      expect(await exit).to.equal(0);
      expect(stderr.text()).not.to.contain("cannot connect");
    });

    it("runs the worker on the connected network and exits 0 after SIGTERM", async () => {
      let providerReads = 0;
      let closed = false;
      const market = idleMarket(() => (providerReads += 1));
      const source: JobSource = {
        async *jobs(signal: AbortSignal): AsyncGenerator<CandidateJob> {
          await new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
        },
      };
      const connect: ConnectNetwork = async () => ({ source, market, close: async () => void (closed = true) });
      const { io: cliIo, signals } = io();
      const exit = runWorkerCli(["--config", writeConfig(configJson())], cliIo, connect);
      await waitUntil(() => providerReads > 0, "the worker reads its provider");
      signals.emit("SIGTERM");
      expect(await exit).to.equal(0);
      expect(closed).to.equal(true);
      expect(signals.listenerCount("SIGTERM")).to.equal(0);
    });
  });
});
