/**
 * Deploys the whole Latent contract set and wires it for good.
 *
 * The contracts reference each other (registry <-> staking <-> escrow <-> disputes, timelock <-> governor) through
 * immutables, so every address is predicted from the deployer's nonce before the first deployment and each
 * deployment is checked against its prediction. Roles are therefore fixed at construction and the deployer holds
 * nothing afterwards: no role, no token, no admin.
 *
 * Used three ways: by tests' fixtures and the scenario driver (`deployLatent`), and as a CLI:
 *   npx hardhat run scripts/deploy.ts --network <name>   (a node that keeps running: not the in-process "hardhat")
 * which writes deployments/<network>.json (the file the subgraph and the gateway read).
 * CLI environment: LATENT_GUARDIAN (an address, not zero, or "none"; required but on hardhat and localhost),
 * LATENT_ARBITRATOR (an address, not zero), LATENT_ALLOCATIONS ("0xaddr:amountInLAT,..."),
 * LATENT_DEVNET=1 (short governance timings and a 1-hour thawing period), LATENT_DEPLOYMENTS_DIR (default deployments/).
 */
// Brings in `hre.ethers`' types for the CLI below when this file is compiled outside Hardhat (plain ts-node).
import type {} from "@nomicfoundation/hardhat-ethers";
import * as fs from "node:fs";
import * as path from "node:path";
import { DirectoryRefusedError, makeDirectory, makeWritableDirectory } from "../subgraph/indexer/directories";
import { ZeroAddress, formatEther, getCreateAddress, isAddress, parseEther } from "ethers";
import type { Signer, ContractRunner, ContractTransactionResponse, BaseContract } from "ethers";
import { DisputeManager__factory } from "../typechain-types/factories/contracts/disputes/DisputeManager__factory";
import { JobEscrow__factory } from "../typechain-types/factories/contracts/jobs/JobEscrow__factory";
import { LatentGovernor__factory } from "../typechain-types/factories/contracts/governance/LatentGovernor__factory";
import { LatentTimelock__factory } from "../typechain-types/factories/contracts/governance/LatentTimelock__factory";
import { LatentToken__factory } from "../typechain-types/factories/contracts/token/LatentToken__factory";
import { PauseGuardian__factory } from "../typechain-types/factories/contracts/governance/PauseGuardian__factory";
import { ProviderRegistry__factory } from "../typechain-types/factories/contracts/registry/ProviderRegistry__factory";
import { Staking__factory } from "../typechain-types/factories/contracts/staking/Staking__factory";
import type {
  DisputeManager,
  JobEscrow,
  LatentGovernor,
  LatentTimelock,
  LatentToken,
  PauseGuardian,
  ProviderRegistry,
  Staking,
} from "../typechain-types";
import type { IJobEscrow } from "../typechain-types/contracts/jobs/JobEscrow";
import { queryLogRange } from "./tasks/lib/logs";

/** Deployment order; index i is deployed with the deployer's nonce + i. */
export const CONTRACT_NAMES = [
  "LatentTimelock",
  "LatentToken",
  "PauseGuardian",
  "ProviderRegistry",
  "Staking",
  "JobEscrow",
  "DisputeManager",
  "LatentGovernor",
] as const;
export type ContractName = (typeof CONTRACT_NAMES)[number];

/** Version 1 of the JobEscrow's economic parameters (fixed for a job when it is accepted). */
export interface EconomicParams {
  protocolFeeBps: number;
  collateralRatioBps: number;
  timeoutSlashBps: number;
  maxSlashingCutBps: number;
  disputeRewardBps: number;
  challengeWindow: number;
  grace: number;
  disputePeriod: number;
  minTrackRecordCost: bigint;
  disputeDeposit: bigint;
}

/** Every protocol parameter's initial value (each changes later only through governance). */
export interface ProtocolParams {
  minStakePerGpu: bigint;
  thawingPeriod: number;
  maxGpusPerProvider: number;
  pauseDuration: number;
  economic: EconomicParams;
}

/** Governor and timelock settings. Durations are in seconds (the token's clock is the timestamp). */
export interface GovernanceTimings {
  votingDelay: number;
  votingPeriod: number;
  proposalThreshold: bigint;
  /** Quorum in percent of the supply at the proposal's snapshot. */
  quorumNumerator: number;
  timelockDelay: number;
}

export interface Allocation {
  to: string;
  amount: bigint;
}

export interface DeployOptions {
  /** Sends every deployment; keeps no power afterwards. Must not be an allocation recipient. */
  deployer: Signer;
  /** Pause guardian; default none (zero address: only governance can pause). */
  guardian?: string;
  /** Dispute arbitrator; default the timelock (governance rules by proposal). */
  arbitrator?: string;
  /** Fixed LAT supply, in wei; default 1,000,000,000 LAT. */
  totalSupply?: bigint;
  /** Minted at deployment; the rest of the supply goes to the treasury (the timelock). */
  allocations?: Allocation[];
  params?: Partial<Omit<ProtocolParams, "economic">> & { economic?: Partial<EconomicParams> };
  governance?: Partial<GovernanceTimings>;
  /** Name written into the record (hardhat network name); default derived from the chain id. */
  networkName?: string;
  /** Progress lines (default: silent). */
  log?: (line: string) => void;
}

export interface ContractRecord {
  address: string;
  blockNumber: number;
}

/** The exact shape of deployments/<network>.json. */
export interface DeploymentRecord {
  network: string;
  chainId: number;
  /** Block 0's hash, where recorded: it tells apart two chains with the same id (two nodes on 1337, say). */
  genesisHash?: string;
  deployer: string;
  /** Block numbers are where event queries start; LatentToken's is also where its mints are (verifyWiring). */
  contracts: Record<ContractName, ContractRecord>;
  /**
   * The token's allocations as given to its constructor (amounts in wei, decimal strings: JSON has no bigint), so that
   * a record can be verified later. Absent in records written before they were kept: their mints cannot be checked.
   */
  allocations?: RecordedAllocation[];
  /**
   * What the deployment gave the contracts besides each other's addresses: the guardian (zero: none), the arbitrator
   * and the supply in wei (a decimal string), so that `deployment verify` checks the chain against the record rather
   * than against itself. Absent in records written before they were kept: those checks are then not run.
   */
  guardian?: string;
  arbitrator?: string;
  totalSupply?: string;
  /**
   * The governor's and timelock's settings the deployment constructed them with (the threshold in wei, a decimal
   * string), which `deployment verify` checks the chain's against. Absent in records written before they were kept.
   */
  governance?: RecordedGovernance;
  /**
   * The protocol parameters the deployment constructed Staking, ProviderRegistry, PauseGuardian and JobEscrow with
   * (token amounts in wei, decimal strings), which `deployment verify` checks the chain's against. Absent in records
   * written before they were kept.
   */
  params?: RecordedParams;
}

/** ProtocolParams as a record keeps them: JSON has no bigint, so the token amounts are decimal strings. */
export interface RecordedParams {
  minStakePerGpu: string;
  thawingPeriod: number;
  maxGpusPerProvider: number;
  pauseDuration: number;
  economic: Omit<EconomicParams, "minTrackRecordCost" | "disputeDeposit"> & { minTrackRecordCost: string; disputeDeposit: string };
}

