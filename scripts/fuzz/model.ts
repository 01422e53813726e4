/**
 * The conservation property's action model, shared by the property test (200 sequences in `npm test`) and the
 * fuzzer (`npm run fuzz`, FUZZ_RUNS sequences).
 *
 * A sequence is 20-30 random intents (stake, thaw, withdraw, set the slash reward cap, register, go online/offline,
 * deregister, create (some jobs requiring a least slash reward cap), accept, decline, submit, approve, settle, cancel,
 * expire, time out, dispute, answer, rule, close an expired dispute (letting its ruling window pass first), pause,
 * send tokens straight to a contract, advance time). Each intent is resolved against a reference
 * model of the protocol to an action the model says must succeed (or to a time advance when none applies), sent
 * at a timestamp the model chooses, and then the chain is compared with the model:
 *   - every tracked account's LAT balance equals the model's, so no account gains or loses a wei except by a rule;
 *   - each contract holds at least what it owes (stake; escrow of live jobs; open disputes' deposits), and exactly
 *     that unless someone sent it tokens directly;
 *   - `locked + thawing <= staked` for every provider, and each provider's totals equal the model's;
 *   - each provider's `locked` is the sum of its jobs' collateral locks, each live job (accepted, submitted or
 *     disputed) holds exactly its collateral in a lock of its provider and no other job holds one: the unchecked
 *     subtractions of unlock and slashAndUnlock rely on it, and a lock left behind would keep `locked` above zero
 *     for good (no deregistration, no lower slash reward cap);
 *   - each provider's GPUs in use in the registry are the sum of its accepted jobs' GPUs: timeouts and submissions
 *     release them with checked arithmetic, so a shortfall would trap the job's escrow;
 *   - every job's status and every provider's track record (completions, timeouts, lost disputes) equal the model's;
 *   - the total supply never changes.
 */
import fc from "fast-check";
import { MaxUint256, parseEther, ZeroAddress, ZeroHash, id as keccakUtf8 } from "ethers";
import type { ContractTransactionResponse, Signer } from "ethers";
import { BalancesLens__factory } from "../../typechain-types/factories/contracts/mocks/BalancesLens__factory";
import type { BalancesLens, JobEscrow, Staking } from "../../typechain-types";
import type { IJobEscrow } from "../../typechain-types/contracts/jobs/JobEscrow";
import { DEFAULT_PARAMS } from "../deploy";
import { JobStatus, Ruling, Tier, deployScenario, gpuModelId, mined, regionId } from "../scenario";
import type { Scenario } from "../scenario";

const LAT = (n: string): bigint => parseEther(n);
/** An explicit gas limit skips estimateGas: one EVM execution per action instead of two. */
const OV = { gasLimit: 3_000_000n };
const E = DEFAULT_PARAMS.economic;
const MIN_STAKE_PER_GPU = DEFAULT_PARAMS.minStakePerGpu;
const THAWING_PERIOD = 3600; // deployScenario's
const PAUSE_DURATION = BigInt(DEFAULT_PARAMS.pauseDuration);
const MAX_PRICE = LAT("3");
const bps = (x: bigint, b: number | bigint): bigint => (x * BigInt(b)) / 10_000n;
/** LatentMath.bpsUp: the fee, the collateral and the timeout slash round up. */
const bpsUp = (x: bigint, b: number | bigint): bigint => (x * BigInt(b) + 9_999n) / 10_000n;
const cost = (price: bigint, gpus: bigint, seconds: bigint): bigint => (price * gpus * seconds) / 3600n;

export const KINDS = [
  "stake",
  "thaw",
  "withdraw",
  "cap",
  "register",
  "setOnline",
  "deregister",
  "create",
  "accept",
  "decline",
  "submit",
  "approve",
  "settle",
  "cancel",
  "expire",
  "timeout",
  "abandon",
  "dispute",
  "answer",
  "rule",
  "closeExpired",
  "advance",
  "donate",
  "pause",
  "govern",
] as const;
export type Kind = (typeof KINDS)[number];

export interface Intent {
  kind: Kind;
  a: number;
  b: number;
  c: number;
}

/** Lifecycle steps are drawn more often than housekeeping, so sequences reach deep job states. */
const WEIGHTS: Record<Kind, number> = {
  stake: 3,
  thaw: 2,
  withdraw: 2,
  cap: 1,
  register: 2,
  setOnline: 2,
  deregister: 1,
  create: 8,
  accept: 10,
  decline: 1,
  submit: 8,
  approve: 3,
  settle: 3,
  cancel: 1,
  expire: 2,
  timeout: 2,
  abandon: 1,
  dispute: 4,
  answer: 2,
  rule: 4,
  closeExpired: 3,
  advance: 7,
  donate: 1,
  pause: 1,
  govern: 2,
};

/**
 * When an intent does not apply, the first of these (rotated by the intent) that does is taken instead. Not
 * closeExpired: it lets a ruling window pass, and as a fallback it took disputes from `rule` (measured, seed
 * 20251126: runs reaching rule 52 -> 37).
 */
const FALLBACK: readonly Kind[] = ["accept", "submit", "create", "dispute", "rule", "approve", "settle", "timeout", "expire", "withdraw", "setOnline", "register"];

export const intentArbitrary: fc.Arbitrary<Intent> = fc.record({
  kind: fc.oneof(...KINDS.map((k) => ({ arbitrary: fc.constant(k), weight: WEIGHTS[k] }))),
  a: fc.nat(10_000),
  b: fc.nat(10_000),
  c: fc.nat(10_000),
});

