// RPC transports that misbehave the way real endpoints do, for the indexer's tests. Each passes the signal of a request
// (and abort() and close()) on to the transports inside it: a test that stops an indexer over one exercises the real
// abort of the HTTP request (RpcAbortedError), not only the indexer giving up its answer.
import { HttpRpc, type RequestOptions, type RpcCall, type RpcTransport } from "../../../../subgraph/indexer/chain/rpc";
import { RpcError } from "../../../../subgraph/indexer/errors";

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

  private async top(options: RequestOptions): Promise<number> {
    return Number(await this.http.request<string>("eth_blockNumber", [], options)) - this.behind;
  }

  async request<T>(method: string, params: readonly unknown[], options: RequestOptions = {}): Promise<T> {
    if (method === "eth_blockNumber") return ("0x" + (await this.top(options) + (this.honestHead ? this.behind : 0)).toString(16)) as T;
    if (method === "eth_getBlockByNumber" && Number(params[0]) > (await this.top(options))) return null as T;
    return this.http.request<T>(method, params, options);
  }

  async batch<T>(calls: readonly RpcCall[], options: RequestOptions = {}): Promise<T[]> {
    return Promise.all(calls.map((c) => this.request<T>(c.method, c.params, options)));
  }

  abort(): void {
    this.http.abort();
  }

  close(): void {
    this.http.close();
  }
}

/**
 * An endpoint whose eth_getLogs is answered by a backend `behind` blocks behind the one that answers everything else
 * (load-balanced endpoints route methods to different nodes): a range reaching past that backend's head gets the logs
 * it has, and a query by the hash of a block it does not have fails, as geth's does ("unknown block").
 */
export class LaggingLogs implements RpcTransport {
  readonly description = "lagging eth_getLogs";
  behind = 0;
  /** false: queries by block hash reach an up-to-date backend. */
  hashQueriesLag = true;
  private readonly http: HttpRpc;

  constructor(url: string) {
    this.http = new HttpRpc(url);
  }

  async request<T>(method: string, params: readonly unknown[], options: RequestOptions = {}): Promise<T> {
    if (method !== "eth_getLogs" || this.behind === 0) return this.http.request<T>(method, params, options);
    const top = Number(await this.http.request<string>("eth_blockNumber", [], options)) - this.behind;
    const filter = params[0] as { fromBlock?: string; toBlock?: string; blockHash?: string };
    if (filter.blockHash !== undefined) {
      const block = await this.http.request<{ number: string } | null>("eth_getBlockByHash", [filter.blockHash, false], options);
      if (block === null || (this.hashQueriesLag && Number(block.number) > top)) throw new RpcError(`eth_getLogs failed: unknown block (code -32000)`, method, -32000);
      return this.http.request<T>(method, params, options);
    }
    if (Number(filter.fromBlock) > top) return [] as T;
    return this.http.request<T>(method, [{ ...filter, toBlock: "0x" + Math.min(Number(filter.toBlock), top).toString(16) }], options);
  }

  async batch<T>(calls: readonly RpcCall[], options: RequestOptions = {}): Promise<T[]> {
    return Promise.all(calls.map((c) => this.request<T>(c.method, c.params, options)));
  }

  abort(): void {
    this.http.abort();
  }

  close(): void {
    this.http.close();
  }
}

/** One endpoint in front of several chains: `target` picks which answers, as a node restarted at the same URL. */
export class SwitchingNode implements RpcTransport {
  readonly description = "switching node";
  target = 0;
  private readonly nodes: HttpRpc[];

  constructor(urls: readonly string[]) {
    this.nodes = urls.map((url) => new HttpRpc(url));
  }

  request<T>(method: string, params: readonly unknown[], options?: RequestOptions): Promise<T> {
    return this.nodes[this.target]!.request<T>(method, params, options);
  }

  batch<T>(calls: readonly RpcCall[], options?: RequestOptions): Promise<T[]> {
    return this.nodes[this.target]!.batch<T>(calls, options);
  }

  /** Every node's: requests sent before `target` changed may still be in flight. */
  abort(): void {
    for (const node of this.nodes) node.abort();
  }

  close(): void {
    for (const node of this.nodes) node.close();
  }
}
