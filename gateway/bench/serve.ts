// The benchmark's server process: the gateway on the embedded indexer, exactly as startGateway builds it, and a
// ceiling server: the same HTTP/Apollo/limits stack and schema over the same services, whose availableCompute
// answers from a result computed once (by the real resolver, on its first request). Everything else is the
// same, so the ceiling measures HTTP and GraphQL overhead alone.
//
//   ts-node gateway/bench/serve.ts --rpc-url <url> --deployment <file> --db <file> [--no-cache] [--indexer-tuning <json>]
// Prints `SERVING {"gateway": url, "ceiling": url}` once both listen.
import * as path from "node:path";
import { createGatewayRuntime, DEFAULT_STATIC_DIR } from "../src/gateway";
import type { Resolvers } from "../src/generated/graphql";
import { createJsonLogger } from "../src/logger";
import { createResolvers } from "../src/resolvers";
import { buildSchema } from "../src/schema/executable-schema";
import { startHttpServer } from "../src/server";
import type { IndexerTuning } from "../src/sources/embedded-source";

function flag(name: string): string {
  const i = process.argv.indexOf(`--${name}`);
  const value = i < 0 ? undefined : process.argv[i + 1];
  if (value === undefined) throw new Error(`--${name} is required`);
  return value;
}

async function main(): Promise<void> {
  const logger = createJsonLogger({ level: "warn", write: (line) => process.stderr.write(line) });
  const tuning = process.argv.includes("--indexer-tuning") ? (JSON.parse(flag("indexer-tuning")) as IndexerTuning) : undefined;
  const runtime = await createGatewayRuntime({
    source: { rpcUrl: flag("rpc-url"), deployment: path.resolve(flag("deployment")), dbPath: path.resolve(flag("db")), indexerTuning: tuning },
    logger,
    queryCache: !process.argv.includes("--no-cache"),
  });
  const common = { services: runtime.services, host: "127.0.0.1", port: 0, corsOrigins: "*" as const, staticDir: DEFAULT_STATIC_DIR };

  const gateway = await startHttpServer({ ...common, schema: buildSchema(createResolvers(runtime.hub)) });

  const real = createResolvers(runtime.hub);
  const realQuery = real.Query as Required<NonNullable<Resolvers["Query"]>>;
  let precomputed: unknown = null;
  const ceilingResolvers: Resolvers = {
    ...real,
    Query: {
      ...real.Query,
      availableCompute: (root, args, ctx, info) => {
        precomputed ??= (realQuery.availableCompute as (...a: unknown[]) => unknown)(root, args, ctx, info);
        return precomputed as never;
      },
    },
  };
  const ceiling = await startHttpServer({ ...common, schema: buildSchema(ceilingResolvers) });

  process.stdout.write(`SERVING ${JSON.stringify({ gateway: gateway.url, ceiling: ceiling.url })}\n`);
  const stop = () => {
    void (async () => {
      await ceiling.close();
      await gateway.close();
      await runtime.close();
      process.exit(0);
    })();
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`serve: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
