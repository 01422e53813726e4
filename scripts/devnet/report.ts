// What `npm start` prints once everything is up: where things are, who the accounts are, and what to try next.
import * as path from "node:path";
import type { RoleAccount } from "./accounts";
import { DEFAULT_DEPLOYMENTS_DIR, DEV_CHAIN_IDS, LOCALHOST_URL, deploymentsDir } from "./deployment";
import type { DevnetInfo } from "./files";
import type { Progress } from "./progress";
import { redactUrl } from "../../subgraph/indexer/redact";

export interface NetworkSummary {
  providers: { registered: number; active: number };
  gpus: { total: number; free: number };
  models: number;
  regions: number;
  jobs: Record<string, number>;
}

const SUMMARY_QUERY = `{ networkStats(days: 1) {
  providers { registered active } gpus { total free } gpusByModel { model } gpusByRegion { region }
  jobs { total open accepted submitted disputed completed cancelled expired declined timedOut refunded } } }`;

interface SummaryData {
  networkStats: {
    providers: { registered: number; active: number };
    gpus: { total: number; free: number };
    gpusByModel: { model: string }[];
    gpusByRegion: { region: string }[];
    jobs: Record<string, number>;
  };
}

/** The network as the gateway serves it (read through the gateway on purpose: it proves the index answers). */
export async function fetchNetworkSummary(graphqlUrl: string): Promise<NetworkSummary> {
  const response = await fetch(graphqlUrl, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query: SUMMARY_QUERY }),
  });
  const body = (await response.json()) as { data?: SummaryData; errors?: { message: string }[] };
  if (body.data === undefined || body.errors !== undefined) throw new Error(`networkStats failed: ${body.errors?.[0]?.message ?? response.status}`);
  const s = body.data.networkStats;
  return { providers: s.providers, gpus: s.gpus, models: s.gpusByModel.length, regions: s.gpusByRegion.length, jobs: s.jobs };
}

function rel(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative.startsWith("..") ? file : relative;
}

function accountLine(a: RoleAccount, accounts: readonly RoleAccount[], operators: ReadonlyMap<string, string>): string {
  const operator = operators.get(a.address.toLowerCase());
  const operatorIndex = operator === undefined ? undefined : accounts.find((x) => x.address.toLowerCase() === operator)?.index;
  const suffix = operatorIndex === undefined ? "" : `, operator #${operatorIndex}`;
  return `  #${String(a.index).padEnd(3)} ${a.address}  ${a.role}${suffix}`;
}

export interface BannerInput {
  info: DevnetInfo;
  network: NetworkSummary | null;
  /** provider address (lowercase) -> operator address (lowercase). */
  operators: ReadonlyMap<string, string>;
  /** The accounts whose keys a newcomer needs (client, demo operator). */
  keyAccounts: readonly RoleAccount[];
  workerProviderText: string | null;
  /** Where `info` was written. */
  infoFile: string;
  /** The shell's environment the commands are printed for (default: this process's). */
  env?: Readonly<Record<string, string | undefined>>;
}

/**
 * What a task command needs in front of `npx hardhat` and after `--network localhost` to reach this devnet: the
 * chain's URL when it is not the localhost network's default, the record when it is not deployments/localhost.json.
 */
function taskReach(info: DevnetInfo, env: Readonly<Record<string, string | undefined>>): { env: string; deployment: string } {
  // A LOCAL_RPC_URL exported in this shell (for an earlier devnet on another port) would send the tasks there.
  const exported = env.LOCAL_RPC_URL !== undefined && env.LOCAL_RPC_URL !== "" && env.LOCAL_RPC_URL !== info.chain.rpcUrl;
  return {
    // A URL whose path, query or credentials may be a key is not printed (npm start redacts it): the command names it.
    env:
      info.chain.rpcUrl === LOCALHOST_URL && !exported
        ? ""
        : `LOCAL_RPC_URL=${redactUrl(info.chain.rpcUrl) === info.chain.rpcUrl ? info.chain.rpcUrl : "<--rpc-url>"} `,
    // A task reads deployments/localhost.json unless the shell exports LATENT_DEPLOYMENTS_DIR, which may have been
    // given to npm start alone: any other record is named.
    deployment:
      path.resolve(info.deploymentFile) === path.join(DEFAULT_DEPLOYMENTS_DIR, "localhost.json") && deploymentsDir(env) === DEFAULT_DEPLOYMENTS_DIR
        ? ""
        : ` --deployment ${rel(info.deploymentFile)}`,
  };
}

