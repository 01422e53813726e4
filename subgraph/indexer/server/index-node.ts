// graph-node's indexing-status API (its index node, `POST :8030/graphql`), as far as the embedded indexer knows the
// answer: `indexingStatuses(subgraphs: [String!])` for the one deployment it indexes. Whoever checks a graph-node
// deployment's health this way (the gateway's `statusUrl`, an indexer agent, a dashboard) can ask the embedded
// indexer the same question. Field names and types follow graph-node's index-node schema; what differs is said where
// it is declared.
import { buildSchema, execute, GraphQLError, parse, validate, type DocumentNode, type ExecutionResult } from "graphql";
import type { QueryExecutor } from "../query/engine";

/** The `node` an indexing deployment is assigned to: graph-node names its index nodes, this one is the only one. */
export const EMBEDDED_NODE = "embedded-indexer";

// BigInt values are decimal strings and Bytes 0x-prefixed hex, as graph-node serialises them. `chainHeadBlock` has a
// type of its own with a nullable hash: the indexer learns the head's number (eth_blockNumber), and its hash only once
// it has indexed that block; graph-node's `Block` would force either a made-up hash or no head at all.
const SCHEMA = buildSchema(`
  scalar BigInt
  scalar Bytes

  type Query {
    "Null or empty: every deployment (the one this indexer indexes); otherwise those listed that it indexes."
    indexingStatuses(subgraphs: [String!]): [SubgraphIndexingStatus!]!
  }

  enum Health {
    healthy
    unhealthy
    failed
  }

  type SubgraphIndexingStatus {
    subgraph: String!
    synced: Boolean!
    health: Health!
    fatalError: SubgraphError
    "Always empty: the embedded indexer has no non-fatal errors (a handler error fails the subgraph)."
    nonFatalErrors: [SubgraphError!]!
    chains: [ChainIndexingStatus!]!
    entityCount: BigInt!
    "Null where no indexer runs on the database (a query engine on its own)."
    node: String
  }

  interface ChainIndexingStatus {
    network: String!
    chainHeadBlock: ChainHeadBlock
    earliestBlock: EarliestBlock
    latestBlock: Block
    lastHealthyBlock: Block
  }

  type EthereumIndexingStatus implements ChainIndexingStatus {
    network: String!
    chainHeadBlock: ChainHeadBlock
    earliestBlock: EarliestBlock
    latestBlock: Block
    lastHealthyBlock: Block
  }

  type Block {
    hash: Bytes!
    number: BigInt!
  }

  type ChainHeadBlock {
    "Null until the indexer has indexed the head block."
    hash: Bytes
    number: BigInt!
  }

  type EarliestBlock {
    "Always 0x0, as graph-node reports it."
    hash: Bytes!
    number: BigInt!
  }

  type SubgraphError {
    message: String!
    block: Block
    handler: String
    deterministic: Boolean!
  }
`);

interface BlockValue {
  number: string;
  hash: string | null;
}

interface ErrorValue {
  message: string;
  block: BlockValue | null;
  handler: string | null;
  deterministic: boolean;
}

interface ChainValue {
  __typename: "EthereumIndexingStatus";
  network: string;
  chainHeadBlock: BlockValue | null;
  earliestBlock: BlockValue | null;
  latestBlock: BlockValue | null;
  lastHealthyBlock: BlockValue | null;
}

interface StatusValue {
  subgraph: string;
  synced: boolean;
  health: "healthy" | "unhealthy" | "failed";
  fatalError: ErrorValue | null;
  nonFatalErrors: ErrorValue[];
  chains: ChainValue[];
  /** A function: graphql-js calls it only when the query selects the field, so a health poll does not count rows. */
  entityCount: () => string;
  node: string | null;
}

/**
 * The fatal error to report: the subgraph's own (a handler failed it), else the worker thread's death or hang while no
 * indexer runs. graph-node reports an error that is not the subgraph's fault (the node, the store) the same way: it
 * fails the deployment with a non-deterministic error, retries after a backoff, and clears the failure once the
 * deployment's head moves again. A dead thread is not an `unhealthy` subgraph: graph-node's non-fatal errors are
 * handler errors it indexed past, and nothing indexes past anything here until the thread is restarted.
 */
