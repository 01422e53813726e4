import { expect } from "chai";
import { execFile, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { cliLogger, parseCli } from "../../gateway/src/cli";
import { collectOutput, spawnTsCli } from "../helpers/child-output";
import { WriterLock } from "../../subgraph/indexer/store/writer-lock";
import { API_KEY, fakeDeployment, startKeyedRpc } from "../helpers/keyed-rpc";
import { startSilentNode } from "../helpers/silent-node";
import { PROCESS_START_MS, waitUntil } from "../helpers/wait";
import { environment } from "./helpers/environment";

const ROOT = path.resolve(__dirname, "..", "..");

describe("gateway CLI", function () {
  it("runs the embedded indexer by default, on 127.0.0.1:4000", function () {
    const { options, logLevel } = parseCli(["--rpc-url", "http://127.0.0.1:9545"], {});
    expect(options.port).to.equal(4000);
    expect(options.host).to.equal("127.0.0.1");
    expect(logLevel).to.equal("info");
    expect(options.source).to.include({ rpcUrl: "http://127.0.0.1:9545", dbPath: path.resolve(".data/gateway-indexer.sqlite") });
    expect(options.chain).to.deep.equal({ rpcUrl: "http://127.0.0.1:9545", deployment: path.resolve("deployments/localhost.json") });
  });

  it("allows every origin and answers /readyz within 5 blocks by default", function () {
    const { options } = parseCli([], {});
    expect(options.corsOrigins).to.equal("*");
    expect(options.maxLag).to.equal(5);
  });

  it("reads the deployment, database and subgraph build from their flags", function () {
    const { options } = parseCli(["--deployment", "d/remote.json", "--db", "x/index.sqlite", "--subgraph-build", "sg/out"], {});
    expect(options.source).to.deep.equal({
      rpcUrl: "http://127.0.0.1:8545",
      deployment: path.resolve("d/remote.json"),
      dbPath: path.resolve("x/index.sqlite"),
      subgraphBuildDir: path.resolve("sg/out"),
    });
    expect(options.chain).to.deep.equal({ rpcUrl: "http://127.0.0.1:8545", deployment: path.resolve("d/remote.json") });
  });

  it("reads localhost.json from LATENT_DEPLOYMENTS_DIR without --deployment, as the deploy script writes it there", function () {
    expect(parseCli([], { LATENT_DEPLOYMENTS_DIR: "elsewhere/records" }).options.chain!.deployment).to.equal(path.resolve("elsewhere/records/localhost.json"));
    expect(parseCli([], { LATENT_DEPLOYMENTS_DIR: "" }).options.chain!.deployment).to.equal(path.resolve("deployments/localhost.json"));
    const flagged = parseCli(["--deployment", "d/remote.json"], { LATENT_DEPLOYMENTS_DIR: "elsewhere/records" });
    expect(flagged.options.chain!.deployment).to.equal(path.resolve("d/remote.json"));
  });

  it("binds the address from --host, or HOST", function () {
    expect(parseCli(["--host", "0.0.0.0"], {}).options.host).to.equal("0.0.0.0");
    expect(parseCli([], { HOST: "::" }).options.host).to.equal("::");
  });

  it("takes a blank variable as unset: HOST= binds 127.0.0.1, not every interface", function () {
    const { options, logLevel } = parseCli([], { HOST: "", RPC_URL: "", LOG_LEVEL: "", PORT: "" });
    expect(options.host).to.equal("127.0.0.1");
    expect(options.port).to.equal(4000);
    expect(options.chain).to.include({ rpcUrl: "http://127.0.0.1:8545" });
    expect(logLevel).to.equal("info");
  });

  it("reads the log level from --log-level, or LOG_LEVEL", function () {
    expect(parseCli(["--log-level", "debug"], {}).logLevel).to.equal("debug");
    expect(parseCli([], { LOG_LEVEL: "warn" }).logLevel).to.equal("warn");
  });

  it("reads a graph-node endpoint from SUBGRAPH_URL, and the rest of the environment", function () {
    const { options } = parseCli([], {
      SUBGRAPH_URL: "http://graph.example/subgraphs/name/latent",
      PORT: "8080",
      RPC_URL: "http://rpc.example",
      CORS_ORIGINS: "https://app.example",
      MAX_LAG: "10",
    });
    expect(options.source).to.deep.equal({ subgraphUrl: "http://graph.example/subgraphs/name/latent" });
    expect(options.port).to.equal(8080);
    expect(options.corsOrigins).to.deep.equal(["https://app.example"]);
    expect(options.maxLag).to.equal(10);
    expect(options.chain).to.include({ rpcUrl: "http://rpc.example" });
  });

  it("reads a graph-node endpoint's bearer token from SUBGRAPH_BEARER_TOKEN, only with an endpoint without credentials", function () {
    const url = "https://graph.example/subgraphs/name/latent";
    expect(parseCli(["--subgraph-url", url], { SUBGRAPH_BEARER_TOKEN: "key-123" }).options.source).to.deep.equal({ subgraphUrl: url, bearerToken: "key-123" });
    expect(parseCli(["--subgraph-url", url], { SUBGRAPH_BEARER_TOKEN: " " }).options.source).to.deep.equal({ subgraphUrl: url });
    expect(() => parseCli([], { SUBGRAPH_BEARER_TOKEN: "key-123" })).to.throw(/SUBGRAPH_BEARER_TOKEN applies only with --subgraph-url/);
    const both = () => parseCli(["--subgraph-url", "https://user:secret@graph.example/subgraphs/name/latent"], { SUBGRAPH_BEARER_TOKEN: "key-123" });
    expect(both).to.throw(/^the subgraph URL https:\/\/graph\.example\/subgraphs\/name\/latent carries credentials and a bearer token/);
    expect(() => parseCli(["--subgraph-url", url], { SUBGRAPH_BEARER_TOKEN: "key 123" })).to.throw(/bearer token is empty or holds whitespace/);
  });

  it("lets flags win over the environment", function () {
    const { options } = parseCli(["--port", "0", "--subgraph-url", "http://flag.example"], { PORT: "8080", SUBGRAPH_URL: "http://env.example" });
    expect(options.port).to.equal(0);
    expect(options.source).to.deep.equal({ subgraphUrl: "http://flag.example" });
  });

  it("refuses unknown options and bad values", function () {
    expect(() => parseCli(["--prot", "1"], {})).to.throw(/unknown option --prot/);
    expect(() => parseCli(["--port", "-1"], {})).to.throw(/--port/);
    expect(() => parseCli(["--log-level", "loud"], {})).to.throw(/--log-level/);
    expect(() => parseCli(["--port"], {})).to.throw(/needs a value/);
  });

  it("caps WebSocket connections and subscriptions at the documented defaults", function () {
    expect(parseCli([], {}).options.limits).to.deep.equal({ maxConnections: 1000, maxSubscriptions: 10_000, maxSubscriptionsPerConnection: 100 });
  });

  it("reads the WebSocket caps from their flags, or MAX_CONNECTIONS, MAX_SUBSCRIPTIONS, MAX_SUBSCRIPTIONS_PER_CONNECTION", function () {
    const flags = ["--max-connections", "5", "--max-subscriptions", "50", "--max-subscriptions-per-connection", "2"];
    expect(parseCli(flags, {}).options.limits).to.deep.equal({ maxConnections: 5, maxSubscriptions: 50, maxSubscriptionsPerConnection: 2 });
    const env = { MAX_CONNECTIONS: "6", MAX_SUBSCRIPTIONS: "60", MAX_SUBSCRIPTIONS_PER_CONNECTION: "3" };
    expect(parseCli([], env).options.limits).to.deep.equal({ maxConnections: 6, maxSubscriptions: 60, maxSubscriptionsPerConnection: 3 });
  });

  it("refuses a WebSocket cap of 0, which would refuse every connection or subscription, naming the flag or variable", function () {
    expect(() => parseCli(["--max-connections", "0"], {})).to.throw(/^--max-connections must be a positive integer \(got 0\)$/);
    expect(() => parseCli([], { MAX_SUBSCRIPTIONS: "0" })).to.throw(/^MAX_SUBSCRIPTIONS must be a positive integer/);
    expect(() => parseCli(["--max-subscriptions-per-connection", "-1"], {})).to.throw(/^--max-subscriptions-per-connection must be/);
  });

  it("refuses a CORS origin with a path, naming the flag and the entry's position and origin", function () {
    expect(() => parseCli(["--cors", "https://app.example/dashboard"], {})).to.throw(
      /^--cors: entry 1 \(https:\/\/app\.example\) is not an origin: it has a path/,
    );
  });

  it("refuses a log level that is only a name every object has (constructor, toString, __proto__)", function () {
    for (const level of ["constructor", "toString", "__proto__"]) {
      expect(() => parseCli(["--log-level", level], {}), level).to.throw(/--log-level must be debug, info, warn or error/);
    }
  });

  it("refuses a flag followed by another flag instead of its value, naming the flag", function () {
    expect(() => parseCli(["--rpc-url", "--port", "0"], {})).to.throw(/^--rpc-url needs a value$/);
  });

  it("refuses an RPC or subgraph URL written without its scheme, naming the flag and repeating nothing of it", function () {
    const cases: [string[], NodeJS.ProcessEnv, RegExp][] = [
      [["--subgraph-url", "localhost:8000/subgraphs/name/latent"], {}, /^--subgraph-url has no http:\/\/ or https:\/\/ scheme$/],
      [[], { SUBGRAPH_URL: "graph-node:8000" }, /^SUBGRAPH_URL has no http:\/\/ or https:\/\/ scheme$/],
      [["--rpc-url", "127.0.0.1:8545"], {}, /^--rpc-url has no http:\/\/ or https:\/\/ scheme$/],
      [[], { RPC_URL: "not a url" }, /^RPC_URL has no http:\/\/ or https:\/\/ scheme$/],
      [["--rpc-url", "alice:sEcReT@eth.example.org:8545"], {}, /^--rpc-url has no http:\/\/ or https:\/\/ scheme$/],
      [[], { RPC_URL: "eth.example.org/v2/key123" }, /^RPC_URL has no http:\/\/ or https:\/\/ scheme$/],
      [["--subgraph-url", "https//alice:sEcReT@gn:8000/subgraphs/name/x"], {}, /^--subgraph-url has no http:\/\/ or https:\/\/ scheme$/],
    ];
    for (const [argv, env, message] of cases) expect(() => parseCli(argv, env), [...argv, JSON.stringify(env)].join(" ")).to.throw(message);
  });

  it("refuses a URL of another scheme naming the scheme alone: nothing of its credentials, host, path or query", function () {
    expect(() => parseCli(["--rpc-url", "wss://eth.example.org/v2/key123"], {})).to.throw(
      /^--rpc-url must start with http:\/\/ or https:\/\/, not wss:\/\/$/,
    );
    expect(() => parseCli(["--subgraph-url", "ws://u:pw@gn:8000/subgraphs/name/x?token=1"], {})).to.throw(
      /^--subgraph-url must start with http:\/\/ or https:\/\/, not ws:\/\/$/,
    );
    expect(() => parseCli([], { RPC_URL: "ftp://alice:sEcReT@eth.example.org" })).to.throw(/^RPC_URL must start with http:\/\/ or https:\/\/, not ftp:\/\/$/);
  });

  // The rule the worker's config and npm start's --rpc-url follow (subgraph/indexer/url-form.ts): URL would trim or strip
  // what these hold, or read the separator as `//`, so what is used would differ from what was written and redacted.
  it("refuses an RPC or subgraph URL not written as URL uses it, naming the flag or variable and not repeating it", function () {
    const cases: [string[], NodeJS.ProcessEnv, RegExp][] = [
      [["--rpc-url", " https://eth.example.org/v2/key123"], {}, /^--rpc-url has leading or trailing whitespace$/],
      [[], { RPC_URL: "https://eth.example.org/v2/key123\n" }, /^RPC_URL has leading or trailing whitespace$/],
      [[], { RPC_URL: "https://eth.example.org/v2/\tkey123" }, /^RPC_URL has a tab or line break in it$/],
      [["--rpc-url", "https:/eth.example.org/v2/key123"], {}, /^--rpc-url must have two slashes after its scheme \(https:\/\/host\/…\), not "\/"$/],
      [["--subgraph-url", "http:\\\\gn:8000/subgraphs/name/key123"], {}, /^--subgraph-url must have two slashes after its scheme \(http:\/\/host\/…\), not "\\\\"$/],
      [[], { SUBGRAPH_URL: "http://gn:8000/subgraphs/name/key123 " }, /^SUBGRAPH_URL has leading or trailing whitespace$/],
    ];
    for (const [argv, env, message] of cases) {
      let thrown: unknown;
      try {
        parseCli(argv, env);
      } catch (error) {
        thrown = error;
      }
      const what = JSON.stringify([argv, env]);
      expect(thrown, what).to.be.an("error");
      expect((thrown as Error).message, what).to.match(message);
      expect((thrown as Error).message, what).not.to.include("key123");
    }
  });

  it("refuses numbers that are not plain decimal digits (hex, exponents, fractions, signs, spaces)", function () {
    for (const text of ["0x1f90", "8e3", "4000.0", " 5", "+5"]) {
      expect(() => parseCli(["--port", text], {}), text).to.throw(/^--port must be/);
      expect(() => parseCli(["--max-lag", text], {}), text).to.throw(/^--max-lag must be/);
    }
  });

  it("refuses a port above 65535 from --port or PORT, repeating it", function () {
    expect(() => parseCli(["--port", "70000"], {})).to.throw(/^--port must be a port number from 0 to 65535 \(got 70000\)$/);
    expect(() => parseCli([], { PORT: "65536" })).to.throw(/^PORT must be a port number from 0 to 65535 \(got 65536\)$/);
  });

  it("names the environment variable a bad value came from when its flag was not given", function () {
    expect(() => parseCli([], { PORT: "abc" })).to.throw(/^PORT must be a port number/);
    expect(() => parseCli([], { MAX_LAG: "-1" })).to.throw(/^MAX_LAG must be a non-negative integer \(got -1\)$/);
    expect(() => parseCli([], { LOG_LEVEL: "loud" })).to.throw(/^LOG_LEVEL must be debug, info, warn or error/);
    expect(() => parseCli([], { RPC_URL: "localhost:8545" })).to.throw(/^RPC_URL has no http/);
    expect(() => parseCli([], { SUBGRAPH_URL: "graph:8000" })).to.throw(/^SUBGRAPH_URL has no http/);
    expect(() => parseCli([], { CORS_ORIGINS: "https://a.example/path" })).to.throw(/^CORS_ORIGINS: /);
    expect(() => parseCli(["--port", "abc"], { PORT: "abc" })).to.throw(/^--port must be/);
  });

  it("reads a graph-node endpoint's reorg threshold from --reorg-threshold, or REORG_THRESHOLD, 0 included", function () {
    const url = "http://graph.example/subgraphs/name/latent";
    expect(parseCli(["--subgraph-url", url, "--reorg-threshold", "64"], {}).options.source).to.deep.equal({ subgraphUrl: url, reorgThreshold: 64 });
    expect(parseCli([], { SUBGRAPH_URL: url, REORG_THRESHOLD: "0" }).options.source).to.deep.equal({ subgraphUrl: url, reorgThreshold: 0 });
    expect(parseCli(["--reorg-threshold", "7"], { SUBGRAPH_URL: url, REORG_THRESHOLD: "9" }).options.source).to.include({ reorgThreshold: 7 });
  });

  it("refuses a reorg threshold that is not a whole number of blocks, 0 or more, naming the flag or variable", function () {
    const url = "http://graph.example/subgraphs/name/latent";
    for (const text of ["-1", "2.5", "0x10", "1e3", "many"]) {
      expect(() => parseCli(["--subgraph-url", url, "--reorg-threshold", text], {}), text).to.throw(
        new RegExp(`^--reorg-threshold must be a non-negative integer \\(got ${text.replace(".", "\\.")}\\)$`),
      );
    }
    expect(() => parseCli([], { SUBGRAPH_URL: url, REORG_THRESHOLD: "-5" })).to.throw(/^REORG_THRESHOLD must be a non-negative integer \(got -5\)$/);
  });

  it("refuses a reorg threshold without a graph-node endpoint, where the embedded indexer's own applies", function () {
    expect(() => parseCli(["--reorg-threshold", "64"], {})).to.throw(/^--reorg-threshold applies only with --subgraph-url/);
    expect(() => parseCli([], { REORG_THRESHOLD: "64" })).to.throw(/^REORG_THRESHOLD applies only with --subgraph-url/);
  });

  it("reads the embedded indexer's RPC timeout from --indexer-rpc-timeout, or INDEXER_RPC_TIMEOUT_MS, and leaves the indexer's default without", function () {
    expect(parseCli(["--indexer-rpc-timeout", "120000"], {}).options.source).to.include({ rpcTimeoutMs: 120_000 });
    expect(parseCli([], { INDEXER_RPC_TIMEOUT_MS: "5000" }).options.source).to.include({ rpcTimeoutMs: 5_000 });
    expect(parseCli(["--indexer-rpc-timeout", "7"], { INDEXER_RPC_TIMEOUT_MS: "9" }).options.source).to.include({ rpcTimeoutMs: 7 });
    expect(parseCli([], {}).options.source).not.to.have.property("rpcTimeoutMs");
  });

  it("refuses an indexer RPC timeout that is not a positive whole number of milliseconds a timer can wait, naming the flag or variable and the value", function () {
    for (const text of ["0", "-1", "2.5", "0x10", "1e3", "30s", "2147483648"]) {
      expect(() => parseCli(["--indexer-rpc-timeout", text], {}), text).to.throw(
        new RegExp(`^--indexer-rpc-timeout must be a positive integer of milliseconds, at most 2147483647 \\(got ${text.replace(".", "\\.")}\\)$`),
      );
    }
    expect(() => parseCli([], { INDEXER_RPC_TIMEOUT_MS: "0" })).to.throw(/^INDEXER_RPC_TIMEOUT_MS must be a positive integer of milliseconds, at most 2147483647 \(got 0\)$/);
  });

  it("refuses an indexer RPC timeout with a graph-node endpoint, where no indexer runs", function () {
    const url = "http://graph.example/subgraphs/name/latent";
    expect(() => parseCli(["--subgraph-url", url, "--indexer-rpc-timeout", "5000"], {})).to.throw(/^--indexer-rpc-timeout applies only to the embedded indexer/);
    expect(() => parseCli([], { SUBGRAPH_URL: url, INDEXER_RPC_TIMEOUT_MS: "5000" })).to.throw(/^INDEXER_RPC_TIMEOUT_MS applies only to the embedded indexer/);
  });

  it("reads the live chain reads' timeout from --rpc-timeout, or RPC_TIMEOUT_MS, with either source, and leaves the chain reader's default without", function () {
    const url = "http://graph.example/subgraphs/name/latent";
    expect(parseCli(["--rpc-timeout", "120000"], {}).options.chain).to.include({ timeoutMs: 120_000 });
    expect(parseCli(["--subgraph-url", url], { RPC_TIMEOUT_MS: "2500" }).options.chain).to.include({ timeoutMs: 2_500 });
    expect(parseCli(["--rpc-timeout", "7"], { RPC_TIMEOUT_MS: "9" }).options.chain).to.include({ timeoutMs: 7 });
    expect(parseCli([], {}).options.chain).not.to.have.property("timeoutMs");
  });

  it("refuses a live chain reads' timeout that is not a positive whole number of milliseconds a timer can wait, naming the flag or variable and the value", function () {
    for (const text of ["0", "-1", "2.5", "0x10", "1e3", "5s", "2147483648"]) {
      expect(() => parseCli(["--rpc-timeout", text], {}), text).to.throw(
        new RegExp(`^--rpc-timeout must be a positive integer of milliseconds, at most 2147483647 \\(got ${text.replace(".", "\\.")}\\)$`),
      );
    }
    expect(() => parseCli([], { RPC_TIMEOUT_MS: "0" })).to.throw(/^RPC_TIMEOUT_MS must be a positive integer of milliseconds, at most 2147483647 \(got 0\)$/);
  });

  it("reads a graph-node endpoint's request timeout from --subgraph-timeout, or SUBGRAPH_TIMEOUT_MS, and leaves the source's default without", function () {
    const url = "http://graph.example/subgraphs/name/latent";
    expect(parseCli(["--subgraph-url", url, "--subgraph-timeout", "60000"], {}).options.source).to.include({ subgraphUrl: url, timeoutMs: 60_000 });
    expect(parseCli([], { SUBGRAPH_URL: url, SUBGRAPH_TIMEOUT_MS: "1500" }).options.source).to.include({ timeoutMs: 1_500 });
    expect(parseCli(["--subgraph-url", url, "--subgraph-timeout", "7"], { SUBGRAPH_TIMEOUT_MS: "9" }).options.source).to.include({ timeoutMs: 7 });
    expect(parseCli(["--subgraph-url", url], {}).options.source).not.to.have.property("timeoutMs");
  });

  it("refuses a graph-node endpoint's request timeout that is not a positive whole number of milliseconds a timer can wait, naming the flag or variable and the value", function () {
    const url = "http://graph.example/subgraphs/name/latent";
    for (const text of ["0", "-1", "2.5", "0x10", "1e3", "10s", "2147483648"]) {
      expect(() => parseCli(["--subgraph-url", url, "--subgraph-timeout", text], {}), text).to.throw(
        new RegExp(`^--subgraph-timeout must be a positive integer of milliseconds, at most 2147483647 \\(got ${text.replace(".", "\\.")}\\)$`),
      );
    }
    expect(() => parseCli([], { SUBGRAPH_URL: url, SUBGRAPH_TIMEOUT_MS: "0" })).to.throw(
      /^SUBGRAPH_TIMEOUT_MS must be a positive integer of milliseconds, at most 2147483647 \(got 0\)$/,
    );
  });

  it("passes --subgraph-status-url (SUBGRAPH_STATUS_URL) to the graph-node source as statusUrl, and refuses it without --subgraph-url or in a form URL would change", function () {
    const url = "http://graph-node:8000/subgraphs/name/latent/latent";
    const status = "http://graph-node:8030/graphql";
    const source = (options: ReturnType<typeof parseCli>["options"]) => options.source as { statusUrl?: string };
    expect(source(parseCli(["--subgraph-url", url, "--subgraph-status-url", status], {}).options).statusUrl).to.equal(status);
    expect(source(parseCli([], { SUBGRAPH_URL: url, SUBGRAPH_STATUS_URL: status }).options).statusUrl).to.equal(status);
    expect(source(parseCli(["--subgraph-url", url], {}).options).statusUrl).to.equal(undefined);
    expect(() => parseCli(["--subgraph-status-url", status], {})).to.throw(/^--subgraph-status-url applies only with --subgraph-url \(SUBGRAPH_URL\)/);
    expect(() => parseCli([], { SUBGRAPH_STATUS_URL: status })).to.throw(/^SUBGRAPH_STATUS_URL applies only with --subgraph-url \(SUBGRAPH_URL\)/);
    expect(() => parseCli(["--subgraph-url", url, "--subgraph-status-url", "graph-node:8030/graphql"], {})).to.throw(/^--subgraph-status-url /);
  });

  it("refuses a graph-node endpoint's request timeout without a graph-node endpoint, where the embedded indexer answers", function () {
    expect(() => parseCli(["--subgraph-timeout", "5000"], {})).to.throw(/^--subgraph-timeout applies only with --subgraph-url \(SUBGRAPH_URL\)/);
    expect(() => parseCli([], { SUBGRAPH_TIMEOUT_MS: "5000" })).to.throw(/^SUBGRAPH_TIMEOUT_MS applies only with --subgraph-url \(SUBGRAPH_URL\)/);
  });

  it("exits 2 on a bad --reorg-threshold, with the message and the usage, before it serves", async function () {
    const run = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        ["-r", "ts-node/register/transpile-only", path.join(ROOT, "gateway", "src", "cli.ts"), "--subgraph-url", "http://127.0.0.1:9/x", "--reorg-threshold", "-1"],
        { cwd: ROOT, timeout: 30_000 },
        (error, _stdout, stderr) => resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : null, stderr }),
      );
    });
    expect(run.code, run.stderr).to.equal(2);
    expect(run.stderr).to.match(/^--reorg-threshold must be a non-negative integer \(got -1\)\n\nUsage: npm run gateway/);
    expect(run.stderr).to.include("--reorg-threshold <blocks>");
  });

  it("reports a missing or broken deployment record in one line naming it, exit 1, without a stack trace", async function () {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "latent-gateway-cli-"));
    try {
      const broken = path.join(dir, "broken.json");
      fs.writeFileSync(broken, "{ not json");
      const cases: [string, string][] = [
        [path.join(dir, "missing.json"), `gateway: cannot read the deployment record ${path.join(dir, "missing.json")}: ENOENT\n`],
        [broken, `gateway: the deployment record ${broken} is not JSON\n`],
      ];
      for (const [deployment, message] of cases) {
        const run = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
          execFile(
            process.execPath,
            ["-r", "ts-node/register/transpile-only", path.join(ROOT, "gateway", "src", "cli.ts"), "--deployment", deployment, "--db", path.join(dir, "db.sqlite"), "--port", "0"],
            { cwd: ROOT, timeout: 30_000 },
            (error, _stdout, stderr) => resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : null, stderr }),
          );
        });
        expect(run.code, run.stderr).to.equal(1);
        expect(run.stderr).to.equal(message);
      }
      expect(fs.existsSync(path.join(dir, "db.sqlite"))).to.equal(false);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("reports a deployment record without a contract it reads in one line naming the contract, exit 1, without a stack trace", async function () {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "latent-gateway-cli-"));
    try {
      const record = path.join(dir, "partial.json");
      fs.writeFileSync(record, JSON.stringify({ network: "partial", chainId: 31337, contracts: {} }));
      // Reading a graph-node endpoint (live reads need the contract), and running the embedded indexer (it indexes it).
      for (const source of [["--subgraph-url", "http://127.0.0.1:9/x"], ["--db", path.join(dir, "db.sqlite")]]) {
        const run = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
          execFile(
            process.execPath,
            ["-r", "ts-node/register/transpile-only", path.join(ROOT, "gateway", "src", "cli.ts"), "--deployment", record, ...source, "--port", "0"],
            { cwd: ROOT, timeout: 30_000 },
            (error, _stdout, stderr) => resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : null, stderr }),
          );
        });
        expect(run.code, run.stderr).to.equal(1);
        expect(run.stderr, source[0]).to.match(/^gateway: [^\n]*ProviderRegistry[^\n]*\n$/);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("reports a subgraph build it cannot use in one line naming it, exit 1, without a stack trace", async function () {
    if (!fs.existsSync(path.join(ROOT, "subgraph", "build", "subgraph.yaml"))) this.skip(); // npm test builds it first
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "latent-gateway-cli-"));
    try {
      const record = path.join(dir, "deployment.json");
      fs.writeFileSync(record, JSON.stringify(fakeDeployment(path.join(ROOT, "subgraph", "build"))));
      const build = path.join(dir, "no-build");
      const run = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
        execFile(
          process.execPath,
          ["-r", "ts-node/register/transpile-only", path.join(ROOT, "gateway", "src", "cli.ts"), "--deployment", record, "--subgraph-build", build,
            "--db", path.join(dir, "db.sqlite"), "--rpc-url", "http://127.0.0.1:9", "--port", "0"],
          { cwd: ROOT, timeout: 30_000 },
          (error, _stdout, stderr) => resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : null, stderr }),
        );
      });
      expect(run.code, run.stderr).to.equal(1);
      expect(run.stderr).to.equal(`gateway: the embedded indexer cannot be set up: ${path.join(build, "subgraph.yaml")} not found: run \`npm run subgraph:build\` first\n`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("refuses a --db whose directory cannot be made under /proc in one line naming it, exit 1, instead of hanging", async function () {
    if (!fs.existsSync(path.join(ROOT, "subgraph", "build", "subgraph.yaml"))) this.skip(); // npm test builds it first
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "latent-gateway-cli-"));
    try {
      const record = path.join(dir, "deployment.json");
      fs.writeFileSync(record, JSON.stringify(fakeDeployment(path.join(ROOT, "subgraph", "build"))));
      // Node's recursive mkdir never returned there, spinning a CPU: the run is killed (SIGKILL, code null) if it hangs.
      const run = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = execFile(
          process.execPath,
          ["-r", "ts-node/register/transpile-only", path.join(ROOT, "gateway", "src", "cli.ts"), "--deployment", record,
            "--db", "/proc/x/y/db.sqlite", "--rpc-url", "http://127.0.0.1:9", "--port", "0"],
          { cwd: ROOT, timeout: 30_000, killSignal: "SIGKILL" },
          (error, _stdout, stderr) => resolve({ code: child.killed ? null : error === null ? 0 : typeof error.code === "number" ? error.code : null, stderr }),
        );
      });
      expect(run.code, run.stderr).to.equal(1);
      expect(run.stderr).to.equal("gateway: the embedded indexer cannot be set up: the database /proc/x/y/db.sqlite's directory /proc/x/y: cannot be created there at /proc/x: ENOENT\n");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("keeps the API key in --rpc-url's path out of its stdout (its log) and stderr, naming the node's host, when the node fails", async function () {
    this.timeout(PROCESS_START_MS + 60_000);
    const build = path.join(ROOT, "subgraph", "build");
    if (!fs.existsSync(path.join(build, "subgraph.yaml"))) this.skip(); // npm test builds it first
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "latent-gateway-cli-"));
    const node = await startKeyedRpc();
    const deployment = path.join(dir, "deployment.json");
    fs.writeFileSync(deployment, JSON.stringify(fakeDeployment(build)));
    const child = spawnTsCli("gateway/src/cli.ts", ["--rpc-url", node.url, "--deployment", deployment, "--db", path.join(dir, "db.sqlite"), "--port", "0"]);
    try {
      const output = collectOutput(child);
      await waitUntil(() => /"listening":"[^"]+"/.test(output.stdout) || child.exitCode !== null, "the gateway listened", { timeoutMs: PROCESS_START_MS });
      const url = /"listening":"([^"]+)"/.exec(output.stdout)?.[1];
      expect(url, output.stderr).to.be.a("string");
      // /readyz reads the chain's head through the chain reader (ethers, whose errors carry the request's URL), while
      // the embedded indexer fails its passes.
      const answer = await (await fetch(new URL("/readyz", url))).text();
      await waitUntil(
        () => output.stdout.includes("chain read failed") && output.stdout.includes("indexing pass failed"),
        "the chain reader and the indexer logged the node's failures",
        // The embedded indexer's thread starts beside the server: its first pass may come long after "listening".
        { timeoutMs: PROCESS_START_MS },
      );
      child.kill("SIGTERM");
      expect(await output.exited).to.equal(0);
      expect(`${output.stdout}${output.stderr}${answer}`).not.to.include(API_KEY);
      expect(output.stdout).to.include(`upstream ${node.origin}/… unavailable`);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      await node.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("writes its own lines (starting, ready, stopping) through the redaction: a keyed --rpc-url's key never reaches them", function () {
    const rpcUrl = "https://eth.example.org/v2/key-9f3a1c";
    const lines: string[] = [];
    const logger = cliLogger(parseCli(["--rpc-url", rpcUrl], {}), (line) => lines.push(line));
    logger.info(`starting against ${rpcUrl}`, { source: "embedded", rpcUrl });
    logger.error("shutdown failed", { error: new Error(`request to ${rpcUrl} failed`) });
    expect(lines).to.have.length(2);
    expect(lines.join("")).to.include("eth.example.org").and.not.to.include("key-9f3a1c");
  });

  it("prints one JSON line once it serves, naming its HTTP URL, its WebSocket URL and its port, for scripts that start it", async function () {
    this.timeout(PROCESS_START_MS + 60_000);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "latent-gateway-cli-"));
    const subgraph = await startSilentNode();
    const deployment = path.join(dir, "deployment.json");
    const at = (n: number) => ({ address: `0x${n.toString(16).padStart(40, "0")}`, blockNumber: 1 });
    fs.writeFileSync(deployment, JSON.stringify({ network: "localhost", chainId: 31337, contracts: { ProviderRegistry: at(1), Staking: at(2), JobEscrow: at(3) } }));
    const child = spawnTsCli("gateway/src/cli.ts", ["--subgraph-url", `${subgraph.url}/subgraphs/name/latent`, "--deployment", deployment, "--port", "0"]);
    try {
      const output = collectOutput(child);
      const announced = () => output.stdout.split("\n").filter((line) => line.startsWith('{"listening"'));
      // The CLI's start: these tests took 25-37 s at load average 17, near the 40 s they allowed it.
      await waitUntil(() => announced().length > 0 || child.exitCode !== null, "the gateway listened", { timeoutMs: PROCESS_START_MS });
      const lines = announced();
      expect(lines, output.stderr).to.have.lengthOf(1);
      const line = JSON.parse(lines[0] as string) as { listening: string; ws: string; port: number };
      expect(Object.keys(line)).to.deep.equal(["listening", "ws", "port"]);
      expect(line.port).to.be.a("number").and.greaterThan(0);
      expect(line).to.deep.equal({ listening: `http://127.0.0.1:${line.port}/graphql`, ws: `ws://127.0.0.1:${line.port}/graphql`, port: line.port });
      expect((await fetch(new URL("/healthz", line.listening))).status).to.equal(200);
      child.kill("SIGTERM");
      expect(await output.exited, output.stderr).to.equal(0);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      await subgraph.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("on SIGTERM while a SIGINT's stop is under way, logs that it is already stopping and exits 0 after one stop", async function () {
    this.timeout(PROCESS_START_MS + 60_000);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "latent-gateway-cli-"));
    // Neither answers: the /readyz below waits on the chain node, and holds the server's stop open for its grace period.
    const subgraph = await startSilentNode();
    const chain = await startSilentNode();
    const deployment = path.join(dir, "deployment.json");
    const at = (n: number) => ({ address: `0x${n.toString(16).padStart(40, "0")}`, blockNumber: 1 });
    fs.writeFileSync(deployment, JSON.stringify({ network: "localhost", chainId: 31337, contracts: { ProviderRegistry: at(1), Staking: at(2), JobEscrow: at(3) } }));
    const child = spawnTsCli("gateway/src/cli.ts", ["--subgraph-url", `${subgraph.url}/subgraphs/name/latent`, "--rpc-url", chain.url, "--deployment", deployment, "--port", "0"]);
    try {
      const output = collectOutput(child);
      await waitUntil(() => /"listening":"[^"]+"/.test(output.stdout) || child.exitCode !== null, "the gateway listened", { timeoutMs: PROCESS_START_MS });
      const url = /"listening":"([^"]+)"/.exec(output.stdout)?.[1];
      expect(url, output.stderr).to.be.a("string");
      void fetch(new URL("/readyz", url)).catch(() => undefined);
      await waitUntil(() => chain.connections > 0, "the gateway asked the chain node for its head");
      child.kill("SIGINT");
      await waitUntil(() => output.stdout.includes('"msg":"shutting down"'), "the gateway started its stop");
      child.kill("SIGTERM");
      expect(await output.exited, output.stderr).to.equal(0);
      const lines = output.stdout.split("\n").filter((line) => line.startsWith("{")).map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(lines.filter((line) => line.msg === "shutting down").map((line) => line.signal)).to.deep.equal(["SIGINT"]);
      expect(lines.filter((line) => line.msg === "already stopping").map((line) => [line.signal, line.stoppingOn])).to.deep.equal([["SIGTERM", "SIGINT"]]);
      expect(lines.filter((line) => line.level === "error")).to.deep.equal([]);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      await subgraph.close();
      await chain.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    it(`exits 0 on ${signal} while its embedded indexer's open waits on a node that never answers, the database's writer lock released`, async function () {
      this.timeout(PROCESS_START_MS + 60_000);
      const build = path.join(ROOT, "subgraph", "build");
      if (!fs.existsSync(path.join(build, "subgraph.yaml"))) this.skip(); // npm test builds it first
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "latent-gateway-cli-"));
      const node = await startSilentNode();
      const deployment = path.join(dir, "deployment.json");
      fs.writeFileSync(deployment, JSON.stringify(fakeDeployment(build)));
      const db = path.join(dir, "db.sqlite");
      const child = spawnTsCli("gateway/src/cli.ts", ["--rpc-url", node.url, "--deployment", deployment, "--db", db, "--port", "0"]);
      try {
        const output = collectOutput(child);
        // The indexer thread's open holds the database's writer lock while it asks the node for the chain id.
        await waitUntil(() => node.connections > 0 || child.exitCode !== null, "the indexer asked the node", { timeoutMs: PROCESS_START_MS });
        child.kill(signal);
        expect(await output.exited, output.stderr).to.equal(0);
        expect(output.stdout).to.include('"msg":"stopped while starting"');
        expect(output.stdout).not.to.include('"level":"error"');
        expect(() => WriterLock.acquire(db).release()).to.not.throw();
      } finally {
        if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
        await node.close();
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});

