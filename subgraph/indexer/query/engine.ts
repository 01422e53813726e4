// The in-process query API: graph-node's GraphQL dialect over an indexer database. It needs only the database
// file (the schema is stored in it), so it can run on its own read-only connection in another thread than the
// indexer; WAL mode lets it read while the indexer writes.
import type Database from "better-sqlite3";
import { parse, validate, execute, GraphQLError, type DocumentNode, type ExecutionResult, type GraphQLSchema } from "graphql";
import { QueryError } from "../errors";
import { SchemaModel } from "../schema/model";
import { IndexerDatabase, type BlockPointer, type FatalError } from "../store/database";
import { BlockArgumentError, buildApiSchema, type RequestContext } from "./api-schema";
import { attestable, attestableValidation } from "./attestable";
import { sqlLike } from "./filters";
import { withIndexingErrors } from "./indexing-error";
import { EntityReader } from "./reader";

export interface QueryStatus {
  deployment: string;
  network: string | null;
  chainId: string | null;
  checkpoint: BlockPointer | null;
  failed: boolean;
  fatalError: FatalError | null;
  /** The checkpoint at which the indexer first reached the chain's head, null until it has (graph-node's synced_at). */
  syncedAt: number | null;
}

/** What an executor that runs the indexer too (a worker handle) adds to the database's status. */
export interface IndexingProgress {
  /** The chain head the indexer last saw (its number only: the indexer asks the node for no more). */
  head: number | null;
  /** The last pass reached the head it saw, and the indexer still runs. */
  synced: boolean;
  /** An indexer runs (false while a worker thread that died waits to be restarted). */
  indexing: boolean;
  /** Why no indexer runs (the thread's death or hang); null while one does. */
  indexerError: string | null;
  /** When a new worker thread is due to start (ms since the epoch); null when none is scheduled. */
  restartAt: number | null;
}

/** What graph-node's HTTP answer says of a query's answer in its headers (graph/src/data/query/result.rs). */
export interface AnswerHeaders {
  /** `graph-attestable`: whether graph-node attests the answer (see attestable.ts). */
  attestable: boolean;
  /** `graph-indexed`: the deployment's head when the query ran, null before its first block. */
  indexed: BlockPointer | null;
}

const answerHeaders = new WeakMap<ExecutionResult, AnswerHeaders>();

/** The headers of an answer `QueryEngine.executeQuery` gave (a worker handle passes its engine's on); else undefined. */
export function headersOf(result: ExecutionResult): AnswerHeaders | undefined {
  return answerHeaders.get(result);
}

/** Anything that answers graph-node queries: the engine itself, or a worker handle. */
export interface QueryExecutor {
  executeQuery(query: string, variables?: Record<string, unknown> | null, operationName?: string | null): Promise<ExecutionResult>;
  /** An engine on its own knows only the database; a worker handle adds what its indexer sees. */
  status(): QueryStatus & Partial<IndexingProgress>;
  /** The current entities, all types together (graph-node's `entityCount`). */
  entityCount(): number;
  /** The first block queries may ask for (graph-node's `earliestBlock`); null in a database an older indexer wrote. */
  earliestBlock(): number | null;
}

const DOCUMENT_CACHE_SIZE = 200;

function registerFunctions(db: Database.Database): void {
  // graph-node's string filters are Postgres LIKE/ILIKE patterns, which SQLite's LIKE (ASCII case folding, no escape
  // character by default) does not reproduce.
  db.function("gn_like", { deterministic: true }, sqlLike);
}

function withoutPath(error: GraphQLError): GraphQLError {
  if (error.path === undefined) return error;
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    originalError: error.originalError,
    extensions: error.extensions,
  });
}

export class QueryEngine implements QueryExecutor {
  private deployment = "";
  private schema!: GraphQLSchema;
  private reader!: EntityReader;
  private readonly documents = new Map<string, { document: DocumentNode } | { errors: readonly GraphQLError[]; attestable: boolean }>();
  /** The execution in flight, if any: executions on one connection take turns, each in its own snapshot. */
  private inFlight: Promise<unknown> | null = null;
  private indexerDown: string | null = null;

