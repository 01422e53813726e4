// Proposal.quorum when the quorum changes between a proposal's creation and its voteStart (subgraph/src/governor.ts).
// The governor reads the quorum numerator at voteStart, so a change executed in that window applies to the proposal;
// one executed after voteStart does not. The full scenario never does this, so it has a chain of its own.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { HardhatEthersProvider } from "@nomicfoundation/hardhat-ethers/internal/hardhat-ethers-provider";
import { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { expect } from "chai";
import {
  advancePastVoting,
  advanceTo,
  advanceToVoting,
  delegate,
  deployScenario,
  executeProposal,
  latestTimestamp,
  mined,
  propose,
  queueProposal,
  Vote,
  type ProposalHandle,
  type Scenario,
} from "../../scripts/scenario";
import { Indexer } from "../../subgraph/indexer";
import { QueryEngine } from "../../subgraph/indexer/query/engine";
import { writeDeploymentManifest } from "../../subgraph/scripts/manifest";
import { gql } from "./indexer/helpers/dump";
import { startLocalChain, type LocalChain } from "./indexer/helpers/local-chain";

interface IndexedProposal {
  id: string;
  quorum: string;
  quorumReached: boolean;
}

describe("subgraph: a proposal's quorum follows a quorum change before its voteStart", function () {
  this.timeout(180_000);
  let tmp: string;
  let chain: LocalChain;
  let s: Scenario;
  let engine: QueryEngine;
  let indexer: Indexer;
  /**
   * Passes the quorum change; created while it waits in the timelock, with voteStart before / after its execution;
   * created after it executes.
   */
  let change: ProposalHandle;
  let started: ProposalHandle;
  let pending: ProposalHandle;
  let later: ProposalHandle;
  let beforeExecution: number;

  before(async function () {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "latent-quorum-"));
    chain = await startLocalChain();
    const provider = new HardhatEthersProvider(chain.provider, "hardhat");
    const signers = await Promise.all(chain.accounts.map((a) => HardhatEthersSigner.create(provider, a)));
    s = await deployScenario(signers); // devnet governance: 10 s delay, 60 s vote, 60 s timelock, 4% quorum
    const governor = await s.c.governor.getAddress();
    await delegate(s, s.actors.funder);
    await advanceTo(s, (await latestTimestamp(s)) + 1); // the proposal threshold reads votes one second back
    const setQuorum = (n: number) => [{ target: governor, data: s.c.governor.interface.encodeFunctionData("updateQuorumNumerator", [n]) }];

    change = await propose(s, setQuorum(10), "Raise the quorum to 10%");
    await advanceToVoting(s, change);
    await mined(s.c.governor.connect(s.actors.funder).castVote(change.proposalId, Vote.For));
    await advancePastVoting(s, change);
    await queueProposal(s, change);
    const eta = Number(await s.c.governor.proposalEta(change.proposalId));
    // `started`'s voteStart falls between `pending`'s creation (which keeps it on the list) and the execution.
    await advanceTo(s, eta - 12);
    started = await propose(s, setQuorum(7), "Voting starts just before the quorum change executes");
    await advanceTo(s, eta - 5);
    pending = await propose(s, setQuorum(5), "Created while the quorum change waits in the timelock");
    beforeExecution = await chain.blockNumber();
    await advanceTo(s, eta + 1);
    await executeProposal(s, change);
    const executedAt = await latestTimestamp(s);
    expect(Number(await s.c.governor.proposalSnapshot(started.proposalId))).to.be.below(executedAt);
    expect(Number(await s.c.governor.proposalSnapshot(pending.proposalId))).to.be.at.least(executedAt);
    later = await propose(s, setQuorum(6), "Created after the quorum change");
    // quorum(timepoint) answers only for past timepoints.
    await advanceTo(s, Number(await s.c.governor.proposalSnapshot(later.proposalId)) + 1);

    const buildDir = path.join(tmp, "subgraph");
    writeDeploymentManifest(s.deployment.record, buildDir);
    indexer = await Indexer.open({ subgraph: buildDir, rpc: chain.url, db: path.join(tmp, "latent.sqlite") });
    expect((await indexer.syncOnce()).failed).to.equal(false);
    engine = QueryEngine.open(path.join(tmp, "latent.sqlite"));
  });

  after(async function () {
    engine?.close();
    await indexer?.close();
    await chain?.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  async function indexed(block?: number): Promise<Map<string, IndexedProposal>> {
    const { proposals } = await gql<{ proposals: IndexedProposal[] }>(
      engine,
      `query($block: Block_height) { proposals(block: $block) { id quorum quorumReached } }`,
      { block: block === undefined ? undefined : { number: block } },
    );
    return new Map(proposals.map((p) => [p.id, p]));
  }

  async function governorQuorum(p: ProposalHandle): Promise<string> {
    return (await s.c.governor.quorum(await s.c.governor.proposalSnapshot(p.proposalId))).toString();
  }

  it("gives a proposal created before the change, whose voteStart comes after it, the new quorum", async function () {
    const quorum = await governorQuorum(pending);
    expect(quorum).to.not.equal(await governorQuorum(change)); // the case this is about: the governor's quorum moved
    expect((await indexed()).get(pending.proposalId.toString())?.quorum).to.equal(quorum);
  });

  it("had the old quorum for that proposal until the change executed (time travel)", async function () {
    expect((await indexed(beforeExecution)).get(pending.proposalId.toString())?.quorum).to.equal(await governorQuorum(change));
  });

  it("keeps the quorum of a proposal whose voteStart had passed, and gives later proposals the new one", async function () {
    const now = await indexed();
    expect(now.get(started.proposalId.toString())?.quorum).to.equal(await governorQuorum(change));
    expect(await governorQuorum(started)).to.equal(await governorQuorum(change));
    expect(now.get(change.proposalId.toString())?.quorum).to.equal(await governorQuorum(change));
    expect(now.get(later.proposalId.toString())?.quorum).to.equal(await governorQuorum(later));
    expect(now.get(change.proposalId.toString())?.quorumReached).to.equal(true);
  });
});
