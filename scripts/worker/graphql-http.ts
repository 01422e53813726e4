// GraphQL queries to the gateway over HTTP (POST, JSON), each under a wall-clock limit. Failures are typed: a network
// error is a GatewayNetworkError naming the gateway, as transient for retry.ts as Node's own error, a query not answered in time is a
// GatewayTimeoutError (transient), a 5xx/408/425/429 is an HttpStatusError (so is a redirect, which is not followed),
// and GraphQL errors or an unexpected body are GatewayResponseError / GatewayProtocolError.

import { GatewayNetworkError, GatewayProtocolError, GatewayResponseError, GatewayTimeoutError, graphQLErrorEntries } from "./gateway-errors";
import { HttpStatusError, isTransientHttpStatus } from "./retry";
import { isJsonObject } from "./validate";
import { splitCredentials } from "../../subgraph/indexer/url-form";

export interface GraphQLHttpOptions {
  /** Wall-clock limit on the request, body included. */
  timeoutMs: number;
  signal?: AbortSignal;
}

/** `data` of a query that succeeded. `operation` names it in errors. */
export async function queryGateway(
  url: string,
  operation: string,
  query: string,
  variables: Record<string, unknown>,
  options: GraphQLHttpOptions,
): Promise<Record<string, unknown>> {
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal === undefined ? timeout : AbortSignal.any([options.signal, timeout]);
  // A gateway behind basic authentication (`https://user:password@host/graphql`, as the config takes it): fetch
  // refuses a URL with credentials, which failed every query with a TypeError naming neither.
  const endpoint = splitCredentials(new URL(url));
  const headers: Record<string, string> = { "content-type": "application/json", accept: "application/graphql-response+json, application/json" };
  if (endpoint.basicAuthorization !== null) headers.authorization = endpoint.basicAuthorization;
  let response: Response;
  let text: string;
  try {
    response = await fetch(endpoint.url, {
      method: "POST",
      headers,
      body: JSON.stringify({ query, variables }),
      // Not followed, as ws does not follow one on gateway.wsUrl: the status comes back as an HttpStatusError, so a
      // URL that redirects (http to https behind a proxy) stops the worker at start, naming it, on either path. fetch
      // would follow a 301/302 with a GET without the query, which the gateway refuses for reasons that name neither.
      redirect: "manual",
      signal,
    });
    text = await response.text();
  } catch (error) {
    // fetch reports its own limit as a bare "The operation was aborted due to timeout", naming neither the gateway
    // nor the query; the caller's abort (shutdown) is not a timeout and passes through as it is.
    if (options.signal?.aborted === true) throw error;
    if (timeout.aborted) throw new GatewayTimeoutError(url, operation, options.timeoutMs, { cause: error });
    throw new GatewayNetworkError(url, operation, error);
  }
  // Apollo answers a request it rejects (validation, bad variables) with 400 and GraphQL errors in the body: those
  // say more than the status. Only a 5xx-like status without such a body is the server being unwell.
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    if (isTransientHttpStatus(response.status) || !response.ok) throw new HttpStatusError(url, response.status);
    throw new GatewayProtocolError(url, `${operation} answered with a body that is not JSON`);
  }
  if (!isJsonObject(body)) {
    if (!response.ok) throw new HttpStatusError(url, response.status);
    throw new GatewayProtocolError(url, `${operation} answered with JSON that is not an object`);
  }
  if (body.errors !== undefined) {
    const errors = graphQLErrorEntries(body.errors);
    if (errors.length > 0) throw new GatewayResponseError(operation, errors);
  }
  if (!response.ok) throw new HttpStatusError(url, response.status);
  if (!isJsonObject(body.data)) throw new GatewayProtocolError(url, `${operation} answered without data`);
  return body.data;
}
