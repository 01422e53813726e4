// The worker's config file is JSON with `//` and `/* */` comments, so the example can explain itself.
// Comments are replaced by spaces (newlines kept) so JSON.parse reports positions that still match the file.

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
      while (index < text.length && text[index] !== "\n") {
        out += " ";
        index += 1;
      }
    } else if (char === "/" && next === "*") {
      const end = text.indexOf("*/", index + 2);
      const stop = end === -1 ? text.length : end + 2;
      for (; index < stop; index += 1) out += text[index] === "\n" ? "\n" : " ";
    } else {
      out += char;
      index += 1;
    }
  }
  return out;
}

/**
 * JSON.parse's complaint about `error`, without the excerpt of the text V8 quotes in some (`Unexpected token 'a',
 * ..."{"env": a9c6995e99"... is not valid JSON`): the text is a config or deployment file, where that excerpt may be part
 * of an operator key or of an RPC URL's key that no redaction would recognise.
 */
export function jsonSyntaxProblem(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/,? ?(?:\.\.\.)?"[\s\S]*"(?:\.\.\.)? is not valid JSON$/, "");
}
