/**
 * Where the provider reaches into sip.js 0.21 internals, in one place. sip.js gives no way to drop
 * a WebSocket at once: Transport.disconnect() waits for the close handshake, which a hung server
 * never completes (the `ws` package gives up after 30 s, browsers after a similar time).
 */
import type { Registerer, UserAgent } from 'sip.js';
import { closeAtOnce } from '../sip/websocket.js';

/** The sip.js version these quirks were checked against. */
export const CHECKED_SIPJS_VERSION = '0.21.2';

interface WebTransportInternals {
  _ws?: { close(code?: number): void; terminate?(): void };
  onWebSocketClose?(event: { code: number }, ws: unknown): void;
}

/**
 * Closes the transport's WebSocket without waiting for the server, and tells sip.js at once, as
 * if the socket had closed abnormally (code 1006): sip.js then reports a disconnect (its
 * `onDisconnect` delegate gets an error) and lets its transport connect again.
 */
export function dropWebSocket(ua: UserAgent): void {
  const transport = ua.transport as unknown as WebTransportInternals;
  const ws = transport._ws;
  if (!ws) return;
  closeAtOnce(ws);
  // sip.js ignores the real close event of a socket it has already let go of.
  transport.onWebSocketClose?.({ code: 1006 }, ws);
}

/** A REGISTER of this registerer awaits its final answer (sip.js keeps `waiting` private). */
export function registerPending(registerer: Registerer): boolean {
  return (registerer as unknown as { waiting?: boolean }).waiting === true;
}

/** sip.js replays the last Authorization header on every refresh of its REGISTER: dropped, so a new password or server is heard. */
export function dropReplayedAuthorization(registerer: Registerer): void {
  const request = (registerer as unknown as { request?: { headers?: Record<string, unknown> } }).request;
  if (request?.headers) {
    delete request.headers['Authorization'];
    delete request.headers['Proxy-Authorization'];
  }
}

/**
 * sip.js reads the digest password from its configuration on every challenge but offers no setter:
 * a refreshed password is written there (the configuration object is typed readonly).
 */
export function setAuthorizationPassword(ua: UserAgent, password: string): void {
  (ua.configuration as { authorizationPassword?: string }).authorizationPassword = password;
}
