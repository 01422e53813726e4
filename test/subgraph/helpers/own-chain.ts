// A deployment on a chain of its own, driven by a few scenario steps and indexed by the embedded indexer: the fixture
// of tests about paths the full scenario does not take.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { HardhatEthersProvider } from "@nomicfoundation/hardhat-ethers/internal/hardhat-ethers-provider";
import { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { deployScenario, type Scenario, type ScenarioSummary } from "../../../scripts/scenario";
import { Indexer } from "../../../subgraph/indexer";
import { QueryEngine } from "../../../subgraph/indexer/query/engine";
import { writeDeploymentManifest } from "../../../subgraph/scripts/manifest";
import { gql } from "../indexer/helpers/dump";
import { startLocalChain, type LocalChain } from "../indexer/helpers/local-chain";
import { readChainState, readLandmarks } from "./chain-state";
import { Mismatches } from "./compare";
import { type CheckContext } from "./entity-checks";

export interface OwnChain {
  chain: LocalChain;
  s: Scenario;
  engine: QueryEngine;
  indexer: Indexer;
  /** Proposal ids the steps created (readChainState reads only the proposals it is told of). */
  proposals: Record<string, bigint>;
  close(): Promise<void>;
}

/** Deploys, runs `steps` (which return the ids of the proposals they made, if any) and indexes up to the head. */
export async function indexOwnChain(steps: (s: Scenario) => Promise<Record<string, bigint> | void>): Promise<OwnChain> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "latent-own-chain-"));
  const chain = await startLocalChain();
  let indexer: Indexer | undefined;
  try {
    const provider = new HardhatEthersProvider(chain.provider, "hardhat");
    const signers = await Promise.all(chain.accounts.map((a) => HardhatEthersSigner.create(provider, a)));
    const s = await deployScenario(signers);
    const proposals = (await steps(s)) ?? {};
    const buildDir = path.join(tmp, "subgraph");
    writeDeploymentManifest(s.deployment.record, buildDir);
    indexer = await Indexer.open({ subgraph: buildDir, rpc: chain.url, db: path.join(tmp, "latent.sqlite") });
    const status = await indexer.syncOnce();
    if (status.failed) throw new Error(`the subgraph failed: ${JSON.stringify(status.fatalError)}`);
    const engine = QueryEngine.open(path.join(tmp, "latent.sqlite"));
    const opened = indexer;
    return {
      chain,
      s,
      engine,
      indexer,
      proposals,
      close: async () => {
        engine.close();
        await opened.close();
        await chain.close();
        fs.rmSync(tmp, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await indexer?.close();
    await chain.close();
    fs.rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
}

/** The entity checks' context at the head: the chain's views then, and every Account the indexer holds. */
export async function contextAtHead(x: OwnChain): Promise<CheckContext> {
  const head = await x.chain.blockNumber();
  const lm = await readLandmarks(x.s, head);
  const data = await gql<{ accounts: { id: string }[] }>(x.engine, `{ accounts(first: 1000) { id } }`);
  const summary = { proposals: x.proposals } as unknown as ScenarioSummary;
  const st = await readChainState(x.s, summary, x.chain.accounts, lm, head, { extraAccounts: data.accounts.map((a) => a.id) });
  return { s: x.s, engine: x.engine, st };
}

export { Mismatches };
