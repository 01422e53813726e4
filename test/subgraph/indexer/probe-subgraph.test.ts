// End-to-end behaviour of the embedded indexer on the probe fixture: a scenario is played on a local chain,
// indexed over HTTP JSON-RPC, and checked through the graph-node query API (in-process and over HTTP).
import Database from "better-sqlite3";
import { expect } from "chai";
import { AbiCoder, encodeBase58, keccak256 } from "ethers";
import { getIntrospectionQuery, printSchema } from "graphql";
import { executeQuery, Indexer, type IndexerLogRecord } from "../../../subgraph/indexer";
import { QueryEngine } from "../../../subgraph/indexer/query/engine";
import { startQueryServer, type QueryServer } from "../../../subgraph/indexer/server/http";
import { dumpDatabase, gql, gqlErrors } from "./helpers/dump";
import { bytes32, postJob, registerProvider, sample } from "./helpers/probe";
import { useProbeFixture } from "./helpers/use-probe-fixture";

const ETH = 10n ** 18n;
const OPEN = 2147483647;

interface Blocks {
  registerA: number;
  registerB: number;
  sameBlock: number;
  job2: number;
  job3: number;
  statusB: number;
  sample1: number;
  sample2: number;
  removeJob2: number;
  head: number;
}

describe("embedded indexer: probe subgraph", function () {
  let indexer: Indexer;
  let engine: QueryEngine;
  let A: string, B: string, C: string, D: string;
  const blocks = {} as Blocks;
  const txs: Record<string, string> = {};
  const logs: IndexerLogRecord[] = [];
  const BIG = 2n ** 200n;
  const NEGATIVE = -(10n ** 30n);
  const BLOB = "0x68656c6c6f00"; // "hello\0"

  after(async function () {
    engine?.close();
    await indexer?.close();
  });

  // Registered after the suite's own after hook: it ends what still uses the chain before the chain closes.
  const fx = useProbeFixture();

  before(async function () {
    const { chain, probe } = fx;
    [A, B, C, D] = chain.accounts.slice(1, 5).map((a) => a.toLowerCase()) as [string, string, string, string];
    txs.registerA = await registerProvider(probe, A, "Alpha ✓ GPU", (3n * ETH) / 2n, 4);
    blocks.registerA = await chain.blockNumber();
    txs.registerB = await registerProvider(probe, B, "beta", 2n * ETH, 9);
    blocks.registerB = await chain.blockNumber();
    // Two transactions in one block: the job sees its provider through store.get_in_block.
    await chain.setAutomine(false);
    txs.registerC = await registerProvider(probe, C, "Gamma rig", ETH / 2n, 1);
    txs.job1 = await postJob(probe, 1n, C, { note: "first" });
    await chain.mine();
    await chain.setAutomine(true);
    blocks.sameBlock = await chain.blockNumber();
    txs.job2 = await postJob(probe, 2n, A, { delta: -5n, payload: "0xdeadbeef", note: "hello ü", amounts: [1n, 2n], parties: [B, D] });
    blocks.job2 = await chain.blockNumber();
    txs.job3 = await postJob(probe, 3n, A, { delta: 10n, note: "Render farm", amounts: [7n], parties: [C, B], duration: 2n ** 40n });
    blocks.job3 = await chain.blockNumber();
    await probe.send("setStatus", [B, false]);
    blocks.statusB = await chain.blockNumber();
    txs.sample1 = await sample(probe, { key: "k1", small: -42n, big: BIG, negative: NEGATIVE, blob: BLOB, flag: true, labels: ["ünïcødé", "x"], count: 7 });
    blocks.sample1 = await chain.blockNumber();
    await sample(probe, { key: "k2", small: 5n, big: 12345n, negative: 0n, blob: "0x", flag: false, labels: ["plain"], count: 0 });
    blocks.sample2 = await chain.blockNumber();
    await probe.send("removeJob", [2n]);
    blocks.removeJob2 = await chain.blockNumber();
    await probe.send("setStatus", [A, false]);
    await probe.send("setStatus", [A, true]);
    blocks.head = await chain.blockNumber();

    indexer = await Indexer.open({ subgraph: fx.buildDir, rpc: fx.chain.url, db: fx.dbPath("probe.sqlite"), logger: (r) => logs.push(r) });
    await indexer.syncOnce();
    // Queries go through their own read-only connection, as the gateway's would.
    engine = QueryEngine.open(fx.dbPath("probe.sqlite"));
  });

  const block = async (n: number): Promise<{ hash: string; timestamp: string }> =>
    fx.chain.request<{ hash: string; timestamp: string }>("eth_getBlockByNumber", ["0x" + n.toString(16), false]);
  const micros = async (n: number): Promise<string> => (BigInt((await block(n)).timestamp) * 1_000_000n).toString();

  describe("indexing", function () {
    it("indexes up to the head and records the checkpoint", async function () {
      const status = indexer.status();
      expect(status.failed).to.equal(false);
      expect(status.checkpoint!.number).to.equal(blocks.head);
      expect(status.checkpoint!.hash).to.equal((await block(blocks.head)).hash);
      expect(status.synced).to.equal(true);
    });

    it("round-trips every store value kind into query results", async function () {
      const data = await gql<{ provider: Record<string, unknown>; sample: Record<string, unknown>; k2: Record<string, unknown> }>(
        engine,
        `query($a: ID!) {
          provider(id: $a) { id name pricePerHour pricePerHourEth region gpuCount online tier registeredAt updatedAtBlock jobCount }
          sample(id: "ünïcødé") { id small big negative digest blob blobText flag labels count tier optional at }
          k2: sample(id: "plain") { small big negative blob blobText flag labels count tier optional }
        }`,
        { a: A },
      );
      expect(data.provider).to.deep.equal({
        id: A, // Bytes id
        name: "Alpha ✓ GPU", // String with Unicode
        pricePerHour: (3n * ETH / 2n).toString(), // BigInt
        pricePerHourEth: "1.5", // BigDecimal
        region: bytes32("region-Alpha ✓ GPU"), // Bytes
        gpuCount: 4, // Int
        online: true, // Boolean
        tier: "Silver", // enum
        registeredAt: await micros(blocks.registerA), // Timestamp (µs, as a string)
        updatedAtBlock: String(blocks.head), // Int8 (as a string)
        jobCount: 1,
      });
      expect(data.sample).to.deep.equal({
        id: "ünïcødé",
        small: "-42",
        big: BIG.toString(),
        negative: NEGATIVE.toString(),
        digest: keccak256(BLOB),
        blob: BLOB,
        blobText: "hello",
        flag: true,
        labels: ["ünïcødé", "x"],
        count: 7,
        tier: "Silver",
        optional: null,
        at: await micros(blocks.sample1),
      });
      expect(data.k2).to.deep.equal({
        small: "5",
        big: "12345",
        negative: "0",
        blob: "0x",
        blobText: "",
        flag: false,
        labels: ["plain"],
        count: 0,
        tier: null,
        optional: null,
      });
    });

    it("merges a partial store.set into the stored entity", async function () {
      const data = await gql<{ provider: Record<string, unknown> }>(engine, `query($b: ID!) { provider(id: $b) { name pricePerHour online tier updatedAtBlock } }`, { b: B });
      expect(data.provider).to.deep.equal({ name: "beta", pricePerHour: (2n * ETH).toString(), online: false, tier: "Gold", updatedAtBlock: String(blocks.statusB) });
    });

    it("removes entities with store.remove, also right after a set in the same handler", async function () {
      const data = await gql<{ job: unknown; jobs: Array<{ id: string }>; before: { note: string } }>(
        engine,
        `{ job(id: "2") { id } jobs(orderBy: id) { id } before: job(id: "2", block: { number: ${blocks.removeJob2 - 1} }) { note } }`,
      );
      expect(data.job).to.equal(null);
      expect(data.jobs.map((j) => j.id)).to.deep.equal(["1", "3"]);
      expect(data.before.note).to.equal("hello ü");
    });

    it("store.get_in_block sees only entities written in the same block", async function () {
      const data = await gql<{ jobs: Array<{ id: string; providerNewInBlock: boolean }> }>(engine, `{ jobs(orderBy: id) { id providerNewInBlock } }`);
      expect(data.jobs).to.deep.equal([
        { id: "1", providerNewInBlock: true },
        { id: "3", providerNewInBlock: false },
      ]);
    });

    it("store.loadRelated gives mappings the derived entities", async function () {
      // handleJobPosted compares provider.jobs.load() with its counter and warns when they disagree.
      expect(logs.filter((l) => l.message.includes("stored jobs but a count of"))).to.deep.equal([]);
      const data = await gql<{ provider: { jobCount: number } }>(engine, `query($a: ID!) { provider(id: $a, block: { number: ${blocks.job3} }) { jobCount } }`, { a: A });
      expect(data.provider.jobCount).to.equal(2);
    });

    it("computes keccak256, conversions and BigInt/BigDecimal maths like graph-node", async function () {
      const data = await gql<{ sample: Record<string, string>; job: { share: string } }>(
        engine,
        `{ sample(id: "ünïcødé") { digest digestCheck bigHex negativeHex quotient remainder shifted masked ratio oneThird twoThirds minusTwoThirds product base58 }
           job: job(id: "2", block: { number: ${blocks.job2} }) { share } }`,
      );
      expect(data.sample).to.deep.equal({
        digest: keccak256(BLOB),
        digestCheck: keccak256(BLOB), // crypto.keccak256 in the mapping
        bigHex: "0x" + BIG.toString(16),
        negativeHex: "0x" + (-NEGATIVE).toString(16), // graph-node prints the magnitude of negative BigInts
        quotient: (NEGATIVE / 7n).toString(), // truncated toward zero
        remainder: (NEGATIVE % 7n).toString(), // sign of the dividend
        shifted: ((BIG << 3n) + (BIG >> 2n)).toString(),
        masked: ((BIG & 0xffffn) | 0x10000n).toString(),
        // BigDecimals from BigInts are normalised to 34 digits before dividing (graph-node's BigDecimal::new).
        ratio: "-1606938044258990275541962092341.163",
        oneThird: "0.3333333333333333333333333333333333",
        twoThirds: "0.6666666666666666666666666666666667",
        minusTwoThirds: "-0.66666666666666666666666666666666666",
        product: "2410407066388485413312943138511745000000000000000000000000",
        base58: encodeBase58(keccak256(BLOB)),
      });
      expect(data.job.share).to.equal("-1.6666666666666666666666666666666666");
    });

    it("exposes dataSource.address/network/context and ethereum.encode/decode", async function () {
      const data = await gql<{ sample: Record<string, string> }>(engine, `{ sample(id: "ünïcødé") { source network contextLabel encoded decodedSum } }`);
      expect(data.sample).to.deep.equal({
        source: fx.probe.address.toLowerCase(),
        network: "hardhat",
        contextLabel: "probe-context ✓",
        encoded: AbiCoder.defaultAbiCoder().encode(["(uint256,string,int256)"], [[BIG, "ünïcødé", NEGATIVE]]),
        decodedSum: (BIG + NEGATIVE).toString(),
      });
    });

    it("passes block and transaction data in ethereum.Event", async function () {
      const data = await gql<{ registrations: Array<{ id: string; blockNumber: string; at: string; name: string }>; job: { client: string; duration: string; payee: string } }>(
        engine,
        `{ registrations(orderBy: blockNumber) { id blockNumber at name } job(id: "3") { client duration payee } }`,
      );
      expect(data.registrations[0]).to.deep.equal({
        id: `${txs.registerA}-0`, // transaction hash and log index
        blockNumber: String(blocks.registerA),
        at: await micros(blocks.registerA),
        name: "Alpha ✓ GPU",
      });
      expect(data.job).to.deep.equal({ client: fx.chain.accounts[0]!.toLowerCase(), duration: (2n ** 40n).toString(), payee: A });
    });

    it("forwards mapping logs with level, data source, handler and block", function () {
      const record = logs.find((l) => l.source === "mapping" && l.message === `provider ${A} registered as Alpha ✓ GPU`);
      expect(record).to.include({ level: "info", dataSource: "Probe", handler: "handleProviderRegistered", block: blocks.registerA });
    });

    it("writes immutable entities once and versions mutable ones by block range", function () {
      const dump = dumpDatabase(fx.dbPath("probe.sqlite"));
      const registrations = dump.tables.ent_Registration as Array<{ __from: string; __to: string }>;
      expect(registrations).to.have.length(3);
      for (const r of registrations) expect(r.__to).to.equal(String(OPEN));
      const versions = (dump.tables.ent_Provider as Array<{ id: string; __from: string; __to: string }>).filter((v) => v.id === A);
      // Registered, two jobs posted, removal decremented, two status changes: six versions with adjacent ranges.
      expect(versions.map((v) => [Number(v.__from), Number(v.__to)])).to.deep.equal([
        [blocks.registerA, blocks.job2],
        [blocks.job2, blocks.job3],
        [blocks.job3, blocks.removeJob2],
        [blocks.removeJob2, blocks.removeJob2 + 1],
        [blocks.removeJob2 + 1, blocks.head],
        [blocks.head, OPEN],
      ]);
    });
  });

  describe("queries", function () {
    const names = async (where: string, entity = "providers", field = "name"): Promise<string[]> => {
      const data = await gql<Record<string, Array<Record<string, string>>>>(engine, `{ list: ${entity}(where: ${where}, orderBy: ${field}) { ${field} } }`);
      return data.list!.map((r) => r[field]!);
    };

    it("answers a one-shot executeQuery(dbPath, query, variables) as a QueryEngine on the file does", async function () {
      const query = `query($a: ID!) { provider(id: $a) { name jobs { id } } _meta { block { number } } }`;
      const answer = await executeQuery(fx.dbPath("probe.sqlite"), query, { a: A });
      expect(answer.errors).to.equal(undefined);
      expect(answer).to.deep.equal(await engine.executeQuery(query, { a: A }));
    });

    it("answers singular and plural fields under graph-node's names", async function () {
      const data = await gql<Record<string, unknown[]>>(engine, `{ providers { id } jobs { id } samples { id } registrations { id } statusChanges { id } activities { id } batchEvents { id } accounts { id } }`);
      expect(Object.fromEntries(Object.entries(data).map(([k, v]) => [k, v.length]))).to.deep.equal({
        providers: 3,
        jobs: 2,
        samples: 2,
        registrations: 3,
        statusChanges: 3,
        activities: 6,
        batchEvents: 0,
        accounts: 0,
      });
    });

    const operatorCases: Array<[string, string[]]> = [
      [`{ name: "beta" }`, ["beta"]],
      [`{ name_not: "beta" }`, ["Alpha ✓ GPU", "Gamma rig"]],
      [`{ name_gt: "Gamma rig" }`, ["beta"]],
      [`{ name_gte: "Gamma rig" }`, ["Gamma rig", "beta"]],
      [`{ name_lt: "Gamma rig" }`, ["Alpha ✓ GPU"]],
      [`{ name_lte: "Gamma rig" }`, ["Alpha ✓ GPU", "Gamma rig"]],
      [`{ name_in: ["beta", "nobody"] }`, ["beta"]],
      [`{ name_not_in: ["beta"] }`, ["Alpha ✓ GPU", "Gamma rig"]],
      [`{ name_contains: "✓" }`, ["Alpha ✓ GPU"]],
      [`{ name_contains: "BETA" }`, []],
      [`{ name_contains_nocase: "BETA" }`, ["beta"]],
      [`{ name_not_contains: "GPU" }`, ["Gamma rig", "beta"]],
      [`{ name_not_contains_nocase: "gpu" }`, ["Gamma rig", "beta"]],
      [`{ name_starts_with: "Al" }`, ["Alpha ✓ GPU"]],
      [`{ name_starts_with: "al" }`, []],
      [`{ name_starts_with_nocase: "al" }`, ["Alpha ✓ GPU"]],
      [`{ name_not_starts_with: "Al" }`, ["Gamma rig", "beta"]],
      [`{ name_not_starts_with_nocase: "AL" }`, ["Gamma rig", "beta"]],
      [`{ name_ends_with: "rig" }`, ["Gamma rig"]],
      [`{ name_ends_with_nocase: "RIG" }`, ["Gamma rig"]],
      [`{ name_not_ends_with: "rig" }`, ["Alpha ✓ GPU", "beta"]],
      [`{ name_not_ends_with_nocase: "gpu" }`, ["Gamma rig", "beta"]],
      [`{ pricePerHour: "${ETH / 2n}" }`, ["Gamma rig"]],
      [`{ pricePerHour_not: "${2n * ETH}" }`, ["Alpha ✓ GPU", "Gamma rig"]],
      [`{ pricePerHour_gt: "${ETH}" }`, ["Alpha ✓ GPU", "beta"]],
      [`{ pricePerHour_gte: "${(3n * ETH) / 2n}" }`, ["Alpha ✓ GPU", "beta"]],
      [`{ pricePerHour_lt: "${(3n * ETH) / 2n}" }`, ["Gamma rig"]],
      [`{ pricePerHour_lte: "${(3n * ETH) / 2n}" }`, ["Alpha ✓ GPU", "Gamma rig"]],
      [`{ pricePerHour_in: ["${ETH / 2n}", "${2n * ETH}"] }`, ["Gamma rig", "beta"]],
      [`{ pricePerHour_not_in: ["${ETH / 2n}"] }`, ["Alpha ✓ GPU", "beta"]],
      [`{ pricePerHourEth: "0.50" }`, ["Gamma rig"]],
      [`{ pricePerHourEth_gt: "1.4" }`, ["Alpha ✓ GPU", "beta"]],
      [`{ pricePerHourEth_lte: 1.5 }`, ["Alpha ✓ GPU", "Gamma rig"]],
      [`{ pricePerHourEth_in: ["1.5", "2"] }`, ["Alpha ✓ GPU", "beta"]],
      [`{ gpuCount_gte: 4 }`, ["Alpha ✓ GPU", "beta"]],
      [`{ gpuCount_in: [1, 9] }`, ["Gamma rig", "beta"]],
      [`{ gpuCount_not_in: [4] }`, ["Gamma rig", "beta"]],
      [`{ gpuCount_lt: 4 }`, ["Gamma rig"]],
      [`{ online: true }`, ["Alpha ✓ GPU", "Gamma rig"]],
      [`{ online_not: true }`, ["beta"]],
      [`{ online_in: [false] }`, ["beta"]],
      [`{ online_not_in: [false] }`, ["Alpha ✓ GPU", "Gamma rig"]],
      [`{ tier: Gold }`, ["beta"]],
      [`{ tier_not: Gold }`, ["Alpha ✓ GPU", "Gamma rig"]],
      [`{ tier_in: [Silver, Bronze] }`, ["Alpha ✓ GPU", "Gamma rig"]],
      [`{ tier_not_in: [Silver, Bronze] }`, ["beta"]],
      [`{ region_contains: "0x${Buffer.from("Gamma").toString("hex")}" }`, ["Gamma rig"]],
      [`{ region_not_contains: "0x${Buffer.from("Gamma").toString("hex")}" }`, ["Alpha ✓ GPU", "beta"]],
    ];
    for (const [where, expected] of operatorCases) {
      it(`filters providers with ${where}`, async function () {
        expect(await names(where)).to.deep.equal(expected);
      });
    }

    it("filters by Bytes ids, Int8 and Timestamp values", async function () {
      expect(await names(`{ id: "${B}" }`)).to.deep.equal(["beta"]);
      expect(await names(`{ id_in: ["${A}", "${C}"] }`)).to.deep.equal(["Alpha ✓ GPU", "Gamma rig"]);
      expect(await names(`{ updatedAtBlock_lt: "${blocks.statusB}" }`)).to.deep.equal(["Gamma rig"]);
      expect(await names(`{ updatedAtBlock: "${blocks.statusB}" }`)).to.deep.equal(["beta"]);
      expect(await names(`{ registeredAt_gte: "${await micros(blocks.sameBlock)}" }`)).to.deep.equal(["Gamma rig"]);
      expect(await names(`{ registeredAt_lt: "${await micros(blocks.registerB)}" }`)).to.deep.equal(["Alpha ✓ GPU"]);
    });

    it("filters String ids, references and nulls", async function () {
      expect(await names(`{ id_gt: "1" }`, "jobs", "id")).to.deep.equal(["3"]);
      expect(await names(`{ id_not: "1" }`, "jobs", "id")).to.deep.equal(["3"]);
      expect(await names(`{ provider: "${C}" }`, "jobs", "id")).to.deep.equal(["1"]);
      expect(await names(`{ provider_in: ["${A}"] }`, "jobs", "id")).to.deep.equal(["3"]);
      expect(await names(`{ provider_not: "${A}" }`, "jobs", "id")).to.deep.equal(["1"]);
      expect(await names(`{ tier: null }`, "samples", "id")).to.deep.equal(["plain"]);
      expect(await names(`{ tier_not: null }`, "samples", "id")).to.deep.equal(["ünïcødé"]);
      expect(await names(`{ optional: null }`, "samples", "id")).to.deep.equal(["plain", "ünïcødé"]);
    });

    it("filters lists: equality, contains (all of), not_contains and nocase", async function () {
      expect(await names(`{ labels_contains: ["x"] }`, "samples", "id")).to.deep.equal(["ünïcødé"]);
      expect(await names(`{ labels_contains: ["x", "nope"] }`, "samples", "id")).to.deep.equal([]);
      // ILIKE under graph-node's C locale folds ASCII letters only.
      expect(await names(`{ labels_contains_nocase: ["üNïCøDé"] }`, "samples", "id")).to.deep.equal(["ünïcødé"]);
      expect(await names(`{ labels_not_contains: ["plain"] }`, "samples", "id")).to.deep.equal(["ünïcødé"]);
      expect(await names(`{ labels: ["plain"] }`, "samples", "id")).to.deep.equal(["plain"]);
      expect(await names(`{ labels_not: ["plain"] }`, "samples", "id")).to.deep.equal(["ünïcødé"]);
      expect(await names(`{ amounts_contains: ["7"] }`, "jobs", "id")).to.deep.equal(["3"]);
      expect(await names(`{ parties_contains: ["${B}"] }`, "jobs", "id")).to.deep.equal(["3"]);
      expect(await names(`{ cosigners_contains: ["${C}"] }`, "jobs", "id")).to.deep.equal(["3"]);
      expect(await names(`{ cosigners_not_contains: ["${C}"] }`, "jobs", "id")).to.deep.equal(["1"]);
      expect(await names(`{ cosigners: [] }`, "jobs", "id")).to.deep.equal(["1"]);
    });

    it("keeps a list out of _not_contains when it holds any of the values (graph-node: NOT c && v)", async function () {
      expect(await names(`{ labels_not_contains: ["x", "nope"] }`, "samples", "id")).to.deep.equal(["plain"]);
      expect(await names(`{ labels_not_contains: [] }`, "samples", "id")).to.deep.equal(["plain", "ünïcødé"]);
      expect(await names(`{ cosigners_not_contains: ["${C}", "${A}"] }`, "jobs", "id")).to.deep.equal(["1"]);
    });

    it("matches a list with _contains_nocase when it holds any of the values, and _not_contains_nocase when none", async function () {
      expect(await names(`{ labels_contains_nocase: ["X", "PLAIN"] }`, "samples", "id")).to.deep.equal(["plain", "ünïcødé"]);
      expect(await names(`{ labels_contains_nocase: [] }`, "samples", "id")).to.deep.equal([]);
      expect(await names(`{ labels_not_contains_nocase: ["X", "nope"] }`, "samples", "id")).to.deep.equal(["plain"]);
      expect(await names(`{ labels_not_contains_nocase: [] }`, "samples", "id")).to.deep.equal(["plain", "ünïcødé"]);
    });

    it("applies nested filters on references, reference lists, derived fields and interfaces", async function () {
      expect(await names(`{ provider_: { online: true, tier: Bronze } }`, "jobs", "id")).to.deep.equal(["1"]);
      expect(await names(`{ cosigners_: { name: "beta" } }`, "jobs", "id")).to.deep.equal(["3"]);
      expect(await names(`{ jobs_: { note_contains: "Render" } }`)).to.deep.equal(["Alpha ✓ GPU"]);
      expect(await names(`{ cosigned_: { id: "3" } }`)).to.deep.equal(["Gamma rig", "beta"]);
      expect(await names(`{ activities_: { blockNumber: "${blocks.statusB}" } }`)).to.deep.equal(["beta"]);
      expect(await names(`{ provider_: { pricePerHour_gt: "${ETH}" } }`, "activities", "id")).to.have.length(5);
    });

    it("combines filters with and / or, and rejects `or` next to column filters", async function () {
      expect(await names(`{ or: [{ tier: Gold }, { name_starts_with: "Al" }] }`)).to.deep.equal(["Alpha ✓ GPU", "beta"]);
      expect(await names(`{ and: [{ online: true }, { gpuCount_lt: 4 }] }`)).to.deep.equal(["Gamma rig"]);
      expect(await names(`{ or: [{ and: [{ online: true }, { gpuCount: 1 }] }, { tier: Gold }] }`)).to.deep.equal(["Gamma rig", "beta"]);
      const errors = await gqlErrors(engine, `{ providers(where: { online: true, or: [{ tier: Gold }] }) { id } }`);
      expect(errors[0]).to.include("Cannot mix column filters with 'or' operator");
    });

    it("serves derived fields with their own first, skip, where and orderBy", async function () {
      const data = await gql<{ provider: { jobs: Array<{ id: string }>; last: Array<{ id: string }>; cosigned: Array<{ id: string }> }; c: { cosigned: Array<{ id: string }> } }>(
        engine,
        `query($a: ID!, $c: ID!) {
          provider(id: $a, block: { number: ${blocks.job3} }) {
            jobs(orderBy: id, orderDirection: desc) { id }
            last: jobs(first: 1, skip: 1, orderBy: id, orderDirection: desc, where: { note_not: "x" }) { id }
            cosigned { id }
          }
          c: provider(id: $c) { cosigned(where: { delta_gt: "0" }) { id } }
        }`,
        { a: A, c: C },
      );
      expect(data.provider.jobs.map((j) => j.id)).to.deep.equal(["3", "2"]);
      expect(data.provider.last.map((j) => j.id)).to.deep.equal(["2"]);
      expect(data.provider.cosigned).to.deep.equal([]);
      expect(data.c.cosigned.map((j) => j.id)).to.deep.equal(["3"]);
    });

    it("returns the rows of every implementation when querying an interface, ordered", async function () {
      const data = await gql<{ activities: Array<{ __typename: string; blockNumber: string; provider: { name: string } }>; activity: { __typename: string; name: string } }>(
        engine,
        `{ activities(orderBy: blockNumber, orderDirection: desc, first: 4) { __typename blockNumber provider { name } }
           activity(id: "${txs.registerA}-0") { __typename ... on Registration { name } } }`,
      );
      expect(data.activities.map((a) => [a.__typename, Number(a.blockNumber)])).to.deep.equal([
        ["StatusChange", blocks.head],
        ["StatusChange", blocks.head - 1],
        ["StatusChange", blocks.statusB],
        ["Registration", blocks.sameBlock],
      ]);
      expect(data.activities[0]!.provider.name).to.equal("Alpha ✓ GPU");
      expect(data.activity).to.deep.equal({ __typename: "Registration", name: "Alpha ✓ GPU" });
    });

    it("orders by a field, by a referenced entity's field, in both directions", async function () {
      const byPrice = await gql<{ providers: Array<{ name: string }> }>(engine, `{ providers(orderBy: pricePerHour, orderDirection: desc) { name } }`);
      expect(byPrice.providers.map((p) => p.name)).to.deep.equal(["beta", "Alpha ✓ GPU", "Gamma rig"]);
      const byProvider = await gql<{ jobs: Array<{ id: string }> }>(engine, `{ jobs(orderBy: provider__pricePerHour) { id } }`);
      expect(byProvider.jobs.map((j) => j.id)).to.deep.equal(["1", "3"]);
      const desc = await gql<{ jobs: Array<{ id: string }> }>(engine, `{ jobs(orderBy: provider__name, orderDirection: desc) { id } }`);
      expect(desc.jobs.map((j) => j.id)).to.deep.equal(["1", "3"]);
      // Without orderBy, graph-node ignores orderDirection: ascending ids.
      const ids = await gql<{ jobs: Array<{ id: string }> }>(engine, `{ jobs(orderDirection: desc) { id } }`);
      expect(ids.jobs.map((j) => j.id)).to.deep.equal(["1", "3"]);
    });

    it("orders by an attribute of an interface-typed reference, across its implementations", async function () {
      // The mappings never set Job.lastActivity: a copy of the database points job 1 at the head's StatusChange and
      // job 3 at A's Registration, so the order by the referenced activity's block is the reverse of the id order.
      const heads = await gql<{ statusChanges: Array<{ id: string }> }>(engine, `{ statusChanges(where: { blockNumber: "${blocks.head}" }) { id } }`);
      const copy = fx.dbPath("last-activity.sqlite");
      const source = new Database(fx.dbPath("probe.sqlite"), { readonly: true });
      source.exec(`VACUUM INTO '${copy}'`);
      source.close();
      const db = new Database(copy);
      const set = db.prepare(`UPDATE "ent_Job" SET "lastActivity" = ? WHERE id = ?`);
      set.run(heads.statusChanges[0]!.id, "1");
      set.run(`${txs.registerA}-0`, "3");
      db.close();
      const patched = QueryEngine.open(copy);
      try {
        const asc = await gql<{ jobs: Array<{ id: string }> }>(patched, `{ jobs(orderBy: lastActivity__blockNumber) { id } }`);
        expect(asc.jobs.map((j) => j.id)).to.deep.equal(["3", "1"]);
        const desc = await gql<{ jobs: Array<{ id: string }> }>(patched, `{ jobs(orderBy: lastActivity__blockNumber, orderDirection: desc) { id } }`);
        expect(desc.jobs.map((j) => j.id)).to.deep.equal(["1", "3"]);
      } finally {
        patched.close();
      }
    });

    it("orders an interface's rows by an attribute of a referenced entity at the top level, and refuses it nested as graph-node does", async function () {
      const data = await gql<{ asc: Array<{ provider: { name: string } }>; desc: Array<{ id: string; provider: { name: string } }> }>(
        engine,
        `{ asc: activities(orderBy: provider__name) { provider { name } }
           desc: activities(orderBy: provider__name, orderDirection: desc) { id provider { name } } }`,
      );
      const byName = ["Alpha ✓ GPU", "Alpha ✓ GPU", "Alpha ✓ GPU", "Gamma rig", "beta", "beta"];
      expect(data.asc.map((a) => a.provider.name)).to.deep.equal(byName);
      expect(data.desc.map((a) => a.provider.name)).to.deep.equal([...byName].reverse());
      // Ties (one provider's activities) fall back to the id, in the same direction.
      const alpha = data.desc.filter((a) => a.provider.name === "Alpha ✓ GPU").map((a) => a.id);
      expect(alpha).to.deep.equal([...alpha].sort().reverse());
      // graph-node reads a nested level with one window query over its parents, which cannot order by a child.
      expect(await gqlErrors(engine, `{ providers { activities(orderBy: provider__gpuCount, orderDirection: desc) { id } } }`)).to.deep.equal([
        "Failed to get entities from store: SortKey::ChildKey cannot be used for parent ordering (yet)",
      ]);
    });

    it("paginates with first and skip and enforces their caps", async function () {
      const page = await gql<{ a: Array<{ id: string }>; b: Array<{ id: string }> }>(
        engine,
        `{ a: activities(first: 2, orderBy: id) { id } b: activities(first: 2, skip: 2, orderBy: id) { id } }`,
      );
      const all = await gql<{ activities: Array<{ id: string }> }>(engine, `{ activities(orderBy: id) { id } }`);
      expect([...page.a, ...page.b].map((x) => x.id)).to.deep.equal(all.activities.slice(0, 4).map((x) => x.id));
      expect(await gqlErrors(engine, `{ providers(first: 1001) { id } }`)).to.deep.equal(["The `first` argument must be between 0 and 1000, but is 1001"]);
      // graph-node's default cap on skip is u32::MAX: a deep page is answered (empty past the last row).
      expect(await gql(engine, `{ activities(skip: 5001) { id } }`)).to.deep.equal({ activities: [] });
      const deep = await gql<{ activities: Array<{ id: string }> }>(engine, `{ activities(skip: 2147483647, orderBy: id) { id } }`);
      expect(deep.activities).to.deep.equal([]);
      expect(await gqlErrors(engine, `{ providers(skip: -1) { id } }`)).to.deep.equal(["The `skip` argument must be between 0 and 4294967295, but is -1"]);
      expect(await gqlErrors(engine, `{ providers { jobs(first: -1) { id } } }`)).to.include("The `first` argument must be between 0 and 1000, but is -1");
    });

    it("resolves each nested list level with one SQL statement (no N+1)", async function () {
      const before = engine.statementsExecuted;
      const data = await gql<{ providers: Array<{ jobs: Array<{ cosigners: unknown[]; provider: unknown }>; activities: unknown[] }> }>(
        engine,
        `{ providers { jobs { cosigners { id } provider { id } } activities { id } } }`,
      );
      expect(data.providers).to.have.length(3);
      // providers, jobs of all providers, cosigners of all jobs, provider of all jobs, activities (interface:
      // one ranking statement plus one per implementation).
      expect(engine.statementsExecuted - before).to.equal(1 + 1 + 1 + 1 + 3);
    });

    it("travels in time with block number, block hash and number_gte", async function () {
      const hash = (await block(blocks.job3)).hash;
      const data = await gql<{ at: { online: boolean; jobCount: number }; byHash: { jobCount: number }; gte: { jobCount: number }; jobs: Array<{ id: string }>; _meta: { block: { number: number } } }>(
        engine,
        `query($b: ID!, $a: ID!) {
          at: provider(id: $b, block: { number: ${blocks.statusB - 1} }) { online jobCount }
          byHash: provider(id: $a, block: { hash: "${hash}" }) { jobCount }
          gte: provider(id: $a, block: { number_gte: ${blocks.head} }) { jobCount }
          jobs(block: { number: ${blocks.job2} }, orderBy: id) { id }
          _meta(block: { number: ${blocks.job2} }) { block { number } }
        }`,
        { a: A, b: B },
      );
      expect(data.at).to.deep.equal({ online: true, jobCount: 0 });
      expect(data.byHash.jobCount).to.equal(2);
      expect(data.gte.jobCount).to.equal(1);
      expect(data.jobs.map((j) => j.id)).to.deep.equal(["1", "2"]);
      expect(data._meta.block.number).to.equal(blocks.job2);
    });

    it("reports _meta: block, deployment and hasIndexingErrors", async function () {
      const data = await gql<{ _meta: { block: { number: number; hash: string; timestamp: number }; deployment: string; hasIndexingErrors: boolean } }>(
        engine,
        `{ _meta { block { number hash timestamp } deployment hasIndexingErrors } }`,
      );
      const head = await block(blocks.head);
      expect(data._meta).to.deep.equal({
        block: { number: blocks.head, hash: head.hash, timestamp: Number(head.timestamp) },
        deployment: indexer.deployment,
        hasIndexingErrors: false,
      });
      expect(indexer.deployment).to.match(/^Qm[1-9A-HJ-NP-Za-km-z]{44}$/);
    });

    it("selects entities changed since a block with _change_block", async function () {
      expect(await names(`{ _change_block: { number_gte: ${blocks.statusB} } }`)).to.deep.equal(["Alpha ✓ GPU", "beta"]);
    });

    it("generates graph-node's API types and answers introspection", async function () {
      // Whitespace-normalised: printSchema breaks argument lists that carry descriptions over several lines.
      const sdl = printSchema(engine.apiSchema).replace(/\s+/g, " ");
      for (const fragment of [
        "input Provider_filter {",
        " pricePerHour_not_in: [BigInt!]",
        " name_not_ends_with_nocase: String",
        " jobs_: Job_filter",
        " _change_block: BlockChangedFilter",
        " or: [Provider_filter]",
        "enum Provider_orderBy { id name",
        " jobs cosigned activities }",
        " provider__pricePerHour",
        "input Block_height { hash: Bytes number: Int number_gte: Int }",
        "interface Activity {",
        "type Registration implements Activity {",
        " jobs(skip: Int = 0, first: Int = 100, orderBy: Job_orderBy, orderDirection: OrderDirection, where: Job_filter): [Job!]!",
        " providers( skip: Int = 0 first: Int = 100 orderBy: Provider_orderBy orderDirection: OrderDirection where: Provider_filter",
        "subgraphError: _SubgraphErrorPolicy_! = deny ): [Provider!]!",
        " statusChanges(",
        "_meta(block: Block_height): _Meta_",
      ]) {
        expect(sdl).to.include(fragment);
      }
      const introspection = await engine.executeQuery(getIntrospectionQuery());
      expect(introspection.errors).to.equal(undefined);
      const types = (introspection.data as { __schema: { types: Array<{ name: string }> } }).__schema.types.map((t) => t.name);
      expect(types).to.include.members(["Provider", "Activity", "BigInt", "BigDecimal", "Bytes", "Int8", "Timestamp", "Tier"]);
    });

    it("answers bad queries with errors that say what is wrong", async function () {
      const cases: Array<[string, string]> = [
        [`{ providers { nope } }`, `Cannot query field "nope" on type "Provider".`],
        [`{ gadgets { id } }`, `Cannot query field "gadgets" on type "Query".`],
        [`{ providers(where: { nope_gt: 1 }) { id } }`, `Field "nope_gt" is not defined by type "Provider_filter".`],
        [`{ providers(where: { pricePerHour_gt: "12abc" }) { id } }`, "Failed to decode `BigInt` value: `invalid digit found in string`"],
        [`{ providers(where: { pricePerHourEth: "x1" }) { id } }`, "Failed to decode `BigDecimal` value: `x1`"],
        [`{ providers(where: { region: "0xzz" }) { id } }`, "Failed to decode `Bytes` value: `Invalid character 'z' at position 0`"],
        [`{ provider(id: "0x123") { id } }`, "Failed to decode `id` value: `0x123` is not a valid Bytes id of Provider"],
        [`{ providers(orderBy: nope) { id } }`, `Value "nope" does not exist in "Provider_orderBy" enum.`],
        [`{ providers(block: { number: ${blocks.head + 100} }) { id } }`, `has only indexed up to block number ${blocks.head} and data for block number ${blocks.head + 100} is therefore not yet available`],
        [`{ providers(block: { hash: "0x${"ab".repeat(32)}" }) { id } }`, "Failed to decode `block.hash` value: `no block with that hash found`"],
        [`{ providers(orderBy: jobs) { id } }`, "Ordering by `jobs` is not supported for type `Provider`"],
        [`{ providers(where: { jobs_contains: ["1"] }) { id } }`, `Field "jobs_contains" is not defined by type "Provider_filter".`],
      ];
      for (const [query, message] of cases) {
        const errors = await gqlErrors(engine, query);
        expect(errors.join("\n"), query).to.include(message);
      }
    });
  });

  describe("HTTP endpoint", function () {
    let server: QueryServer;
    before(async function () {
      server = await startQueryServer({ executor: engine, name: "probe" });
    });
    after(async function () {
      await server?.close();
    });

    it("serves POST /subgraphs/name/<name> on 127.0.0.1 with the in-process answers", async function () {
      expect(server.url).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
      const query = `query($a: ID!) { provider(id: $a) { name jobs { id note } } _meta { block { number } } }`;
      const response = await fetch(`${server.url}/subgraphs/name/probe`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ query, variables: { a: A } }),
      });
      expect(response.status).to.equal(200);
      expect(await response.json()).to.deep.equal(JSON.parse(JSON.stringify(await engine.executeQuery(query, { a: A }))));
      const byId = await fetch(`${server.url}/subgraphs/id/${indexer.deployment}`, { method: "POST", body: JSON.stringify({ query: "{ _meta { deployment } }" }) });
      expect(await byId.json()).to.deep.equal({ data: { _meta: { deployment: indexer.deployment } } });
    });

    it("returns GraphQL errors over HTTP like in-process", async function () {
      const response = await fetch(server.queryUrl, { method: "POST", body: JSON.stringify({ query: "{ providers(first: 5000) { id } }" }) });
      const body = (await response.json()) as { errors: Array<{ message: string }> };
      expect(body.errors[0]!.message).to.equal("The `first` argument must be between 0 and 1000, but is 5000");
    });

    it("answers GET with a short text, unknown paths with 404, bad bodies with 400, /status with JSON", async function () {
      const get = await fetch(server.queryUrl);
      expect(get.status).to.equal(200);
      expect(await get.text()).to.include("POST /subgraphs/name/probe");
      expect((await fetch(`${server.url}/subgraphs/name/other`, { method: "POST", body: "{}" })).status).to.equal(404);
      expect((await fetch(server.queryUrl, { method: "POST", body: "not json" })).status).to.equal(400);
      expect((await fetch(server.queryUrl, { method: "POST", body: "{}" })).status).to.equal(400);
      const status = (await (await fetch(`${server.url}/status`)).json()) as { deployment: string; failed: boolean; checkpoint: { number: number } };
      expect(status).to.include({ deployment: indexer.deployment, failed: false });
      expect(status.checkpoint.number).to.equal(blocks.head);
    });

    it("answers a method other than GET, POST and OPTIONS on a query path with 405", async function () {
      for (const method of ["PUT", "DELETE", "PATCH"]) {
        const response = await fetch(server.queryUrl, { method, body: JSON.stringify({ query: "{ _meta { deployment } }" }) });
        expect(response.status, method).to.equal(405);
        expect(await response.text(), method).to.equal("Use POST for queries.\n");
      }
    });

    it("names the methods a query path takes in a 405's Allow header (RFC 9110)", async function () {
      const response = await fetch(server.queryUrl, { method: "PUT", body: "{}" });
      expect([response.status, response.headers.get("allow")]).to.deep.equal([405, "GET, OPTIONS, POST"]);
    });

    it("answers a GET of graph-node's GraphiQL path (<query path>/graphql) with the query path's text, not 404", async function () {
      for (const path of [`${server.queryUrl}/graphql`, `${server.url}/subgraphs/id/${indexer.deployment}/graphql`]) {
        const response = await fetch(path);
        expect(response.status, path).to.equal(200);
        expect(await response.text(), path).to.include("POST /subgraphs/name/probe");
      }
      expect((await fetch(`${server.url}/subgraphs/name/other/graphql`)).status).to.equal(404);
    });

    it("answers a GET of / as graph-node's query port does: 200 and its index message, as a liveness check expects", async function () {
      const response = await fetch(`${server.url}/`);
      expect(response.status).to.equal(200);
      expect(response.headers.get("access-control-allow-origin")).to.equal("*");
      expect(await response.json()).to.deep.equal({
        message: "Access deployed subgraphs by deployment ID at /subgraphs/id/<ID> or by name at /subgraphs/name/<NAME>",
      });
    });

    it("answers a GET of a path that is no query path nor /, /status or /graphql with 404, naming the query path", async function () {
      for (const path of ["/graphiql", "/subgraphs/name/other", "/subgraphs"]) {
        const response = await fetch(`${server.url}${path}`);
        expect(response.status, path).to.equal(404);
        expect(await response.text(), path).to.equal(`No subgraph at ${path}. Query /subgraphs/name/probe with POST.\n`);
      }
    });

    it("answers 400, not 500, when `variables` is not an object", async function () {
      const query = "query($n: Int) { providers(first: $n) { id } }";
      for (const variables of [JSON.stringify({ n: 1 }), [1], 1]) {
        const response = await fetch(server.queryUrl, { method: "POST", body: JSON.stringify({ query, variables }) });
        expect(response.status, JSON.stringify(variables)).to.equal(400);
        expect(await response.json()).to.deep.equal({ error: "GraphQL server error (client error): Invalid query variables provided" });
      }
      const ok = await fetch(server.queryUrl, { method: "POST", body: JSON.stringify({ query, variables: { n: 1 } }) });
      expect(((await ok.json()) as { data: { providers: unknown[] } }).data.providers).to.have.length(1);
    });

    it("refuses a body that is not a GraphQL request as graph-node does: 400 and its `error` message", async function () {
      const cases: Array<[string, string]> = [
        ["not json", "GraphQL server error (client error): Unexpected token 'o', \"not json\" is not valid JSON"],
        ["[1]", "GraphQL server error (client error): Request data is not an object"],
        ["{}", 'GraphQL server error (client error): The "query" field is missing in request data'],
        ['{"query": 5}', 'GraphQL server error (client error): The "query" field is not a string'],
        ["", "Body is required"],
      ];
      for (const [body, error] of cases) {
        const response = await fetch(server.queryUrl, { method: "POST", headers: { "content-type": "application/json" }, body });
        expect(response.status, body).to.equal(400);
        expect(response.headers.get("content-type"), body).to.match(/^application\/json/);
        expect(await response.json(), body).to.deep.equal({ error });
      }
    });

    it("refuses a POST without a Content-Type, as graph-node does, whatever its body", async function () {
      // A byte body: fetch gives a string one a text/plain type of its own.
      const body = new TextEncoder().encode(JSON.stringify({ query: "{ _meta { deployment } }" }));
      const response = await fetch(server.queryUrl, { method: "POST", body });
      expect(response.status).to.equal(400);
      expect(await response.json()).to.deep.equal({ error: "Content-Type header is required" });
    });

    it("sends graph-node's answer headers: graph-attestable, and graph-indexed with the block the answer was read at", async function () {
      const ask = async (query: string, variables: Record<string, unknown> = {}): Promise<Response> =>
        fetch(server.queryUrl, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query, variables }) });
      const checkpoint = engine.status().checkpoint!;
      const ok = await ask("{ providers { id } }");
      expect(ok.headers.get("graph-attestable")).to.equal("true");
      expect(JSON.parse(ok.headers.get("graph-indexed")!)).to.deep.equal({ hash: checkpoint.hash, number: checkpoint.number, timestamp: checkpoint.timestamp });
      // As graph-node's is_attestable: parse errors and values it cannot decode are attested; validation, the range
      // of first/skip and the store's errors are not.
      const attested: Array<[string, Record<string, unknown>, string]> = [
        ["{ providers {", {}, "true"],
        [`{ providers(where: { pricePerHour_gt: "12abc" }) { id } }`, {}, "true"],
        ["{ providers { nope } }", {}, "false"],
        ["{ providers(first: 1001) { id } }", {}, "false"],
        ["query($v: String) { providers(where: { name_ends_with: $v }) { id } }", { v: "b\\" }, "false"],
      ];
      for (const [query, variables, expected] of attested) {
        const response = await ask(query, variables);
        const body = (await response.json()) as { errors?: unknown[] };
        expect(body.errors, query).to.have.length.above(0);
        expect(response.headers.get("graph-attestable"), query).to.equal(expected);
      }
    });

    it("answers a query to an unknown subgraph name or id with a JSON error naming it", async function () {
      for (const path of ["/subgraphs/name/other", "/subgraphs/id/QmNope"]) {
        const response = await fetch(`${server.url}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query: "{ _meta { deployment } }" }) });
        expect(response.status, path).to.equal(404);
        expect(response.headers.get("content-type")).to.match(/^application\/json/);
        const name = path.split("/").pop()!;
        expect(await response.json()).to.deep.equal({ errors: [{ message: `deployment \`${name}\` does not exist`, extensions: { code: "NOT_FOUND" } }] });
      }
    });

    it("refuses a body over 1 MiB with 413, and still answers one just under it", async function () {
      const query = "{ _meta { deployment } }";
      const frame = JSON.stringify({ query, padding: "" }).length;
      const over = await fetch(server.queryUrl, { method: "POST", body: JSON.stringify({ query, padding: "x".repeat(1024 * 1024 - frame + 1) }) });
      expect(over.status).to.equal(413);
      const under = await fetch(server.queryUrl, { method: "POST", body: JSON.stringify({ query, padding: "x".repeat(1024 * 1024 - frame) }) });
      expect(under.status).to.equal(200);
    });

    it("gives a query URL that reaches it when bound to an IPv6 address, the address in brackets", async function () {
      const v6 = await startQueryServer({ executor: engine, name: "probe", host: "::1" });
      try {
        expect(v6.queryUrl).to.equal(`http://[::1]:${v6.port}/subgraphs/name/probe`);
        const response = await fetch(v6.queryUrl, { method: "POST", body: JSON.stringify({ query: "{ _meta { deployment } }" }) });
        expect(await response.json()).to.deep.equal({ data: { _meta: { deployment: indexer.deployment } } });
      } finally {
        await v6.close();
      }
    });

    it("is open to every origin (CORS *), preflight included", async function () {
      const preflight = await fetch(server.queryUrl, { method: "OPTIONS", headers: { origin: "https://anywhere.example", "access-control-request-method": "POST" } });
      // graph-node's status and empty body.
      expect([preflight.status, await preflight.text()]).to.deep.equal([200, ""]);
      expect(preflight.headers.get("access-control-allow-origin")).to.equal("*");
      // graph-node's: a browser client that names its User-Agent is let through too.
      expect(preflight.headers.get("access-control-allow-headers")).to.equal("Content-Type, User-Agent");
      expect(preflight.headers.get("access-control-allow-methods")).to.equal("GET, OPTIONS, POST");
      const answer = await fetch(server.queryUrl, { method: "POST", headers: { origin: "https://anywhere.example" }, body: JSON.stringify({ query: "{ _meta { deployment } }" }) });
      expect(answer.headers.get("access-control-allow-origin")).to.equal("*");
    });
  });
});

