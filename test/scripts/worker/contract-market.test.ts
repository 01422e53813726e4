// ContractMarket's wait for receipts, on a local chain that stops mining: a transaction the node takes but never
// mines. The contracts are not deployed; setOnline is sent to plain addresses, which the node accepts all the same.
// Then its reads of what an acceptance would lock, and the revert of one it cannot cover, on the deployed contracts.
import { expect } from "chai";
import {
  FeeData,
  JsonRpcProvider,
  Network,
  Transaction,
  Wallet,
  ZeroAddress,
  isError,
  parseEther,
  parseUnits,
  toQuantity,
  type ContractTransactionReceipt,
  type Signer,
  type TransactionResponse,
} from "ethers";
import {
  GPU_MODELS,
  type ProviderHandle,
  type Scenario,
  acceptJob,
  createJob,
  deployScenario,
  fund,
  registerProvider,
  stake,
  thaw,
} from "../../../scripts/scenario";
import {
  ContractMarket,
  NonceConflictError,
  ReceiptTimeoutError,
  replacementFees,
  type ContractMarketOptions,
} from "../../../scripts/worker/contract-market";
import { pinnedProvider } from "../../../scripts/worker/chain";
import { hashJobTerms } from "../../../scripts/worker/gateway-jobs";
import { createLogger, type LogRecord } from "../../../scripts/worker/logger";
import { JobReplacedError, JobStatus, MarketRejectedError, type CandidateJob } from "../../../scripts/worker/market";
import { checkCollateral } from "../../../scripts/worker/policy";
import { isTransientError } from "../../../scripts/worker/retry";
import { waitUntil } from "../../helpers/wait";
import { createdCandidate } from "./helpers/created-job";
import { startLocalChain, type LocalChain } from "../../gateway/helpers/local-chain";

const CONTRACTS = {
  jobEscrow: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
  providerRegistry: "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512",
};
const PROVIDER = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";

/**
 * The worker's provider (pinned, no response cache) counting the writes, transactions to the registry, that the node
 * answered, and those it refused as underpriced replacements. A leftover's replacement, a transfer to the operator key
 * itself, is not counted.
 */
class WriteCountingProvider extends JsonRpcProvider {
  writesAnswered = 0;
  writesRefused = 0;

  constructor(url: string, chainId: number) {
    const network = Network.from(chainId);
    super(url, network, { staticNetwork: network, cacheTimeout: -1, pollingInterval: 1000 });
  }

  override async broadcastTransaction(signed: string): Promise<TransactionResponse> {
    const write = Transaction.from(signed).to === CONTRACTS.providerRegistry;
    try {
      return await super.broadcastTransaction(signed);
    } catch (error) {
      if (write && isError(error, "REPLACEMENT_UNDERPRICED")) this.writesRefused += 1;
      throw error;
    } finally {
      if (write) this.writesAnswered += 1;
    }
  }
}

