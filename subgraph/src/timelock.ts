// LatentTimelock: scheduled operations, their execution, the delay and the roles (OpenZeppelin TimelockController).
import { Bytes, ethereum } from "@graphprotocol/graph-ts";
import {
  CallExecuted,
  CallSalt,
  CallScheduled,
  Cancelled,
  MinDelayChange,
  RoleAdminChanged,
  RoleGranted,
  RoleRevoked,
} from "../generated/LatentTimelock/LatentTimelock";
import {
  CallCancelledEvent,
  CallExecutedEvent,
  CallSaltEvent,
  CallScheduledEvent,
  Proposal,
  RoleAdminChangedEvent,
  RoleGrantedEvent,
  RoleRevokedEvent,
  TimelockCall,
  TimelockOperation,
  TimelockRole,
} from "../generated/schema";
import { CAT_TIMELOCK, eventId, isZeroBytes, loadProtocol, recordParameter, saveProtocol, stamp } from "./common";

const KIND = "LatentTimelock";

// keccak256 of the role names (DEFAULT_ADMIN_ROLE is zero).
const PROPOSER_ROLE = "0xb09aa5aeb3702cfd50b6b62bc4532604938f21248a27a1d5ca736082b6819cc1";
const EXECUTOR_ROLE = "0xd8aa0f3194971a2a116679f7c2090f6939c8d4e01a2a8d7e41d55e5351469e63";
const CANCELLER_ROLE = "0xfd643c72710c63c0180259aba6b2d05451e3591a24e58b62239378085726f783";

function roleName(role: Bytes): string {
  if (isZeroBytes(role)) return "DEFAULT_ADMIN_ROLE";
  let hex = role.toHexString();
  if (hex == PROPOSER_ROLE) return "PROPOSER_ROLE";
  if (hex == EXECUTOR_ROLE) return "EXECUTOR_ROLE";
  if (hex == CANCELLER_ROLE) return "CANCELLER_ROLE";
  return hex;
}

/** The governor proposal an operation carries (linked when the governor queued it), or null. */
function proposalOf(op: TimelockOperation): Proposal | null {
  let id = op.proposal;
  if (id === null) return null;
  return Proposal.load(id);
}

function loadOperation(id: Bytes): TimelockOperation {
  let op = TimelockOperation.load(id);
  if (op == null) throw new Error("LatentTimelock event for unknown operation " + id.toHexString());
  return op;
}

export function handleCallScheduled(event: CallScheduled): void {
  let params = event.params;
  let index = params.index.toI32();
  // One CallScheduled per call of a batch, all in one transaction. An operation cancelled earlier may be scheduled
  // again under the same id (the id hashes the calls, so they are the same): a first call (index 0) starts it
  // afresh. store.set merges with the stored entity, so the previous run's fields are cleared explicitly.
  let op = TimelockOperation.load(params.id);
  if (op == null || index == 0) {
    op = new TimelockOperation(params.id);
    op.callCount = 0;
    op.salt = null;
    op.executedAt = null;
    op.executedTransaction = null;
    op.cancelledAt = null;
    op.cancelledTransaction = null;
    op.proposal = null;
  }
  op.status = "Scheduled";
  op.callCount = index + 1 > op.callCount ? index + 1 : op.callCount;
  op.predecessor = params.predecessor;
  op.delay = params.delay;
  op.readyAt = event.block.timestamp.plus(params.delay);
  op.scheduledAt = event.block.timestamp;
  op.scheduledTransaction = event.transaction.hash;
  op.save();

  let call = new TimelockCall(params.id.concatI32(index));
  call.operation = params.id;
  call.index = params.index;
  call.target = params.target;
  call.value = params.value;
  call.data = params.data;
  call.executed = false;
  call.save();

  // Lets the governor's ProposalQueued, later in the same transaction, find the operation.
  let p = loadProtocol();
  p.lastScheduledOperation = params.id;
  p.lastScheduledTransaction = event.transaction.hash;
  saveProtocol(p, event);

  let e = new CallScheduledEvent(eventId(event));
  stamp(e, event, CAT_TIMELOCK, [params.target]);
  e.operation = params.id;
  e.index = params.index;
  e.target = params.target;
  e.value = params.value;
  e.data = params.data;
  e.predecessor = params.predecessor;
  e.delay = params.delay;
  e.save();
}

