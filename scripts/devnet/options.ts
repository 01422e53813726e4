// `npm start` options: parsed and checked before anything starts, so a typo costs nothing.
import * as path from "node:path";
import { checkUrlForm, UrlFormError } from "../../subgraph/indexer/url-form";
import { FETCH_BAD_PORTS, fetchRefusedPort } from "../worker/fetch-ports";
import { UsageError } from "./errors";

export const USAGE = `Usage: npm start -- [options]

Starts a local chain, deploys Latent, seeds a demo network, and serves the gateway (GraphQL and dashboard)
over the embedded indexer. Ctrl-C stops everything.

  --port <n>           gateway port (default 4000; 0 picks a free one)
  --chain-port <n>     local chain's JSON-RPC port (default 8545; 0 picks a free one). On another port the
                       deployment record goes to <data-dir>/deployments/, not deployments/localhost.json
  --no-seed            deploy only: no demo providers, jobs, disputes or proposals
  --data-dir <dir>     indexer database, logs, worker config and devnet.json (default .data)

  --rpc-url <url>      use this chain instead of starting one (no local chain; no seed unless --seed).
                       Its deployment is read from deployments/ by chain id and genesis block, as the Hardhat
                       tasks find it; deployed first if none exists.
                       A chain 31337 or 1337 other than 127.0.0.1:8545 keeps it in <data-dir>/deployments/
                       instead, named after the URL (chain-<id>-<host>-<port>.json)
  --deploy             with --rpc-url: deploy a new set even if deployments/ has one for that chain
  --deployment <file>  with --rpc-url: use this deployment record
  --seed               with --rpc-url: seed the demo network (a Hardhat-compatible dev chain with 20 unlocked
                       accounts, and a deployment made by this run)
  -h, --help           show this help

Environment: LATENT_DEPLOYMENTS_DIR writes and reads deployment records elsewhere than deployments/.
`;

export interface DevnetOptions {
  /** Gateway port (0: any free port). */
  port: number;
  /** Local chain port (0: any free port); unused with rpcUrl. */
  chainPort: number;
  /** An existing chain: no local node. */
  rpcUrl?: string;
  seed: boolean;
  /** Deploy even when a record for the chain exists (always true for the local chain). */
  deploy: boolean;
  deploymentFile?: string;
  dataDir: string;
  host: string;
}

const FLAGS = new Set(["--no-seed", "--seed", "--deploy", "--help", "-h"]);
const VALUES = new Set(["--port", "--chain-port", "--rpc-url", "--data-dir", "--deployment"]);

// The worker reaches the chain and the gateway with Node's fetch (a browser reaches the dashboard with its own), which
// never connects to these: the worker config the devnet writes would be refused at the worker's start.
const BAD_PORT = `a port Node's fetch never connects to (a "bad port" of the Fetch standard, which browsers refuse too)`;

function port(text: string, flag: string, server: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isInteger(n) || n > 65_535) throw new UsageError(`${flag} must be a port number from 0 to 65535, got "${text}"`);
  if (FETCH_BAD_PORTS.has(n)) throw new UsageError(`${flag} ${n} is ${BAD_PORT}: the worker could never reach ${server} there; pick another port`);
  return n;
}

function url(text: string): string {
  // The worker's rule (subgraph/indexer/url-form.ts), which never quotes the URL (its path may be an API key): the devnet
  // writes this URL into the worker config it makes, which would refuse it otherwise.
  try {
    checkUrlForm(text, ["http", "https"]);
  } catch (error) {
    if (error instanceof UrlFormError) throw new UsageError(`--rpc-url ${error.message}`);
    throw error;
  }
  const parsed = new URL(text);
  const refused = fetchRefusedPort(parsed);
  // Named by its origin alone, as the worker's config error does: the path and query may hold a key.
  if (refused !== undefined)
    throw new UsageError(`--rpc-url names port ${refused} (${parsed.protocol}//${parsed.host}), ${BAD_PORT}: the worker could never reach the chain there`);
  return text;
}

/**
 * `npm start --port 4001` (no `--`) hands `--port` to npm, which keeps it as its own config: the script sees
 * npm_config_port=4001 (and argv ["4001"]), `--no-seed` becomes npm_config_seed="". Without this check the devnet
 * would start on the defaults, seeded, as if the options had not been given.
 */
