// LatentToken: balances, delegation and voting power (ERC20Votes).
import { BigInt, Bytes, ethereum } from "@graphprotocol/graph-ts";
import { Approval, DelegateChanged, DelegateVotesChanged, Transfer } from "../generated/LatentToken/LatentToken";
import {
  ApprovalEvent,
  DelegateChangedEvent,
  DelegateVotesChangedEvent,
  TransferEvent,
} from "../generated/schema";
import {
  addressOrNull,
  CAT_TOKEN,
  eventId,
  isZeroBytes,
  loadOrCreateAccount,
  loadProtocol,
  saveProtocol,
  stamp,
  ZERO,
} from "./common";

/** Adds `delta` to an account's balance; returns how the holder count changes (-1, 0 or 1). */
function changeBalance(address: Bytes, delta: BigInt, event: ethereum.Event): i32 {
  let account = loadOrCreateAccount(address, event);
  let before = account.balance;
  let after = before.plus(delta);
  account.balance = after;
  account.save();
  if (before.isZero() && !after.isZero()) return 1;
  if (!before.isZero() && after.isZero()) return -1;
  return 0;
}

export function handleTransfer(event: Transfer): void {
  let params = event.params;
  let mint = isZeroBytes(params.from);
  let burn = isZeroBytes(params.to);
  let holders: i32 = 0;
  if (!mint) holders += changeBalance(params.from, ZERO.minus(params.value), event);
  if (!burn) holders += changeBalance(params.to, params.value, event);
  // Most transfers (escrow deposits, payouts, stakes) change neither the supply nor the holder count: the Protocol,
  // the subgraph's largest entity, is then left alone.
  if (mint != burn || holders != 0) {
    let p = loadProtocol();
    // LAT mints only at deployment, before any contract could recover tokens: a recovery then knows LAT by address.
    if (mint) p.token = event.address;
    if (mint && !burn) p.totalSupply = p.totalSupply.plus(params.value);
    if (burn && !mint) p.totalSupply = p.totalSupply.minus(params.value);
    p.holderCount += holders;
    saveProtocol(p, event);
  }

  let e = new TransferEvent(eventId(event));
  stamp(e, event, CAT_TOKEN, [params.from, params.to]);
  e.sender = params.from;
  e.recipient = params.to;
  e.value = params.value;
  e.save();
}

export function handleApproval(event: Approval): void {
  let e = new ApprovalEvent(eventId(event));
  stamp(e, event, CAT_TOKEN, [event.params.owner, event.params.spender]);
  e.owner = event.params.owner;
  e.spender = event.params.spender;
  e.value = event.params.value;
  e.save();
}

export function handleDelegateChanged(event: DelegateChanged): void {
  let params = event.params;
  let delegator = loadOrCreateAccount(params.delegator, event);
  delegator.delegate = addressOrNull(params.toDelegate);
  delegator.save();
  if (!isZeroBytes(params.fromDelegate)) {
    let from = loadOrCreateAccount(params.fromDelegate, event);
    from.delegatorCount -= 1;
    from.save();
  }
  if (!isZeroBytes(params.toDelegate)) {
    let to = loadOrCreateAccount(params.toDelegate, event);
    to.delegatorCount += 1;
    to.save();
  }

  let e = new DelegateChangedEvent(eventId(event));
  stamp(e, event, CAT_TOKEN, [params.delegator, params.fromDelegate, params.toDelegate]);
  e.delegator = params.delegator;
  e.fromDelegate = params.fromDelegate;
  e.toDelegate = params.toDelegate;
  e.save();
}

export function handleDelegateVotesChanged(event: DelegateVotesChanged): void {
  let params = event.params;
  let account = loadOrCreateAccount(params.delegate, event);
  account.votingPower = params.newVotes;
  account.save();

  let p = loadProtocol();
  p.totalVotingPower = p.totalVotingPower.plus(params.newVotes.minus(params.previousVotes));
  saveProtocol(p, event);

  let e = new DelegateVotesChangedEvent(eventId(event));
  stamp(e, event, CAT_TOKEN, [params.delegate]);
  e.delegate = params.delegate;
  e.previousVotes = params.previousVotes;
  e.newVotes = params.newVotes;
  e.save();
}
