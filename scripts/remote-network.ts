// The `remote` network of hardhat.config.ts, which exists only while RPC_URL is set.

/** The network a Hardhat command line asks for: `--network <name>` (or `--network=<name>`), else HARDHAT_NETWORK. */
export function requestedNetwork(argv: readonly string[], env: NodeJS.ProcessEnv): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--network") return argv[i + 1];
    if (arg.startsWith("--network=")) return arg.slice("--network=".length);
  }
  return env.HARDHAT_NETWORK === undefined || env.HARDHAT_NETWORK === "" ? undefined : env.HARDHAT_NETWORK;
}

/**
 * Why a command cannot run, when it asks for `remote` with no RPC_URL (null otherwise). Hardhat itself would say only
 * "HH100: Network remote doesn't exist", with a stack trace, naming neither the variable nor what to set.
 */
export function remoteNetworkProblem(argv: readonly string[], env: NodeJS.ProcessEnv): string | null {
  if (env.RPC_URL !== undefined && env.RPC_URL !== "") return null;
  if (requestedNetwork(argv, env) !== "remote") return null;
  return "network \"remote\" needs RPC_URL: set it to the chain's JSON-RPC URL (DEPLOYER_PRIVATE_KEY signs a deployment, LATENT_PRIVATE_KEY a task)";
}
