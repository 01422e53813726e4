// connectNetwork's start and close against deployed contracts on a local chain: whether the provider is put online at
// start and offline at close, as provider.onlineAtStart and provider.offlineAtShutdown say. The gateway is never
// reached: the job source connects only when asked for jobs.
import { expect } from "chai";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { PassThrough } from "node:stream";
import { Wallet, parseEther, parseUnits, toQuantity } from "ethers";
import { GPU_MODELS, type Scenario, deployScenario, fund, registerProvider } from "../../../scripts/scenario";
import { parseConfig, type PolicyConfig } from "../../../scripts/worker/config";
import { DeploymentMismatchError, ProviderNotRegisteredError } from "../../../scripts/worker/chain";
import { connectNetwork, feedFilterFor } from "../../../scripts/worker/connections";
import { isSetupError } from "../../../scripts/worker/setup";
import { briefError } from "../../../scripts/worker/retry";
import type { ProviderRecord } from "../../../scripts/worker/market";
import { createLogger, jsonLineSink, silentLogger, type LogRecord, type Logger } from "../../../scripts/worker/logger";
import { startLocalChain, type LocalChain } from "../../gateway/helpers/local-chain";
import { closedPort } from "../../helpers/closed-port";
import { waitUntil } from "../../helpers/wait";

