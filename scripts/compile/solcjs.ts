// Runs the npm solc (WebAssembly) the way Hardhat's own TASK_COMPILE_SOLIDITY_RUN_SOLCJS does, in a child node running
// Hardhat's solcjs-runner.js, but leashed (scripts/devnet/leash.ts): Hardhat's child is a plain execFile that goes on
// compiling for as long as the compile takes after its parent (the devnet, `npx hardhat compile`) is killed with
// SIGKILL, which no handler of the parent sees. Leashed, it ends with its parent however the parent ends.
import { HardhatError } from "hardhat/internal/core/errors";
import { ERRORS } from "hardhat/internal/core/errors-list";
import { spawnLeashed } from "../devnet/leash";

/** Hardhat's script that reads a standard-JSON input on stdin, compiles it with the solc at argv[2], prints the output. */
const SOLCJS_RUNNER = require.resolve("hardhat/internal/solidity/compiler/solcjs-runner.js");

/** Why the solcjs child failed: its exit and the end of what it wrote on stderr. */
export class SolcJsRunError extends Error {
  constructor(
    readonly exit: string,
    readonly stderr: string,
  ) {
    super(`the solcjs compiler child ${exit}${stderr === "" ? "" : `: ${stderr}`}`);
    this.name = "SolcJsRunError";
  }
}

/** Compiles `input` (solc standard JSON) with the solcjs at `solcJsPath`; fails as Hardhat's own does (HH506, SOLCJS_ERROR). */
export async function runSolcJs(input: unknown, solcJsPath: string): Promise<unknown> {
  const { child, spawnFailure } = spawnLeashed(process.execPath, [SOLCJS_RUNNER, solcJsPath], { env: process.env });
  const out: Buffer[] = [];
  let err = "";
  child.stdout.on("data", (chunk: Buffer) => out.push(chunk));
  child.stderr.on("data", (chunk: Buffer) => (err = (err + chunk.toString("utf8")).slice(-4_000)));
  const closed = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code, signal) => resolve({ code, signal }));
  });
  child.stdin.end(JSON.stringify(input));
  let failure: SolcJsRunError | undefined;
  try {
    const { code, signal } = await closed;
    const notStarted = spawnFailure();
    if (notStarted !== undefined) failure = new SolcJsRunError(`could not start (${notStarted.message})`, err.trim());
    else if (code !== 0) failure = new SolcJsRunError(signal === null ? `exited with code ${code}` : `was killed by ${signal}`, err.trim());
  } catch (error) {
    failure = new SolcJsRunError(`could not start (${(error as Error).message})`, "");
  }
  if (failure !== undefined) throw new HardhatError(ERRORS.SOLC.SOLCJS_ERROR, { error: failure.message }, failure);
  try {
    return JSON.parse(Buffer.concat(out).toString("utf8")) as unknown;
  } catch (error) {
    throw new HardhatError(ERRORS.SOLC.SOLCJS_ERROR, { error: `its output is not JSON (${(error as Error).message})` }, error as Error);
  }
}
