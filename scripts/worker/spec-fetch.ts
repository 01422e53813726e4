// Fetches a job's spec document from its `specURI` and checks it against the job's on-chain `specHash` before
// anything else looks at it. Supported: `data:` (what the devnet uses), `file://` under one configured
// directory, and `http(s)://`; every path reads at most `maxBytes + 1` bytes, so a hostile URI cannot exhaust
// memory, and a remote server gets a wall-clock limit.
//
// Any client writes the URI, so an http(s) fetch is a request made from the provider's machine on a stranger's behalf:
// to a loopback, private or link-local host (a cloud's metadata service at 169.254.169.254, a database on the provider's
// LAN) it would be server-side request forgery. Those addresses are refused unless the host is in `allowHosts`, and
// checked on the addresses the connection is actually made to, so a name that resolves to a public address when checked
// and to a private one when fetched (DNS rebinding) gains nothing.

import * as dns from "node:dns";
import * as fs from "node:fs/promises";
import * as http from "node:http";
import * as https from "node:https";
import * as net from "node:net";
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
  /**
   * Hosts (names or IP addresses, as a URL writes them, lowercase, IPv6 without brackets) fetched from even when they
   * resolve to a loopback, private or link-local address: a local devnet's spec server, a provider's own LAN.
   */
  allowHosts?: readonly string[];
}

/** The URI's scheme is not supported or allowed, or the URI is malformed. */
export class SpecUriError extends SpecError {
  constructor(
    readonly uri: string,
    readonly reason: string,
  ) {
    // One with no scheme quoted: a client may post any string, and an empty one, or one of spaces, would read
    // `cannot fetch spec : not a URI`.
    const shown = /^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(uri) ? abbreviate(uri) : JSON.stringify(abbreviate(uri));
    super(`cannot fetch spec ${shown}: ${reason}`);
  }
}

/**
 * An http(s) URI whose host is, or resolves to, an address the worker does not fetch from for a client (loopback,
 * private, link-local and other non-public ranges), and which specs.allowHosts does not list. Final, like any
 * SpecUriError: the job is declined.
 */
export class SpecHostRefusedError extends SpecUriError {
  constructor(
    uri: string,
    readonly host: string,
    readonly address: string,
    readonly range: string,
  ) {
    super(
      uri,
      `its host ${host}${host === address ? "" : ` resolves to ${address}`}, ${range}, which is not fetched from for a ` +
        `job unless specs.allowHosts lists "${host}"`,
    );
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
    let url: URL;
    try {
      url = new URL(uri);
    } catch {
      throw new SpecUriError(uri, "not a valid URL");
    }
    const host = url.hostname.replace(/^\[(.*)\]$/, "$1").toLowerCase();
    const allowed = (this.options.allowHosts ?? []).includes(host);
    if (!allowed && net.isIP(host) !== 0) {
      // An address literal is connected to without a lookup, so the guard below never sees it.
      const range = refusedRange(host);
      if (range !== undefined) throw new SpecHostRefusedError(uri, host, host, range);
    }
    const timeout = AbortSignal.timeout(timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    try {
      return await new Promise<Uint8Array>((resolve, reject) => {
        // A redirect is not followed (http.get follows none), as the RPC path follows none: the client chose the URI,
        // which is on chain for anyone to see, and a redirect would send this worker wherever the client's server says,
        // unseen. The spec is checked against its hash whatever serves it, so a client loses nothing by naming the URL
        // it would redirect to. No agent: a kept-alive socket would skip the lookup, and its check, next time.
        const request = (url.protocol === "https:" ? https : http).get(url, {
          agent: false,
          signal: combined,
          lookup: allowed ? undefined : guardedLookup(uri, host),
        });
        request.on("error", reject);
        request.on("response", (response) => {
          response.on("error", reject);
          const status = response.statusCode ?? 0;
          if (status < 200 || status >= 300) {
            response.destroy();
            const redirect = status >= 300 && status < 400;
            reject(
              new SpecFetchError(
                uri,
                redirect ? `HTTP ${status}, a redirect, which is not followed` : `HTTP ${status}`,
                isTransientHttpStatus(status),
                status,
              ),
            );
            return;
          }
          if (Number(response.headers["content-length"] ?? "NaN") > maxBytes) {
            response.destroy();
            reject(new SpecTooLargeError(uri, maxBytes));
            return;
          }
          readCapped(uri, response, maxBytes).then(resolve, reject);
        });
      });
    } catch (error) {
      if (error instanceof SpecError) throw error;
      if (signal?.aborted) throw error;
      if (timeout.aborted)
        throw new SpecFetchError(uri, `timed out after ${timeoutMs} ms`, true, undefined, { cause: error });
      throw new SpecFetchError(uri, (error as Error).message, true, undefined, { cause: error });
    }
  }
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void;

/** A `lookup` for http.get that fails with SpecHostRefusedError when any address the name resolves to is refused. */
function guardedLookup(uri: string, host: string) {
  return (hostname: string, options: dns.LookupOptions, callback: LookupCallback): void => {
    dns.lookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) {
        callback(error, []);
        return;
      }
      // Any, not only the first: the connection may try each in turn (autoSelectFamily).
      for (const { address } of addresses) {
        const range = refusedRange(address);
        if (range !== undefined) {
          callback(new SpecHostRefusedError(uri, host, address, range) as unknown as NodeJS.ErrnoException, []);
          return;
        }
      }
      if (options.all) callback(null, addresses);
      else callback(null, addresses[0].address, addresses[0].family);
    });
  };
}