/** GovernanceTimings as a record keeps them: JSON has no bigint, so the threshold is a decimal string. */
export interface RecordedGovernance {
  votingDelay: number;
  votingPeriod: number;
  proposalThreshold: string;
  quorumNumerator: number;
  timelockDelay: number;
}

export interface RecordedAllocation {
  to: string;
  amount: string;
}

/** A field of a deployment record is malformed; `file` is where the record came from, `field` its JSON path. */
export class DeploymentRecordError extends Error {
  constructor(
    readonly file: string,
    readonly field: string,
    readonly reason: string,
  ) {
    super(`deployment record ${file}: ${field} ${reason}`);
    this.name = "DeploymentRecordError";
  }
}

/**
 * Checks the optional fields a record may carry (genesisHash, allocations) and returns the allocations as amounts;
 * undefined when the record predates them. Throws a DeploymentRecordError naming `file` and the field.
 */
export function recordedAllocations(record: DeploymentRecord, file: string): Allocation[] | undefined {
  const { genesisHash, allocations } = record as { genesisHash?: unknown; allocations?: unknown };
  if (genesisHash !== undefined && (typeof genesisHash !== "string" || !/^0x[0-9a-fA-F]{64}$/.test(genesisHash))) {
    throw new DeploymentRecordError(file, "genesisHash", `is ${JSON.stringify(genesisHash)}, not a block hash (0x and 64 hex digits)`);
  }
  if (allocations === undefined) return undefined;
  if (!Array.isArray(allocations)) throw new DeploymentRecordError(file, "allocations", "is not a list of {to, amount}");
  return allocations.map((item: unknown, i) => {
    const { to, amount } = (typeof item === "object" && item !== null ? item : {}) as { to?: unknown; amount?: unknown };
    if (typeof to !== "string" || !isAddress(to)) throw new DeploymentRecordError(file, `allocations[${i}].to`, `is ${JSON.stringify(to)}, not an address`);
    if (typeof amount !== "string" || !/^\d+$/.test(amount)) {
      throw new DeploymentRecordError(file, `allocations[${i}].amount`, `is ${JSON.stringify(amount)}, not an amount in wei as a decimal string`);
    }
    return { to, amount: BigInt(amount) };
  });
}

/**
 * The guardian, arbitrator, supply and governance settings a record carries, each undefined where the record predates
 * it; checked like recordedAllocations.
 */
export function recordedRoles(
  record: DeploymentRecord,
  file: string,
): Partial<Pick<ResolvedConfig, "guardian" | "arbitrator" | "totalSupply" | "governance">> {
  const { guardian, arbitrator, totalSupply } = record as { guardian?: unknown; arbitrator?: unknown; totalSupply?: unknown };
  for (const [field, value] of [["guardian", guardian], ["arbitrator", arbitrator]] as const) {
    if (value !== undefined && (typeof value !== "string" || !isAddress(value))) throw new DeploymentRecordError(file, field, `is ${JSON.stringify(value)}, not an address`);
  }
  if (totalSupply !== undefined && (typeof totalSupply !== "string" || !/^\d+$/.test(totalSupply))) {
    throw new DeploymentRecordError(file, "totalSupply", `is ${JSON.stringify(totalSupply)}, not an amount in wei as a decimal string`);
  }
  return {
    guardian: guardian as string | undefined,
    arbitrator: arbitrator as string | undefined,
    totalSupply: totalSupply === undefined ? undefined : BigInt(totalSupply as string),
    governance: recordedGovernance(record, file),
  };
}

function recordedGovernance(record: DeploymentRecord, file: string): GovernanceTimings | undefined {
  const { governance } = record as { governance?: unknown };
  if (governance === undefined) return undefined;
  if (typeof governance !== "object" || governance === null || Array.isArray(governance)) {
    throw new DeploymentRecordError(file, "governance", "is not {votingDelay, votingPeriod, proposalThreshold, quorumNumerator, timelockDelay}");
  }
  const g = governance as Record<string, unknown>;
  // All or nothing: a setting missing from a record that has the others is a mistake, not an older record.
  const whole = (field: "votingDelay" | "votingPeriod" | "quorumNumerator" | "timelockDelay"): number => {
    const value = g[field];
    if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
      throw new DeploymentRecordError(file, `governance.${field}`, `is ${JSON.stringify(value)}, not a whole number`);
    }
    return value;
  };
  const threshold = g.proposalThreshold;
  if (typeof threshold !== "string" || !/^\d+$/.test(threshold)) {
    throw new DeploymentRecordError(file, "governance.proposalThreshold", `is ${JSON.stringify(threshold)}, not an amount in wei as a decimal string`);
  }
  return {
    votingDelay: whole("votingDelay"),
    votingPeriod: whole("votingPeriod"),
    proposalThreshold: BigInt(threshold),
    quorumNumerator: whole("quorumNumerator"),
    timelockDelay: whole("timelockDelay"),
  };
}

/** EconomicParams' fields, in the order JobEscrow's constructor checks them. */
export const ECONOMIC_PARAM_NAMES = [
  "protocolFeeBps",
  "collateralRatioBps",
  "timeoutSlashBps",
  "maxSlashingCutBps",
  "disputeRewardBps",
  "challengeWindow",
  "grace",
  "disputePeriod",
  "disputeDeposit",
  "minTrackRecordCost",
] as const satisfies readonly (keyof EconomicParams)[];

const ECONOMIC_NUMBERS = ["protocolFeeBps", "collateralRatioBps", "timeoutSlashBps", "maxSlashingCutBps", "disputeRewardBps", "challengeWindow", "grace", "disputePeriod"] as const;

/** The protocol parameters a record carries, undefined where the record predates them; checked like recordedGovernance. */
export function recordedParams(record: DeploymentRecord, file: string): ProtocolParams | undefined {
  const { params } = record as { params?: unknown };
  if (params === undefined) return undefined;
  const object = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);
  if (!object(params)) throw new DeploymentRecordError(file, "params", "is not {minStakePerGpu, thawingPeriod, maxGpusPerProvider, pauseDuration, economic}");
  // All or nothing, as the governance settings: a parameter missing beside the others is a mistake, not an older record.
  const whole = (from: Record<string, unknown>, prefix: string, field: string): number => {
    const value = from[field];
    if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
      throw new DeploymentRecordError(file, `${prefix}${field}`, `is ${JSON.stringify(value)}, not a whole number`);
    }
    return value;
  };
  const wei = (from: Record<string, unknown>, prefix: string, field: string): bigint => {
    const value = from[field];
    if (typeof value !== "string" || !/^\d+$/.test(value)) {
      throw new DeploymentRecordError(file, `${prefix}${field}`, `is ${JSON.stringify(value)}, not an amount in wei as a decimal string`);
    }
    return BigInt(value);
  };
  const economic = params.economic;
  if (!object(economic)) throw new DeploymentRecordError(file, "params.economic", `is ${JSON.stringify(economic)}, not the escrow's economic parameters`);
  const numbers = Object.fromEntries(ECONOMIC_NUMBERS.map((field) => [field, whole(economic, "params.economic.", field)])) as Record<(typeof ECONOMIC_NUMBERS)[number], number>;
  return {
    minStakePerGpu: wei(params, "params.", "minStakePerGpu"),
    thawingPeriod: whole(params, "params.", "thawingPeriod"),
    maxGpusPerProvider: whole(params, "params.", "maxGpusPerProvider"),
    pauseDuration: whole(params, "params.", "pauseDuration"),
    economic: {
      ...numbers,
      minTrackRecordCost: wei(economic, "params.economic.", "minTrackRecordCost"),
      disputeDeposit: wei(economic, "params.economic.", "disputeDeposit"),
    },
  };
}

