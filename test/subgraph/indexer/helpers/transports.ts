// RPC transports that misbehave the way real endpoints do, for the indexer's tests.
import { HttpRpc, type RpcCall, type RpcTransport } from "../../../../subgraph/indexer/chain/rpc";

/**
 * A node `behind` blocks behind the chain at `url` (a load-balanced endpoint's lagging backend, a node resyncing):
 * its head is that much lower and it knows no newer block. `behind` can be changed between passes.
 */
export class LaggingNode implements RpcTransport {
  readonly description = "lagging node";
  behind = 0;
  private readonly http: HttpRpc;
  private top = 0;

  constructor(url: string) {
    this.http = new HttpRpc(url);
  }

  async request<T>(method: string, params: readonly unknown[]): Promise<T> {
    if (method === "eth_blockNumber") {
      this.top = Number(await this.http.request<string>(method, params)) - this.behind;
      return ("0x" + this.top.toString(16)) as T;
    }
    if (method === "eth_getBlockByNumber" && Number(params[0]) > this.top) return null as T;
    return this.http.request<T>(method, params);
  }

  async batch<T>(calls: readonly RpcCall[]): Promise<T[]> {
    return Promise.all(calls.map((c) => this.request<T>(c.method, c.params)));
  }
}
