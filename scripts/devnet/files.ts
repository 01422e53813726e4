// Files `npm start` leaves in the data directory for people and scripts: a worker config for the demo provider,
// a matmul job spec to post, and devnet.json (everything the banner prints, as JSON).
import * as fs from "node:fs";
import * as path from "node:path";
import { keccak256, toUtf8Bytes } from "ethers";
import type { RoleAccount } from "./accounts";
import { makeDirectory } from "../../subgraph/indexer/directories";

export interface WorkerConfigInput {
  rpcUrl: string;
  chainId: number;
  gatewayHttpUrl: string;
  gatewayWsUrl: string;
  provider: string;
  deploymentFile: string;
  gpu: { model: string; displayName: string; vramGiB: number; gpuCount: number; region: string; tier: "consumer" | "enterprise" };
  /** Name of the environment variable holding the operator key. */
  keyEnv: string;
}

export const OPERATOR_KEY_ENV = "LATENT_OPERATOR_KEY";

/** Writes a worker config (JSON with comments, as the worker reads it) for one seeded provider. */
export function writeWorkerConfig(file: string, input: WorkerConfigInput): void {
  const config = {
    chain: { rpcUrl: input.rpcUrl, chainId: input.chainId },
    gateway: { httpUrl: input.gatewayHttpUrl, wsUrl: input.gatewayWsUrl },
    provider: { address: input.provider },
    operatorKey: { env: input.keyEnv },
    contracts: { deploymentFile: input.deploymentFile },
    // The demo provider is registered as these GPUs: declared rather than detected, so the demo behaves the same on
    // a laptop and on a GPU server (set "detect": true on a real machine).
    gpu: { detect: false, ...input.gpu },
    // A devnet's clock jumps (evm_increaseTime): look at it often so a skipped challenge window settles promptly.
    policy: { maxConcurrentJobs: 1, acceptedKinds: ["matmul"], autoSettle: true, settlementPollSeconds: 2 },
    results: { dir: "./worker-results" },
    shutdown: { graceSeconds: 10 },
    logLevel: "info",
  };
  // Relative to where npm start ran only when it lies beneath it: "../../tmp/…" works from one directory alone.
  const relative = path.relative(process.cwd(), file);
  const shown = relative === "" || relative.startsWith("..") || path.isAbsolute(relative) ? file : relative;
  const header = [
    "// Written by `npm start` for the devnet's demo provider; rewritten on every start. Run it with",
    `//   ${input.keyEnv}=<the operator key npm start printed> npm run worker -- --config ${shown}`,
    "// Every field is described in scripts/worker/worker.example.json. For a provider of your own, copy this file",
    "// elsewhere and set provider.address, gpu and results.dir (README.md: Joining as a new provider).",
  ];
  makeDirectory(path.dirname(file));
  fs.writeFileSync(file, `${header.join("\n")}\n${JSON.stringify(config, null, 2)}\n`);
}

/** A matmul job spec (version 1) for `npx hardhat job create --spec-file`; returns its keccak256. */
export function writeMatmulSpec(file: string, n = 256): string {
  const document = JSON.stringify({ version: 1, kind: "matmul", params: { n, seed: keccak256(toUtf8Bytes("latent devnet demo")), rounds: 1 } });
  makeDirectory(path.dirname(file));
  fs.writeFileSync(file, document);
  return keccak256(toUtf8Bytes(document));
}

export interface DevnetInfo {
  startedAt: string;
  pid: number;
  chain: { rpcUrl: string; wsUrl: string | null; chainId: number; local: boolean };
  gateway: { graphql: string; ws: string; dashboard: string; readyz: string };
  deploymentFile: string;
  seeded: boolean;
  accounts: RoleAccount[];
  /** Set when a seeded provider's operator is a known account. */
  worker: { config: string; provider: string; operator: string; operatorIndex: number; keyEnv: string } | null;
  specFile: string | null;
  indexDb: string;
  gatewayLog: string;
}

export function writeDevnetInfo(file: string, info: DevnetInfo): void {
  makeDirectory(path.dirname(file));
  fs.writeFileSync(file, `${JSON.stringify(info, null, 2)}\n`);
}

export function readDevnetInfo(file: string): DevnetInfo {
  return JSON.parse(fs.readFileSync(file, "utf8")) as DevnetInfo;
}