/** `params` as a record keeps them. */
export function recordParams(params: ProtocolParams): RecordedParams {
  return {
    minStakePerGpu: params.minStakePerGpu.toString(),
    thawingPeriod: params.thawingPeriod,
    maxGpusPerProvider: params.maxGpusPerProvider,
    pauseDuration: params.pauseDuration,
    economic: {
      ...params.economic,
      minTrackRecordCost: params.economic.minTrackRecordCost.toString(),
      disputeDeposit: params.economic.disputeDeposit.toString(),
    },
  };
}

export interface LatentContracts {
  token: LatentToken;
  pauseGuardian: PauseGuardian;
  registry: ProviderRegistry;
  staking: Staking;
  jobEscrow: JobEscrow;
  disputeManager: DisputeManager;
  governor: LatentGovernor;
  timelock: LatentTimelock;
}

export interface ResolvedConfig {
  guardian: string;
  arbitrator: string;
  totalSupply: bigint;
  allocations: Allocation[];
  params: ProtocolParams;
  governance: GovernanceTimings;
}

export interface LatentDeployment {
  record: DeploymentRecord;
  contracts: LatentContracts;
  config: ResolvedConfig;
}

export const DEFAULT_TOTAL_SUPPLY = parseEther("1000000000");

const HOUR = 3600;
const DAY = 24 * HOUR;

export const DEFAULT_PARAMS: ProtocolParams = {
  minStakePerGpu: parseEther("100"),
  thawingPeriod: 7 * DAY,
  maxGpusPerProvider: 64,
  pauseDuration: 3 * DAY,
  economic: {
    protocolFeeBps: 250,
    collateralRatioBps: 5_000,
    timeoutSlashBps: 2_000,
    maxSlashingCutBps: 5_000,
    disputeRewardBps: 5_000,
    challengeWindow: DAY,
    grace: 15 * 60,
    // Longer than DEFAULT_GOVERNANCE takes to pass a ruling (8 days), since governance arbitrates by default.
    disputePeriod: 10 * DAY,
    // Five H100-hours at 2 LAT: a self-directed job must pay at least 0.25 LAT of fee (at 2.5%) to add a completion.
    minTrackRecordCost: parseEther("10"),
    disputeDeposit: parseEther("100"),
  },
};

/** Production-like governance: a day to prepare, five days to vote, 4% quorum, two days in the timelock. */
export const DEFAULT_GOVERNANCE: GovernanceTimings = {
  votingDelay: DAY,
  votingPeriod: 5 * DAY,
  proposalThreshold: parseEther("100000"),
  quorumNumerator: 4,
  timelockDelay: 2 * DAY,
};

/** Devnet governance: a proposal passes in a couple of minutes of (possibly fast-forwarded) time. */
export const DEVNET_GOVERNANCE: GovernanceTimings = {
  votingDelay: 10,
  votingPeriod: 60,
  proposalThreshold: parseEther("1000"),
  quorumNumerator: 4,
  timelockDelay: 60,
};

/**
 * Bounds the contracts enforce on each initial parameter, mirrored here so a bad option fails before any
 * transaction is sent (a failed constructor mid-way would break the address predictions). A test compares them
 * with the contracts' public constants.
 */
export const PARAM_BOUNDS = {
  minStakePerGpu: [parseEther("1"), parseEther("1000000")],
  thawingPeriod: [HOUR, 90 * DAY],
  maxGpusPerProvider: [1, 1024],
  pauseDuration: [HOUR, 14 * DAY],
  protocolFeeBps: [0, 1_000],
  collateralRatioBps: [1_000, 30_000],
  timeoutSlashBps: [500, 10_000],
  maxSlashingCutBps: [1_000, 10_000],
  disputeRewardBps: [0, 10_000],
  challengeWindow: [10 * 60, 7 * DAY],
  grace: [60, DAY],
  disputePeriod: [HOUR, 14 * DAY],
  minTrackRecordCost: [0n, parseEther("10000")],
  disputeDeposit: [parseEther("1"), parseEther("1000000")],
} as const satisfies Record<string, readonly [bigint | number, bigint | number]>;

/** Longest voting delay, voting period and timelock delay the governor and timelock accept (their MAX_* constants). */
export const GOVERNANCE_MAX_DURATION = 30 * DAY;
/** LatentGovernor.MIN_QUORUM_NUMERATOR, MAX_QUORUM_NUMERATOR (percent of the supply). */
export const GOVERNANCE_QUORUM_BOUNDS = [1, 50] as const;
/** LatentGovernor.maxProposalThreshold(): at most MAX_PROPOSAL_THRESHOLD_BPS of the supply. */
export function maxProposalThreshold(totalSupply: bigint): bigint {
  return (totalSupply * 100n) / 10_000n;
}

export class DeployConfigError extends Error {}

function checkBound(name: keyof typeof PARAM_BOUNDS, value: bigint | number): void {
  const [min, max] = PARAM_BOUNDS[name];
  if (BigInt(value) < BigInt(min) || BigInt(value) > BigInt(max)) {
    throw new DeployConfigError(`${name} = ${value} is outside [${min}, ${max}]`);
  }
}

