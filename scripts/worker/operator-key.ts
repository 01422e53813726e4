// The operator key is the worker's hot key: it may accept jobs and submit results for the provider, never move
// its stake. It is read from an environment variable or a file named in the config, never from the config itself.

import * as fs from "node:fs";
import { Wallet } from "ethers";
import { type OperatorKeySource, describeConfigFile } from "./config";

/** The key could not be read or is not a private key. The message never contains the key. */
export class OperatorKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "OperatorKeyError";
  }
}

export interface OperatorKey {
  wallet: Wallet;
  /** Set when the key file can be read by other users: worth a warning, not a refusal. */
  looseFilePermissions?: string;
}

const PRIVATE_KEY = /^(0x)?[0-9a-fA-F]{64}$/;

/**
 * `env` without the operator key's variable, for what the worker asks of other programs (the GPU probe): those are
 * given a part of the environment picked by name, and the key's variable may be named to match (CUDA_KEY).
 */
export function withoutOperatorKey(env: NodeJS.ProcessEnv, source: OperatorKeySource): NodeJS.ProcessEnv {
  if (source.kind !== "env") return env;
  const rest = { ...env };
  delete rest[source.variable];
  return rest;
}

export function loadOperatorKey(source: OperatorKeySource, env: NodeJS.ProcessEnv = process.env): OperatorKey {
  if (source.kind === "env") {
    const value = env[source.variable];
    if (value === undefined || value.trim() === "") {
      throw new OperatorKeyError(`environment variable ${source.variable} (config.operatorKey.env) is not set`);
    }
    return { wallet: toWallet(value.trim(), `environment variable ${source.variable}`) };
  }
  let text: string;
  let mode: number;
  try {
    mode = fs.statSync(source.path).mode;
    text = fs.readFileSync(source.path, "utf8");
  } catch (error) {
    throw new OperatorKeyError(
      `cannot read key file ${describeConfigFile(source, "config.operatorKey.file")}: ${(error as Error).message}`,
    );
  }
  const wallet = toWallet(text.trim(), `key file ${source.path}`);
  const loose =
    (mode & 0o077) !== 0 ? `key file ${source.path} has mode ${(mode & 0o777).toString(8)}; 600 is advised` : undefined;
  return { wallet, looseFilePermissions: loose };
}

function toWallet(value: string, where: string): Wallet {
  if (!PRIVATE_KEY.test(value)) throw new OperatorKeyError(`${where} does not hold a 32-byte hex private key`);
  try {
    return new Wallet(value.startsWith("0x") ? value : `0x${value}`);
  } catch {
    throw new OperatorKeyError(`${where} does not hold a valid secp256k1 private key`);
  }
}
