// The ports Node's fetch never connects to: the Fetch standard's "bad ports" (https://fetch.spec.whatwg.org/#port-blocking),
// refused before any connection with `TypeError: fetch failed` caused by `bad port`. The worker reads the chain id and
// queries the gateway with fetch, so an endpoint on one of these fails every time, and would otherwise look like an
// outage. `test/scripts/worker/fetch-ports.test.ts` checks the list against the running Node's fetch.

export const FETCH_BAD_PORTS: ReadonlySet<number> = new Set([
  1, 7, 9, 11, 13, 15, 17, 19, 20, 21, 22, 23, 25, 37, 42, 43, 53, 69, 77, 79, 87, 95, 101, 102, 103, 104, 109, 110, 111,
  113, 115, 117, 119, 123, 135, 137, 139, 143, 161, 179, 389, 427, 465, 512, 513, 514, 515, 526, 530, 531, 532, 540, 548,
  554, 556, 563, 587, 601, 636, 989, 990, 993, 995, 1719, 1720, 1723, 2049, 3659, 4045, 4190, 5060, 5061, 6000, 6566,
  6665, 6666, 6667, 6668, 6669, 6679, 6697, 10080,
]);

/** The port of an http(s) `url` that fetch refuses to connect to, or undefined where fetch may reach it. */
export function fetchRefusedPort(url: URL): number | undefined {
  if (url.protocol !== "http:" && url.protocol !== "https:") return undefined;
  // URL leaves `port` empty for the scheme's default (80, 443), neither of which is refused.
  const port = url.port === "" ? undefined : Number(url.port);
  return port !== undefined && FETCH_BAD_PORTS.has(port) ? port : undefined;
}
