// How this repository's Hardhat tasks (scripts/tasks) reach the deployment the gateway serves, for the commands the
// dashboard shows (`npx hardhat job create ... --network localhost`): what `npm start` prints in front of `npx
// hardhat` and after `--network localhost` (scripts/devnet/report.ts), from what the gateway was started with.
import * as path from "node:path";
import { redactUrl } from "../../subgraph/indexer/redact";
import { repoRoot } from "./repo-root";
import type { DeploymentRecord } from "./sources/deployment";

export interface TaskReach {
  /** LOCAL_RPC_URL for `--network localhost` (hardhat.config.ts); null where its default is the chain, or withheld. */
  localRpcUrl: string | null;
  /** LOCAL_RPC_URL is needed, but the URL may hold a key (a path, query or credentials): it is not shown. */
  localRpcUrlWithheld: boolean;
  /** `--deployment`, where the tasks would not find the record by `--network localhost` alone; null where they would. */
  deploymentFile: string | null;
}

/**
 * Whether `url` is the chain Hardhat's `--network localhost` reaches unless LOCAL_RPC_URL says otherwise
 * (hardhat.config.ts): 127.0.0.1 (or localhost) on port 8545. The devnet asks it too, to place its record.
 */
export function isLocalhostUrl(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  return parsed.protocol === "http:" && (parsed.hostname === "127.0.0.1" || parsed.hostname === "localhost") && parsed.port === "8545" && parsed.pathname === "/";
}

/**
 * Null where the tasks' own configuration is what reaches the deployment, which the gateway cannot know: a network
 * other than `localhost` (its tasks take the chain's URL from the shell, e.g. RPC_URL, and the record from
 * deployments/<network>.json), a record given as an object rather than a file, or no chain URL.
 */
export function taskReach(
  record: DeploymentRecord,
  file: string | undefined,
  rpcUrl: string | undefined,
  env: Readonly<Record<string, string | undefined>> = process.env,
  root?: string,
): TaskReach | null {
  if (record.network !== "localhost" || file === undefined || rpcUrl === undefined) return null;
  // Where the tasks run (npx hardhat in the repository), asked only here: another network's gateway needs none.
  root ??= repoRoot();
  const needsUrl = !isLocalhostUrl(rpcUrl);
  // On a gateway anyone may read, a URL that may carry an API key is not shown: the command names the flag instead.
  const withheld = needsUrl && redactUrl(rpcUrl) !== rpcUrl;
  // The tasks read <LATENT_DEPLOYMENTS_DIR or deployments/>/localhost.json by default (scripts/tasks/lib/context.ts).
  const dirEnv = env.LATENT_DEPLOYMENTS_DIR;
  const recordsDir = dirEnv === undefined || dirEnv === "" ? path.join(root, "deployments") : path.resolve(dirEnv);
  const resolved = path.resolve(file);
  const fromRoot = path.relative(root, resolved);
  const shown = fromRoot.startsWith("..") || path.isAbsolute(fromRoot) ? resolved : fromRoot;
  return {
    localRpcUrl: needsUrl && !withheld ? rpcUrl : null,
    localRpcUrlWithheld: withheld,
    deploymentFile: resolved === path.join(recordsDir, "localhost.json") ? null : shown,
  };
}
