// The gateway side of the query worker thread: requests go out as messages and come back as promises.
import * as path from "node:path";
import { Worker } from "node:worker_threads";
import type { FromQueryWorker, QueryWorkerData, ToQueryWorker } from "./protocol";

export interface QueryAnswer {
  data: unknown;
  errors: string[] | null;
}

interface Pending {
  resolve: (answer: QueryAnswer) => void;
  reject: (error: Error) => void;
}

export class QueryWorker {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private exited = false;

  private constructor(private readonly worker: Worker) {
    worker.on("message", (message: FromQueryWorker) => {
      if (message.type !== "result" && message.type !== "failed") return;
      const waiting = this.pending.get(message.id);
      if (waiting === undefined) return;
      this.pending.delete(message.id);
      if (message.type === "result") waiting.resolve({ data: message.data, errors: message.errors });
      else waiting.reject(new Error(message.message));
    });
    worker.on("exit", () => {
      this.exited = true;
      for (const waiting of this.pending.values()) waiting.reject(new Error("the query worker stopped"));
      this.pending.clear();
    });
  }

  /** Starts the thread on `dbPath` (which an indexer must have initialised) and waits until it can answer. */
  static async start(dbPath: string): Promise<QueryWorker> {
    const entry = path.join(__dirname, `query-worker-main${__filename.endsWith(".ts") ? ".ts" : ".js"}`);
    const data: QueryWorkerData = { dbPath };
    // Under ts-node (tests, `npm run gateway`) the thread registers ts-node itself: require hooks are per thread.
    const worker = __filename.endsWith(".ts")
      ? new Worker(
          `require(${JSON.stringify(require.resolve("ts-node"))}).register({ transpileOnly: true, projectSearchDir: ${JSON.stringify(__dirname)} });\nrequire(${JSON.stringify(entry)});`,
          { eval: true, workerData: data },
        )
      : new Worker(entry, { workerData: data });
    await new Promise<void>((resolve, reject) => {
      const onMessage = (message: FromQueryWorker) => {
        if (message.type === "ready") {
          worker.off("message", onMessage);
          resolve();
        } else if (message.type === "error") {
          reject(new Error(`query worker: ${message.message}`));
        }
      };
      worker.on("message", onMessage);
      worker.once("error", reject);
      worker.once("exit", (code) => reject(new Error(`query worker exited with code ${code} before it was ready`)));
    });
    return new QueryWorker(worker);
  }

  query(query: string, variables: Record<string, unknown>): Promise<QueryAnswer> {
    if (this.exited) return Promise.reject(new Error("the query worker stopped"));
    const id = this.nextId++;
    return new Promise<QueryAnswer>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      const message: ToQueryWorker = { type: "query", id, query, variables };
      this.worker.postMessage(message);
    });
  }

  /** Whether an indexer indexes the database: while one does not (null: again does), `_meta` reports indexing errors. */
  setIndexerDown(reason: string | null): void {
    if (this.exited) return;
    const message: ToQueryWorker = { type: "indexerDown", reason };
    this.worker.postMessage(message);
  }

  async stop(): Promise<void> {
    if (this.exited) return;
    const exit = new Promise<void>((resolve) => this.worker.once("exit", () => resolve()));
    const message: ToQueryWorker = { type: "stop" };
    this.worker.postMessage(message);
    const timer = setTimeout(() => void this.worker.terminate(), 5_000);
    await exit;
    clearTimeout(timer);
  }
}
