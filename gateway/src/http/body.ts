import type { IncomingMessage } from "node:http";
import { HttpRefusal } from "./refusal";

/** A body refused: over the size limit (413). */
export class BodyError extends HttpRefusal {
  constructor(status: number, message: string) {
    super(status, message);
    this.name = "BodyError";
  }
}

/** The request body as text, refused (413) beyond `maxBytes` so one request cannot take the memory. */
export async function readBody(req: IncomingMessage, maxBytes: number): Promise<string> {
  const declared = Number(req.headers["content-length"] ?? 0);
  if (declared > maxBytes) throw new BodyError(413, `request body over ${maxBytes} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > maxBytes) throw new BodyError(413, `request body over ${maxBytes} bytes`);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}