describe("connectNetwork: the provider online at start, offline at close", function () {
  this.timeout(60_000);
  let chain: LocalChain;
  let s: Scenario;
  let provider: string;
  const operator = new Wallet(Wallet.createRandom().privateKey);
  // Where nothing listens: the gateway is never reached here.
  let gateway: { httpUrl: string; wsUrl: string };

  before(async () => {
    const port = await closedPort();
    gateway = { httpUrl: `http://127.0.0.1:${port}/graphql`, wsUrl: `ws://127.0.0.1:${port}/graphql` };
    chain = await startLocalChain();
    s = await deployScenario(chain.signers);
    await (await chain.signers[0]!.sendTransaction({ to: operator.address, value: parseEther("1") })).wait();
    await fund(s, [s.actors.providers[0]!], parseEther("10000"));
    const handle = await registerProvider(s, s.actors.providers[0]!, {
      listing: { gpuModel: GPU_MODELS[0]!, region: "eu-west", gpuCount: 1, pricePerGpuHour: parseEther("1"), metadataURI: "https://p.example/" },
      operator,
      online: false,
    });
    provider = handle.address;
    offlineByHand =
      "could not put the provider offline: the provider may stay online on-chain with no worker: take it offline with " +
      `\`npx hardhat provider offline --provider ${provider} --network <network>\` (signed by the owner, or by the operator key as LATENT_PRIVATE_KEY)`;
  });
  /** What the worker says when it could not put the provider offline. */
  let offlineByHand: string;
  let chainClosed = false;
  after(async () => {
    if (!chainClosed) await chain.close();
  });

  async function online(): Promise<boolean> {
    return (await s.c.registry.getProvider(provider)).online;
  }

  async function setOnline(value: boolean): Promise<void> {
    if ((await online()) === value) return;
    await (await s.c.registry.connect(s.actors.providers[0]!).setOnline(provider, value)).wait();
  }

  async function connect(
    flags: { onlineAtStart: boolean; offlineAtShutdown: boolean },
    logger: Logger = silentLogger,
    signal?: AbortSignal,
    receiptTimeoutMs?: number,
    { rpcUrl = chain.url, maxAttempts = 1 }: { rpcUrl?: string; maxAttempts?: number } = {},
  ) {
    const config = parseConfig(
      {
        chain: { rpcUrl },
        gateway,
        provider: { address: provider, ...flags },
        operatorKey: { env: "UNUSED" },
        contracts: { jobEscrow: "0x0000000000000000000000000000000000000001", providerRegistry: "0x0000000000000000000000000000000000000002" },
        retry: { maxAttempts, initialDelayMs: 1, maxDelayMs: 1 },
      },
      "/etc/latent/worker.json",
    );
    // Below the 20 s the config allows, for a write the node holds unmined to fail without a long wait.
    if (receiptTimeoutMs !== undefined) config.chain.receiptTimeoutMs = receiptTimeoutMs;
    const contracts = { jobEscrow: await s.c.jobEscrow.getAddress(), providerRegistry: await s.c.registry.getAddress() };
    return connectNetwork({ config, operator, contracts, logger, signal });
  }

  it("puts an offline provider online at start and offline again at close", async () => {
    await setOnline(false);
    const network = await connect({ onlineAtStart: true, offlineAtShutdown: true });
    expect(await online()).to.equal(true);
    await network.close();
    expect(await online()).to.equal(false);
  });

  it("names the JobEscrow it writes to by the chain's id and its address, as result files list their jobs", async () => {
    const network = await connect({ onlineAtStart: false, offlineAtShutdown: false });
    const chainId = (await chain.signers[0]!.provider!.getNetwork()).chainId;
    expect(network.escrow).to.equal(`${chainId}:${(await s.c.jobEscrow.getAddress()).toLowerCase()}`);
    await network.close();
  });

  it("sends no setOnline at start for a provider already online", async () => {
    await setOnline(true);
    const sent = () => chain.signers[0]!.provider!.getTransactionCount(operator.address);
    const before = await sent();
    const network = await connect({ onlineAtStart: true, offlineAtShutdown: false });
    expect(await sent()).to.equal(before);
    expect(await online()).to.equal(true);
    await network.close();
  });

  it("with provider.onlineAtStart off, leaves an offline provider offline", async () => {
    await setOnline(false);
    const network = await connect({ onlineAtStart: false, offlineAtShutdown: false });
    expect(await online()).to.equal(false);
    await network.close();
  });

  it("with provider.offlineAtShutdown off, leaves the provider online at close", async () => {
    await setOnline(true);
    const network = await connect({ onlineAtStart: true, offlineAtShutdown: false });
    await network.close();
    expect(await online()).to.equal(true);
  });

  it("stops, leaving an offline provider offline, when told to stop while it connects", async () => {
    await setOnline(false);
    const stop = new AbortController();
    stop.abort(new Error("SIGTERM"));
    const outcome = await connect({ onlineAtStart: true, offlineAtShutdown: true }, silentLogger, stop.signal).then(
      (network) => network.close().then(() => "connected"),
      (error: unknown) => error,
    );
    expect(outcome).to.have.property("message", "SIGTERM");
    expect(await online()).to.equal(false);
  });

  /** The operator key's transactions the node holds unmined. */
  async function unmined(): Promise<number> {
    const [latest, pending] = await Promise.all([
      chain.ethers.getTransactionCount(operator.address, "latest"),
      chain.ethers.getTransactionCount(operator.address, "pending"),
    ]);
    return pending - latest;
  }

  async function withoutAutomine<T>(body: () => Promise<T>): Promise<T> {
    await chain.ethers.send("evm_setAutomine", [false]);
    try {
      return await body();
    } finally {
      await chain.ethers.send("evm_setAutomine", [true]);
    }
  }

  it("replaces a low-fee transaction an earlier run left unmined, naming its nonce, and its first write goes through", async () => {
    await setOnline(false);
    const records: LogRecord[] = [];
    const nonce = await chain.ethers.getTransactionCount(operator.address, "latest");
    const gwei = (value: string) => parseUnits(value, "gwei");
    const network = await withoutAutomine(async () => {
      // Blocks at 0.1 gwei a gas: what the node suggests is then 2 x 0.1 + a tip of 1 gwei.
      await chain.ethers.send("hardhat_setNextBlockBaseFeePerGas", [toQuantity(gwei("0.1"))]);
      await chain.ethers.send("evm_mine", []);
      // An earlier run's transaction, at a fee the next block will no longer take.
      const stuck = await operator.connect(chain.ethers).sendTransaction({
        to: operator.address,
        nonce,
        gasLimit: 21_000n,
        maxFeePerGas: gwei("0.2"),
        maxPriorityFeePerGas: gwei("0.2"),
      });
      expect(await unmined()).to.equal(1);
      const logger = createLogger("info", (record) => records.push(record));
      const connecting = connect({ onlineAtStart: true, offlineAtShutdown: false }, logger, undefined, 10_000);
      connecting.catch(() => undefined);
      await waitUntil(async () => (await unmined()) === 2, "the worker broadcasts its first write");
      // Fees rise above the earlier run's: (Hardhat's "pending" count leaves out what the next block cannot take.)
      await chain.ethers.send("hardhat_setNextBlockBaseFeePerGas", [toQuantity(gwei("0.5"))]);
      await chain.ethers.send("evm_mine", []);
      const connected = await connecting;
      expect(await chain.ethers.getTransactionReceipt(stuck.hash)).to.equal(null);
      return connected;
    });
    expect(await online()).to.equal(true);
    expect(await unmined()).to.equal(0);
    const noticed = records.find((record) => record.msg.startsWith("the node holds transactions of the operator key unmined"));
    expect(noticed?.fields.nonces).to.deep.equal([nonce]);
    expect(records.find((record) => record.msg === "replaced an unmined transaction of the operator key")?.fields.nonce).to.equal(nonce);
    await network.close();
  });

  it("told to stop while its setOnline(true) awaits a receipt, replaces it: the provider cannot go online with no worker", async () => {
    await setOnline(false);
    const stop = new AbortController();
    const outcome = await withoutAutomine(async () => {
      const connecting = connect({ onlineAtStart: true, offlineAtShutdown: true }, silentLogger, stop.signal, 500).then(
        () => "connected",
        (error: unknown) => error,
      );
      await waitUntil(async () => (await unmined()) === 1, "setOnline(true) is broadcast");
      stop.abort(new Error("SIGTERM"));
      const result = await connecting;
      await chain.ethers.send("evm_mine", []);
      return result;
    });
    expect(outcome).to.have.property("message", "SIGTERM");
    expect(await unmined()).to.equal(0);
    expect(await online()).to.equal(false);
  });

  it("refuses, naming both registries, a JobEscrow whose ProviderRegistry is not the configured one (a DeploymentMismatchError, a setup error)", async () => {
    const config = parseConfig(
      {
        chain: { rpcUrl: chain.url },
        gateway,
        provider: { address: provider },
        operatorKey: { env: "UNUSED" },
        contracts: { jobEscrow: "0x0000000000000000000000000000000000000001", providerRegistry: "0x0000000000000000000000000000000000000002" },
        retry: { maxAttempts: 1, initialDelayMs: 1, maxDelayMs: 1 },
      },
      "/etc/latent/worker.json",
    );
    // Another contract of the deployment: it holds code, as a registry of another deployment would.
    const stale = await s.c.token.getAddress();
    const jobEscrow = await s.c.jobEscrow.getAddress();
    const caught = await connectNetwork({ config, operator, contracts: { jobEscrow, providerRegistry: stale }, logger: silentLogger }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(caught).to.be.instanceOf(DeploymentMismatchError);
    expect(isSetupError(caught)).to.equal(true);
    expect((caught as Error).message).to.contain(`uses the ProviderRegistry at ${await s.c.registry.getAddress()}`);
    expect((caught as Error).message).to.contain(`names the ProviderRegistry at ${stale}`);
  });

  /** A JSON-RPC proxy in front of the chain on 127.0.0.1 that `answer` serves; `arm` sets what `armed` reads. */
  async function armableRpc(
    answer: (body: string, armed: { now: boolean }) => Promise<{ status: number; text: string }>,
  ): Promise<{ url: string; arm(): void; close(): Promise<void> }> {
    const armed = { now: false };
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        answer(Buffer.concat(chunks).toString("utf8"), armed)
          .then(({ status, text }) => response.writeHead(status, { "content-type": "application/json" }).end(text))
          .catch((error: unknown) => response.writeHead(500).end(String(error)));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    return {
      url: `http://127.0.0.1:${port}`,
      arm: () => {
        armed.now = true;
      },
      close: () =>
        new Promise((resolve) => {
          server.close(() => resolve());
          // A request left unanswered (a node that stopped answering) would hold the server open.
          server.closeAllConnections();
        }),
    };
  }

  /**
   * The chain's RPC, passed through; once `armed`, the next read of the operator key's pending nonce is answered only
   * after `meanwhile` has run: as though another process signing with the key sent a transaction between the worker's
   * nonce read and its send.
   */
  function interceptingRpc(meanwhile: () => Promise<void>): Promise<{ url: string; arm(): void; close(): Promise<void> }> {
    return armableRpc(async (body, armed) => {
      const calls = [JSON.parse(body) as unknown].flat() as { method?: string; params?: unknown[] }[];
      const readsNonce = calls.some(
        (call) =>
          call.method === "eth_getTransactionCount" &&
          String(call.params?.[0]).toLowerCase() === operator.address.toLowerCase() &&
          call.params?.[1] === "pending",
      );
      const answer = await fetch(chain.url, { method: "POST", headers: { "content-type": "application/json" }, body });
      const text = await answer.text();
      if (armed.now && readsNonce) {
        armed.now = false;
        await meanwhile();
      }
      return { status: answer.status, text };
    });
  }

  it("going offline, retries a nonce another sender of the key took between its read and its send with the nonce read again, logging the conflict without the signed transaction", async () => {
    await setOnline(true);
    const records: LogRecord[] = [];
    let takenNonce: number | undefined;
    const rpc = await interceptingRpc(async () => {
      const sent = await operator.connect(chain.ethers).sendTransaction({ to: operator.address, value: 0n });
      takenNonce = sent.nonce;
      await sent.wait();
    });
    try {
      const logger = createLogger("debug", (record) => records.push(record));
      const network = await connect({ onlineAtStart: false, offlineAtShutdown: true }, logger, undefined, undefined, {
        rpcUrl: rpc.url,
        maxAttempts: 3,
      });
      rpc.arm();
      await network.close();
    } finally {
      await rpc.close();
    }
    expect(takenNonce).to.not.equal(undefined);
    expect(await online()).to.equal(false);
    const warned = records.filter((record) => record.msg === "going offline: transient failure; retrying");
    expect(warned).to.have.length(1);
    const error = String(warned[0]!.fields.error);
    expect(error).to.contain(`nonce ${takenNonce} of the operator key was taken by another transaction of the same key`);
    expect(error).to.not.contain("transaction=");
    expect(error).to.not.contain("info=");
    expect(error).to.not.match(/0x[0-9a-f]{200}/i);
  });

  /** The chain's RPC, passed through, except that once `armed` every eth_sendRawTransaction is refused for want of funds. */
  function refusingRpc(): Promise<{ url: string; arm(): void; close(): Promise<void> }> {
    return armableRpc(async (body, armed) => {
      const parsed = JSON.parse(body) as unknown;
      const calls = [parsed].flat() as { id?: unknown; method?: string }[];
      const answers = await Promise.all(
        calls.map(async (call) => {
          if (armed.now && call.method === "eth_sendRawTransaction") {
            return { jsonrpc: "2.0", id: call.id, error: { code: -32000, message: "insufficient funds for gas * price + value" } };
          }
          const answer = await fetch(chain.url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(call) });
          return (await answer.json()) as unknown;
        }),
      );
      return { status: 200, text: JSON.stringify(Array.isArray(parsed) ? answers : answers[0]) };
    });
  }

  it("logs a refused setOnline(false) by ethers' short message and code, without the signed transaction its full message holds", async () => {
    await setOnline(true);
    const lines: string[] = [];
    const sink = new PassThrough();
    sink.on("data", (chunk: Buffer) => lines.push(chunk.toString("utf8")));
    const rpc = await refusingRpc();
    try {
      const network = await connect({ onlineAtStart: false, offlineAtShutdown: true }, createLogger("error", jsonLineSink(sink)), undefined, undefined, {
        rpcUrl: rpc.url,
      });
      rpc.arm();
      await network.close();
    } finally {
      await rpc.close();
    }
    expect(lines).to.have.length(1);
    const record = JSON.parse(lines[0]!) as { msg: string; error: { name: string; message: string } };
    expect(record.msg).to.equal(offlineByHand);
    expect(record.error.message).to.equal(
      "insufficient funds for intrinsic transaction cost: insufficient funds for gas * price + value (INSUFFICIENT_FUNDS)",
    );
    expect(lines[0]).to.not.match(/0x[0-9a-f]{200}/i);
  });

  it("gives up going offline, saying once what to do instead, when the chain stops answering", async () => {
    await setOnline(true);
    const records: LogRecord[] = [];
    // Answers until armed, then holds every request unanswered, as a node that hangs.
    const rpc = await armableRpc(async (body, armed) => {
      if (armed.now) return new Promise<never>(() => undefined);
      const answer = await fetch(chain.url, { method: "POST", headers: { "content-type": "application/json" }, body });
      return { status: answer.status, text: await answer.text() };
    });
    try {
      const network = await connect(
        { onlineAtStart: false, offlineAtShutdown: true },
        createLogger("info", (record) => records.push(record)),
        undefined,
        undefined,
        { rpcUrl: rpc.url, maxAttempts: 5 },
      );
      rpc.arm();
      await network.close();
    } finally {
      await rpc.close();
    }
    expect(records.map((record) => [record.msg, briefError(record.fields.error)])).to.deep.equal([
      [offlineByHand, "reading the provider: no answer within 30 s"],
    ]);
  });

  it("stops waiting for a chain that does not answer when close's signal aborts, saying once what to do instead", async () => {
    await setOnline(true);
    const records: LogRecord[] = [];
    const stop = new AbortController();
    // Answers until armed, then holds every request unanswered, and the operator signals while the first is held.
    const rpc = await armableRpc(async (body, armed) => {
      if (armed.now) {
        stop.abort();
        return new Promise<never>(() => undefined);
      }
      const answer = await fetch(chain.url, { method: "POST", headers: { "content-type": "application/json" }, body });
      return { status: answer.status, text: await answer.text() };
    });
    try {
      const network = await connect(
        { onlineAtStart: false, offlineAtShutdown: true },
        createLogger("info", (record) => records.push(record)),
        undefined,
        undefined,
        { rpcUrl: rpc.url, maxAttempts: 5 },
      );
      rpc.arm();
      await network.close(stop.signal);
    } finally {
      await rpc.close();
    }
    expect(records.map((record) => [record.msg, briefError(record.fields.error)])).to.deep.equal([
      [offlineByHand, "reading the provider: stopped by a signal"],
    ]);
  });

  // Last: it stops the chain.
  it("closes all the same when the chain is gone, trying briefly and saying once what to do instead", async () => {
    await setOnline(true);
    const records: LogRecord[] = [];
    const network = await connect(
      { onlineAtStart: true, offlineAtShutdown: true },
      createLogger("info", (record) => records.push(record)),
      undefined,
      undefined,
      { maxAttempts: 100 },
    );
    await chain.close();
    chainClosed = true;
    records.length = 0;
    await network.close();
    expect(records.map((record) => record.msg)).to.deep.equal([offlineByHand]);
  });
});

