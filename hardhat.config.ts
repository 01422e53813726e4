import { subtask } from "hardhat/config";
import {
  TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD,
  TASK_COMPILE_SOLIDITY_LOG_COMPILATION_ERRORS,
  TASK_COMPILE_SOLIDITY_RUN_SOLCJS,
} from "hardhat/builtin-tasks/task-names";
import type { HardhatUserConfig } from "hardhat/config";
import "@nomicfoundation/hardhat-toolbox";
import "./scripts/tasks";
import { withoutDependencyWarnings } from "./scripts/compile/dependency-warnings";
import type { SolcDiagnostic } from "./scripts/compile/dependency-warnings";
import { runSolcJs } from "./scripts/compile/solcjs";
import { remoteNetworkProblem } from "./scripts/remote-network";

// The machines that build Latent reach only the npm registry, so Hardhat's own compiler download (HH502)
// cannot work. The npm `solc` package ships the same compiler as WebAssembly; pin one version and hand it over.
const SOLC_VERSION = "0.8.28";

subtask(TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD).setAction(async (args: { solcVersion: string }, _hre, runSuper) => {
  if (args.solcVersion !== SOLC_VERSION) return runSuper(args);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const solc = require("solc") as { version(): string };
  return {
    compilerPath: require.resolve("solc/soljson.js"),
    isSolcJs: true,
    version: SOLC_VERSION,
    longVersion: solc.version().replace(/\.Emscripten.*$/, ""),
  };
});

// The compiler child must not outlive a devnet or `npx hardhat compile` killed while it compiles (scripts/compile/solcjs.ts).
subtask(TASK_COMPILE_SOLIDITY_RUN_SOLCJS).setAction(async (args: { input: unknown; solcJsPath: string }) => runSolcJs(args.input, args.solcJsPath));

subtask(TASK_COMPILE_SOLIDITY_LOG_COMPILATION_ERRORS).setAction(
  async (args: { output?: { errors?: SolcDiagnostic[] }; quiet: boolean }, _hre, runSuper) => {
    const errors = args.output?.errors;
    if (errors === undefined) return runSuper(args);
    return runSuper({ ...args, output: { ...args.output, errors: withoutDependencyWarnings(errors) } });
  },
);

const remoteAccounts = process.env.DEPLOYER_PRIVATE_KEY ? [process.env.DEPLOYER_PRIVATE_KEY] : [];

// Said before Hardhat resolves the network: a thrown error would come with Hardhat's stack trace (it shows one on any
// machine it takes for a CI server), and the README's operator only needs the one line.
const remoteProblem = remoteNetworkProblem(process.argv, process.env);
if (remoteProblem !== null) {
  process.stderr.write(`${remoteProblem}\n`);
  process.exit(1);
}

const config: HardhatUserConfig = {
  solidity: {
    version: SOLC_VERSION,
    settings: {
      evmVersion: "cancun",
      optimizer: { enabled: true, runs: 10_000 },
      viaIR: false,
    },
  },
  networks: {
    hardhat: {},
    localhost: { url: process.env.LOCAL_RPC_URL ?? "http://127.0.0.1:8545" },
    ...(process.env.RPC_URL ? { remote: { url: process.env.RPC_URL, accounts: remoteAccounts } } : {}),
  },
  typechain: { outDir: "typechain-types", target: "ethers-v6" },
  mocha: { timeout: 120_000 },
  gasReporter: { enabled: process.env.REPORT_GAS === "1", offline: true },
};

export default config;
