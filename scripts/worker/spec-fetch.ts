// Fetches a job's spec document from its `specURI` and checks it against the job's on-chain `specHash` before
// anything else looks at it. Supported: `data:` (what the devnet uses), `file://` under one configured
// directory, and `http(s)://`; every path reads at most `maxBytes + 1` bytes, so a hostile URI cannot exhaust
// memory, and a remote server gets a wall-clock limit.

import * as fs from "node:fs/promises";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { isTransientHttpStatus } from "./retry";
import { LoadedSpec, SpecError, SpecHashMismatchError, hashSpecBytes, parseJobSpec } from "./spec";

export interface SpecFetchOptions {
  /** Largest document accepted. */
  maxBytes: number;
  /** Wall-clock limit on an http(s) fetch, body included. */
  timeoutMs: number;
  /** Directory `file://` URIs must resolve into (after symlinks); undefined refuses `file://`. */
  fileRoot?: string;
  /** Whether `http://` and `https://` URIs may be fetched. */
  allowHttp: boolean;
}

/** The URI's scheme is not supported or allowed, or the URI is malformed. */
export class SpecUriError extends SpecError {
  constructor(
    readonly uri: string,
    readonly reason: string,
  ) {
    super(`cannot fetch spec ${abbreviate(uri)}: ${reason}`);
  }
}

export class SpecTooLargeError extends SpecError {
  constructor(
    readonly uri: string,
    readonly maxBytes: number,
  ) {
    super(`spec ${abbreviate(uri)} is larger than the limit of ${maxBytes} bytes`);
  }
}

/** Reading the document failed: an HTTP status, a network error or a timeout. */
export class SpecFetchError extends SpecError {
  constructor(
    readonly uri: string,
    reason: string,
    /** Whether trying again later may succeed (network errors, timeouts, 5xx). */
    readonly transient: boolean,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(`cannot fetch spec ${abbreviate(uri)}: ${reason}`);
    if (options?.cause !== undefined) this.cause = options.cause;
  }
}

function abbreviate(uri: string): string {
  return uri.length > 100 ? `${uri.slice(0, 97)}...` : uri;
}

export class SpecFetcher {
  constructor(private readonly options: SpecFetchOptions) {}

  /** The document's bytes, checked against `expectedHash`, parsed. Throws a SpecError subclass otherwise. */
  async load(uri: string, expectedHash: string, signal?: AbortSignal): Promise<LoadedSpec> {
    const bytes = await this.fetchBytes(uri, signal);
    const hash = hashSpecBytes(bytes);
    if (hash !== expectedHash.toLowerCase()) throw new SpecHashMismatchError(expectedHash.toLowerCase(), hash);
    return { uri, hash, bytes, spec: parseJobSpec(bytes) };
  }

  async fetchBytes(uri: string, signal?: AbortSignal): Promise<Uint8Array> {
    const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(uri)?.[1]?.toLowerCase();
    switch (scheme) {
      case "data":
        return this.decodeDataUri(uri);
      case "file":
        return this.readFile(uri);
      case "http":
      case "https":
        if (!this.options.allowHttp) throw new SpecUriError(uri, "http(s) spec URIs are disabled by specs.allowHttp");
        return this.fetchHttp(uri, signal);
      default:
        throw new SpecUriError(uri, scheme ? `unsupported scheme "${scheme}:"` : "not a URI");
    }
  }

