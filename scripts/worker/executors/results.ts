// Publishes a result document and names it. The escrow takes a resultURI of at most MAX_URI_LENGTH (256) bytes,
// so a result is inlined as a data: URI only when that URI fits; a larger one is written to the results directory
// under its own hash (content-addressed: rewriting it is harmless) and named by the public base URL, if the
// provider serves the directory, or by its file: URL.

import * as fs from "node:fs/promises";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import type { ResultsConfig } from "../config";
import { keccak256OffThread } from "./threads";

export const RESULT_DATA_URI_PREFIX = "data:application/octet-stream;base64,";

export interface PublishedResult {
  resultHash: string;
  resultURI: string;
}

/** The results directory or public base URL is so long that no result URI fits the escrow's limit. */
export class ResultUriTooLongError extends Error {
  constructor(
    readonly uri: string,
    readonly maxUriBytes: number,
  ) {
    super(
      `result URI ${uri} is longer than ${maxUriBytes} bytes; shorten config.results.dir or config.results.publicBaseUrl`,
    );
    this.name = "ResultUriTooLongError";
  }
}

export class ResultStore {
  constructor(private readonly config: ResultsConfig) {}

  /** `knownHash`: keccak256(bytes) when the caller already computed it (off the event loop). */
  async publish(bytes: Uint8Array, knownHash?: string): Promise<PublishedResult> {
    const resultHash = knownHash ?? (await keccak256OffThread(bytes));
    const inline = RESULT_DATA_URI_PREFIX + Buffer.from(bytes).toString("base64");
    if (Buffer.byteLength(inline) <= this.config.maxUriBytes) return { resultHash, resultURI: inline };

    const { file, resultURI } = resultFile(this.config, resultHash);
    if (Buffer.byteLength(resultURI) > this.config.maxUriBytes)
      throw new ResultUriTooLongError(resultURI, this.config.maxUriBytes);

    await fs.mkdir(this.config.dir, { recursive: true });
    // Write then rename, so a reader (or a crash) never sees a half-written result under its final name.
    const temporary = `${file}.${process.pid}.${Date.now()}.tmp`;
    await fs.writeFile(temporary, bytes);
    await fs.rename(temporary, file);
    return { resultHash, resultURI };
  }
}

/** Where a result too large to inline is written, and the URI that names it. Its length depends only on the config. */
export function resultFile(config: ResultsConfig, resultHash: string): { file: string; resultURI: string } {
  const fileName = `${resultHash.slice(2)}.bin`;
  const file = path.join(config.dir, fileName);
  const resultURI = config.publicBaseUrl
    ? `${config.publicBaseUrl.replace(/\/+$/, "")}/${fileName}`
    : pathToFileURL(file).href;
  return { file, resultURI };
}