export function printBanner(progress: Progress, input: BannerInput): void {
  const { info, network } = input;
  const reach = taskReach(info, input.env ?? process.env);
  const p = (text = "") => progress.line(text);
  p();
  p(info.chain.local ? "Latent devnet is ready." : `Latent is ready on chain ${info.chain.chainId}.`);
  p();
  // The gateway serves no page at /graphql (no landing page: it would load from outside), and Apollo answers a
  // browser's GET there with a CSRF error: the first URL printed must not look like one to open.
  p(`  GraphQL     ${info.gateway.graphql}  (POST, content-type: application/json; in a browser, open the Dashboard)`);
  p(`  WebSocket   ${info.gateway.ws}  (subscriptions, graphql-ws)`);
  p(`  Dashboard   ${info.gateway.dashboard}`);
  p(`  Readiness   ${info.gateway.readyz}`);
  p(`  Chain RPC   ${info.chain.rpcUrl}  (chain ${info.chain.chainId}${info.chain.local ? ", in memory: gone when stopped" : ""})`);
  p(`  Deployment  ${rel(info.deploymentFile)}`);
  if (network !== null) {
    const j = network.jobs;
    p();
    p(
      `  Network     ${network.providers.active} active providers of ${network.providers.registered} registered, ${network.gpus.total} GPUs (${network.gpus.free} free), ${network.models} GPU models, ${network.regions} regions`,
    );
    p(
      `  Jobs        ${j.total}: ${j.open} open, ${j.accepted} running, ${j.submitted} submitted, ${j.disputed} disputed, ${j.completed} completed, ${j.refunded} refunded, ${j.cancelled} cancelled, ${j.expired} expired, ${j.declined} declined, ${j.timedOut} timed out`,
    );
  }
  if (info.accounts.length > 0) {
    p();
    // Printed whether or not the seed wrote the job command below: with another --chain-port, a bare
    // `--network localhost` would reach whatever listens on 8545 (another devnet, with the same addresses).
    p(`Accounts (${reach.env}npx hardhat <task> --network localhost${reach.deployment} --from <#>):`);
    for (const a of info.accounts) p(accountLine(a, info.accounts, input.operators));
  } else if (DEV_CHAIN_IDS.has(info.chain.chainId)) {
    // No account to list (--rpc-url without --seed), yet the tasks reach this chain and its record only this way: the
    // README's "add the banner's LOCAL_RPC_URL=… prefix and --deployment" needs a line to take them from.
    p();
    p(`Tasks (${reach.env}npx hardhat <task> --network localhost${reach.deployment}):`);
  }
  if (input.keyAccounts.length > 0) {
    p();
    p("Private keys: PUBLIC TEST KEYS from Hardhat's default mnemonic, known to everyone. Use them on this devnet only.");
    for (const a of input.keyAccounts) p(`  #${String(a.index).padEnd(3)} ${a.privateKey}  ${a.role.split(" (")[0]}`);
    // A provider of one's own needs an operator key other than these two (README: Joining as a new provider).
    if (info.accounts.some((a) => a.privateKey !== undefined)) p(`  every account's key: ${rel(input.infoFile)} (accounts[].privateKey)`);
  }
  if (info.worker !== null) {
    const keyAccount = input.keyAccounts.find((a) => a.index === info.worker?.operatorIndex);
    p();
    p(`Worker for ${input.workerProviderText ?? info.worker.provider}, operated by #${info.worker.operatorIndex}: ${rel(info.worker.config)}`);
    p(`  ${info.worker.keyEnv}=${keyAccount?.privateKey ?? "<operator key>"} npm run worker -- --config ${rel(info.worker.config)}`);
  }
  if (info.specFile !== null && info.worker !== null) {
    const client = info.accounts.find((a) => a.role.startsWith("client"));
    const providerIndex = info.accounts.find((a) => a.address.toLowerCase() === info.worker?.provider.toLowerCase())?.index;
    p("  then post a job for it (a 256x256 matmul):");
    p(
      // The common options last, as every command the tasks suggest has them.
      `  ${reach.env}npx hardhat job create --provider ${providerIndex ?? info.worker.provider} --max-price 0.5 --max-duration 10m --spec-file ${rel(info.specFile)} --network localhost${reach.deployment} --from ${client?.index ?? 15}`,
    );
  }
  p();
  p(`Everything above as JSON: ${rel(input.infoFile)}. Gateway and indexer log: ${rel(info.gatewayLog)}`);
  p(info.chain.local ? "Ctrl-C stops the gateway, the indexer and the chain. Every start begins a fresh chain." : "Ctrl-C stops the gateway and the indexer (the chain is not ours to stop).");
}
