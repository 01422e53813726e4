/**
 * What every task starts from: the deployment record (checked against the connected chain) and the eight contracts
 * attached to the node (DeploymentContext, all a read-only task gets); a task that signs adds the signing account
 * chosen with `--from` or LATENT_PRIVATE_KEY, the contracts connected to it, and `send`, which turns a revert into the
 * contract's custom error before anything else sees it.
 *
 * Loaded only when a task runs: it needs the TypeChain factories, which do not exist before the first compile,
 * while the task definitions are read by every Hardhat command, `compile` included.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { Wallet, getAddress, isAddress } from "ethers";
import type { ContractTransactionReceipt, ContractTransactionResponse, Result, Signer, TransactionRequest } from "ethers";
import type { HardhatRuntimeEnvironment, TaskDefinition } from "hardhat/types";
import { CONTRACT_NAMES, attachLatent, deploymentsDir } from "../../deploy";
import type { ContractName, DeploymentRecord, LatentContracts } from "../../deploy";
import { RecordReadError, lookupRecord, readRecordFile, staleReason } from "../../deployment-records";
import { contractsByName } from "../../scenario/events";
import { DisputeManager__factory } from "../../../typechain-types/factories/contracts/disputes/DisputeManager__factory";
import { JobEscrow__factory } from "../../../typechain-types/factories/contracts/jobs/JobEscrow__factory";
import { LatentGovernor__factory } from "../../../typechain-types/factories/contracts/governance/LatentGovernor__factory";
import { LatentTimelock__factory } from "../../../typechain-types/factories/contracts/governance/LatentTimelock__factory";
import { LatentToken__factory } from "../../../typechain-types/factories/contracts/token/LatentToken__factory";
import { PauseGuardian__factory } from "../../../typechain-types/factories/contracts/governance/PauseGuardian__factory";
import { ProviderRegistry__factory } from "../../../typechain-types/factories/contracts/registry/ProviderRegistry__factory";
import { Staking__factory } from "../../../typechain-types/factories/contracts/staking/Staking__factory";
import { DeploymentError, InputError, LatentTaskError, MissingInputError, RevertError, SignerError, TransactionError } from "./errors";
import { write } from "./output";
import { notAnAddress } from "./parse";
import { RevertDecoder } from "./revert";
import type { NamedAbi } from "./revert";

/** Options every task takes. */
export interface CommonArgs {
  /** Deployment record file; default <LATENT_DEPLOYMENTS_DIR or deployments/>/<network>.json. */
  deployment?: string;
  /** Account index or address among the network's accounts (a read-only task's, only where an option defaults to it). */
  from?: string;
  json: boolean;
}

/** The task a context runs for, as Hardhat defined it: what a refusal needs to write the user's command again. */
export type TaskCommand = Pick<TaskDefinition, "scope" | "name" | "paramDefinitions">;

/** Environment variable holding the signing key on real networks (never a command-line option: shells log those). */
export const PRIVATE_KEY_ENV = "LATENT_PRIVATE_KEY";

export interface ReceiptEvent {
  contract: ContractName;
  name: string;
  args: Result;
}

/** Per custom error name, a function that explains it further (e.g. when the refused action becomes possible). */
export type RevertHints = Readonly<Record<string, () => Promise<string>>>;

export interface SentTransaction {
  hash: string;
  blockNumber: number;
  events: ReceiptEvent[];
}

/** The ABIs of every Latent contract, as compiled (with enum names in `internalType`). */
export function latentAbis(): NamedAbi[] {
  return [
    { contract: "LatentToken", abi: LatentToken__factory.abi },
    { contract: "PauseGuardian", abi: PauseGuardian__factory.abi },
    { contract: "ProviderRegistry", abi: ProviderRegistry__factory.abi },
    { contract: "Staking", abi: Staking__factory.abi },
    { contract: "JobEscrow", abi: JobEscrow__factory.abi },
    { contract: "DisputeManager", abi: DisputeManager__factory.abi },
    { contract: "LatentGovernor", abi: LatentGovernor__factory.abi },
    { contract: "LatentTimelock", abi: LatentTimelock__factory.abi },
  ];
}

