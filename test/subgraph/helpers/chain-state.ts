// What the contracts say at one block, read through their view functions with `{ blockTag }`: the reference the
// indexed entities are compared with. Event logs are used only to find *where* to look (which addresses were
// touched, the block before a deregistration or a withdrawal, the block of a slash), never as the values compared.
import type { Scenario, ScenarioSummary } from "../../../scripts/scenario";
import { CONTRACT_NAMES } from "../../../scripts/deploy";

/** IJobEscrow.JobStatus names, as the schema's JobStatus enum spells them (index = the Solidity value). */
export const JOB_STATUS = [
  "None",
  "Open",
  "Accepted",
  "Submitted",
  "Disputed",
  "Completed",
  "Cancelled",
  "Expired",
  "Declined",
  "TimedOut",
  "Refunded",
] as const;
export type JobStatusName = (typeof JOB_STATUS)[number];
export const UNFINISHED: readonly JobStatusName[] = ["Open", "Accepted", "Submitted", "Disputed"];
export const TIER = ["Any", "Enterprise", "Consumer"] as const;
export const RULING = ["None", "Upheld", "Rejected", "Draw", "Expired"] as const;
/** OpenZeppelin IGovernor.ProposalState. */
export const PROPOSAL_STATE = ["Pending", "Active", "Canceled", "Defeated", "Succeeded", "Queued", "Expired", "Executed"] as const;
export type ProposalStateName = (typeof PROPOSAL_STATE)[number];

export const ZERO_ADDRESS = "0x0000000000000000000000000000000000000000";

export interface Listing {
  gpuModel: string;
  region: string;
  vramGiB: number;
  tier: (typeof TIER)[number];
  pricePerGpuHour: bigint;
}

export interface ThawRequestView {
  index: number;
  pending: boolean;
  /** For a withdrawn request: read just before the withdrawal that paid it. */
  amount: bigint;
  maturesAt: bigint;
}

export interface ProviderView {
  address: string;
  registered: boolean;
  online: boolean;
  operator: string;
  gpuCount: number;
  gpusInUse: number;
  freeGpus: number;
  isActive: boolean;
  /** The listing now, or for a deregistered provider the one it had just before it left (null: never listed). */
  listing: Listing | null;
  staked: bigint;
  locked: bigint;
  thawing: bigint;
  freeStake: bigint;
  /** Staking.maxSlashRewardBps. */
  maxSlashRewardBps: number;
  hasMinimumStake: boolean;
  completed: number;
  timedOut: number;
  disputesLost: number;
  thawRequests: ThawRequestView[];
  thawFirst: number;
}

export interface JobView {
  id: number;
  client: string;
  escrowed: bigint;
  /** JobEscrow's `provider`: the target until accepted, then the accepting provider. */
  provider: string;
  status: JobStatusName;
  deadline: bigint;
  acceptedAt: bigint;
  termsHash: string;
  pricePerGpuHour: bigint;
  gpuCount: number;
  maxDuration: bigint;
  paramsId: number;
  submittedAt: bigint;
  /** Staking.jobCollateral(jobId): the collateral locked now. */
  lockedCollateral: bigint;
  dispute: DisputeView | null;
  /** Collateral slashed for the job (measured on the provider's stake across the slashing block). */
  slashed: bigint;
  /** The provider's Staking.maxSlashRewardBps when the job was slashed (10,000, no cap, for a job never slashed). */
  maxSlashRewardBps: number;
  /** Who gave the job back (JobEscrow.abandonJob): the sender of the transaction that did; null for any other job. */
  abandonedBy: string | null;
}

export interface DisputeView {
  deposit: bigint;
  openedAt: bigint;
  ruleDeadline: bigint;
  ruling: (typeof RULING)[number];
  answered: boolean;
}

export interface EconomicParamsView {
  protocolFeeBps: number;
  collateralRatioBps: number;
  timeoutSlashBps: number;
  maxSlashingCutBps: number;
  disputeRewardBps: number;
  challengeWindow: bigint;
  grace: bigint;
  disputePeriod: bigint;
  minTrackRecordCost: bigint;
  disputeDeposit: bigint;
}

export interface AccountView {
  address: string;
  balance: bigint;
  votes: bigint;
  delegate: string;
}

export interface ProposalView {
  id: bigint;
  state: ProposalStateName;
  proposer: string;
  voteStart: bigint;
  voteEnd: bigint;
  eta: bigint;
  quorum: bigint;
  againstVotes: bigint;
  forVotes: bigint;
  abstainVotes: bigint;
}

