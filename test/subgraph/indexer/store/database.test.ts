// IndexerDatabase's transactions against a second writer on the same file (another connection, as two indexers
// opened with `lock: false` have): each takes the write lock first, so that it waits for the other writer's commit
// (the busy timeout) rather than failing at its first write.
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Worker } from "node:worker_threads";
import { expect } from "chai";
import { SchemaModel } from "../../../../subgraph/indexer/schema/model";
import { IndexerDatabase } from "../../../../subgraph/indexer/store/database";

const SCHEMA = SchemaModel.parse("type Item @entity { id: ID!, name: String! }");
const GENESIS = "0x" + "00".repeat(32);

// A second connection in a thread: holds a write transaction from before it says "holding" until HOLD_MS after, then
// commits. The connection under test is synchronous, so nothing it does can tell the other one to let go: HOLD_MS only
// has to be well within the busy timeout (5 s) that the waiting side is given.
const HOLD_MS = 500;
const HOLDER = `
  const { parentPort, workerData } = require("node:worker_threads");
  const Database = require("better-sqlite3");
  const db = new Database(workerData.file);
  db.exec("BEGIN IMMEDIATE");
  db.prepare("INSERT INTO indexer_meta (key, value) VALUES ('other', 'writer')").run();
  parentPort.postMessage("holding");
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, workerData.holdMs);
  db.exec("COMMIT");
  db.close();
`;

describe("embedded indexer: database transactions with another writer", function () {
  let dir: string;
  let db: IndexerDatabase | null = null;

  beforeEach(function () {
    dir = mkdtempSync(path.join(os.tmpdir(), "latent-db-writers-"));
  });

  afterEach(function () {
    db?.close();
    db = null;
    rmSync(dir, { recursive: true, force: true });
  });

  it("resets a database for another deployment after waiting for another connection's write, instead of failing with 'database is locked'", async function () {
    const file = path.join(dir, "index.sqlite");
    db = IndexerDatabase.open(file);
    db.initialise({ chainId: "31337", genesisHash: GENESIS, buildHash: "build-a", network: "test" }, SCHEMA);
    const holder = new Worker(HOLDER, { eval: true, workerData: { file, holdMs: HOLD_MS } });
    const exited = once(holder, "exit");
    try {
      const [message] = (await once(holder, "message")) as [string];
      expect(message).to.equal("holding");
      const { reset, deployment } = db.initialise({ chainId: "31337", genesisHash: GENESIS, buildHash: "build-b", network: "test" }, SCHEMA);
      expect(reset).to.equal(true);
      expect(db.deployment()).to.equal(deployment);
      expect(db.meta("build_hash")).to.equal("build-b");
    } finally {
      const [code] = (await exited) as [number];
      expect(code, "the other writer committed and ended").to.equal(0);
    }
  });
});
