// The synthetic scenario is written by hand, so nothing but this test ties its order of events within a transaction
// to the contracts'. The mappings move capacity and collateral in the escrow's job events, so a fixture whose order
// differs from the chain's can hide a mapping that depends on it.
import { expect } from "chai";
import { HardhatEthersProvider } from "@nomicfoundation/hardhat-ethers/internal/hardhat-ethers-provider";
import { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { collectEvents, deployScenario, runFullScenario } from "../../scripts/scenario";
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

describe("synthetic scenario: order of events within a transaction", function () {
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
});
