// A fresh in-process Hardhat chain for the gateway suite, served over HTTP JSON-RPC on 127.0.0.1 (for the
// indexer and live reads) and driven in-process through ethers (for the scenario). Its own genesis keeps it apart
// from the `hardhat` network the contract tests snapshot and revert.
import hre from "hardhat";
import { BrowserProvider, type JsonRpcSigner } from "ethers";
import { createProvider } from "hardhat/internal/core/providers/construction";
import { JsonRpcServer } from "hardhat/internal/hardhat-network/jsonrpc/server";
import type { HardhatConfig } from "hardhat/types";

export interface LocalChain {
  /** http://127.0.0.1:<port> */
  url: string;
  ethers: BrowserProvider;
  signers: JsonRpcSigner[];
  blockNumber(): Promise<number>;
  close(): Promise<void>;
}

export async function startLocalChain(): Promise<LocalChain> {
  const config: HardhatConfig = {
    ...hre.config,
    networks: {
      ...hre.config.networks,
      hardhat: {
        ...hre.config.networks.hardhat,
        // Distinct from every other chain of the test run (the indexer tests count days from 2024-01-01).
        initialDate: new Date(Date.UTC(2025, 5, 1)).toISOString(),
        loggingEnabled: false,
        mining: { ...hre.config.networks.hardhat.mining, auto: true, interval: 0 },
      },
    },
  };
  const provider = await createProvider(config, "hardhat", hre.artifacts);
  const server = new JsonRpcServer({ hostname: "127.0.0.1", port: 0, provider });
  const { address, port } = await server.listen();
  const ethersProvider = new BrowserProvider(provider, undefined, { cacheTimeout: -1 });
  const accounts = (await provider.request({ method: "eth_accounts" })) as string[];
  const signers = await Promise.all(accounts.map((a) => ethersProvider.getSigner(a)));
  return {
    url: `http://${address}:${port}`,
    ethers: ethersProvider,
    signers,
    blockNumber: () => ethersProvider.getBlockNumber(),
    close: async () => {
      ethersProvider.destroy();
      await server.close();
    },
  };
}
