// LatentToken: balances, delegation and voting power (ERC20Votes).
import { BigInt, Bytes, ethereum } from "@graphprotocol/graph-ts";
import { Approval, DelegateChanged, DelegateVotesChanged, Transfer } from "../generated/LatentToken/LatentToken";
import {
  ApprovalEvent,
  DelegateChangedEvent,
  DelegateVotesChangedEvent,
  Protocol,
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

/** Adds `delta` to an account's balance, keeping the Protocol's holder count. */
function changeBalance(address: Bytes, delta: BigInt, p: Protocol, event: ethereum.Event): void {
  let account = loadOrCreateAccount(address, event);
  let before = account.balance;
  let after = before.plus(delta);
  account.balance = after;
  account.save();
  if (before.isZero() && !after.isZero()) p.holderCount += 1;
  else if (!before.isZero() && after.isZero()) p.holderCount -= 1;
}

export function handleTransfer(event: Transfer): void {
  let params = event.params;
  let p = loadProtocol();
  if (isZeroBytes(params.from)) p.totalSupply = p.totalSupply.plus(params.value);
  else changeBalance(params.from, ZERO.minus(params.value), p, event);
  if (isZeroBytes(params.to)) p.totalSupply = p.totalSupply.minus(params.value);
  else changeBalance(params.to, params.value, p, event);
  saveProtocol(p, event);

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
