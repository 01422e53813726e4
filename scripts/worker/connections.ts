// Where the worker's JobSource (the gateway's jobOpened subscription) and JobMarket (the JobEscrow and
// ProviderRegistry contracts) are created. Their implementations are built alongside the contracts and the
// gateway and plug in here; until then `connectNetwork` reports that plainly instead of pretending to work.

import type { Wallet } from "ethers";
import type { WorkerConfig } from "./config";
import type { ContractAddresses } from "./contracts";
import type { Logger } from "./logger";
import type { JobMarket, JobSource } from "./market";

export interface NetworkContext {
  config: WorkerConfig;
  /** The operator's key, already loaded: signs acceptJob, submitResult and settle. */
  operator: Wallet;
  contracts: ContractAddresses;
  logger: Logger;
}

export interface NetworkConnections {
  source: JobSource;
  market: JobMarket;
  /** Close sockets and providers; called once the worker has stopped. */
  close(): Promise<void>;
}

export type ConnectNetwork = (context: NetworkContext) => Promise<NetworkConnections>;

export class NetworkNotWiredError extends Error {
  constructor() {
    super(
      "the gateway-backed JobSource and the contract-backed JobMarket are not wired into this build yet " +
        "(scripts/worker/connections.ts); `--check` validates everything else",
    );
    this.name = "NetworkNotWiredError";
  }
}

export const connectNetwork: ConnectNetwork = async () => {
  throw new NetworkNotWiredError();
};