let sharedDecoder: RevertDecoder | undefined;

export function revertDecoder(): RevertDecoder {
  sharedDecoder ??= new RevertDecoder(latentAbis());
  return sharedDecoder;
}

/** The connected node alone, with no deployment record and no account: what a task on the chain itself needs (devnet advance). */
export class ChainContext {
  protected constructor(
    readonly hre: HardhatRuntimeEnvironment,
    /** The options as given (the common ones and the task's own), to repeat them in suggested command lines. */
    readonly options: Readonly<CommonArgs>,
    /** The task run, undefined where its body runs without it (runReadTask called by a script). */
    readonly command?: TaskCommand,
  ) {}

  static async open(hre: HardhatRuntimeEnvironment, args: CommonArgs, command?: TaskCommand): Promise<ChainContext> {
    // As DeploymentContext checks it: a --from naming no account is a mistake in the pasted options, even here.
    if (args.from !== undefined) await chooseSigner(hre, args.from);
    return new ChainContext(hre, args, command);
  }

  get networkName(): string {
    return this.hre.network.name;
  }

  /** The chain's time: the latest block's timestamp, which is what the contracts compare deadlines with. */
  async now(): Promise<number> {
    const block = await this.hre.ethers.provider.getBlock("latest");
    if (block === null) throw new TransactionError("the node returned no latest block");
    return block.timestamp;
  }

  /**
   * The time the next block will get: the pending block's timestamp where the node has one (Hardhat's follows its
   * clock), never before the latest block's. A deadline the task sets from now must count from here: on a devnet that
   * mined nothing for longer than the window, one counted from the latest block is already past when the job is mined.
   */
  async nextBlockTime(): Promise<number> {
    const latest = await this.now();
    // Raw: ethers' block formatter refuses a pending block (its number is null).
    const pending = (await this.hre.ethers.provider.send("eth_getBlockByNumber", ["pending", false]).catch(() => null)) as { timestamp?: string } | null;
    return typeof pending?.timestamp === "string" ? Math.max(latest, Number(pending.timestamp)) : latest;
  }

  /**
   * The chain's time for a revert's deadlines ("in 1h 59m"), or undefined where the node does not answer: a revert
   * is then still reported, with its dates alone, rather than replaced by the failure to read the clock.
   */
  async nowIfAnswered(): Promise<number | undefined> {
    try {
      return await this.now();
    } catch {
      return undefined;
    }
  }
}

/**
 * A task's deployment, checked against the connected chain, and its contracts attached to the node, with no account:
 * what a read-only task (deployment verify, the status and show tasks) needs, so that it runs against a node with no
 * account configured (a public RPC with no key).
 */
export class DeploymentContext extends ChainContext {
  protected constructor(
    hre: HardhatRuntimeEnvironment,
    readonly record: DeploymentRecord,
    readonly deploymentFile: string,
    /** The contracts: attached to the node for reading, connected to the signer in a TaskContext. */
    readonly c: LatentContracts,
    options: Readonly<CommonArgs>,
    command?: TaskCommand,
  ) {
    super(hre, options, command);
  }

  static override async open(hre: HardhatRuntimeEnvironment, args: CommonArgs, command?: TaskCommand): Promise<DeploymentContext> {
    const { file, record } = await openDeployment(hre, args);
    // Checked even where the option that defaults to it is given: ignored, a --from naming no account would go unnoticed.
    if (args.from !== undefined) await chooseSigner(hre, args.from);
    return new DeploymentContext(hre, record, file, attachLatent(record, hre.ethers.provider), args, command);
  }