/** Fills defaults and checks every option before anything is sent. */
export function resolveConfig(options: DeployOptions, deployerAddress: string, timelockAddress: string): ResolvedConfig {
  const economic: EconomicParams = { ...DEFAULT_PARAMS.economic, ...(options.params?.economic ?? {}) };
  const params: ProtocolParams = {
    minStakePerGpu: options.params?.minStakePerGpu ?? DEFAULT_PARAMS.minStakePerGpu,
    thawingPeriod: options.params?.thawingPeriod ?? DEFAULT_PARAMS.thawingPeriod,
    maxGpusPerProvider: options.params?.maxGpusPerProvider ?? DEFAULT_PARAMS.maxGpusPerProvider,
    pauseDuration: options.params?.pauseDuration ?? DEFAULT_PARAMS.pauseDuration,
    economic,
  };
  checkBound("minStakePerGpu", params.minStakePerGpu);
  checkBound("thawingPeriod", params.thawingPeriod);
  checkBound("maxGpusPerProvider", params.maxGpusPerProvider);
  checkBound("pauseDuration", params.pauseDuration);
  for (const key of Object.keys(economic) as (keyof EconomicParams)[]) checkBound(key, economic[key]);

  const governance: GovernanceTimings = { ...DEFAULT_GOVERNANCE, ...(options.governance ?? {}) };
  if (governance.votingPeriod < 1) throw new DeployConfigError("votingPeriod must be at least 1 second");
  const [minQuorum, maxQuorum] = GOVERNANCE_QUORUM_BOUNDS;
  if (!Number.isInteger(governance.quorumNumerator) || governance.quorumNumerator < minQuorum || governance.quorumNumerator > maxQuorum) {
    throw new DeployConfigError(`quorumNumerator ${governance.quorumNumerator} is not a whole percentage within [${minQuorum}, ${maxQuorum}] (LatentGovernor's bounds)`);
  }
  if (governance.timelockDelay < 0 || governance.votingDelay < 0) {
    throw new DeployConfigError("governance delays cannot be negative");
  }
  for (const key of ["votingDelay", "votingPeriod", "timelockDelay"] as const) {
    if (governance[key] > GOVERNANCE_MAX_DURATION) {
      throw new DeployConfigError(`${key} = ${governance[key]} is above ${GOVERNANCE_MAX_DURATION} seconds`);
    }
  }

  // Checked here, not by ethers when a constructor takes them: that would be after the first contracts are deployed
  // (and paid for), and ethers would resolve an ENS-looking name instead of refusing it.
  const address = (what: string, value: string | undefined): void => {
    if (value !== undefined && !isAddress(value)) throw new DeployConfigError(`${what} "${value}" is not an address (0x and 40 hex digits, with a valid checksum if mixed-case)`);
  };
  address("the guardian", options.guardian);
  address("the arbitrator", options.arbitrator);
  for (const [i, a] of (options.allocations ?? []).entries()) address(`allocation ${i}'s recipient`, a.to);

  const totalSupply = options.totalSupply ?? DEFAULT_TOTAL_SUPPLY;
  if (totalSupply <= 0n || totalSupply >= 2n ** 96n) throw new DeployConfigError("totalSupply must be in (0, 2^96)");
  const allocations = options.allocations ?? [];
  let allocated = 0n;
  for (const [i, a] of allocations.entries()) {
    if (a.to === ZeroAddress || a.to.toLowerCase() === deployerAddress.toLowerCase() || a.amount <= 0n) {
      throw new DeployConfigError(`allocation ${i} (${a.to}, ${a.amount}): no zero address, no deployer, no zero amount`);
    }
    allocated += a.amount;
  }
  if (allocated > totalSupply) throw new DeployConfigError(`allocations (${allocated}) exceed the supply (${totalSupply})`);
  if (governance.proposalThreshold < 0n || governance.proposalThreshold > maxProposalThreshold(totalSupply)) {
    throw new DeployConfigError(
      `proposalThreshold ${governance.proposalThreshold} is outside [0, ${maxProposalThreshold(totalSupply)}] (at most 1% of the supply, LatentGovernor's bound)`,
    );
  }

  const arbitrator = options.arbitrator ?? timelockAddress;
  if (arbitrator === ZeroAddress) throw new DeployConfigError("the arbitrator cannot be the zero address");
  // Governance rules by proposal: one that cannot pass before the dispute period ends turns every dispute into a
  // draw, so no provider could ever be slashed through a dispute.
  const ruling = governance.votingDelay + governance.votingPeriod + governance.timelockDelay;
  if (arbitrator.toLowerCase() === timelockAddress.toLowerCase() && ruling >= economic.disputePeriod) {
    throw new DeployConfigError(
      `the timelock arbitrates disputes, but a proposal takes ${ruling} seconds (votingDelay + votingPeriod + timelockDelay) ` +
        `and disputes expire after disputePeriod = ${economic.disputePeriod} seconds: lengthen disputePeriod, shorten ` +
        `governance, or name another arbitrator (LATENT_ARBITRATOR)`,
    );
  }
  return { guardian: options.guardian ?? ZeroAddress, arbitrator, totalSupply, allocations, params, governance };
}

/** The name a chain id is written under when none is given. */
export function defaultNetworkName(chainId: number): string {
  return chainId === 31337 ? "localhost" : `chain-${chainId}`;
}

async function deployed<T extends BaseContract>(
  name: ContractName,
  pending: Promise<T>,
  expected: string,
  log: (line: string) => void,
): Promise<{ contract: T; record: ContractRecord }> {
  const contract = await pending;
  const tx = contract.deploymentTransaction() as ContractTransactionResponse;
  const receipt = await tx.wait();
  if (receipt === null || receipt.status !== 1) throw new Error(`${name}: deployment transaction failed`);
  const address = await contract.getAddress();
  if (address.toLowerCase() !== expected.toLowerCase() || receipt.contractAddress?.toLowerCase() !== expected.toLowerCase()) {
    throw new Error(`${name} deployed at ${address}, predicted ${expected}: the deployer sent another transaction meanwhile`);
  }
  log(`${name.padEnd(16)} ${address} (block ${receipt.blockNumber})`);
  return { contract, record: { address, blockNumber: receipt.blockNumber } };
}

/** Deploys and wires the whole set; checks every prediction and every role before returning. */
export async function deployLatent(options: DeployOptions): Promise<LatentDeployment> {
  const log = options.log ?? (() => undefined);
  const deployer = options.deployer;
  const runner = deployer.provider;
  if (runner === null) throw new DeployConfigError("the deployer must be connected to a provider");
  const deployerAddress = await deployer.getAddress();
  const chainId = Number((await runner.getNetwork()).chainId);
  const nonce = await runner.getTransactionCount(deployerAddress, "pending");
  const predicted = Object.fromEntries(
    CONTRACT_NAMES.map((name, i) => [name, getCreateAddress({ from: deployerAddress, nonce: nonce + i })]),
  ) as Record<ContractName, string>;
  const config = resolveConfig(options, deployerAddress, predicted.LatentTimelock);
  // The DisputeManager's constructor refuses these (DisputeManagerArbitratorIsProtocolContract), but only after the
  // six contracts before it are deployed and paid for. The timelock rules by proposal, the governor through `relay`.
  const arbitrating = CONTRACT_NAMES.find(
    (name) => name !== "LatentTimelock" && name !== "LatentGovernor" && predicted[name].toLowerCase() === config.arbitrator.toLowerCase(),
  );
  if (arbitrating !== undefined) {
    throw new DeployConfigError(
      `the arbitrator ${config.arbitrator} is the ${arbitrating} this deployment creates, which cannot rule disputes: ` +
        `name an account or a council's multisig (LATENT_ARBITRATOR), or leave it unset for the timelock (governance rules by proposal)`,
    );
  }
  const { params, governance } = config;
  const at = (i: number) => ({ nonce: nonce + i });

  const timelock = await deployed(
    "LatentTimelock",
    new LatentTimelock__factory(deployer).deploy(
      governance.timelockDelay,
      [predicted.LatentGovernor],
      [ZeroAddress],
      ZeroAddress,
      at(0),
    ),
    predicted.LatentTimelock,
    log,
  );
  const token = await deployed(
    "LatentToken",
    new LatentToken__factory(deployer).deploy(
      predicted.LatentTimelock,
      config.totalSupply,
      config.allocations.map((a) => a.to),
      config.allocations.map((a) => a.amount),
      [predicted.Staking, predicted.JobEscrow, predicted.DisputeManager],
      at(1),
    ),
    predicted.LatentToken,
    log,
  );
  const pauseGuardian = await deployed(
    "PauseGuardian",
    new PauseGuardian__factory(deployer).deploy(predicted.LatentTimelock, config.guardian, params.pauseDuration, at(2)),
    predicted.PauseGuardian,
    log,
  );
  const registry = await deployed(
    "ProviderRegistry",
    new ProviderRegistry__factory(deployer).deploy(
      predicted.LatentTimelock,
      predicted.Staking,
      predicted.JobEscrow,
      predicted.PauseGuardian,
      params.maxGpusPerProvider,
      at(3),
    ),
    predicted.ProviderRegistry,
    log,
  );
  const staking = await deployed(
    "Staking",
    new Staking__factory(deployer).deploy(
      predicted.LatentTimelock,
      predicted.LatentToken,
      predicted.JobEscrow,
      predicted.PauseGuardian,
      predicted.LatentTimelock,
      params.minStakePerGpu,
      params.thawingPeriod,
      at(4),
    ),
    predicted.Staking,
    log,
  );
  const economic: IJobEscrow.EconomicParamsStruct = { ...params.economic };
  const jobEscrow = await deployed(
    "JobEscrow",
    new JobEscrow__factory(deployer).deploy(
      predicted.LatentTimelock,
      predicted.LatentToken,
      predicted.ProviderRegistry,
      predicted.Staking,
      predicted.DisputeManager,
      predicted.PauseGuardian,
      economic,
      at(5),
    ),
    predicted.JobEscrow,
    log,
  );
  const disputeManager = await deployed(
    "DisputeManager",
    new DisputeManager__factory(deployer).deploy(
      predicted.LatentTimelock,
      predicted.LatentToken,
      predicted.JobEscrow,
      predicted.ProviderRegistry,
      config.arbitrator,
      at(6),
    ),
    predicted.DisputeManager,
    log,
  );
  const governor = await deployed(
    "LatentGovernor",
    new LatentGovernor__factory(deployer).deploy(
      predicted.LatentToken,
      predicted.LatentTimelock,
      governance.votingDelay,
      governance.votingPeriod,
      governance.proposalThreshold,
      governance.quorumNumerator,
      at(7),
    ),
    predicted.LatentGovernor,
    log,
  );

  const contracts: LatentContracts = {
    token: token.contract,
    pauseGuardian: pauseGuardian.contract,
    registry: registry.contract,
    staking: staking.contract,
    jobEscrow: jobEscrow.contract,
    disputeManager: disputeManager.contract,
    governor: governor.contract,
    timelock: timelock.contract,
  };
  await verifyWiring(contracts, deployerAddress, config, token.record.blockNumber);
  const genesis = await runner.getBlock(0);

  const record: DeploymentRecord = {
    network: options.networkName ?? defaultNetworkName(chainId),
    chainId,
    ...(genesis?.hash ? { genesisHash: genesis.hash } : {}),
    deployer: deployerAddress,
    contracts: {
      LatentToken: token.record,
      PauseGuardian: pauseGuardian.record,
      ProviderRegistry: registry.record,
      Staking: staking.record,
      JobEscrow: jobEscrow.record,
      DisputeManager: disputeManager.record,
      LatentGovernor: governor.record,
      LatentTimelock: timelock.record,
    },
    allocations: config.allocations.map((a) => ({ to: a.to, amount: a.amount.toString() })),
    guardian: config.guardian,
    arbitrator: config.arbitrator,
    totalSupply: config.totalSupply.toString(),
    governance: { ...governance, proposalThreshold: governance.proposalThreshold.toString() },
    params: recordParams(params),
  };
  return { record, contracts, config };
}

