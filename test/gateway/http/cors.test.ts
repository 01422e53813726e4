import { expect } from "chai";
import { originAllowed, parseCorsOrigins } from "../../../gateway/src/http/cors";

describe("CORS origins", function () {
  it("reads CORS_ORIGINS as '*' or a list", function () {
    expect(parseCorsOrigins(undefined)).to.equal("*");
    expect(parseCorsOrigins(" * ")).to.equal("*");
    expect(parseCorsOrigins("https://a.example, https://b.example,")).to.deep.equal(["https://a.example", "https://b.example"]);
  });

  it("allows listed origins and requests without one", function () {
    expect(originAllowed("https://a.example", ["https://a.example"])).to.equal(true);
    expect(originAllowed("https://c.example", ["https://a.example"])).to.equal(false);
    expect(originAllowed(undefined, ["https://a.example"])).to.equal(true);
    expect(originAllowed("https://anything.example", "*")).to.equal(true);
  });
});