  /** The block of `contract`'s deployment: where event queries start. */
  fromBlock(contract: ContractName): number {
    return this.record.contracts[contract].blockNumber;
  }

  /** An account option: an address, or an index among the network's accounts (handy on a devnet). */
  async account(field: string, value: string): Promise<string> {
    const text = value.trim();
    if (/^\d+$/.test(text)) {
      const accounts = await this.hre.ethers.getSigners();
      const signer = accounts[Number(text)];
      if (signer === undefined) {
        throw new InputError(field, `account index ${text} does not exist: network "${this.networkName}" has ${accounts.length} accounts`);
      }
      return getAddress(await signer.getAddress());
    }
    if (!isAddress(text)) throw new InputError(field, `"${value}" ${notAnAddress(text, "is neither an address nor an account index")}`);
    return getAddress(text);
  }

  /**
   * What the account option `field` stands for when it is not given: the account a signing task would sign with
   * (`--from`, else LATENT_PRIVATE_KEY's, else account 0). A network with none makes `field` required.
   */
  async defaultAccount(field: string): Promise<string> {
    const signer = await chooseSigner(this.hre, this.options.from);
    if (signer === undefined) {
      throw new MissingInputError(field, `required: network "${this.networkName}" has no account to default to (give an address, or set ${PRIVATE_KEY_ENV})`);
    }
    return getAddress(await signer.getAddress());
  }

  /** A view call whose revert is worth decoding (e.g. a governor view on an unknown proposal). */
  async read<T>(action: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw await this.explain(action, error);
    }
  }

  protected async explain(action: string, error: unknown, response?: ContractTransactionResponse): Promise<LatentTaskError> {
    if (error instanceof LatentTaskError) return error;
    const parent = error instanceof Error ? error : undefined;
    const now = await this.nowIfAnswered();
    let decoded = revertDecoder().decode(error, now);
    if (decoded === undefined && response !== undefined) {
      // Mined and reverted (estimation passed, the state changed before inclusion): replay it for the reason.
      decoded = await this.replay(response, now);
    }
    if (decoded !== undefined) return new RevertError(action, decoded.name, decoded.args, decoded.formatted, parent);
    const message = parent?.message ?? String(error);
    return new TransactionError(`${action} failed: ${message.split("\n")[0]}`, parent);
  }

  private async replay(response: ContractTransactionResponse, now: number | undefined) {
    try {
      await this.hre.ethers.provider.call({ to: response.to, from: response.from, data: response.data, value: response.value });
      return undefined;
    } catch (error) {
      return revertDecoder().decode(error, now);
    }
  }
}

export class TaskContext extends DeploymentContext {
  private readonly byAddress: Map<string, ContractName>;

  private constructor(
    hre: HardhatRuntimeEnvironment,
    record: DeploymentRecord,
    deploymentFile: string,
    readonly signer: Signer,
    /** The signing account's address. */
    readonly address: string,
    c: LatentContracts,
    options: Readonly<CommonArgs>,
    command?: TaskCommand,
  ) {
    super(hre, record, deploymentFile, c, options, command);
    this.byAddress = new Map(CONTRACT_NAMES.map((name) => [record.contracts[name].address.toLowerCase(), name]));
  }

  static override async open(hre: HardhatRuntimeEnvironment, args: CommonArgs, command?: TaskCommand): Promise<TaskContext> {
    const { file, record } = await openDeployment(hre, args);
    const signer = estimatingFirst(await resolveSigner(hre, args.from));
    const address = getAddress(await signer.getAddress());
    return new TaskContext(hre, record, file, signer, address, attachLatent(record, signer), args, command);
  }

  /** The signer: what an account option of a signing task defaults to. */
  override async defaultAccount(): Promise<string> {
    return this.address;
  }

  /** A progress line, printed at once (not in --json mode) so that a later failure does not hide what was sent. */
  progress(line: string): void {
    if (!this.options.json) write(line);
  }

