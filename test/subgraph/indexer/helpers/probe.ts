// The probe fixture for indexer tests: a fresh chain with IndexerProbe deployed at the deterministic first
// address, the fixture subgraph built for it, and helpers to emit the probe's events.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { getCreateAddress } from "ethers";
import hre from "hardhat";
import { buildProbeSubgraph } from "../../../../scripts/fixtures/probe-subgraph";
import { ContractDriver, startLocalChain, type LocalChain } from "./local-chain";

export interface ProbeFixture {
  readonly chain: LocalChain;
  readonly probe: ContractDriver;
  readonly buildDir: string;
  readonly tmpDir: string;
  dbPath(name: string): string;
  close(): Promise<void>;
}

let buildPromise: Promise<string> | null = null;

/** The fixture subgraph is built for the address account 0 deploys to first (same on every fresh chain). */
export async function probeBuildDir(): Promise<string> {
  if (buildPromise === null) {
    const accounts = (await hre.network.provider.request({ method: "eth_accounts" })) as string[];
    const address = getCreateAddress({ from: accounts[0]!, nonce: 0 });
    buildPromise = buildProbeSubgraph({ address, startBlock: 0 });
  }
  return buildPromise;
}

export async function startProbeFixture(seed?: number): Promise<ProbeFixture> {
  const buildDir = await probeBuildDir();
  const chain = await startLocalChain(seed);
  const probe = await ContractDriver.deploy(chain, "IndexerProbe");
  const tmpDir = mkdtempSync(path.join(os.tmpdir(), "latent-indexer-"));
  return {
    chain,
    probe,
    buildDir,
    tmpDir,
    dbPath: (name) => path.join(tmpDir, name),
    close: async () => {
      await chain.close();
      rmSync(tmpDir, { recursive: true, force: true });
    },
  };
}

export const ZERO_BYTES32 = "0x" + "00".repeat(32);

export function bytes32(text: string): string {
  const hex = Buffer.from(text, "utf8").toString("hex");
  return "0x" + hex.padEnd(64, "0").slice(0, 64);
}

/** A provider registration, status change and job, the basic scenario most tests build on. */
export async function registerProvider(
  probe: ContractDriver,
  provider: string,
  name: string,
  pricePerHour: bigint,
  gpuCount: number,
): Promise<string> {
  return probe.send("registerProvider", [provider, name, pricePerHour, bytes32(`region-${name}`), gpuCount]);
}

export async function postJob(
  probe: ContractDriver,
  jobId: bigint,
  provider: string,
  options: { delta?: bigint; payload?: string; note?: string; amounts?: bigint[]; parties?: string[]; duration?: bigint; from?: string } = {},
): Promise<string> {
  const terms = [options.duration ?? 3600n, provider, bytes32(`salt-${jobId}`)];
  return probe.send(
    "postJob",
    [jobId, provider, options.delta ?? 0n, options.payload ?? "0x", options.note ?? "", options.amounts ?? [], options.parties ?? [], terms],
    options.from,
  );
}

export async function sample(
  probe: ContractDriver,
  input: { key: string; small: bigint; big: bigint; negative: bigint; blob: string; flag: boolean; labels: string[]; count: number },
): Promise<string> {
  return probe.send("sample", [[input.key, input.small, input.big, input.negative, input.blob, input.flag, input.labels, input.count]]);
}
