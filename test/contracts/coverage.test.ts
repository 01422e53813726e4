// `npm run coverage` must keep working and keep contracts/ at >= 95% of lines. It instruments the contracts and
// rewrites artifacts/ and typechain-types/ with the instrumented build, so it runs in a scratch copy of the
// repository (sharing node_modules), never in the checkout this suite is running from.
import { expect } from "chai";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..", "..");
/** What a copy needs no more of: build output, data, dependencies (linked instead). */
const NOT_COPIED = new Set(["node_modules", ".git", "artifacts", "cache", "typechain-types", "coverage", "coverage.json", ".data", "dist"]);

interface IstanbulFile {
  l: Record<string, number>;
}

function run(cwd: string, args: string[]): Promise<{ code: number; output: string }> {
  // The coverage task refuses any network option, HARDHAT_NETWORK (set by the `hardhat test` running this) included.
  const env: NodeJS.ProcessEnv = { ...process.env, HARDHAT_DISABLE_TELEMETRY_PROMPT: "true", NO_COLOR: "1" };
  delete env.HARDHAT_NETWORK;
  return new Promise((resolve) => {
    execFile(
      path.join(cwd, "node_modules", ".bin", "hardhat"),
      args,
      { cwd, env, timeout: 600_000, maxBuffer: 64 * 2 ** 20 },
      (error, stdout, stderr) => resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : 1, output: `${stdout}${stderr}` }),
    );
  });
}

describe("npm run coverage", function () {
  this.timeout(660_000);
  let scratch: string;

  before(function () {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), "latent-coverage-"));
    for (const entry of fs.readdirSync(ROOT)) {
      if (NOT_COPIED.has(entry)) continue;
      fs.cpSync(path.join(ROOT, entry), path.join(scratch, entry), { recursive: true });
    }
    fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(scratch, "node_modules"), "dir");
  });

  after(function () {
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  it("instruments the contracts, runs their tests and covers at least 95% of the lines in contracts/", async function () {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> };
    const args = pkg.scripts.coverage!.replace(/^hardhat /, "").match(/'[^']*'|\S+/g)!.map((a) => a.replace(/^'|'$/g, ""));
    const result = await run(scratch, args);
    expect(result.code, result.output.slice(-4000)).to.equal(0);
    const report = JSON.parse(fs.readFileSync(path.join(scratch, "coverage.json"), "utf8")) as Record<string, IstanbulFile>;
    let lines = 0;
    let covered = 0;
    for (const [file, data] of Object.entries(report)) {
      if (!path.relative(path.join(scratch, "contracts"), path.resolve(scratch, file)).startsWith("..")) {
        for (const hits of Object.values(data.l)) {
          lines++;
          if (hits > 0) covered++;
        }
      }
    }
    expect(lines, "lines counted in contracts/").to.be.greaterThan(500);
    expect(covered / lines, `${covered} of ${lines} lines covered`).to.be.at.least(0.95);
  });
});