/** At least 20 actions: every intent becomes exactly one action (a time advance when nothing else applies). */
export const sequenceArbitrary: fc.Arbitrary<Intent[]> = fc.array(intentArbitrary, { minLength: 20, maxLength: 30 });

interface Listing {
  gpuModel: string;
  name: string;
  region: string;
  vramGiB: number;
  gpuCount: number;
  tier: Tier;
  price: bigint;
}

const LISTINGS: Listing[] = [
  { gpuModel: "h100-sxm-80gb", name: "NVIDIA H100 SXM5 80GB", region: "eu-west", vramGiB: 80, gpuCount: 8, tier: Tier.Enterprise, price: LAT("2") },
  { gpuModel: "rtx-4090-24gb", name: "NVIDIA GeForce RTX 4090", region: "us-east", vramGiB: 24, gpuCount: 2, tier: Tier.Consumer, price: LAT("0.4") },
  { gpuModel: "a100-sxm-80gb", name: "NVIDIA A100 SXM4 80GB", region: "us-west", vramGiB: 80, gpuCount: 4, tier: Tier.Enterprise, price: LAT("1.5") },
];

interface ProviderModel {
  index: number;
  signer: Signer;
  address: string;
  operator: Signer | undefined;
  registered: boolean;
  online: boolean;
  inUse: number;
  staked: bigint;
  locked: bigint;
  thawing: bigint;
  requests: { amount: bigint; maturesAt: number }[];
  completed: number;
  /** Timed-out jobs, given back ones included: clients rank offers by this count. */
  timedOut: number;
  /** Disputes ruled against the provider (upheld). */
  disputesLost: number;
  /** `Staking.maxSlashRewardBps`: the most of a slash of its collateral paid to the client. */
  cap: number;
}

interface DisputeModel {
  deposit: bigint;
  ruleDeadline: number;
  ruling: Ruling;
  answered: boolean;
}

interface JobModel {
  id: bigint;
  client: number;
  escrowed: bigint;
  target: number | undefined;
  minSlashRewardBps: number;
  status: JobStatus;
  acceptDeadline: number;
  terms: IJobEscrow.JobTermsStruct;
  gpus: number;
  maxDuration: number;
  provider: number;
  acceptedAt: number;
  price: bigint;
  collateral: bigint;
  resultDeadline: number;
  submittedAt: number;
  dispute: DisputeModel | undefined;
  /** The economic parameters in force when the job was accepted (the current ones while it is open). */
  params: EconomicParams;
}

type EconomicParams = typeof E;

/**
 * Values governance may set each economic parameter to (all within the escrow's bounds), so that live jobs meet
 * changed parameters and each must keep the version it was accepted under.
 */
interface GovernedParameter {
  name: string;
  values: readonly bigint[];
  send: (as: { escrow: JobEscrow; staking: Staking }, value: bigint) => Promise<ContractTransactionResponse>;
  set: (m: Model, value: bigint) => void;
}

const GOVERNED: readonly GovernedParameter[] = [
  { name: "protocolFeeBps", values: [0n, 250n, 1_000n], send: ({ escrow }, v) => escrow.setProtocolFeeBps(v, OV), set: (m, v) => void (m.params.protocolFeeBps = Number(v)) },
  { name: "collateralRatioBps", values: [1_000n, 5_000n, 30_000n], send: ({ escrow }, v) => escrow.setCollateralRatioBps(v, OV), set: (m, v) => void (m.params.collateralRatioBps = Number(v)) },
  { name: "timeoutSlashBps", values: [500n, 5_000n, 10_000n], send: ({ escrow }, v) => escrow.setTimeoutSlashBps(v, OV), set: (m, v) => void (m.params.timeoutSlashBps = Number(v)) },
  { name: "maxSlashingCutBps", values: [1_000n, 5_000n, 10_000n], send: ({ escrow }, v) => escrow.setMaxSlashingCutBps(v, OV), set: (m, v) => void (m.params.maxSlashingCutBps = Number(v)) },
  { name: "disputeRewardBps", values: [0n, 5_000n, 10_000n], send: ({ escrow }, v) => escrow.setDisputeRewardBps(v, OV), set: (m, v) => void (m.params.disputeRewardBps = Number(v)) },
  { name: "challengeWindow", values: [600n, 3_600n, 86_400n], send: ({ escrow }, v) => escrow.setChallengeWindow(v, OV), set: (m, v) => void (m.params.challengeWindow = Number(v)) },
  { name: "grace", values: [60n, 3_600n, 86_400n], send: ({ escrow }, v) => escrow.setGrace(v, OV), set: (m, v) => void (m.params.grace = Number(v)) },
  { name: "disputePeriod", values: [3_600n, 86_400n, 259_200n], send: ({ escrow }, v) => escrow.setDisputePeriod(v, OV), set: (m, v) => void (m.params.disputePeriod = Number(v)) },
  { name: "disputeDeposit", values: [LAT("1"), LAT("50"), LAT("500")], send: ({ escrow }, v) => escrow.setDisputeDeposit(v, OV), set: (m, v) => void (m.params.disputeDeposit = v) },
  // Staking's: a thaw request keeps the period it was made under, and a higher minimum idles a provider for new jobs only.
  { name: "minStakePerGpu", values: [LAT("100"), LAT("500"), LAT("1500")], send: ({ staking }, v) => staking.setMinStakePerGpu(v, OV), set: (m, v) => void (m.minStakePerGpu = v) },
  { name: "thawingPeriod", values: [3_600n, 86_400n, 7n * 86_400n], send: ({ staking }, v) => staking.setThawingPeriod(v, OV), set: (m, v) => void (m.thawingPeriod = Number(v)) },
];

