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

  it("refuses an entry that no browser could send as its Origin, naming it", function () {
    expect(() => parseCorsOrigins("https://a.example/app")).to.throw(CorsOriginError, '"https://a.example/app" is not an origin');
    expect(() => parseCorsOrigins("a.example")).to.throw(CorsOriginError, '"a.example" is not an origin: expected http(s)://host[:port]');
    expect(() => parseCorsOrigins("ftp://a.example")).to.throw(CorsOriginError, '"ftp://a.example" is not an origin');
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
