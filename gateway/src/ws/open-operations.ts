// The operations (subscriptions, or queries and mutations) each connection runs, from their admission until graphql-ws
// completes them (it does so once it has sent the client how they ended) or their connection closes: the server's stop
// waits until none is left. The server keeps one of these for its subscriptions and one for its queries.

export class OpenOperations {
  private readonly byConnection = new Map<object, Set<object>>();
  private waiters: (() => void)[] = [];

  add(connection: object, operation: object): void {
    const mine = this.byConnection.get(connection) ?? new Set<object>();
    mine.add(operation);
    this.byConnection.set(connection, mine);
  }

  delete(connection: object, operation: object): void {
    const mine = this.byConnection.get(connection);
    if (mine?.delete(operation) !== true) return;
    if (mine.size === 0) this.forget(connection);
  }

  /** Its connection closed: whatever graphql-ws did not complete is over too. */
  forget(connection: object): void {
    if (!this.byConnection.delete(connection) || this.byConnection.size > 0) return;
    for (const resolve of this.waiters.splice(0)) resolve();
  }

  /** Resolves once no operation is open. */
  whenNone(): Promise<void> {
    if (this.byConnection.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }
}