interface Model {
  now: number;
  balances: Map<string, bigint>;
  providers: ProviderModel[];
  jobs: JobModel[];
  nextJobId: bigint;
  pausedUntil: number;
  donated: Set<string>;
  /** The current economic parameters. */
  params: EconomicParams;
  minStakePerGpu: bigint;
  thawingPeriod: number;
}

export interface Harness {
  s: Scenario;
  lens: BalancesLens;
  providers: Signer[];
  operators: Signer[];
  clients: Signer[];
  clientAddresses: string[];
  anyone: Signer;
  /** The timelock, impersonated: governance. */
  governance: Signer;
  /** Tracked addresses: actors, the treasury and the three contracts. */
  accounts: string[];
  contracts: { staking: string; escrow: string; dm: string; treasury: string };
  supply: bigint;
  initial: Model;
  snapshot: string;
}

function cloneModel(m: Model): Model {
  return {
    now: m.now,
    balances: new Map(m.balances),
    providers: m.providers.map((p) => ({ ...p, requests: p.requests.map((r) => ({ ...r })) })),
    jobs: m.jobs.map((j) => ({ ...j, dispute: j.dispute ? { ...j.dispute } : undefined, params: { ...j.params } })),
    nextJobId: m.nextJobId,
    pausedUntil: m.pausedUntil,
    donated: new Set(m.donated),
    params: { ...m.params },
    minStakePerGpu: m.minStakePerGpu,
    thawingPeriod: m.thawingPeriod,
  };
}

/**
 * Deploys a fresh protocol with two registered, staked, online providers (an 8x H100 with an operator and a 2x RTX
 * 4090), a third funded but unregistered provider, three funded clients, every approval in place, and takes an
 * evm snapshot each sequence starts from.
 */
export async function createHarness(signers: readonly Signer[], impersonate: (address: string) => Promise<Signer>): Promise<Harness> {
  const s = await deployScenario(signers);
  const { c } = s;
  const providers = signers.slice(6, 9) as Signer[];
  const operators = [signers[12] as Signer];
  const clients = signers.slice(15, 18) as Signer[];
  const anyone = signers[18] as Signer;
  const funder = s.actors.funder;
  const staking = await c.staking.getAddress();
  const escrow = await c.jobEscrow.getAddress();
  const dm = await c.disputeManager.getAddress();
  const treasury = await c.timelock.getAddress();
  for (const who of [...providers, ...clients]) {
    await mined(c.token.connect(funder).transfer(await who.getAddress(), LAT("20000")));
    for (const spender of [staking, escrow, dm]) await mined(c.token.connect(who).approve(spender, MaxUint256));
  }
  for (const [i, p] of providers.slice(0, 2).entries()) {
    const l = LISTINGS[i] as Listing;
    await mined(
      c.registry
        .connect(p)
        .register(specOf(l), l.name, "https://worker.example", i === 0 ? await (operators[0] as Signer).getAddress() : ZeroAddress),
    );
    await mined(c.staking.connect(p).stake(LAT("3000")));
    await mined(c.registry.connect(p).setOnline(await p.getAddress(), true));
  }
  const lens = await new BalancesLens__factory(s.actors.deployer).deploy();
  await lens.waitForDeployment();

  const actorAddresses = await Promise.all([...providers, ...operators, ...clients, anyone].map((x) => x.getAddress()));
  const accounts = [...actorAddresses, treasury, staking, escrow, dm];
  const [supply, balances] = await lens.read(await c.token.getAddress(), staking, accounts, []);
  const block = await s.rpc.getBlock("latest");
  const initial: Model = {
    now: block?.timestamp ?? 0,
    balances: new Map(accounts.map((a, i) => [a, balances[i] as bigint])),
    providers: await Promise.all(
      providers.map(async (p, i) => ({
        index: i,
        signer: p,
        address: await p.getAddress(),
        operator: i === 0 ? operators[0] : undefined,
        registered: i < 2,
        online: i < 2,
        inUse: 0,
        staked: i < 2 ? LAT("3000") : 0n,
        locked: 0n,
        thawing: 0n,
        requests: [],
        completed: 0,
        timedOut: 0,
        disputesLost: 0,
        cap: 10_000,
      })),
    ),
    jobs: [],
    nextJobId: (await c.jobEscrow.jobCount()) + 1n,
    pausedUntil: 0,
    donated: new Set(),
    params: { ...E },
    minStakePerGpu: MIN_STAKE_PER_GPU,
    thawingPeriod: THAWING_PERIOD,
  };
  await s.rpc.send("hardhat_setBalance", [treasury, "0x3635c9adc5dea00000"]);
  const governance = await impersonate(treasury);
  const snapshot = (await s.rpc.send("evm_snapshot", [])) as string;
  const clientAddresses = await Promise.all(clients.map((x) => x.getAddress()));
  return {
    s,
    lens,
    providers,
    operators,
    clients,
    clientAddresses,
    anyone,
    governance,
    accounts,
    contracts: { staking, escrow, dm, treasury },
    supply,
    initial,
    snapshot,
  };
}

