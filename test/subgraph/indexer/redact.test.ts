import { expect } from "chai";
import * as path from "node:path";
import { holdsUrl, redactUrl, redactUrlsIn, redactUrlsInJson, urlRedactor } from "../../../subgraph/indexer/redact";

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

  it("hides a URL right after a JSON escape, on the next line of a JSON-escaped message, in either mode", () => {
    const line = JSON.stringify({ msg: "request failed:\nhttps://alice:s3cr3t@eth.example.org/v2/sEcReTkEy" });
    for (const redact of [redactUrlsIn, redactUrlsInJson]) {
      expect(JSON.parse(redact(line)), redact.name).to.deep.equal({ msg: "request failed:\nhttps://eth.example.org/…" });
    }
    expect(redactUrlsIn('{"msg":"after \\u0027https://eth.example.org/v2/sEcReTkEy"}')).to.equal('{"msg":"after \\u0027https://eth.example.org/…"}');
  });

  it("cuts a URL that does not parse (a port out of range) to its scheme, its host not being known, in either mode", () => {
    for (const redact of [redactUrlsIn, redactUrlsInJson]) {
      expect(redact("GET https://alice:s3cr3t@eth.example.org:99999/v2/sEcReTkEy.")).to.equal("GET https://….");
      expect(redact("must start with http:// or https://, not wss://")).to.equal("must start with http:// or https://, not wss://");
    }
  });

  describe("in JSON-escaped text (redactUrlsInJson)", () => {
    const SECRETS = ["alice", "s3cr3t", "sEcReTkEy", "tOkEn"];
    const URLS = [
      "https://alice:s3cr3t@eth.example.org/v2/sEcReTkEy?k=tOkEn",
      "wss://eth.example.org/v2/sEcReTkEy",
      "https:/eth.example.org/v2/sEcReTkEy",
      "https:\\\\eth.example.org\\v2\\sEcReTkEy",
      "https://eth.example.org\\v2\\sEcReTkEy",
    ];

    it("ends a URL at an escape standing for what ends it in text (line break, tab, quote, apostrophe, angle bracket), keeping what follows", () => {
      for (const url of URLS) {
        for (const after of ["\nat next line", "\tthen", '" said', "'s reply", "<br>", " plain"]) {
          const msg = `GET ${url}${after}`;
          const redacted = JSON.parse(redactUrlsInJson(JSON.stringify({ msg }))) as { msg: string };
          expect(redacted.msg, msg).to.match(/^GET (https|wss):[/\\]+eth\.example\.org\/…/);
          expect(redacted.msg.endsWith(after), msg).to.equal(true);
          for (const secret of SECRETS) expect(redacted.msg, `${msg}: ${secret}`).not.to.include(secret);
        }
      }
    });

    it("ends a URL at a \\u escape of such a character, and reads every other escape as part of the URL, hiding it", () => {
      const line = '{"msg":"GET https://eth.example.org/v2/sEcReTkEy\\u003cbr\\u003e and https:\\/\\/eth.example.org\\/v2\\/sEcReTkEy\\u0027s"}';
      expect(redactUrlsInJson(line)).to.equal('{"msg":"GET https://eth.example.org/…\\u003cbr\\u003e and https://eth.example.org/…\\u0027s"}');
      // é, and a backslash (a slash to URL), may be the key's own: hidden with it.
      for (const tail of ["\\u00e9tOkEn", "\\\\tOkEn", "\\\\ntOkEn", "\\u0026k=tOkEn"]) {
        const text = `{"msg":"GET https://eth.example.org/v2/sEcReTkEy${tail} end"}`;
        const redacted = redactUrlsInJson(text);
        expect(redacted, text).to.equal('{"msg":"GET https://eth.example.org/… end"}');
      }
    });

    it("ends a URL at a \\u escape of a control character (\\u0000, a terminal's colour code), as plain text ends one at the character, keeping what follows", () => {
      for (const control of ["\u0000", "\u001b[0m", "\u0007", "\u007f", "\u0085"]) {
        for (const url of URLS) {
          const msg = `GET ${url}${control}then more`;
          const plain = redactUrlsIn(msg);
          const json = JSON.parse(redactUrlsInJson(JSON.stringify({ msg }))) as { msg: string };
          for (const redacted of [plain, json.msg]) {
            expect(redacted, JSON.stringify(msg)).to.match(/^GET (https|wss):[/\\]+eth\.example\.org\/…/);
            expect(redacted.endsWith(`${control}then more`), JSON.stringify(redacted)).to.equal(true);
            for (const secret of SECRETS) expect(redacted, `${JSON.stringify(msg)}: ${secret}`).not.to.include(secret);
          }
        }
      }
    });

    it("leaves a bare host alone, and text with no URL as it is", () => {
      const line = JSON.stringify({ msg: "cannot reach http://127.0.0.1:8545\nretrying, see news:/x" });
      expect(redactUrlsInJson(line)).to.equal(line);
    });
  });
});