describe("the contract market's receipts", function () {
  let chain: LocalChain;
  let operator: Wallet;
  const providers: JsonRpcProvider[] = [];

  before(async () => {
    chain = await startLocalChain();
    operator = new Wallet(Wallet.createRandom().privateKey);
    await (await chain.signers[0]!.sendTransaction({ to: operator.address, value: parseEther("1") })).wait();
  });
  afterEach(() => providers.splice(0).forEach((rpc) => rpc.destroy()));
  after(() => chain.close());

  /** A market on its own provider: one shared would answer the nonce from its cache of the previous test's read. */
  function market(
    receiptTimeoutMs?: number,
    options: Partial<ContractMarketOptions> = {},
  ): { market: ContractMarket; rpc: JsonRpcProvider } {
    const rpc = new JsonRpcProvider(chain.url, undefined, { staticNetwork: true });
    providers.push(rpc);
    const wallet = new Wallet(operator.privateKey);
    const all = { rpc, operator: wallet, provider: PROVIDER, contracts: CONTRACTS, receiptTimeoutMs, ...options };
    return { market: new ContractMarket(all), rpc };
  }

  const REPLACED = "transaction not mined in time; replaced it with higher fees";
  const AT_CAP = "transaction not mined, and a replacement would pay more than chain.maxFeePerGas; waiting";

  it("waits 180 s for a receipt unless told otherwise, as the worker README says", () => {
    expect(market().market.receiptTimeoutMs).to.equal(180_000);
    expect(market(250).market.receiptTimeoutMs).to.equal(250);
  });

  it("resolves a write with its receipt once mined", async () => {
    const receipt = await market(60_000).market.setOnline(true);
    expect(receipt.status).to.equal(1);
    expect(receipt.from).to.equal(operator.address);
  });

  it("fails a write that is not mined within receiptTimeoutMs with a transient ReceiptTimeoutError naming the transaction", async () => {
    await chain.ethers.send("evm_setAutomine", [false]);
    const { market: slow, rpc } = market(100);
    let caught: unknown;
    try {
      await slow.setOnline(true);
    } catch (error) {
      caught = error;
    } finally {
      await chain.ethers.send("evm_setAutomine", [true]);
    }
    expect(caught).to.be.instanceOf(ReceiptTimeoutError);
    const { transactionHash, timeoutMs } = caught as ReceiptTimeoutError;
    expect(timeoutMs).to.equal(100);
    expect((caught as Error).message).to.equal(`no receipt for transaction ${transactionHash} within 100 ms`);
    // The node has it, unmined: it was broadcast and only the receipt was missing.
    const pending = await rpc.getTransaction(transactionHash);
    expect(pending?.from).to.equal(operator.address);
    expect(pending?.blockNumber).to.equal(null);
    expect(isTransientError(caught)).to.equal(true);
  });

  it("replaces a transaction not mined in replaceAfterMs: same nonce, fees up 10% or more; the mined one resolves", async () => {
    const logs: LogRecord[] = [];
    const logger = createLogger("debug", (record) => logs.push(record));
    const { market: slow, rpc } = market(30_000, { replaceAfterMs: 100, receiptPollMs: 10, logger });
    await chain.ethers.send("evm_setAutomine", [false]);
    let receipt: ContractTransactionReceipt;
    try {
      const writing = slow.setOnline(true);
      await waitUntil(() => logs.some((record) => record.msg === REPLACED), "a replacement is logged");
      await chain.ethers.send("evm_mine", []);
      receipt = await writing;
    } finally {
      await chain.ethers.send("evm_setAutomine", [true]);
    }
    const replacements = logs.filter((record) => record.msg === REPLACED).map((record) => record.fields);
    const original = replacements[0]!.hash as string;
    const mined = await rpc.getTransaction(receipt.hash);
    const replaced = replacements.find((fields) => fields.replacement === receipt.hash);
    expect(receipt.status).to.equal(1);
    expect(receipt.hash).to.not.equal(original);
    expect(await rpc.getTransactionReceipt(original)).to.equal(null);
    expect(mined?.nonce).to.equal(replacements[0]!.nonce);
    const previous = replaced!.previousFees as { maxFeePerGas: bigint; maxPriorityFeePerGas: bigint };
    expect(mined!.maxFeePerGas! * 10n).to.be.gte(previous.maxFeePerGas * 11n);
    expect(mined!.maxPriorityFeePerGas! * 10n).to.be.gte(previous.maxPriorityFeePerGas * 11n);
  });

  it("sends no replacement paying more than maxFeePerGas, and resolves once the original is mined", async () => {
    const logs: LogRecord[] = [];
    const logger = createLogger("debug", (record) => logs.push(record));
    const { market: capped } = market(30_000, { replaceAfterMs: 100, receiptPollMs: 10, maxFeePerGas: 1n, logger });
    await chain.ethers.send("evm_setAutomine", [false]);
    let receipt: ContractTransactionReceipt;
    try {
      const writing = capped.setOnline(true);
      await waitUntil(() => logs.some((record) => record.msg === AT_CAP), "the cap is logged");
      await chain.ethers.send("evm_mine", []);
      receipt = await writing;
    } finally {
      await chain.ethers.send("evm_setAutomine", [true]);
    }
    expect(logs.find((record) => record.msg === AT_CAP)?.fields.hash).to.equal(receipt.hash);
    expect(logs.filter((record) => record.msg === REPLACED)).to.deep.equal([]);
  });

  it("raises replacement fees by 12.5%, to the node's suggestion when that is more, within the cap", () => {
    const previous = { maxFeePerGas: 1000n, maxPriorityFeePerGas: 100n, gasPrice: null };
    const suggest = (maxFeePerGas: bigint, maxPriorityFeePerGas: bigint) => new FeeData(null, maxFeePerGas, maxPriorityFeePerGas);
    const fees = (maxFeePerGas: bigint, maxPriorityFeePerGas: bigint) => ({ maxFeePerGas, maxPriorityFeePerGas });
    expect(replacementFees(previous, suggest(500n, 50n), 10_000n)).to.deep.equal(fees(1125n, 113n));
    expect(replacementFees(previous, suggest(3000n, 200n), 10_000n)).to.deep.equal(fees(3000n, 200n));
    expect(replacementFees(previous, suggest(3000n, 200n), 2000n)).to.deep.equal(fees(2000n, 200n));
    expect(replacementFees(previous, suggest(500n, 50n), 1124n)).to.equal(undefined);
    const legacy = { maxFeePerGas: null, maxPriorityFeePerGas: null, gasPrice: 80n };
    expect(replacementFees(legacy, new FeeData(10n, null, null), 1000n)).to.deep.equal({ gasPrice: 90n });
  });

  it("reports a nonce the key used elsewhere meanwhile as a transient NonceConflictError, and counts afresh for the next write", async () => {
    // The worker's own provider, without ethers' response cache, which would answer the count read before the conflict.
    const rpc = pinnedProvider(chain.url, Number((await chain.ethers.getNetwork()).chainId));
    providers.push(rpc);
    const { market: subject } = market(60_000, { rpc });
    const { rpc: elsewhere } = market();
    expect((await subject.setOnline(true)).status).to.equal(1);
    // Another process signing with the operator key: the market's count is now one behind the node's.
    await (await new Wallet(operator.privateKey, elsewhere).sendTransaction({ to: operator.address, value: 0n })).wait();
    const caught = await subject.setOnline(true).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(caught).to.be.instanceOf(NonceConflictError);
    expect(isTransientError(caught)).to.equal(true);
    expect((await subject.setOnline(true)).status).to.equal(1);
  });

  it("reports a nonce above the node's (a devnet restarted beneath the worker) as a transient NonceConflictError naming what the node said, and counts afresh for the next write", async () => {
    const rpc = pinnedProvider(chain.url, Number((await chain.ethers.getNetwork()).chainId));
    providers.push(rpc);
    const { market: subject } = market(60_000, { rpc });
    expect((await subject.setOnline(true)).status).to.equal(1);
    // The chain goes back to before the market's last write: the node's count of the key is now one below the market's.
    const snapshot = (await chain.ethers.send("evm_snapshot", [])) as string;
    expect((await subject.setOnline(true)).status).to.equal(1);
    await chain.ethers.send("evm_revert", [snapshot]);
    const caught = await subject.setOnline(true).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(caught).to.be.instanceOf(NonceConflictError);
    expect(isTransientError(caught)).to.equal(true);
    expect((caught as Error).message).to.match(/^nonce conflict: nonce \d+ of the operator key is above the node's count of the key's transactions \(the chain restarted, or the node dropped some\?\).*Nonce too high/);
    expect((await subject.setOnline(true)).status).to.equal(1);
  });

  it("after a receipt timeout, gets the next write mined although the node dropped the unmined transaction", async () => {
    await chain.ethers.send("evm_setAutomine", [false]);
    const { market: slow } = market(100);
    let dropped: ReceiptTimeoutError | undefined;
    try {
      await slow.setOnline(true);
    } catch (error) {
      if (error instanceof ReceiptTimeoutError) dropped = error;
      else throw error;
    } finally {
      await chain.ethers.send("evm_setAutomine", [true]);
    }
    expect(dropped).to.be.instanceOf(ReceiptTimeoutError);
    expect(await chain.ethers.send("hardhat_dropTransaction", [dropped?.transactionHash])).to.equal(true);
    // Another write than the dropped one: Hardhat does not mine a resent copy of a dropped transaction.
    const receipt = await slow.setOnline(false);
    expect(receipt.status).to.equal(1);
  });

  const gwei = (value: string) => parseUnits(value, "gwei");
  const unmined = async (rpc: JsonRpcProvider) =>
    (await rpc.getTransactionCount(operator.address, "pending")) - (await rpc.getTransactionCount(operator.address, "latest"));

  /**
   * With automine off: a transaction of the operator key sent elsewhere (an earlier run) at a fee the next block will
   * not take, which Hardhat's pending count leaves out. A write at its nonce with a tip as high as the node suggests is
   * no valid replacement (+10% is needed): base fee 1.3 gwei, then 1.1375 after an empty block, above its fee still.
   */
  async function hideTransaction(rpc: JsonRpcProvider): Promise<{ nonce: number; hidden: TransactionResponse }> {
    await chain.ethers.send("hardhat_setNextBlockBaseFeePerGas", [toQuantity(gwei("0.1"))]);
    await chain.ethers.send("evm_mine", []);
    const nonce = await rpc.getTransactionCount(operator.address, "latest");
    const hidden = await new Wallet(operator.privateKey, rpc).sendTransaction({
      to: operator.address,
      nonce,
      gasLimit: 21_000n,
      maxFeePerGas: gwei("1"),
      maxPriorityFeePerGas: gwei("1"),
    });
    await chain.ethers.send("hardhat_setNextBlockBaseFeePerGas", [toQuantity(gwei("1.3"))]);
    await chain.ethers.send("evm_mine", []);
    expect(await unmined(rpc)).to.equal(0);
    return { nonce, hidden };
  }

  it("replaces a transaction of the key that the node's pending count leaves out, when a write collides with its nonce; the retry goes through", async () => {
    const logs: LogRecord[] = [];
    // The worker's own provider, without ethers' response cache, which would answer the retry's nonce read from the first's.
    const rpc = pinnedProvider(chain.url, Number((await chain.ethers.getNetwork()).chainId));
    providers.push(rpc);
    const { market: subject } = market(30_000, { rpc, receiptPollMs: 10, logger: createLogger("debug", (record) => logs.push(record)) });
    await chain.ethers.send("evm_setAutomine", [false]);
    try {
      const { nonce, hidden } = await hideTransaction(rpc);
      const caught = await subject.setOnline(true).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(caught).to.be.instanceOf(NonceConflictError);
      expect(logs.find((record) => record.msg === "replaced an unmined transaction of the operator key")?.fields.nonce).to.equal(nonce);
      const writing = subject.setOnline(true);
      await waitUntil(async () => (await unmined(rpc)) === 2, "the retry is broadcast behind the replacement");
      await chain.ethers.send("evm_mine", []);
      expect((await writing).status).to.equal(1);
      expect(await rpc.getTransactionReceipt(hidden.hash)).to.equal(null);
    } finally {
      await chain.ethers.send("evm_setAutomine", [true]);
    }
  });

  it("replaces that transaction in the colliding write's turn: a write queued behind it is not refused as well", async () => {
    const rpc = new WriteCountingProvider(chain.url, Number((await chain.ethers.getNetwork()).chainId));
    providers.push(rpc);
    const { market: subject } = market(30_000, { rpc, receiptPollMs: 10 });
    await chain.ethers.send("evm_setAutomine", [false]);
    try {
      await hideTransaction(rpc);
      const first = subject.setOnline(true).then(
        () => undefined,
        (error: unknown) => error,
      );
      const queued = subject.setOnline(true).then(
        (receipt) => receipt.status,
        (error: unknown) => error,
      );
      expect(await first).to.be.instanceOf(NonceConflictError);
      await waitUntil(() => rpc.writesAnswered === 2, "the node answered the queued write");
      expect(rpc.writesRefused).to.equal(1);
      await chain.ethers.send("evm_mine", []);
      expect(await queued).to.equal(1);
    } finally {
      await chain.ethers.send("evm_setAutomine", [true]);
    }
  });

  it("counts as replaced a leftover the node already holds the very replacement of (a run before, restarted at unchanged fees)", async () => {
    const chainId = Number((await chain.ethers.getNetwork()).chainId);
    const worker = () => {
      const rpc = pinnedProvider(chain.url, chainId);
      providers.push(rpc);
      return market(30_000, { rpc }).market;
    };
    const unmined = async () =>
      (await chain.ethers.getTransactionCount(operator.address, "pending")) -
      (await chain.ethers.getTransactionCount(operator.address, "latest"));
    await chain.ethers.send("evm_setAutomine", [false]);
    try {
      // Blocks cheap enough that the node counts the leftover as pending.
      await chain.ethers.send("hardhat_setNextBlockBaseFeePerGas", [toQuantity(parseUnits("0.1", "gwei"))]);
      await chain.ethers.send("evm_mine", []);
      const nonce = await chain.ethers.getTransactionCount(operator.address, "latest");
      await new Wallet(operator.privateKey, chain.ethers).sendTransaction({
        to: operator.address,
        nonce,
        gasLimit: 21_000n,
        maxFeePerGas: parseUnits("0.5", "gwei"),
        maxPriorityFeePerGas: parseUnits("0.5", "gwei"),
      });
      expect(await worker().cancelLeftoverTransactions()).to.deep.equal([nonce]);
      expect(await worker().cancelLeftoverTransactions()).to.deep.equal([nonce]);
      await chain.ethers.send("evm_mine", []);
      expect(await unmined()).to.equal(0);
    } finally {
      await chain.ethers.send("evm_setAutomine", [true]);
    }
  });

  it("leaves a leftover that no replacement within maxFeePerGas can replace, logging its nonce, and counts it not replaced", async () => {
    const logs: LogRecord[] = [];
    const logger = createLogger("debug", (record) => logs.push(record));
    // Below the leftover's own fees: the cap leaves no replacement the node would take.
    const { market: capped, rpc } = market(30_000, { maxFeePerGas: parseUnits("0.4", "gwei"), logger });
    await chain.ethers.send("evm_setAutomine", [false]);
    try {
      await chain.ethers.send("hardhat_setNextBlockBaseFeePerGas", [toQuantity(parseUnits("0.1", "gwei"))]);
      await chain.ethers.send("evm_mine", []);
      const nonce = await chain.ethers.getTransactionCount(operator.address, "latest");
      const leftover = await new Wallet(operator.privateKey, chain.ethers).sendTransaction({
        to: operator.address,
        nonce,
        gasLimit: 21_000n,
        maxFeePerGas: parseUnits("0.5", "gwei"),
        maxPriorityFeePerGas: parseUnits("0.5", "gwei"),
      });
      expect(await capped.cancelLeftoverTransactions()).to.deep.equal([]);
      const left = logs.find(
        (record) => record.msg === "cannot replace an unmined transaction of the operator key within chain.maxFeePerGas; leaving it",
      );
      expect(left?.fields.nonce).to.equal(nonce);
      expect(logs.filter((record) => record.msg === "replaced an unmined transaction of the operator key")).to.deep.equal([]);
      await chain.ethers.send("evm_mine", []);
      expect((await rpc.getTransactionReceipt(leftover.hash))?.status).to.equal(1);
    } finally {
      await chain.ethers.send("evm_setAutomine", [true]);
    }
  });
});

