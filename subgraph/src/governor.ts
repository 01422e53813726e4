// LatentGovernor: proposals, votes and the governor's own settings.
import { BigInt, Bytes, ethereum } from "@graphprotocol/graph-ts";
import {
  ProposalCanceled,
  ProposalCreated,
  ProposalExecuted,
  ProposalQueued,
  ProposalThresholdSet,
  QuorumNumeratorUpdated,
  TimelockChange,
  VoteCast,
  VoteCastWithParams,
  VotingDelaySet,
  VotingPeriodSet,
} from "../generated/LatentGovernor/LatentGovernor";
import {
  Proposal,
  ProposalCanceledEvent,
  ProposalCreatedEvent,
  ProposalExecutedEvent,
  ProposalQueuedEvent,
  ProposalsAwaitingSnapshot,
  TimelockOperation,
  Vote,
} from "../generated/schema";
import {
  CAT_GOVERNANCE,
  decimalId,
  eventId,
  loadOrCreateAccount,
  loadProtocol,
  recordParameter,
  saveProtocol,
  stamp,
  ZERO,
} from "./common";

const KIND = "LatentGovernor";
const QUORUM_DENOMINATOR = BigInt.fromI32(100);
const AWAITING_ID = "latent";
const SUPPORT = ["Against", "For", "Abstain"];

function loadProposal(proposalId: BigInt): Proposal {
  let proposal = Proposal.load(decimalId(proposalId));
  if (proposal == null) throw new Error("LatentGovernor event for unknown proposal " + proposalId.toString());
  return proposal;
}

/** GovernorVotesQuorumFraction: quorum(t) = totalSupply(t) * numerator(t) / 100. LAT's supply is constant. */
function quorumOf(totalSupply: BigInt, numerator: BigInt): BigInt {
  return totalSupply.times(numerator).div(QUORUM_DENOMINATOR);
}

/** The ids of `ids` whose proposal's voteStart is at or after `now`: only their quorum can still change. */
function notYetStarted(ids: string[], now: BigInt): string[] {
  let kept: string[] = [];
  for (let i = 0; i < ids.length; i++) {
    let proposal = Proposal.load(ids[i]);
    if (proposal != null && proposal.voteStart.ge(now)) kept.push(ids[i]);
  }
  return kept;
}

/** First line of a description, without a leading markdown heading marker. */
function titleOf(description: string): string {
  let line = description;
  let newline = description.indexOf("\n");
  if (newline >= 0) line = description.substring(0, newline);
  while (line.startsWith("#")) line = line.substring(1);
  return line.trim();
}

export function handleProposalCreated(event: ProposalCreated): void {
  let params = event.params;
  let id = decimalId(params.proposalId);
  let p = loadProtocol();
  let proposer = loadOrCreateAccount(params.proposer, event);
  proposer.save();

  let proposal = new Proposal(id);
  proposal.proposalId = params.proposalId;
  proposal.proposer = proposer.id;
  proposal.status = "Created";
  proposal.targets = changetype<Bytes[]>(params.targets);
  proposal.values = params.values;
  proposal.signatures = params.signatures;
  proposal.calldatas = params.calldatas;
  proposal.description = params.description;
  proposal.title = titleOf(params.description);
  proposal.voteStart = params.voteStart;
  proposal.voteEnd = params.voteEnd;
  // The numerator in force now; a change before voteStart sets it again (handleQuorumNumeratorUpdated).
  proposal.quorum = quorumOf(p.totalSupply, p.quorumNumerator);
  proposal.forVotes = ZERO;
  proposal.againstVotes = ZERO;
  proposal.abstainVotes = ZERO;
  proposal.voteCount = 0;
  proposal.quorumReached = proposal.quorum.isZero();
  proposal.createdAt = event.block.timestamp;
  proposal.createdAtBlock = event.block.number;
  proposal.createdTransaction = event.transaction.hash;
  proposal.save();

  let awaiting = ProposalsAwaitingSnapshot.load(AWAITING_ID);
  if (awaiting == null) {
    awaiting = new ProposalsAwaitingSnapshot(AWAITING_ID);
    awaiting.proposals = new Array<string>(0);
  }
  let ids = notYetStarted(awaiting.proposals, event.block.timestamp);
  ids.push(id);
  awaiting.proposals = ids;
  awaiting.save();

  let e = new ProposalCreatedEvent(eventId(event));
  stamp(e, event, CAT_GOVERNANCE, [params.proposer]);
  e.proposal = id;
  e.proposer = params.proposer;
  e.save();

  p.proposalCount += 1;
  saveProtocol(p, event);
}

function recordVote(
  event: ethereum.Event,
  voterAddress: Bytes,
  proposalId: BigInt,
  support: i32,
  weight: BigInt,
  reason: string,
  voteParams: Bytes | null,
): void {
  let proposal = loadProposal(proposalId);
  if (support == 0) proposal.againstVotes = proposal.againstVotes.plus(weight);
  else if (support == 1) proposal.forVotes = proposal.forVotes.plus(weight);
  else proposal.abstainVotes = proposal.abstainVotes.plus(weight);
  proposal.voteCount += 1;
  proposal.quorumReached = proposal.forVotes.plus(proposal.abstainVotes).ge(proposal.quorum);
  proposal.save();

  let voter = loadOrCreateAccount(voterAddress, event);
  voter.voteCount += 1;
  voter.save();

  let vote = new Vote(eventId(event));
  stamp(vote, event, CAT_GOVERNANCE, [voterAddress]);
  vote.proposal = proposal.id;
  vote.voter = voter.id;
  vote.support = support >= 0 && support < SUPPORT.length ? SUPPORT[support] : "Abstain";
  vote.weight = weight;
  vote.reason = reason;
  vote.params = voteParams;
  vote.save();
}

