// The SQLite database of one indexed deployment: metadata (identity, checkpoint, failure), the block pointers
// used for reorg detection and hash lookups, and the entity tables. Opened through better-sqlite3, whose
// synchronous API matches the synchronous host calls of WASM mappings.
import Database from "better-sqlite3";
import { createHash } from "node:crypto";
import type { SchemaModel } from "../schema/model";
import { bytesToHex, hexToBytes, toBase58 } from "../values/bytes";
import { OPEN_BLOCK, queryIndexDdl, quoteIdent, tableDdl } from "./layout";

/** Bump when the on-disk layout changes: an old database then starts over instead of being misread. */
const FORMAT_VERSION = "1";

export interface DeploymentIdentity {
  chainId: string;
  genesisHash: string;
  /** Hash of the built subgraph (WASM + schema + manifest + ABIs). */
  buildHash: string;
  network: string;
}

export interface BlockPointer {
  number: number;
  hash: string;
  /** Seconds since the epoch. */
  timestamp: number;
  parentHash: string | null;
}

export interface FatalError {
  message: string;
  handler: string | null;
  dataSource: string | null;
  blockNumber: number;
  blockHash: string;
  transactionHash: string | null;
  logIndex: number | null;
}

export interface OpenOptions {
  readonly?: boolean;
}

/** graph-node deployment ids are IPFS CIDv0 hashes; derive one from the deployment key so it looks familiar. */
function deploymentIdFor(key: string): string {
  const digest = createHash("sha256").update(key).digest();
  return toBase58(Buffer.concat([Buffer.from([0x12, 0x20]), digest]));
}

export class IndexerDatabase {
  private readonly getMetaStmt: Database.Statement<[string], { value: string }> | null;
  private queryIndexes = false;

  private constructor(
    readonly db: Database.Database,
    readonly path: string,
    readonly readonly: boolean,
  ) {
    this.getMetaStmt = this.hasTable("indexer_meta")
      ? db.prepare<[string], { value: string }>("SELECT value FROM indexer_meta WHERE key = ?")
      : null;
  }

