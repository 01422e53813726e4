// urlFree: an error (or any value) as util.inspect shows it, with every URL cut, the rest kept.
import url from "node:url";
import { inspect } from "node:util";
import { expect } from "chai";
import { urlFree } from "../../../subgraph/indexer/redact-error";

describe("embedded indexer: urlFree", function () {
  it("returns an error that shows no URL as it is, its cause chain included", function () {
    const error = new TypeError("fetch failed", { cause: Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:8545"), { code: "ECONNREFUSED" }) });
    expect(urlFree(error)).to.equal(error);
  });

  it("copies an error that shows a URL with its class, own properties and cause chain, every URL cut, and leaves the original as it was", function () {
    const root = Object.assign(new Error("upstream https://host.example/v3/SECRETKEY refused"), { code: "ECONNRESET", url: new URL("https://host.example/v3/SECRETKEY") });
    const error = Object.assign(new TypeError("fetch failed", { cause: root }), { details: { tried: ["https://user:pw@host.example/"] } });
    const copy = urlFree(error) as TypeError & { details: { tried: string[] } };
    expect(copy).to.be.instanceOf(TypeError).and.not.equal(error);
    expect(copy.details.tried).to.deep.equal(["https://host.example/…"]);
    const cause = copy.cause as Error & { code: string; url: unknown };
    expect(cause).to.include({ code: "ECONNRESET", message: "upstream https://host.example/… refused" });
    // A URL instance has internal slots a copy lacks, and inspect shows its path apart: its href, cut.
    expect(cause.url).to.equal("https://host.example/…");
    expect(inspect(copy, { depth: 10 })).to.include("[cause]: Error: upstream https://host.example/… refused").and.not.match(/SECRETKEY|user:pw/);
    expect(root.message).to.include("SECRETKEY");
  });

  it("leaves out, naming its class, an object it cannot copy (internal slots) that shows a URL", function () {
    const error = Object.assign(new Error("HTTP request failed."), { headers: new Headers({ location: "https://host.example/v2/SECRETKEY" }) });
    const copy = urlFree(error) as Error & { headers: unknown };
    expect(copy.headers).to.equal("[Headers left out: it shows a URL or a part of one]");
  });

  it("cuts the parts of a URL it shows wherever they show apart from it: a url.parse result spread into a plain object", function () {
    const parsed = { ...url.parse("https://user:secret@node.example/v2/SECRETKEY?key=SECRETQUERY#SECRETHASH") };
    const copy = urlFree(new Error("request failed", { cause: parsed })) as Error;
    expect(copy.cause).to.deep.equal({
      ...parsed,
      auth: "…",
      search: "?…",
      query: "…",
      pathname: "…",
      path: "…?…",
      hash: "#…",
      href: "https://node.example/…",
    });
    expect(inspect(copy, { depth: 10 })).to.not.match(/secret|SECRET/);
  });

  it("leaves out an object it cannot copy that shows a part of a URL shown elsewhere in the value: a Headers, a URLSearchParams", function () {
    const error = Object.assign(new Error("upstream https://node.example/v2/SECRETKEY123?apikey=SECRETQUERY refused"), {
      headers: new Headers({ "x-api-key": "SECRETKEY123" }),
      params: new URLSearchParams({ apikey: "SECRETQUERY" }),
      // What shows none stays as it is.
      response: new Headers({ "content-type": "text/plain" }),
    });
    const copy = urlFree(error) as Error & { headers: unknown; params: unknown; response: unknown };
    expect(copy).to.include({
      headers: "[Headers left out: it shows a URL or a part of one]",
      params: "[URLSearchParams left out: it shows a URL or a part of one]",
      response: error.response,
    });
    expect(inspect(copy, { depth: 10 })).to.not.include("SECRET");
  });

  it("cuts apart from its URL its credentials and its pieces of 10 characters or more, as written and percent-decoded, not shorter ones", function () {
    const error = Object.assign(new Error("upstream https://me:pw@node.example/ethereum/caf%C3%A9-long-key refused"), {
      auth: "me:pw",
      user: "me",
      route: "/ethereum",
      key: "café-long-key",
    });
    expect(urlFree(error)).to.include({ message: "upstream https://node.example/… refused", auth: "…", user: "me", route: "/ethereum", key: "…" });
  });

  it("copies a cycle as a cycle", function () {
    const error = new Error("see https://host.example/v2/SECRETKEY") as Error & { self?: unknown };
    error.self = error;
    const copy = urlFree(error) as Error & { self: unknown };
    expect(copy.self).to.equal(copy);
    expect(copy.message).to.equal("see https://host.example/…");
  });
});