export interface TimelockOperationView {
  id: string;
  pending: boolean;
  done: boolean;
  /** TimelockController.getTimestamp: 0 unset (never scheduled, or cancelled), 1 done, else ready time. */
  timestamp: bigint;
}

export interface ChainState {
  block: number;
  timestamp: number;
  providers: Map<string, ProviderView>;
  jobs: JobView[];
  jobCount: number;
  currentParamsId: number;
  params: Map<number, EconomicParamsView>;
  accounts: Map<string, AccountView>;
  totalSupply: bigint;
  proposals: Map<string, ProposalView>;
  operations: Map<string, TimelockOperationView>;
  /** `${role}${account without 0x}` -> hasRole */
  roles: Map<string, boolean>;
  /** Parameter id ("<Contract>.<name>") -> current value (numbers and addresses). */
  parameters: Map<string, bigint | string>;
  registryProviderCount: bigint;
  /** ProviderRegistered logs up to this block (a provider may register more than once). */
  registrations: number;
  /** Raw GPU model and region ids some listing held by this block, former listings of providers that moved included. */
  everListed: { gpuModels: Set<string>; regions: Set<string> };
  pausedUntil: bigint;
  pausedBy: string;
  guardian: string;
  balances: { staking: bigint; jobEscrow: bigint; disputeManager: bigint; treasury: bigint; treasuryAtDeployment: bigint };
  treasury: string;
  /** LatentToken's address. */
  token: string;
  /** DisputeManager.heldDeposits(): the deposits it accounts as owed. */
  heldDeposits: bigint;
  /** Governance's recoveries of tokens sent to a contract by mistake, by this block. */
  recoveries: RecoveryView[];
}

/**
 * A recovery (recoverTokens of the DisputeManager, JobEscrow or Staking) as the balances show it: the log says only
 * where to look (block, token, recipient); `amount` is what the contract's balance of the token lost across that block,
 * `received` what the recipient's gained, and `recoverableAfter` what the contract could still recover of it right
 * after (the DisputeManager's `recoverable(token)`; for the JobEscrow and Staking, which refuse LAT, their whole
 * balance of any other token).
 */
export interface RecoveryView {
  block: number;
  contract: string;
  token: string;
  to: string;
  amount: bigint;
  received: bigint;
  recoverableAfter: bigint;
}

const lower = (a: string): string => a.toLowerCase();

async function range<T>(n: number, f: (i: number) => Promise<T>): Promise<T[]> {
  return Promise.all(Array.from({ length: n }, (_, i) => f(i)));
}

/** Left-aligned, zero-padded ASCII (bytes32 model ids, bytes16 region codes) to its text. */
export function decodeIdentifier(hex: string): string {
  const bytes = Buffer.from(hex.slice(2), "hex");
  let end = bytes.length;
  while (end > 0 && bytes[end - 1] === 0) end -= 1;
  return bytes.subarray(0, end).toString("latin1");
}

export function bps(amount: bigint, basisPoints: number | bigint): bigint {
  return (amount * BigInt(basisPoints)) / 10_000n;
}

/** LatentMath.bpsUp: the fee, the collateral and the timeout slash round up. */
export function bpsUp(amount: bigint, basisPoints: number | bigint): bigint {
  return (amount * BigInt(basisPoints) + 9_999n) / 10_000n;
}

export function cost(price: bigint, gpus: number, seconds: bigint): bigint {
  return (price * BigInt(gpus) * seconds) / 3600n;
}

/** Seconds billed for a submitted job: min(submittedAt - acceptedAt, maxDuration). */
export function billedSeconds(job: JobView): bigint {
  const elapsed = job.submittedAt - job.acceptedAt;
  return elapsed < job.maxDuration ? elapsed : job.maxDuration;
}

/** The latest mark at or before `block`, or undefined. */
function lastAtOrBefore<M extends { block: number }>(marks: readonly M[], block: number): M | undefined {
  let found: M | undefined;
  for (const m of marks) if (m.block <= block) found = m;
  return found;
}

interface ProviderMark {
  block: number;
  provider: string;
}

/**
 * Where things happened in the scenario, from its event logs (fetched once). They say where to look (touched
 * addresses, the blocks of deregistrations, withdrawals and slashes, the blocks time travel goes back to), never
 * what the compared values are.
 */