const REFUSED_V4: ReadonlyArray<[string, number, string]> = [
  ["0.0.0.0", 8, "a \"this network\" address"],
  ["10.0.0.0", 8, "a private address"],
  ["100.64.0.0", 10, "a shared (carrier-grade NAT) address"],
  ["127.0.0.0", 8, "a loopback address"],
  ["169.254.0.0", 16, "a link-local address (where clouds serve instance metadata)"],
  ["172.16.0.0", 12, "a private address"],
  ["192.0.0.0", 24, "an IETF protocol assignment"],
  ["192.168.0.0", 16, "a private address"],
  ["198.18.0.0", 15, "a benchmarking address"],
  ["224.0.0.0", 4, "a multicast address"],
  ["240.0.0.0", 4, "a reserved address"],
];

const REFUSED_V6: ReadonlyArray<[string, number, string]> = [
  ["::", 128, "the unspecified address"],
  ["::1", 128, "a loopback address"],
  ["fc00::", 7, "a unique local (private) address"],
  ["fe80::", 10, "a link-local address"],
  ["ff00::", 8, "a multicast address"],
];

/** What kind of non-public address `address` (an IP literal) is, or undefined for a public one. */
export function refusedRange(address: string): string | undefined {
  const v4 = net.isIPv4(address) ? address : embeddedIpv4(address);
  if (v4 !== undefined) {
    const match = REFUSED_V4.find(([network, prefix]) => inSubnet(v4, network, prefix, "ipv4"));
    return match?.[2];
  }
  if (!net.isIPv6(address)) return "not an IP address";
  return REFUSED_V6.find(([network, prefix]) => inSubnet(address, network, prefix, "ipv6"))?.[2];
}

function inSubnet(address: string, network: string, prefix: number, type: "ipv4" | "ipv6"): boolean {
  const list = new net.BlockList();
  list.addSubnet(network, prefix, type);
  return list.check(address, type);
}

/**
 * The IPv4 address an IPv6 one carries, where a connection to it reaches that IPv4 host: IPv4-mapped (::ffff:a.b.c.d),
 * IPv4-compatible (::a.b.c.d, other than :: and ::1) and NAT64 (64:ff9b::a.b.c.d).
 */
function embeddedIpv4(address: string): string | undefined {
  if (!net.isIPv6(address)) return undefined;
  const groups = expandIpv6(address);
  const prefix = groups.slice(0, 6);
  const mapped = prefix.slice(0, 5).every((g) => g === 0) && prefix[5] === 0xffff;
  const compatible = prefix.every((g) => g === 0) && (groups[6] !== 0 || groups[7] > 1);
  const nat64 = prefix[0] === 0x64 && prefix[1] === 0xff9b && prefix.slice(2).every((g) => g === 0);
  if (!mapped && !compatible && !nat64) return undefined;
  return [groups[6] >> 8, groups[6] & 0xff, groups[7] >> 8, groups[7] & 0xff].join(".");
}

function expandIpv6(address: string): number[] {
  let text = address.split("%")[0];
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted[1].split(".").map(Number);
    text = `${text.slice(0, -dotted[1].length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.includes("::") ? text.split("::") : [text, undefined];
  const headGroups = head === "" ? [] : head.split(":");
  const tailGroups = tail === undefined || tail === "" ? [] : tail.split(":");
  const zeros = tail === undefined ? [] : Array(8 - headGroups.length - tailGroups.length).fill("0");
  return [...headGroups, ...zeros, ...tailGroups].map((g) => parseInt(g, 16));
}

async function readCapped(uri: string, response: http.IncomingMessage, maxBytes: number): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of response as AsyncIterable<Buffer>) {
    length += chunk.length;
    if (length > maxBytes) {
      response.destroy();
      throw new SpecTooLargeError(uri, maxBytes);
    }
    chunks.push(chunk);
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
