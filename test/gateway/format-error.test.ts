import { expect } from "chai";
import { GraphQLError } from "graphql";
import { shuttingDown, subscriberTooSlow } from "../../gateway/src/errors";
import { formatError } from "../../gateway/src/format-error";
import { createJsonLogger } from "../../gateway/src/logger";

describe("gateway error policy", function () {
  it("answers an unexpected resolver failure as INTERNAL_SERVER_ERROR without details, and logs it", function () {
    const lines: string[] = [];
    const logger = createJsonLogger({ level: "error", write: (line) => lines.push(line) });
    // What graphql-js hands over when a resolver throws something that is not a GraphQLError.
    const thrown = new TypeError("cannot read properties of undefined (reading 'secret/db/path')");
    const error = new GraphQLError(thrown.message, { path: ["provider", "stake"], originalError: thrown });
    const answered = formatError(
      { message: thrown.message, path: ["provider", "stake"], extensions: { code: "INTERNAL_SERVER_ERROR", stacktrace: ["TypeError: ..."] } },
      error,
      logger,
    );
    expect(answered).to.deep.equal({ message: "internal error", locations: undefined, path: ["provider", "stake"], extensions: { code: "INTERNAL_SERVER_ERROR" } });
    expect(lines).to.have.length(1);
    const logged = JSON.parse(lines[0]!) as { level: string; msg: string; path: string[] };
    expect(logged).to.include({ level: "error", msg: "internal error" });
    expect(logged.path).to.deep.equal(["provider", "stake"]);
    expect(lines[0]).to.contain("secret/db/path");
  });

  it("answers a subscription cut off for reading too slowly, or by a shutdown, with its own code, and logs nothing", function () {
    const lines: string[] = [];
    const logger = createJsonLogger({ level: "error", write: (line) => lines.push(line) });
    for (const ended of [subscriberTooSlow(7), shuttingDown()]) {
      // What graphql-ws 6 hands onError when a subscription's stream throws (graphql-js copies the extensions).
      const wrapped = new GraphQLError(ended.message, { originalError: ended });
      expect(formatError(wrapped.toJSON(), wrapped, logger)).to.deep.equal({ message: ended.message, extensions: ended.extensions });
    }
    expect(subscriberTooSlow(7).extensions).to.deep.equal({ code: "SUBSCRIBER_TOO_SLOW", maxQueued: 7 });
    expect(lines).to.deep.equal([]);
  });
});
