// The full scenario, deployed on its own in-process Hardhat chain and indexed by the embedded indexer through that
// chain's HTTP JSON-RPC endpoint: the fixture of the entity-equality tests. The chain is private (its own genesis,
// its own clock), so the days the scenario fast-forwards never reach the shared `hardhat` network other tests use.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { HardhatEthersProvider } from "@nomicfoundation/hardhat-ethers/internal/hardhat-ethers-provider";
import { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { Indexer, type IndexerLogRecord } from "../../../subgraph/indexer";
import { QueryEngine } from "../../../subgraph/indexer/query/engine";
import { writeDeploymentManifest } from "../../../subgraph/scripts/manifest";
import { deployScenario, runFullScenario, type Scenario, type ScenarioSummary } from "../../../scripts/scenario";
import { startLocalChain, type LocalChain } from "../indexer/helpers/local-chain";

export interface IndexedScenario {
  readonly chain: LocalChain;
  readonly s: Scenario;
  readonly summary: ScenarioSummary;
  /** The block the indexer stopped at: the scenario's last block. */
  readonly head: number;
  readonly indexer: Indexer;
  /** A read-only connection of its own, as the gateway's would be. */
  readonly engine: QueryEngine;
  /** Warnings and worse that the indexer or the mappings logged. */
  readonly logs: readonly IndexerLogRecord[];
  close(): Promise<void>;
}

export async function indexFullScenario(): Promise<IndexedScenario> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "latent-entities-"));
  const chain = await startLocalChain();
  let indexer: Indexer | undefined;
  let engine: QueryEngine | undefined;
  try {
    // Signers over the chain's in-process provider: the scenario's many transactions skip HTTP; the indexer, the
    // component under test, reads the chain over HTTP like it would a real node.
    const provider = new HardhatEthersProvider(chain.provider, "hardhat");
    const signers = await Promise.all(chain.accounts.map((a) => HardhatEthersSigner.create(provider, a)));
    const s = await deployScenario(signers);
    const summary = await runFullScenario(s);
    const head = await chain.blockNumber();

    const buildDir = path.join(tmp, "subgraph");
    writeDeploymentManifest(s.deployment.record, buildDir);
    const logs: IndexerLogRecord[] = [];
    indexer = await Indexer.open({
      subgraph: buildDir,
      rpc: chain.url,
      db: path.join(tmp, "latent.sqlite"),
      logger: (r) => {
        if (r.level === "warning" || r.level === "error" || r.level === "critical") logs.push(r);
      },
    });
    const status = await indexer.syncOnce({ toBlock: head });
    if (status.failed) throw new Error(`the subgraph failed: ${JSON.stringify(status.fatalError)}`);
    engine = QueryEngine.open(path.join(tmp, "latent.sqlite"));
    const opened = { indexer, engine };
    return {
      chain,
      s,
      summary,
      head,
      indexer,
      engine,
      logs,
      close: async () => {
        opened.engine.close();
        await opened.indexer.close();
        await chain.close();
        fs.rmSync(tmp, { recursive: true, force: true });
      },
    };
  } catch (err) {
    engine?.close();
    await indexer?.close();
    await chain.close();
    fs.rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
}