describe("embedded indexer: default page size", function () {
  let engine: QueryEngine;
  let indexer: Indexer;

  after(async function () {
    await indexer?.close();
  });

  // Registered after the suite's own after hook: it ends what still uses the chain before the chain closes.
  const fx = useProbeFixture();

  before(async function () {
    await fx.probe.send("emitBatch", [0, 101, 3]); // 101 BatchEvent entities
    indexer = await Indexer.open({ subgraph: fx.buildDir, rpc: fx.chain.url, db: fx.dbPath("page-size.sqlite") });
    await indexer.syncOnce();
    engine = QueryEngine.forDatabase(indexer.db);
  });

  it("answers 100 entities when `first` is not given, as graph-node does", async function () {
    const data = await gql<{ all: Array<{ id: string }>; page: Array<{ id: string }> }>(
      engine,
      `{ all: batchEvents(first: 1000) { id } page: batchEvents { id } }`,
    );
    expect(data.all).to.have.length(101);
    expect(data.page.map((e) => e.id)).to.deep.equal(data.all.slice(0, 100).map((e) => e.id));
  });
});

describe("embedded indexer: reference lists holding an id twice", function () {
  let engine: QueryEngine;
  let indexer: Indexer;
  let B: string;

  after(async function () {
    await indexer?.close();
  });

  // Registered after the suite's own after hook: it ends what still uses the chain before the chain closes.
  const fx = useProbeFixture();

  before(async function () {
    B = fx.chain.accounts[2]!.toLowerCase();
    await registerProvider(fx.probe, B, "beta", 1n, 1);
    await postJob(fx.probe, 1n, B, { parties: [B, B] }); // cosigners: [B, B]
    indexer = await Indexer.open({ subgraph: fx.buildDir, rpc: fx.chain.url, db: fx.dbPath("twice.sqlite") });
    await indexer.syncOnce();
    engine = QueryEngine.forDatabase(indexer.db);
  });

  it("returns each referenced entity once in the list field and in its @derivedFrom side, as graph-node", async function () {
    const data = await gql<{ jobs: Array<{ parties: string[]; cosigners: Array<{ id: string }> }>; provider: { cosigned: Array<{ id: string }> } }>(
      engine,
      `query($b: ID!) { jobs { parties cosigners { id } } provider(id: $b) { cosigned { id } } }`,
      { b: B },
    );
    expect(data.jobs).to.deep.equal([{ parties: [B, B], cosigners: [{ id: B }] }]);
    expect(data.provider.cosigned).to.deep.equal([{ id: "1" }]);
  });
});
