// The checks made before the worker signs anything: the RPC endpoint serves the chain the config and the deployment
// name, the contracts are deployed there, and the operator key may act for the provider. A mistyped URL must not
// make the worker send transactions to another chain, and a missing operator grant is better reported at start
// than as a revert on the first job.

import { FetchRequest, JsonRpcProvider, Network, getAddress } from "ethers";
import { IJobEscrow__factory } from "../../typechain-types/factories/contracts/interfaces/IJobEscrow__factory";
import { splitCredentials } from "../../subgraph/indexer/url-form";
import { type ConfigFilePath, describeConfigFile } from "./config";
import { endpointName } from "./endpoint-name";
import { HttpStatusError, briefError, isTransientError } from "./retry";
import { redactUrl } from "../../subgraph/indexer/redact";
import { isJsonObject } from "./validate";

/** The endpoint answered eth_chainId with a JSON-RPC error or something that is not a chain id. */
export class RpcEndpointError extends Error {
  readonly transient = false;
  /** The endpoint's URL without credentials. */
  readonly url: string;

  constructor(url: string, problem: string) {
    const shown = endpointName(url);
    super(`the RPC endpoint ${shown} (config.chain.rpcUrl) ${problem}`);
    this.url = shown;
    this.name = "RpcEndpointError";
  }
}

/**
 * A read of the chain that the job source needs failed (the provider's listing, the job feed's filter): named as the
 * chain's, not the gateway's, in what is logged while the source tries again.
 */
export class ChainReadError extends Error {
  readonly transient: boolean;

  constructor(what: string, url: string, cause: unknown) {
    super(`cannot read ${what} from the chain at ${redactUrl(url)}: ${briefError(cause)}`, { cause });
    this.name = "ChainReadError";
    this.transient = isTransientError(cause);
  }
}

/** The endpoint serves another chain than the config or the deployment file names. */
export class ChainMismatchError extends Error {
  readonly transient = false;

  constructor(
    readonly actual: number,
    readonly expected: number,
    readonly source: string,
  ) {
    super(`the RPC endpoint serves chain ${actual}, but ${source} says ${expected}`);
    this.name = "ChainMismatchError";
  }
}

/** No code at a contract address on this chain: wrong deployment file, or a chain restarted since. */
export class ContractNotDeployedError extends Error {
  readonly transient = false;

  constructor(
    readonly contract: string,
    readonly address: string,
    readonly chainId: number,
  ) {
    super(`there is no ${contract} contract at ${address} on chain ${chainId} (check config.contracts)`);
    this.name = "ContractNotDeployedError";
  }
}

/**
 * The JobEscrow uses another ProviderRegistry than the configured one: a stale deployment file, or addresses taken from
 * two deployments. Both hold code, so nothing else would notice before the worker read one registry and wrote through
 * the other. A setup error: restarting cannot fix it, the config must change.
 */
export class DeploymentMismatchError extends Error {
  readonly transient = false;

  constructor(
    readonly jobEscrow: string,
    readonly escrowRegistry: string,
    readonly configuredRegistry: string,
    readonly source: string,
  ) {
    super(
      `the JobEscrow at ${jobEscrow} uses the ProviderRegistry at ${escrowRegistry}, but ${source} names the ` +
        `ProviderRegistry at ${configuredRegistry}: they are not one deployment (a stale deployment file?)`,
    );
    this.name = "DeploymentMismatchError";
  }
}

/** The provider is not registered: the owner registers it (and stakes) before a worker can take its jobs. */
export class ProviderNotRegisteredError extends Error {
  readonly transient = false;

  constructor(readonly provider: string) {
    super(`provider ${provider} is not registered in the ProviderRegistry: the owner registers it with \`npx hardhat provider register\``);
    this.name = "ProviderNotRegisteredError";
  }
}

/** The operator key may not act for the provider. */
export class OperatorNotAuthorizedError extends Error {
  readonly transient = false;

  constructor(
    readonly operator: string,
    readonly provider: string,
  ) {
    super(
      `the operator key (${operator}) is not the operator of provider ${provider}: the owner names it with ` +
        "`npx hardhat provider operator --operator <address>`",
    );
    this.name = "OperatorNotAuthorizedError";
  }
}

