// The subscriptions each connection runs, from their admission until graphql-ws completes them (it does so once it has
// sent the client how they ended) or their connection closes: the server's stop waits until none is left.

export class OpenSubscriptions {
  private readonly byConnection = new Map<object, Set<object>>();
  private waiters: (() => void)[] = [];

  add(connection: object, subscription: object): void {
    const mine = this.byConnection.get(connection) ?? new Set<object>();
    mine.add(subscription);
    this.byConnection.set(connection, mine);
  }

  delete(connection: object, subscription: object): void {
    const mine = this.byConnection.get(connection);
    if (mine?.delete(subscription) !== true) return;
    if (mine.size === 0) this.forget(connection);
  }

  /** Its connection closed: whatever graphql-ws did not complete is over too. */
  forget(connection: object): void {
    if (!this.byConnection.delete(connection) || this.byConnection.size > 0) return;
    for (const resolve of this.waiters.splice(0)) resolve();
  }

  /** Resolves once no subscription is open. */
  whenNone(): Promise<void> {
    if (this.byConnection.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }
}
