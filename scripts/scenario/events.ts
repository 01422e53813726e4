/**
 * Reading Latent's events back from a chain: every log of the eight contracts in a block range, decoded with the
 * contract's own ABI. Used by the scenario test (every event of every ABI is emitted) and by indexer tests.
 */
import type { Interface, LogDescription, Provider } from "ethers";
import { CONTRACT_NAMES } from "../deploy";
import type { ContractName, DeploymentRecord, LatentContracts } from "../deploy";
import { queryLogRange } from "../tasks/lib/logs";

export interface DecodedEvent {
  contract: ContractName;
  address: string;
  /** Event name, e.g. "JobCreated". */
  name: string;
  /** Canonical signature, e.g. "Transfer(address,address,uint256)". */
  signature: string;
  /** topic0 */
  topic: string;
  args: LogDescription["args"];
  blockNumber: number;
  transactionHash: string;
  logIndex: number;
}

export interface AbiEvent {
  contract: ContractName;
  name: string;
  signature: string;
  topic: string;
}

/** Contract name -> its contract object, in the record's naming. */
export function contractsByName(c: LatentContracts): Record<ContractName, { interface: Interface }> {
  return {
    LatentToken: c.token,
    PauseGuardian: c.pauseGuardian,
    ProviderRegistry: c.registry,
    Staking: c.staking,
    JobEscrow: c.jobEscrow,
    DisputeManager: c.disputeManager,
    LatentGovernor: c.governor,
    LatentTimelock: c.timelock,
  };
}

/** Every event declared in the eight deployed contracts' ABIs (inherited ones included). */
export function abiEvents(c: LatentContracts): AbiEvent[] {
  const byName = contractsByName(c);
  const out: AbiEvent[] = [];
  for (const contract of CONTRACT_NAMES) {
    byName[contract].interface.forEachEvent((fragment) => {
      out.push({ contract, name: fragment.name, signature: fragment.format("sighash"), topic: fragment.topicHash });
    });
  }
  return out;
}

/**
 * Events that are in an ABI but that Latent never emits, with the reason. The scenario test checks that these, and
 * only these, are missing from a full scenario.
 */
export const EVENTS_NEVER_EMITTED: readonly { contract: ContractName; name: string; reason: string }[] = [
  { contract: "LatentToken", name: "EIP712DomainChanged", reason: "ERC-5267 event for a changed signing domain; the domain is immutable" },
  { contract: "LatentGovernor", name: "EIP712DomainChanged", reason: "ERC-5267 event for a changed signing domain; the domain is immutable" },
  { contract: "LatentTimelock", name: "RoleAdminChanged", reason: "TimelockController 5 never changes a role's admin" },
  { contract: "ProviderRegistry", name: "AddressParameterUpdated", reason: "the registry has no address parameter: its wiring is immutable" },
  { contract: "JobEscrow", name: "AddressParameterUpdated", reason: "the escrow has no address parameter: its wiring is immutable, the treasury is read from Staking and the arbitrator lives in DisputeManager" },
  { contract: "DisputeManager", name: "ParameterUpdated", reason: "the dispute manager has no numeric parameter: deposits, periods and cuts are the job's EconomicParams in JobEscrow" },
  { contract: "LatentTimelock", name: "RoleRevoked", reason: "roles are fixed at deployment (no admin to renounce); only a proposal revoking a role would emit it" },
];

/** Decodes every log the eight contracts emitted in [fromBlock, toBlock] ("latest": the head when called). */
export async function collectEvents(
  provider: Provider,
  record: DeploymentRecord,
  c: LatentContracts,
  fromBlock: number,
  toBlock: number | "latest" = "latest",
): Promise<DecodedEvent[]> {
  const byName = contractsByName(c);
  const byAddress = new Map<string, ContractName>(
    CONTRACT_NAMES.map((name) => [record.contracts[name].address.toLowerCase(), name]),
  );
  // In ranges the node accepts: a whole scenario's blocks (or a devnet's chain) is a range public RPCs and capped nodes refuse.
  const to = toBlock === "latest" ? await provider.getBlockNumber() : toBlock;
  const address = [...byAddress.keys()];
  const { logs } = await queryLogRange("the Latent contracts' events", fromBlock, to, (from, until) => provider.getLogs({ address, fromBlock: from, toBlock: until }));
  const out: DecodedEvent[] = [];
  for (const log of logs) {
    const contract = byAddress.get(log.address.toLowerCase());
    if (contract === undefined) continue;
    const parsed = byName[contract].interface.parseLog({ topics: [...log.topics], data: log.data });
    if (parsed === null) throw new Error(`${contract} emitted a log its ABI does not know: ${log.topics[0]}`);
    out.push({
      contract,
      address: log.address,
      name: parsed.name,
      signature: parsed.signature,
      topic: parsed.topic,
      args: parsed.args,
      blockNumber: log.blockNumber,
      transactionHash: log.transactionHash,
      logIndex: log.index,
    });
  }
  return out;
}

/** `Contract.Event` keys of the ABI events that never appeared in `events`. */
export function missingEvents(c: LatentContracts, events: readonly DecodedEvent[]): string[] {
  const seen = new Set(events.map((e) => `${e.contract}.${e.topic}`));
  return abiEvents(c)
    .filter((e) => !seen.has(`${e.contract}.${e.topic}`))
    .map((e) => `${e.contract}.${e.name}`);
}
