import { expect } from "chai";
import { ShortIdError, decodeShortId, encodeShortId } from "../../../scripts/worker/ids";

describe("short ids", () => {
  it("encodes a model id left-aligned and zero padded to 32 bytes", () => {
    expect(encodeShortId("rtx-4090-24gb", 32)).to.equal(
      `0x${Buffer.from("rtx-4090-24gb").toString("hex")}${"00".repeat(19)}`,
    );
  });

  it("decodes what it encodes", () => {
    expect(decodeShortId(encodeShortId("eu-west", 16), 16)).to.equal("eu-west");
  });

  it("decodes the zero word as no requirement", () => {
    expect(decodeShortId(`0x${"00".repeat(32)}`, 32)).to.equal(null);
  });

  it("refuses to encode uppercase or overlong ids", () => {
    expect(() => encodeShortId("RTX", 32)).to.throw(ShortIdError);
    expect(() => encodeShortId("a".repeat(17), 16)).to.throw(ShortIdError);
  });

  it("refuses a word with bytes after its first zero byte", () => {
    const word = `0x61006200${"00".repeat(28)}`;
    expect(() => decodeShortId(word, 32)).to.throw(ShortIdError, "non-zero bytes after its first zero byte");
  });
});
