import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { JsonRpcProvider, Wallet } from "ethers";
import { JOB_LIMITS } from "../../../contracts/jobs/job-limits";
import { ConfigError, configRedactor, loadConfig, parseConfig } from "../../../scripts/worker/config";
import { transactionWaits } from "../../../scripts/worker/connections";
import { ContractMarket } from "../../../scripts/worker/contract-market";
import { parseJsonText, stripJsonComments } from "../../../scripts/worker/jsonc";
import { isJsonObject, UnknownFieldError } from "../../../scripts/worker/validate";

const EXAMPLE = path.resolve(__dirname, "../../../scripts/worker/worker.example.json");

type Json = { [key: string]: unknown };

function minimalConfig(): Json {
  return {
    chain: { rpcUrl: "http://127.0.0.1:8545" },
    gateway: { httpUrl: "http://127.0.0.1:4000/graphql", wsUrl: "ws://127.0.0.1:4000/graphql" },
    provider: { address: "0x70997970c51812dc3a010c7d01b50e0d17dc79c8" },
    operatorKey: { env: "LATENT_OPERATOR_KEY" },
    contracts: { deploymentFile: "deployments/localhost.json" },
  };
}

/** A copy of `base` with `value` set at the dotted `field` (undefined deletes it). */
function withField(base: Json, field: string, value: unknown): Json {
  const copy = JSON.parse(JSON.stringify(base)) as Json;
  const keys = field.split(".");
  let node = copy;
  for (const key of keys.slice(0, -1)) {
    node[key] ??= {};
    node = node[key] as Json;
  }
  const last = keys[keys.length - 1];
  if (value === undefined) delete node[last];
  else node[last] = value;
  return copy;
}

