// What a browser gets at /graphql. The GraphQL endpoint answers a GET without a query, as a browser sends it, with
// Apollo's CSRF refusal (400, JSON), which tells someone who opened the URL npm start printed nothing of what it is.
// A GET that asks for HTML and carries no query string gets this page instead: how to send a query, and the dashboard.
import type { IncomingMessage, ServerResponse } from "node:http";

/** Whether `req` is a browser opening the endpoint: a GET (or HEAD) with no query string that prefers HTML. */
export function opensEndpointInBrowser(req: IncomingMessage, search: string): boolean {
  if ((req.method !== "GET" && req.method !== "HEAD") || search !== "") return false;
  const accept = req.headers.accept ?? "";
  return accept.includes("text/html");
}

/** The page, the endpoint's own URL (`http://host:port/graphql`) in its example. */
export function sendEndpointPage(res: ServerResponse, endpointUrl: string, head: boolean): void {
  const example = `curl -s ${endpointUrl} -H 'content-type: application/json' -d '{"query":"{ indexingStatus { indexedBlock ready } }"}'`;
  const html = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Latent GraphQL API</title></head>
<body>
<h1>Latent GraphQL API</h1>
<p>This is the gateway's GraphQL endpoint. Send it a query as JSON in a POST (<code>content-type: application/json</code>,
a body <code>{"query": "…", "variables": {…}}</code>), or in a GET with <code>?query=…</code> and an
<code>apollo-require-preflight: true</code> header; subscriptions use graphql-ws on the same URL.</p>
<pre>${escapeHtml(example)}</pre>
<p>To look around in a browser, open the <a href="/">dashboard</a>.</p>
</body>
</html>
`;
  res.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store", "content-length": Buffer.byteLength(html) });
  res.end(head ? undefined : html);
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}
