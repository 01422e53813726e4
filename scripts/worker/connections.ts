// Where the worker's JobSource (the gateway: openJobs, then the jobOpened subscription) and JobMarket (the JobEscrow
// and ProviderRegistry contracts, signed by the operator key) are created, after checking that the RPC endpoint,
// the contracts and the operator key belong together. The worker then puts the provider online (if configured),
// and `close` puts it offline again.

import type { ContractTransactionReceipt, JsonRpcProvider, Wallet } from "ethers";
import { checkChainId, checkDeployed, checkSameDeployment, OperatorNotAuthorizedError, ProviderNotRegisteredError, pinnedProvider, readChainId } from "./chain";
import { describeConfigFile, type PolicyConfig, type WorkerConfig } from "./config";
import { ContractMarket, type ContractMarketOptions } from "./contract-market";
import type { ContractAddresses } from "./contracts";
import { escrowKey } from "./executors/results";
import { JobFeedFilter, gatewayJobSource } from "./gateway-source";
import { type Logger, silentLogger } from "./logger";
import type { JobMarket, JobSource, ProviderRecord } from "./market";
import { RetryPolicy, briefError, deadlineSignal, raceAbort, withRetry } from "./retry";

export interface NetworkContext {
  config: WorkerConfig;
  /** The operator's key, already loaded: signs acceptJob, submitResult, settle and setOnline. */
  operator: Wallet;
  contracts: ContractAddresses;
  logger: Logger;
  /**
   * Aborted when the worker is asked to stop while it connects: no further try is made, and the provider is not put
   * online. A setOnline already sent is waited for, so that `close` can put the provider offline again.
   */
  signal?: AbortSignal;
}

export interface NetworkConnections {
  source: JobSource;
  market: JobMarket;
  /**
   * Put the provider offline (if configured), close sockets and providers; called once the worker has stopped.
   * `signal` cuts going offline short (the operator signals again rather than wait for a chain that does not answer).
   */
  close(signal?: AbortSignal): Promise<void>;
  /** The JobEscrow `market` writes to, as result files list their jobs (escrowKey). */
  escrow?: string;
}

export type ConnectNetwork = (context: NetworkContext) => Promise<NetworkConnections>;

const CHAIN_ID_TIMEOUT_MS = 10_000;

/**
 * The jobOpened filter for this provider: jobs it could ever take with its listing, whatever its GPUs are doing
 * now. Deliberately not the gateway's `provider` rule, which also drops jobs needing more GPUs than are free at
 * the moment the job is posted: a worker busy with one job would never hear of those, while the worker's own loop
 * looks at capacity when a slot frees up. Model and region are left to the worker too (the filter cannot say
 * "this model or any").
 */
export function feedFilterFor(record: ProviderRecord, policy: PolicyConfig, provider: string): JobFeedFilter {
  // Read at each connection: a chain restarted from scratch beneath the worker may no longer have the provider, and
  // only its owner can register it again (the worker holds the operator key). The gateway would refuse its openJobs and
  // send nothing on the feed, leaving the worker up and serving nothing.
  if (!record.registered) throw new ProviderNotRegisteredError(provider);
  const minPrice =
    record.pricePerGpuHour > policy.minPricePerGpuHour ? record.pricePerGpuHour : policy.minPricePerGpuHour;
  const filter: JobFeedFilter = {};
  if (record.gpuCount > 0) filter.maxGpuCount = record.gpuCount;
  if (minPrice > 0n) filter.minPricePerGpuHour = minPrice.toString();
  return filter;
}

function retrying<T>(
  operation: () => Promise<T>,
  policy: RetryPolicy,
  logger: Logger,
  what: string,
  signal?: AbortSignal,
): Promise<T> {
  return withRetry(operation, {
    policy,
    signal,
    onRetry: ({ attempt, delayMs, error }) =>
      logger.warn(`${what}: transient failure; retrying`, {
        attempt,
        delayMs,
        error: briefError(error),
      }),
  });
}

/** The market's waits on its transactions, from the config's `chain` section. */
export function transactionWaits(
  chain: WorkerConfig["chain"],
): Required<Pick<ContractMarketOptions, "receiptTimeoutMs" | "replaceAfterMs" | "maxFeePerGas">> {
  return { receiptTimeoutMs: chain.receiptTimeoutMs, replaceAfterMs: chain.replaceAfterMs, maxFeePerGas: chain.maxFeePerGas };
}

/** Throws ChainMismatchError unless `chainId` is the one the config and its deployment file name. */
function checkConfiguredChain(config: WorkerConfig, contracts: ContractAddresses, chainId: number): void {
  // A chain id comes only from a deployment file: the config's contracts name it.
  const deployment = contracts.chainId === undefined || config.contracts.kind !== "deploymentFile" ? undefined : { chainId: contracts.chainId, file: config.contracts };
  checkChainId(chainId, { config: config.chain.chainId, deployment });
}

