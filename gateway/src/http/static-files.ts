// The dashboard page (gateway/dashboard/, written separately) is served at / by the same server.
import * as fs from "node:fs";
import * as path from "node:path";
import type { ServerResponse } from "node:http";
import { pipeline } from "node:stream/promises";

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
};

/**
 * Serves `urlPath` from `root` ("/" is index.html). Returns false when there is no such file. Resolves once the file is
 * sent, or once its response closed before that (the client left, or the stop dropped its connection): the file is
 * closed then, rather than held open for a response that will never drain.
 */
export async function serveStatic(root: string, urlPath: string, res: ServerResponse, headOnly: boolean): Promise<boolean> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return false;
  }
  const relative = decoded === "/" ? "index.html" : decoded.replace(/^\/+/, "");
  const file = path.resolve(root, relative);
  // No escaping the directory (../, absolute paths, symlinked names resolve inside or are refused).
  if (file !== path.resolve(root) && !file.startsWith(path.resolve(root) + path.sep)) return false;
  let stat: fs.Stats;
  try {
    stat = await fs.promises.stat(file);
  } catch {
    return false;
  }
  if (!stat.isFile()) return false;
  res.writeHead(200, {
    "content-type": CONTENT_TYPES[path.extname(file).toLowerCase()] ?? "application/octet-stream",
    "content-length": stat.size,
    "cache-control": "no-cache",
  });
  if (headOnly) {
    res.end();
    return true;
  }
  try {
    await pipeline(fs.createReadStream(file), res);
  } catch (error) {
    // Nobody is left to tell: its headers are sent, and its connection is gone.
    if (!isPrematureClose(error)) throw error;
  }
  return true;
}

/** How pipeline says the response closed before the whole file was written to it. */
function isPrematureClose(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | null)?.code === "ERR_STREAM_PREMATURE_CLOSE";
}