export function handleCallSalt(event: CallSalt): void {
  let op = loadOperation(event.params.id);
  op.salt = isZeroBytes(event.params.salt) ? null : event.params.salt;
  op.save();

  let e = new CallSaltEvent(eventId(event));
  stamp(e, event, CAT_TIMELOCK, []);
  e.operation = op.id;
  e.salt = event.params.salt;
  e.save();
}

export function handleCallExecuted(event: CallExecuted): void {
  let params = event.params;
  let op = loadOperation(params.id);
  op.status = "Executed";
  op.executedAt = event.block.timestamp;
  op.executedTransaction = event.transaction.hash;
  op.save();
  // A governor proposal's operation executed on the timelock directly is Executed for the governor too
  // (GovernorTimelockControl.state); through the governor, ProposalExecuted follows in this transaction anyway.
  let proposal = proposalOf(op);
  if (proposal != null && proposal.status != "Executed") {
    proposal.status = "Executed";
    proposal.executedAt = event.block.timestamp;
    proposal.executedTransaction = event.transaction.hash;
    proposal.save();
  }

  let call = TimelockCall.load(params.id.concatI32(params.index.toI32()));
  if (call != null) {
    call.executed = true;
    call.save();
  }

  let e = new CallExecutedEvent(eventId(event));
  stamp(e, event, CAT_TIMELOCK, [params.target]);
  e.operation = op.id;
  e.index = params.index;
  e.target = params.target;
  e.value = params.value;
  e.data = params.data;
  e.save();
}

export function handleCancelled(event: Cancelled): void {
  let op = loadOperation(event.params.id);
  op.status = "Cancelled";
  op.cancelledAt = event.block.timestamp;
  op.cancelledTransaction = event.transaction.hash;
  op.save();
  // A queued proposal whose operation is cancelled on the timelock (a veto through another proposal's relay, or a
  // canceller) is Canceled for the governor (GovernorTimelockControl.state), though the governor emits nothing.
  let proposal = proposalOf(op);
  if (proposal != null && proposal.status != "Canceled") {
    proposal.status = "Canceled";
    proposal.canceledAt = event.block.timestamp;
    proposal.canceledTransaction = event.transaction.hash;
    proposal.save();
  }

  let e = new CallCancelledEvent(eventId(event));
  stamp(e, event, CAT_TIMELOCK, []);
  e.operation = op.id;
  e.save();
}

export function handleMinDelayChange(event: MinDelayChange): void {
  let params = event.params;
  recordParameter(event, KIND, "minDelay", "MinDelayChange", params.newDuration, null, params.oldDuration, null);
}

/** Keeps the TimelockRole of (role, account) current. */
function setRole(role: Bytes, account: Bytes, granted: bool, event: ethereum.Event): void {
  let id = role.concat(account);
  let member = TimelockRole.load(id);
  if (member == null) {
    member = new TimelockRole(id);
    member.role = role;
    member.roleName = roleName(role);
    member.account = account;
  }
  member.granted = granted;
  member.updatedAt = event.block.timestamp;
  member.save();
}

export function handleRoleGranted(event: RoleGranted): void {
  let params = event.params;
  setRole(params.role, params.account, true, event);

  let e = new RoleGrantedEvent(eventId(event));
  stamp(e, event, CAT_TIMELOCK, [params.account, params.sender]);
  e.role = params.role;
  e.roleName = roleName(params.role);
  e.account = params.account;
  e.sender = params.sender;
  e.save();
}

export function handleRoleRevoked(event: RoleRevoked): void {
  let params = event.params;
  setRole(params.role, params.account, false, event);

  let e = new RoleRevokedEvent(eventId(event));
  stamp(e, event, CAT_TIMELOCK, [params.account, params.sender]);
  e.role = params.role;
  e.roleName = roleName(params.role);
  e.account = params.account;
  e.sender = params.sender;
  e.save();
}

export function handleRoleAdminChanged(event: RoleAdminChanged): void {
  let params = event.params;
  let e = new RoleAdminChangedEvent(eventId(event));
  stamp(e, event, CAT_TIMELOCK, []);
  e.role = params.role;
  e.roleName = roleName(params.role);
  e.previousAdminRole = params.previousAdminRole;
  e.newAdminRole = params.newAdminRole;
  e.save();
}
