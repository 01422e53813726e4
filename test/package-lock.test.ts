// `npm ci` prints EBADENGINE for each locked package whose engines.node excludes the running Node, and installs it
// anyway: a package that declares a newer Node may call APIs this one lacks, and nothing else would say so.
import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import semver from "semver";

const ROOT = path.resolve(__dirname, "..");

interface LockedPackage {
  version?: string;
  engines?: { node?: string } | string[];
}

function readJson<T>(file: string): T {
  return JSON.parse(fs.readFileSync(path.join(ROOT, file), "utf8")) as T;
}

describe("package-lock.json", function () {
  it("locks no package whose engines.node excludes the running Node or the oldest one package.json supports", function () {
    const supported = readJson<{ engines: { node: string } }>("package.json").engines.node;
    const oldest = semver.minVersion(supported);
    expect(oldest, `package.json engines.node ${supported}`).to.not.equal(null);
    const nodes = [process.versions.node, oldest!.version];
    const { packages } = readJson<{ packages: Record<string, LockedPackage> }>("package-lock.json");
    const excluded: string[] = [];
    for (const [where, pkg] of Object.entries(packages)) {
      // The lockfile keeps an old package's array form as it was published; npm checks only the object form.
      const range = pkg.engines !== undefined && !Array.isArray(pkg.engines) ? pkg.engines.node : undefined;
      if (where === "" || range === undefined) continue;
      // npm's own engine check (npm-install-checks) counts prereleases as in range.
      const misses = nodes.filter((v) => !semver.satisfies(v, range, { includePrerelease: true }));
      if (misses.length !== 0) excluded.push(`${where}@${pkg.version ?? "?"} wants node ${range} (not ${misses.join(", ")})`);
    }
    expect(excluded).to.deep.equal([]);
  });
});
