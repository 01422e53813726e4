// Whether a subgraph endpoint indexes the chain the gateway reads, not only the same deployment. Two chains can hold
// the same contracts at the same addresses (two devnets, each deployed on a fresh Hardhat node; a chain restarted from
// scratch under a graph-node that kept its data), which the deployment check (deployment-check.ts) cannot tell apart.
// The indexed head's hash must be the chain's hash of that block number.
//
// A hash that differs near the chain head may also be a reorg the subgraph has not followed yet, which graph-node
// does within a few polls. So a mismatch is another chain at once only where the chain holds the block as final
// (the reorg threshold or more below its head); nearer the head, and for a head the chain does not have yet, once it
// has lasted the grace period with no match in between. Unlike the deployment check this one never ends: a chain can
// be restarted under a running gateway, and a mismatch found clears once the subgraph follows the chain again.
import { unlessAborted } from "../../../subgraph/indexer/abortable";
import { SourceError, SourceRequestAbortedError } from "../errors";
import type { Logger } from "../logger";
import { START_CHECK_TIMEOUT_MS } from "./deployment-check";
import type { HeadWatcher, IndexedHead } from "./head-watcher";

/** How many head polls a mismatch near the chain head may last before it is taken for another chain. */
export const CHAIN_MISMATCH_GRACE_POLLS = 30;

/** The subgraph's indexed head is not the chain's block of that number: it indexes another chain. */
export class SubgraphChainMismatchError extends Error {
  constructor(
    readonly block: number,
    /** The indexed head's hash. */
    readonly subgraphHash: string,
    /** The chain's hash of that block number; null where the chain has no such block. */
    readonly chainHash: string | null,
  ) {
    const where =
      chainHash === null
        ? `its head is block ${block} (${subgraphHash}), which the chain does not have`
        : `its block ${block} is ${subgraphHash}, the chain's is ${chainHash}`;
    super(
      `the subgraph indexes another chain than the RPC's: ${where} (check --subgraph-url and --rpc-url; a chain restarted from scratch needs its subgraph indexed again)`,
    );
    this.name = "SubgraphChainMismatchError";
  }
}

/** What one comparison found. `final`: the chain holds the block as final, so it cannot be a reorg not followed yet. */
export type ChainComparison =
  | { kind: "same" }
  | { kind: "unknown"; reason: string }
  | { kind: "differs"; final: boolean; error: SubgraphChainMismatchError };

export interface ChainCheckOptions {
  /** The chain's hash (lowercase) of block `number`, null where it has none. */
  blockHashAt(number: number, signal: AbortSignal): Promise<string | null>;
  /** The chain's head block number. */
  chainHead(): Promise<number>;
  /** Blocks below the chain head from which the chain's blocks are final (graph-node's ETHEREUM_REORG_THRESHOLD). */
  reorgThreshold: number;
  /** How long a mismatch that may be a reorg lasts before it counts as another chain. */
  graceMs: number;
  logger: Logger;
  /** Milliseconds (tests). */
  now?: () => number;
}

/** Compares the indexed head with the chain, once per (number, hash) that matched. */
export class ChainComparer {
  /** The last head found on the chain: its polls until the next head cost no RPC call. */
  private lastSame: string | null = null;

  constructor(private readonly options: Pick<ChainCheckOptions, "blockHashAt" | "chainHead" | "reorgThreshold">) {}

  async compare(head: IndexedHead, signal: AbortSignal): Promise<ChainComparison> {
    if (head.hash === null) return { kind: "unknown", reason: "the subgraph does not report its head's hash" };
    const hash = head.hash.toLowerCase();
    const key = `${head.number}:${hash}`;
    if (key === this.lastSame) return { kind: "same" };
    try {
      const onChain = await this.options.blockHashAt(head.number, signal);
      if (onChain === hash) {
        this.lastSame = key;
        return { kind: "same" };
      }
      // The chain head only matters to a mismatch: whether the block is final decides between reorg and another chain.
      const final = onChain !== null && (await this.options.chainHead()) - head.number >= this.options.reorgThreshold;
      return { kind: "differs", final, error: new SubgraphChainMismatchError(head.number, hash, onChain) };
    } catch (error) {
      if (signal.aborted) throw error;
      return { kind: "unknown", reason: `the chain RPC did not answer: ${error instanceof Error ? error.message : String(error)}` };
    }
  }
}

