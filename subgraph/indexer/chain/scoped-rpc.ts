// The indexer's view of its transport. The caller may pass in a transport it uses for other things too (a provider
// its app sends through, one transport for several indexers): the indexer's stop must end the indexer's requests, not
// theirs, and only a transport the indexer created is the indexer's to close.
import { Aborts, unlessAborted, withEitherSignal } from "../abortable";
import { aborted, type RequestOptions, type RpcCall, type RpcTransport } from "./rpc";

/**
 * The requests made through it, to `transport`: its abort() ends those begun before it, and their waits, with
 * RpcAbortedError, and its close() all of them for good; the transport's other users' requests go on. Each request
 * carries the view's signal, which the transport honours (HttpRpc and Eip1193Rpc end the request and its waits); one
 * that does not still sees it given up here at once, its answer unheard. close() closes the transport only when
 * `owned` (the indexer created it).
 */
export class ScopedRpc implements RpcTransport {
  private readonly aborts = new Aborts();

  constructor(
    private readonly transport: RpcTransport,
    private readonly owned: boolean,
  ) {}

  get description(): string {
    return this.transport.description;
  }

  request<T>(method: string, params: readonly unknown[], options: RequestOptions = {}): Promise<T> {
    return withEitherSignal(this.aborts.signal, options.signal, (signal) =>
      unlessAborted(this.transport.request<T>(method, params, { signal }), signal, () => aborted(method)),
    );
  }

  batch<T>(calls: readonly RpcCall[], options: RequestOptions = {}): Promise<T[]> {
    const method = calls[0]?.method ?? "batch";
    return withEitherSignal(this.aborts.signal, options.signal, (signal) =>
      unlessAborted(this.transport.batch<T>(calls, { signal }), signal, () => aborted(method)),
    );
  }

  abort(): void {
    this.aborts.abort();
  }

  close(): void {
    this.aborts.close();
    if (this.owned) this.transport.close?.();
  }
}
