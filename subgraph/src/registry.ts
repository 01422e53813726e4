// ProviderRegistry: listings, online status, operators and GPU capacity.
import {
  AddressParameterUpdated,
  CapacityReleased,
  CapacityReserved,
  ParameterUpdated,
  ProviderDeregistered,
  ProviderOnlineSet,
  ProviderOperatorSet,
  ProviderPriceUpdated,
  ProviderRegistered,
  ProviderUpdated,
} from "../generated/ProviderRegistry/ProviderRegistry";
import {
  CapacityReleasedEvent,
  CapacityReservedEvent,
  ProviderDeregisteredEvent,
  ProviderOnlineSetEvent,
  ProviderOperatorSetEvent,
  ProviderPriceUpdatedEvent,
  ProviderRegisteredEvent,
  ProviderUpdatedEvent,
} from "../generated/schema";
import {
  addressOrNull,
  CAT_PROVIDER,
  commit,
  decimalId,
  ensureGpuModel,
  ensureRegion,
  eventId,
  InventoryShare,
  loadNetworkDay,
  loadOrCreateProvider,
  loadProtocol,
  moveInventory,
  recordAddressParameterUpdated,
  recordParameterUpdated,
  saveProvider,
  stamp,
  tierName,
} from "./common";

const KIND = "ProviderRegistry";

export function handleProviderRegistered(event: ProviderRegistered): void {
  let params = event.params;
  let p = loadProtocol();
  let d = loadNetworkDay(event);
  let provider = loadOrCreateProvider(params.provider, event);
  let model = ensureGpuModel(params.gpuModel, params.gpuModelName);
  let region = ensureRegion(params.region);

  let before = InventoryShare.of(provider);
  provider.registered = true;
  provider.online = false;
  provider.operator = addressOrNull(params.operator);
  provider.gpuModel = model.id;
  provider.gpuModelKey = model.id;
  provider.gpuModelName = params.gpuModelName;
  provider.region = region.id;
  provider.regionKey = region.id;
  provider.vramGiB = params.vramGiB;
  provider.gpuCount = params.gpuCount;
  provider.gpusInUse = 0;
  provider.tier = tierName(params.tier);
  provider.pricePerGpuHour = params.pricePerGpuHour;
  provider.metadataURI = params.metadataURI;
  provider.registeredAt = event.block.timestamp;
  moveInventory(before, InventoryShare.of(provider), p);
  saveProvider(provider, event);

  let e = new ProviderRegisteredEvent(eventId(event));
  stamp(e, event, CAT_PROVIDER, [params.provider, params.operator]);
  e.provider = provider.id;
  e.gpuModel = model.id;
  e.gpuModelName = params.gpuModelName;
  e.region = region.id;
  e.vramGiB = params.vramGiB;
  e.gpuCount = params.gpuCount;
  e.tier = tierName(params.tier);
  e.pricePerGpuHour = params.pricePerGpuHour;
  e.metadataURI = params.metadataURI;
  e.operator = addressOrNull(params.operator);
  e.save();

  d.providersRegistered += 1;
  commit(p, d, event);
}

export function handleProviderUpdated(event: ProviderUpdated): void {
  let params = event.params;
  let p = loadProtocol();
  let d = loadNetworkDay(event);
  let provider = loadOrCreateProvider(params.provider, event);

  let before = InventoryShare.of(provider);
  let model = ensureGpuModel(params.gpuModel, params.gpuModelName);
  let region = ensureRegion(params.region);
  provider.gpuModel = model.id;
  provider.gpuModelKey = model.id;
  provider.gpuModelName = params.gpuModelName;
  provider.region = region.id;
  provider.regionKey = region.id;
  provider.vramGiB = params.vramGiB;
  provider.gpuCount = params.gpuCount;
  provider.tier = tierName(params.tier);
  provider.pricePerGpuHour = params.pricePerGpuHour;
  provider.metadataURI = params.metadataURI;
  moveInventory(before, InventoryShare.of(provider), p);
  saveProvider(provider, event);

  let e = new ProviderUpdatedEvent(eventId(event));
  stamp(e, event, CAT_PROVIDER, [params.provider]);
  e.provider = provider.id;
  e.gpuModel = model.id;
  e.gpuModelName = params.gpuModelName;
  e.region = region.id;
  e.vramGiB = params.vramGiB;
  e.gpuCount = params.gpuCount;
  e.tier = tierName(params.tier);
  e.pricePerGpuHour = params.pricePerGpuHour;
  e.metadataURI = params.metadataURI;
  e.save();

  commit(p, d, event);
}

