// Independent in-process Hardhat chains for the indexer tests, each exposed over HTTP JSON-RPC on 127.0.0.1 with
// Hardhat's own JsonRpcServer (what `hardhat node` uses). Every chain has its own genesis (distinct initialDate),
// so the tests never touch the shared `hardhat` network the rest of the suite uses.
import hre from "hardhat";
import { createProvider } from "hardhat/internal/core/providers/construction";
import { JsonRpcServer } from "hardhat/internal/hardhat-network/jsonrpc/server";
import type { EthereumProvider, HardhatConfig } from "hardhat/types";
import { getCreateAddress, Interface, type InterfaceAbi } from "ethers";

let chainCounter = 0;

export interface LocalChain {
  readonly provider: EthereumProvider;
  /** http://127.0.0.1:<port> */
  readonly url: string;
  readonly accounts: readonly string[];
  request<T>(method: string, params?: unknown[]): Promise<T>;
  blockNumber(): Promise<number>;
  mine(blocks?: number): Promise<void>;
  setAutomine(on: boolean): Promise<void>;
  snapshot(): Promise<string>;
  revert(id: string): Promise<void>;
  close(): Promise<void>;
}

/** Starts a fresh chain. `seed` picks its genesis: the same seed gives the same genesis hash. */
export async function startLocalChain(seed?: number): Promise<LocalChain> {
  const n = seed ?? ++chainCounter;
  const date = new Date(Date.UTC(2024, 0, 1) + n * 86_400_000).toISOString();
  const config: HardhatConfig = {
    ...hre.config,
    networks: {
      ...hre.config.networks,
      hardhat: { ...hre.config.networks.hardhat, initialDate: date, loggingEnabled: false, mining: { ...hre.config.networks.hardhat.mining, auto: true, interval: 0 } },
    },
  };
  const provider = await createProvider(config, "hardhat", hre.artifacts);
  const server = new JsonRpcServer({ hostname: "127.0.0.1", port: 0, provider });
  const { address, port } = await server.listen();
  const request = async <T>(method: string, params: unknown[] = []): Promise<T> => (await provider.request({ method, params })) as T;
  const accounts = await request<string[]>("eth_accounts");
  return {
    provider,
    url: `http://${address}:${port}`,
    accounts,
    request,
    blockNumber: async () => Number(await request<string>("eth_blockNumber")),
    // evm_mine one block at a time: every block then names its parent. hardhat_mine's reserved blocks report a zero
    // parent hash, which the indexer checks against the chain with a header read each (hardhat-mine.test.ts).
    mine: async (blocks = 1) => {
      for (let i = 0; i < blocks; i++) await request("evm_mine");
    },
    setAutomine: async (on) => {
      await request("evm_setAutomine", [on]);
    },
    snapshot: () => request<string>("evm_snapshot"),
    revert: async (id) => {
      const ok = await request<boolean>("evm_revert", [id]);
      if (!ok) throw new Error(`evm_revert ${id} failed`);
    },
    close: async () => {
      await server.close();
    },
  };
}

/** Sends transactions to a contract through the chain's unlocked accounts (automine: mined on return). */
export class ContractDriver {
  readonly iface: Interface;

  constructor(
    readonly chain: LocalChain,
    readonly address: string,
    abi: InterfaceAbi,
  ) {
    this.iface = new Interface(abi);
  }

  static async deploy(chain: LocalChain, artifactName: string, from = chain.accounts[0]!): Promise<ContractDriver> {
    const artifact = await hre.artifacts.readArtifact(artifactName);
    const nonce = Number(await chain.request<string>("eth_getTransactionCount", [from, "latest"]));
    const hash = await chain.request<string>("eth_sendTransaction", [{ from, data: artifact.bytecode, gas: "0xf42400" }]);
    const receipt = await chain.request<{ contractAddress: string } | null>("eth_getTransactionReceipt", [hash]);
    const address = receipt?.contractAddress ?? getCreateAddress({ from, nonce });
    return new ContractDriver(chain, address, artifact.abi as InterfaceAbi);
  }

  /** Sends `fn(args)`; returns the transaction hash. */
  async send(fn: string, args: readonly unknown[], from = this.chain.accounts[0]!): Promise<string> {
    const data = this.iface.encodeFunctionData(fn, args);
    return this.chain.request<string>("eth_sendTransaction", [{ from, to: this.address, data, gas: "0xf42400" }]);
  }
}

/** The address the first deployment from account 0 gets on a fresh chain: what the fixture is built for. */
export function firstDeploymentAddress(chain: LocalChain): string {
  return getCreateAddress({ from: chain.accounts[0]!, nonce: 0 });
}
