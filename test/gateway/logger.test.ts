import { expect } from "chai";
import { createJsonLogger, redactingLogger } from "../../gateway/src/logger";

describe("gateway logger", () => {
  it("redacts the message and every field of a redacting logger and its children, an error's message and cause included", () => {
    const lines: string[] = [];
    const redact = (text: string) => text.split("https://eth.example.org/v2/key123").join("https://eth.example.org/…");
    const logger = redactingLogger(createJsonLogger({ write: (line) => lines.push(line) }), redact).child({ rpc: "https://eth.example.org/v2/key123" });
    const error = new Error("call to https://eth.example.org/v2/key123 failed", { cause: new Error("https://eth.example.org/v2/key123: 503") });
    logger.error("reading https://eth.example.org/v2/key123", { error, block: 7n });
    const record = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(record).to.deep.include({
      msg: "reading https://eth.example.org/…",
      rpc: "https://eth.example.org/…",
      block: "7",
      error: { name: "Error", message: "call to https://eth.example.org/… failed", cause: { name: "Error", message: "https://eth.example.org/…: 503" } },
    });
  });
});