function specOf(l: Listing): {
  gpuModel: string;
  region: string;
  vramGiB: number;
  gpuCount: number;
  tier: number;
  pricePerGpuHour: bigint;
} {
  return {
    gpuModel: gpuModelId(l.gpuModel),
    region: regionId(l.region),
    vramGiB: l.vramGiB,
    gpuCount: l.gpuCount,
    tier: l.tier,
    pricePerGpuHour: l.price,
  };
}

interface Action {
  label: string;
  send: () => Promise<ContractTransactionResponse>;
  /** When the transaction is mined, if later than `model.now + 1` (a wait the action needs). */
  at?: number;
  /** Updates the model for a transaction mined at `t`. */
  apply: (t: number) => void;
}

const pick = <T>(list: readonly T[], n: number): T | undefined => (list.length === 0 ? undefined : list[n % list.length]);

/** Turns an intent into an action the model says must succeed at `model.now + 1` (or its `at`), or undefined. */
function resolve(h: Harness, m: Model, intent: Intent): Action | undefined {
  const { c } = h.s;
  const t = m.now + 1;
  const paused = t < m.pausedUntil;
  const bal = (a: string): bigint => m.balances.get(a) ?? 0n;
  const move = (from: string, to: string, amount: bigint): void => {
    m.balances.set(from, bal(from) - amount);
    m.balances.set(to, bal(to) + amount);
  };
  const { staking, escrow, dm, treasury } = h.contracts;
  const clientAddress = (j: JobModel): string => h.clientAddresses[j.client] as string;
  const free = (p: ProviderModel): bigint => p.staked - p.locked - p.thawing;
  const active = (p: ProviderModel): boolean =>
    p.registered && p.online && p.staked - p.thawing >= m.minStakePerGpu * BigInt((LISTINGS[p.index] as Listing).gpuCount);
  const settleTo = (j: JobModel): void => {
    const p = m.providers[j.provider] as ProviderModel;
    const jobCost = cost(j.price, BigInt(j.gpus), BigInt(Math.min(j.submittedAt - j.acceptedAt, j.maxDuration)));
    const fee = bpsUp(jobCost, j.params.protocolFeeBps);
    move(escrow, p.address, jobCost - fee);
    move(escrow, treasury, fee);
    move(escrow, clientAddress(j), j.escrowed - jobCost);
    p.locked -= j.collateral;
    if (jobCost >= j.params.minTrackRecordCost) p.completed += 1;
    j.status = JobStatus.Completed;
  };
  /** Pays `reward` of a `slashed` amount of `p`'s stake to `to` (cut to `p`'s cap) and the rest to the treasury. */
  const slash = (p: ProviderModel, to: string, slashed: bigint, reward: bigint): void => {
    const capped = bps(slashed, p.cap);
    const paid = reward < capped ? reward : capped;
    move(staking, to, paid);
    move(staking, treasury, slashed - paid);
    p.staked -= slashed;
  };
  /** claimTimeout's settlement, which abandonJob shares: the whole escrow back, the timeout slash to the client. */
  const timeOut = (j: JobModel, p: ProviderModel): void => {
    const slashed = bpsUp(j.collateral, j.params.timeoutSlashBps);
    move(escrow, clientAddress(j), j.escrowed);
    slash(p, clientAddress(j), slashed, slashed);
    p.locked -= j.collateral;
    p.inUse -= j.gpus;
    p.timedOut += 1;
    j.status = JobStatus.TimedOut;
  };
  const jobsIn = (status: JobStatus, ok: (j: JobModel) => boolean = () => true): JobModel[] =>
    m.jobs.filter((j) => j.status === status && ok(j));
  const { a, b } = intent;

  switch (intent.kind) {
    case "stake": {
      const p = m.providers[a % 3] as ProviderModel;
      const amount = ((BigInt(b % 50) + 1n) * LAT("20")) % (bal(p.address) + 1n);
      if (paused || amount === 0n) return undefined;
      return {
        label: `stake ${p.index} ${amount}`,
        send: () => c.staking.connect(p.signer).stake(amount, OV),
        apply: () => {
          move(p.address, staking, amount);
          p.staked += amount;
        },
      };
    }
    case "thaw": {
      const p = m.providers[a % 3] as ProviderModel;
      const f = free(p);
      if (f === 0n || p.requests.length >= 8) return undefined;
      const amount = (f * BigInt((b % 100) + 1)) / 100n || 1n;
      return {
        label: `thaw ${p.index} ${amount}`,
        send: () => c.staking.connect(p.signer).thaw(amount, OV),
        apply: (time) => {
          p.thawing += amount;
          p.requests.push({ amount, maturesAt: time + m.thawingPeriod });
        },
      };
    }
    case "withdraw": {
      const p = m.providers[a % 3] as ProviderModel;
      const first = p.requests[0];
      if (first === undefined || first.maturesAt > t) return undefined;
      return {
        label: `withdraw ${p.index}`,
        send: () => c.staking.connect(p.signer).withdraw(8, OV),
        apply: (time) => {
          let amount = 0n;
          while (p.requests.length > 0 && (p.requests[0] as { maturesAt: number }).maturesAt <= time) {
            amount += (p.requests.shift() as { amount: bigint }).amount;
          }
          p.staked -= amount;
          p.thawing -= amount;
          move(staking, p.address, amount);
        },
      };
    }
    case "cap": {
      const p = m.providers[a % 3] as ProviderModel;
      const cap = [0, 2_500, 5_000, 10_000][b % 4] as number;
      // Lowering it is refused while any collateral is locked.
      if (cap < p.cap && p.locked !== 0n) return undefined;
      return {
        label: `cap ${p.index} ${cap}`,
        send: () => c.staking.connect(p.signer).setMaxSlashRewardBps(cap, OV),
        apply: () => {
          p.cap = cap;
        },
      };
    }
    case "register": {
      const p = pick(m.providers.filter((x) => !x.registered), a);
      if (p === undefined || paused) return undefined;
      const l = LISTINGS[p.index] as Listing;
      return {
        label: `register ${p.index}`,
        send: () => c.registry.connect(p.signer).register(specOf(l), l.name, "https://worker.example", ZeroAddress, OV),
        apply: () => {
          p.registered = true;
          p.online = false;
          p.operator = undefined;
        },
      };
    }
    case "setOnline": {
      const p = pick(m.providers.filter((x) => x.registered), a);
      // Going offline is drawn a quarter of the time, or providers would spend most sequences offline.
      if (p === undefined || (p.online && b % 4 !== 0)) return undefined;
      const online = !p.online;
      return {
        label: `setOnline ${p.index} ${online}`,
        send: () => c.registry.connect(p.signer).setOnline(p.address, online, OV),
        apply: () => {
          p.online = online;
        },
      };
    }
    case "deregister": {
      const p = pick(m.providers.filter((x) => x.registered && x.inUse === 0 && x.locked === 0n), a);
      if (p === undefined) return undefined;
      return {
        label: `deregister ${p.index}`,
        send: () => c.registry.connect(p.signer).deregister(OV),
        apply: () => {
          p.registered = false;
          p.online = false;
          p.operator = undefined;
        },
      };
    }
    case "create": {
      const client = a % 3;
      const gpus = 1 + (b % 4);
      const maxDuration = [600, 1800, 3600, 7200][intent.c % 4] as number;
      const target = intent.c % 3 === 0 ? (a + b) % 3 : undefined;
      const acceptWindow = [600, 3600, 86_400][b % 3] as number;
      const minSlashRewardBps = [0, 0, 2_500, 5_000][Math.floor(intent.c / 12) % 4] as number;
      const escrowed = cost(MAX_PRICE, BigInt(gpus), BigInt(maxDuration));
      const address = h.clientAddresses[client] as string;
      if (paused || bal(address) < escrowed) return undefined;
      const terms: IJobEscrow.JobTermsStruct = {
        requirements: { gpuModel: ZeroHash, region: `0x${"00".repeat(16)}`, minVramGiB: 0, gpuCount: gpus, tier: Tier.Any, minCompletedJobs: 0, minSlashRewardBps },
        maxPricePerGpuHour: MAX_PRICE,
        maxDuration,
        acceptDeadline: t + acceptWindow,
        targetProvider: target === undefined ? ZeroAddress : (m.providers[target] as ProviderModel).address,
        specHash: keccakUtf8("ipfs://spec"),
      };
      return {
        label: `create client ${client} gpus ${gpus} duration ${maxDuration}${target === undefined ? "" : ` for ${target}`}${minSlashRewardBps === 0 ? "" : ` min cap ${minSlashRewardBps}`}`,
        send: () => c.jobEscrow.connect(h.clients[client] as Signer).createJob(terms, "ipfs://spec", OV),
        apply: () => {
          move(address, escrow, escrowed);
          m.jobs.push({
            id: m.nextJobId++,
            client,
            escrowed,
            target,
            minSlashRewardBps,
            status: JobStatus.Open,
            acceptDeadline: t + acceptWindow,
            terms,
            gpus,
            maxDuration,
            provider: -1,
            acceptedAt: 0,
            price: 0n,
            collateral: 0n,
            resultDeadline: 0,
            submittedAt: 0,
            dispute: undefined,
            params: { ...m.params },
          });
        },
      };
    }
    case "accept": {
      if (paused) return undefined;
      const options: [JobModel, ProviderModel][] = [];
      for (const j of jobsIn(JobStatus.Open, (x) => t <= x.acceptDeadline)) {
        const collateral = bpsUp(j.escrowed, m.params.collateralRatioBps);
        for (const p of m.providers) {
          const l = LISTINGS[p.index] as Listing;
          if (j.target !== undefined && j.target !== p.index) continue;
          if (!active(p) || l.gpuCount - p.inUse < j.gpus || free(p) < collateral || p.cap < j.minSlashRewardBps) continue;
          options.push([j, p]);
        }
      }
      const chosen = pick(options, a);
      if (chosen === undefined) return undefined;
      const [j, p] = chosen;
      const byOperator = p.operator !== undefined && b % 2 === 1;
      const by = byOperator ? (p.operator as Signer) : p.signer;
      return {
        label: `accept job ${j.id} by provider ${p.index}${byOperator ? " (operator)" : ""}`,
        send: () => c.jobEscrow.connect(by).acceptJob(j.id, p.address, j.terms, OV),
        apply: (time) => {
          j.status = JobStatus.Accepted;
          j.provider = p.index;
          j.acceptedAt = time;
          j.price = (LISTINGS[p.index] as Listing).price;
          j.params = { ...m.params };
          j.collateral = bpsUp(j.escrowed, j.params.collateralRatioBps);
          j.resultDeadline = time + j.maxDuration + j.params.grace;
          p.inUse += j.gpus;
          p.locked += j.collateral;
        },
      };
    }
    case "decline": {
      const j = pick(jobsIn(JobStatus.Open, (x) => x.target !== undefined), a);
      if (j === undefined) return undefined;
      const p = m.providers[j.target as number] as ProviderModel;
      return {
        label: `decline job ${j.id}`,
        send: () => c.jobEscrow.connect(p.signer).declineJob(j.id, OV),
        apply: () => {
          j.status = JobStatus.Declined;
          move(escrow, clientAddress(j), j.escrowed);
        },
      };
    }
    case "submit": {
      const j = pick(jobsIn(JobStatus.Accepted, (x) => t <= x.resultDeadline), a);
      if (j === undefined) return undefined;
      const p = m.providers[j.provider] as ProviderModel;
      const by = p.operator !== undefined && b % 2 === 1 ? p.operator : p.signer;
      return {
        label: `submit job ${j.id}`,
        send: () => c.jobEscrow.connect(by).submitResult(j.id, "ipfs://result", keccakUtf8("result"), OV),
        apply: (time) => {
          j.status = JobStatus.Submitted;
          j.submittedAt = time;
          p.inUse -= j.gpus;
        },
      };
    }
    case "approve": {
      const j = pick(jobsIn(JobStatus.Submitted), a);
      if (j === undefined) return undefined;
      return {
        label: `approve job ${j.id}`,
        send: () => c.jobEscrow.connect(h.clients[j.client] as Signer).approveResult(j.id, OV),
        apply: () => settleTo(j),
      };
    }
    case "settle": {
      const j = pick(jobsIn(JobStatus.Submitted, (x) => t > x.submittedAt + x.params.challengeWindow), a);
      if (j === undefined) return undefined;
      return { label: `settle job ${j.id}`, send: () => c.jobEscrow.connect(h.anyone).settle(j.id, OV), apply: () => settleTo(j) };
    }
    case "cancel": {
      const j = pick(jobsIn(JobStatus.Open), a);
      if (j === undefined) return undefined;
      return {
        label: `cancel job ${j.id}`,
        send: () => c.jobEscrow.connect(h.clients[j.client] as Signer).cancelJob(j.id, OV),
        apply: () => {
          j.status = JobStatus.Cancelled;
          move(escrow, clientAddress(j), j.escrowed);
        },
      };
    }
    case "expire": {
      const j = pick(jobsIn(JobStatus.Open, (x) => t > x.acceptDeadline), a);
      if (j === undefined) return undefined;
      return {
        label: `expire job ${j.id}`,
        send: () => c.jobEscrow.connect(h.anyone).expireJob(j.id, OV),
        apply: () => {
          j.status = JobStatus.Expired;
          move(escrow, clientAddress(j), j.escrowed);
        },
      };
    }
    case "timeout": {
      const j = pick(jobsIn(JobStatus.Accepted, (x) => t > x.resultDeadline), a);
      if (j === undefined) return undefined;
      const p = m.providers[j.provider] as ProviderModel;
      return {
        label: `timeout job ${j.id}`,
        send: () => c.jobEscrow.connect(h.anyone).claimTimeout(j.id, OV),
        apply: () => timeOut(j, p),
      };
    }
    case "abandon": {
      // The provider gives back a job it cannot run, before its result deadline: the timeout's settlement, sooner.
      const j = pick(jobsIn(JobStatus.Accepted, (x) => t <= x.resultDeadline), a);
      if (j === undefined) return undefined;
      const p = m.providers[j.provider] as ProviderModel;
      const byOperator = p.operator !== undefined && b % 2 === 1;
      const by = byOperator ? (p.operator as Signer) : p.signer;
      return {
        label: `abandon job ${j.id}${byOperator ? " (operator)" : ""}`,
        send: () => c.jobEscrow.connect(by).abandonJob(j.id, OV),
        apply: () => timeOut(j, p),
      };
    }
    case "dispute": {
      const j = pick(
        jobsIn(JobStatus.Submitted, (x) => t <= x.submittedAt + x.params.challengeWindow && bal(clientAddress(x)) >= x.params.disputeDeposit),
        a,
      );
      if (j === undefined) return undefined;
      return {
        label: `dispute job ${j.id}`,
        send: () => c.disputeManager.connect(h.clients[j.client] as Signer).openDispute(j.id, "ipfs://evidence", OV),
        apply: (time) => {
          move(clientAddress(j), dm, j.params.disputeDeposit);
          j.status = JobStatus.Disputed;
          j.dispute = { deposit: j.params.disputeDeposit, ruleDeadline: time + j.params.disputePeriod, ruling: Ruling.None, answered: false };
        },
      };
    }
    case "answer": {
      const j = pick(jobsIn(JobStatus.Disputed, (x) => !(x.dispute as DisputeModel).answered && t <= (x.dispute as DisputeModel).ruleDeadline), a);
      if (j === undefined) return undefined;
      const p = m.providers[j.provider] as ProviderModel;
      return {
        label: `answer job ${j.id}`,
        send: () => c.disputeManager.connect(p.signer).answerDispute(j.id, "ipfs://answer", OV),
        apply: () => {
          (j.dispute as DisputeModel).answered = true;
        },
      };
    }
    case "rule": {
      const j = pick(jobsIn(JobStatus.Disputed, (x) => t <= (x.dispute as DisputeModel).ruleDeadline), a);
      if (j === undefined) return undefined;
      const ruling = [Ruling.Upheld, Ruling.Rejected, Ruling.Draw][b % 3] as Ruling.Upheld | Ruling.Rejected | Ruling.Draw;
      const maxSlash = bps(j.collateral, j.params.maxSlashingCutBps);
      const slashAmount = ruling === Ruling.Upheld ? (maxSlash * BigInt(intent.c % 101)) / 100n : 0n;
      const p = m.providers[j.provider] as ProviderModel;
      const d = j.dispute as DisputeModel;
      return {
        label: `rule job ${j.id} ${Ruling[ruling]} slash ${slashAmount}`,
        send: () => c.disputeManager.connect(h.s.actors.arbitrator).rule(j.id, ruling, slashAmount, OV),
        apply: () => {
          d.ruling = ruling;
          if (ruling === Ruling.Upheld) {
            move(escrow, clientAddress(j), j.escrowed);
            move(dm, clientAddress(j), d.deposit);
            slash(p, clientAddress(j), slashAmount, bps(slashAmount, j.params.disputeRewardBps));
            p.locked -= j.collateral;
            p.disputesLost += 1;
            j.status = JobStatus.Refunded;
          } else {
            settleTo(j);
            move(dm, ruling === Ruling.Rejected ? p.address : clientAddress(j), d.deposit);
          }
        },
      };
    }
    case "closeExpired": {
      // Any open dispute, its ruling window let pass if need be: the default disputePeriod (10 days) outlasts every
      // ADVANCES size, and `rule` (also in FALLBACK) takes a dispute long before advances add up to it, so a dispute
      // waiting for its deadline to pass was never reached.
      const j = pick(jobsIn(JobStatus.Disputed), a);
      if (j === undefined) return undefined;
      const d = j.dispute as DisputeModel;
      const at = Math.max(t, d.ruleDeadline + 1);
      return {
        label: `close expired dispute of job ${j.id}${at === t ? "" : ` at its ruling deadline + 1 s (+${at - m.now} s)`}`,
        at,
        send: () => c.disputeManager.connect(h.anyone).closeExpired(j.id, OV),
        apply: () => {
          d.ruling = Ruling.Expired;
          settleTo(j);
          move(dm, clientAddress(j), d.deposit);
        },
      };
    }
    case "donate": {
      const client = a % 3;
      const address = h.clientAddresses[client] as string;
      const to = [staking, escrow, dm][b % 3] as string;
      const amount = BigInt((intent.c % 1000) + 1);
      if (bal(address) < amount) return undefined;
      return {
        label: `client ${client} sends ${amount} wei to ${to}`,
        send: () => c.token.connect(h.clients[client] as Signer).transfer(to, amount, OV),
        apply: () => {
          move(address, to, amount);
          m.donated.add(to);
        },
      };
    }
    case "pause": {
      if (paused || (m.pausedUntil !== 0 && t < m.pausedUntil + Number(PAUSE_DURATION))) return undefined;
      return {
        label: "guardian pauses",
        send: () => c.pauseGuardian.connect(h.s.actors.guardian).pause(OV),
        apply: (time) => {
          m.pausedUntil = time + Number(PAUSE_DURATION);
        },
      };
    }
    case "govern": {
      const g = GOVERNED[a % GOVERNED.length] as GovernedParameter;
      const value = g.values[b % g.values.length] as bigint;
      return {
        label: `governance sets ${g.name} to ${value}`,
        send: () => g.send({ escrow: c.jobEscrow.connect(h.governance), staking: c.staking.connect(h.governance) }, value),
        apply: () => g.set(m, value),
      };
    }
    case "advance":
      return undefined;
  }
}

