// urlFree: an error (or any value) as util.inspect shows it, with every URL cut, the rest kept.
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
    expect(copy.headers).to.equal("[Headers left out: it shows a URL]");
  });

  it("copies a cycle as a cycle", function () {
    const error = new Error("see https://host.example/v2/SECRETKEY") as Error & { self?: unknown };
    error.self = error;
    const copy = urlFree(error) as Error & { self: unknown };
    expect(copy.self).to.equal(copy);
    expect(copy.message).to.equal("see https://host.example/…");
  });
});
