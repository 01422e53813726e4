// The worker's config file is JSON with `//` and `/* */` comments, so the example can explain itself.
// Comments are replaced by spaces (line ends kept) so JSON.parse reports positions that still match the file.

/** Throws JsonSyntaxError, at its `/*`, for a comment never closed. */
export function stripJsonComments(text: string): string {
  let out = "";
  let index = 0;
  let inString = false;
  while (index < text.length) {
    const char = text[index];
    const next = text[index + 1];
    if (inString) {
      out += char;
      if (char === "\\" && index + 1 < text.length) {
        out += next;
        index += 2;
        continue;
      }
      if (char === '"') inString = false;
      index += 1;
      continue;
    }
    if (char === '"') {
      inString = true;
      out += char;
      index += 1;
    } else if (char === "/" && next === "/") {
      // Up to `\r` too, where a line ends in a file saved with lone-CR (old Mac) line ends as well as CRLF ones.
      while (index < text.length && text[index] !== "\n" && text[index] !== "\r") {
        out += " ";
        index += 1;
      }
    } else if (char === "/" && next === "*") {
      const end = text.indexOf("*/", index + 2);
      // Blanked to the end, the file would read as complete (or end too early, far from the cause).
      if (end === -1) throw located(text, index, "unterminated comment");
      for (; index < end + 2; index += 1) out += text[index] === "\n" || text[index] === "\r" ? text[index] : " ";
    } else {
      out += char;
      index += 1;
    }
  }
  return out;
}

/**
 * A config or deployment file that is not JSON: where (1-based; a line ends at `\n`, `\r\n` or `\r`, the line ends
 * JSON allows, and a column counts UTF-16 code units) and what, never quoting the text, which may hold an operator key
 * or an RPC URL's key that no redaction would recognise.
 */
export class JsonSyntaxError extends Error {
  constructor(
    readonly line: number,
    readonly column: number,
    readonly problem: string,
  ) {
    super(`not valid JSON at line ${line}, column ${column}: ${problem}`);
    this.name = "JsonSyntaxError";
  }
}

/** Valid JSON by the grammar, but with a key written twice in one object, of which JSON.parse keeps the last. */
export class JsonDuplicateKeyError extends JsonSyntaxError {
  constructor(line: number, column: number) {
    super(line, column, "a key written twice in the same object");
    this.message = `ambiguous JSON at line ${line}, column ${column}: a key written twice in the same object (only the last would count)`;
    this.name = "JsonDuplicateKeyError";
  }
}

/**
 * JSON.parse of a file's text, `comments` allowing `//` and `/* *\/` (the worker config). Throws JsonSyntaxError in
 * place of V8's SyntaxError, which quotes up to 10 characters either side of an unexpected token, and
 * JsonDuplicateKeyError (a JsonSyntaxError) for a key written twice in one object.
 */
export function parseJsonText(file: string, options: { comments: boolean }): unknown {
  // A byte-order mark (editors on Windows write one) is no part of the JSON, and no column an editor shows.
  const text = file.startsWith("\uFEFF") ? file.slice(1) : file;
  // Stripping keeps every offset, so V8's positions in the stripped text are positions in the file.
  const source = options.comments ? stripJsonComments(text) : text;
  let value: unknown;
  try {
    value = JSON.parse(source);
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    throw jsonSyntaxError(text, source, error.message);
  }
  // JSON.parse keeps the last of a key written twice in one object, silently: in a copy of the example, which sets
  // every field, a value added further down would win over the one edited in place, or lose to one left below it.
  const duplicate = scanJson(source, true);
  if (duplicate !== undefined) {
    const { line, column } = located(text, duplicate, "");
    throw new JsonDuplicateKeyError(line, column);
  }
  return value;
}

/**
 * What V8's `message` says is wrong with `source` (`text` with its comments blanked), as our message says it: its
 * phrase without position and without any excerpt of the text, at a line and column of `text`.
 */
export function jsonSyntaxError(text: string, source: string, message: string): JsonSyntaxError {
  const phrase = message.replace(/(?: in JSON)?(?: at position \d+)?(?: \(line \d+ column \d+\))?$/, "");
  // `Unexpected token 'a', ..."…"... is not valid JSON` and `"NaN" is not valid JSON` quote the text; a phrase with
  // a quote in it we do not know is taken for one of those too, so that no future message can leak a key here.
  const quotesText = /^Unexpected token\b|"|'[^'[\]{},:]'/.test(phrase);
  const problem = quotesText ? "unexpected token" : phrase.charAt(0).toLowerCase() + phrase.slice(1);
  // Anchored at the end: an excerpt of the text could read "at position 12" too, which is then no position of V8's.
  const position = / at position (\d+)(?: \(line \d+ column \d+\))?$/.exec(message);
  const lineColumn = / \(line (\d+) column (\d+)\)$/.exec(message);
  if (position) return located(text, Number(position[1]), problem);
  // Node 20 and 22 give the offset wherever they give a line; should a V8 give the line alone, it counts as we do.
  if (lineColumn) return new JsonSyntaxError(Number(lineColumn[1]), Number(lineColumn[2]), problem);
  // V8 gives no position for an unexpected token (only its excerpt) nor for the end of the input.
  return located(text, /^Unexpected end of JSON input/.test(message) ? text.length : (scanJson(source, false) ?? source.length), problem);
}

