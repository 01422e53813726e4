// Runs a benchmark script at a tiny size and returns its output: the benchmarks are not timed here (their figures
// are for people), but they must keep running, since nothing else exercises them.
import { execFile } from "node:child_process";
import path from "node:path";

const ROOT = path.resolve(__dirname, "..", "..");

export interface BenchRun {
  code: number;
  output: string;
}

export function runBench(script: string, args: string[], timeoutMs: number): Promise<BenchRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["-r", "ts-node/register/transpile-only", path.join(ROOT, script), ...args],
      { cwd: ROOT, env: { ...process.env, HARDHAT_DISABLE_TELEMETRY_PROMPT: "true", NO_COLOR: "1" }, timeout: timeoutMs, maxBuffer: 16 * 2 ** 20 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === "number" ? error.code : 1;
        resolve({ code, output: `${stdout}${stderr}` });
      },
    );
  });
}

/** The `key=value` figures of the line starting with `prefix ` (e.g. RESULT), or null if there is none. */
export function resultFigures(output: string, prefix: string): Record<string, number> | null {
  const line = output.split("\n").find((l) => l.startsWith(`${prefix} `));
  if (line === undefined) return null;
  const figures: Record<string, number> = {};
  for (const pair of line.slice(prefix.length + 1).trim().split(/\s+/)) {
    const [key, value] = pair.split("=");
    figures[key!] = Number(value);
  }
  return figures;
}
