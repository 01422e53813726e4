import { expect } from "chai";
import { checksumAddress, decodeIdentifier, parseAddress, parseGpuModel, parseJobId, parseProposalId, parseRegion } from "../../../gateway/src/model/ids";

const CHECKSUMMED = "0x5FbDB2315678afecb367f032d93F642f64180aa3";

describe("identifiers", function () {
  describe("addresses", function () {
    it("accepts the checksummed, lowercase and uppercase forms, as lowercase", function () {
      for (const form of [CHECKSUMMED, CHECKSUMMED.toLowerCase(), "0x" + CHECKSUMMED.slice(2).toUpperCase()]) {
        expect(parseAddress(form, "a")).to.equal(CHECKSUMMED.toLowerCase());
      }
    });

    it("refuses a mixed-case address with a wrong checksum", function () {
      const wrong = CHECKSUMMED.replace("F", "f");
      expect(() => parseAddress(wrong, "provider")).to.throw(/provider: .*checksum/);
    });

    it("refuses what is not 20 bytes of hex", function () {
      for (const bad of ["", "0x", "0x1234", CHECKSUMMED + "00", CHECKSUMMED.slice(2), "0xg" + CHECKSUMMED.slice(3)]) {
        expect(() => parseAddress(bad, "a"), bad).to.throw(/is not an address/);
      }
    });

    it("gives the EIP-55 form back", function () {
      expect(checksumAddress(CHECKSUMMED.toLowerCase())).to.equal(CHECKSUMMED);
      expect(checksumAddress(CHECKSUMMED.toLowerCase())).to.equal(CHECKSUMMED);
    });
  });

  it("normalises GPU model ids and region codes, and refuses other characters or lengths", function () {
    expect(parseGpuModel(" H100-SXM-80GB ", "m")).to.equal("h100-sxm-80gb");
    expect(parseRegion("EU-West", "r")).to.equal("eu-west");
    expect(() => parseGpuModel("h100 sxm", "m")).to.throw(/not a GPU model id/);
    expect(() => parseGpuModel("x".repeat(33), "m")).to.throw(/not a GPU model id/);
    expect(() => parseRegion("a".repeat(17), "r")).to.throw(/not a region code/);
    expect(() => parseRegion("", "r")).to.throw(/not a region code/);
  });

  it("decodes a zero-padded identifier, and zero as any", function () {
    expect(decodeIdentifier("0x" + Buffer.from("eu-west").toString("hex") + "00".repeat(9))).to.equal("eu-west");
    expect(decodeIdentifier("0x" + "00".repeat(32))).to.equal(null);
  });

  it("reads job and proposal ids as decimal integers", function () {
    expect(parseJobId("0042", "id")).to.equal("42");
    for (const bad of ["0", "-1", "1e3", "abc", ""]) expect(() => parseJobId(bad, "id"), bad).to.throw(/not a job id/);
    expect(parseProposalId("0", "id")).to.equal("0");
    expect(() => parseProposalId((2n ** 256n).toString(), "id")).to.throw(/not a proposal id/);
  });
});
