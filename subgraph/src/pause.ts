// PauseGuardian: the protocol's emergency brake.
import {
  AddressParameterUpdated,
  ParameterUpdated,
  PauseRenewed,
  Paused,
  Unpaused,
} from "../generated/PauseGuardian/PauseGuardian";
import { PausedEvent, PauseRenewedEvent, UnpausedEvent } from "../generated/schema";
import {
  CAT_PAUSE,
  eventId,
  loadProtocol,
  recordAddressParameterUpdated,
  recordParameterUpdated,
  saveProtocol,
  stamp,
} from "./common";

const KIND = "PauseGuardian";

export function handlePaused(event: Paused): void {
  let p = loadProtocol();
  p.pausedUntil = event.params.pausedUntil;
  p.pausedBy = event.params.by;
  saveProtocol(p, event);

  let e = new PausedEvent(eventId(event));
  stamp(e, event, CAT_PAUSE, [event.params.by]);
  e.by = event.params.by;
  e.pausedUntil = event.params.pausedUntil;
  e.save();
}

export function handlePauseRenewed(event: PauseRenewed): void {
  let p = loadProtocol();
  // Nothing was paused: governance started a pause of its own (a renewal keeps the pause's starter).
  if (p.pausedUntil.le(event.block.timestamp)) p.pausedBy = event.params.by;
  p.pausedUntil = event.params.pausedUntil;
  saveProtocol(p, event);

  let e = new PauseRenewedEvent(eventId(event));
  stamp(e, event, CAT_PAUSE, [event.params.by]);
  e.by = event.params.by;
  e.pausedUntil = event.params.pausedUntil;
  e.save();
}

export function handleUnpaused(event: Unpaused): void {
  // The pause ends now: PauseGuardian sets pausedUntil to the block's timestamp.
  let p = loadProtocol();
  p.pausedUntil = event.block.timestamp;
  saveProtocol(p, event);

  let e = new UnpausedEvent(eventId(event));
  stamp(e, event, CAT_PAUSE, [event.params.by]);
  e.by = event.params.by;
  e.save();
}

export function handlePauseParameterUpdated(event: ParameterUpdated): void {
  recordParameterUpdated(event, KIND, event.params.parameter, event.params.value);
}

export function handlePauseAddressParameterUpdated(event: AddressParameterUpdated): void {
  recordAddressParameterUpdated(event, KIND, event.params.parameter, event.params.value);
}
