// The one lookup of a chain's deployment record, shared by the Hardhat tasks and `npm start --rpc-url`: files only,
// the chain's genesis block given as a function, so no node is needed.
import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { CONTRACT_NAMES } from "../../scripts/deploy";
import { RecordReadError, adoptFormerRecord, lookupRecord, readRecordFile } from "../../scripts/deployment-records";
import type { RecordQuery } from "../../scripts/deployment-records";

const GENESIS = `0x${"aa".repeat(32)}`;
const OTHER_GENESIS = `0x${"bb".repeat(32)}`;

describe("scripts/deployment-records", function () {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "latent-records-"));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const record = (chainId: number, network: string, genesisHash?: string) => ({
    network,
    chainId,
    ...(genesisHash === undefined ? {} : { genesisHash }),
    deployer: "0x0000000000000000000000000000000000000001",
    contracts: Object.fromEntries(CONTRACT_NAMES.map((n, i) => [n, { address: `0x${(i + 1).toString(16).padStart(40, "0")}`, blockNumber: i + 1 }])),
  });
  const write = (name: string, value: unknown) => fs.writeFileSync(path.join(dir, name), JSON.stringify(value));
  const query = (over: Partial<RecordQuery> = {}): RecordQuery => ({ dir, name: "localhost", exact: false, chainId: 31337, genesis: async () => GENESIS, ...over });

  it("finds the chain's own file, <name>.json, first, even beside another record for the chain", async function () {
    write("localhost.json", record(31337, "localhost", GENESIS));
    write("devnet-b.json", record(31337, "devnet-b", GENESIS));
    expect(await lookupRecord(query())).to.include({ kind: "found", file: path.join(dir, "localhost.json") });
  });

  it("with exact, finds only the chain's own file: another record for the chain id is not its", async function () {
    write("chain-31337-127.0.0.1-9545.json", record(31337, "chain-31337-127.0.0.1-9545"));
    write("localhost.json", record(31337, "localhost"));
    const exact = query({ name: "chain-31337-127.0.0.1-9545", exact: true });
    expect(await lookupRecord(exact)).to.include({ kind: "found", file: path.join(dir, "chain-31337-127.0.0.1-9545.json") });
    fs.rmSync(path.join(dir, "chain-31337-127.0.0.1-9545.json"));
    expect(await lookupRecord(exact)).to.deep.equal({ kind: "missing", considered: [] });
  });

  it("finds the only record for the chain id and genesis block, whatever its file is called", async function () {
    write("chain-1337.json", record(1337, "chain-1337"));
    write("ganache.json", record(31337, "ganache", GENESIS));
    write("a-reset-node.json", record(31337, "a-reset-node", OTHER_GENESIS));
    write("notes.json", { hello: "world" });
    expect(await lookupRecord(query())).to.include({ kind: "found", file: path.join(dir, "ganache.json") });
  });

  it("reports several records for the chain as ambiguous, with the files considered", async function () {
    write("one.json", record(31337, "one", GENESIS));
    write("two.json", record(31337, "two"));
    write("notes.json", { hello: "world" });
    expect(await lookupRecord(query())).to.deep.equal({
      kind: "ambiguous",
      files: [path.join(dir, "one.json"), path.join(dir, "two.json")],
      considered: ["notes.json (not a deployment record)", `one.json (chain 31337, genesis ${GENESIS})`, "two.json (chain 31337)"],
    });
  });

  it("reports no record for the chain, with the files considered (none when the directory does not exist)", async function () {
    write("chain-1337.json", record(1337, "chain-1337"));
    expect(await lookupRecord(query())).to.deep.equal({ kind: "missing", considered: ["chain-1337.json (chain 1337)"] });
    expect(await lookupRecord(query({ dir: path.join(dir, "none") }))).to.deep.equal({ kind: "missing", considered: [] });
  });

  it("reports the chain's own file as stale when it has the chain id but another genesis block (a restarted node)", async function () {
    write("localhost.json", record(31337, "localhost", OTHER_GENESIS));
    expect(await lookupRecord(query())).to.include({ kind: "stale", file: path.join(dir, "localhost.json"), genesis: GENESIS });
    expect(await lookupRecord(query({ exact: true }))).to.include({ kind: "stale", genesis: GENESIS });
  });

  it("with exact, reports the chain's own file as stale when it is for another chain id; without, passes it over", async function () {
    write("localhost.json", record(1337, "localhost"));
    expect(await lookupRecord(query({ exact: true }))).to.include({ kind: "stale", file: path.join(dir, "localhost.json"), genesis: null });
    expect(await lookupRecord(query())).to.deep.equal({ kind: "missing", considered: ["localhost.json (chain 1337)"] });
  });

  it("asks for the genesis block only when a record for the chain id has one", async function () {
    write("localhost.json", record(31337, "localhost"));
    write("sepolia.json", record(11155111, "sepolia", GENESIS));
    const genesis = async (): Promise<string> => expect.fail("genesis asked for");
    expect(await lookupRecord(query({ genesis }))).to.include({ kind: "found", file: path.join(dir, "localhost.json") });
  });

  describe("a record under its former name (a development chain's, once named after its URL's path)", function () {
    const FORMER = "chain-31337-127.0.0.1-9545-v2-sEcReTkEy";
    const NAME = "chain-31337-127.0.0.1-9545-1a2b3c4d";

    it("is moved to <name>.json with its network renamed, and the exact lookup then finds it", async function () {
      write(`${FORMER}.json`, { ...record(31337, FORMER, GENESIS), allocations: [] });
      expect(adoptFormerRecord(dir, NAME, FORMER)).to.equal(path.join(dir, `${FORMER}.json`));
      expect(fs.readdirSync(dir)).to.deep.equal([`${NAME}.json`]);
      expect(readRecordFile(path.join(dir, `${NAME}.json`))).to.deep.equal({ ...record(31337, NAME, GENESIS), allocations: [] });
      expect(await lookupRecord(query({ name: NAME, exact: true }))).to.include({ kind: "found", file: path.join(dir, `${NAME}.json`) });
      expect(adoptFormerRecord(dir, NAME, FORMER), "nothing left to move").to.equal(null);
    });

    it("is left where it is while <name>.json exists: the record written under the new name since is the chain's", function () {
      write(`${FORMER}.json`, record(31337, FORMER));
      write(`${NAME}.json`, record(31337, NAME, GENESIS));
      expect(adoptFormerRecord(dir, NAME, FORMER)).to.equal(null);
      expect(fs.readdirSync(dir).sort()).to.deep.equal([`${NAME}.json`, `${FORMER}.json`].sort());
      expect(readRecordFile(path.join(dir, `${NAME}.json`)).genesisHash).to.equal(GENESIS);
    });

    it("is refused with a RecordReadError when it is not a record, and left where it is", function () {
      write(`${FORMER}.json`, { hello: "world" });
      expect(() => adoptFormerRecord(dir, NAME, FORMER)).to.throw(RecordReadError, new RegExp(`${FORMER}\\.json: not a deployment record`));
      expect(fs.readdirSync(dir)).to.deep.equal([`${FORMER}.json`]);
      expect(adoptFormerRecord(path.join(dir, "none"), NAME, FORMER), "no directory").to.equal(null);
    });
  });

  it("refuses a malformed <name>.json with a RecordReadError naming the file and what is wrong", async function () {
    write("localhost.json", { ...record(31337, "localhost"), guardian: "nobody" });
    const error = await lookupRecord(query()).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(RecordReadError);
    expect((error as RecordReadError).message).to.equal(`deployment record ${path.join(dir, "localhost.json")}: guardian is "nobody", not an address`);
    expect(() => readRecordFile(path.join(dir, "none.json"))).to.throw(RecordReadError, /none\.json: does not exist$/);
  });

  it("refuses a file that is not JSON with a RecordReadError saying so, the parser's reason and what a record is", function () {
    fs.writeFileSync(path.join(dir, "notes.txt"), "vm.max_map_count=262144\n");
    expect(() => readRecordFile(path.join(dir, "notes.txt"))).to.throw(
      RecordReadError,
      new RegExp(`^deployment record ${path.join(dir, "notes.txt").replace(/[.\\/]/g, "\\$&")}: is not JSON \\(Unexpected token .+\\): a record is the JSON file scripts/deploy\\.ts writes$`),
    );
  });

  it("refuses a directory with a RecordReadError saying it is one", function () {
    fs.mkdirSync(path.join(dir, "deployments.json"));
    expect(() => readRecordFile(path.join(dir, "deployments.json"))).to.throw(RecordReadError, /deployments\.json: is a directory, not a record file$/);
  });
});
