// Child processes of the gateway benchmark: the chain (a Hardhat node, scripts/bench/local-chain-server.ts) and the
// gateway under test (serve.ts), each in its own process so that each gets a core and its own memory figures.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

export const REPO_ROOT = path.resolve(__dirname, "..", "..");

export interface Child {
  process: ChildProcess;
  stop(): Promise<void>;
}

/** Starts a TypeScript entry point under ts-node; resolves with the first stdout line matching `ready`. */
export function startTsChild(script: string, args: string[], ready: RegExp): Promise<Child & { match: RegExpExecArray }> {
  return startNodeChild(["-r", "ts-node/register/transpile-only", script, ...args], ready, { TS_NODE_TRANSPILE_ONLY: "true" });
}

/** Starts `node <args>`; resolves with the first stdout line matching `ready`. */
export async function startNodeChild(
  args: string[],
  ready: RegExp,
  env: Record<string, string> = {},
): Promise<Child & { match: RegExpExecArray }> {
  const script = args.find((a) => a.endsWith(".ts") || a.endsWith(".js")) ?? "node";
  const child = spawn(process.execPath, args, {
    cwd: REPO_ROOT,
    env: { ...process.env, HARDHAT_DISABLE_TELEMETRY_PROMPT: "true", ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const match = await new Promise<RegExpExecArray>((resolve, reject) => {
    let buffer = "";
    const onData = (chunk: Buffer) => {
      buffer += chunk.toString();
      const found = ready.exec(buffer);
      if (found !== null) {
        child.stdout?.off("data", onData);
        child.stdout?.resume();
        resolve(found);
      }
    };
    child.stdout?.on("data", onData);
    child.once("exit", (code) => reject(new Error(`${path.basename(script)} exited with ${code} before it was ready`)));
  });
  return {
    process: child,
    match,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
        setTimeout(() => child.kill("SIGKILL"), 10_000).unref();
      }),
  };
}

/** Peak resident set size of a process (Linux: VmHWM), in MB. */
export function peakRssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  const match = /VmHWM:\s+(\d+) kB/.exec(status);
  if (match?.[1] === undefined) throw new Error(`no VmHWM for process ${pid}`);
  return Number(match[1]) / 1024;
}

/** Compiles the gateway to dist/ (npm run gateway:build) and returns the path of the compiled `relative` file. */
export function buildGateway(relative: string): string {
  execFileSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", path.join(REPO_ROOT, "gateway", "tsconfig.build.json")], {
    cwd: REPO_ROOT,
    stdio: "inherit",
  });
  return path.join(REPO_ROOT, "dist", relative.replace(/\.ts$/, ".js"));
}
