// The local chain: Hardhat Network served over HTTP and WebSocket JSON-RPC from this process, exactly as
// `hardhat node` serves it (same subtask, same provider), but without a child process: the seed talks to the
// provider directly (about ten times faster than over HTTP), and nothing can outlive `npm start`.
import type * as http from "node:http";
import { HDNodeWallet, Mnemonic, Wallet } from "ethers";
import { TASK_NODE_CREATE_SERVER } from "hardhat/builtin-tasks/task-names";
import type { HardhatRuntimeEnvironment, JsonRpcServer } from "hardhat/types";
import { PortInUseError } from "./errors";

/** Hardhat's default mnemonic: its keys are public, printed by `hardhat node` and in Hardhat's docs. */
export const HARDHAT_DEFAULT_MNEMONIC = "test test test test test test test test test test test junk";

export interface DevAccount {
  index: number;
  address: string;
  privateKey: string;
}

export interface LocalChain {
  url: string;
  wsUrl: string;
  port: number;
  chainId: number;
  accounts: DevAccount[];
  /** The keys are Hardhat's publicly known defaults. */
  publicKeys: boolean;
  stop(): Promise<void>;
}

/** The Hardhat Network accounts with their keys, derived from the config as Hardhat derives them. */
export function hardhatAccounts(hre: HardhatRuntimeEnvironment): { accounts: DevAccount[]; publicKeys: boolean } {
  const config = hre.config.networks.hardhat.accounts;
  if (Array.isArray(config)) {
    return {
      accounts: config.map((a, index) => {
        const wallet = new Wallet(a.privateKey);
        return { index, address: wallet.address, privateKey: wallet.privateKey };
      }),
      publicKeys: false,
    };
  }
  const mnemonic = Mnemonic.fromPhrase(config.mnemonic, config.passphrase);
  const accounts = Array.from({ length: config.count }, (_, i) => {
    const wallet = HDNodeWallet.fromMnemonic(mnemonic, `${config.path}/${config.initialIndex + i}`);
    return { index: i, address: wallet.address, privateKey: wallet.privateKey };
  });
  return { accounts, publicKeys: config.mnemonic === HARDHAT_DEFAULT_MNEMONIC && config.passphrase === "" };
}

/**
 * `server.listen()`, failing with PortInUseError when the port was taken since the caller's check (a second devnet
 * started at the same moment, anything that bound it during the build): Hardhat's listen handles no error, so the
 * server's "error" event would otherwise crash the process with a bare stack.
 */
async function listen(server: JsonRpcServer, host: string, port: number): Promise<{ address: string; port: number }> {
  // Private fields of Hardhat's JsonRpcServer; the WebSocket server re-emits the HTTP server's errors, and throws
  // them when nothing listens to it, so both get the listener.
  const inner = server as unknown as { _httpServer?: http.Server; _wsServer?: NodeJS.EventEmitter };
  const emitters = [inner._httpServer, inner._wsServer].filter((e): e is NodeJS.EventEmitter => typeof e?.once === "function");
  if (emitters.length === 0) return server.listen();
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      reject(error.code === "EADDRINUSE" || error.code === "EACCES" ? new PortInUseError(host, port, "the local chain", "--chain-port") : error);
    };
    for (const emitter of emitters) emitter.on("error", onError);
    server.listen().then((address) => {
      for (const emitter of emitters) emitter.off("error", onError);
      resolve(address);
    }, reject);
  });
}

/**
 * Closes the server and every connection to it. Node's server.close() ends only the idle ones and waits for the
 * others, serving each for as long as its client sends requests on it: a kept-alive connection whose request was under
 * way at the stop (the gateway's indexer polls every 250 ms, within the server's keep-alive timeout) kept the stop
 * waiting for ever. A request still unanswered ends with its connection: the chain is going away.
 */
async function stopServing(server: JsonRpcServer): Promise<void> {
  const closing = server.close();
  (server as unknown as { _httpServer?: http.Server })._httpServer?.closeAllConnections();
  await closing;
}

/** Serves `hre`'s Hardhat Network on host:port (0: any free port). The caller checks that the port is free first. */
export async function startLocalChain(hre: HardhatRuntimeEnvironment, host: string, port: number): Promise<LocalChain> {
  if (hre.network.name !== "hardhat") throw new Error(`the local chain must be Hardhat Network, not ${hre.network.name}`);
  const provider = hre.network.provider;
  const server = (await hre.run(TASK_NODE_CREATE_SERVER, { hostname: host, port, provider })) as JsonRpcServer;
  const address = await listen(server, host, port);
  const chainId = Number((await provider.request({ method: "eth_chainId" })) as string);
  const { accounts, publicKeys } = hardhatAccounts(hre);
  // The keys must be the ones the provider signs with, or printing them would mislead.
  const served = ((await provider.request({ method: "eth_accounts" })) as string[]).map((a) => a.toLowerCase());
  if (accounts.some((a, i) => served[i] !== a.address.toLowerCase())) throw new Error("the derived accounts differ from Hardhat Network's");
  return {
    url: `http://${host}:${address.port}`,
    wsUrl: `ws://${host}:${address.port}`,
    port: address.port,
    chainId,
    accounts,
    publicKeys,
    stop: () => stopServing(server),
  };
}
