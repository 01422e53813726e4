// Run as a process (by test/gateway/sources/query-worker.test.ts): starts a query worker on the database given as
// argument, makes its thread die, stops it while the restart is pending, prints what followed, and returns. The
// process must then exit by itself: a restart timer or a new thread left behind would keep it alive.
import { QueryWorker } from "../../../gateway/src/sources/query-worker/query-worker";

async function main(dbPath: string): Promise<void> {
  const queries = await QueryWorker.start(dbPath, { initialDelayMs: 60_000 });
  let restarted = 0;
  queries.on("restarted", () => (restarted += 1));
  const died = new Promise<{ message: string; restartInMs: number | null }>((resolve) =>
    queries.once("error", (error) => resolve({ message: error.message, restartInMs: error.restartInMs })),
  );
  queries.crash("exit");
  const death = await died;
  await queries.stop();
  process.on("exit", () => console.log(JSON.stringify({ death, running: queries.running, restarted })));
}

if (require.main === module) {
  main(process.argv[2] ?? "").catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
