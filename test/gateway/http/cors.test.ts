import { expect } from "chai";
import { originAllowed, parseCorsOrigins } from "../../../gateway/src/http/cors";

describe("CORS origins", function () {
  it("reads CORS_ORIGINS as '*' or a list", function () {
    expect(parseCorsOrigins(undefined)).to.equal("*");
    expect(parseCorsOrigins(" * ")).to.equal("*");
    expect(parseCorsOrigins("https://a.example, https://b.example,")).to.deep.equal(["https://a.example", "https://b.example"]);
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
