// The indexer CLI's answers to a wrong command line: exit status 2 with a message naming the flag and the value,
// before anything is opened; the indexer's own errors (no build, RPC down) exit 1 with their message, no stack.
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { OPTION_RULES } from "../../../subgraph/indexer/option-rules";
import { WriterLock } from "../../../subgraph/indexer/store/writer-lock";
import { writeDeploymentManifest } from "../../../subgraph/scripts/manifest";
import { collectOutput } from "../../helpers/child-output";
import { API_KEY, fakeDeployment, startKeyedRpc } from "../../helpers/keyed-rpc";
import { PROCESS_START_MS, waitUntil } from "../../helpers/wait";
import { runIndexerCli as runCli, spawnIndexerCli } from "./helpers/cli";

describe("embedded indexer: CLI input", function () {
  // A test runs up to eight CLIs in turn, each a ts-node start: at load average 24 those of five to eight took 55-59 s,
  // and --poll-ms's ran out of the 60 s this was.
  this.timeout(240_000);
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "latent-indexer-cli-"));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("refuses a flag followed by another flag instead of its value, naming the flag", async function () {
    const run = await runCli(["--rpc", "--db", path.join(dir, "a.sqlite"), "--once"]);
    expect(run.code, run.stderr).to.equal(2);
    expect(run.stderr).to.match(/^--rpc needs a value\n/);
  });

  // The rule the gateway and the worker follow (subgraph/indexer/url-form.ts): URL would trim or strip these, or read
  // the separator as `//`, so the node reached would not be the URL written, nor the one the redaction knows.
  it("refuses an --rpc not written as URL uses it, naming --rpc, exit 2, without repeating it", async function () {
    const cases: [string, RegExp][] = [
      [" https://eth.example.org/v2/key123", /^--rpc has leading or trailing whitespace\n/],
      ["https://eth.example.org/v2/\tkey123", /^--rpc has a tab or line break in it\n/],
      ["https:/eth.example.org/v2/key123", /^--rpc must have two slashes after its scheme \(https:\/\/host\/…\), not "\/"\n/],
    ];
    for (const [rpc, message] of cases) {
      const db = path.join(dir, "form.sqlite");
      const run = await runCli(["--rpc", rpc, "--db", db, "--once"]);
      expect(run.code, `${JSON.stringify(rpc)}: ${run.stderr}`).to.equal(2);
      expect(run.stderr, JSON.stringify(rpc)).to.match(message);
      expect(`${run.stdout}${run.stderr}`, JSON.stringify(rpc)).not.to.include("key123");
      expect(fs.existsSync(db)).to.equal(false);
    }
  });

  it("refuses an --rpc that is not an http(s) URL, exit 2, without repeating it", async function () {
    const cases: [string, RegExp][] = [
      ["eth.example.org/v2/key123", /^--rpc has no http:\/\/ or https:\/\/ scheme\n/],
      ["key123:sEcReT@eth.example.org:8545", /^--rpc has no http:\/\/ or https:\/\/ scheme\n/],
      ["wss://eth.example.org/v2/key123", /^--rpc must start with http:\/\/ or https:\/\/, not wss:\/\/\n/],
    ];
    for (const [rpc, message] of cases) {
      const run = await runCli(["--rpc", rpc, "--db", path.join(dir, "scheme.sqlite"), "--once"]);
      expect(run.code, `${rpc}: ${run.stderr}`).to.equal(2);
      expect(run.stderr, rpc).to.match(message);
      expect(`${run.stdout}${run.stderr}`, rpc).not.to.include("key123");
    }
  });

  it("refuses a port outside 0..65535 or not a whole number, repeating it", async function () {
    for (const port of ["70000", "1.5", "-1", ""]) {
      const run = await runCli(["--port", port, "--db", path.join(dir, "b.sqlite")]);
      expect(run.code, `--port ${port}: ${run.stderr}`).to.equal(2);
      expect(run.stderr, port).to.match(port === "" ? /^--port needs a value\n/ : new RegExp(`^--port needs a whole number from 0 to 65535 \\(got "${port}"\\)`));
    }
  });

  it("refuses a block count that is not a whole number (--reorg-threshold, --max-range from 1), repeating it", async function () {
    const cases: [string, string, RegExp][] = [
      ["--reorg-threshold", "1.5", /^--reorg-threshold needs a whole number of blocks, 0 or more \(got "1.5"\)/],
      ["--max-range", "0", /^--max-range needs a whole number of blocks, at least 1 \(got "0"\)/],
      ["--max-range", "Infinity", /^--max-range needs a whole number of blocks, at least 1 \(got "Infinity"\)/],
    ];
    for (const [flag, value, message] of cases) {
      const run = await runCli([flag, value, "--db", path.join(dir, "c.sqlite")]);
      expect(run.code, `${flag} ${value}`).to.equal(2);
      expect(run.stderr, `${flag} ${value}`).to.match(message);
    }
  });

  // As a regular expression: what --hang-timeout accepts, hangTimeoutMs's rule in seconds.
  const HANG_TIMEOUT = "a number of seconds, 0 \\(never\\) or at least 1, at most 2147483\\.647, to the millisecond";

  it("refuses --poll-ms 0 (no pause between polls of the node), a --hang-timeout under 1 s or finer than a millisecond, and repeats the value", async function () {
    const cases: [string, string, string][] = [
      ["--poll-ms", "0", "a number of milliseconds, at least 1, at most 2147483647"],
      ["--poll-ms", "NaN", "a number of milliseconds, at least 1, at most 2147483647"],
      ["--poll-ms", "2147483648", "a number of milliseconds, at least 1, at most 2147483647"],
      ["--rps", "fast", "a number of requests per second, 0 or more"],
      ["--hang-timeout", "-1", HANG_TIMEOUT],
      ["--hang-timeout", "0.001", HANG_TIMEOUT],
      ["--hang-timeout", "0.999", HANG_TIMEOUT],
      ["--hang-timeout", "1.0001", HANG_TIMEOUT],
    ];
    for (const [flag, value, accepted] of cases) {
      const run = await runCli([flag, value]);
      expect(run.code).to.equal(2);
      expect(run.stderr).to.match(new RegExp(`^${flag} needs ${accepted} \\(got "${value}"\\)`));
    }
  });

  it("says in --help the least --poll-ms it takes, the rule that refuses 0", async function () {
    const run = await runCli(["--help"]);
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stdout).to.match(new RegExp(`^ {2}--poll-ms <n> +pause between passes at the head, at least ${OPTION_RULES.pollIntervalMs.min} \\(default 1000\\)$`, "m"));
  });

  it("refuses with --once, before or after it, a flag that only following the chain uses, naming both, exit 2", async function () {
    const cases: [string[], RegExp][] = [
      [["--once", "--port", "0"], /^--port cannot be used with --once: a one-off run serves no queries\n/],
      [["--host", "127.0.0.1", "--once"], /^--host cannot be used with --once: a one-off run serves no queries\n/],
      [["--once", "--name", "other"], /^--name cannot be used with --once: a one-off run serves no queries\n/],
      [["--poll-ms", "5", "--once"], /^--poll-ms cannot be used with --once: a one-off run does not wait at the head\n/],
    ];
    for (const [argv, message] of cases) {
      const db = path.join(dir, "once.sqlite");
      const run = await runCli([...argv, "--db", db]);
      expect(run.code, argv.join(" ")).to.equal(2);
      expect(run.stderr, argv.join(" ")).to.match(message);
      expect(fs.existsSync(db), argv.join(" ")).to.equal(false);
    }
  });

  it("refuses --host or --name without --port (no query server to set up), naming both flags, exit 2", async function () {
    for (const [argv, message] of [
      [["--host", "::1"], /^--host needs --port: without it no queries are served\n/],
      [["--name", "other"], /^--name needs --port: without it no queries are served\n/],
    ] as const) {
      const db = path.join(dir, "no-port.sqlite");
      const run = await runCli([...argv, "--db", db]);
      expect(run.code, argv.join(" ")).to.equal(2);
      expect(run.stderr, argv.join(" ")).to.match(message);
      expect(fs.existsSync(db), argv.join(" ")).to.equal(false);
    }
  });

  it("repeats a URL typed in the wrong place (without --rpc, as another flag's value) cut to its host: its path may be a key", async function () {
    const url = "https://eth.example.org/v2/key123";
    const cases: [string[], RegExp][] = [
      [[url], /^unknown option https:\/\/eth\.example\.org\/…\n/],
      [["--rps", url], /^--rps needs a number of requests per second, 0 or more \(got "https:\/\/eth\.example\.org\/…"\)\n/],
      [["--port", url], /^--port needs a whole number from 0 to 65535 \(got "https:\/\/eth\.example\.org\/…"\)\n/],
      [["--log-level", url], /^unknown log level https:\/\/eth\.example\.org\/…\n/],
    ];
    for (const [argv, message] of cases) {
      const run = await runCli(argv);
      expect(run.code, argv.join(" ")).to.equal(2);
      expect(run.stderr, argv.join(" ")).to.match(message);
      expect(`${run.stdout}${run.stderr}`, argv.join(" ")).not.to.include("key123");
    }
  });

  it("refuses a --db written as a URL, naming its scheme only, exit 2, creating nothing", async function () {
    const cases: [string, string][] = [
      ["postgres://latent:sEcReT@db.example/latent", "postgres"],
      ["libsql://latent.example.io?authToken=sEcReT", "libsql"],
      ["https:/db.example/v2/sEcReT/index.sqlite", "https"],
    ];
    for (const [db, scheme] of cases) {
      const cwd = fs.mkdtempSync(path.join(dir, "db-url-"));
      const run = await runCli(["--db", db, "--once"], 30_000, cwd);
      expect(run.code, `${db}: ${run.stderr}`).to.equal(2);
      expect(run.stderr, db).to.match(new RegExp(`^--db takes a SQLite file's path, not a URL \\(got ${scheme}:…\\)\n`));
      expect(`${run.stdout}${run.stderr}`, db).not.to.include("sEcReT");
      expect(fs.readdirSync(cwd), db).to.deep.equal([]);
    }
  });

  it("indexes into .data/indexer.sqlite under the working directory without --db", async function () {
    const template = path.resolve(__dirname, "..", "..", "..", "subgraph", "build");
    if (!fs.existsSync(path.join(template, "subgraph.yaml"))) this.skip(); // npm test builds it first
    const build = path.join(dir, "default-db-build");
    writeDeploymentManifest(fakeDeployment(template), build, { buildDir: template });
    const cwd = fs.mkdtempSync(path.join(dir, "cwd-"));
    fs.mkdirSync(path.join(cwd, ".data"));
    // Held here, the default database's lock makes the CLI name the file it would index into, before it asks any node.
    const lock = WriterLock.acquire(path.join(cwd, ".data", "indexer.sqlite"));
    try {
      const run = await runCli(["--rpc", "http://127.0.0.1:9", "--subgraph", build, "--once"], 30_000, cwd);
      expect(run.code, run.stderr).to.equal(1);
      expect(run.stderr).to.equal(
        `indexer: indexer worker: .data/indexer.sqlite is being indexed by another indexer (pid ${process.pid}), which holds ` +
          ".data/indexer.sqlite.lock: stop it, or index into another file\n",
      );
    } finally {
      lock.release();
    }
  });

  // Node's recursive mkdir never returns there (it spins a CPU): runCli kills a CLI that hangs, which reads as code -1.
  it("refuses a --db whose directory cannot be made under /proc, naming it, exit 1, instead of hanging", async function () {
    const template = path.resolve(__dirname, "..", "..", "..", "subgraph", "build");
    if (!fs.existsSync(path.join(template, "subgraph.yaml"))) this.skip(); // npm test builds it first
    const build = path.join(dir, "proc-db-build");
    writeDeploymentManifest(fakeDeployment(template), build, { buildDir: template });
    const run = await runCli(["--rpc", "http://127.0.0.1:9", "--subgraph", build, "--db", "/proc/x/y/index.sqlite", "--once"], 30_000);
    expect(run.code, run.stderr).to.equal(1);
    expect(run.stderr).to.equal("indexer: --db /proc/x/y/index.sqlite: its directory /proc/x/y: cannot be created there at /proc/x: ENOENT\n");
  });

  it("reports a missing subgraph build in one line, exit 1, without a stack trace or a database", async function () {
    const db = path.join(dir, "none.sqlite");
    const run = await runCli(["--subgraph", path.join(dir, "no-build"), "--db", db, "--once"]);
    expect(run.code).to.equal(1);
    expect(run.stderr).to.equal(`indexer: no subgraph.yaml in ${path.join(dir, "no-build")} or ${path.join(dir, "no-build", "build")}\n`);
    expect(fs.existsSync(db)).to.equal(false);
  });

  // The default --subgraph is the project's subgraph/build, compiled from the manifest template: indexing it found no
  // events and said nothing, so `npm run indexer` as a newcomer first runs it gave an empty index.
  it("refuses a build whose every data source has the placeholder address, naming subgraph:manifest", async function () {
    const template = path.resolve(__dirname, "..", "..", "..", "subgraph", "build");
    if (!fs.existsSync(path.join(template, "subgraph.yaml"))) this.skip(); // npm test builds it first
    const db = path.join(dir, "template.sqlite");
    const run = await runCli(["--rpc", "http://127.0.0.1:9", "--db", db, "--once"]);
    expect(run.code, run.stderr).to.equal(1);
    expect(run.stderr).to.equal(
      `indexer: every data source in ${path.join(template, "subgraph.yaml")} watches the placeholder address ` +
        "0x0000000000000000000000000000000000000000 (a manifest template): it would index nothing. Write the build " +
        "for a deployment with `npm run subgraph:manifest -- deployments/<network>.json` and pass " +
        "--subgraph subgraph/build-<network>\n",
    );
    expect(fs.existsSync(db)).to.equal(false);
  });

  it("cuts a URL the node's answer holds in the error of a start that fails on it, exit 1", async function () {
    // A node or a proxy that answers eth_chainId with its upstream's URL: the MalformedAnswerError quotes the value (V8's
    // BigInt error did, whole, before), and the worker passes the message on as its IndexerError ("indexer worker: …"),
    // which the --rpc redactor does not know.
    const template = path.resolve(__dirname, "..", "..", "..", "subgraph", "build");
    if (!fs.existsSync(path.join(template, "subgraph.yaml"))) this.skip(); // npm test builds it first
    const build = path.join(dir, "quoting-build");
    writeDeploymentManifest(fakeDeployment(template), build, { buildDir: template });
    const node = http.createServer((request, response) => {
      let body = "";
      request.on("data", (chunk: Buffer) => (body += chunk.toString()));
      request.on("end", () => {
        const { id } = JSON.parse(body) as { id: number };
        response.writeHead(200, { "content-type": "application/json" });
        response.end(JSON.stringify({ jsonrpc: "2.0", id, result: "https://upstream.example/v3/SECRETKEY" }));
      });
    });
    await new Promise<void>((resolve) => node.listen(0, "127.0.0.1", resolve));
    try {
      const rpc = `http://127.0.0.1:${(node.address() as AddressInfo).port}`;
      const run = await runCli(["--rpc", rpc, "--db", path.join(dir, "quoting.sqlite"), "--subgraph", build, "--once"]);
      expect(run.code, run.stderr).to.equal(1);
      expect(run.stderr).to.equal(
        'indexer: indexer worker: eth_chainId\'s answer is malformed: the result is "https://upstream.example/…", expected a hex quantity\n',
      );
    } finally {
      node.closeAllConnections();
      await new Promise<void>((resolve) => node.close(() => resolve()));
    }
  });

  it("keeps the API key in --rpc's path out of stdout and stderr, naming the node's host, when the node fails", async function () {
    this.timeout(PROCESS_START_MS + 30_000);
    const template = path.resolve(__dirname, "..", "..", "..", "subgraph", "build");
    if (!fs.existsSync(path.join(template, "subgraph.yaml"))) this.skip(); // npm test builds it first
    const build = path.join(dir, "keyed-build");
    writeDeploymentManifest(fakeDeployment(template), build, { buildDir: template });
    const node = await startKeyedRpc();
    const child = spawnIndexerCli(["--rpc", node.url, "--db", path.join(dir, "keyed.sqlite"), "--subgraph", build, "--poll-ms", "50"]);
    try {
      const output = collectOutput(child);
      // Started (the line naming the node), then a pass failed on the node's answer, which echoes the URL.
      // The CLI's start: the 20 s default ran out at load average 17.
      await waitUntil(
        () => output.stdout.includes("indexing ") && /HTTP 503/.test(output.stderr) && child.exitCode === null,
        "the indexer started and a pass failed",
        { timeoutMs: PROCESS_START_MS },
      );
      child.kill("SIGTERM");
      expect(await output.exited).to.equal(0);
      expect(`${output.stdout}${output.stderr}`).not.to.include(API_KEY);
      expect(output.stdout).to.include(`from ${node.origin}/… into`);
      expect(output.stderr).to.include(`upstream ${node.origin}/… unavailable`);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      await node.close();
    }
  });
});