describe("the contract market's collateral quote, on the deployed contracts", function () {
  this.timeout(60_000);
  let chain: LocalChain;
  let s: Scenario;
  let provider: ProviderHandle;
  let client: Signer;
  let market: ContractMarket;
  let rpc: JsonRpcProvider;

  // Three GPUs at 1 LAT per hour, 450 LAT staked (100 per GPU keeps it active).
  before(async () => {
    chain = await startLocalChain();
    s = await deployScenario(chain.signers);
    client = s.actors.clients[0]!;
    await fund(s, [s.actors.providers[0]!, client], parseEther("100000"));
    provider = await registerProvider(s, s.actors.providers[0]!, {
      listing: {
        gpuModel: GPU_MODELS[0]!,
        region: "eu-west",
        gpuCount: 3,
        pricePerGpuHour: parseEther("1"),
        metadataURI: "https://p.example/",
      },
      stake: parseEther("450"),
    });
    rpc = new JsonRpcProvider(chain.url, undefined, { staticNetwork: true });
    const contracts = { jobEscrow: await s.c.jobEscrow.getAddress(), providerRegistry: await s.c.registry.getAddress() };
    const operator = new Wallet(Wallet.createRandom().privateKey);
    market = new ContractMarket({ rpc, operator, provider: provider.address, contracts });
  });
  after(async () => {
    rpc.destroy();
    await chain.close();
  });

  // 100 hours at 3 LAT per GPU-hour: 300 LAT escrowed, 150 LAT of collateral at the default 50%.
  const bigJob = () => createJob(s, client, { maxDuration: 360_000 });

  // First: lowering the cap is refused once the later tests have locked collateral.
  it("reads the provider's slash reward cap with its record, for matching a job's minSlashRewardBps", async () => {
    expect((await market.getProvider()).maxSlashRewardBps).to.equal(10_000);
    await (await s.c.staking.connect(provider.signer).setMaxSlashRewardBps(2_000)).wait();
    expect((await market.getProvider()).maxSlashRewardBps).to.equal(2_000);
  });

  it("reads the stake against the listed GPUs' minimum for a provider online but not active, for a skip that names the shortfall", async () => {
    expect(await market.getProvider()).to.deep.include({ active: true, online: true, stake: undefined });
    // 200 of the 450 LAT thawing: 250 count, below the 300 the three GPUs need.
    await thaw(s, provider.signer, parseEther("200"));
    expect(await market.getProvider()).to.deep.include({
      active: false,
      online: true,
      stake: { held: parseEther("250"), required: parseEther("300") },
    });
    // As before for the tests below: 450 LAT free again.
    await stake(s, provider.signer, parseEther("200"), false);
    expect(await market.getProvider()).to.deep.include({ active: true, stake: undefined });
  });

  it("reads the provider's operator key with its record, for skipping the jobs JobEscrow refuses as self-directed", async () => {
    expect((await market.getProvider()).operator).to.equal(ZeroAddress);
    const key = Wallet.createRandom().address;
    await (await s.c.registry.connect(provider.signer).setOperator(key)).wait();
    expect((await market.getProvider()).operator).to.equal(key);
    await (await s.c.registry.connect(provider.signer).setOperator(ZeroAddress)).wait();
  });

  it("quotes the collateral acceptJob locks and the free stake Staking.lock takes it from", async () => {
    const job = await bigJob();
    const quote = await market.collateral(job.jobId);
    const { collateralRatioBps } = await s.c.jobEscrow.getParams(await s.c.jobEscrow.currentParamsId());
    expect(quote.collateral).to.equal((job.escrowed * collateralRatioBps + 9_999n) / 10_000n);
    expect(quote.freeStake).to.equal(await s.c.staking.freeStake(provider.address));
    expect(quote.lockedStake).to.equal(0n);
    const receipt = await acceptJob(s, job, provider);
    const locked = receipt.logs
      .map((log) => s.c.staking.interface.parseLog(log))
      .find((parsed) => parsed?.name === "CollateralLocked");
    expect(locked?.args.amount).to.equal(quote.collateral);
    const after = await market.collateral(job.jobId);
    expect(after.freeStake).to.equal(quote.freeStake - quote.collateral);
    expect(after.lockedStake).to.equal(quote.collateral);
  });

  it("passes a job whose collateral is exactly the free stake, and refuses one Staking.lock would refuse", async () => {
    // Free: 450 staked - 150 locked by the previous job - 150 thawing.
    await thaw(s, provider.signer, parseEther("150"));
    const fits = await bigJob();
    const exact = await market.collateral(fits.jobId);
    expect(exact.freeStake).to.equal(exact.collateral);
    expect(checkCollateral(exact)).to.equal(undefined);
    await acceptJob(s, fits, provider);

    const over = await bigJob();
    const short = await market.collateral(over.jobId);
    expect(checkCollateral(short)).to.equal(
      `needs ${parseEther("150")} wei of collateral, the provider's free stake is 0 wei`,
    );
    await expect(acceptJob(s, over, provider))
      .to.be.revertedWithCustomError(s.c.staking, "StakingInsufficientFreeStake")
      .withArgs(provider.address, short.collateral, short.freeStake);
  });

  // Last: it names an operator. The acceptance reverts in Staking.lock, which the escrow's ABI does not describe.
  it("names a revert of a contract the escrow calls by its custom error: Staking's, for an acceptance the free stake cannot cover", async () => {
    const operator = new Wallet(Wallet.createRandom().privateKey, rpc);
    await (await chain.signers[0]!.sendTransaction({ to: operator.address, value: parseEther("1") })).wait();
    await (await s.c.registry.connect(provider.signer).setOperator(operator.address)).wait();
    const contracts = { jobEscrow: await s.c.jobEscrow.getAddress(), providerRegistry: await s.c.registry.getAddress() };
    const operated = new ContractMarket({ rpc, operator, provider: provider.address, contracts });
    const job = await bigJob();
    const caught = await operated.accept(await createdCandidate(s.c.jobEscrow, job.jobId)).then(() => undefined, (error: unknown) => error);
    expect(caught).to.be.instanceOf(MarketRejectedError);
    expect(caught).to.include({ operation: "accept", jobId: job.jobId, errorName: "StakingInsufficientFreeStake" });
  });
});

