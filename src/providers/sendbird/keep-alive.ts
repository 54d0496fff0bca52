/**
 * Dead-connection detection (issue 15, item 3): what the sendbird provider can and cannot do.
 *
 * A keep-alive needs a message the server must answer, sent often enough to be timed. sendbird-calls
 * 1.10.21 has none on its signalling WebSocket (read from the shipped bundle; lab/sendbird/README.md):
 * - with no call, the SDK sends nothing at all on an open socket, and expects nothing;
 * - during a call it sends `{cmd:"SGNL", type:"alive", payload:{call_id}}` every 30 s (fixed), but
 *   that command does not ask for a reply (`requireResponse()` is false: no `request_id` is awaited,
 *   a failure is only logged at debug); the SDK can parse an `alive_ack` but nothing waits for one,
 *   so a missing one proves nothing about the connection;
 * - every command that does require a reply (dial, accept, end, hold, …) changes a call, and none
 *   can be sent for nothing;
 * - browsers give scripts no WebSocket ping/pong frames.
 * Timing any of these would either invent a wire format or declare healthy connections dead. So
 * the provider does not claim to notice a silent connection: a socket that closes is noticed at
 * once (`reconnecting`, then `connected` or NETWORK_UNREACHABLE when the client's `reconnect`
 * policy gives up, see session.ts), a socket that stays open to a server that no longer answers is not.
 * A call's media path is watched separately (the SDK's `onReconnecting`, and polyphone's quality
 * sampling), so a dead server with a call up is still seen through the call.
 */
import { configInvalid } from '../../core/provider-kit.js';

/** The declaration, for the capability matrix and the README; checked by test/providers/sendbird/keep-alive.test.ts. */
export const DEAD_CONNECTION_DETECTION = {
  supported: false,
  reason:
    'sendbird-calls has no message on its signalling socket that the server must answer (its per-call "alive" expects no reply, and browsers expose no WebSocket ping), so a silent connection cannot be timed; a closed socket is noticed at once.',
} as const;

/** The option other providers take for their keep-alive is refused here with the reason, not ignored. */
export function refuseKeepAliveOption(params: Record<string, unknown>): void {
  if (Object.hasOwn(params, 'keepAliveIntervalMs')) {
    throw configInvalid('keepAliveIntervalMs', `The sendbird provider cannot keep a connection alive: ${DEAD_CONNECTION_DETECTION.reason}`);
  }
}