export interface Landmarks {
  registered: ProviderMark[];
  /** ProviderRegistered and ProviderUpdated: the GPU models and regions listed at some point (raw ids). */
  listed: { block: number; gpuModel: string; region: string }[];
  staked: ProviderMark[];
  deregistered: ProviderMark[];
  withdrawn: (ProviderMark & { firstRequestIndex: number; count: number })[];
  /** JobTimedOut and JobRefunded: the blocks whose transaction slashed a job's collateral. */
  slashingClosings: { block: number; jobId: number }[];
  /** JobAbandoned: the blocks whose transaction gave a job back. */
  abandoned: { block: number; jobId: number }[];
  scheduled: { block: number; id: string }[];
  roleGranted: { block: number; role: string; account: string }[];
  /** TokensRecovered: the blocks of recoveries, with the token and the recipient to read balances of. */
  recovered: { block: number; contract: string; token: string; to: string }[];
  jobCreated: number[];
  jobAccepted: number[];
  thawRequested: number[];
  paused: number[];
  voteCast: number[];
  proposalQueued: number[];
  /** The first block of the deployment. */
  firstBlock: number;
}

export async function readLandmarks(s: Scenario, toBlock: number): Promise<Landmarks> {
  const { registry, staking, jobEscrow, timelock, pauseGuardian, governor } = s.c;
  const from = Math.min(...CONTRACT_NAMES.map((n) => s.deployment.record.contracts[n].blockNumber));
  const [registered, updated, staked, deregistered, withdrawn, timedOut, refunded, abandoned, scheduled, roleGranted] = await Promise.all([
    registry.queryFilter(registry.filters.ProviderRegistered, from, toBlock),
    registry.queryFilter(registry.filters.ProviderUpdated, from, toBlock),
    staking.queryFilter(staking.filters.Staked, from, toBlock),
    registry.queryFilter(registry.filters.ProviderDeregistered, from, toBlock),
    staking.queryFilter(staking.filters.Withdrawn, from, toBlock),
    jobEscrow.queryFilter(jobEscrow.filters.JobTimedOut, from, toBlock),
    jobEscrow.queryFilter(jobEscrow.filters.JobRefunded, from, toBlock),
    jobEscrow.queryFilter(jobEscrow.filters.JobAbandoned, from, toBlock),
    timelock.queryFilter(timelock.filters.CallScheduled, from, toBlock),
    timelock.queryFilter(timelock.filters.RoleGranted, from, toBlock),
  ]);
  const recovered = (
    await Promise.all([
      s.c.disputeManager.queryFilter(s.c.disputeManager.filters.TokensRecovered, from, toBlock),
      jobEscrow.queryFilter(jobEscrow.filters.TokensRecovered, from, toBlock),
      staking.queryFilter(staking.filters.TokensRecovered, from, toBlock),
    ])
  )
    .flat()
    .sort((a, b) => a.blockNumber - b.blockNumber || a.index - b.index);
  const [jobCreated, jobAccepted, thawRequested, paused, voteCast, proposalQueued] = await Promise.all([
    jobEscrow.queryFilter(jobEscrow.filters.JobCreated, from, toBlock),
    jobEscrow.queryFilter(jobEscrow.filters.JobAccepted, from, toBlock),
    staking.queryFilter(staking.filters.ThawRequested, from, toBlock),
    pauseGuardian.queryFilter(pauseGuardian.filters.Paused, from, toBlock),
    governor.queryFilter(governor.filters.VoteCast, from, toBlock),
    governor.queryFilter(governor.filters.ProposalQueued, from, toBlock),
  ]);
  const blocks = (logs: readonly { blockNumber: number }[]): number[] => logs.map((l) => l.blockNumber);
  return {
    registered: registered.map((e) => ({ block: e.blockNumber, provider: lower(e.args.provider) })),
    listed: [...registered, ...updated].map((e) => ({
      block: e.blockNumber,
      gpuModel: lower(e.args.gpuModel),
      region: lower(e.args.region),
    })),
    staked: staked.map((e) => ({ block: e.blockNumber, provider: lower(e.args.provider) })),
    deregistered: deregistered.map((e) => ({ block: e.blockNumber, provider: lower(e.args.provider) })),
    withdrawn: withdrawn.map((e) => ({
      block: e.blockNumber,
      provider: lower(e.args.provider),
      firstRequestIndex: Number(e.args.firstRequestIndex),
      count: Number(e.args.count),
    })),
    slashingClosings: [...timedOut, ...refunded].map((e) => ({ block: e.blockNumber, jobId: Number(e.args.jobId) })),
    abandoned: abandoned.map((e) => ({ block: e.blockNumber, jobId: Number(e.args.jobId) })),
    scheduled: scheduled.map((e) => ({ block: e.blockNumber, id: lower(e.args.id) })),
    roleGranted: roleGranted.map((e) => ({ block: e.blockNumber, role: lower(e.args.role), account: lower(e.args.account) })),
    recovered: recovered.map((e) => ({ block: e.blockNumber, contract: lower(e.address), token: lower(e.args.token), to: lower(e.args.to) })),
    jobCreated: blocks(jobCreated),
    jobAccepted: blocks(jobAccepted),
    thawRequested: blocks(thawRequested),
    paused: blocks(paused),
    voteCast: blocks(voteCast),
    proposalQueued: blocks(proposalQueued),
    firstBlock: from,
  };
}

