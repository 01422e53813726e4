// Caps on what WebSocket clients hold open. Each subscription keeps a queue of undelivered events (up to 1000) and
// a place in the hub's per-head fan-out, and each connection a socket with its buffers: without caps one client, or
// many, could grow the gateway's memory without bound.

export interface SubscriptionLimits {
  /** Open WebSocket connections (default 1000); one more is closed at once with 1013 (try again later). */
  maxConnections: number;
  /** Subscriptions one connection runs at once (default 100); also the queries it runs at once over the WebSocket. */
  maxSubscriptionsPerConnection: number;
  /** Subscriptions the server runs at once, all connections together (default 10000). */
  maxSubscriptions: number;
}

export const DEFAULT_SUBSCRIPTION_LIMITS: SubscriptionLimits = {
  maxConnections: 1000,
  maxSubscriptionsPerConnection: 100,
  maxSubscriptions: 10_000,
};

/**
 * How far above the indexed head jobUpdated's `atBlock` may be when it subscribes: a block the index has yet to reach
 * is waited for (the subscription holds its slot meanwhile), so a block far ahead, or one a chain never reaches, would
 * hold it for as long. A dApp names the block its createJob receipt is from, a few blocks above an index that keeps
 * up; one further ahead waits on `indexingStatus` first. jobOpened's `sinceBlock` has the same bound: the live jobs up
 * to it are not sent, so one far ahead would silence the feed as long.
 */
export const MAX_AT_BLOCK_AHEAD = 64;

/**
 * A running subscription's slot among its connection's maxSubscriptionsPerConnection. A jobUpdated feed that has sent
 * a final status only waits out the reorg threshold (tens of blocks) for a reorg that would undo it: a client
 * following many short jobs would otherwise find its slots taken by jobs that are over. Such a feed gives its slot
 * back, still counted against maxSubscriptions; a connection keeps at most maxSubscriptionsPerConnection of them,
 * past which the oldest ends early (completes, as once its status is settled).
 */
export interface SubscriptionSlot {
  /** The feed waits for a reorg only: its slot is free for another subscription of its connection. */
  release(): void;
  /** A reorg undid its final status: it holds a slot again, over the cap if it must (a running feed is not refused). */
  retake(): void;
}
