// The gateway's public API.
export { startGateway, createGatewayRuntime, DEFAULT_STATIC_DIR, StartAbortedError } from "./gateway";
export type {
  GatewayOptions,
  GatewayHandle,
  GatewayRuntime,
  EmbeddedSourceConfig,
  SubgraphUrlSourceConfig,
  ChainConfig,
} from "./gateway";
export { GatewayOptionError, GATEWAY_OPTION_RULES } from "./option-rules";
export type { GatewayNumericOption } from "./option-rules";
export { createJsonLogger, silentLogger } from "./logger";
export type { Logger, LogLevel } from "./logger";
export type { QueryLimits } from "./limits/query-limits";
export { DEFAULT_QUERY_LIMITS } from "./limits/query-limits";
export type { SubscriptionLimits } from "./limits/subscription-limits";
export { DEFAULT_SUBSCRIPTION_LIMITS } from "./limits/subscription-limits";
export type { CorsOrigins } from "./http/cors";
export type { DeploymentRecord } from "./sources/deployment";
export { SubgraphDeploymentMismatchError } from "./sources/deployment-check";
export { SubgraphChainMismatchError } from "./sources/chain-check";
