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

  /**
   * With `honestHead`, eth_blockNumber comes from an up-to-date backend and only the blocks from a lagging one: the
   * endpoint contradicts itself, as load-balanced ones do.
   */
  constructor(
    url: string,
    public honestHead = false,
  ) {
    this.http = new HttpRpc(url);
  }

  private async top(): Promise<number> {
    return Number(await this.http.request<string>("eth_blockNumber", [])) - this.behind;
  }

  async request<T>(method: string, params: readonly unknown[]): Promise<T> {
    if (method === "eth_blockNumber") return ("0x" + (await this.top() + (this.honestHead ? this.behind : 0)).toString(16)) as T;
    if (method === "eth_getBlockByNumber" && Number(params[0]) > (await this.top())) return null as T;
    return this.http.request<T>(method, params);
  }

  async batch<T>(calls: readonly RpcCall[]): Promise<T[]> {
    return Promise.all(calls.map((c) => this.request<T>(c.method, c.params)));
  }
}
