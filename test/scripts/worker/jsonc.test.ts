import { expect } from "chai";
import { JsonDuplicateKeyError, jsonSyntaxError, parseJsonText } from "../../../scripts/worker/jsonc";

// V8's messages that no Node this project runs on gives, but which another V8 may: the position and the wording are
// still the file's and ours, and nothing of the text gets through.
describe("JSON syntax errors from other V8 messages", () => {
  const text = '{\n  "a": 1,\n  "b": secret\n}';

  it("takes a line and column V8 gives without an offset", () => {
    const error = jsonSyntaxError(text, text, "Expected ',' or '}' after property value in JSON (line 3 column 8)");
    expect(error.message).to.equal("not valid JSON at line 3, column 8: expected ',' or '}' after property value");
  });

  it("says only 'unexpected token' for a message that quotes any of the text, and finds the token itself", () => {
    for (const message of [
      `Unexpected token 's', ..."  "b": secret"... is not valid JSON`,
      `Unexpected character "s" in JSON`,
      "Unexpected character 's' in JSON",
      // The excerpt is the file's, whatever it reads like.
      `Unexpected token 's', ..."at position 99"... is not valid JSON`,
      `Unexpected token 's', ..."(line 9 column 99)"... is not valid JSON`,
    ]) {
      const error = jsonSyntaxError(text, text, message);
      expect(error.message, message).to.equal("not valid JSON at line 3, column 8: unexpected token");
    }
  });
});

describe("parseJsonText", () => {
  it("points at a token that no array element or object member can begin with, after empty ones and however deep", () => {
    for (const [text, column] of [
      ['{"a": [1, x]}', 11],
      ["[1, 2, ]", 8],
      ['{"a": [{"b": [ }]}', 16],
      ['[{"a": {"b": x}}]', 14],
      ['{"a": {}, "b": [], "c": x}', 25],
    ] as const) {
      expect(() => parseJsonText(text, { comments: false }), text).to.throw(
        `not valid JSON at line 1, column ${column}: unexpected token`,
      );
    }
  });

  it("refuses a key written twice in one object, however deep and however escaped, at the second, without quoting it", () => {
    for (const [text, column] of [
      ['{"a": 1, "a": 2}', 10],
      ['[{"b": {"c": 1, "d": [], "c": 2}}]', 26],
      ['{"key": 1, "k\\u0065y": 2}', 12],
    ] as const) {
      expect(() => parseJsonText(text, { comments: false }), text).to.throw(
        JsonDuplicateKeyError,
        `ambiguous JSON at line 1, column ${column}: a key written twice in the same object (only the last would count)`,
      );
    }
  });

  it("takes the same key in different objects, and one written in a comment", () => {
    expect(parseJsonText('{"a": {"a": 1}, "b": [{"a": 2}, {"a": 3}] /* "b": 4 */}', { comments: true })).to.deep.equal({
      a: { a: 1 },
      b: [{ a: 2 }, { a: 3 }],
    });
  });

  it("reads a file that starts with a byte-order mark, and counts columns after it as an editor shows them", () => {
    expect(parseJsonText('\uFEFF{ "a": 1 } // saved by Notepad', { comments: true })).to.deep.equal({ a: 1 });
    expect(() => parseJsonText('\uFEFF{ "a": x }', { comments: false })).to.throw("not valid JSON at line 1, column 8: unexpected token");
  });
});