describe("gateway CLI, compiled (npm run gateway:build, then node dist/gateway/src/cli.js)", function () {
  it("serves from its embedded indexer, whose worker thread runs the compiled worker-main.js, and exits 0 on SIGTERM", async function () {
    // A tsc emit and a gateway start: 17-37 s in clean-clone CI runs at load 2-15 (with the type check), over 120 s at load ~30.
    this.timeout(300_000);
    const env = await environment();
    // What `npm run gateway:build` writes, without its second type check of the same files: `npm run typecheck`,
    // which `npm test` runs first, checks every file of the build (tsconfig.json takes in gateway/bench for
    // serve.ts) under the same options, and --noCheck emits the same JavaScript.
    await promisify(execFile)(path.join(ROOT, "node_modules", ".bin", "tsc"), ["-p", "gateway/tsconfig.build.json", "--noCheck"], { cwd: ROOT });
    const deployment = path.join(env.tmpDir, "compiled-cli-deployment.json");
    fs.writeFileSync(deployment, JSON.stringify(env.scenario.deployment.record));
    const child = spawn(
      process.execPath,
      [path.join(ROOT, "dist", "gateway", "src", "cli.js"), "--rpc-url", env.chain.url, "--deployment", deployment, "--db", path.join(env.tmpDir, "compiled-cli.sqlite"), "--port", "0", "--log-level", "error"],
      { cwd: ROOT, env: { ...process.env, NODE_ENV: "production" }, stdio: ["ignore", "pipe", "pipe"] },
    );
    try {
      const output = collectOutput(child);
      const listening = () => /"listening":"([^"]+)"/.exec(output.stdout)?.[1];
      await waitUntil(() => listening() !== undefined || child.exitCode !== null || child.signalCode !== null, "the compiled gateway listened", { timeoutMs: 120_000 });
      const url = listening();
      if (url === undefined) throw new Error(`the compiled gateway exited (${await output.exited}) before listening: ${output.stderr}`);
      const head = await env.chain.blockNumber();
      let indexed = -1;
      for (let attempt = 0; attempt < 300 && indexed < head; attempt++) {
        const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query: "{ indexingStatus { indexedBlock } }" }) });
        const body = (await response.json()) as { data?: { indexingStatus: { indexedBlock: number } } };
        indexed = body.data?.indexingStatus.indexedBlock ?? -1;
        if (indexed < head) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(indexed, output.stderr).to.be.at.least(head);
      child.kill("SIGTERM");
      expect(await output.exited).to.equal(0);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    }
  });
});