const ADVANCES = [1, 60, 600, 3601, 86_401, 86_401, 3 * 86_400 + 1, 3 * 86_400 + 1];


export interface StepRecord {
  step: number;
  /** The kind the intent resolved to (after FALLBACK), so callers can tell which kinds a sequence reached. */
  kind: Kind;
  label: string;
}

export class PropertyViolation extends Error {
  constructor(
    message: string,
    readonly steps: StepRecord[],
  ) {
    super(`${message}\n  after steps:\n${steps.map((s) => `    ${s.step}. ${s.label}`).join("\n")}`);
  }
}

/** Restores the harness's snapshot and runs one sequence, checking the property after every step. */
export async function runSequence(h: Harness, intents: readonly Intent[]): Promise<StepRecord[]> {
  await h.s.rpc.send("evm_revert", [h.snapshot]);
  h.snapshot = (await h.s.rpc.send("evm_snapshot", [])) as string;
  const m = cloneModel(h.initial);
  const steps: StepRecord[] = [];
  for (const [i, intent] of intents.entries()) {
    let kind: Kind = intent.kind;
    let action = kind === "advance" ? undefined : resolve(h, m, intent);
    for (let k = 0; action === undefined && intent.kind !== "advance" && k < FALLBACK.length; k++) {
      kind = FALLBACK[(intent.b + k) % FALLBACK.length] as Kind;
      action = resolve(h, m, { ...intent, kind });
    }
    if (action === undefined) {
      const seconds = ADVANCES[intent.a % ADVANCES.length] as number;
      m.now += seconds;
      steps.push({ step: i + 1, kind: "advance", label: `advance ${seconds} s` });
    } else {
      const t = action.at ?? m.now + 1;
      steps.push({ step: i + 1, kind, label: action.label });
      await h.s.rpc.send("evm_setNextBlockTimestamp", [t]);
      try {
        await mined(action.send());
      } catch (error) {
        throw new PropertyViolation(`the model expected "${action.label}" to succeed: ${(error as Error).message.split("\n")[0]}`, steps);
      }
      m.now = t;
      action.apply(t);
    }
    await check(h, m, steps);
  }
  return steps;
}