  static open(path: string, options: OpenOptions = {}): IndexerDatabase {
    const readonly = options.readonly === true;
    const db = new Database(path, readonly ? { readonly: true, fileMustExist: true } : {});
    if (!readonly) {
      // WAL: readers (the query API, possibly in another thread) never block the writer, and a kill -9 leaves
      // the last committed transaction intact. synchronous=NORMAL is durable against process crashes in WAL mode.
      db.pragma("journal_mode = WAL");
      db.pragma("synchronous = NORMAL");
      db.exec(`
        CREATE TABLE IF NOT EXISTS indexer_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS block_ptrs (
          number INTEGER PRIMARY KEY,
          hash BLOB NOT NULL,
          parent_hash BLOB,
          timestamp INTEGER NOT NULL,
          has_events INTEGER NOT NULL
        );
        CREATE INDEX IF NOT EXISTS block_ptrs_hash ON block_ptrs (hash);
      `);
    }
    db.pragma("cache_size = -65536");
    db.pragma("temp_store = MEMORY");
    db.pragma("busy_timeout = 5000");
    return new IndexerDatabase(db, path, readonly);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  hasTable(name: string): boolean {
    return this.db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined;
  }

  /**
   * A write transaction, begun with BEGIN IMMEDIATE: each of the indexer's transactions reads before it writes (the
   * deployment, the checkpoint, the tables), and a deferred one that another connection wrote to meanwhile fails at its
   * first write with SQLITE_BUSY ("database is locked"), which the busy timeout does not wait out, as SQLite cannot
   * upgrade a read that may be stale. Taking the write lock first waits for the other writer instead. Nested in
   * another transaction (initialise within startOverOnNewGenesis), it is a savepoint of that one.
   */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  meta(key: string): string | null {
    const stmt = this.getMetaStmt ?? this.db.prepare<[string], { value: string }>("SELECT value FROM indexer_meta WHERE key = ?");
    return stmt.get(key)?.value ?? null;
  }

  setMeta(key: string, value: string | null): void {
    if (value === null) this.db.prepare("DELETE FROM indexer_meta WHERE key = ?").run(key);
    else this.db.prepare("INSERT INTO indexer_meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value").run(key, value);
  }

  /**
   * Makes the database belong to this deployment. A database created for another chain (chain id or genesis
   * hash) or another build of the subgraph is wiped, so that a rebuilt subgraph or a restarted local chain never
   * serves stale data. Returns whether it started over.
   */
  initialise(identity: DeploymentIdentity, schema: SchemaModel): { reset: boolean; deployment: string } {
    const key = [FORMAT_VERSION, identity.chainId, identity.genesisHash.toLowerCase(), identity.buildHash].join(":");
    const deployment = deploymentIdFor(key);
    let reset = false;
    this.transaction(() => {
      // Read within the transaction: another connection may have reset the database since any read before it.
      const existing = this.meta("deployment_key");
      if (existing !== null && existing !== key) {
        reset = true;
        this.wipe();
        // The tables are new: their query indexes are to be built again (an indexer that starts over in place).
        this.queryIndexes = false;
      } else if (existing === null && this.hasEntityTables()) {
        reset = true;
        this.wipe();
      }
      const referenced = schema.referencedColumns();
      for (const type of schema.entities.values()) for (const sql of tableDdl(type, referenced)) this.db.exec(sql);
      if (existing !== key) {
        this.setMeta("deployment_key", key);
        this.setMeta("deployment", deployment);
        this.setMeta("chain_id", identity.chainId);
        this.setMeta("genesis_hash", identity.genesisHash.toLowerCase());
        this.setMeta("build_hash", identity.buildHash);
        this.setMeta("network", identity.network);
        this.setMeta("schema", schema.source);
      }
    });
    return { reset, deployment };
  }

  /** Creates the query indexes (layout.ts queryIndexDdl) that catching up defers; once per connection. */
  createQueryIndexes(schema: SchemaModel): void {
    if (this.queryIndexes) return;
    this.transaction(() => {
      for (const type of schema.entities.values()) for (const sql of queryIndexDdl(type)) this.db.exec(sql);
    });
    this.queryIndexes = true;
  }

  private hasEntityTables(): boolean {
    return this.db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name LIKE 'ent\\_%' ESCAPE '\\'").get() !== undefined;
  }

  /** Drops every entity table and all metadata (inside the caller's transaction). */
  private wipe(): void {
    const tables = this.db
      .prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'ent\\_%' ESCAPE '\\'")
      .all();
    for (const { name } of tables) this.db.exec(`DROP TABLE ${quoteIdent(name)}`);
    this.db.exec("DELETE FROM indexer_meta; DELETE FROM block_ptrs;");
  }

  deployment(): string | null {
    return this.meta("deployment");
  }

  checkpoint(): BlockPointer | null {
    const raw = this.meta("checkpoint");
    return raw === null ? null : (JSON.parse(raw) as BlockPointer);
  }

  setCheckpoint(pointer: BlockPointer): void {
    this.setMeta("checkpoint", JSON.stringify(pointer));
  }

  /**
   * The first block queries may ask for: graph-node's earliest block, the block before the earliest start block (or
   * 0). Null in a database an older indexer wrote that has not been reopened since.
   */
  earliestBlock(): number | null {
    const raw = this.meta("earliest_block");
    return raw === null ? null : Number(raw);
  }

  setEarliestBlock(number: number): void {
    this.setMeta("earliest_block", String(number));
  }

  /**
   * The checkpoint at which a pass first reached the chain's head (graph-node's `synced_at_block_number`), null until
   * then. Kept when the subgraph later falls behind, fails or stops, as graph-node keeps it.
   */
  syncedAt(): number | null {
    const raw = this.meta("synced_at_block");
    return raw === null ? null : Number(raw);
  }

  setSyncedAt(number: number): void {
    this.setMeta("synced_at_block", String(number));
  }

  fatalError(): FatalError | null {
    const raw = this.meta("fatal_error");
    return raw === null ? null : (JSON.parse(raw) as FatalError);
  }

  setFatalError(error: FatalError | null): void {
    this.setMeta("fatal_error", error === null ? null : JSON.stringify(error));
  }

  /**
   * Gathers the query planner's statistics with a full ANALYZE: a sampled one (analysis_limit, PRAGMA optimize)
   * misjudges the two-valued columns (`online`, `registered`) that mislead the planner in the first place.
   * sqlite_stat1 is dropped and rebuilt in the same transaction so that the schema changes: every other connection
   * (the read-only query connections) then reloads the schema with the new statistics before its next statement and
   * re-prepares its cached statements. After a plain ANALYZE they would keep planning with what they loaded first.
   */
  refreshStatistics(): void {
    this.transaction(() => {
      this.db.exec("DROP TABLE IF EXISTS sqlite_stat1");
      this.db.exec("ANALYZE");
    });
  }

  /** Remembers a processed block: for reorg checks near the head and for `block: { hash }` queries. */
  recordBlock(pointer: BlockPointer, hasEvents: boolean): void {
    this.db
      .prepare(
        `INSERT INTO block_ptrs (number, hash, parent_hash, timestamp, has_events) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT(number) DO UPDATE SET hash = excluded.hash, parent_hash = excluded.parent_hash,
           timestamp = excluded.timestamp, has_events = max(has_events, excluded.has_events)`,
      )
      .run(
        pointer.number,
        hexToBytes(pointer.hash),
        pointer.parentHash === null ? null : hexToBytes(pointer.parentHash),
        pointer.timestamp,
        hasEvents ? 1 : 0,
      );
  }

  block(number: number): BlockPointer | null {
    return this.pointerWhere("number = ?", number);
  }

  blockByHash(hash: string): BlockPointer | null {
    return this.pointerWhere("hash = ?", hexToBytes(hash));
  }

  /** The highest stored pointer at or below `number`, or null. */
  blockAtOrBelow(number: number): BlockPointer | null {
    return this.pointerWhere("number <= ? ORDER BY number DESC LIMIT 1", number);
  }

  /** Stored pointers in (from, to], highest first: the candidates of a reorg walk-back. */
  blocksDescending(fromExclusive: number, toInclusive: number): BlockPointer[] {
    return this.db
      .prepare<[number, number], PointerRow>(`SELECT ${POINTER_COLUMNS} FROM block_ptrs WHERE number > ? AND number <= ? ORDER BY number DESC`)
      .all(fromExclusive, toInclusive)
      .map(toPointer);
  }

  private pointerWhere(condition: string, value: number | Buffer): BlockPointer | null {
    const row = this.db.prepare<[number | Buffer], PointerRow>(`SELECT ${POINTER_COLUMNS} FROM block_ptrs WHERE ${condition}`).get(value);
    return row === undefined ? null : toPointer(row);
  }

  /**
   * Blocks below `finalBelow` can no longer be reorganised: forget the pointers kept only for reorg checks.
   * Pointers of blocks that changed entities stay, so `block: { hash }` queries keep working for them.
   */
  pruneBlocks(finalBelow: number, keep: number): void {
    this.db.prepare("DELETE FROM block_ptrs WHERE number < ? AND has_events = 0 AND number <> ?").run(finalBelow, keep);
  }

  /** The entities as of the latest block: the current version of each, as graph-node's `entityCount` counts them. */
  entityCount(schema: SchemaModel): number {
    let count = 0;
    for (const type of schema.entities.values()) {
      const row = this.db.prepare<[], { n: number }>(`SELECT count(*) AS n FROM ${quoteIdent(type.table)} WHERE __to = ${OPEN_BLOCK}`).get();
      count += row?.n ?? 0;
    }
    return count;
  }

  /** Reverts every entity table to its state at the end of `block` (graph-node's block-range revert). */
  rollbackEntities(schema: SchemaModel, block: number): void {
    for (const type of schema.entities.values()) {
      const t = quoteIdent(type.table);
      this.db.prepare(`DELETE FROM ${t} WHERE __from > ?`).run(block);
      if (!type.immutable) {
        this.db.prepare(`UPDATE ${t} SET __to = ${OPEN_BLOCK} WHERE __to > ? AND __to <> ${OPEN_BLOCK}`).run(block);
      }
    }
    this.db.prepare("DELETE FROM block_ptrs WHERE number > ?").run(block);
  }
}

interface PointerRow {
  number: number;
  hash: Buffer;
  parent_hash: Buffer | null;
  timestamp: number;
}

const POINTER_COLUMNS = "number, hash, parent_hash, timestamp";

function toPointer(row: PointerRow): BlockPointer {
  return {
    number: Number(row.number),
    hash: bytesToHex(row.hash),
    parentHash: row.parent_hash === null ? null : bytesToHex(row.parent_hash),
    timestamp: Number(row.timestamp),
  };
}
