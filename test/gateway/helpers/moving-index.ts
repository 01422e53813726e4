// A fake source whose index moves on while one answer is read, which the scenario chain (idle while the suites query
// it) never does: its first read of the latest block answers at block 7, every later one at block 8, and a read at
// a block answers at that block. Every request gets the whole block's data, whatever it asked for: a field a query
// did not select is ignored by the resolvers.
import { execute, parse, type ExecutionResult } from "graphql";
import { createContext } from "../../../gateway/src/context";
import { DEFAULT_QUERY_LIMITS } from "../../../gateway/src/limits/query-limits";
import { silentLogger } from "../../../gateway/src/logger";
import { createResolvers } from "../../../gateway/src/resolvers";
import { buildSchema } from "../../../gateway/src/schema/executable-schema";
import type { IndexedHead } from "../../../gateway/src/sources/head-watcher";
import type { SourceKind, SubgraphSource, Variables } from "../../../gateway/src/sources/source";
import { SubgraphReader } from "../../../gateway/src/subgraph/reader";
import { FakeHeadWatcher } from "./fake-head-watcher";
import { FakeHub } from "./fake-hub";

export const HASH_7 = `0x${"07".repeat(32)}`;
export const HASH_8 = `0x${"08".repeat(32)}`;

export type MovingBlocks = Record<7 | 8, Record<string, unknown>>;

export class MovingIndex implements SubgraphSource {
  readonly kind: SourceKind = "subgraphUrl";
  private latestReads = 0;

  constructor(private readonly blocks: MovingBlocks) {}

  async request<TData>(_query: string, variables: Variables = {}): Promise<TData> {
    const block = variables.block as { hash?: string; number?: number } | undefined;
    const number = block === undefined ? (this.latestReads++ === 0 ? 7 : 8) : block.hash === HASH_8 || block.number === 8 ? 8 : 7;
    return { ...this.blocks[number], _meta: { block: { number, hash: number === 8 ? HASH_8 : HASH_7, timestamp: 1_000 } } } as TData;
  }

  async close(): Promise<void> {}
}

/** Runs `query` through the gateway's schema and resolvers over a MovingIndex, whose head the gateway saw at block 7. */
export async function executeWhileMoving(blocks: MovingBlocks, query: string): Promise<ExecutionResult> {
  const head: IndexedHead = { number: 7, hash: HASH_7, parentHash: null, timestamp: 1_000, hasIndexingErrors: false };
  return executeOver(new MovingIndex(blocks), head, query);
}

/** Runs `query` through the gateway's schema and resolvers over `source`, whose head the gateway saw at `head`. */
export async function executeOver(source: SubgraphSource, head: IndexedHead, query: string): Promise<ExecutionResult> {
  const context = createContext({
    reader: new SubgraphReader(source),
    head: new FakeHeadWatcher({ head: () => head, ensureHead: async () => head, refresh: async () => head }),
    chain: null,
    chainHead: null,
    deployment: null,
    sourceKind: "subgraphUrl",
    limits: DEFAULT_QUERY_LIMITS,
    maxLag: 10,
    logger: silentLogger,
  });
  return execute({ schema: buildSchema(createResolvers(new FakeHub())), document: parse(query), contextValue: context });
}
