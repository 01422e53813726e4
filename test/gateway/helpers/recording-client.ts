// A graphql-ws client that records how its operations and its socket ended, for the tests of the gateway's stop.
import { createClient } from "graphql-ws";
import WebSocket from "ws";

/**
 * A graphql-ws client of `wsUrl` whose `seen` lists, in order, how each of its subscriptions ended
 * (`<name>: <codes>`, or `<name>: socket closed`) and how its socket closed (`closed <code>`).
 */
export function recordingClient(wsUrl: string) {
  const seen: string[] = [];
  const client = createClient({
    url: wsUrl,
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    lazy: false,
    // The socket's close is what the test looks at, in `seen`: not an error to print.
    onNonLazyError: () => undefined,
    on: { closed: (event) => void seen.push(`closed ${(event as { code: number }).code}`) },
  });
  const subscribe = (name: string, query: string, variables: Record<string, unknown> = {}) =>
    client.subscribe(
      { query, variables },
      {
        next: (result) => void seen.push(`${name}: next ${JSON.stringify(result.errors?.map((e) => e.extensions?.code) ?? [])}`),
        error: (error) =>
          void seen.push(
            Array.isArray(error) ? `${name}: ${(error as { extensions?: { code?: string } }[]).map((e) => e.extensions?.code).join(",")}` : `${name}: socket closed`,
          ),
        complete: () => void seen.push(`${name}: complete`),
      },
    );
  return { seen, subscribe, dispose: () => client.dispose() };
}