  /**
   * Sends a transaction and waits for it. A revert, at estimation or after mining, becomes a RevertError naming
   * the custom error; `action` names the call in messages, e.g. "JobEscrow.acceptJob".
   */
  async send(
    action: string,
    submit: () => Promise<ContractTransactionResponse>,
    hints: RevertHints = {},
  ): Promise<SentTransaction> {
    let receipt: ContractTransactionReceipt | null = null;
    let response: ContractTransactionResponse | undefined;
    try {
      response = await submit();
      receipt = await response.wait();
    } catch (error) {
      throw await this.withHint(await this.explain(action, error, response), hints);
    }
    if (receipt === null) throw new TransactionError(`${action}: transaction ${response.hash} was dropped`);
    this.progress(`${action}: transaction ${receipt.hash} mined in block ${receipt.blockNumber}`);
    return { hash: receipt.hash, blockNumber: receipt.blockNumber, events: this.decodeEvents(receipt) };
  }

  /**
   * Before an approve: simulates the call that will spend the allowance, and throws its revert unless it is one of
   * `expected` (the token's own refusal for want of the allowance the approve is about to give). The contracts pull
   * the LAT last, so every other reason (a pause, the wrong account, a closed window) shows here, before an approve
   * is sent for an action bound to revert.
   */
  async preflight(
    action: string,
    call: () => Promise<unknown>,
    expected: readonly string[] = ["ERC20InsufficientAllowance", "ERC20InsufficientBalance"],
    hints: RevertHints = {},
  ): Promise<void> {
    try {
      await call();
    } catch (error) {
      const first = revertDecoder().decode(error);
      // Undecodable (a node that gives no revert data): the transaction itself will say what it can.
      if (first === undefined || expected.includes(first.name)) return;
      // The clock read only for a refusal: the expected one comes on every call that spends an allowance not yet given.
      const decoded = revertDecoder().decode(error, await this.nowIfAnswered()) ?? first;
      throw await this.withHint(new RevertError(action, decoded.name, decoded.args, decoded.formatted, error instanceof Error ? error : undefined), hints);
    }
  }

  /** The Latent events in a receipt, decoded with their contract's ABI. */
  decodeEvents(receipt: ContractTransactionReceipt): ReceiptEvent[] {
    const byName = contractsByName(this.c);
    const out: ReceiptEvent[] = [];
    for (const log of receipt.logs) {
      const contract = this.byAddress.get(log.address.toLowerCase());
      if (contract === undefined) continue;
      const parsed = byName[contract].interface.parseLog({ topics: [...log.topics], data: log.data });
      if (parsed !== null) out.push({ contract, name: parsed.name, args: parsed.args });
    }
    return out;
  }

  /** Appends what the revert alone cannot say (a date, a next step) to the errors `hints` names. */
  private async withHint(error: LatentTaskError, hints: RevertHints): Promise<LatentTaskError> {
    if (!(error instanceof RevertError)) return error;
    const hint = hints[error.errorName];
    if (hint === undefined) return error;
    return new RevertError(error.action, error.errorName, error.args, `${error.formatted}: ${await hint()}`, error);
  }
}