describe("the contract market's writes, across a chain restart", function () {
  this.timeout(60_000);
  let chain: LocalChain;
  let s: Scenario;
  let provider: ProviderHandle;
  let client: Signer;
  let market: ContractMarket;
  let rpc: JsonRpcProvider;

  before(async () => {
    chain = await startLocalChain();
    s = await deployScenario(chain.signers);
    client = s.actors.clients[0]!;
    await fund(s, [s.actors.providers[0]!, client], parseEther("100000"));
    const operator = new Wallet(Wallet.createRandom().privateKey);
    await (await chain.signers[0]!.sendTransaction({ to: operator.address, value: parseEther("1") })).wait();
    provider = await registerProvider(s, s.actors.providers[0]!, {
      listing: { gpuModel: GPU_MODELS[0]!, region: "eu-west", gpuCount: 3, pricePerGpuHour: parseEther("1"), metadataURI: "https://p.example/" },
      stake: parseEther("450"),
    });
    await (await s.c.registry.connect(provider.signer).setOperator(operator.address)).wait();
    rpc = new JsonRpcProvider(chain.url, undefined, { staticNetwork: true, cacheTimeout: -1 });
    const contracts = { jobEscrow: await s.c.jobEscrow.getAddress(), providerRegistry: await s.c.registry.getAddress() };
    market = new ContractMarket({ rpc, operator, provider: provider.address, contracts });
  });
  after(async () => {
    rpc.destroy();
    await chain.close();
  });

  /** A job directed at the provider, accepted, and its result `resultHash` submitted through the market. */
  async function submittedJob(resultHash: string): Promise<CandidateJob> {
    const created = await createJob(s, client, { targetProvider: provider.address });
    await acceptJob(s, created, provider);
    const job = await createdCandidate(s.c.jobEscrow, created.jobId);
    await market.submit(job, `https://r.example/${resultHash.slice(2, 6)}`, resultHash);
    return job;
  }

  /** What `read` resolves to, and the JSON-RPC methods the market's node connection sent meanwhile. */
  async function withMethodsSent<T>(read: () => Promise<T>): Promise<{ value: T; methods: string[] }> {
    const methods: string[] = [];
    const send = rpc.send.bind(rpc);
    rpc.send = (method, params) => {
      methods.push(method);
      return send(method, params);
    };
    try {
      return { value: await read(), methods };
    } finally {
      rpc.send = send;
    }
  }

  it("refuses to decline, submit, settle or give back, as JobReplacedError, a job whose id the restarted chain gives another job, which stays open", async () => {
    const snapshot = (await chain.ethers.send("evm_snapshot", [])) as string;
    const before = await createdCandidate(s.c.jobEscrow, (await createJob(s, client, { targetProvider: provider.address })).jobId);
    // The chain restarted: the same id, another job (other terms).
    await chain.ethers.send("evm_revert", [snapshot]);
    const after = await createJob(s, client, { targetProvider: provider.address, maxDuration: 7200 });
    expect(after.jobId).to.equal(before.jobId);

    const caught = await market.decline(before).then(() => undefined, (error: unknown) => error);
    expect(caught).to.be.instanceOf(JobReplacedError);
    expect(caught).to.include({ operation: "decline", jobId: before.jobId, transient: false });
    const submit = await market.submit(before, "https://r.example/1", `0x${"11".repeat(32)}`).then(() => undefined, (error: unknown) => error);
    expect(submit).to.be.instanceOf(JobReplacedError);
    expect(submit).to.include({ operation: "submit", jobId: before.jobId });
    const settle = await market.settle(before).then(() => undefined, (error: unknown) => error);
    expect(settle).to.be.instanceOf(JobReplacedError);
    expect(settle).to.include({ operation: "settle", jobId: before.jobId });
    const abandon = await market.abandon(before).then(() => undefined, (error: unknown) => error);
    expect(abandon).to.be.instanceOf(JobReplacedError);
    expect(abandon).to.include({ operation: "abandon", jobId: before.jobId });
    expect(Number((await s.c.jobEscrow.getJob(after.jobId)).status)).to.equal(JobStatus.Open);
  });

  it("reads a job's state with the client and terms hash the chain stores under its id, which the worker compares with the job it holds", async () => {
    const job = await createdCandidate(s.c.jobEscrow, (await createJob(s, client, { targetProvider: provider.address })).jobId);
    const state = await market.getJobState(job.jobId);
    expect(state).to.include({ status: JobStatus.Open, client: await client.getAddress(), termsHash: hashJobTerms(job.terms) });
  });

  it("reads a submitted job's result hash from its ResultSubmitted event, submitted more blocks back than one log query spans", async () => {
    const resultHash = `0x${"5a".repeat(32)}`;
    const job = await submittedJob(resultHash);
    // 10,000 blocks per log query: the submission lies in the second span searched.
    await chain.ethers.send("hardhat_mine", ["0x2775"]);
    const { submittedAt } = await market.getJobState(job.jobId);
    expect(await market.landedResultHash(job.jobId, submittedAt as bigint)).to.equal(resultHash);
  });

  it("reads a submitted job's result hash from the logs alone, not the job again: its submittedAt comes with the state read before", async () => {
    const resultHash = `0x${"5c".repeat(32)}`;
    const job = await submittedJob(resultHash);
    const { submittedAt } = await market.getJobState(job.jobId);
    expect(submittedAt).to.equal(BigInt((await chain.ethers.getBlock("latest"))?.timestamp ?? 0));
    const { value, methods } = await withMethodsSent(() => market.landedResultHash(job.jobId, submittedAt as bigint));
    expect(value).to.equal(resultHash);
    expect(methods).to.include("eth_getLogs").and.not.include("eth_call");
  });

  it("reads a submitted job's state without a log query: the result hash, a log search, is read only when asked", async () => {
    const job = await submittedJob(`0x${"5b".repeat(32)}`);
    const { value, methods } = await withMethodsSent(() => market.getJobState(job.jobId));
    expect(value).to.include({ status: JobStatus.Submitted });
    expect(methods).to.include("eth_call").and.not.include("eth_getLogs");
  });

  it("declines the job it was given when the chain stores that very job under its id", async () => {
    const job = await createdCandidate(s.c.jobEscrow, (await createJob(s, client, { targetProvider: provider.address })).jobId);
    await market.decline(job);
    expect(Number((await s.c.jobEscrow.getJob(job.jobId)).status)).to.equal(JobStatus.Declined);
  });

  it("gives back, with the operator key, an accepted job the chain stores under its id: TimedOut, JobAbandoned naming the operator", async () => {
    const created = await createJob(s, client, { targetProvider: provider.address });
    await acceptJob(s, created, provider);
    const job = await createdCandidate(s.c.jobEscrow, created.jobId);
    await market.abandon(job);
    expect(Number((await s.c.jobEscrow.getJob(job.jobId)).status)).to.equal(JobStatus.TimedOut);
    const [given] = await s.c.jobEscrow.queryFilter(s.c.jobEscrow.filters.JobAbandoned(job.jobId, provider.address));
    expect(given!.args.by).to.equal((await s.c.registry.getProvider(provider.address)).operator);
  });

  it("refuses to give back a job that is not accepted, as MarketRejectedError naming the contract's error", async () => {
    const job = await createdCandidate(s.c.jobEscrow, (await createJob(s, client, { targetProvider: provider.address })).jobId);
    const caught = await market.abandon(job).then(() => undefined, (error: unknown) => error);
    expect(caught).to.be.instanceOf(MarketRejectedError);
    expect(caught).to.include({ operation: "abandon", jobId: job.jobId, errorName: "JobEscrowUnexpectedStatus", transient: false });
  });
});
