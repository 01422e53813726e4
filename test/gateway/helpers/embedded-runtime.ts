// A gateway runtime with its own embedded indexer (its own database, restart policy and log), indexed up to the
// shared test chain's head: for tests that make its threads die.
import * as path from "node:path";
import { createGatewayRuntime, type GatewayRuntime } from "../../../gateway/src/gateway";
import { createJsonLogger } from "../../../gateway/src/logger";
import { indexingStatus } from "../../../gateway/src/services/indexing";
import type { EmbeddedSubgraphSource } from "../../../gateway/src/sources/embedded-source";
import type { RestartPolicy } from "../../../subgraph/indexer";
import { waitUntil } from "../../helpers/wait";
import { environment } from "./environment";

/** `lines` collects the runtime's JSON log; `now`, the clock a restart's time left is read on; the caller closes the runtime. */
export async function indexedEmbeddedRuntime(
  name: string,
  restart: RestartPolicy | false,
  lines: string[],
  now?: () => number,
): Promise<{ runtime: GatewayRuntime; source: EmbeddedSubgraphSource }> {
  const env = await environment();
  const runtime = await createGatewayRuntime({
    source: {
      rpcUrl: env.chain.url,
      deployment: env.scenario.deployment.record,
      dbPath: path.join(env.tmpDir, `${name}.sqlite`),
      indexerPollMs: 50,
      indexerTuning: { restart },
      ...(now === undefined ? {} : { now }),
    },
    logger: createJsonLogger({ level: "info", write: (line) => lines.push(line) }),
    headPollMs: 50,
    maxLag: 2,
  });
  try {
    const head = await env.chain.blockNumber();
    await waitUntil(async () => (await indexingStatus(runtime.services)).indexedBlock >= head, `the gateway indexed block ${head}`, { timeoutMs: 60_000 });
  } catch (error) {
    await runtime.close();
    throw error;
  }
  return { runtime, source: runtime.source.inner as EmbeddedSubgraphSource };
}