export interface ChainGuard {
  /** The mismatch in force, null while the subgraph follows the chain (or it cannot be told). */
  mismatch(): SubgraphChainMismatchError | null;
  stop(): void;
}

/**
 * The start-up comparison, then one at each new indexed head (and when a grace period ends). Throws
 * SubgraphChainMismatchError at the start where the indexed head differs from a final block of the chain; any other
 * mismatch is logged as a warning, and as an error once it counts as another chain, from when mismatch() says it.
 */
export async function guardSubgraphChain(head: HeadWatcher, options: ChainCheckOptions & { signal?: AbortSignal }): Promise<ChainGuard> {
  const { logger, graceMs } = options;
  const now = options.now ?? Date.now;
  const comparer = new ChainComparer(options);
  const stopping = new AbortController();
  const signal = options.signal === undefined ? stopping.signal : AbortSignal.any([options.signal, stopping.signal]);
  let found: SubgraphChainMismatchError | null = null;
  let suspectSince: number | null = null;
  let timer: NodeJS.Timeout | null = null;

  const clearTimer = () => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
  };
  const judge = (comparison: ChainComparison): void => {
    if (comparison.kind === "unknown") return;
    if (comparison.kind === "same") {
      if (found !== null) logger.info("the subgraph follows the chain again", { block: head.head?.number ?? null });
      found = null;
      suspectSince = null;
      clearTimer();
      return;
    }
    const { error } = comparison;
    if (!comparison.final && found === null) {
      if (suspectSince === null) {
        suspectSince = now();
        logger.warn("the subgraph's head is not the chain's block: a reorg it has not followed yet, or another chain; checking again", {
          error: error.message,
          graceMs,
        });
      }
      const left = suspectSince + graceMs - now();
      if (left > 0) {
        if (timer === null) {
          timer = setTimeout(() => {
            timer = null;
            void check();
          }, left);
          timer.unref();
        }
        return;
      }
    }
    if (found === null) logger.error("the subgraph indexes another chain", { error: error.message });
    found = error;
    clearTimer();
  };

  let checking: Promise<void> | null = null;
  let again = false;
  const check = async (): Promise<void> => {
    // One comparison at a time; a head that comes meanwhile is compared after it.
    if (checking !== null) {
      again = true;
      return checking;
    }
    checking = (async () => {
      do {
        again = false;
        const current = head.head;
        if (current === null) return;
        try {
          judge(await comparer.compare(current, signal));
        } catch (error) {
          if (signal.aborted) return;
          logger.error("the subgraph's chain check failed", { error });
        }
      } while (again && !signal.aborted);
    })().finally(() => (checking = null));
    return checking;
  };

  // Bounded as the deployment check is: a source or an RPC that holds requests must not hold the start.
  const timeout = AbortSignal.timeout(START_CHECK_TIMEOUT_MS);
  const startSignal = AbortSignal.any([signal, timeout]);
  let first: ChainComparison;
  try {
    const indexed = await unlessAborted(head.refresh(), startSignal, () => new SourceRequestAbortedError("the chain check's head poll"));
    first = await comparer.compare(indexed, startSignal);
  } catch (error) {
    if (options.signal?.aborted === true) throw error;
    const reason = timeout.aborted
      ? `no answer within ${START_CHECK_TIMEOUT_MS} ms`
      : error instanceof SourceError
        ? error.detail
        : error instanceof Error
          ? error.message
          : String(error);
    first = { kind: "unknown", reason };
  }
  if (first.kind === "differs" && first.final) throw first.error;
  if (first.kind === "unknown") logger.warn("cannot tell yet whether the subgraph indexes the chain; checking again at each new head", { reason: first.reason });
  else judge(first);
  // Not awaited by the watcher: an RPC that is slow to answer must not hold the heads its other listeners wait for.
  const unsubscribe = head.subscribe(() => {
    void check();
  });
  return {
    mismatch: () => found,
    stop() {
      stopping.abort();
      clearTimer();
      unsubscribe();
    },
  };
}
