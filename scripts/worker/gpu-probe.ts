// gpu-probe: prints the GPU specs this machine would offer, as JSON, e.g. to fill the registry's `register` call.
//
//   gpu-probe [--config <file>] [--nvidia-smi <path>] [--timeout <seconds>]
//
// With --config, its gpu section (overrides, region, tier) applies; without, only nvidia-smi is asked.
// Exit status: 0 with the specs on stdout; 1 when they cannot be determined or cannot be offered (MIG mode); 2 for a
// usage or config error.

import { type Redactor, redactUrlsIn, redactUrlsInJson } from "../../subgraph/indexer/redact";
import { parseArgs, UsageError } from "./args";
import { ConfigError, GpuConfig, configRedactor, loadConfig } from "./config";
import { GpuMigModeError, GpuSpecsUnavailableError, resolveGpuSpecs } from "./gpu";
import { createLogger, jsonLineSink } from "./logger";
import { withoutOperatorKey } from "./operator-key";

const USAGE = "Usage: gpu-probe [--config <file>] [--nvidia-smi <path>] [--timeout <seconds>]\n";

export async function runGpuProbe(
  argv: readonly string[],
  io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream; env: NodeJS.ProcessEnv },
): Promise<number> {
  let gpu: GpuConfig;
  let probeEnv = io.env;
  // Once a config is read, what is printed hides its URLs' keys, as latent-worker's output does (cli.ts); and every other
  // URL is cut to scheme and host, since what is printed quotes nvidia-smi's path, where a URL may have been pasted.
  let configRedact: Redactor = (text) => text;
  const redact: Redactor = (text) => redactUrlsIn(configRedact(text));
  try {
    const args = parseArgs(argv, [
      { name: "config", alias: "c", takesValue: true },
      { name: "nvidia-smi", takesValue: true },
      { name: "timeout", takesValue: true },
    ]);
    const configPath = args.get("config");
    if (typeof configPath === "string") {
      const config = loadConfig(configPath);
      configRedact = configRedactor(config);
      gpu = config.gpu;
      probeEnv = withoutOperatorKey(io.env, config.operatorKey);
    } else gpu = { detect: true, nvidiaSmiPath: "nvidia-smi", detectTimeoutMs: 10_000 };
    const nvidiaSmi = args.get("nvidia-smi");
    if (typeof nvidiaSmi === "string") gpu = { ...gpu, nvidiaSmiPath: nvidiaSmi, detect: true };
    const timeout = args.get("timeout");
    if (typeof timeout === "string") {
      const seconds = Number(timeout);
      if (!Number.isInteger(seconds) || seconds < 1 || seconds > 300)
        throw new UsageError(`--timeout must be an integer between 1 and 300, got "${timeout}"`);
      gpu = { ...gpu, detectTimeoutMs: seconds * 1000 };
    }
  } catch (error) {
    if (!(error instanceof UsageError || error instanceof ConfigError)) throw error;
    // No config, no Redactor: a URL a config error quotes (a value in the wrong field, a JSON snippet) may hold a key.
    io.stderr.write(redactUrlsIn(`gpu-probe: ${error.message}\n${error instanceof UsageError ? USAGE : ""}`));
    return 2;
  }
  try {
    const specs = await resolveGpuSpecs(gpu, createLogger("info", jsonLineSink(io.stderr, (line) => redactUrlsInJson(configRedact(line)))), probeEnv);
    io.stdout.write(`${JSON.stringify(specs, null, 2)}\n`);
    return 0;
  } catch (error) {
    if (!(error instanceof GpuSpecsUnavailableError || error instanceof GpuMigModeError)) throw error;
    io.stderr.write(redact(`gpu-probe: ${error.message}\n`));
    return 1;
  }
}

if (require.main === module) {
  runGpuProbe(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env }).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(
        redactUrlsIn(`gpu-probe: unexpected failure: ${error instanceof Error ? error.message : String(error)}\n`),
      );
      process.exit(1);
    },
  );
}