export function handleVoteCast(event: VoteCast): void {
  let params = event.params;
  recordVote(event, params.voter, params.proposalId, params.support, params.weight, params.reason, null);
}

export function handleVoteCastWithParams(event: VoteCastWithParams): void {
  let params = event.params;
  recordVote(event, params.voter, params.proposalId, params.support, params.weight, params.reason, params.params);
}

export function handleProposalQueued(event: ProposalQueued): void {
  let proposal = loadProposal(event.params.proposalId);
  proposal.status = "Queued";
  proposal.eta = event.params.etaSeconds;
  proposal.queuedAt = event.block.timestamp;
  proposal.queuedTransaction = event.transaction.hash;
  // GovernorTimelockControl schedules the operation in the timelock (CallScheduled) and then emits ProposalQueued
  // in the same transaction: the last operation scheduled is this proposal's.
  let p = loadProtocol();
  let opId = p.lastScheduledOperation;
  let opTx = p.lastScheduledTransaction;
  if (opId !== null && opTx !== null && opTx.equals(event.transaction.hash)) {
    let op = TimelockOperation.load(opId);
    if (op != null) {
      op.proposal = proposal.id;
      op.save();
      proposal.timelockOperation = op.id;
    }
  }
  proposal.save();

  let e = new ProposalQueuedEvent(eventId(event));
  stamp(e, event, CAT_GOVERNANCE, [event.address]);
  e.proposal = proposal.id;
  e.eta = event.params.etaSeconds;
  e.save();
}

export function handleProposalExecuted(event: ProposalExecuted): void {
  let proposal = loadProposal(event.params.proposalId);
  proposal.status = "Executed";
  proposal.executedAt = event.block.timestamp;
  proposal.executedTransaction = event.transaction.hash;
  proposal.save();

  let e = new ProposalExecutedEvent(eventId(event));
  stamp(e, event, CAT_GOVERNANCE, [event.transaction.from]);
  e.proposal = proposal.id;
  e.save();
}

export function handleProposalCanceled(event: ProposalCanceled): void {
  let proposal = loadProposal(event.params.proposalId);
  proposal.status = "Canceled";
  proposal.canceledAt = event.block.timestamp;
  proposal.canceledTransaction = event.transaction.hash;
  proposal.save();

  let e = new ProposalCanceledEvent(eventId(event));
  stamp(e, event, CAT_GOVERNANCE, [event.transaction.from]);
  e.proposal = proposal.id;
  e.save();
}

export function handleVotingDelaySet(event: VotingDelaySet): void {
  let params = event.params;
  recordParameter(event, KIND, "votingDelay", "VotingDelaySet", params.newVotingDelay, null, params.oldVotingDelay, null);
}

export function handleVotingPeriodSet(event: VotingPeriodSet): void {
  let params = event.params;
  recordParameter(event, KIND, "votingPeriod", "VotingPeriodSet", params.newVotingPeriod, null, params.oldVotingPeriod, null);
}

export function handleProposalThresholdSet(event: ProposalThresholdSet): void {
  let params = event.params;
  recordParameter(
    event,
    KIND,
    "proposalThreshold",
    "ProposalThresholdSet",
    params.newProposalThreshold,
    null,
    params.oldProposalThreshold,
    null,
  );
}

export function handleQuorumNumeratorUpdated(event: QuorumNumeratorUpdated): void {
  let params = event.params;
  recordParameter(
    event,
    KIND,
    "quorumNumerator",
    "QuorumNumeratorUpdated",
    params.newQuorumNumerator,
    null,
    params.oldQuorumNumerator,
    null,
  );

  // The governor checkpoints the numerator at this timestamp, and reads it at each proposal's voteStart: every
  // proposal whose voteStart is now or later has this quorum.
  let awaiting = ProposalsAwaitingSnapshot.load(AWAITING_ID);
  if (awaiting == null) return;
  let ids = notYetStarted(awaiting.proposals, event.block.timestamp);
  let totalSupply = loadProtocol().totalSupply;
  for (let i = 0; i < ids.length; i++) {
    let proposal = Proposal.load(ids[i])!;
    proposal.quorum = quorumOf(totalSupply, params.newQuorumNumerator);
    proposal.quorumReached = proposal.forVotes.plus(proposal.abstainVotes).ge(proposal.quorum);
    proposal.save();
  }
  awaiting.proposals = ids;
  awaiting.save();
}

export function handleTimelockChange(event: TimelockChange): void {
  let params = event.params;
  recordParameter(event, KIND, "timelock", "TimelockChange", null, params.newTimelock, null, params.oldTimelock);
}
