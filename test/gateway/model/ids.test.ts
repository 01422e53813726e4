import { expect } from "chai";
import type { GraphQLError } from "graphql";
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

    it("names the address it refuses in extensions.value, as written, whether malformed or of a wrong checksum", function () {
      for (const bad of ["0x1234", CHECKSUMMED.replace("F", "f")]) {
        let refused: unknown;
        try {
          parseAddress(bad, "filter.client");
        } catch (error) {
          refused = error;
        }
        expect((refused as GraphQLError).extensions, bad).to.deep.equal({ code: "BAD_USER_INPUT", argument: "filter.client", value: bad });
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

  it("names the GPU model id or region code it refuses in extensions.value, as written", function () {
    for (const [parse, bad] of [[parseGpuModel, "h100 sxm"], [parseRegion, "a".repeat(17)]] as const) {
      let refused: unknown;
      try {
        parse(bad, "filter.gpuModels[0]");
      } catch (error) {
        refused = error;
      }
      expect((refused as GraphQLError).extensions, bad).to.deep.equal({ code: "BAD_USER_INPUT", argument: "filter.gpuModels[0]", value: bad });
    }
  });

  it("decodes a zero-padded identifier, and zero as any", function () {
    expect(decodeIdentifier("0x" + Buffer.from("eu-west").toString("hex") + "00".repeat(9))).to.equal("eu-west");
    expect(decodeIdentifier("0x" + "00".repeat(32))).to.equal(null);
  });

  it("reads job and proposal ids in canonical decimal", function () {
    expect(parseJobId("42", "id")).to.equal("42");
    expect(parseJobId((2n ** 256n - 1n).toString(), "id")).to.equal((2n ** 256n - 1n).toString());
    expect(parseProposalId("0", "id")).to.equal("0");
    expect(parseProposalId("7", "id")).to.equal("7");
  });

  const NON_CANONICAL: [string, string][] = [
    ["a leading zero", "01"],
    ["leading zeros", "0042"],
    ["a plus sign", "+1"],
    ["a minus sign", "-1"],
    ["a leading space", " 1"],
    ["a trailing newline", "1\n"],
    ["an exponent", "1e0"],
    ["hex", "0x1"],
    ["a fraction", "1.0"],
    ["digit separators", "1_000"],
    ["non-ASCII digits", "\u0661"],
    ["nothing", ""],
    ["a number past uint256", (2n ** 256n).toString()],
    ["a very long digit string", "1".repeat(100)],
  ];

  for (const [what, value] of NON_CANONICAL) {
    it(`refuses a job id with ${what} with BAD_USER_INPUT naming the argument and the value`, function () {
      expect(() => parseJobId(value, "filter.jobId"))
        .to.throw(/^filter\.jobId: .* is not a job id/s)
        .with.property("extensions")
        .that.deep.equals({ code: "BAD_USER_INPUT", argument: "filter.jobId", value });
    });
  }

  it("refuses job 0, which JobEscrow never numbers", function () {
    expect(() => parseJobId("0", "id")).to.throw(/not a job id/).with.nested.property("extensions.value", "0");
  });

  it("refuses a non-canonical proposal id with BAD_USER_INPUT naming the argument and the value", function () {
    for (const value of ["00", "01", "+1", " 1", "1e0", "0x1", (2n ** 256n).toString()]) {
      expect(() => parseProposalId(value, "id"), value)
        .to.throw(/^id: .* is not a proposal id/)
        .with.property("extensions")
        .that.deep.equals({ code: "BAD_USER_INPUT", argument: "id", value });
    }
  });
});