function configError(json: unknown): ConfigError {
  try {
    parseConfig(json, "/etc/latent/worker.json");
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("worker config", () => {
  it("redacts the RPC URL's path and query, and only the credentials and query of the gateway's routes", () => {
    const redact = configRedactor({
      chain: { rpcUrl: "https://eth.example.org/v2/key123?token=abc" },
      gateway: { httpUrl: "https://user:pw@gw.example.org/graphql", wsUrl: "wss://gw.example.org/graphql?auth=xyz" },
    });
    expect(redact("https://eth.example.org/v2/key123?token=abc, https://user:pw@gw.example.org/graphql, wss://gw.example.org/graphql?auth=xyz")).to.equal(
      "https://eth.example.org/…, https://gw.example.org/graphql, wss://gw.example.org/graphql?…",
    );
  });

  it("accepts the committed example config", () => {
    const config = loadConfig(EXAMPLE);
    expect(config.gpu.model).to.equal("rtx-4090-24gb");
    expect(config.executors.matmul.enabled).to.equal(true);
    expect(config.executors.command.enabled).to.equal(false);
    expect(config.contracts).to.deep.equal({
      kind: "deploymentFile",
      path: path.resolve(path.dirname(EXAMPLE), "../../deployments/localhost.json"),
      written: { value: "../../deployments/localhost.json", configDir: path.dirname(EXAMPLE) },
    });
  });

  it("fills every optional field with its documented default", () => {
    const config = parseConfig(minimalConfig(), "/etc/latent/worker.json");
    expect(config.policy).to.deep.equal({
      maxConcurrentJobs: 1,
      minPricePerGpuHour: 0n,
      maxDurationSeconds: 86_400,
      acceptedKinds: ["matmul"],
      autoSettle: true,
      settlementPollMs: 60_000,
      declineDirectedJobs: true,
    });
    expect(config.executors.command).to.include({
      enabled: false,
      timeoutMs: 3_600_000,
      maxOutputBytes: 16 * 1024 ** 2,
    });
    expect(config.executors.command.envAllowList).to.deep.equal(["PATH"]);
    expect(config.results).to.deep.equal({
      dir: "/etc/latent/results",
      dirWritten: { value: "results", configDir: "/etc/latent", defaulted: true },
      maxUriBytes: 256,
      publicBaseUrl: undefined,
      retentionMs: 30 * 86_400_000,
    });
    expect(config.specs).to.deep.equal({
      maxBytes: 65_536,
      fetchTimeoutMs: 30_000,
      fileRoot: undefined,
      fileRootWritten: undefined,
      allowHttp: true,
      allowHosts: [],
    });
    expect(config.gpu).to.include({ detect: true, nvidiaSmiPath: "nvidia-smi", detectTimeoutMs: 10_000 });
    expect(config.shutdown.graceMs).to.equal(30_000);
    expect(config.logLevel).to.equal("info");
  });

  it("fills the executor and retry defaults the README documents", () => {
    const config = parseConfig(minimalConfig(), "/etc/latent/worker.json");
    expect(config.executors.matmul).to.deep.equal({
      enabled: true,
      maxN: 2048,
      multiplyAddsPerSecond: 1e9,
      margin: { seconds: 30, fraction: 0.25 },
    });
    expect(config.executors.command).to.include({ expectedMs: undefined });
    expect(config.executors.command.margin).to.deep.equal({ seconds: 30, fraction: 0.25 });
    expect(config.executors.command.args).to.deep.equal([]);
    expect(config.executors.command.workDir).to.equal(os.tmpdir());
    expect(config.retry).to.deep.equal({ maxAttempts: 5, initialDelayMs: 500, maxDelayMs: 30_000, multiplier: 2, jitter: 0.2 });
  });

  // The ranges scripts/worker/README.md documents, bounds included.
  const ranges: Array<[string, number, number]> = [
    ["gpu.detectTimeoutSeconds", 1, 300],
    ["policy.maxConcurrentJobs", 1, 1024],
    // JobEscrow.MAX_DURATION, as JOB_LIMITS mirrors it (a test compares the mirror with the contract).
    ["policy.maxDurationSeconds", 1, JOB_LIMITS.maxDurationSeconds],
    ["policy.settlementPollSeconds", 1, 3600],
    ["specs.maxBytes", 256, 4_194_304],
    ["executors.command.timeoutSeconds", 1, 86_400],
    ["executors.runTimeMargin.seconds", 0, 3600],
    ["shutdown.graceSeconds", 0, 3600],
    ["results.maxUriBytes", 64, 256],
    ["gateway.resyncSeconds", 5, 3600],
    ["specs.fetchTimeoutSeconds", 1, 600],
    ["executors.builtin.matmul.maxN", 1, 2048],
    ["executors.command.maxOutputBytes", 1, 1_073_741_824],
    ["results.retentionDays", 0, 3650],
    ["retry.maxAttempts", 1, 100],
    ["gpu.vramGiB", 1, 65_535],
    ["gpu.gpuCount", 1, 65_535],
  ];
  for (const [field, min, max] of ranges) {
    it(`accepts ${field} from ${min} to ${max} and nothing outside`, () => {
      const base = field.startsWith("executors.command.")
        ? withField(withField(minimalConfig(), "executors.command.enabled", true), "executors.command.program", "/usr/bin/true")
        : minimalConfig();
      for (const value of [min, max]) expect(() => parseConfig(withField(base, field, value), "/etc/latent/worker.json"), `${value}`).not.to.throw();
      for (const value of [min - 1, max + 1]) {
        expect(configError(withField(base, field, value)).message).to.equal(`config.${field}: must be an integer between ${min} and ${max}, got ${value}`);
      }
    });
  }

  // The retry policy's and the real-valued fields' ranges, bounds included. The retry rows start from the smallest
  // initialDelayMs and the largest maxDelayMs, so that retry.maxDelayMs >= initialDelayMs holds at each bound.
  const retryBase = withField(withField(minimalConfig(), "retry.initialDelayMs", 1), "retry.maxDelayMs", 3_600_000);
  const numberRanges: Array<[string, number, number, "an integer" | "a number", number]> = [
    ["retry.initialDelayMs", 1, 600_000, "an integer", 1],
    ["retry.maxDelayMs", 1, 3_600_000, "an integer", 1],
    ["retry.multiplier", 1, 10, "a number", 0.5],
    ["retry.jitter", 0, 1, "a number", 0.1],
    ["executors.runTimeMargin.fraction", 0, 10, "a number", 0.1],
    ["executors.builtin.matmul.multiplyAddsPerSecond", 1e6, 1e15, "a number", 1],
  ];
  for (const [field, min, max, kind, step] of numberRanges) {
    it(`accepts ${field} from ${min} to ${max} and nothing outside`, () => {
      const base = field.startsWith("retry.") ? retryBase : minimalConfig();
      for (const value of [min, max]) expect(() => parseConfig(withField(base, field, value), "/etc/latent/worker.json"), `${value}`).not.to.throw();
      for (const value of [min - step, max + step]) {
        expect(configError(withField(base, field, value)).message).to.equal(`config.${field}: must be ${kind} between ${min} and ${max}, got ${value}`);
      }
    });
  }

  it("reads the matmul throughput and the run-time margin, shared by both executors", () => {
    const command = withField(
      withField(minimalConfig(), "executors.command.enabled", true),
      "executors.command.program",
      "/usr/bin/true",
    );
    let json = withField(command, "executors.builtin.matmul.multiplyAddsPerSecond", 2.5e9);
    json = withField(withField(json, "executors.runTimeMargin.seconds", 10), "executors.runTimeMargin.fraction", 0.5);
    const { executors } = parseConfig(json, "/etc/latent/worker.json");
    expect(executors.matmul).to.include({ multiplyAddsPerSecond: 2.5e9 });
    expect(executors.matmul.margin).to.deep.equal({ seconds: 10, fraction: 0.5 });
    expect(executors.command.margin).to.deep.equal({ seconds: 10, fraction: 0.5 });
    expect(configError(withField(minimalConfig(), "executors.builtin.matmul.multiplyAddsPerSecond", 0)).message).to.equal(
      "config.executors.builtin.matmul.multiplyAddsPerSecond: must be a number between 1000000 and 1000000000000000, got 0",
    );
  });

  it("rejects an executors.command.expectedSeconds above timeoutSeconds, which would kill every job that long", () => {
    let json = withField(
      withField(minimalConfig(), "executors.command.enabled", true),
      "executors.command.program",
      "/usr/bin/true",
    );
    json = withField(withField(json, "executors.command.timeoutSeconds", 600), "executors.command.expectedSeconds", 601);
    expect(configError(json).message).to.equal(
      "config.executors.command.expectedSeconds: must be at most executors.command.timeoutSeconds (600), got 601",
    );
    const fits = withField(json, "executors.command.expectedSeconds", 600);
    expect(parseConfig(fits, "/etc/latent/worker.json").executors.command.expectedMs).to.equal(600_000);
  });

  it("puts the provider online at start and offline at shutdown unless told otherwise", () => {
    expect(parseConfig(minimalConfig(), "/etc/latent/worker.json").provider).to.deep.equal({
      address: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
      onlineAtStart: true,
      offlineAtShutdown: true,
    });
    const json = withField(withField(minimalConfig(), "provider.onlineAtStart", false), "provider.offlineAtShutdown", false);
    expect(parseConfig(json, "/etc/latent/worker.json").provider).to.include({ onlineAtStart: false, offlineAtShutdown: false });
    expect(configError(withField(minimalConfig(), "provider.onlineAtStart", "yes")).field).to.equal(
      "config.provider.onlineAtStart",
    );
  });

  it("rejects a results.publicBaseUrl with a query or fragment, which the appended file name would not extend, without echoing it", () => {
    for (const url of ["https://worker.example.org/results?token=abc", "https://worker.example.org/results#files"]) {
      expect(configError(withField(minimalConfig(), "results.publicBaseUrl", url)).message).to.equal(
        "config.results.publicBaseUrl: must have no query or fragment (result files are named <url>/<hash>.bin)",
      );
    }
  });

  it("rejects a results.publicBaseUrl with a user or password, without echoing it: result URIs are published on-chain", () => {
    for (const url of ["https://uploader:s3cr3t@worker.example.org/results", "https://uploader@worker.example.org/results"]) {
      const error = configError(withField(minimalConfig(), "results.publicBaseUrl", url));
      expect(error.message).to.equal(
        "config.results.publicBaseUrl: must carry no user or password: every result URI built from it is published on-chain",
      );
    }
  });

  it("rejects a WebSocket RPC URL (the worker only makes requests), naming its scheme alone", () => {
    const error = configError(withField(minimalConfig(), "chain.rpcUrl", "ws://127.0.0.1:8545"));
    expect(error.message).to.equal("config.chain.rpcUrl: must start with http:// or https://, not ws://");
  });

  it("refuses a URL field of the wrong scheme or none without showing anything after the scheme", () => {
    const fields: [string, string][] = [
      ["chain.rpcUrl", "http:// or https://"],
      ["gateway.httpUrl", "http:// or https://"],
      ["gateway.wsUrl", "ws:// or wss://"],
      ["results.publicBaseUrl", "http:// or https://"],
    ];
    const written: [string, string | null][] = [
      ["alice:sEcReT@eth.example.org:8545/v2/kEy", null],
      ["eth.example.org:8545/v2/kEy", null],
      ["https//alice:sEcReT@eth.example.org/v2/kEy", null],
      ["ftp://alice:sEcReT@eth.example.org/v2/kEy?q=kEy", "ftp://"],
    ];
    for (const [field, wanted] of fields) {
      for (const [url, scheme] of written) {
        const message = configError(withField(minimalConfig(), field, url)).message;
        expect(message, url).to.equal(`config.${field}: ${scheme === null ? `has no ${wanted} scheme` : `must start with ${wanted}, not ${scheme}`}`);
        for (const secret of ["alice", "sEcReT", "eth.example", "kEy", "8545"]) expect(message, `${url}: ${secret}`).not.to.include(secret);
      }
    }
  });

  it("refuses a URL field without exactly two slashes after its scheme, which URL would read as two, without showing it", () => {
    const fields: [string, string][] = [
      ["chain.rpcUrl", "https:"],
      ["gateway.httpUrl", "https:"],
      ["gateway.wsUrl", "wss:"],
      ["results.publicBaseUrl", "https:"],
    ];
    const written: [string, string][] = [
      ["/", '"/"'],
      ["", "none"],
      ["///", '"///"'],
      ["\\\\", '"\\\\"'],
      ["\\", '"\\"'],
    ];
    for (const [field, scheme] of fields) {
      for (const [separator, shown] of written) {
        const url = `${scheme}${separator}eth.example.org/v2/sEcReTkEy`;
        expect(configError(withField(minimalConfig(), field, url)).message, url).to.equal(
          `config.${field}: must have two slashes after its scheme (${scheme}//host/…), not ${shown}`,
        );
      }
    }
  });

  it("refuses a URL field with leading or trailing whitespace, which URL would trim, naming the field without showing it", () => {
    const fields: [string, string][] = [
      ["chain.rpcUrl", "https://eth.example.org/v2/sEcReTkEy"],
      ["gateway.httpUrl", "https://gw.example.org/graphql"],
      ["gateway.wsUrl", "wss://gw.example.org/graphql"],
      ["results.publicBaseUrl", "https://results.example.org/files"],
    ];
    for (const [field, url] of fields) {
      for (const written of [` ${url}`, `${url} `, `\t${url}`, `${url}\n`, `${url}\u0000`]) {
        expect(configError(withField(minimalConfig(), field, written)).message, JSON.stringify(written)).to.equal(
          `config.${field}: has leading or trailing whitespace`,
        );
      }
    }
  });

  it("refuses a URL field with a tab or line break in it, which URL would strip, without showing it", () => {
    const error = configError(withField(minimalConfig(), "chain.rpcUrl", "https://eth.example.org/v2/sEc\nReTkEy"));
    expect(error.message).to.equal("config.chain.rpcUrl: has a tab or line break in it");
  });

  it("refuses chain.rpcUrl and gateway.httpUrl on a port fetch never connects to, naming the field, the origin and the fix", () => {
    const rpc = configError(withField(minimalConfig(), "chain.rpcUrl", "https://alice:sEcReT@eth.example.org:6000/v2/kEy?q=kEy"));
    expect(rpc.message).to.equal(
      'config.chain.rpcUrl: names port 6000 (https://eth.example.org:6000), one that Node\'s fetch never connects to (a "bad port" ' +
        "of the Fetch standard), so the worker could never reach the node there: serve the node on another port and set " +
        "chain.rpcUrl to it",
    );
    for (const secret of ["alice", "sEcReT", "kEy"]) expect(rpc.message, secret).not.to.include(secret);
    const gateway = configError(withField(minimalConfig(), "gateway.httpUrl", "http://127.0.0.1:10080/graphql"));
    expect(gateway.message).to.match(/^config\.gateway\.httpUrl: names port 10080 \(http:\/\/127\.0\.0\.1:10080\), .* set gateway\.httpUrl to it$/);
  });

  it("refuses results.publicBaseUrl on a port fetch never connects to, since no client could fetch a result there", () => {
    const error = configError(withField(minimalConfig(), "results.publicBaseUrl", "https://results.example.org:6665/files"));
    expect(error.message).to.equal(
      'config.results.publicBaseUrl: names port 6665 (https://results.example.org:6665), one that fetch never connects to (a ' +
        '"bad port" of the Fetch standard, in browsers and Node alike), so no client could fetch a result there: serve ' +
        "results.dir on another port and set results.publicBaseUrl to it",
    );
  });

  it("takes gateway.wsUrl on a port fetch refuses, since ws connects there", () => {
    const config = parseConfig(withField(minimalConfig(), "gateway.wsUrl", "ws://127.0.0.1:6000/graphql"), "/etc/latent/worker.json");
    expect(config.gateway.wsUrl).to.equal("ws://127.0.0.1:6000/graphql");
  });

  it("reads the gateway resync interval in seconds", () => {
    expect(parseConfig(minimalConfig(), "/etc/latent/worker.json").gateway.resyncMs).to.equal(60_000);
    const json = withField(minimalConfig(), "gateway.resyncSeconds", 30);
    expect(parseConfig(json, "/etc/latent/worker.json").gateway.resyncMs).to.equal(30_000);
    expect(configError(withField(minimalConfig(), "gateway.resyncSeconds", 1)).message).to.equal(
      "config.gateway.resyncSeconds: must be an integer between 5 and 3600, got 1",
    );
  });

  it("reads the settlement poll interval in seconds", () => {
    const json = withField(minimalConfig(), "policy.settlementPollSeconds", 5);
    expect(parseConfig(json, "/etc/latent/worker.json").policy.settlementPollMs).to.equal(5000);
    expect(configError(withField(minimalConfig(), "policy.settlementPollSeconds", 0)).field).to.equal(
      "config.policy.settlementPollSeconds",
    );
  });

  it("declines directed jobs it will not run unless policy.declineDirectedJobs is false", () => {
    const json = withField(minimalConfig(), "policy.declineDirectedJobs", false);
    expect(parseConfig(json, "/etc/latent/worker.json").policy.declineDirectedJobs).to.equal(false);
    expect(configError(withField(minimalConfig(), "policy.declineDirectedJobs", "no")).message).to.equal(
      'config.policy.declineDirectedJobs: must be true or false, got "no"',
    );
  });

  it("reads results.retentionDays in days, 0 keeping result files for ever", () => {
    const retentionMs = (days: number) =>
      parseConfig(withField(minimalConfig(), "results.retentionDays", days), "/etc/latent/worker.json").results.retentionMs;
    expect(retentionMs(0)).to.equal(0);
    expect(retentionMs(7)).to.equal(7 * 86_400_000);
    expect(configError(withField(minimalConfig(), "results.retentionDays", -1)).message).to.equal(
      "config.results.retentionDays: must be an integer between 0 and 3650, got -1",
    );
  });

  it("replaces unmined transactions after 60 s, paying at most 500 gwei, unless told otherwise", () => {
    expect(parseConfig(minimalConfig(), "/etc/latent/worker.json").chain).to.include({
      replaceAfterMs: 60_000,
      maxFeePerGas: 500_000_000_000n,
    });
    const json = withField(withField(minimalConfig(), "chain.replaceAfterSeconds", 0), "chain.maxFeePerGas", "100000000");
    expect(parseConfig(json, "/etc/latent/worker.json").chain).to.include({ replaceAfterMs: 0, maxFeePerGas: 100_000_000n });
    expect(configError(withField(minimalConfig(), "chain.replaceAfterSeconds", 180)).message).to.equal(
      "config.chain.replaceAfterSeconds: must be an integer between 0 and 170, got 180",
    );
    expect(configError(withField(minimalConfig(), "chain.maxFeePerGas", 100)).message).to.equal(
      "config.chain.maxFeePerGas: must be a decimal string of wei per gas, from 1 to 2^96-1, got 100",
    );
  });

  it("reads chain.receiptTimeoutSeconds (20..3600, default 180), which replaceAfterSeconds must stay 10 s under", () => {
    const chain = (json: Json) => parseConfig(json, "/etc/latent/worker.json").chain;
    expect(chain(minimalConfig())).to.include({ receiptTimeoutMs: 180_000, replaceAfterMs: 60_000 });
    const long = withField(withField(minimalConfig(), "chain.receiptTimeoutSeconds", 600), "chain.replaceAfterSeconds", 590);
    expect(chain(long)).to.include({ receiptTimeoutMs: 600_000, replaceAfterMs: 590_000 });
    // A timeout under the default delay lowers the delay it did not set, rather than fail on it.
    expect(chain(withField(minimalConfig(), "chain.receiptTimeoutSeconds", 30))).to.include({ receiptTimeoutMs: 30_000, replaceAfterMs: 20_000 });
    expect(configError(withField(minimalConfig(), "chain.receiptTimeoutSeconds", 10)).message).to.equal(
      "config.chain.receiptTimeoutSeconds: must be an integer between 20 and 3600, got 10",
    );
    expect(configError(withField(minimalConfig(), "chain.receiptTimeoutSeconds", "180")).message).to.equal(
      'config.chain.receiptTimeoutSeconds: must be an integer between 20 and 3600, got "180"',
    );
    const crossed = withField(withField(minimalConfig(), "chain.receiptTimeoutSeconds", 60), "chain.replaceAfterSeconds", 60);
    expect(configError(crossed).message).to.equal("config.chain.replaceAfterSeconds: must be an integer between 0 and 50, got 60");
  });

  it("gives the contract market the configured receipt timeout and replacement delay", () => {
    const json = withField(withField(minimalConfig(), "chain.receiptTimeoutSeconds", 600), "chain.replaceAfterSeconds", 120);
    const rpc = new JsonRpcProvider("http://127.0.0.1:1", undefined, { staticNetwork: true });
    try {
      const market = new ContractMarket({
        rpc,
        operator: new Wallet(Wallet.createRandom().privateKey),
        provider: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
        contracts: { jobEscrow: "0x5FbDB2315678afecb367f032d93F642f64180aa3", providerRegistry: "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512" },
        ...transactionWaits(parseConfig(json, "/etc/latent/worker.json").chain),
      });
      expect(market).to.include({ receiptTimeoutMs: 600_000, replaceAfterMs: 120_000 });
    } finally {
      rpc.destroy();
    }
  });

  it("checksums the provider address", () => {
    const config = parseConfig(minimalConfig(), "/etc/latent/worker.json");
    expect(config.provider.address).to.equal("0x70997970C51812dc3A010C7d01b50e0d17dc79C8");
  });

  it("resolves relative paths against the config file's directory", () => {
    const json = withField(minimalConfig(), "specs.fileRoot", "specs");
    const config = parseConfig(json, "/srv/latent/worker.json");
    expect(config.specs.fileRoot).to.equal("/srv/latent/specs");
    expect(config.contracts).to.deep.equal({
      kind: "deploymentFile",
      path: "/srv/latent/deployments/localhost.json",
      written: { value: "deployments/localhost.json", configDir: "/srv/latent" },
    });
  });

  it("keeps no written form for an absolute deployment or key file, whose errors need only the path", () => {
    const json = withField(
      withField(minimalConfig(), "contracts.deploymentFile", "/opt/latent/deployments/localhost.json"),
      "operatorKey",
      { file: "/etc/latent/operator.key" },
    );
    const config = parseConfig(json, "/srv/latent/worker.json");
    expect(config.contracts).to.deep.equal({ kind: "deploymentFile", path: "/opt/latent/deployments/localhost.json" });
    expect(config.operatorKey).to.deep.equal({ kind: "file", path: "/etc/latent/operator.key" });
  });

  it("refuses a URL with one slash after its scheme where a path belongs, and the path a URL was resolved into", () => {
    const urls = [
      "https:/eth.example.org/v2/sEcReTkEy",
      "WSS:/gw.example.org/graphql?auth=sEcReTkEy",
      path.posix.resolve("/home/u", "https://eth.example.org/v2/sEcReTkEy"),
    ];
    for (const url of urls) {
      for (const field of ["contracts.deploymentFile", "operatorKey.file", "results.dir", "specs.fileRoot", "executors.command.workDir"]) {
        const json = withField(field === "operatorKey.file" ? withField(minimalConfig(), "operatorKey", {}) : minimalConfig(), field, url);
        const error = configError(json);
        expect(error.message, `${field}: ${url}`).to.equal(`config.${field}: must be a file path, not a URL`);
      }
      expect(() => loadConfig(url), url).to.throw(ConfigError, /^the config file must be given as a file path, not a URL$/);
    }
    const json = withField(minimalConfig(), "results.dir", "/srv/https/v2/results");
    expect(parseConfig(json, "/srv/latent/worker.json").results.dir).to.equal("/srv/https/v2/results");
  });

  it("refuses a URL pasted from Windows where a path belongs: backslashes after its scheme, alone or in a Windows path", () => {
    const urls = [
      "https:\\\\eth.example.org\\v2\\sEcReTkEy",
      "C:\\work\\https:\\eth.example.org\\v2\\sEcReTkEy",
      "wss:\\/gw.example.org\\graphql?auth=sEcReTkEy",
      "s3:\\\\bucket\\sEcReTkEy",
    ];
    for (const url of urls) {
      for (const field of ["contracts.deploymentFile", "operatorKey.file", "results.dir", "specs.fileRoot", "executors.command.workDir"]) {
        const json = withField(field === "operatorKey.file" ? withField(minimalConfig(), "operatorKey", {}) : minimalConfig(), field, url);
        expect(configError(json).message, `${field}: ${url}`).to.equal(`config.${field}: must be a file path, not a URL`);
      }
      expect(() => loadConfig(url), url).to.throw(ConfigError, /^the config file must be given as a file path, not a URL$/);
    }
    for (const dir of ["C:\\work\\https\\results", "C:\\\\work\\results"]) {
      expect(parseConfig(withField(minimalConfig(), "results.dir", dir), "/srv/latent/worker.json").results.dir, dir).to.equal(
        `/srv/latent/${dir}`,
      );
    }
  });

  it("names the field, the rule and the value for a bad command timeout", () => {
    const json = withField(minimalConfig(), "executors.command.timeoutSeconds", "abc");
    const error = configError(json);
    expect(error.field).to.equal("config.executors.command.timeoutSeconds");
    expect(error.message).to.equal(
      'config.executors.command.timeoutSeconds: must be an integer between 1 and 86400, got "abc"',
    );
  });

  it("reads specs.allowHosts as URL hosts: lowercase, an IPv6 address without brackets", () => {
    const json = withField(minimalConfig(), "specs.allowHosts", ["LocalHost", "127.0.0.1", "[::1]", "fd00::0:1"]);
    expect(parseConfig(json, "/etc/latent/worker.json").specs.allowHosts).to.deep.equal(["localhost", "127.0.0.1", "::1", "fd00::1"]);
  });

  it("rejects a specs.allowHosts entry with a scheme or port, which no URL's host would match, naming it", () => {
    for (const entry of ["http://127.0.0.1", "127.0.0.1:8080", "specs.local/path", ""]) {
      const error = configError(withField(minimalConfig(), "specs.allowHosts", ["localhost", entry]));
      expect(error.field, entry).to.equal("config.specs.allowHosts[1]");
      expect(error.message, entry).to.contain(JSON.stringify(entry));
    }
  });

  it("names a missing required field", () => {
    const error = configError(withField(minimalConfig(), "gateway.wsUrl", undefined));
    expect(error.message).to.equal("config.gateway.wsUrl: is required");
  });

  it("rejects a misspelt field instead of ignoring it", () => {
    const error = configError(withField(minimalConfig(), "policy.maxConcurentJobs", 2));
    expect(error.field).to.equal("config.policy.maxConcurentJobs");
    expect(error.message).to.contain("unknown field").and.to.contain("maxConcurrentJobs");
  });

  it("rejects a gateway WebSocket URL with an http scheme", () => {
    const error = configError(withField(minimalConfig(), "gateway.wsUrl", "http://127.0.0.1:4000/graphql"));
    expect(error.message).to.equal("config.gateway.wsUrl: must start with ws:// or wss://, not http://");
  });

  it("rejects a provider address with a bad checksum", () => {
    const error = configError(
      withField(minimalConfig(), "provider.address", "0x70997970C51812dc3A010C7d01b50e0d17dc79c8"),
    );
    expect(error.field).to.equal("config.provider.address");
    expect(error.message).to.contain("checksum");
  });

  it("refuses a private key written inline without echoing it", () => {
    const key = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
    const error = configError(withField(minimalConfig(), "operatorKey", key));
    expect(error.field).to.equal("config.operatorKey");
    expect(error.message).to.contain("never put the key itself in the config");
    expect(error.message).not.to.contain(key.slice(2, 20));
  });

  it("does not echo a private key pasted into another field, in a list, or as a key name", () => {
    const digits = "59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
    const cases: [string, unknown][] = [
      ["provider.address", `0x${digits}`],
      ["chain.chainId", digits],
      ["policy.minPricePerGpuHour", `0x${digits}`],
      // Quoted abbreviated, to 80 characters: the key's first digits would be.
      ["retry", ["a value long enough to push the key to the end of the abbreviation", `0x${digits}`]],
      [`provider.0x${digits}`, true],
    ];
    for (const [field, value] of cases) {
      const error = configError(withField(minimalConfig(), field, value));
      // No run of 12 of the key's digits, wherever they sit in it.
      const pieces = Array.from({ length: digits.length - 11 }, (_, start) => digits.slice(start, start + 12));
      for (const shown of [error.message, error.field, (error.cause as Error).message]) {
        expect(pieces.filter((piece) => shown.includes(piece)), `${field}: ${shown}`).to.deep.equal([]);
      }
      expect(error.message, field).to.contain("not shown");
    }
    const address = configError(withField(minimalConfig(), "provider.address", `0x${digits}`));
    expect(address.field).to.equal("config.provider.address");
    expect(address.message).to.contain("must be a 0x-prefixed 20-byte address");
  });

  it("refuses executors.command.envAllowList naming the operator key's variable, naming the field and the variable", () => {
    const error = configError(withField(minimalConfig(), "executors.command.envAllowList", ["PATH", "LATENT_OPERATOR_KEY"]));
    expect(error.field).to.equal("config.executors.command.envAllowList[1]");
    expect(error.message).to.contain("LATENT_OPERATOR_KEY").and.to.contain("config.operatorKey.env");
  });

  it("accepts an envAllowList naming another variable when the key is read from a file", () => {
    const json = withField(
      withField(minimalConfig(), "operatorKey", { file: "/etc/latent/operator.key" }),
      "executors.command.envAllowList",
      ["PATH", "LATENT_OPERATOR_KEY"],
    );
    expect(parseConfig(json, "/etc/latent/worker.json").executors.command.envAllowList).to.deep.equal(["PATH", "LATENT_OPERATOR_KEY"]);
  });

  it("refuses a key as operatorKey.file, but not a key file's path whose name has 64 hex digits in it", () => {
    const digits = "59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
    for (const file of [digits, `0x${digits}`, ` 0x${digits}\n`]) {
      const error = configError(withField(minimalConfig(), "operatorKey", { file }));
      expect(error.field, file).to.equal("config.operatorKey.file");
      expect(error.message).to.contain("looks like a private key, not a file path").and.not.to.contain(digits.slice(0, 16));
    }
    const named = parseConfig(withField(minimalConfig(), "operatorKey", { file: `keys/${digits}.key` }), "/etc/latent/worker.json");
    expect(named.operatorKey).to.deep.equal({
      kind: "file",
      path: `/etc/latent/keys/${digits}.key`,
      written: { value: `keys/${digits}.key`, configDir: "/etc/latent" },
    });
  });

  it("requires exactly one operator key source", () => {
    const error = configError(withField(minimalConfig(), "operatorKey", { env: "A", file: "/k" }));
    expect(error.message).to.equal('config.operatorKey: must have exactly one of "env" or "file"');
  });

  it("accepts contract addresses instead of a deployment file", () => {
    const json = withField(minimalConfig(), "contracts", {
      jobEscrow: "0x5fbdb2315678afecb367f032d93f642f64180aa3",
      providerRegistry: "0xe7f1725e7734ce288f8367e1bb143e90bb3f0512",
    });
    expect(parseConfig(json, "/w.json").contracts).to.deep.equal({
      kind: "addresses",
      jobEscrow: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
      providerRegistry: "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512",
    });
  });

  it("rejects a contracts section that mixes a deployment file and addresses", () => {
    const json = withField(minimalConfig(), "contracts.jobEscrow", "0x5fbdb2315678afecb367f032d93f642f64180aa3");
    expect(configError(json).field).to.equal("config.contracts");
  });

  it("requires the program of an enabled command executor", () => {
    const error = configError(withField(minimalConfig(), "executors.command", { enabled: true }));
    expect(error.message).to.equal(
      "config.executors.command.program: is required when the command executor is enabled",
    );
  });

  it("requires the command program to be an absolute path", () => {
    const json = withField(minimalConfig(), "executors.command", { enabled: true, program: "latent-job" });
    expect(configError(json).message).to.contain("config.executors.command.program: must be an absolute path");
  });

  it("rejects an accepted kind whose executor is disabled", () => {
    const json = withField(minimalConfig(), "policy.acceptedKinds", ["matmul", "command"]);
    const error = configError(json);
    expect(error.field).to.equal("config.policy.acceptedKinds[1]");
    expect(error.message).to.contain("not enabled");
  });

  it("accepts every enabled kind by default", () => {
    const json = withField(minimalConfig(), "executors.command", { enabled: true, program: "/usr/bin/true" });
    expect(parseConfig(json, "/w.json").policy.acceptedKinds).to.deep.equal(["matmul", "command"]);
  });

  it("rejects a config that enables no executor", () => {
    const json = withField(minimalConfig(), "executors.builtin.matmul.enabled", false);
    expect(configError(json).message).to.contain("config.executors: enables no executor");
  });

  it("reads a minimum price beyond 2^53 exactly from a decimal string", () => {
    const json = withField(minimalConfig(), "policy.minPricePerGpuHour", "12345678901234567890123");
    expect(parseConfig(json, "/w.json").policy.minPricePerGpuHour).to.equal(12345678901234567890123n);
  });

  it("rejects a minimum price given as a JSON number", () => {
    const error = configError(withField(minimalConfig(), "policy.minPricePerGpuHour", 5));
    expect(error.message).to.equal(
      "config.policy.minPricePerGpuHour: must be a decimal string of token units (wei), at most 2^96-1, got 5",
    );
  });

  it("rejects a GPU model id with characters the registry refuses", () => {
    const error = configError(withField(minimalConfig(), "gpu.model", "RTX 4090"));
    expect(error.message).to.equal(
      'config.gpu.model: must be lowercase [a-z0-9-], at most 32 characters, got "RTX 4090"',
    );
  });

  // Lengths as the README gives them: model ≤ 32 characters, region ≤ 16, displayName ≤ 64 bytes.
  const lengths: Array<[string, string, number]> = [
    ["gpu.model", "m", 32],
    ["gpu.region", "r", 16],
    ["gpu.displayName", "é", 64],
  ];
  for (const [field, unit, max] of lengths) {
    it(`takes a ${field} up to its documented length and no longer`, () => {
      const fit = unit.repeat(Buffer.byteLength(unit) === 1 ? max : max / Buffer.byteLength(unit));
      expect(() => parseConfig(withField(minimalConfig(), field, fit), "/etc/latent/worker.json")).not.to.throw();
      expect(configError(withField(minimalConfig(), field, `${fit}${unit}`)).field).to.equal(`config.${field}`);
    });
  }

  it("rejects an unknown tier by listing the valid ones", () => {
    const error = configError(withField(minimalConfig(), "gpu.tier", "datacenter"));
    expect(error.message).to.equal('config.gpu.tier: must be one of: enterprise, consumer, got "datacenter"');
  });

  it("rejects a retry cap below the initial delay", () => {
    const json = withField(minimalConfig(), "retry", { initialDelayMs: 1000, maxDelayMs: 10 });
    expect(configError(json).field).to.equal("config.retry.maxDelayMs");
  });

  describe("loading files", () => {
    let dir: string;
    beforeEach(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), "latent-config-"));
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("reads comments in the file as whitespace, also inside and around values", () => {
      const file = path.join(dir, "worker.json");
      const text = JSON.stringify(minimalConfig(), null, 2).replace(
        '"chain": {',
        '/* the chain */ "chain": { // block comment above, line comment here\n',
      );
      fs.writeFileSync(file, `// header\n${text}\n/* trailer */`);
      expect(loadConfig(file).chain.rpcUrl).to.equal("http://127.0.0.1:8545");
    });

    it("keeps // inside strings", () => {
      const file = path.join(dir, "worker.json");
      fs.writeFileSync(file, JSON.stringify(minimalConfig()));
      expect(loadConfig(file).gateway.httpUrl).to.equal("http://127.0.0.1:4000/graphql");
    });

    it("reports a file that is not JSON", () => {
      const file = path.join(dir, "worker.json");
      fs.writeFileSync(file, "{ chain: ");
      expect(() => loadConfig(file)).to.throw(ConfigError, /is not valid JSON/);
    });

    describe("a syntax error, by line and column and without quoting the file", () => {
      // Lines 1 to 3 are comments, so every position below is also one after a comment block.
      const LINES = [
        "// The worker on gpu-7.",
        "/* Keys live in the environment,",
        "   never here. */",
        "{",
        '  "chain": { "rpcUrl": "http://127.0.0.1:8545" },',
        '  "gateway": { "httpUrl": "http://127.0.0.1:4000/graphql", "wsUrl": "ws://127.0.0.1:4000/graphql" },',
        '  "provider": { "address": "0x70997970c51812dc3a010c7d01b50e0d17dc79c8" },',
        '  "operatorKey": { "env": "LATENT_OPERATOR_KEY" },',
        '  "contracts": { "deploymentFile": "deployments/localhost.json" }',
        "}",
      ];
      // An operator key without its 0x and beginning with a letter: V8 would quote it as the unexpected token.
      const KEY = "a9c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";

      /** LINES with line `line` (1-based) replaced by `text` (several lines where it holds newlines). */
      function linesWith(line: number, text: string): string[] {
        return [...LINES.slice(0, line - 1), text, ...LINES.slice(line)];
      }

      function loadError(text: string): string {
        const file = path.join(dir, "worker.json");
        fs.writeFileSync(file, text);
        try {
          loadConfig(file);
        } catch (error) {
          expect(error).to.be.instanceOf(ConfigError);
          const message = (error as Error).message;
          expect(message).not.to.contain(KEY.slice(0, 4));
          return message.replace(`config file ${file} is `, "");
        }
        throw new Error("loadConfig accepted the file");
      }

      it("loads the file before it is broken", () => {
        const file = path.join(dir, "worker.json");
        fs.writeFileSync(file, LINES.join("\n"));
        expect(loadConfig(file).operatorKey).to.deep.equal({ kind: "env", variable: "LATENT_OPERATOR_KEY" });
      });

      it("refuses a key written twice in one object, pointing at the second, which JSON.parse would keep silently", () => {
        const text = linesWith(7, '  "provider": { "address": "0x70997970c51812dc3a010c7d01b50e0d17dc79c8", "onlineAtStart": false,\n    /* later */ "onlineAtStart": true },').join("\n");
        expect(loadError(text)).to.equal(
          "ambiguous JSON at line 8, column 17: a key written twice in the same object (only the last would count)",
        );
      });

      it("points at a stray token, the key written where a value belongs, without quoting it", () => {
        const text = linesWith(8, `  "operatorKey": ${KEY},`).join("\n");
        expect(loadError(text)).to.equal("not valid JSON at line 8, column 18: unexpected token");
      });

      it("points at the value after a missing comma", () => {
        const text = linesWith(5, '  "chain": { "rpcUrl": "http://127.0.0.1:8545" }').join("\n");
        expect(loadError(text)).to.equal("not valid JSON at line 6, column 3: expected ',' or '}' after property value");
      });

      it("points at the closing brace after a trailing comma", () => {
        const text = linesWith(9, '  "contracts": { "deploymentFile": "deployments/localhost.json" },').join("\n");
        expect(loadError(text)).to.equal("not valid JSON at line 10, column 1: expected double-quoted property name");
      });

      it("points at the end of a string left open at the end of the file", () => {
        const text = [...LINES.slice(0, 7), `  "operatorKey": { "env": "${KEY}`].join("\n");
        expect(loadError(text)).to.equal(`not valid JSON at line 8, column ${28 + KEY.length}: unterminated string`);
      });

      it("points at the line break in a string left open before the end of the line", () => {
        const text = linesWith(8, `  "operatorKey": { "env": "${KEY} },`).join("\n");
        expect(loadError(text)).to.equal(
          `not valid JSON at line 8, column ${31 + KEY.length}: bad control character in string literal`,
        );
      });

      it("points at the end of a file that ends too early", () => {
        const cut = [...LINES.slice(0, 8), '  "contracts": { "deploymentFile":'].join("\n");
        expect(loadError(cut)).to.equal("not valid JSON at line 9, column 35: unexpected end of JSON input");
        expect(loadError(`${cut}\n`)).to.equal("not valid JSON at line 10, column 1: unexpected end of JSON input");
        expect(loadError(LINES.slice(0, 9).join("\n"))).to.equal(
          `not valid JSON at line 9, column ${LINES[8].length + 1}: expected ',' or '}' after property value`,
        );
      });

      it("points at a missing colon after a comment on the same line, the comment holding the key", () => {
        const comment = `/* ${KEY} */`;
        const text = linesWith(7, `  ${comment} "provider" { "address": "0x70997970c51812dc3a010c7d01b50e0d17dc79c8" },`);
        expect(loadError(text.join("\n"))).to.equal(
          `not valid JSON at line 7, column ${comment.length + 15}: unexpected token`,
        );
      });

      it("points after a comment spanning lines, the comment holding the key", () => {
        const text = linesWith(7, `  /* ${KEY}\n  ${KEY} */ "provider": ${KEY},`);
        expect(loadError(text.join("\n"))).to.equal(`not valid JSON at line 8, column ${KEY.length + 19}: unexpected token`);
      });

      it("points at a /* comment left open at the end of the file, the comment holding the key", () => {
        const text = [...LINES, `  /* ${KEY}`].join("\n");
        expect(loadError(text)).to.equal("not valid JSON at line 11, column 3: unterminated comment");
      });

      it("counts lines and columns alike in a file with CRLF line ends", () => {
        const text = linesWith(8, `  "operatorKey": ${KEY},`).join("\r\n");
        expect(loadError(text)).to.equal("not valid JSON at line 8, column 18: unexpected token");
        const lineComment = linesWith(1, `// ${KEY}`).join("\r\n").replace(/ {2}"chain"/, `  ${KEY}`);
        expect(loadError(lineComment)).to.equal("not valid JSON at line 5, column 3: expected property name or '}'");
      });

      it("ends a // comment at a lone CR (old Mac line ends), so the lines after it are read", () => {
        const file = path.join(dir, "worker.json");
        fs.writeFileSync(file, LINES.join("\r"));
        expect(loadConfig(file).operatorKey).to.deep.equal({ kind: "env", variable: "LATENT_OPERATOR_KEY" });
      });

      it("counts lines and columns alike in a file with lone-CR line ends, after // and /* */ comments", () => {
        const text = linesWith(8, `  "operatorKey": ${KEY},`).join("\r");
        expect(loadError(text)).to.equal("not valid JSON at line 8, column 18: unexpected token");
      });
    });

    it("reports a missing file by its path", () => {
      const file = path.join(dir, "absent.json");
      expect(() => loadConfig(file)).to.throw(ConfigError, new RegExp(`cannot read config file ${file}`));
    });
  });
});

