// `npx hardhat node` as a child process of a test, on a port the system gives it: the test reads the port from the
// URL the node prints, as `npm start -- --chain-port 0` learns its own, so that no other process can take it between
// a port found free and the node binding it.
import { spawn, type ChildProcess } from "node:child_process";
import * as path from "node:path";
import { waitUntil } from "./wait";

const REPO = path.resolve(__dirname, "..", "..");

export interface HardhatNode {
  node: ChildProcess;
  /** http://127.0.0.1:<the port it listens on> */
  url: string;
}

/** Starts `hardhat node` on 127.0.0.1, port 0, and resolves with the URL it prints once it listens; fails at once if it exits first. */
export async function startHardhatNode(timeoutMs: number): Promise<HardhatNode> {
  const node = spawn(path.join(REPO, "node_modules", ".bin", "hardhat"), ["node", "--hostname", "127.0.0.1", "--port", "0"], {
    cwd: REPO,
    // NO_COLOR: the URL line is read as text.
    env: { ...process.env, HARDHAT_DISABLE_TELEMETRY_PROMPT: "true", NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "ignore"],
  });
  let printed = "";
  let url: string | undefined;
  // Read to the end, not only to the line: the node logs every call on stdout, and a full pipe would stop it.
  node.stdout!.on("data", (chunk: Buffer) => {
    if (url !== undefined) return;
    printed += chunk.toString();
    url = /JSON-RPC server at (http:\/\/127\.0\.0\.1:\d+)\//.exec(printed)?.[1];
  });
  try {
    await waitUntil(
      () => {
        if (node.exitCode !== null) throw new Error(`hardhat node exited with code ${node.exitCode}: ${printed}`);
        return url !== undefined;
      },
      "the hardhat node prints the URL it listens on",
      { timeoutMs, intervalMs: 100 },
    );
  } catch (error) {
    if (node.exitCode === null) node.kill();
    throw error;
  }
  return { node, url: url! };
}