  // RFC 2397: data:[<mediatype>][;base64],<data>
  private decodeDataUri(uri: string): Uint8Array {
    const comma = uri.indexOf(",");
    if (comma === -1) throw new SpecUriError(uri, "a data: URI needs a comma before its data");
    const meta = uri.slice("data:".length, comma);
    const payload = uri.slice(comma + 1);
    let bytes: Buffer;
    if (/;base64$/i.test(meta)) {
      // Buffer.from(…, "base64") skips invalid characters silently; a committed document must decode one way only.
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(payload) || payload.length % 4 !== 0) {
        throw new SpecUriError(uri, "the data: URI's base64 payload is malformed");
      }
      if ((payload.length / 4) * 3 > this.options.maxBytes + 2) throw new SpecTooLargeError(uri, this.options.maxBytes);
      bytes = Buffer.from(payload, "base64");
    } else {
      bytes = percentDecode(uri, payload, this.options.maxBytes);
    }
    if (bytes.length > this.options.maxBytes) throw new SpecTooLargeError(uri, this.options.maxBytes);
    return new Uint8Array(bytes);
  }

  private async readFile(uri: string): Promise<Uint8Array> {
    const { fileRoot, maxBytes } = this.options;
    if (fileRoot === undefined)
      throw new SpecUriError(uri, "file: spec URIs are disabled (no specs.fileRoot configured)");
    let filePath: string;
    try {
      filePath = fileURLToPath(uri);
    } catch (error) {
      throw new SpecUriError(uri, (error as Error).message);
    }
    let realFile: string;
    let realRoot: string;
    try {
      [realFile, realRoot] = await Promise.all([fs.realpath(filePath), fs.realpath(fileRoot)]);
    } catch (error) {
      throw new SpecFetchError(uri, (error as Error).message, false, undefined, { cause: error });
    }
    // Resolve symlinks first: a link inside the root pointing out of it must not let a client read other files.
    const relative = path.relative(realRoot, realFile);
    if (relative === "" || relative.startsWith("..") || path.isAbsolute(relative)) {
      throw new SpecUriError(uri, `the file is not inside specs.fileRoot (${fileRoot})`);
    }
    let handle: fs.FileHandle;
    try {
      handle = await fs.open(realFile, "r");
    } catch (error) {
      throw new SpecFetchError(uri, (error as Error).message, false, undefined, { cause: error });
    }
    try {
      const buffer = Buffer.alloc(maxBytes + 1);
      let length = 0;
      while (length < buffer.length) {
        const { bytesRead } = await handle.read(buffer, length, buffer.length - length, null);
        if (bytesRead === 0) break;
        length += bytesRead;
      }
      if (length > maxBytes) throw new SpecTooLargeError(uri, maxBytes);
      return new Uint8Array(buffer.subarray(0, length));
    } catch (error) {
      if (error instanceof SpecError) throw error;
      throw new SpecFetchError(uri, (error as Error).message, false, undefined, { cause: error });
    } finally {
      await handle.close();
    }
  }

  private async fetchHttp(uri: string, signal?: AbortSignal): Promise<Uint8Array> {
    const { maxBytes, timeoutMs } = this.options;
    const timeout = AbortSignal.timeout(timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    try {
      // A redirect is not followed, as the RPC path follows none: the client chose the URI, which is on chain for anyone
      // to see, and a redirect would send this worker wherever the client's server says, unseen (a loopback or private
      // host, server-side request forgery). The spec is checked against its hash whatever serves it, so a client loses
      // nothing by naming the URL it would redirect to.
      const response = await fetch(uri, { signal: combined, redirect: "manual" });
      if (!response.ok) {
        await response.body?.cancel();
        const redirect = response.status >= 300 && response.status < 400;
        throw new SpecFetchError(
          uri,
          redirect ? `HTTP ${response.status}, a redirect, which is not followed` : `HTTP ${response.status}`,
          isTransientHttpStatus(response.status),
          response.status,
        );
      }
      const declared = Number(response.headers.get("content-length") ?? "NaN");
      if (declared > maxBytes) {
        await response.body?.cancel();
        throw new SpecTooLargeError(uri, maxBytes);
      }
      return await readCapped(uri, response, maxBytes);
    } catch (error) {
      if (error instanceof SpecError) throw error;
      if (signal?.aborted) throw error;
      if (timeout.aborted)
        throw new SpecFetchError(uri, `timed out after ${timeoutMs} ms`, true, undefined, { cause: error });
      const cause = (error as Error).cause;
      const reason = cause instanceof Error ? cause.message : (error as Error).message;
      throw new SpecFetchError(uri, reason, true, undefined, { cause: error });
    }
  }
}

async function readCapped(uri: string, response: Response, maxBytes: number): Promise<Uint8Array> {
  if (!response.body) return new Uint8Array(0);
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let length = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    length += value.length;
    if (length > maxBytes) {
      await reader.cancel();
      throw new SpecTooLargeError(uri, maxBytes);
    }
    chunks.push(value);
  }
  return new Uint8Array(Buffer.concat(chunks, length));
}

function percentDecode(uri: string, payload: string, maxBytes: number): Buffer {
  // Every output byte takes at least one input character, at most three.
  if (payload.length > maxBytes * 3) throw new SpecTooLargeError(uri, maxBytes);
  const bytes: number[] = [];
  for (let index = 0; index < payload.length;) {
    if (payload[index] === "%") {
      const hex = payload.slice(index + 1, index + 3);
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) throw new SpecUriError(uri, `bad percent-escape "%${hex}" in the data: URI`);
      bytes.push(parseInt(hex, 16));
      index += 3;
    } else {
      const codePoint = payload.codePointAt(index) as number;
      const char = String.fromCodePoint(codePoint);
      bytes.push(...Buffer.from(char, "utf8"));
      index += char.length;
    }
  }
  return Buffer.from(bytes);
}
