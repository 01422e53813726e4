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
