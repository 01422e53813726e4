import { expect } from "chai";
import * as path from "node:path";
import { holdsUrl, redactUrl, redactUrlsIn, urlRedactor } from "../../../subgraph/indexer/redact";

describe("URL redaction (shared by the indexer, the gateway and the worker)", () => {
  it("keeps the scheme and host of a URL and puts /… in place of its path, query and credentials", () => {
    expect(redactUrl("https://u:p@eth.example.org/v3/key123?token=abc")).to.equal("https://eth.example.org/…");
    expect(redactUrl("http://127.0.0.1:8545")).to.equal("http://127.0.0.1:8545");
  });

  it("replaces a known URL wherever it appears in a line, as written and as URL normalises it", () => {
    const redact = urlRedactor([{ url: "https://ETH.example.org/v2/key123?token=abc" }]);
    const line = '{"error":"server response 503 (info={ \\"requestUrl\\": \\"https://eth.example.org/v2/key123?token=abc\\" })"}';
    expect(redact(line)).to.equal('{"error":"server response 503 (info={ \\"requestUrl\\": \\"https://eth.example.org/…\\" })"}');
    expect(redact("from https://ETH.example.org/v2/key123?token=abc")).to.equal("from https://eth.example.org/…");
  });

  it("keeps a route's path with keepPath, hiding only its credentials and query", () => {
    const redact = urlRedactor([{ url: "https://user:pw@gw.example.org/graphql", keepPath: true }, { url: "wss://gw.example.org/graphql?auth=xyz", keepPath: true }]);
    expect(redact("https://user:pw@gw.example.org/graphql and wss://gw.example.org/graphql?auth=xyz")).to.equal(
      "https://gw.example.org/graphql and wss://gw.example.org/graphql?…",
    );
  });

  it("hides the path, query and credentials of every http(s) and ws(s) URL in free text, leaving the punctuation after it", () => {
    expect(redactUrlsIn("calling https://eth.example.org/v2/key123 (via wss://u:p@gw.example.org/graphql?auth=xyz), then ftp://x/y.")).to.equal(
      "calling https://eth.example.org/… (via wss://gw.example.org/…), then ftp://x/y.",
    );
  });

  it("hides the key of a URL written with one slash after its scheme, also inside the path a URL was resolved into", () => {
    const resolved = path.posix.resolve("/home/u", "https://eth.example.org/v2/sEcReTkEy");
    expect(resolved).to.equal("/home/u/https:/eth.example.org/v2/sEcReTkEy");
    expect(redactUrlsIn(`cannot read config file ${resolved}: ENOENT`)).to.equal(
      "cannot read config file /home/u/https:/eth.example.org/…: ENOENT",
    );
    expect(redactUrlsIn("calling https:/eth.example.org/v2/sEcReTkEy, then WSS:/u:p@GW.example.org/graphql?auth=xyz.")).to.equal(
      "calling https:/eth.example.org/…, then WSS:/gw.example.org/….",
    );
    expect(redactUrlsIn("ws:/127.0.0.1:8545 and http:/127.0.0.1:8545/")).to.equal("ws:/127.0.0.1:8545 and http:/127.0.0.1:8545/");
    expect(holdsUrl("/home/u/https:/eth.example.org/v2/sEcReTkEy")).to.equal(true);
    expect(holdsUrl("wss:/gw.example.org/graphql")).to.equal(true);
  });

  it("hides the key of a URL written with backslashes, as pasted from Windows, also inside a Windows path and JSON-escaped", () => {
    expect(redactUrlsIn("cannot read config file C:\\work\\https:\\eth.example.org\\v2\\sEcReTkEy: ENOENT")).to.equal(
      "cannot read config file C:\\work\\https:\\eth.example.org/…: ENOENT",
    );
    expect(redactUrlsIn("calling https:\\\\eth.example.org\\v2\\sEcReTkEy\\, then WSS:\\/GW.example.org\\graphql?auth=xyz.")).to.equal(
      "calling https:\\\\eth.example.org/…\\, then WSS:\\/gw.example.org/….",
    );
    const line = JSON.stringify({ msg: "spawn C:\\work\\https:\\eth.example.org\\v2\\sEcReTkEy\\ ENOENT", path: "https:\\\\eth.example.org\\v2\\sEcReTkEy\\" });
    expect(JSON.parse(redactUrlsIn(line))).to.deep.equal({
      msg: "spawn C:\\work\\https:\\eth.example.org/…\\ ENOENT",
      path: "https:\\\\eth.example.org/…\\",
    });
    expect(holdsUrl("C:\\work\\https:\\eth.example.org\\v2\\sEcReTkEy")).to.equal(true);
    expect(holdsUrl("https:\\\\eth.example.org\\v2\\sEcReTkEy")).to.equal(true);
  });

  it("hides the whole path of a URL written with // whose path begins with a backslash after its host, also JSON-escaped", () => {
    expect(new URL("https://eth.example.org\\v2\\sEcReTkEy").pathname).to.equal("/v2/sEcReTkEy");
    expect(redactUrlsIn("calling https://u:p@eth.example.org:8545\\v2\\sEcReTkEy?token=abc, then wss://gw.example.org\\graphql\\.")).to.equal(
      "calling https://eth.example.org:8545/…, then wss://gw.example.org/…\\.",
    );
    const line = JSON.stringify({ msg: "GET https://eth.example.org\\v2\\sEcReTkEy failed\nretrying", url: "https://eth.example.org\\v2\\sEcReTkEy\\" });
    expect(JSON.parse(redactUrlsIn(line))).to.deep.equal({ msg: "GET https://eth.example.org/… failed\nretrying", url: "https://eth.example.org/…\\" });
    expect(holdsUrl("https://eth.example.org\\v2\\sEcReTkEy")).to.equal(true);
  });

  it("leaves a bare host's URL alone before the JSON escape that ends a line or a quoted string", () => {
    const line = JSON.stringify({ msg: 'cannot reach http://127.0.0.1:8545\n    at "https://eth.example.org"\n' });
    expect(redactUrlsIn(line)).to.equal(line);
  });

  it("hides the rest of the path after a backslash inside it, as URL reads one as a slash, also JSON-escaped and with one slash", () => {
    expect(new URL("https://eth.example.org/v2\\sEcReTkEy").pathname).to.equal("/v2/sEcReTkEy");
    expect(redactUrlsIn("calling https://eth.example.org/v2\\sEcReTkEy, then wss://gw.example.org/a\\b\\graphql?auth=xyz.")).to.equal(
      "calling https://eth.example.org/…, then wss://gw.example.org/….",
    );
    expect(redactUrlsIn("calling https:/eth.example.org/v2\\sEcReTkEy now")).to.equal("calling https:/eth.example.org/… now");
    const line = JSON.stringify({ msg: "GET https://eth.example.org/v2\\sEcReTkEy failed", url: "https://eth.example.org/v2\\sEcReTkEy" });
    expect(JSON.parse(redactUrlsIn(line))).to.deep.equal({ msg: "GET https://eth.example.org/… failed", url: "https://eth.example.org/…" });
    expect(holdsUrl("https://eth.example.org/v2\\sEcReTkEy")).to.equal(true);
  });

  // `\n` then more is a JSON-escaped line break, or a backslash and a key that begins with n: it cannot be told, and
  // only the second reading keeps the key hidden.
  it("hides a path's backslash and what follows it even where it reads as a JSON escape, a key beginning with n", () => {
    expect(redactUrlsIn("calling https://eth.example.org/v2\\nKeyAfterIt")).to.equal("calling https://eth.example.org/…");
  });

  it("ends a URL at the JSON escape that ends it in JSON-escaped text: a closing \\\" or a \\n before a quote, whitespace or the end", () => {
    expect(redactUrlsIn('{"url":"https://eth.example.org/v2/sEcReTkEy\\"}')).to.equal('{"url":"https://eth.example.org/…\\"}');
    expect(redactUrlsIn("GET https://eth.example.org/x\\n")).to.equal("GET https://eth.example.org/…\\n");
    const line = JSON.stringify({ msg: 'GET https://eth.example.org/v2/sEcReTkEy\n  at "https://gw.example.org/graphql?auth=xyz"\n', url: "https://gw.example.org/x\n" });
    expect(JSON.parse(redactUrlsIn(line))).to.deep.equal({ msg: 'GET https://eth.example.org/…\n  at "https://gw.example.org/…"\n', url: "https://gw.example.org/…\n" });
    const quoted = JSON.stringify({ msg: 'at "https://eth.example.org/v2/sEcReTkEy\n"' });
    expect(JSON.parse(redactUrlsIn(quoted))).to.deep.equal({ msg: 'at "https://eth.example.org/…\n"' });
    const nested = JSON.stringify({ line: JSON.stringify({ url: "https://eth.example.org/v2/sEcReTkEy\n" }) });
    expect(JSON.parse(JSON.parse(redactUrlsIn(nested)).line)).to.deep.equal({ url: "https://eth.example.org/…\n" });
  });

  it("leaves ordinary file paths alone, also those with a scheme's name in them", () => {
    for (const text of [
      "spawn /usr/bin/nvidia-smi ENOENT",
      "/srv/https/v2/key.json",
      "/srv/cache-https/v2",
      "./wss/x:/y",
      "C:/x",
      "C:\\work\\https\\v2",
      "C:\\\\server\\https\\x",
    ]) {
      expect(redactUrlsIn(text), text).to.equal(text);
      expect(holdsUrl(text), text).to.equal(false);
    }
  });
});
