// The context of a server under test whose operations read nothing of the index (refusals, limits, slots): no
// services, and a request block that is never pinned.
import type { GatewayContext } from "../../../gateway/src/context";
import { RequestBlock } from "../../../gateway/src/services/request-block";

export function bareContext(): GatewayContext {
  const noIndex = () => Promise.reject(new Error("this test's server has no index to read"));
  const watcher = { head: null, ensureHead: noIndex, headReplacing: noIndex };
  return { block: new RequestBlock(watcher) } as unknown as GatewayContext;
}
