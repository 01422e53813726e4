import * as fs from "node:fs";
import * as path from "node:path";

/**
 * The repository's root: the nearest directory above this file holding gateway/src/schema.graphql. The same
 * answer whether the gateway runs from its TypeScript sources or compiled elsewhere (dist/), so default paths
 * (schema, dashboard, compiled subgraph) need no copying at build time.
 */
export function repoRoot(from: string = __dirname): string {
  let dir = path.resolve(from);
  for (;;) {
    if (fs.existsSync(path.join(dir, "gateway", "src", "schema.graphql"))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no Latent repository above ${from}`);
    dir = parent;
  }
}