/** The record a task uses (--deployment, or lookupRecord's), refused unless its contracts are on the connected chain. */
async function openDeployment(hre: HardhatRuntimeEnvironment, args: CommonArgs): Promise<{ file: string; record: DeploymentRecord }> {
  const named = args.deployment ?? path.join(deploymentsDir(), `${hre.network.name}.json`);
  // Without --network, a task runs on Hardhat's in-process chain, started empty for this one command: the
  // usual reason for a missing record or missing contracts, and not what the record or a restart would suggest.
  const inProcess =
    hre.network.name === "hardhat"
      ? ': without --network a task runs on Hardhat\'s in-process chain, empty on every command; add --network localhost for the chain of npm start (or npx hardhat node)'
      : "";
  // The in-process chain is new on every command, so no record but its own name could describe it.
  const given = args.deployment !== undefined || inProcess !== "";
  const option = args.deployment === undefined ? undefined : "--deployment";
  const read = given ? await withHint(() => withReadErrors(option, () => readRecordFile(named)), inProcess) : undefined;
  const chainId = Number((await hre.ethers.provider.getNetwork()).chainId);
  const { file, record } = read === undefined ? await findRecord(hre, chainId) : { file: named, record: read };
  if (chainId !== record.chainId) {
    throw new DeploymentError(
      `${file} is a deployment on chain ${record.chainId}, but network "${hre.network.name}" is chain ${chainId}`,
    );
  }
  // Before the code check: a restarted node may hold other contracts (or a new deployment) at the same addresses.
  if (record.genesisHash !== undefined) {
    const genesis = await genesisHash(hre);
    // In-process, every record is another chain's: the advice is --network, not a new deployment.
    if (record.genesisHash.toLowerCase() !== genesis) throw staleRecord(file, record, genesis, inProcess === "" ? undefined : inProcess.slice(2));
  }
  const missing: string[] = [];
  await Promise.all(
    CONTRACT_NAMES.map(async (name) => {
      if ((await hre.ethers.provider.getCode(record.contracts[name].address)) === "0x") missing.push(name);
    }),
  );
  if (missing.length > 0) {
    throw new DeploymentError(
      `${file}: no contract at the address of ${missing.sort().join(", ")} on network "${hre.network.name}" ` +
        (inProcess === "" ? "(was the node restarted since the deployment?)" : inProcess.slice(2)),
    );
  }
  return { file, record };
}

/** Runs `read`, appending `hint` to the message of the DeploymentError it throws. */
async function withHint<T>(read: () => Promise<T>, hint: string): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (hint === "" || !(error instanceof DeploymentError)) throw error;
    throw new DeploymentError(`${error.message}${hint}`);
  }
}

/** Chain ids of development nodes (Hardhat's, and Ganache's or anvil's), where `npm start` may run. */
const DEVELOPMENT_CHAIN_IDS = new Set([31337, 1337]);

/** Where a devnet's record is when it is not in deployments/: one started with other ports keeps it in its data dir. */
const DEVNET_RECORD_HINT =
  "; a devnet started with --chain-port (or --rpc-url) keeps its record in <data-dir>/deployments/ (.data/ without --data-dir): npm start prints each task command with its --deployment";

/**
 * The record of the chain a task is connected to, without --deployment: lookupRecord's, `<network>.json` when it is
 * for this chain, else the only record in the deployments directory for its chain id and genesis block.
 */
async function findRecord(hre: HardhatRuntimeEnvironment, chainId: number): Promise<{ file: string; record: DeploymentRecord }> {
  const dir = deploymentsDir();
  const lookup = await withReadErrors(undefined, () => lookupRecord({ dir, name: hre.network.name, exact: false, chainId, genesis: () => genesisHash(hre) }));
  const list = (considered: string[]) => (considered.length === 0 ? "none" : considered.join(", "));
  switch (lookup.kind) {
    case "found":
      return lookup;
    case "stale":
      throw staleRecord(lookup.file, lookup.record, lookup.genesis ?? "unknown");
    case "ambiguous":
      throw new DeploymentError(
        `several deployment records in ${dir} are for chain ${chainId} of network "${hre.network.name}" (considered: ${list(lookup.considered)}): choose one with --deployment <file>`,
      );
    case "missing":
      throw new DeploymentError(
        `no deployment record in ${dir} is for chain ${chainId} of network "${hre.network.name}" (considered: ${list(lookup.considered)}): deploy to it, or pass --deployment <file>` +
          (DEVELOPMENT_CHAIN_IDS.has(chainId) ? DEVNET_RECORD_HINT : ""),
      );
  }
}

