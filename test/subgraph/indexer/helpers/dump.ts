// Database snapshots for equality checks: every entity version (block range and columns, without the
// autoincrement __vid) of every entity table, plus the checkpoint. Two databases that index the same chain
// must dump identically, however their runs were interrupted or reorganised.
import Database from "better-sqlite3";
import { expect } from "chai";
import type { ExecutionResult } from "graphql";
import type { QueryExecutor } from "../../../../subgraph/indexer/query/engine";

export interface DatabaseDump {
  checkpoint: unknown;
  fatalError: unknown;
  tables: Record<string, unknown[]>;
}

function plain(value: unknown): unknown {
  if (Buffer.isBuffer(value)) return "0x" + value.toString("hex");
  if (typeof value === "bigint") return value.toString();
  return value;
}

export function dumpDatabase(file: string): DatabaseDump {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const tables: Record<string, unknown[]> = {};
    const names = db
      .prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'ent\\_%' ESCAPE '\\' ORDER BY name")
      .all();
    for (const { name } of names) {
      const rows = db.prepare(`SELECT * FROM "${name}" ORDER BY id, __from`).safeIntegers(true).all() as Array<Record<string, unknown>>;
      tables[name] = rows.map((row) => Object.fromEntries(Object.entries(row).filter(([k]) => k !== "__vid").map(([k, v]) => [k, plain(v)])));
    }
    const meta = (key: string): unknown => {
      const row = db.prepare<[string], { value: string }>("SELECT value FROM indexer_meta WHERE key = ?").get(key);
      return row === undefined ? null : JSON.parse(row.value);
    };
    return { checkpoint: meta("checkpoint"), fatalError: meta("fatal_error"), tables };
  } finally {
    db.close();
  }
}

/** Runs a query and fails the test on GraphQL errors. */
export async function gql<T = Record<string, unknown>>(executor: QueryExecutor, query: string, variables?: Record<string, unknown>): Promise<T> {
  const result = await executor.executeQuery(query, variables);
  expect(result.errors, JSON.stringify(result.errors)).to.equal(undefined);
  return result.data as T;
}

/** The ids of the `items` that `where` (a GraphQL object literal) selects, in the default order. */
export async function itemIdsWhere(executor: QueryExecutor, where: string): Promise<string[]> {
  return (await gql<{ items: Array<{ id: string }> }>(executor, `{ items(where: ${where}) { id } }`)).items.map((i) => i.id);
}

/** Runs a query that must fail; returns the error messages. */
export async function gqlErrors(executor: QueryExecutor, query: string, variables?: Record<string, unknown>): Promise<string[]> {
  const result: ExecutionResult = await executor.executeQuery(query, variables);
  expect(result.errors, `expected errors, got ${JSON.stringify(result.data)}`).to.be.an("array").that.is.not.empty;
  return result.errors!.map((e) => e.message);
}