/** The contracts hold code and are one deployment; each call through `attempt` (with retries at start, once for --check). */
async function checkContracts(
  rpc: JsonRpcProvider,
  chainId: number,
  config: WorkerConfig,
  contracts: ContractAddresses,
  attempt: <T>(operation: () => Promise<T>) => Promise<T>,
): Promise<void> {
  await attempt(() => checkDeployed(rpc, chainId, { JobEscrow: contracts.jobEscrow, ProviderRegistry: contracts.providerRegistry }));
  const contractsSource =
    config.contracts.kind === "deploymentFile"
      ? `the deployment file ${describeConfigFile(config.contracts, "config.contracts.deploymentFile")}`
      : "config.contracts.providerRegistry";
  await attempt(() => checkSameDeployment(rpc, contracts, contractsSource));
}

/** What `--check` found on the chain. */
export interface ChainCheck {
  chainId: number;
  /** Whether the provider is online now (the worker puts it online at start, provider.onlineAtStart). */
  online: boolean;
}

/**
 * `--check`'s look at the chain: what connectNetwork checks before it writes anything (the chain id, code at the
 * contracts, one deployment, the operator key named by the provider), and that the provider is registered, which the
 * job loop would refuse to start without; each call made once, without retries, for a check that answers at once.
 * A failure is thrown as it is: a setup error (isSetupError) for what the config or the registration must change,
 * anything else for a chain that could not be asked.
 */
export async function checkChain(config: WorkerConfig, operator: Wallet, contracts: ContractAddresses): Promise<ChainCheck> {
  const chainId = await readChainId(config.chain.rpcUrl, CHAIN_ID_TIMEOUT_MS);
  checkConfiguredChain(config, contracts, chainId);
  const rpc = pinnedProvider(config.chain.rpcUrl, chainId);
  try {
    await checkContracts(rpc, chainId, config, contracts, (operation) => operation());
    const market = new ContractMarket({ rpc, operator, provider: config.provider.address, contracts, ...transactionWaits(config.chain), logger: silentLogger });
    const status = await market.operatorStatus(operator.address);
    if (!status.registered) throw new ProviderNotRegisteredError(config.provider.address);
    if (!status.authorized) throw new OperatorNotAuthorizedError(operator.address, config.provider.address);
    return { chainId, online: status.online };
  } finally {
    rpc.destroy();
  }
}

export const connectNetwork: ConnectNetwork = async ({ config, operator, contracts, logger, signal }) => {
  const { retry } = config;
  const providerAddress = config.provider.address;
  const chainId = await retrying(
    () => readChainId(config.chain.rpcUrl, CHAIN_ID_TIMEOUT_MS),
    retry,
    logger,
    "reading the chain id",
    signal,
  );
  checkConfiguredChain(config, contracts, chainId);
  const rpc = pinnedProvider(config.chain.rpcUrl, chainId);
  try {
    await checkContracts(rpc, chainId, config, contracts, (operation) => retrying(operation, retry, logger, "checking the contracts", signal));
    const market = new ContractMarket({
      rpc,
      operator,
      provider: providerAddress,
      contracts,
      ...transactionWaits(config.chain),
      logger: logger.child({ component: "chain" }),
    });
    const status = await retrying(() => market.operatorStatus(operator.address), retry, logger, "reading the provider", signal);
    // An unregistered provider is reported by the worker itself when it starts (ProviderNotRegisteredError, as --check does).
    if (status.registered && !status.authorized) throw new OperatorNotAuthorizedError(operator.address, providerAddress);
    // Before any write of this run: each would be queued behind them.
    await retrying(() => market.cancelLeftoverTransactions(), retry, logger, "replacing unmined transactions", signal);

    let indexedBlock: number | undefined;
    if (config.provider.onlineAtStart && status.registered && !status.online) {
      let receipt: ContractTransactionReceipt;
      try {
        receipt = await retrying(() => market.setOnline(true), retry, logger, "going online", signal);
      } catch (error) {
        // The worker will not run, and a setOnline(true) it sent may still be mined (a stop, or retries given up, while
        // its receipt was awaited): that would leave the provider online with no worker behind it.
        if (config.provider.offlineAtShutdown) await undoGoingOnline(market, operator.address, providerAddress, retry, logger);
        throw error;
      }
      indexedBlock = receipt.blockNumber;
      logger.info("provider is online", { provider: providerAddress, block: receipt.blockNumber });
    }

    const source = gatewayJobSource({
      httpUrl: config.gateway.httpUrl,
      wsUrl: config.gateway.wsUrl,
      provider: providerAddress,
      feedFilter: async () => feedFilterFor(await market.getProvider(), config.policy, providerAddress),
      chainUrl: config.chain.rpcUrl,
      directedJobs: config.policy.declineDirectedJobs,
      indexedBlock,
      resyncMs: config.gateway.resyncMs,
      retry,
      logger: logger.child({ component: "gateway" }),
    });

    return {
      source,
      market,
      escrow: escrowKey(chainId, contracts.jobEscrow),
      async close(signal?: AbortSignal) {
        try {
          if (config.provider.offlineAtShutdown) await goOffline(market, operator.address, providerAddress, retry, logger, signal);
        } finally {
          rpc.destroy();
        }
      },
    };
  } catch (error) {
    rpc.destroy();
    throw error;
  }
};

