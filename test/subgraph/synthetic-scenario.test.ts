// The synthetic scenario is written by hand, so nothing but these tests ties its order of events within a transaction
// to the contracts', and its `expected` to what the mappings make of its logs. The mappings move capacity and
// collateral in the escrow's job events, so a fixture whose order differs from the chain's can hide a mapping that
// depends on it.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { expect } from "chai";
import { ZeroHash } from "ethers";
import { HardhatEthersProvider } from "@nomicfoundation/hardhat-ethers/internal/hardhat-ethers-provider";
import { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { collectEvents, deployScenario, runFullScenario } from "../../scripts/scenario";
import { loadSubgraph } from "../../subgraph/indexer/manifest";
import { BlockProcessor } from "../../subgraph/indexer/processor";
import { DEFAULT_INSTANCE_POLICY } from "../../subgraph/indexer/runtime/mapping";
import { IndexerDatabase } from "../../subgraph/indexer/store/database";
import { EntityCache } from "../../subgraph/indexer/store/entity-cache";
import { EntityStore } from "../../subgraph/indexer/store/entity-store";
import { bytesToHex } from "../../subgraph/indexer/values/bytes";
import { ValueKind, type StoreValue } from "../../subgraph/indexer/values/store-value";
import { writeDeploymentManifest } from "../../subgraph/scripts/manifest";
import { syntheticScenario } from "./fixtures/synthetic-scenario";
import { startLocalChain } from "./indexer/helpers/local-chain";

/** Event kinds of each transaction, in log order, as "Contract.Event". */
type Transactions = Map<string, string[]>;

function group(logs: readonly { transactionHash: string; kind: string }[]): Transactions {
  const out: Transactions = new Map();
  for (const { transactionHash, kind } of logs) {
    const kinds = out.get(transactionHash) ?? [];
    kinds.push(kind);
    out.set(transactionHash, kinds);
  }
  return out;
}

/** "a -> b" for every a logged before a b in one transaction. */
function precedences(txs: Transactions): Set<string> {
  const out = new Set<string>();
  for (const kinds of txs.values()) {
    kinds.forEach((a, i) => kinds.slice(i + 1).forEach((b) => out.add(`${a} -> ${b}`)));
  }
  return out;
}

/** A stored value as `expected` writes it: bigints, numbers, strings (hex for bytes), booleans, null. */
function plain(value: StoreValue | undefined): unknown {
  if (value === undefined || value.kind === ValueKind.Null) return null;
  if (value.kind === ValueKind.Bytes) return bytesToHex(value.value);
  if (value.kind === ValueKind.Array || value.kind === ValueKind.BigDecimal) return String(value.value);
  return value.value;
}

describe("synthetic scenario (fixture for the mapping tests)", function () {
  this.timeout(300_000);

  it("orders every pair of events in a transaction as the contracts do in the full scenario, and logs no pair in a job transaction that they do not", async function () {
    const chain = await startLocalChain();
    let chainOrder: Set<string>;
    try {
      const provider = new HardhatEthersProvider(chain.provider, "hardhat");
      const signers = await Promise.all(chain.accounts.map((a) => HardhatEthersSigner.create(provider, a)));
      const s = await deployScenario(signers);
      await runFullScenario(s);
      const events = await collectEvents(s.rpc, s.deployment.record, s.c, 0, await chain.blockNumber());
      chainOrder = precedences(
        group(
          events.map((e) => ({
            transactionHash: e.transactionHash,
            kind: `${e.contract}.${e.name}`,
          })),
        ),
      );
    } finally {
      await chain.close();
    }

    const { blocks } = syntheticScenario();
    // Block 1 stands for the whole deployment, many transactions on a chain, in one.
    const fixture = group(
      blocks.slice(1).flatMap((b) =>
        b.logs.map((l) => ({
          transactionHash: l.transactionHash,
          kind: `${l.contract}.${l.event}`,
        })),
      ),
    );
    // A pair the chain never logs together in one transaction (or logs both ways) sets no order.
    const reversed = [...precedences(fixture)].filter((p) => {
      const [a, b] = p.split(" -> ");
      return !chainOrder.has(p) && chainOrder.has(`${b} -> ${a}`);
    });
    expect(reversed).to.deep.equal([]);
    // The full scenario takes a job down every path, so each pair in the fixture's job transactions is one the chain
    // logs too: this keeps the check above from passing because a job transaction's pairs were never compared.
    const jobTransactions: Transactions = new Map(
      [...fixture].filter(([, kinds]) =>
        kinds.some((k) => /^(JobEscrow|DisputeManager)\.(Job|Result|Dispute)/.test(k)),
      ),
    );
    expect(jobTransactions.size).to.be.greaterThan(0);
    expect([...precedences(jobTransactions)].filter((p) => !chainOrder.has(p))).to.deep.equal([]);
  });

  it("indexes, through the subgraph's mappings, to every stored field of its `expected`", function () {
    const { deployment, blocks, expected } = syntheticScenario();
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "latent-synthetic-"));
    const db = IndexerDatabase.open(":memory:");
    try {
      const build = loadSubgraph(path.dirname(writeDeploymentManifest(deployment, tmp)));
      db.initialise(
        { chainId: "31337", genesisHash: ZeroHash, buildHash: build.buildHash, network: "localhost" },
        build.schema,
      );
      const cache = new EntityCache(new EntityStore(db.db, build.schema), build.schema);
      const processor = new BlockProcessor(build, cache, DEFAULT_INSTANCE_POLICY, () => undefined);
      for (const b of blocks) db.db.transaction(() => processor.processBlock(b))();

      // job1Terms is the terms themselves, for readers, not an entity.
      const { Protocol, job1Terms: _terms, ...byId } = expected;
      const groups: [string, Record<string, Record<string, unknown>>][] = [
        ["Protocol", { latent: Protocol }],
        ...Object.entries(byId),
      ];
      const mismatches: string[] = [];
      for (const [typeName, entities] of groups) {
        for (const [id, fields] of Object.entries(entities)) {
          const entity = cache.get(typeName, id);
          if (entity === null) {
            mismatches.push(`${typeName} ${id}: missing`);
            continue;
          }
          for (const [field, want] of Object.entries(fields)) {
            const index = entity.type.storedIndex.get(field);
            const got = index === undefined ? "(not a stored field)" : plain(entity.fields[index]);
            if (got !== want) mismatches.push(`${typeName} ${id}.${field}: ${String(got)}, expected ${String(want)}`);
          }
        }
      }
      expect(mismatches).to.deep.equal([]);
    } finally {
      db.close();
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});