function fatalErrorOf(status: ReturnType<QueryExecutor["status"]>): ErrorValue | null {
  const { fatalError } = status;
  if (fatalError !== null) {
    return {
      message: fatalError.message,
      block: { number: String(fatalError.blockNumber), hash: fatalError.blockHash },
      handler: fatalError.handler,
      // The stored failures are all deterministic: an error that is not (the store, the node) fails the pass,
      // which is retried, and is never stored.
      deterministic: true,
    };
  }
  if (status.indexing !== false) return null;
  const reason = status.indexerError ?? "no indexer runs on the database";
  const restartAt = status.restartAt ?? null;
  // The error's own "restarting it in N ms" is stale by the time a poll reads it: the due time is not.
  const when = restartAt === null ? "" : ` (the new worker thread is due at ${new Date(restartAt).toISOString()})`;
  // No block: a dead thread's is not known, and a hung one's hash is not (the message names its number).
  return { message: `${reason}${when}`, block: null, handler: null, deterministic: false };
}

/**
 * The last block a failed subgraph indexed whole: the one before the failing block, which the checkpoint sits on (as
 * graph-node's head does), else the checkpoint itself (the last block a thread that died committed).
 */
function lastHealthyBlock(status: ReturnType<QueryExecutor["status"]>): BlockValue | null {
  const { checkpoint, fatalError } = status;
  if (checkpoint === null) return null;
  if (fatalError !== null && fatalError.blockNumber === checkpoint.number && checkpoint.parentHash !== null && checkpoint.number > 0) {
    return { number: String(checkpoint.number - 1), hash: checkpoint.parentHash };
  }
  return { number: String(checkpoint.number), hash: checkpoint.hash };
}

function statusOf(executor: QueryExecutor): StatusValue {
  const status = executor.status();
  const { checkpoint } = status;
  const fatalError = fatalErrorOf(status);
  const latest = checkpoint === null ? null : { number: String(checkpoint.number), hash: checkpoint.hash };
  const head =
    status.head === null || status.head === undefined
      ? null
      : { number: String(status.head), hash: checkpoint !== null && checkpoint.number === status.head ? checkpoint.hash : null };
  const earliest = executor.earliestBlock();
  return {
    subgraph: status.deployment,
    // graph-node's `synced` (store/postgres/src/detail.rs: synced_at is set) says the deployment reached the head once:
    // it stays true when it later falls behind, fails or its thread dies.
    synced: status.syncedAt !== null,
    health: fatalError === null ? "healthy" : "failed",
    fatalError,
    nonFatalErrors: [],
    chains: [
      {
        __typename: "EthereumIndexingStatus",
        network: status.network ?? "",
        chainHeadBlock: head,
        earliestBlock: earliest === null ? null : { number: String(earliest), hash: "0x0" },
        latestBlock: latest,
        // A healthy subgraph has none, as in graph-node, which sets it only when a deployment fails.
        lastHealthyBlock: fatalError === null ? null : lastHealthyBlock(status),
      },
    ],
    entityCount: () => String(executor.entityCount()),
    node: status.indexing === undefined ? null : EMBEDDED_NODE,
  };
}

const DOCUMENT_CACHE_SIZE = 50;
const documents = new Map<string, { document: DocumentNode } | { errors: readonly GraphQLError[] }>();

/** Parsed and validated once: a health poll sends the same query every second. */
function documentFor(query: string): { document: DocumentNode } | { errors: readonly GraphQLError[] } {
  let entry = documents.get(query);
  if (entry === undefined) {
    try {
      const document = parse(query);
      const errors = validate(SCHEMA, document);
      entry = errors.length > 0 ? { errors } : { document };
    } catch (error) {
      entry = { errors: [error instanceof GraphQLError ? error : new GraphQLError(String(error))] };
    }
    if (documents.size >= DOCUMENT_CACHE_SIZE) documents.delete(documents.keys().next().value as string);
    documents.set(query, entry);
  }
  return entry;
}

/** Answers an index-node query about `executor`'s deployment: `{ data }`, or `{ errors }` for a query it cannot run. */
export async function executeIndexNodeQuery(
  executor: QueryExecutor,
  query: string,
  variables?: Record<string, unknown> | null,
  operationName?: string | null,
): Promise<ExecutionResult> {
  const entry = documentFor(query);
  if ("errors" in entry) return { errors: entry.errors };
  const root = {
    indexingStatuses: ({ subgraphs }: { subgraphs?: string[] | null }): StatusValue[] => {
      const status = statusOf(executor);
      const all = subgraphs === undefined || subgraphs === null || subgraphs.length === 0;
      return all || subgraphs.includes(status.subgraph) ? [status] : [];
    },
  };
  return execute({
    schema: SCHEMA,
    document: entry.document,
    rootValue: root,
    variableValues: variables ?? undefined,
    operationName: operationName ?? undefined,
  });
}
