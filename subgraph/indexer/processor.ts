// Turns fetched blocks into entity versions: matches logs to event handlers (topic0, topic count, address,
// start/end block), decodes parameters by the manifest's ABI, runs the handlers in chain order and flushes the
// block's changes. No I/O: this is the part the benchmark times as "processing".
import { EntityValidationError, IndexerError } from "./errors";
import type { DataSourceSpec, EventHandlerSpec, SubgraphBuild } from "./manifest";
import type { FetchedBlock, LogData } from "./chain/types";
import type { LogFilter } from "./chain/fetcher";
import { EntityCache, ImmutableEntityError, type FlushStats } from "./store/entity-cache";
import { DataSourceRuntime, type InstancePolicy, type RuntimeStats } from "./runtime/mapping";
import type { MappingLogRecord } from "./runtime/host";
import { EventDecoder, type AbiValue } from "./chain/abi-decoder";
import { rpcHexToBytes } from "./values/bytes";

/** A block's writes could not be stored (e.g. an immutable entity changed): deterministic, like a handler error. */
export class BlockWriteError extends IndexerError {
  constructor(
    message: string,
    readonly blockNumber: number,
    readonly blockHash: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

interface Candidate {
  readonly dataSource: DataSourceSpec;
  readonly runtime: DataSourceRuntime;
  readonly handler: EventHandlerSpec;
  readonly decoder: EventDecoder;
}

export interface BlockResult {
  readonly events: number;
  readonly writes: FlushStats;
}

export function logFilterFor(build: SubgraphBuild): LogFilter {
  const topics = new Set<string>();
  let addresses: Set<string> | null = new Set();
  for (const ds of build.dataSources) {
    for (const h of ds.eventHandlers) topics.add(h.topic0);
    if (ds.address === null) addresses = null;
    else addresses?.add(ds.address);
  }
  return { addresses: addresses === null ? null : [...addresses], topic0s: [...topics] };
}

export class BlockProcessor {
  private readonly byTopic = new Map<string, Candidate[]>();
  readonly runtimes: DataSourceRuntime[];

  constructor(
    build: SubgraphBuild,
    readonly cache: EntityCache,
    policy: InstancePolicy,
    log: (record: MappingLogRecord) => void,
    private readonly onSkippedLog: (log: LogData, handler: EventHandlerSpec, error: unknown) => void = () => undefined,
  ) {
    this.runtimes = build.dataSources.map((ds) => new DataSourceRuntime(ds, policy, log));
    const decoders = new Map<string, EventDecoder>();
    build.dataSources.forEach((dataSource, i) => {
      for (const handler of dataSource.eventHandlers) {
        const list = this.byTopic.get(handler.topic0) ?? [];
        // Handlers of the same event signature (with the same indexed layout) share one decoder.
        const signature = handler.fragment.format("full");
        let decoder = decoders.get(signature);
        if (decoder === undefined) {
          decoder = new EventDecoder(handler.params);
          decoders.set(signature, decoder);
        }
        list.push({ dataSource, runtime: this.runtimes[i]!, handler, decoder });
        this.byTopic.set(handler.topic0, list);
      }
    });
  }

  runtimeStats(): RuntimeStats {
    return this.runtimes.reduce(
      (acc, r) => ({ instantiations: acc.instantiations + r.stats.instantiations, triggers: acc.triggers + r.stats.triggers }),
      { instantiations: 0, triggers: 0 },
    );
  }

  /** Drops every module instance (after a failure or a reorg). */
  reset(): void {
    for (const r of this.runtimes) r.reset();
    this.cache.discard();
  }

  /**
   * Runs every trigger of `block` and writes its changes as versions at the block's number (inside the caller's
   * transaction). On HandlerError or BlockWriteError nothing of the block has been written.
   */
  processBlock(block: FetchedBlock): BlockResult {
    const number = block.header.number;
    let events = 0;
    try {
      for (const log of block.logs) {
        const candidates = this.byTopic.get(log.topics[0] ?? "");
        if (candidates === undefined) continue;
        // Decode once per distinct decoder (several data sources may share an event).
        const decoded = new Map<EventDecoder, readonly AbiValue[] | null>();
        let data: Uint8Array | null = null;
        let topics: Uint8Array[] | null = null;
        for (const c of candidates) {
          const ds = c.dataSource;
          if (ds.address !== null && ds.address !== log.address) continue;
          if (number < ds.startBlock || (ds.endBlock !== null && number > ds.endBlock)) continue;
          if (log.topics.length !== c.handler.topicCount) continue;
          let params = decoded.get(c.decoder);
          if (params === undefined) {
            try {
              data ??= rpcHexToBytes(log.data);
              topics ??= log.topics.map(rpcHexToBytes);
              params = c.decoder.decode(topics, data);
            } catch (error) {
              // graph-node skips a log whose data does not match the event signature.
              this.onSkippedLog(log, c.handler, error);
              params = null;
            }
            decoded.set(c.decoder, params);
          }
          if (params === null) continue;
          const tx = block.transactions.get(log.transactionHash)!;
          c.runtime.runEvent(c.handler, log, params, block.header, tx, this.cache);
          events++;
        }
      }
      const writes = this.cache.flush(number);
      return { events, writes };
    } catch (error) {
      this.reset();
      if (!(error instanceof ImmutableEntityError || error instanceof EntityValidationError)) throw error;
      throw new BlockWriteError(
        `${(error as Error).message} (while storing block #${number} (${block.header.hash}))`,
        number,
        block.header.hash,
        { cause: error },
      );
    }
  }
}