/**
 * A recovery measured on the balances across its block (which holds its transaction alone; the scenario recovers each
 * token from each contract at most once a block, and never the same token for the same recipient twice in one).
 */
async function readRecovery(s: Scenario, r: Landmarks["recovered"][number]): Promise<RecoveryView> {
  // Any ERC20's balanceOf: LatentToken's ABI is the ERC20 one.
  const erc20 = s.c.token.attach(r.token) as Scenario["c"]["token"];
  const balance = (who: string, blockTag: number): Promise<bigint> => erc20.balanceOf(who, { blockTag });
  const [heldBefore, heldAfter, toBefore, toAfter, recoverableAfter] = await Promise.all([
    balance(r.contract, r.block - 1),
    balance(r.contract, r.block),
    balance(r.to, r.block - 1),
    balance(r.to, r.block),
    r.contract === lower(await s.c.disputeManager.getAddress())
      ? s.c.disputeManager.recoverable(r.token, { blockTag: r.block })
      : r.token === lower(await s.c.token.getAddress())
        ? Promise.resolve(0n)
        : balance(r.contract, r.block),
  ]);
  return { ...r, amount: heldBefore - heldAfter, received: toAfter - toBefore, recoverableAfter };
}

/** Stake drop of `provider` across `block` (a block holding the one slashing transaction). */
async function stakeDropAt(s: Scenario, provider: string, block: number): Promise<bigint> {
  const [before] = await s.c.staking.getStake(provider, { blockTag: block - 1 });
  const [after] = await s.c.staking.getStake(provider, { blockTag: block });
  return before - after;
}

async function readListing(s: Scenario, provider: string, blockTag: number): Promise<Listing> {
  const r = await s.c.registry.getProvider(provider, { blockTag });
  return {
    gpuModel: r.gpuModel,
    region: r.region,
    vramGiB: Number(r.vramGiB),
    tier: TIER[Number(r.tier)]!,
    pricePerGpuHour: r.pricePerGpuHour,
  };
}

async function readProvider(s: Scenario, lm: Landmarks, address: string, blockTag: number): Promise<ProviderView> {
  const { registry, staking, jobEscrow } = s.c;
  const o = { blockTag };
  const [record, freeGpus, isActive, stake, freeStake, stats, thawRange, maxSlashRewardBps] = await Promise.all([
    registry.getProvider(address, o),
    registry.freeGpus(address, o),
    registry.isActive(address, o),
    staking.getStake(address, o),
    staking.freeStake(address, o),
    jobEscrow.providerStats(address, o),
    staking.thawRequestRange(address, o),
    staking.maxSlashRewardBps(address, o),
  ]);
  const hasMinimumStake = await staking.hasMinimumStake(address, record.gpuCount, o);
  let listing: Listing | null = null;
  if (record.registered) {
    listing = await readListing(s, address, blockTag);
  } else {
    // Deregistered: the record is deleted; the subgraph keeps the last listing, which the registry held just before.
    const left = lastAtOrBefore(lm.deregistered.filter((m) => m.provider === lower(address)), blockTag);
    if (left !== undefined) listing = await readListing(s, address, left.block - 1);
  }
  const [first, next] = [Number(thawRange[0]), Number(thawRange[1])];
  const thawRequests = await range(next, async (index) => {
    const pending = index >= first;
    let at = blockTag;
    if (!pending) {
      // Paid out: the withdrawal that covered this index; read the request in the block before it.
      const paidBy = lm.withdrawn.find(
        (m) => m.provider === lower(address) && index >= m.firstRequestIndex && index < m.firstRequestIndex + m.count && m.block <= blockTag,
      );
      if (paidBy === undefined) throw new Error(`no Withdrawn log covers thaw request ${index} of ${address}`);
      at = paidBy.block - 1;
    }
    const r = await staking.getThawRequest(address, index, { blockTag: at });
    return { index, pending, amount: r.amount, maturesAt: r.maturesAt };
  });
  return {
    address: lower(address),
    registered: record.registered,
    online: record.online,
    operator: lower(record.operator),
    gpuCount: Number(record.gpuCount),
    gpusInUse: Number(record.gpusInUse),
    freeGpus: Number(freeGpus),
    isActive,
    listing,
    staked: stake.staked,
    locked: stake.locked,
    thawing: stake.thawing,
    freeStake,
    maxSlashRewardBps: Number(maxSlashRewardBps),
    hasMinimumStake,
    completed: Number(stats.completed),
    timedOut: Number(stats.timedOut),
    disputesLost: Number(stats.disputesLost),
    thawRequests,
    thawFirst: first,
  };
}