describe("feedFilterFor: the jobOpened filter a worker subscribes with", function () {
  const PROVIDER_ADDRESS = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
  // What the provider lists, not what is free now: a busy worker still hears of jobs it could take once a GPU frees up.
  const cases: [string, { gpuCount: number; gpusInUse: number; price: string; minPrice: string }, Record<string, unknown>][] = [
    ["its listed GPUs, busy or free, and its own price above the policy's", { gpuCount: 4, gpusInUse: 4, price: "2", minPrice: "1" }, { maxGpuCount: 4, minPricePerGpuHour: parseEther("2").toString() }],
    ["the policy's least price above its own", { gpuCount: 8, gpusInUse: 0, price: "1", minPrice: "3" }, { maxGpuCount: 8, minPricePerGpuHour: parseEther("3").toString() }],
    ["nothing for a provider not listed and no price", { gpuCount: 0, gpusInUse: 0, price: "0", minPrice: "0" }, {}],
  ];
  for (const [what, c, expected] of cases) {
    it(`asks for ${what}`, function () {
      const record = { registered: true, gpuCount: c.gpuCount, gpusInUse: c.gpusInUse, pricePerGpuHour: parseEther(c.price) } as ProviderRecord;
      const policy = { minPricePerGpuHour: parseEther(c.minPrice) } as PolicyConfig;
      expect(feedFilterFor(record, policy, PROVIDER_ADDRESS)).to.deep.equal(expected);
    });
  }

  it("throws ProviderNotRegisteredError for a provider the chain no longer has (restarted from scratch), which ends the job source", function () {
    const record = { registered: false, gpuCount: 0, gpusInUse: 0, pricePerGpuHour: 0n } as ProviderRecord;
    const policy = { minPricePerGpuHour: 0n } as PolicyConfig;
    expect(() => feedFilterFor(record, policy, PROVIDER_ADDRESS))
      .to.throw(ProviderNotRegisteredError)
      .with.property("provider", PROVIDER_ADDRESS);
  });
});
