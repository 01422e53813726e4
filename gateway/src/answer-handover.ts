/**
 * How long the stop waits, past its grace, for the SHUTTING_DOWN answers it sends (a WebSocket query's error, an HTTP
 * request's 503) to be handed to their sockets: they are sent at once, but a client that reads nothing would hold the
 * stop for ever.
 */
export const ANSWER_HANDOVER_MS = 1_000;