/**
 * Going offline (at shutdown, or after a failed start) is bounded: the operator waits for the worker to exit, and a
 * chain that is gone (a devnet stopped first) or stops answering would otherwise be asked `retry.maxAttempts` times,
 * each retry waiting longer and logged, each call up to its 30-second request timeout (RPC_REQUEST_TIMEOUT_MS). A few quick tries (retries
 * logged at debug) within OFFLINE_DEADLINE_MS, long enough for a receipt on a slow chain; what could not be done is
 * then said once, with the command that does it.
 */
const OFFLINE_DEADLINE_MS = 30_000;
const OFFLINE_MAX_ATTEMPTS = 3;
const OFFLINE_MAX_DELAY_MS = 1_000;

/** Going offline ran out of OFFLINE_DEADLINE_MS, or was cut short by a signal. */
class OfflineGivenUpError extends Error {
  constructor(what: string, why: "deadline" | "signal") {
    super(`${what}: ${why === "deadline" ? `no answer within ${OFFLINE_DEADLINE_MS / 1000} s` : "stopped by a signal"}`);
    this.name = "OfflineGivenUpError";
  }
}

/**
 * `operation` with the offline retries, given up once the deadline (OFFLINE_DEADLINE_MS) or `stop` aborts, even
 * mid-call.
 */
async function offlineAttempt<T>(
  operation: () => Promise<T>,
  retry: RetryPolicy,
  logger: Logger,
  what: string,
  deadline: AbortSignal,
  stop?: AbortSignal,
): Promise<T> {
  const signal = stop === undefined ? deadline : AbortSignal.any([deadline, stop]);
  const policy: RetryPolicy = {
    ...retry,
    maxAttempts: Math.min(retry.maxAttempts, OFFLINE_MAX_ATTEMPTS),
    initialDelayMs: Math.min(retry.initialDelayMs, OFFLINE_MAX_DELAY_MS),
    maxDelayMs: Math.min(retry.maxDelayMs, OFFLINE_MAX_DELAY_MS),
  };
  const attempts = withRetry(operation, {
    policy,
    signal,
    onRetry: ({ attempt, delayMs, error }) => logger.debug(`${what}: transient failure; retrying`, { attempt, delayMs, error: briefError(error) }),
  });
  // A call under way when the deadline passes is left to end by itself (raceAbort keeps listening to it).
  const result = await raceAbort(attempts, signal).catch((error: unknown) => {
    if (signal.aborted) return undefined;
    throw error;
  });
  if (signal.aborted) throw new OfflineGivenUpError(what, stop?.aborted === true ? "signal" : "deadline");
  return result as T;
}

/** What the operator does when the worker could not put the provider offline. */
function offlineByHand(provider: string): string {
  return (
    `the provider may stay online on-chain with no worker: take it offline with \`npx hardhat provider offline ` +
    `--provider ${provider} --network <network>\` (signed by the owner, or by the operator key as LATENT_PRIVATE_KEY)`
  );
}

/**
 * Best effort, after a failed setOnline(true): replaces it if the node still holds it unmined, then goes offline if it
 * was mined meanwhile. Without a signal: it runs because the worker stops.
 */
async function undoGoingOnline(market: ContractMarket, operator: string, provider: string, retry: RetryPolicy, logger: Logger): Promise<void> {
  const deadline = deadlineSignal(OFFLINE_DEADLINE_MS);
  try {
    await offlineAttempt(() => market.cancelLeftoverTransactions(), retry, logger, "replacing the unmined setOnline(true)", deadline.signal);
  } catch (error) {
    logger.error("could not replace an unmined setOnline(true); the provider may go online with no worker", { error });
  } finally {
    deadline.clear();
  }
  await goOffline(market, operator, provider, retry, logger);
}

/**
 * Best effort, within OFFLINE_DEADLINE_MS or until `stop` aborts: a worker that cannot reach the chain at shutdown still
 * stops, and says so once.
 */
async function goOffline(
  market: ContractMarket,
  operator: string,
  provider: string,
  retry: RetryPolicy,
  logger: Logger,
  stop?: AbortSignal,
): Promise<void> {
  const deadline = deadlineSignal(OFFLINE_DEADLINE_MS);
  try {
    const status = await offlineAttempt(() => market.operatorStatus(operator), retry, logger, "reading the provider", deadline.signal, stop);
    if (!status.registered || !status.online) return;
    const receipt = await offlineAttempt(() => market.setOnline(false), retry, logger, "going offline", deadline.signal, stop);
    logger.info("provider is offline", { block: receipt.blockNumber });
  } catch (error) {
    logger.error(`could not put the provider offline: ${offlineByHand(provider)}`, { error });
  } finally {
    deadline.clear();
  }
}
