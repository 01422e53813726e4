/**
 * eth_getLogs over a range of blocks that a node may refuse as a whole: public RPCs cap the blocks (often 1,000 to
 * 10,000) or the results one call may span, each with its own message, so a refusal is not told from a range by its
 * text. The range is asked for whole, and a refused span is halved and asked again, the smaller span kept for the rest
 * of the range; a span of one block refused is the node's last word.
 */
import { ChainQueryError, isProgrammingError } from "./errors";

/** Blocks `from` to `to`, both included. */
export type LogQuery<T> = (from: number, to: number) => Promise<T[]>;

export interface LogRange<T> {
  logs: T[];
  /** eth_getLogs calls made, the refused ones included. */
  calls: number;
}

/** Every log `query` returns for blocks `from` to `to`, in order; `what` names the logs in a ChainQueryError. */
export async function queryLogRange<T>(what: string, from: number, to: number, query: LogQuery<T>): Promise<LogRange<T>> {
  const logs: T[] = [];
  let calls = 0;
  let span = to - from + 1;
  for (let start = from; start <= to; ) {
    const end = Math.min(to, start + span - 1);
    calls += 1;
    try {
      logs.push(...(await query(start, end)));
    } catch (error) {
      if (isProgrammingError(error)) throw error;
      if (end === start) {
        const asked = from === to ? "" : ` (asked for blocks ${from}-${to}, down to one block at a time)`;
        throw new ChainQueryError(
          `the node refused eth_getLogs for ${what} in block ${start}${asked}: ${reason(error)}`,
          error instanceof Error ? error : undefined,
        );
      }
      span = Math.ceil((end - start + 1) / 2);
      continue;
    }
    start = end + 1;
  }
  return { logs, calls };
}

function reason(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  // ethers puts the node's own answer under `error`; its message alone says "could not coalesce error".
  const inner = (error as Error & { error?: { message?: unknown } }).error?.message;
  return typeof inner === "string" ? inner : error.message;
}