/** eth_chainId, asked directly: an ethers provider would retry a dead endpoint forever while detecting it. */
export async function readChainId(url: string, timeoutMs: number): Promise<number> {
  // fetch refuses a URL with credentials (`https://user:password@host/`): they go as Authorization: Basic, as ethers
  // sends them on every later call.
  const endpoint = splitCredentials(new URL(url));
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (endpoint.basicAuthorization !== null) headers.authorization = endpoint.basicAuthorization;
  const response = await fetch(endpoint.url, {
    method: "POST",
    headers,
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
    // Not followed (pinnedProvider refuses one likewise): a 3xx comes back as an HttpStatusError, not transient.
    redirect: "manual",
    signal: AbortSignal.timeout(timeoutMs),
  });
  if (!response.ok) throw new HttpStatusError(endpoint.url, response.status);
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    throw new RpcEndpointError(url, "answered eth_chainId with something that is not JSON");
  }
  if (!isJsonObject(body) || typeof body.result !== "string" || !/^0x[0-9a-fA-F]{1,13}$/.test(body.result)) {
    const error = isJsonObject(body) && isJsonObject(body.error) ? `: ${String(body.error.message)}` : "";
    throw new RpcEndpointError(url, `did not answer eth_chainId with a chain id${error}`);
  }
  return Number.parseInt(body.result, 16);
}

/**
 * Compares the endpoint's chain with what the config and the deployment file expect; the file as the config gave it,
 * so that a relative path's mismatch says what was written and where it led.
 */
export function checkChainId(actual: number, expected: { config?: number; deployment?: { chainId: number; file: ConfigFilePath } }): void {
  if (expected.config !== undefined && expected.config !== actual) {
    throw new ChainMismatchError(actual, expected.config, "config.chain.chainId");
  }
  if (expected.deployment !== undefined && expected.deployment.chainId !== actual) {
    const file = describeConfigFile(expected.deployment.file, "config.contracts.deploymentFile");
    throw new ChainMismatchError(actual, expected.deployment.chainId, `the deployment file ${file}`);
  }
}

/**
 * How long one call to the node may take. ethers' own 5 minutes would let a node that takes calls and never answers hold
 * each try of a write that long: a computed result has as little as JobEscrow's minimum grace (a minute) to be
 * submitted in, and a try given up is retried (TIMEOUT is transient) while the node may have come back.
 */
export const RPC_REQUEST_TIMEOUT_MS = 30_000;

/**
 * An ethers provider pinned to `chainId`: it never re-detects the network, so an outage fails calls, not start-up. A
 * redirect is refused as HttpStatusError naming the URL without its credentials, as readChainId refuses one. Each call
 * is given up after `requestTimeoutMs` (ethers' TIMEOUT).
 */
export function pinnedProvider(url: string, chainId: number, requestTimeoutMs = RPC_REQUEST_TIMEOUT_MS): JsonRpcProvider {
  const network = Network.from(chainId);
  const request = new FetchRequest(url);
  request.timeout = requestTimeoutMs;
  const get = request.getUrlFunc;
  // ethers follows a 301/302/307/308 itself, sending the call (a signed transaction) and its headers to wherever
  // Location points, another host included. Every 3xx is refused alike, as fetch with `redirect: "manual"` does.
  request.getUrlFunc = async (req, signal) => {
    const response = await get(req, signal);
    if (response.statusCode >= 300 && response.statusCode < 400) throw new HttpStatusError(url, response.statusCode);
    return response;
  };
  // No response cache: the worker re-reads job state right after its own transactions.
  return new JsonRpcProvider(request, network, { staticNetwork: network, cacheTimeout: -1, pollingInterval: 1000 });
}

/** Throws ContractNotDeployedError unless every address holds code. */
export async function checkDeployed(
  rpc: JsonRpcProvider,
  chainId: number,
  contracts: Record<string, string>,
): Promise<void> {
  for (const [name, address] of Object.entries(contracts)) {
    if ((await rpc.getCode(address)) === "0x") throw new ContractNotDeployedError(name, address, chainId);
  }
}

/**
 * Throws DeploymentMismatchError unless the JobEscrow's `registry()` is the configured ProviderRegistry (IJobEscrow
 * exposes no other contract the worker is configured with). `source` names where the addresses came from.
 */
export async function checkSameDeployment(
  rpc: JsonRpcProvider,
  contracts: { jobEscrow: string; providerRegistry: string },
  source: string,
): Promise<void> {
  const escrowRegistry = getAddress(await IJobEscrow__factory.connect(contracts.jobEscrow, rpc).registry());
  const configured = getAddress(contracts.providerRegistry);
  if (escrowRegistry !== configured) {
    throw new DeploymentMismatchError(getAddress(contracts.jobEscrow), escrowRegistry, configured, source);
  }
}