function checkNpmSwallowed(env: Readonly<Record<string, string | undefined>>): void {
  const taken: string[] = [];
  const rewritten: string[] = [];
  for (const option of ["--port", "--chain-port", "--data-dir", "--rpc-url", "--deployment", "--deploy", "--seed"]) {
    const value = env[`npm_config_${option.slice(2).replace(/-/g, "_")}`];
    if (value === undefined) continue;
    taken.push(option);
    // npm keeps a flag as "true", --no-<flag> as "", and an option whose value it took as an argument as "true".
    if (FLAGS.has(option)) rewritten.push(value === "" ? `--no-${option.slice(2)}` : option);
    else rewritten.push(`${option} ${value === "true" || value === "" ? "<value>" : value}`);
  }
  if (taken.length === 0) return;
  throw new UsageError(`npm kept ${taken.join(", ")} for itself (options before "--" are npm's): write npm start -- ${rewritten.join(" ")}`);
}

/** Returns "help" for --help; throws UsageError for anything it does not understand. `env`: the npm script's environment. */
export function parseDevnetOptions(argv: readonly string[], cwd: string, env: Readonly<Record<string, string | undefined>> = {}): DevnetOptions | "help" {
  checkNpmSwallowed(env);
  const values = new Map<string, string>();
  const flags = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const eq = arg.indexOf("=");
    const name = arg.startsWith("--") && eq > 0 ? arg.slice(0, eq) : arg;
    if (FLAGS.has(name)) {
      if (name !== arg) throw new UsageError(`${name} takes no value`);
      flags.add(name);
    } else if (VALUES.has(name)) {
      const value = name !== arg ? arg.slice(eq + 1) : argv[++i];
      // `--data-dir --no-seed` would otherwise make a directory named "--no-seed" and seed after all.
      if (value === undefined || value === "" || (name === arg && value.startsWith("--"))) throw new UsageError(`${name} needs a value`);
      if (values.has(name)) throw new UsageError(`${name} is given twice`);
      values.set(name, value);
    } else {
      throw new UsageError(`unknown option ${arg}`);
    }
  }
  if (flags.has("--help") || flags.has("-h")) return "help";

  const rpcUrl = values.has("--rpc-url") ? url(values.get("--rpc-url") as string) : undefined;
  if (rpcUrl === undefined) {
    for (const only of ["--deploy", "--seed"]) if (flags.has(only)) throw new UsageError(`${only} only applies with --rpc-url (the local chain is always fresh and deployed, and seeded unless --no-seed)`);
    if (values.has("--deployment")) throw new UsageError("--deployment only applies with --rpc-url (the local chain is always deployed afresh)");
  } else {
    if (values.has("--chain-port")) throw new UsageError("--chain-port applies to the local chain, which --rpc-url replaces");
    if (flags.has("--no-seed")) throw new UsageError("--no-seed is the default with --rpc-url (use --seed to seed)");
    if (flags.has("--seed") && values.has("--deployment")) throw new UsageError("--seed needs a deployment made by this run: use --deploy instead of --deployment");
    if (flags.has("--deploy") && values.has("--deployment")) throw new UsageError("--deploy and --deployment exclude each other");
  }
  const deploymentFile = values.get("--deployment");
  const gatewayPort = port(values.get("--port") ?? "4000", "--port", "the gateway");
  const chainPort = port(values.get("--chain-port") ?? "8545", "--chain-port", "the local chain");
  if (rpcUrl === undefined && gatewayPort === chainPort && gatewayPort !== 0) throw new UsageError(`--port and --chain-port are both ${gatewayPort}: the gateway and the chain need a port each`);
  return {
    port: gatewayPort,
    chainPort,
    rpcUrl,
    seed: rpcUrl === undefined ? !flags.has("--no-seed") : flags.has("--seed"),
    deploy: rpcUrl === undefined || flags.has("--deploy"),
    deploymentFile: deploymentFile === undefined ? undefined : path.resolve(cwd, deploymentFile),
    dataDir: path.resolve(cwd, values.get("--data-dir") ?? ".data"),
    host: "127.0.0.1",
  };
}

/** npm start's first line, what it is about to run: a --no-seed devnet is deployed, not seeded. */
export function startHeadline(options: { rpcUrl?: string; seed: boolean }): string {
  if (options.rpcUrl !== undefined) return `Latent on ${options.rpcUrl}`;
  return `Latent devnet: a fresh local chain, deployed and ${options.seed ? "seeded" : "not seeded (--no-seed)"}`;
}
