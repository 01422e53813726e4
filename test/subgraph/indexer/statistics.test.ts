// The query planner's statistics: gathered on the writer connection, used by read-only query connections that were
// open before (the gateway's query thread), and refreshed at the head on a schedule.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { Indexer } from "../../../subgraph/indexer";
import { IndexerDatabase } from "../../../subgraph/indexer/store/database";
import { PlannerStatistics } from "../../../subgraph/indexer/store/statistics";
import { registerProvider } from "./helpers/probe";
import { useProbeFixture } from "./helpers/use-probe-fixture";

describe("embedded indexer: query planner statistics", function () {
  describe("readers", function () {
    let dir: string;
    let writer: IndexerDatabase;
    let reader: IndexerDatabase;
    const QUERY = "SELECT id FROM p WHERE online = 1 ORDER BY price, id LIMIT 20";

    /** The index the reader's planner uses for QUERY, after a statement has let it see the latest schema. */
    const readerIndex = (): string => {
      reader.db.prepare(QUERY).all();
      const plan = reader.db.prepare(`EXPLAIN QUERY PLAN ${QUERY}`).all() as { detail: string }[];
      return /USING INDEX (\w+)/.exec(plan.map((r) => r.detail).join(" "))?.[1] ?? "none";
    };

    beforeEach(function () {
      dir = mkdtempSync(path.join(os.tmpdir(), "latent-statistics-"));
      const file = path.join(dir, "db.sqlite");
      writer = IndexerDatabase.open(file);
      writer.db.exec(`CREATE TABLE p (id INTEGER, online INTEGER, price INTEGER);
        CREATE INDEX p_online ON p (online, id); CREATE INDEX p_price ON p (price, id);`);
      const insert = writer.db.prepare("INSERT INTO p (id, online, price) VALUES (?, ?, ?)");
      // Nine in ten online: scanning by price finds a page at once; the `online` index would sort 18,000 rows.
      writer.transaction(() => {
        for (let i = 0; i < 20_000; i++) insert.run(i, i % 10 === 0 ? 0 : 1, (i * 7919) % 1000);
      });
      reader = IndexerDatabase.open(file, { readonly: true });
    });

    afterEach(function () {
      reader.close();
      writer.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it("reach a read-only connection that was open before", function () {
      expect(readerIndex()).to.equal("p_online");
      writer.refreshStatistics();
      expect(readerIndex()).to.equal("p_price");
    });

    it("reach it again when refreshed, once the data changed", function () {
      writer.refreshStatistics();
      expect(readerIndex()).to.equal("p_price");
      // Now nobody is online: the `online` index finds the (empty) answer at once.
      writer.db.exec("UPDATE p SET online = 0");
      writer.refreshStatistics();
      expect(readerIndex()).to.equal("p_online");
    });
  });

  describe("schedule", function () {
    let refreshes: number;
    let clock: number;
    let statistics: PlannerStatistics;

    beforeEach(function () {
      refreshes = 0;
      clock = 0;
      statistics = new PlannerStatistics({ refreshStatistics: () => void refreshes++ }, { everyBlocks: 100, everyMs: 60_000 }, () => clock);
    });

    it("refreshes when the head is first reached", function () {
      expect(statistics.refreshIfDue(5_000)).to.be.a("number");
      expect(refreshes).to.equal(1);
    });

    it("waits for everyBlocks blocks or everyMs", function () {
      statistics.refreshIfDue(5_000);
      clock = 59_999;
      expect(statistics.refreshIfDue(5_099)).to.equal(null);
      expect(refreshes).to.equal(1);
    });

    it("refreshes after everyBlocks blocks", function () {
      statistics.refreshIfDue(5_000);
      statistics.refreshIfDue(5_100);
      expect(refreshes).to.equal(2);
    });

    it("refreshes after everyMs when blocks were indexed meanwhile, not when none were", function () {
      statistics.refreshIfDue(5_000);
      clock = 60_000;
      statistics.refreshIfDue(5_000);
      expect(refreshes).to.equal(1);
      statistics.refreshIfDue(5_001);
      expect(refreshes).to.equal(2);
    });
  });

  describe("the indexer", function () {
    const fx = useProbeFixture();

    before(async function () {
      await registerProvider(fx.probe, fx.chain.accounts[1]!, "statistics", 1n, 1);
    });

    it("gathers them for the entity tables once run() reaches the head", async function () {
      const indexer = await Indexer.open({ subgraph: fx.buildDir, rpc: fx.chain.url, db: fx.dbPath("run.sqlite"), pollIntervalMs: 50 });
      try {
        const synced = new Promise((resolve) => indexer.once("synced", resolve));
        void indexer.run();
        await synced;
        const tables = indexer.db.db.prepare("SELECT DISTINCT tbl FROM sqlite_stat1").all() as { tbl: string }[];
        expect(tables.map((t) => t.tbl)).to.include("ent_Provider");
      } finally {
        await indexer.close();
      }
    });
  });
});
