// One indexer per database file. Two indexers on one file would close each other's entity versions and insert
// theirs twice (and one of another build would wipe the other's index), so an indexer holds a lock for as long as it
// has the database open, and another one refuses to open it.
//
// The lock is a SQLite write lock (RESERVED) held on a small file next to the database, `<db>.lock`, in a
// transaction that never ends: SQLite's file locks are the operating system's (fcntl), which releases them when the
// process dies however it dies (kill -9 included), and SQLite also keeps them apart between connections of one
// process (worker threads included). The database itself is not locked: WAL readers (the query engine, the
// gateway's query thread, other processes) work as before. A RESERVED lock still lets others read the holder's pid.
import Database from "better-sqlite3";
import { DatabaseInUseError } from "../errors";

/** How long a connection waits out another's brief lock (the holder committing its pid) before it gives up. */
const BUSY_WAIT_MS = 1000;

export class WriterLock {
  private constructor(private readonly connection: Database.Database) {}

  /** Takes the lock of `database`, or throws DatabaseInUseError naming the file and the holder's pid. */
  static acquire(database: string): WriterLock {
    const file = `${database}.lock`;
    const connection = new Database(file, { timeout: BUSY_WAIT_MS });
    try {
      connection.exec("CREATE TABLE IF NOT EXISTS holder (id INTEGER PRIMARY KEY CHECK (id = 1), pid INTEGER NOT NULL)");
      const take = (): void => {
        connection.pragma("busy_timeout = 0");
        try {
          connection.exec("BEGIN IMMEDIATE");
        } catch (error) {
          if ((error as { code?: string }).code !== "SQLITE_BUSY") throw error;
          connection.pragma(`busy_timeout = ${BUSY_WAIT_MS}`);
          let pid: number | null = null;
          try {
            pid = connection.prepare<[], { pid: number }>("SELECT pid FROM holder WHERE id = 1").get()?.pid ?? null;
          } catch {
            // The pid only makes the message clearer.
          }
          throw new DatabaseInUseError(database, file, pid);
        }
      };
      take();
      // Committed so that whoever is refused can read it; the lock is taken again at once (whoever took it in between
      // holds it, and this indexer is refused).
      connection.pragma(`busy_timeout = ${BUSY_WAIT_MS}`);
      connection.prepare("INSERT INTO holder (id, pid) VALUES (1, ?) ON CONFLICT(id) DO UPDATE SET pid = excluded.pid").run(process.pid);
      connection.exec("COMMIT");
      take();
      return new WriterLock(connection);
    } catch (error) {
      connection.close();
      throw error;
    }
  }

  release(): void {
    // Closing ends the transaction, which releases the lock.
    if (this.connection.open) this.connection.close();
  }
}