/** One of `wiringChecks`' checks: `<contract>.<getter>` for an address or setting a constructor stored, else a property. */
export interface WiringCheck {
  name: string;
  ok: boolean;
  /** Why the check could not run (ok is then true: nothing known is wrong); absent when it ran. */
  skipped?: string;
  /** For an address: what the contract holds and what the deployment gave its constructor. */
  actual?: string;
  expected?: string;
  /** For a timelock role check: the role and account it reads, and whether the deployment left the account holding it. */
  timelockRole?: TimelockRoleCheck;
}

export type TimelockRoleName = "admin" | "proposer" | "canceller" | "executor";

export interface TimelockRoleCheck {
  role: TimelockRoleName;
  /** The role's bytes32 id, as AccessControl's RoleGranted and RoleRevoked log it. */
  id: string;
  account: string;
  /** Whether the deployment left `account` holding `role` (the check passes when the chain agrees). */
  held: boolean;
}

/**
 * What the deployment gave the contracts beyond its own addresses: the configured guardian and arbitrator, the
 * token's supply and allocations (the rest of the supply goes to the treasury, the timelock), and the governor's and
 * timelock's settings.
 */
export type WiringRoles = Pick<ResolvedConfig, "guardian" | "arbitrator" | "totalSupply" | "governance" | "params"> & {
  /** Undefined where they are not known (a record written before they were kept): the mints are then not checked. */
  allocations: Allocation[] | undefined;
};

/**
 * How the checks ask for logs in blocks `from` to `to` (`what` names them): `query` as it is, or in ranges a node
 * accepts (`deployment verify` on a public RPC).
 */
export type LogReader = <T>(what: string, from: number, to: number, query: (from: number, to: number) => Promise<T[]>) => Promise<T[]>;

/** queryLogRange's: a range a node refuses is split, and a block it refuses is named in a ChainQueryError. */
const readLogsInRanges: LogReader = async (what, from, to, query) => (await queryLogRange(what, from, to, query)).logs;

/**
 * Reads back every address a constructor stored (each contract's public immutables, and the guardian, arbitrator
 * and treasury it was constructed with), the governor's and timelock's settings, the protocol parameters (staking's,
 * the registry's, the pause guardian's and the escrow's current version), each role and each custodian, and the
 * token's mints, and says whether each is what the deployment gave it. A test swaps in a contract with each address
 * getter of the contracts' ABIs wrong, so a new immutable fails it until it is checked here. `mintBlock` is the token's deployment block, where its constructor minted
 * everything: required, as a search of the whole chain is a range public RPCs refuse (and a long one on any chain).
 */