  private constructor(
    readonly db: IndexerDatabase,
    private readonly ownsDatabase: boolean,
  ) {
    registerFunctions(db.db);
    this.refresh();
  }

  /** Opens `dbPath` read-only (the database must have been initialised by an indexer). */
  static open(dbPath: string): QueryEngine {
    return new QueryEngine(IndexerDatabase.open(dbPath, { readonly: true }), true);
  }

  /** Queries through an already open database (e.g. the indexer's own connection, in the same thread). */
  static forDatabase(db: IndexerDatabase): QueryEngine {
    return new QueryEngine(db, false);
  }

  /** Rebuilds the API when the database now holds another deployment (the indexer started over). */
  private refresh(): void {
    const deployment = this.db.deployment();
    if (deployment === null) throw new QueryError(`${this.db.path} has not been initialised by an indexer yet`);
    if (deployment === this.deployment) return;
    const source = this.db.meta("schema");
    if (source === null) throw new QueryError(`${this.db.path} holds no schema`);
    const model = SchemaModel.parse(source);
    this.schema = buildApiSchema(model);
    this.reader = new EntityReader(this.db.db, model);
    this.documents.clear();
    this.deployment = deployment;
  }

  /** SQL statements run by queries so far. */
  get statementsExecuted(): number {
    return this.reader.executed;
  }

  get apiSchema(): GraphQLSchema {
    this.refresh();
    return this.schema;
  }

  /**
   * Tells the engine that nothing indexes the database (`reason`), or again something does (null): meanwhile
   * `_meta.hasIndexingErrors` is true, as the data stops following the chain without a fatal error stored to say so.
   */
  setIndexerDown(reason: string | null): void {
    this.indexerDown = reason;
  }

  /**
   * The checkpoint and the fatal error are read in one snapshot: read apart, a commit in between (a new block, a
   * reorg, a failure) could pair one block's checkpoint with another's error.
   */
  status(): QueryStatus {
    return this.inSnapshotSync(() => {
      const fatalError = this.db.fatalError();
      return {
        deployment: this.db.deployment() ?? "",
        network: this.db.meta("network"),
        chainId: this.db.meta("chain_id"),
        checkpoint: this.db.checkpoint(),
        failed: fatalError !== null,
        fatalError,
        syncedAt: this.db.syncedAt(),
      };
    });
  }

  entityCount(): number {
    this.refresh();
    return this.inSnapshotSync(() => this.db.entityCount(this.reader.schema));
  }

  earliestBlock(): number | null {
    return this.db.earliestBlock();
  }

  private document(query: string): { document: DocumentNode } | { errors: readonly GraphQLError[]; attestable: boolean } {
    let entry = this.documents.get(query);
    if (entry === undefined) {
      try {
        const document = parse(query);
        const errors = validate(this.schema, document);
        entry = errors.length > 0 ? { errors, attestable: attestableValidation(errors) } : { document };
      } catch (error) {
        entry = { errors: [error instanceof GraphQLError ? error : new GraphQLError(String(error))], attestable: true };
      }
      if (this.documents.size >= DOCUMENT_CACHE_SIZE) this.documents.delete(this.documents.keys().next().value as string);
      this.documents.set(query, entry);
    }
    return entry;
  }

  /** Runs a query; GraphQL errors (unknown fields, bad filter values, caps) come back in `errors`. */
  async executeQuery(
    query: string,
    variables?: Record<string, unknown> | null,
    operationName?: string | null,
  ): Promise<ExecutionResult> {
    return this.inSnapshot(async () => {
      const indexed = this.db.checkpoint();
      const { result, attestable } = await this.execute(query, variables, operationName);
      answerHeaders.set(result, { attestable, indexed });
      return result;
    });
  }