// The README says the example documents every field. The fields are the parser's own: it rejects an unknown key by
// listing the ones it allows, so a key planted in each object of the example makes it say which those are. That the
// example parses is "accepts the committed example config" above. A field counts as documented only where it is a key
// of the parsed example (a value set, not a name in a comment), save the alternatives below.
describe("worker.example.json", () => {
  const PROBE = "notAConfigField";
  const text = fs.readFileSync(EXAMPLE, "utf8");
  // Read as the worker reads it (loadConfig): JSON with comments.
  const example = parseJsonText(text, { comments: true }) as Json;
  // What the worker's own comment stripper blanks out: the comments, at their places.
  const stripped = stripJsonComments(text);
  const comments = text.split("").map((char, index) => (stripped[index] === char && !/\s/.test(char) ? " " : char)).join("");
  /** Keys written as JSON in a comment (`"file": ...`): the alternatives to the fields the example sets. */
  const keysInComments = new Set([...comments.matchAll(/"([A-Za-z]+)"\s*:/g)].map((match) => match[1]));
  /**
   * Fields the example cannot set, as the parser refuses them beside one the example sets (checked below): shown in a
   * comment instead. Each with a value of its kind, so that the refusal is of the pair, not of the value.
   */
  const ALTERNATIVES: Record<string, unknown> = {
    "operatorKey.file": "/etc/latent/operator.key",
    "contracts.jobEscrow": "0x5FbDB2315678afecb367f032d93F642f64180aa3",
    "contracts.providerRegistry": "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512",
  };

  /**
   * Fields the example leaves unset and shows in a comment: set, they must name something on the user's machine (an
   * existing directory), which a copy of the example would not find.
   */
  const SHOWN_IN_COMMENTS = ["specs.fileRoot"];

  /** The keys the parser allows in the example's object at `at`. */
  function allowedKeys(at: readonly string[]): string[] {
    const probed = JSON.parse(JSON.stringify(example)) as Json;
    let node = probed;
    for (const key of at) node = node[key] as Json;
    node[PROBE] = true;
    const field = ["config", ...at, PROBE].join(".");
    let error: unknown;
    try {
      parseConfig(probed, EXAMPLE);
    } catch (caught) {
      error = caught;
    }
    const unknown = error instanceof ConfigError && error.field === field ? error.cause : undefined;
    if (!(unknown instanceof UnknownFieldError)) throw new Error(`the parser did not refuse ${field} as unknown: ${String(error)}`);
    return [...unknown.allowed];
  }

  /** Every field's dotted path, descending into each object the example has. */
  function fieldsAt(at: readonly string[], node: Json): string[] {
    return allowedKeys(at).flatMap((key) => {
      const value = node[key];
      const here = [...at, key].join(".");
      return isJsonObject(value) ? [here, ...fieldsAt([...at, key], value)] : [here];
    });
  }

  function inExample(field: string): boolean {
    let node: unknown = example;
    for (const key of field.split(".")) {
      if (!isJsonObject(node) || !(key in node)) return false;
      node = node[key];
    }
    return true;
  }

  it("names every field the parser accepts, set or shown in a comment", () => {
    const fields = fieldsAt([], example);
    // The probe found nested objects too, not only the top level.
    expect(fields).to.include.members(["chain.rpcUrl", "executors.builtin.matmul.maxN", "operatorKey.file"]);
    const missing = fields.filter(
      (field) =>
        !inExample(field) &&
        !((field in ALTERNATIVES || SHOWN_IN_COMMENTS.includes(field)) && keysInComments.has(field.split(".").pop()!)),
    );
    expect(missing, "fields the example does not set").to.deep.equal([]);
  });

  it("leaves unset only alternatives the parser refuses beside the fields the example sets", () => {
    for (const [field, value] of Object.entries(ALTERNATIVES)) {
      expect(inExample(field), field).to.equal(false);
      const parent = field.split(".").slice(0, -1).join(".");
      const refusal = (() => {
        try {
          parseConfig(withField(example, field, value), EXAMPLE);
        } catch (error) {
          return error;
        }
      })();
      expect(refusal, field).to.be.instanceOf(ConfigError).and.to.have.property("field", `config.${parent}`);
    }
  });

  it("shows no key in its comments that is not a field", () => {
    const names = new Set(fieldsAt([], example).map((field) => field.split(".").pop()!));
    expect([...keysInComments].filter((key) => !names.has(key)), "keys in comments that no object accepts").to.deep.equal([]);
  });
});