export async function wiringChecks(
  c: LatentContracts,
  deployer: string,
  roles: WiringRoles,
  mintBlock: number,
  readLogs: LogReader = readLogsInRanges,
): Promise<WiringCheck[]> {
  const a = {
    token: await c.token.getAddress(),
    pauseGuardian: await c.pauseGuardian.getAddress(),
    registry: await c.registry.getAddress(),
    staking: await c.staking.getAddress(),
    jobEscrow: await c.jobEscrow.getAddress(),
    disputeManager: await c.disputeManager.getAddress(),
    governor: await c.governor.getAddress(),
    timelock: await c.timelock.getAddress(),
  };
  const stored: [string, () => Promise<string>, string][] = [
    ["pauseGuardian.governance", () => c.pauseGuardian.governance(), a.timelock],
    ["pauseGuardian.guardian", () => c.pauseGuardian.guardian(), roles.guardian],
    ["registry.governance", () => c.registry.governance(), a.timelock],
    ["registry.staking", () => c.registry.staking(), a.staking],
    ["registry.jobEscrow", () => c.registry.jobEscrow(), a.jobEscrow],
    ["registry.pauseGuardian", () => c.registry.pauseGuardian(), a.pauseGuardian],
    ["staking.governance", () => c.staking.governance(), a.timelock],
    ["staking.token", () => c.staking.token(), a.token],
    ["staking.jobEscrow", () => c.staking.jobEscrow(), a.jobEscrow],
    ["staking.pauseGuardian", () => c.staking.pauseGuardian(), a.pauseGuardian],
    ["staking.treasury", () => c.staking.treasury(), a.timelock],
    ["jobEscrow.governance", () => c.jobEscrow.governance(), a.timelock],
    ["jobEscrow.token", () => c.jobEscrow.token(), a.token],
    ["jobEscrow.registry", () => c.jobEscrow.registry(), a.registry],
    ["jobEscrow.staking", () => c.jobEscrow.staking(), a.staking],
    ["jobEscrow.disputeManager", () => c.jobEscrow.disputeManager(), a.disputeManager],
    ["jobEscrow.pauseGuardian", () => c.jobEscrow.pauseGuardian(), a.pauseGuardian],
    ["disputeManager.governance", () => c.disputeManager.governance(), a.timelock],
    ["disputeManager.token", () => c.disputeManager.token(), a.token],
    ["disputeManager.jobEscrow", () => c.disputeManager.jobEscrow(), a.jobEscrow],
    ["disputeManager.registry", () => c.disputeManager.registry(), a.registry],
    ["disputeManager.arbitrator", () => c.disputeManager.arbitrator(), roles.arbitrator],
    ["governor.timelock", () => c.governor.timelock(), a.timelock],
    ["governor.token", () => c.governor.token(), a.token],
  ];
  const checks: WiringCheck[] = [];
  for (const [name, read, expected] of stored) {
    const actual = await read();
    checks.push({ name, ok: actual.toLowerCase() === expected.toLowerCase(), actual, expected });
  }
  // The settings the governor and timelock were constructed with; named after their getters, in decimal.
  const g = roles.governance;
  const settings: [string, () => Promise<bigint>, bigint | number][] = [
    ["governor.votingDelay", () => c.governor.votingDelay(), g.votingDelay],
    ["governor.votingPeriod", () => c.governor.votingPeriod(), g.votingPeriod],
    ["governor.proposalThreshold", () => c.governor.proposalThreshold(), g.proposalThreshold],
    ["governor.quorumNumerator", () => c.governor["quorumNumerator()"](), g.quorumNumerator],
    ["timelock.getMinDelay", () => c.timelock.getMinDelay(), g.timelockDelay],
  ];
  for (const [name, read, expected] of settings) {
    const actual = await read();
    checks.push({ name, ok: actual === BigInt(expected), actual: `${actual}`, expected: `${expected}` });
  }
  // The protocol parameters the constructors were given, named after the getter (the escrow's, fields of its current
  // version, getParams(currentParamsId())), in decimal.
  const p = roles.params;
  const e = await c.jobEscrow.getParams(await c.jobEscrow.currentParamsId());
  const params: [string, bigint, bigint | number][] = [
    ["staking.minStakePerGpu", await c.staking.minStakePerGpu(), p.minStakePerGpu],
    ["staking.thawingPeriod", await c.staking.thawingPeriod(), p.thawingPeriod],
    ["registry.maxGpusPerProvider", await c.registry.maxGpusPerProvider(), p.maxGpusPerProvider],
    ["pauseGuardian.pauseDuration", await c.pauseGuardian.pauseDuration(), p.pauseDuration],
    ...ECONOMIC_PARAM_NAMES.map((field): [string, bigint, bigint | number] => [`jobEscrow.${field}`, e[field], p.economic[field]]),
  ];
  for (const [name, actual, expected] of params) {
    checks.push({ name, ok: actual === BigInt(expected), actual: `${actual}`, expected: `${expected}` });
  }
  // The timelock's proposers, executors and admin, and the token's custodians, are not readable as addresses.
  const [admin, proposer, canceller, executor] = await Promise.all([
    c.timelock.DEFAULT_ADMIN_ROLE(),
    c.timelock.PROPOSER_ROLE(),
    c.timelock.CANCELLER_ROLE(),
    c.timelock.EXECUTOR_ROLE(),
  ]);
  const ids: Record<TimelockRoleName, string> = { admin, proposer, canceller, executor };
  const roleChecks: [string, TimelockRoleName, string, boolean][] = [
    ["timelock proposer", "proposer", a.governor, true],
    ["timelock canceller", "canceller", a.governor, true],
    ["timelock open executor", "executor", ZeroAddress, true],
    // TimelockController grants itself the admin role; with no other admin, roles change only by proposal.
    ["timelock administers itself", "admin", a.timelock, true],
    ["governor not admin", "admin", a.governor, false],
  ];
  // Accounts the deployment knows that must not keep control of the timelock: the deployer (it sent every
  // constructor) and the configured guardian and arbitrator, unless one of them is the timelock itself (the default
  // arbitrator) or zero (no guardian). The executor role is open, so an explicit grant is a mis-wiring too.
  const outsiders: [string, string][] = [["deployer", deployer]];
  if (roles.guardian !== ZeroAddress && roles.guardian.toLowerCase() !== a.timelock.toLowerCase()) {
    outsiders.push(["guardian", roles.guardian]);
  }
  if (roles.arbitrator !== ZeroAddress && roles.arbitrator.toLowerCase() !== a.timelock.toLowerCase()) {
    outsiders.push(["arbitrator", roles.arbitrator]);
  }
  for (const [who, account] of outsiders) {
    for (const role of ["admin", "proposer", "canceller", "executor"] as const) roleChecks.push([`${who} not ${role}`, role, account, false]);
  }
  for (const [name, role, account, held] of roleChecks) {
    const holds = await c.timelock.hasRole(ids[role], account);
    checks.push({ name, ok: holds === held, timelockRole: { role, id: ids[role], account, held } });
  }
  // Where the record lists the allocations, the mints (checked below) are what the deployment gave: none to the
  // deployer unless an allocation names it. What it holds later is state, not wiring: LAT sent to it since (the
  // README's walk funds account #0, the devnet's deployer, to stake as a new provider) must not fail verify.
  const deployerCheck: [string, boolean] =
    roles.allocations === undefined
      ? ["deployer holds no LAT", (await c.token.balanceOf(deployer)) === 0n]
      : ["deployer is allocated no LAT", roles.allocations.every((x) => x.to.toLowerCase() !== deployer.toLowerCase())];
  const properties: [string, boolean][] = [
    deployerCheck,
    ["staking is a custodian", await c.token.isCustodian(a.staking)],
    ["jobEscrow is a custodian", await c.token.isCustodian(a.jobEscrow)],
    ["disputeManager is a custodian", await c.token.isCustodian(a.disputeManager)],
  ];
  for (const [name, ok] of properties) checks.push({ name, ok });
  // The token has no treasury getter, but it mints only in its constructor: its Transfers from address zero are the
  // allocations in order, then the rest of the supply to the treasury (the timelock).
  if (roles.allocations === undefined) {
    checks.push({ name: "token.mints", ok: true, skipped: "the allocations are not recorded" });
  } else {
    const allocated = roles.allocations.reduce((sum, x) => sum + x.amount, 0n);
    const expectedMints = roles.allocations.map((x) => `${x.amount} to ${x.to}`);
    if (roles.totalSupply > allocated) expectedMints.push(`${roles.totalSupply - allocated} to ${a.timelock}`);
    const minted = c.token.filters.Transfer(ZeroAddress);
    // The token mints only in its constructor, so one block holds every mint: a range any node serves.
    const mints = await readLogs("LatentToken's mints (Transfer from address zero)", mintBlock, mintBlock, (from, to) => c.token.queryFilter(minted, from, to));
    const actualMints = mints.map((e) => `${e.args.value} to ${e.args.to}`);
    const describe = (list: string[]) => (list.length === 0 ? "nothing" : list.join("; "));
    checks.push({
      name: "token.mints",
      ok: actualMints.join(",").toLowerCase() === expectedMints.join(",").toLowerCase(),
      actual: describe(actualMints),
      expected: describe(expectedMints),
    });
  }
  const supply = await c.token.totalSupply();
  checks.push({ name: "token.totalSupply", ok: supply === roles.totalSupply, actual: `${supply}`, expected: `${roles.totalSupply}` });
  return checks;
}