  /**
   * Runs `read` in one read transaction: in WAL mode it sees the database as of its first statement, whatever
   * another connection commits meanwhile. Without it each statement would see the latest commit, and as nested
   * levels are read in later ticks (DataLoader batches), a reorg committed in between would answer the top level
   * from one chain and the nested levels from another. An execution that arrives while another is in flight waits
   * for it, so that each has a snapshot of its own, taken when it starts. A connection already in a transaction is
   * the indexer's own (`forDatabase`) in the middle of its writes: those run on this thread and cannot go on until
   * the execution, which waits on nothing but promise jobs, is done.
   */
  private inSnapshot<T>(read: () => Promise<T>): Promise<T> {
    const run = async (): Promise<T> => {
      const db = this.db.db;
      const own = !db.inTransaction;
      if (own) db.exec("BEGIN");
      try {
        return await read();
      } finally {
        // SQLite may have ended the transaction itself (an I/O error); a COMMIT then would fail and hide why.
        if (own && db.inTransaction) db.exec("COMMIT");
      }
    };
    const previous = this.inFlight;
    // Idle, it starts at once: the snapshot is the database as of the call.
    const result = previous === null ? run() : previous.then(run, run);
    this.inFlight = result;
    const settle = (): void => {
      if (this.inFlight === result) this.inFlight = null;
    };
    result.then(settle, settle);
    return result;
  }

  /**
   * inSnapshot for reads that are done before anything else runs on this thread. A connection already in a
   * transaction is in an execution's snapshot (one in flight, taken when it started) or the indexer's writes:
   * reading there is as consistent, and a BEGIN would fail.
   */
  private inSnapshotSync<T>(read: () => T): T {
    const db = this.db.db;
    const own = !db.inTransaction;
    if (own) db.exec("BEGIN");
    try {
      return read();
    } finally {
      if (own && db.inTransaction) db.exec("COMMIT");
    }
  }

  private async execute(
    query: string,
    variables?: Record<string, unknown> | null,
    operationName?: string | null,
  ): Promise<{ result: ExecutionResult; attestable: boolean }> {
    this.refresh();
    const entry = this.document(query);
    if ("errors" in entry) return { result: { errors: entry.errors }, attestable: entry.attestable };
    const latest = this.db.checkpoint();
    if (latest === null) return { result: { errors: [new GraphQLError("the subgraph has not indexed any block yet")] }, attestable: false };
    const context: RequestContext = {
      reader: this.reader,
      latest,
      earliest: this.db.earliestBlock() ?? 0,
      deployment: this.deployment,
      fatalError: this.db.fatalError(),
      indexerDown: this.indexerDown !== null,
      blockByHash: (hash) => this.db.blockByHash(hash),
      blockByNumber: (number) => this.db.block(number),
      loaders: new Map(),
      rootFields: new Map(),
    };
    const result = await execute({
      schema: this.schema,
      document: entry.document,
      variableValues: variables ?? undefined,
      operationName: operationName ?? undefined,
      contextValue: context,
    });
    // graph-node resolves every block constraint before it executes anything, and a failure is the whole answer:
    // its response then has no `data` at all (not `data: null`), which is how clients tell it apart.
    // Its `block` errors are ones it attests (ValueParseError, InvalidArgumentError).
    const blockError = result.errors?.find((e) => e.originalError instanceof BlockArgumentError)?.originalError;
    if (blockError instanceof BlockArgumentError) return { result: { errors: [blockError] }, attestable: true };
    // graph-node stops at a field's error and answers the errors alone, without data: a client that reads the other
    // fields' data from a failed query (GraphQL.js gives it, and null for the failed field) would find none there.
    // Its errors name no `path`.
    if (result.errors !== undefined && result.errors.length > 0) {
      return { result: { errors: result.errors.map(withoutPath) }, attestable: attestable(result.errors) };
    }
    if (context.fatalError === null) return { result, attestable: true };
    const answered = withIndexingErrors(result, context.rootFields, context.fatalError.blockNumber);
    // `indexing_error` is the one error graph-node never attests (QueryError::IndexingError).
    return { result: answered, attestable: answered.errors === undefined };
  }

  close(): void {
    if (this.ownsDatabase) this.db.close();
  }
}
