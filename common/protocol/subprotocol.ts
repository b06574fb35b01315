/**
 * The console link's WebSocket subprotocol. A browser page cannot set an
 * Authorization header on a WebSocket, so it offers
 * `Sec-WebSocket-Protocol: fleetterm.v1, fleetterm.bearer.<token>` instead
 * (the pattern of the Kubernetes API server's `base64url.bearer.authorization.k8s.io.`)
 * and the broker answers `fleetterm.v1`: the token is never echoed back.
 * Our tokens are base64url after their prefix, which the subprotocol
 * grammar (an RFC 7230 token) allows as they are.
 */
export const CONSOLE_SUBPROTOCOL = 'fleetterm.v1';
/** The offered entry that carries the bearer secret: this prefix, then the token. */
export const BEARER_SUBPROTOCOL_PREFIX = 'fleetterm.bearer.';
