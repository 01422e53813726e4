// graphql-js's `subscribe` executes every event of a subscription with the one context it was given, so the
// DataLoaders of that context would answer each push's nested fields (a job's timeline, its provider) from what
// they loaded for the first push. Here each event is executed with a context of its own, exactly as a new query
// would be; only the source stream (the subscription's `subscribe` resolver) keeps the operation's context.
import { createSourceEventStream, execute, type ExecutionArgs, type ExecutionResult } from "graphql";

/**
 * `answer` is handed each event's result with the context it was executed with, once what the event read (its block)
 * is known, and gives the result sent: the event's block can only be named from its own context.
 */
export async function subscribeWithFreshContexts<C>(
  args: ExecutionArgs,
  freshContext: () => C,
  answer: (result: ExecutionResult, context: C) => ExecutionResult = (result) => result,
): Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult> {
  const stream = await createSourceEventStream(args);
  if (!(Symbol.asyncIterator in stream)) return stream;
  return mapEvents(stream, async (event) => {
    const contextValue = freshContext();
    return answer(await execute({ ...args, rootValue: event, contextValue }), contextValue);
  });
}

/**
 * A mapped iterator that forwards `return` at once (an async generator would queue it behind the pending `next`,
 * and an idle subscription would never end: the hub would keep its subscriber).
 */
function mapEvents<T, U>(source: AsyncIterable<T>, map: (event: T) => U | Promise<U>): AsyncIterableIterator<U> {
  const iterator = source[Symbol.asyncIterator]();
  const close = async () => {
    await iterator.return?.();
  };
  const mapResult = async (result: IteratorResult<T>): Promise<IteratorResult<U>> => {
    if (result.done === true) return { done: true, value: undefined };
    try {
      return { done: false, value: await map(result.value) };
    } catch (error) {
      await close().catch(() => undefined);
      throw error;
    }
  };
  return {
    next: async () => mapResult(await iterator.next()),
    return: async () => {
      await close();
      return { done: true, value: undefined };
    },
    throw: async (error: unknown) => {
      await close();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