/**
 * Runs `wiringChecks`; throws naming every check that fails (with both values where it compares values).
 * `mintBlock` is the token's deployment block, where its mints are.
 */
export async function verifyWiring(c: LatentContracts, deployer: string, roles: WiringRoles, mintBlock: number): Promise<void> {
  const failed = (await wiringChecks(c, deployer, roles, mintBlock))
    .filter((check) => !check.ok)
    .map(({ name, actual, expected }) => (actual === undefined ? name : `${name} is ${actual}, not ${expected}`));
  if (failed.length > 0) throw new Error(`deployment wiring check failed: ${failed.join(", ")}`);
}

/** Attaches typed contracts to a deployment record (e.g. one read from deployments/<network>.json). */
export function attachLatent(record: DeploymentRecord, runner: ContractRunner): LatentContracts {
  const c = record.contracts;
  return {
    token: LatentToken__factory.connect(c.LatentToken.address, runner),
    pauseGuardian: PauseGuardian__factory.connect(c.PauseGuardian.address, runner),
    registry: ProviderRegistry__factory.connect(c.ProviderRegistry.address, runner),
    staking: Staking__factory.connect(c.Staking.address, runner),
    jobEscrow: JobEscrow__factory.connect(c.JobEscrow.address, runner),
    disputeManager: DisputeManager__factory.connect(c.DisputeManager.address, runner),
    governor: LatentGovernor__factory.connect(c.LatentGovernor.address, runner),
    timelock: LatentTimelock__factory.connect(c.LatentTimelock.address, runner),
  };
}

/**
 * A LatentDeployment for an existing record (e.g. deployments/localhost.json written by `npm start`): contracts
 * attached to `runner`, and the configuration read back from the chain (parameters in force now, not necessarily
 * the initial ones, the guardian, arbitrator and supply included: `deployment verify` compares those with the record's,
 * recordedRoles). The allocations come from the record (checked, with its other optional fields: a malformed one is a
 * DeploymentRecordError naming `file`); a record written before they were kept gives none.
 */
export async function loadDeployment(record: DeploymentRecord, runner: ContractRunner, file = `${record.network}.json`): Promise<LatentDeployment> {
  const allocations = recordedAllocations(record, file) ?? [];
  recordedRoles(record, file);
  recordedParams(record, file);
  const c = attachLatent(record, runner);
  const e = await c.jobEscrow.getParams(await c.jobEscrow.currentParamsId());
  const config: ResolvedConfig = {
    guardian: await c.pauseGuardian.guardian(),
    arbitrator: await c.disputeManager.arbitrator(),
    totalSupply: await c.token.totalSupply(),
    allocations,
    params: {
      minStakePerGpu: await c.staking.minStakePerGpu(),
      thawingPeriod: Number(await c.staking.thawingPeriod()),
      maxGpusPerProvider: Number(await c.registry.maxGpusPerProvider()),
      pauseDuration: Number(await c.pauseGuardian.pauseDuration()),
      economic: {
        protocolFeeBps: Number(e.protocolFeeBps),
        collateralRatioBps: Number(e.collateralRatioBps),
        timeoutSlashBps: Number(e.timeoutSlashBps),
        maxSlashingCutBps: Number(e.maxSlashingCutBps),
        disputeRewardBps: Number(e.disputeRewardBps),
        challengeWindow: Number(e.challengeWindow),
        grace: Number(e.grace),
        disputePeriod: Number(e.disputePeriod),
        minTrackRecordCost: e.minTrackRecordCost,
        disputeDeposit: e.disputeDeposit,
      },
    },
    governance: {
      votingDelay: Number(await c.governor.votingDelay()),
      votingPeriod: Number(await c.governor.votingPeriod()),
      proposalThreshold: await c.governor.proposalThreshold(),
      quorumNumerator: Number(await c.governor["quorumNumerator()"]()),
      timelockDelay: Number(await c.timelock.getMinDelay()),
    },
  };
  return { record, contracts: c, config };
}

/** deployments/ at the repository root: the records' home unless LATENT_DEPLOYMENTS_DIR names another. */
export const DEFAULT_DEPLOYMENTS_DIR = path.resolve(__dirname, "..", "deployments");

/**
 * LATENT_DEPLOYMENTS_DIR, or deployments/: where this script writes records and where the Hardhat tasks and `npm
 * start` look for them, so that one variable moves them for all three.
 */
export function deploymentsDir(env: NodeJS.ProcessEnv = process.env): string {
  const dir = env.LATENT_DEPLOYMENTS_DIR;
  return dir === undefined || dir === "" ? DEFAULT_DEPLOYMENTS_DIR : path.resolve(dir);
}

/** Writes `<dir>/<network>.json` and returns its path. */
export function writeDeploymentRecord(record: DeploymentRecord, dir = DEFAULT_DEPLOYMENTS_DIR): string {
  makeDirectory(dir);
  const file = path.join(dir, `${record.network}.json`);
  fs.writeFileSync(file, `${JSON.stringify(record, null, 2)}\n`);
  return file;
}

/** Reads `<dir>/<network>.json`. */
export function readDeploymentRecord(network: string, dir = DEFAULT_DEPLOYMENTS_DIR): DeploymentRecord {
  return JSON.parse(fs.readFileSync(path.join(dir, `${network}.json`), "utf8")) as DeploymentRecord;
}

/** Parses LATENT_ALLOCATIONS: comma-separated `address:amountInLAT`. */
export function parseAllocations(spec: string | undefined): Allocation[] {
  if (spec === undefined || spec.trim() === "") return [];
  return spec.split(",").map((item) => {
    const [to, amount, extra] = item.trim().split(":");
    if (to === undefined || amount === undefined || extra !== undefined) throw new DeployConfigError(`LATENT_ALLOCATIONS: bad allocation "${item}" (want 0xaddress:amountInLAT)`);
    if (!isAddress(to.trim())) throw new DeployConfigError(`LATENT_ALLOCATIONS: "${to}" in "${item}" is not an address`);
    if (!/^\d+(\.\d{1,18})?$/.test(amount.trim())) throw new DeployConfigError(`LATENT_ALLOCATIONS: "${amount}" in "${item}" is not a LAT amount such as 1500 or 0.25`);
    return { to: to.trim(), amount: parseEther(amount.trim()) };
  });
}

/** LATENT_GUARDIAN's value for no guardian (the zero address: only governance can pause). */
export const GUARDIAN_NONE = "none";

