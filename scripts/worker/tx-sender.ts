// One queue for every transaction the operator key signs. Jobs run concurrently, and two transactions built at the
// same moment would otherwise both ask the node for the next nonce and get the same one. Here they are built,
// signed and broadcast one after another with a nonce counted locally; only waiting for receipts runs in
// parallel.
//
// ethers' NonceManager is not used: it consumes a nonce before the transaction is built, so a call that reverts in
// gas estimation would leave a gap that blocks every later transaction. Here the counter advances only once the
// node has taken the transaction, and after any failure it is read again from the node ("pending" counts what the
// node holds in its pool), because a failed broadcast may or may not have reached it.

import type { Provider } from "ethers";

export interface TxOverrides {
  nonce: number;
  /** Set only on a replacement (contract-market.ts): the fees of the transaction it replaces, bumped. */
  maxFeePerGas?: bigint;
  maxPriorityFeePerGas?: bigint;
  gasPrice?: bigint;
}

export class TransactionSender {
  private nonce: number | undefined;
  private stale = false;
  private tail: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly provider: Pick<Provider, "getTransactionCount">,
    private readonly from: string,
  ) {}

  /** Builds and broadcasts one transaction with the next nonce; resolves once the node accepted it. */
  send<Sent>(build: (overrides: TxOverrides) => Promise<Sent>): Promise<Sent> {
    const turn = this.tail.then(() => this.broadcast(build));
    // The next transaction waits for this one to be broadcast (or to fail), never for it to be mined.
    this.tail = turn.catch(() => undefined);
    return turn;
  }

  /**
   * Runs `task` in the queue's turn: no transaction of the queue is built or broadcast meanwhile, and the nonce is read
   * from the node again after it (the task may have used nonces of its own, e.g. to replace transactions).
   */
  exclusive<T>(task: () => Promise<T>): Promise<T> {
    const turn = this.tail.then(async () => {
      try {
        return await task();
      } finally {
        this.stale = true;
      }
    });
    this.tail = turn.catch(() => undefined);
    return turn;
  }

  /**
   * Read the nonce from the node again before the next transaction. After a transaction of ours went unmined: had the
   * node dropped it, the counter would stay past its nonce and every later transaction wait behind the gap for good.
   */
  resync(): void {
    this.stale = true;
  }

  private async broadcast<Sent>(build: (overrides: TxOverrides) => Promise<Sent>): Promise<Sent> {
    try {
      if (this.nonce === undefined || this.stale) {
        this.stale = false;
        this.nonce = await this.provider.getTransactionCount(this.from, "pending");
      }
      const nonce = this.nonce;
      const response = await build({ nonce });
      this.nonce = nonce + 1;
      return response;
    } catch (error) {
      this.nonce = undefined;
      throw error;
    }
  }
}
