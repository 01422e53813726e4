// The dashboard page (gateway/dashboard/, written separately) is served at / by the same server.
import * as fs from "node:fs";
import * as path from "node:path";
import type { ServerResponse } from "node:http";

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

/** Serves `urlPath` from `root` ("/" is index.html). Returns false when there is no such file. */
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
  await new Promise<void>((resolve, reject) => {
    fs.createReadStream(file).on("error", reject).pipe(res).on("finish", resolve).on("error", reject);
  });
  return true;
}