/** Block 0's hash on the connected node, lower-case: what tells a restarted node from the one a record was written on. */
async function genesisHash(hre: HardhatRuntimeEnvironment): Promise<string> {
  const block = await hre.ethers.provider.getBlock(0);
  if (block?.hash == null) throw new TransactionError(`network "${hre.network.name}" returned no block 0`);
  return block.hash.toLowerCase();
}

function staleRecord(file: string, record: DeploymentRecord, genesis: string, advice = "deploy again or pass --deployment"): DeploymentError {
  return new DeploymentError(`${staleReason(file, record, record.chainId, genesis)}: ${advice}`);
}

/** Runs `read`, turning the RecordReadError of the file it read into a DeploymentError that says how it was chosen. */
async function withReadErrors<T>(option: string | undefined, read: () => T | Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (!(error instanceof RecordReadError)) throw error;
    const moved = process.env.LATENT_DEPLOYMENTS_DIR ? "in LATENT_DEPLOYMENTS_DIR; " : "";
    const where = option === undefined ? `${error.file} (${moved}pass --deployment <file> to use another)` : `${option} ${error.file}`;
    throw new DeploymentError(`deployment record ${where}: ${error.reason}`);
  }
}

/**
 * The signer, estimating every transaction before sending it. Hardhat's own signer skips the estimate on a Hardhat
 * chain (the in-process one, or `localhost` on a Hardhat node, the devnet): it sends the block's gas limit, so a call
 * the contract refuses (another client's job, a job in the wrong state) was mined, reverted, spending gas and a nonce,
 * before the task reported the revert. The estimate's revert is the same custom error, thrown before anything is sent.
 */
function estimatingFirst(signer: Signer): Signer {
  return new Proxy(signer, {
    get(target, property) {
      if (property === "sendTransaction") {
        return async (tx: TransactionRequest) => {
          await target.estimateGas(tx);
          return target.sendTransaction(tx);
        };
      }
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

async function resolveSigner(hre: HardhatRuntimeEnvironment, from: string | undefined): Promise<Signer> {
  const signer = await chooseSigner(hre, from);
  if (signer === undefined) {
    throw new SignerError(`network "${hre.network.name}" has no accounts: set ${PRIVATE_KEY_ENV} to sign with your key`);
  }
  return signer;
}

/** `--from`'s account, else LATENT_PRIVATE_KEY's, else account 0; undefined when, with no --from, there is none. */
async function chooseSigner(hre: HardhatRuntimeEnvironment, from: string | undefined): Promise<Signer | undefined> {
  const key = process.env[PRIVATE_KEY_ENV];
  let keyWallet: Wallet | undefined;
  if (key !== undefined && key.trim() !== "") {
    try {
      keyWallet = new Wallet(key.trim(), hre.ethers.provider);
    } catch {
      // Never echo the value: it is a secret.
      throw new SignerError(`${PRIVATE_KEY_ENV} is not a private key (0x followed by 64 hex digits)`);
    }
  }
  const accounts = await hre.ethers.getSigners();
  if (from === undefined) return keyWallet ?? accounts[0];
  const text = from.trim();
  if (/^\d+$/.test(text)) {
    const signer = accounts[Number(text)];
    if (signer === undefined) {
      throw new InputError("--from", `account index ${text} does not exist: network "${hre.network.name}" has ${accounts.length} accounts`);
    }
    return signer;
  }
  if (!isAddress(text)) throw new InputError("--from", `"${from}" ${notAnAddress(text, "is neither an account index nor an address")}`);
  const wanted = getAddress(text);
  if (keyWallet !== undefined && keyWallet.address === wanted) return keyWallet;
  for (const signer of accounts) if (getAddress(signer.address) === wanted) return signer;
  throw new SignerError(
    `--from ${wanted} is not an account of network "${hre.network.name}"` +
      (keyWallet === undefined ? ` and no ${PRIVATE_KEY_ENV} is set` : ` nor the account of ${PRIVATE_KEY_ENV}`),
  );
}
