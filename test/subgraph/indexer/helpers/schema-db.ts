// A database for query tests built from a schema written in the test: no chain, no mappings. Rows are inserted as
// entity versions ([from, to) block ranges) with their SQL column values, and blocks are recorded with a
// checkpoint, so that a test controls exactly what each block holds.
import { mkdtempSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { keccak256, toUtf8Bytes } from "ethers";
import { SchemaModel } from "../../../../subgraph/indexer/schema/model";
import type { SqlValue } from "../../../../subgraph/indexer/store/codec";
import { IndexerDatabase } from "../../../../subgraph/indexer/store/database";
import { OPEN_BLOCK, quoteIdent } from "../../../../subgraph/indexer/store/layout";

export class SchemaDatabase {
  private constructor(
    private readonly dir: string,
    readonly file: string,
    readonly db: IndexerDatabase,
    readonly schema: SchemaModel,
  ) {}

  static create(schemaSource: string): SchemaDatabase {
    const dir = mkdtempSync(path.join(os.tmpdir(), "latent-schema-db-"));
    const file = path.join(dir, "schema.sqlite");
    const schema = SchemaModel.parse(schemaSource);
    const db = IndexerDatabase.open(file);
    const zero = "0x" + "00".repeat(32);
    db.initialise({ chainId: "31337", genesisHash: zero, buildHash: "schema-db", network: "test" }, schema);
    db.createQueryIndexes(schema);
    return new SchemaDatabase(dir, file, db, schema);
  }

  /** Inserts a version of an entity visible in [from, to); `values` maps field names to column values. */
  insert(typeName: string, from: number, values: Readonly<Record<string, SqlValue>>, to = OPEN_BLOCK): void {
    const type = this.schema.entity(typeName);
    const names = Object.keys(values);
    const columns = names.map((name) => {
      const field = type.fieldsByName.get(name);
      if (field?.column === null || field?.column === undefined) throw new Error(`${typeName} has no stored field ${name}`);
      return quoteIdent(field.column);
    });
    const placeholders = names.map(() => "?").join(", ");
    this.db.db
      .prepare(`INSERT INTO ${quoteIdent(type.table)} (__from, __to, ${columns.join(", ")}) VALUES (?, ?, ${placeholders})`)
      .run(from, to, ...names.map((name) => values[name]!));
  }

  /** Records block `number` and makes it the checkpoint; `fork` tells apart two blocks of the same number. */
  advance(number: number, fork = ""): void {
    const hash = (n: number, f: string): string => keccak256(toUtf8Bytes(`${f}:${n}`));
    const pointer = { number, hash: hash(number, fork), timestamp: 1_700_000_000 + number, parentHash: hash(number - 1, "") };
    this.db.recordBlock(pointer, true);
    this.db.setCheckpoint(pointer);
  }

  close(): void {
    this.db.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
