// The workload document a client publishes at `specURI` and commits to on-chain with
// `specHash = keccak256(document bytes)`. Version 1:
//
//   {"version":1,"kind":"matmul","params":{"n":256,"seed":"0x<32 bytes hex>","rounds":1}}
//   {"version":1,"kind":"command","params":{"input":"<text>","args":["<text>", ...]}}
//
// Parsing is strict (unknown fields are errors): two workers must never read one committed document differently.

import { keccak256 } from "ethers";
import { jsonSyntaxError } from "./jsonc";
import { FieldError, FieldReader } from "./validate";

export const SPEC_VERSION = 1;
export const JOB_SPEC_KINDS = ["matmul", "command"] as const;
export type JobSpecKind = (typeof JOB_SPEC_KINDS)[number];

/** No worker reads a document larger than this, whatever its config says. */
export const SPEC_MAX_BYTES_CEILING = 4 * 1024 * 1024;

export const MATMUL_MAX_N = 2048;
export const MATMUL_MAX_ROUNDS = 32;
export const COMMAND_MAX_INPUT_BYTES = 1024 * 1024;
export const COMMAND_MAX_ARGS = 64;
export const COMMAND_MAX_ARG_BYTES = 4096;

export interface MatmulParams {
  /** Matrix size: A and B are n×n. 1..MATMUL_MAX_N. */
  n: number;
  /** 32 bytes, lowercase 0x-hex: seeds the generator of A and B. */
  seed: string;
  /** Multiplications: C1 = A·B, C(r) = C(r-1)·B, all mod 65521. 1..MATMUL_MAX_ROUNDS. */
  rounds: number;
}

export interface MatmulSpec {
  version: 1;
  kind: "matmul";
  params: MatmulParams;
}

export interface CommandParams {
  /** Opaque data for the provider's program; never interpreted by the worker. */
  input: string;
  /** Opaque data too: delivered inside the document on stdin, never as argv. */
  args: string[];
}

export interface CommandSpec {
  version: 1;
  kind: "command";
  params: CommandParams;
}

export type JobSpec = MatmulSpec | CommandSpec;

/** A document fetched from `uri` whose bytes hashed to `hash`, parsed. Executors receive this. */
export interface LoadedSpec {
  uri: string;
  hash: string;
  bytes: Uint8Array;
  spec: JobSpec;
}

/** Base class of every failure to obtain a runnable spec; the worker skips the job. */
export class SpecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** The document is not valid version-1 spec JSON. `path` names the field, as in `spec.params.n`. */
export class SpecFormatError extends SpecError {
  constructor(
    readonly path: string,
    problem: string,
  ) {
    super(`${path}: ${problem}`);
  }
}

export class SpecHashMismatchError extends SpecError {
  constructor(
    readonly expectedHash: string,
    readonly actualHash: string,
  ) {
    super(`spec document hashes to ${actualHash}, but the job commits to ${expectedHash}`);
  }
}

export function hashSpecBytes(bytes: Uint8Array): string {
  return keccak256(bytes);
}

const HEX32 = /^0x[0-9a-fA-F]{64}$/;

/** Parse and validate a version-1 document. Throws SpecFormatError naming the first bad field. */
export function parseJobSpec(bytes: Uint8Array): JobSpec {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new SpecFormatError("spec", "is not valid UTF-8");
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    // Said as a config file's error is (line and column, never V8's excerpt of the text), since it is logged and
    // written into errors as they are. Not parseJsonText, which skips a byte-order mark: the decoder has skipped one
    // already, and a second would make a document this worker reads that an older one refused.
    throw new SpecFormatError("spec", `is ${jsonSyntaxError(text, text, error.message).message}`);
  }
  try {
    return readJobSpec(json);
  } catch (error) {
    if (error instanceof FieldError) throw new SpecFormatError(error.path, error.detail);
    throw error;
  }
}

function readJobSpec(json: unknown): JobSpec {
  const root = FieldReader.of(json, "spec", ["version", "kind", "params"]);
  const version = root.raw("version");
  if (version !== SPEC_VERSION) {
    throw new FieldError("spec.version", `must be ${SPEC_VERSION} (the only version this worker reads)`, version);
  }
  const kind = root.oneOf("kind", JOB_SPEC_KINDS);
  if (kind === "matmul") {
    const params = root.object("params", ["n", "seed", "rounds"]);
    return {
      version: 1,
      kind,
      params: {
        n: params.integer("n", 1, MATMUL_MAX_N),
        seed: params
          .string("seed", { pattern: HEX32, patternDescription: "32 bytes of 0x-prefixed hex" })
          .toLowerCase(),
        rounds: params.optionalInteger("rounds", 1, MATMUL_MAX_ROUNDS, 1),
      },
    };
  }
  const params = root.object("params", ["input", "args"]);
  return {
    version: 1,
    kind,
    params: {
      input: params.has("input") ? readBoundedText(params, "input", COMMAND_MAX_INPUT_BYTES) : "",
      args: params.stringArray("args", COMMAND_MAX_ARGS, { minLength: 0, maxBytes: COMMAND_MAX_ARG_BYTES }, []),
    },
  };
}

function readBoundedText(reader: FieldReader, key: string, maxBytes: number): string {
  return reader.string(key, { minLength: 0, maxBytes });
}

/** The canonical bytes of a spec, for clients that build documents in code (tests, seeding scripts). */
export function encodeJobSpec(spec: JobSpec): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(spec));
}
