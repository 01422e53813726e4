/**
 * `npm start [-- options]`: the one-command devnet. Builds what is missing (contracts, subgraph), serves a fresh
 * Hardhat Network on 127.0.0.1:8545, deploys Latent, seeds a demo network through the scenario driver, and runs the
 * gateway (GraphQL, subscriptions, dashboard) on 127.0.0.1:4000 over the embedded indexer; then prints the URLs,
 * the accounts and a worker config, and runs until Ctrl-C (or SIGTERM/SIGHUP), which stops the gateway and its
 * indexer, then the chain, and exits 0. `--rpc-url` uses an existing chain instead. `npm start -- --help` lists
 * the options (scripts/devnet/options.ts).
 *
 * Two started at once (each with its own --data-dir and ports) build the checkout one after the other
 * (devnet/instance.ts, claimBuildLock): the second waits, then finds the contracts and the subgraph up to date.
 *
 * Everything runs in this one process (the chain is served from here, the indexer is a worker thread), so nothing
 * can outlive it; the only child is `npm run subgraph:build` on a fresh clone, leashed to it (devnet/leash.ts): it
 * ends with this process even when that is killed with SIGKILL.
 */
import { DevnetError, UsageError } from "./devnet/errors";
import { Lifecycle, StoppingError } from "./devnet/lifecycle";
import { USAGE, parseDevnetOptions, startHeadline } from "./devnet/options";
import type { DevnetOptions } from "./devnet/options";
import { BUILD_LOCK_FILE, claimBuildLock, claimDataDir } from "./devnet/instance";
import { assertPortFree } from "./devnet/ports";
import { Progress } from "./devnet/progress";
import { buildSubgraphIfNeeded, compileContracts } from "./devnet/build";
import { redactUrlsIn, urlRedactor } from "../subgraph/indexer/redact";

async function start(options: DevnetOptions, progress: Progress, lifecycle: Lifecycle): Promise<void> {
  progress.line(startHeadline(options));
  await assertPortFree(options.host, options.port, "the gateway", "--port");
  if (options.rpcUrl === undefined) await assertPortFree(options.host, options.chainPort, "the local chain", "--chain-port");
  // Released on any exit, however it happens (a pid file of a process that is gone is taken over anyway).
  process.once("exit", claimDataDir(options.dataDir));

  // The local chain is Hardhat Network in this process; a HARDHAT_NETWORK from the shell must not redirect it.
  delete process.env.HARDHAT_NETWORK;
  const hre = await import("hardhat");
  const releaseBuild = await claimBuildLock(BUILD_LOCK_FILE, {
    onWait: (holder) => progress.status("build", `waiting for another npm start (pid ${holder}) to finish building this checkout...`),
    throwIfStopping: () => lifecycle.throwIfStopping(),
  });
  process.once("exit", releaseBuild);
  try {
    await compileContracts(hre, progress);
    lifecycle.throwIfStopping();
    await buildSubgraphIfNeeded(progress, lifecycle);
    lifecycle.throwIfStopping();
  } finally {
    releaseBuild();
  }
  // Imported only now: it needs the contracts' typings that the compilation writes on a fresh clone.
  const { runDevnet } = await import("./devnet/devnet");
  await runDevnet(hre, options, progress, lifecycle);
}

function main(): void {
  let options: DevnetOptions | "help";
  try {
    options = parseDevnetOptions(process.argv.slice(2), process.cwd(), process.env);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`npm start: ${error.message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (options === "help") {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  // --rpc-url's path, query and credentials may be an API key: hidden in everything printed (the gateway's and the
  // indexer's errors on stderr come through its redacting logger, as does the log file).
  const redact = options.rpcUrl === undefined ? (text: string) => text : urlRedactor([{ url: options.rpcUrl }]);
  const progress = new Progress({ write: (text) => process.stdout.write(redact(text)) });
  const lifecycle = new Lifecycle({ log: (line) => progress.line(line), exit: (code) => process.exit(code) });
  lifecycle.handleSignals();
  start(options, progress, lifecycle).catch((error: unknown) => {
    // A step interrupted by Ctrl-C fails in its own way; the shutdown already under way is the story.
    if (error instanceof StoppingError || lifecycle.isStopping) return;
    const message =
      error instanceof DevnetError ? redact(error.message) : redactUrlsIn(redact(error instanceof Error ? (error.stack ?? error.message) : String(error)));
    progress.line();
    process.stderr.write(`npm start failed: ${message}\n`);
    void lifecycle.shutdown(1);
  });
}

main();
