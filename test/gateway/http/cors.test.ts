import { expect } from "chai";
import { CorsOriginError, originAllowed, parseCorsOrigins } from "../../../gateway/src/http/cors";

describe("CORS origins", function () {
  it("reads CORS_ORIGINS as '*' or a list", function () {
    expect(parseCorsOrigins(undefined)).to.equal("*");
    expect(parseCorsOrigins(" * ")).to.equal("*");
    expect(parseCorsOrigins("https://a.example, https://b.example,")).to.deep.equal(["https://a.example", "https://b.example"]);
  });

  it("stores each listed origin as the Origin a browser sends for it", function () {
    const allowed = parseCorsOrigins("https://App.example/, http://localhost:3000, https://b.example:443");
    expect(allowed).to.deep.equal(["https://app.example", "http://localhost:3000", "https://b.example"]);
    expect(originAllowed("https://app.example", allowed, "gateway.example")).to.equal(true);
  });

  it("refuses an entry that no browser could send as its Origin, naming its position and what it has", function () {
    expect(() => parseCorsOrigins("https://a.example/app")).to.throw(CorsOriginError, /^entry 1 \(https:\/\/a\.example\) is not an origin: it has a path,/);
    expect(() => parseCorsOrigins("https://b.example, a.example")).to.throw(CorsOriginError, /^entry 2 is not an origin: expected http\(s\):\/\/host\[:port\]$/);
    expect(() => parseCorsOrigins("ftp://a.example")).to.throw(CorsOriginError, /^entry 1 is not an origin/);
    expect(() => parseCorsOrigins("https://a.example/?k=1#x")).to.throw(CorsOriginError, /it has a query or fragment,/);
  });

  it("never quotes a refused entry's user name, password, path or query, which may be keys", function () {
    const secrets = ["alice", "s3cr3t", "v2", "KEY123"];
    for (const entry of [
      "alice:s3cr3t@host.example",
      "https://alice:s3cr3t@host.example",
      "https://host.example/v2/KEY123",
      "https://host.example/?key=KEY123",
      "ftp://alice:s3cr3t@host.example/KEY123",
    ]) {
      let message = "";
      try {
        parseCorsOrigins(`https://ok.example,${entry}`);
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message, entry).to.match(/^entry 2 /);
      for (const secret of secrets) expect(message, entry).to.not.include(secret);
    }
  });

  it("allows listed origins and requests without one", function () {
    expect(originAllowed("https://a.example", ["https://a.example"], "gateway.example")).to.equal(true);
    expect(originAllowed("https://c.example", ["https://a.example"], "gateway.example")).to.equal(false);
    expect(originAllowed(undefined, ["https://a.example"], "gateway.example")).to.equal(true);
    expect(originAllowed("https://anything.example", "*", "gateway.example")).to.equal(true);
  });

  it("allows pages of the gateway's own origin whatever the list", function () {
    expect(originAllowed("http://127.0.0.1:4000", ["https://a.example"], "127.0.0.1:4000")).to.equal(true);
    expect(originAllowed("https://Gateway.example", [], "gateway.example")).to.equal(true);
    expect(originAllowed("http://127.0.0.1:4001", ["https://a.example"], "127.0.0.1:4000")).to.equal(false);
    expect(originAllowed("null", [], "127.0.0.1:4000")).to.equal(false);
    expect(originAllowed("http://127.0.0.1:4000", [], undefined)).to.equal(false);
  });
});