function located(text: string, offset: number, problem: string): JsonSyntaxError {
  let line = 1;
  let lineStart = 0;
  for (let index = 0; index < offset && index < text.length; index += 1) {
    const char = text[index];
    if (char === "\n" || (char === "\r" && text[index + 1] !== "\n")) {
      line += 1;
      lineStart = index + 1;
    }
  }
  return new JsonSyntaxError(line, Math.min(offset, text.length) - lineStart + 1, problem);
}

class StopAt {
  constructor(readonly offset: number) {}
}

const WHITESPACE = new Set([" ", "\t", "\n", "\r"]);
const ESCAPES = new Set(['"', "\\", "/", "b", "f", "n", "r", "t"]);
const HEX_DIGIT = /^[0-9a-fA-F]$/;
const DIGIT = /^[0-9]$/;

/**
 * `duplicates` false: the offset where a strict JSON parser first cannot go on in `source` (of the first character no
 * JSON continues with, or the end when it ends too early), which is where V8 finds the unexpected token it reports
 * without one; called on text JSON.parse refused, it gives undefined should it find nothing wrong.
 * `duplicates` true: the offset of the second of the first key written twice in one object, called on text JSON.parse
 * took; undefined when there is none. The key is not returned: it is quoted nowhere (it may be a key pasted as a name).
 */
function scanJson(source: string, duplicates: boolean): number | undefined {
  let at = 0;
  const stop = (): never => {
    throw new StopAt(at);
  };
  const peek = (): string | undefined => (at < source.length ? source[at] : undefined);
  const expect = (char: string): void => {
    if (peek() !== char) stop();
    at += 1;
  };
  const space = (): void => {
    while (at < source.length && WHITESPACE.has(source[at])) at += 1;
  };
  const digits = (): void => {
    if (!DIGIT.test(peek() ?? "")) stop();
    while (DIGIT.test(peek() ?? "")) at += 1;
  };
  const string = (): void => {
    expect('"');
    for (;;) {
      const char = peek();
      if (char === undefined || char < " ") stop();
      at += 1;
      if (char === '"') return;
      if (char !== "\\") continue;
      const escape = peek();
      if (escape === "u") {
        at += 1;
        for (let count = 0; count < 4; count += 1) {
          if (!HEX_DIGIT.test(peek() ?? "")) stop();
          at += 1;
        }
      } else if (escape !== undefined && ESCAPES.has(escape)) {
        at += 1;
      } else {
        stop();
      }
    }
  };
  const number = (): void => {
    if (peek() === "-") at += 1;
    if (peek() === "0") at += 1;
    else digits();
    if (peek() === ".") {
      at += 1;
      digits();
    }
    if (peek() === "e" || peek() === "E") {
      at += 1;
      if (peek() === "+" || peek() === "-") at += 1;
      digits();
    }
  };
  const value = (): void => {
    space();
    const char = peek();
    if (char === "{" || char === "[") {
      // An object and an array differ only in their closing bracket and in the `"key":` before each member's value.
      const close = char === "{" ? "}" : "]";
      at += 1;
      space();
      if (peek() === close) {
        at += 1;
        return;
      }
      const keys = new Set<string>();
      for (;;) {
        if (close === "}") {
          space();
          const keyAt = at;
          string();
          if (duplicates) {
            const key = JSON.parse(source.slice(keyAt, at)) as string;
            if (keys.has(key)) throw new StopAt(keyAt);
            keys.add(key);
          }
          space();
          expect(":");
        }
        value();
        space();
        if (peek() !== ",") return expect(close);
        at += 1;
      }
    }
    if (char === '"') return string();
    if (char === "-" || DIGIT.test(char ?? "")) return number();
    const word = ["true", "false", "null"].find((literal) => literal[0] === char);
    if (word === undefined) stop();
    else for (const letter of word) expect(letter);
  };
  try {
    value();
    space();
    return duplicates || at === source.length ? undefined : at;
  } catch (error) {
    if (error instanceof StopAt) return error.offset;
    throw error;
  }
}