/** The CLI's options from its environment: LATENT_GUARDIAN, LATENT_ARBITRATOR, LATENT_ALLOCATIONS, LATENT_DEVNET=1. */
export function deployOptionsFromEnv(env: NodeJS.ProcessEnv): Pick<DeployOptions, "guardian" | "arbitrator" | "allocations" | "governance" | "params"> {
  const devnet = env.LATENT_DEVNET === "1";
  for (const name of ["LATENT_GUARDIAN", "LATENT_ARBITRATOR"] as const) {
    const value = env[name];
    if (value === undefined || (name === "LATENT_GUARDIAN" && value === GUARDIAN_NONE)) continue;
    const orNone = name === "LATENT_GUARDIAN" ? `, nor ${GUARDIAN_NONE} for no guardian` : "";
    if (!isAddress(value)) throw new DeployConfigError(`${name} "${value}" is not an address (0x and 40 hex digits, with a valid checksum if mixed-case)${orNone}`);
    // The zero address is what an unfilled template leaves: as a guardian it would deploy with no one able to pause,
    // unsaid (no guardian is said with "none"); as an arbitrator resolveConfig refuses it, but without the variable's name.
    if (value.toLowerCase() === ZeroAddress) {
      throw new DeployConfigError(
        name === "LATENT_GUARDIAN"
          ? `LATENT_GUARDIAN "${value}" is the zero address: set LATENT_GUARDIAN=${GUARDIAN_NONE} for no guardian (then only governance can pause), or the guardian's address`
          : `LATENT_ARBITRATOR "${value}" is the zero address, which cannot rule disputes: set it to the arbitrator's address, or leave it unset for the timelock (governance rules by proposal)`,
      );
    }
  }
  return {
    guardian: env.LATENT_GUARDIAN === GUARDIAN_NONE ? ZeroAddress : env.LATENT_GUARDIAN,
    arbitrator: env.LATENT_ARBITRATOR,
    allocations: parseAllocations(env.LATENT_ALLOCATIONS),
    governance: devnet ? DEVNET_GOVERNANCE : undefined,
    params: devnet ? { thawingPeriod: HOUR } : undefined,
  };
}

/** The networks the CLI deploys to for development: a deployment there whose governance can never act costs nothing. */
export const DEV_NETWORK_NAMES: readonly string[] = ["hardhat", "localhost"];

/**
 * Refuses, on any network but a development one, allocations too small for governance ever to act. What is not
 * allocated is minted to the timelock, which spends it only by executing a passed proposal, and a proposal passes
 * only with a quorum of the whole supply's votes (and is made only with the threshold's): the timelock's own tokens
 * are not delegated, so only the allocations can ever vote. Below the larger of the two, the treasury, every
 * parameter and (by default) the arbitration of disputes would be out of reach for good, on a deployment already
 * paid for.
 */
export function checkGovernanceCanAct(
  networkName: string,
  options: Pick<DeployOptions, "allocations" | "governance" | "totalSupply">,
): void {
  if (DEV_NETWORK_NAMES.includes(networkName)) return;
  const governance: GovernanceTimings = { ...DEFAULT_GOVERNANCE, ...(options.governance ?? {}) };
  const totalSupply = options.totalSupply ?? DEFAULT_TOTAL_SUPPLY;
  const quorum = (totalSupply * BigInt(governance.quorumNumerator)) / 100n;
  const needed = quorum > governance.proposalThreshold ? quorum : governance.proposalThreshold;
  const allocated = (options.allocations ?? []).reduce((sum, a) => sum + a.amount, 0n);
  if (allocated >= needed) return;
  const lat = (wei: bigint): string => formatEther(wei).replace(/\.0$/, "");
  throw new DeployConfigError(
    `LATENT_ALLOCATIONS gives out ${lat(allocated)} LAT, less than the ${lat(needed)} LAT governance needs ` +
      `(a proposal's quorum is ${governance.quorumNumerator}% of the ${lat(totalSupply)} LAT supply; making one takes ` +
      `${lat(governance.proposalThreshold)} LAT of votes): the rest goes to the timelock, which only a passed ` +
      `proposal can spend, so no proposal could ever pass on network "${networkName}". Allocate at least ` +
      `${lat(needed)} LAT (LATENT_ALLOCATIONS=0xaddress:amountInLAT,...)`,
  );
}

/**
 * Refuses, on any network but a development one, to deploy where `<dir>/<network>.json` already holds a record: the
 * new one would replace it, and with it the only note of where the earlier contracts are (what the gateway, the
 * subgraph manifest and `deployment verify` read).
 */
export function checkNoRecordToReplace(networkName: string, dir: string): void {
  if (DEV_NETWORK_NAMES.includes(networkName)) return;
  const file = path.join(dir, `${networkName}.json`);
  if (!fs.existsSync(file)) return;
  throw new DeployConfigError(
    `${file} already holds a deployment on network "${networkName}", which this one's record would replace: move it ` +
      "away to deploy again, or set LATENT_DEPLOYMENTS_DIR to write the record elsewhere",
  );
}

/**
 * Refuses a deployments directory that cannot take the record: written only after every contract is deployed, a
 * record that fails then leaves contracts whose addresses only the log holds. Not Node's recursive mkdir, which never
 * returns for a path such as /proc/x (makeDirectory).
 */
export function checkRecordWritable(dir: string): void {
  try {
    makeWritableDirectory(dir);
  } catch (error) {
    if (!(error instanceof DirectoryRefusedError)) throw error;
    throw new DeployConfigError(
      `the deployment record cannot be written to ${dir} (${error.why}): set LATENT_DEPLOYMENTS_DIR to a directory this user can write`,
      { cause: error },
    );
  }
}

/**
 * Refuses, on any network but a development one, a deployment with LATENT_GUARDIAN unset: its default, no guardian,
 * leaves no one able to pause in an emergency until governance names one (a vote and the timelock's delay later), so
 * it must be chosen (LATENT_GUARDIAN=none), never come from a forgotten variable.
 */
export function checkGuardianChosen(networkName: string, env: NodeJS.ProcessEnv): void {
  if (DEV_NETWORK_NAMES.includes(networkName)) return;
  if (env.LATENT_GUARDIAN !== undefined) return;
  throw new DeployConfigError(
    `LATENT_GUARDIAN is not set on network "${networkName}": set it to the pause guardian's address, or to ` +
      `LATENT_GUARDIAN=${GUARDIAN_NONE} for no guardian (then only governance can pause, after a vote and the timelock's delay)`,
  );
}

/**
 * Refuses Hardhat's in-process network (`--network hardhat`, or no --network): its chain starts empty for this one
 * command and is gone when it ends, so a record of it would name contracts that exist nowhere, which the tasks, the
 * gateway and `npm start --rpc-url` would then find for any other chain 31337 (a fresh `npx hardhat node`) by its id.
 */
export function checkPersistentNetwork(networkName: string): void {
  if (networkName !== "hardhat") return;
  throw new DeployConfigError(
    'network "hardhat" is Hardhat\'s in-process chain, gone when this command ends, so its deployment could be used by nothing: ' +
      "deploy to a node that keeps running (npx hardhat node, then npm run deploy -- --network localhost; or npm start, which deploys its own), " +
      "or to a real chain with --network remote",
  );
}

async function main(): Promise<void> {
  const hre = await import("hardhat");
  checkPersistentNetwork(hre.network.name);
  const [deployer] = await hre.ethers.getSigners();
  if (deployer === undefined) {
    throw new DeployConfigError(`no deployer account on network "${hre.network.name}": set DEPLOYER_PRIVATE_KEY`);
  }
  const options = deployOptionsFromEnv(process.env);
  // Before the first transaction: nothing is spent on a deployment refused.
  checkGovernanceCanAct(hre.network.name, options);
  checkNoRecordToReplace(hre.network.name, deploymentsDir());
  checkRecordWritable(deploymentsDir());
  checkGuardianChosen(hre.network.name, process.env);
  const deployment = await deployLatent({
    deployer,
    ...options,
    networkName: hre.network.name,
    log: (line) => console.log(line),
  });
  console.log(`wrote ${writeDeploymentRecord(deployment.record, deploymentsDir())}`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    // A configuration mistake is one line; anything else keeps its stack.
    console.error(error instanceof DeployConfigError ? `deploy: ${error.message}` : error);
    process.exitCode = 1;
  });
}
