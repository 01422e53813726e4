// Making a directory the user named (the devnet's data directory, the worker's results and work directories).
import * as fs from "node:fs";
import * as path from "node:path";

/**
 * mkdir -p, one level at a time: Node's own `mkdir(dir, { recursive: true })`, sync or not, never returns where mkdir
 * answers ENOENT under a parent that exists (/proc/x, /proc/1/x: it makes the parent again and retries, forever; the
 * synchronous one in a loop that not even Ctrl-C breaks). Here that ENOENT is thrown like any other refusal, as is a
 * file in the way (EEXIST, its `path` the one asked for).
 */
export function makeDirectory(dir: string): void {
  const missing: string[] = [];
  for (let p = path.resolve(dir); !fs.existsSync(p); p = path.dirname(p)) {
    missing.unshift(p);
    if (path.dirname(p) === p) break;
  }
  for (const p of missing) {
    try {
      fs.mkdirSync(p);
    } catch (error) {
      // Made meanwhile (another process making a sibling): a file there is caught below.
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
  }
  if (!fs.statSync(dir).isDirectory()) throw Object.assign(new Error(`${dir} is not a directory`), { code: "EEXIST", path: dir });
}