async function check(h: Harness, m: Model, steps: StepRecord[]): Promise<void> {
  const { c } = h.s;
  const providers = m.providers.map((p) => p.address);
  const [supply, balances, stakes] = await h.lens.read(await c.token.getAddress(), h.contracts.staking, h.accounts, providers);
  const fail = (message: string): never => {
    throw new PropertyViolation(message, steps);
  };
  if (supply !== h.supply) fail(`total supply changed: ${supply} != ${h.supply}`);
  const chain = new Map(h.accounts.map((a, i) => [a, balances[i] as bigint]));
  for (const [account, expected] of m.balances) {
    if (chain.get(account) !== expected) fail(`balance of ${account}: chain ${chain.get(account)}, model ${expected}`);
  }
  for (const [i, p] of m.providers.entries()) {
    const [staked, locked, thawing] = stakes[i] as [bigint, bigint, bigint];
    if (locked + thawing > staked) fail(`provider ${i}: locked ${locked} + thawing ${thawing} > staked ${staked}`);
    if (staked !== p.staked || locked !== p.locked || thawing !== p.thawing) {
      fail(`provider ${i} stake: chain ${staked}/${locked}/${thawing}, model ${p.staked}/${p.locked}/${p.thawing}`);
    }
  }
  const firstJobId = h.initial.nextJobId;
  const [providerViews, jobViews] = await h.lens.readJobs(
    await c.jobEscrow.getAddress(),
    await c.registry.getAddress(),
    h.contracts.staking,
    providers,
    firstJobId,
    m.nextJobId - 1n,
  );
  const collateralHeld = new Set([JobStatus.Accepted, JobStatus.Submitted, JobStatus.Disputed]);
  const lockedOnChain = m.providers.map(() => 0n);
  const reservedOnChain = m.providers.map(() => 0);
  for (const [k, j] of m.jobs.entries()) {
    const view = jobViews[k] as BalancesLens.JobViewStructOutput;
    const status = Number(view.status) as JobStatus;
    if (status !== j.status) fail(`job ${j.id}: status ${JobStatus[status]} on chain, ${JobStatus[j.status]} in the model`);
    const owner = m.providers.findIndex((p) => p.address === view.lockProvider);
    if (collateralHeld.has(status)) {
      if (owner !== j.provider || view.lockAmount !== j.collateral) {
        fail(`job ${j.id} (${JobStatus[status]}): lock of ${view.lockAmount} for ${view.lockProvider}, expected ${j.collateral} for provider ${j.provider}`);
      }
    } else if (view.lockProvider !== ZeroAddress || view.lockAmount !== 0n) {
      fail(`job ${j.id} (${JobStatus[status]}) still holds a lock of ${view.lockAmount} for ${view.lockProvider}`);
    }
    if (owner >= 0) lockedOnChain[owner] = (lockedOnChain[owner] as bigint) + view.lockAmount;
    if (status === JobStatus.Accepted && owner >= 0) reservedOnChain[owner] = (reservedOnChain[owner] as number) + j.gpus;
  }
  for (const [i, p] of m.providers.entries()) {
    const view = providerViews[i] as BalancesLens.ProviderViewStructOutput;
    const locked = (stakes[i] as [bigint, bigint, bigint])[1];
    if (locked !== lockedOnChain[i]) fail(`provider ${i}: locked ${locked}, but its jobs' locks sum to ${lockedOnChain[i]}`);
    const inUse = Number(view.gpusInUse);
    if (inUse !== reservedOnChain[i]) fail(`provider ${i}: ${inUse} GPUs in use, but its accepted jobs hold ${reservedOnChain[i]}`);
    if (inUse !== p.inUse) fail(`provider ${i}: ${inUse} GPUs in use on chain, ${p.inUse} in the model`);
    const record = { completed: view.stats.completed, timedOut: view.stats.timedOut, disputesLost: view.stats.disputesLost };
    for (const [stat, onChain] of Object.entries(record) as [keyof typeof record, bigint][]) {
      if (Number(onChain) !== p[stat]) fail(`provider ${i}: ${onChain} ${stat} on chain, ${p[stat]} in the model`);
    }
  }
  const live = new Set([JobStatus.Open, JobStatus.Accepted, JobStatus.Submitted, JobStatus.Disputed]);
  const owed = {
    [h.contracts.staking]: m.providers.reduce((sum, p) => sum + p.staked, 0n),
    [h.contracts.escrow]: m.jobs.filter((j) => live.has(j.status)).reduce((sum, j) => sum + j.escrowed, 0n),
    [h.contracts.dm]: m.jobs.filter((j) => j.dispute?.ruling === Ruling.None).reduce((sum, j) => sum + (j.dispute as DisputeModel).deposit, 0n),
  };
  for (const [contract, amount] of Object.entries(owed)) {
    const held = chain.get(contract) as bigint;
    if (held < amount) fail(`${contract} holds ${held} but owes ${amount}`);
    if (!m.donated.has(contract) && held !== amount) fail(`${contract} holds ${held} but owes exactly ${amount}`);
  }
}

export { sequenceArbitrary as sequences };