export function handleProviderPriceUpdated(event: ProviderPriceUpdated): void {
  let provider = loadOrCreateProvider(event.params.provider, event);
  let previous = provider.pricePerGpuHour;
  provider.pricePerGpuHour = event.params.pricePerGpuHour;
  saveProvider(provider, event);

  let e = new ProviderPriceUpdatedEvent(eventId(event));
  stamp(e, event, CAT_PROVIDER, [event.params.provider]);
  e.provider = provider.id;
  e.pricePerGpuHour = event.params.pricePerGpuHour;
  e.previousPricePerGpuHour = previous;
  e.save();
}

export function handleProviderOperatorSet(event: ProviderOperatorSet): void {
  let provider = loadOrCreateProvider(event.params.provider, event);
  provider.operator = addressOrNull(event.params.operator);
  saveProvider(provider, event);

  let e = new ProviderOperatorSetEvent(eventId(event));
  stamp(e, event, CAT_PROVIDER, [event.params.provider, event.params.operator]);
  e.provider = provider.id;
  e.operator = addressOrNull(event.params.operator);
  e.save();
}

export function handleProviderOnlineSet(event: ProviderOnlineSet): void {
  let p = loadProtocol();
  let d = loadNetworkDay(event);
  let provider = loadOrCreateProvider(event.params.provider, event);
  let before = InventoryShare.of(provider);
  provider.online = event.params.online;
  moveInventory(before, InventoryShare.of(provider), p);
  saveProvider(provider, event);

  let e = new ProviderOnlineSetEvent(eventId(event));
  stamp(e, event, CAT_PROVIDER, [event.params.provider, event.params.by]);
  e.provider = provider.id;
  e.online = event.params.online;
  e.by = event.params.by;
  e.save();

  commit(p, d, event);
}

export function handleProviderDeregistered(event: ProviderDeregistered): void {
  let p = loadProtocol();
  let d = loadNetworkDay(event);
  let provider = loadOrCreateProvider(event.params.provider, event);
  let before = InventoryShare.of(provider);
  // The registry deletes the record: counts and flags drop to zero; the listing's descriptive fields stay for history.
  provider.registered = false;
  provider.online = false;
  provider.operator = null;
  provider.gpuCount = 0;
  provider.gpusInUse = 0;
  provider.deregisteredAt = event.block.timestamp;
  moveInventory(before, InventoryShare.of(provider), p);
  saveProvider(provider, event);

  let e = new ProviderDeregisteredEvent(eventId(event));
  stamp(e, event, CAT_PROVIDER, [event.params.provider]);
  e.provider = provider.id;
  e.save();

  commit(p, d, event);
}

// The escrow's event later in this transaction (JobAccepted) moves the capacity: see moveCapacity.
export function handleCapacityReserved(event: CapacityReserved): void {
  let e = new CapacityReservedEvent(eventId(event));
  stamp(e, event, CAT_PROVIDER, [event.params.provider]);
  e.provider = event.params.provider;
  e.job = decimalId(event.params.jobId);
  e.jobId = event.params.jobId;
  e.gpus = event.params.gpus;
  e.gpusInUse = event.params.gpusInUse;
  e.save();
}

// The escrow's event later in this transaction (ResultSubmitted or JobTimedOut) moves the capacity: see moveCapacity.
export function handleCapacityReleased(event: CapacityReleased): void {
  let e = new CapacityReleasedEvent(eventId(event));
  stamp(e, event, CAT_PROVIDER, [event.params.provider]);
  e.provider = event.params.provider;
  e.job = decimalId(event.params.jobId);
  e.jobId = event.params.jobId;
  e.gpus = event.params.gpus;
  e.gpusInUse = event.params.gpusInUse;
  e.save();
}

export function handleRegistryParameterUpdated(event: ParameterUpdated): void {
  recordParameterUpdated(event, KIND, event.params.parameter, event.params.value);
}

export function handleRegistryAddressParameterUpdated(event: AddressParameterUpdated): void {
  recordAddressParameterUpdated(event, KIND, event.params.parameter, event.params.value);
}
