// The GraphQL HTTP handler served on 127.0.0.1 as the gateway's server serves it: the path's query string handed on,
// and what the handler throws once it has answered ending the response.
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { createGraphQLHttpHandler, type GraphQLHttpOptions } from "../../../gateway/src/http/graphql-http";

export interface ServedGraphQLHttp {
  /** The endpoint, `http://127.0.0.1:<port>/graphql`. */
  url: string;
  close(): Promise<void>;
}

export async function serveGraphQLHttp(options: GraphQLHttpOptions): Promise<ServedGraphQLHttp> {
  const handler = await createGraphQLHttpHandler(options);
  const server = http.createServer((req, res) => {
    const [, query = ""] = (req.url ?? "/").split("?", 2);
    handler.handle(req, res, query === "" ? "" : `?${query}`).catch(() => res.end());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await handler.stop();
    },
  };
}