export interface ReadOptions {
  /** Addresses to read LAT balances and votes for, beyond the chain's accounts and the contracts (e.g. entity ids). */
  extraAccounts?: Iterable<string>;
  /** Timelock operation ids to read beyond those scheduled by `block` (e.g. entity ids). */
  extraOperations?: Iterable<string>;
}

/** Reads everything the entity comparisons need, at `block`. */
export async function readChainState(
  s: Scenario,
  summary: ScenarioSummary,
  accounts: readonly string[],
  lm: Landmarks,
  block: number,
  options: ReadOptions = {},
): Promise<ChainState> {
  const { c } = s;
  const o = { blockTag: block };
  const header = await s.rpc.getBlock(block);
  if (header === null) throw new Error(`no block ${block}`);

  // Providers: every address that registered or staked by this block.
  const touched = new Set<string>();
  for (const m of [...lm.registered, ...lm.staked]) if (m.block <= block) touched.add(m.provider);
  const providerViews = await Promise.all([...touched].map((a) => readProvider(s, lm, a, block)));
  const providers = new Map(providerViews.map((p) => [p.address, p]));

  // Jobs, their disputes and collateral.
  const jobCount = Number(await c.jobEscrow.jobCount(o));
  const currentParamsId = Number(await c.jobEscrow.currentParamsId(o));
  const paramsList = await range(currentParamsId, async (i) => {
    const p = await c.jobEscrow.getParams(i + 1, o);
    const view: EconomicParamsView = {
      protocolFeeBps: Number(p.protocolFeeBps),
      collateralRatioBps: Number(p.collateralRatioBps),
      timeoutSlashBps: Number(p.timeoutSlashBps),
      maxSlashingCutBps: Number(p.maxSlashingCutBps),
      disputeRewardBps: Number(p.disputeRewardBps),
      challengeWindow: p.challengeWindow,
      grace: p.grace,
      disputePeriod: p.disputePeriod,
      minTrackRecordCost: p.minTrackRecordCost,
      disputeDeposit: p.disputeDeposit,
    };
    return [i + 1, view] as const;
  });
  const params = new Map<number, EconomicParamsView>(paramsList);
  const jobs = await range(jobCount, async (i): Promise<JobView> => {
    const id = i + 1;
    const [j, collateral, d] = await Promise.all([
      c.jobEscrow.getJob(id, o),
      c.staking.jobCollateral(id, o),
      c.disputeManager.getDispute(id, o),
    ]);
    const status = JOB_STATUS[Number(j.status)]!;
    const dispute: DisputeView | null =
      d.openedAt === 0n
        ? null
        : { deposit: d.deposit, openedAt: d.openedAt, ruleDeadline: d.ruleDeadline, ruling: RULING[Number(d.ruling)]!, answered: d.answered };
    let slashed = 0n;
    let maxSlashRewardBps = 10_000;
    if (status === "TimedOut" || status === "Refunded") {
      const closed = lm.slashingClosings.find((m) => m.jobId === id);
      if (closed === undefined || closed.block > block) throw new Error(`job ${id} is ${status} but its closing log is missing`);
      const txs = (await s.rpc.getBlock(closed.block))?.transactions.length;
      if (txs !== 1) throw new Error(`block ${closed.block} holds ${txs} transactions: cannot attribute the stake drop`);
      slashed = await stakeDropAt(s, j.provider, closed.block);
      // The block holds only the slashing transaction, so the cap before it is the one the slash applied.
      maxSlashRewardBps = Number(await c.staking.maxSlashRewardBps(j.provider, { blockTag: closed.block - 1 }));
    }
    let abandonedBy: string | null = null;
    const given = lm.abandoned.find((m) => m.jobId === id && m.block <= block);
    if (given !== undefined) {
      // The block holds only that transaction (checked above for its slash): its sender is who gave the job back.
      const [hash] = (await s.rpc.getBlock(given.block))?.transactions ?? [];
      const tx = hash === undefined ? null : await s.rpc.getTransaction(hash);
      if (tx === null) throw new Error(`job ${id} was given back in block ${given.block}, whose transaction is missing`);
      abandonedBy = lower(tx.from);
    }
    return {
      id,
      client: lower(j.client),
      escrowed: j.escrowed,
      provider: lower(j.provider),
      status,
      deadline: j.deadline,
      acceptedAt: j.acceptedAt,
      termsHash: j.termsHash,
      pricePerGpuHour: j.pricePerGpuHour,
      gpuCount: Number(j.gpuCount),
      maxDuration: j.maxDuration,
      paramsId: Number(j.paramsId),
      submittedAt: j.submittedAt,
      lockedCollateral: collateral.amount,
      dispute,
      slashed,
      maxSlashRewardBps,
      abandonedBy,
    };
  });

  // Token: every address that could hold LAT or votes.
  const contractAddresses = CONTRACT_NAMES.map((n) => lower(s.deployment.record.contracts[n].address));
  const candidates = new Set<string>([...accounts.map(lower), ...contractAddresses, ...[...(options.extraAccounts ?? [])].map(lower)]);
  const accountViews = await Promise.all(
    [...candidates].map(async (address): Promise<AccountView> => {
      const [balance, votes, delegate] = await Promise.all([
        c.token.balanceOf(address, o),
        c.token.getVotes(address, o),
        c.token.delegates(address, o),
      ]);
      return { address, balance, votes, delegate: lower(delegate) };
    }),
  );

  // Proposals created by this block (the governor knows no count: the scenario's ids are the candidates).
  const proposals = new Map<string, ProposalView>();
  for (const id of Object.values(summary.proposals)) {
    const voteStart = await c.governor.proposalSnapshot(id, o);
    if (voteStart === 0n) continue;
    const [state, proposer, voteEnd, eta, quorum, votes] = await Promise.all([
      c.governor.state(id, o),
      c.governor.proposalProposer(id, o),
      c.governor.proposalDeadline(id, o),
      c.governor.proposalEta(id, o),
      c.governor.quorum(voteStart, o),
      c.governor.proposalVotes(id, o),
    ]);
    proposals.set(id.toString(), {
      id,
      state: PROPOSAL_STATE[Number(state)]!,
      proposer: lower(proposer),
      voteStart,
      voteEnd,
      eta,
      quorum,
      againstVotes: votes.againstVotes,
      forVotes: votes.forVotes,
      abstainVotes: votes.abstainVotes,
    });
  }

  // Timelock operations scheduled by this block, and the roles ever granted.
  const opIds = new Set<string>([...(options.extraOperations ?? [])].map(lower));
  for (const m of lm.scheduled) if (m.block <= block) opIds.add(m.id);
  const operations = new Map<string, TimelockOperationView>();
  for (const id of opIds) {
    const [pending, done, timestamp] = await Promise.all([
      c.timelock.isOperationPending(id, o),
      c.timelock.isOperationDone(id, o),
      c.timelock.getTimestamp(id, o),
    ]);
    operations.set(id, { id, pending, done, timestamp });
  }
  const roles = new Map<string, boolean>();
  for (const m of lm.roleGranted) {
    if (m.block > block) continue;
    roles.set(m.role + m.account.slice(2), await c.timelock.hasRole(m.role, m.account, o));
  }

  // Parameters, by the id the subgraph gives them.
  const current = params.get(currentParamsId);
  if (current === undefined) throw new Error(`no EconomicParams ${currentParamsId}`);
  const [maxGpus, minStake, thawingPeriod, treasury, arbitrator, guardian, pauseDuration, pausedUntil, pausedBy] = await Promise.all([
    c.registry.maxGpusPerProvider(o),
    c.staking.minStakePerGpu(o),
    c.staking.thawingPeriod(o),
    c.staking.treasury(o),
    c.disputeManager.arbitrator(o),
    c.pauseGuardian.guardian(o),
    c.pauseGuardian.pauseDuration(o),
    c.pauseGuardian.pausedUntil(o),
    c.pauseGuardian.pausedBy(o),
  ]);
  const [votingDelay, votingPeriod, proposalThreshold, quorumNumerator, timelockAddress, minDelay] = await Promise.all([
    c.governor.votingDelay(o),
    c.governor.votingPeriod(o),
    c.governor.proposalThreshold(o),
    c.governor["quorumNumerator()"](o),
    c.governor.timelock(o),
    c.timelock.getMinDelay(o),
  ]);
  const parameters = new Map<string, bigint | string>([
    ["ProviderRegistry.maxGpusPerProvider", maxGpus],
    ["Staking.minStakePerGpu", minStake],
    ["Staking.thawingPeriod", thawingPeriod],
    ["Staking.treasury", lower(treasury)],
    ["DisputeManager.arbitrator", lower(arbitrator)],
    ["PauseGuardian.guardian", lower(guardian)],
    ["PauseGuardian.pauseDuration", pauseDuration],
    ["JobEscrow.protocolFeeBps", BigInt(current.protocolFeeBps)],
    ["JobEscrow.collateralRatioBps", BigInt(current.collateralRatioBps)],
    ["JobEscrow.timeoutSlashBps", BigInt(current.timeoutSlashBps)],
    ["JobEscrow.maxSlashingCutBps", BigInt(current.maxSlashingCutBps)],
    ["JobEscrow.disputeRewardBps", BigInt(current.disputeRewardBps)],
    ["JobEscrow.challengeWindow", current.challengeWindow],
    ["JobEscrow.grace", current.grace],
    ["JobEscrow.disputePeriod", current.disputePeriod],
    ["JobEscrow.disputeDeposit", current.disputeDeposit],
    ["JobEscrow.minTrackRecordCost", current.minTrackRecordCost],
    ["LatentGovernor.votingDelay", votingDelay],
    ["LatentGovernor.votingPeriod", votingPeriod],
    ["LatentGovernor.proposalThreshold", proposalThreshold],
    ["LatentGovernor.quorumNumerator", quorumNumerator],
    ["LatentGovernor.timelock", lower(timelockAddress)],
    ["LatentTimelock.minDelay", minDelay],
  ]);

  const address = (name: (typeof CONTRACT_NAMES)[number]): string => s.deployment.record.contracts[name].address;
  const [stakingBalance, escrowBalance, disputeBalance, treasuryBalance, treasuryAtDeployment, totalSupply, registryProviderCount] =
    await Promise.all([
      c.token.balanceOf(address("Staking"), o),
      c.token.balanceOf(address("JobEscrow"), o),
      c.token.balanceOf(address("DisputeManager"), o),
      c.token.balanceOf(treasury, o),
      c.token.balanceOf(treasury, { blockTag: s.deployment.record.contracts.LatentGovernor.blockNumber }),
      c.token.totalSupply(o),
      c.registry.providerCount(o),
    ]);

  return {
    block,
    timestamp: header.timestamp,
    providers,
    jobs,
    jobCount,
    currentParamsId,
    params,
    accounts: new Map(accountViews.map((a) => [a.address, a])),
    totalSupply,
    proposals,
    operations,
    roles,
    parameters,
    registryProviderCount,
    registrations: lm.registered.filter((m) => m.block <= block).length,
    everListed: {
      gpuModels: new Set(lm.listed.filter((m) => m.block <= block).map((m) => m.gpuModel)),
      regions: new Set(lm.listed.filter((m) => m.block <= block).map((m) => m.region)),
    },
    pausedUntil,
    pausedBy: lower(pausedBy),
    guardian: lower(guardian),
    balances: { staking: stakingBalance, jobEscrow: escrowBalance, disputeManager: disputeBalance, treasury: treasuryBalance, treasuryAtDeployment },
    treasury: lower(treasury),
    token: lower(address("LatentToken")),
    heldDeposits: await c.disputeManager.heldDeposits(o),
    recoveries: await Promise.all(lm.recovered.filter((r) => r.block <= block).map((r) => readRecovery(s, r))),
  };
}
