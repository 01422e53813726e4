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
  it("redacts a URL nested in a field's object or an error inside one, writes a bigint there, and writes an object met again inside itself as [Circular] without throwing", () => {
    const lines: string[] = [];
    const redact = (text: string) => text.split("https://eth.example.org/v2/key123").join("https://eth.example.org/…");
    const logger = redactingLogger(createJsonLogger({ write: (line) => lines.push(line) }), redact);
    const source: Record<string, unknown> = { url: "https://eth.example.org/v2/key123", head: 9n };
    source.self = source;
    const error = new Error("poll failed", { cause: new Error("fetch https://eth.example.org/v2/key123 failed") });
    logger.warn("source down", { source, wrapped: { errors: [error] } });
    expect(lines).to.have.length(1);
    expect(lines[0]).not.to.include("key123");
    expect(JSON.parse(lines[0]!)).to.deep.include({
      source: { url: "https://eth.example.org/…", head: "9", self: "[Circular]" },
      wrapped: { errors: [{ name: "Error", message: "poll failed", cause: { name: "Error", message: "fetch https://eth.example.org/… failed" } }] },
    });
  });

  it("writes a field's objects to a bounded depth, the deeper ones as […]", () => {
    const lines: string[] = [];
    let deep: Record<string, unknown> = { leaf: "x" };
    for (let i = 0; i < 20; i++) deep = { deep };
    createJsonLogger({ write: (line) => lines.push(line) }).info("deep", { deep });
    expect(lines[0]).to.include('"[…]"').and.not.to.include("leaf");
  });
});
