import { expect } from "chai";
import { GraphQLError, Kind } from "graphql";
import { AddressScalar, BigIntScalar, BytesScalar, TimestampScalar } from "../../../gateway/src/schema/scalars";

function code(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return (error as GraphQLError).extensions.code;
  }
  return null;
}

describe("scalars", function () {
  it("BigInt: decimal strings of any size in and out, nothing negative or fractional", function () {
    expect(BigIntScalar.parseValue("123456789012345678901234567890")).to.equal(123456789012345678901234567890n);
    expect(BigIntScalar.parseLiteral({ kind: Kind.INT, value: "42" })).to.equal(42n);
    expect(BigIntScalar.serialize(2n ** 200n)).to.equal((2n ** 200n).toString());
    for (const bad of ["-1", "1.5", "0x10", "", 1.5, (2n ** 256n).toString()]) expect(code(() => BigIntScalar.parseValue(bad)), String(bad)).to.equal("BAD_USER_INPUT");
  });

  it("Address: parsed lowercase, answered checksummed, malformed refused", function () {
    expect(AddressScalar.parseValue("0x5FbDB2315678afecb367f032d93F642f64180aa3")).to.equal("0x5fbdb2315678afecb367f032d93f642f64180aa3");
    expect(AddressScalar.serialize("0x5fbdb2315678afecb367f032d93f642f64180aa3")).to.equal("0x5FbDB2315678afecb367f032d93F642f64180aa3");
    expect(code(() => AddressScalar.parseValue("0x5FbDB2315678afecb367f032d93F642f64180aA3"))).to.equal("BAD_USER_INPUT");
    expect(code(() => AddressScalar.parseLiteral({ kind: Kind.INT, value: "1" }))).to.equal("BAD_USER_INPUT");
  });

  it("Timestamp: unix seconds past 2^31, as numbers", function () {
    expect(TimestampScalar.serialize("4102444800")).to.equal(4_102_444_800);
    expect(TimestampScalar.parseValue(4_102_444_800)).to.equal(4_102_444_800);
    expect(code(() => TimestampScalar.parseValue(-5))).to.equal("BAD_USER_INPUT");
  });

  it("Timestamp: refuses a time in milliseconds (past the year 9999), naming the largest it takes", function () {
    const ms = 1_750_000_000_000;
    for (const sent of [ms, String(ms)]) {
      let refused: unknown;
      try {
        TimestampScalar.parseValue(sent);
      } catch (error) {
        refused = error;
      }
      expect((refused as GraphQLError).extensions, String(sent)).to.deep.equal({ code: "BAD_USER_INPUT", scalar: "Timestamp", value: sent, maximum: 253_402_300_799 });
      expect((refused as GraphQLError).message).to.contain("not milliseconds");
    }
    expect(TimestampScalar.parseValue(253_402_300_799)).to.equal(253_402_300_799);
  });

  it("Bytes: 0x hex with whole bytes", function () {
    expect(BytesScalar.parseValue("0xABcd")).to.equal("0xabcd");
    expect(code(() => BytesScalar.parseValue("0xabc"))).to.equal("BAD_USER_INPUT");
  });

  it("names the value each scalar refuses in extensions.value, as sent (a literal: its JSON value)", function () {
    const refusals: [string, () => unknown, unknown][] = [
      ["BigInt", () => BigIntScalar.parseValue("-1"), "-1"],
      ["BigInt", () => BigIntScalar.parseLiteral({ kind: Kind.BOOLEAN, value: true }), true],
      ["Address", () => AddressScalar.parseValue("0x1234"), "0x1234"],
      ["Address", () => AddressScalar.parseValue("0x5FbDB2315678afecb367f032d93F642f64180aA3"), "0x5FbDB2315678afecb367f032d93F642f64180aA3"],
      ["Address", () => AddressScalar.parseValue(7), 7],
      ["Timestamp", () => TimestampScalar.parseValue(-5), -5],
      ["Bytes", () => BytesScalar.parseValue("0xabc"), "0xabc"],
    ];
    for (const [scalar, run, value] of refusals) {
      let refused: unknown;
      try {
        run();
      } catch (error) {
        refused = error;
      }
      expect((refused as GraphQLError).extensions, `${scalar} ${String(value)}`).to.deep.equal({ code: "BAD_USER_INPUT", scalar, value });
    }
  });
});
