/**
 * Where the provider reaches into JsSIP 3.13 internals, in one place, each pinned by
 * test/providers/cognigy/quirks.test.ts (the checked version below, and each internal present).
 */
import type { UA } from 'jssip/lib/UA.js';
import type { RTCSession } from 'jssip/lib/RTCSession.js';
import type { WebSocketInterface } from 'jssip';
import { closeAtOnce } from '../sip/websocket.js';

/** The JsSIP version these quirks were checked against. */
export const CHECKED_JSSIP_VERSION = '3.13.8';

interface SocketInternals {
  _ws: { close(code?: number): void; terminate?(): void; onopen: unknown; onclose: unknown; onmessage: unknown; onerror: unknown } | null;
  /** Set by JsSIP's Transport on every Socket (JsSIP's documented Socket interface). */
  ondisconnect?(error: boolean, code?: number, reason?: string): void;
}

/**
 * Closes the WebSocket without waiting for the server, and tells JsSIP at once, as a socket that
 * closed abnormally (1006) would: JsSIP then reports `disconnected` and starts its own recovery.
 * JsSIP's only way out, `Transport.disconnect()`, waits for the close handshake a hung server never
 * completes, and marks the close as requested, so JsSIP would not reconnect. The handlers are
 * unbound first (as JsSIP's own disconnect() does), so the late real close event is not heard.
 */
export function dropWebSocket(socket: WebSocketInterface): void {
  const internals = socket as unknown as SocketInternals;
  const ws = internals._ws;
  if (!ws) return;
  ws.onopen = ws.onclose = ws.onmessage = ws.onerror = () => {};
  closeAtOnce(ws);
  // JsSIP's connect() would find the old socket "already connected" while it is still set.
  internals._ws = null;
  internals.ondisconnect?.(true, 1006, 'dropped by polyphone');
}

/**
 * JsSIP 3.13 emits `registered` only on a change from unregistered, so a re-REGISTER's 200 would
 * pass unseen; clearing its flag makes the 200 observable.
 */
export function forgetRegistered(ua: UA): void {
  (ua.registrator() as unknown as { _registered: boolean })._registered = false;
}

/**
 * JsSIP 3.13 keeps the socket open 2 s after stop() while any transaction lives; once the
 * un-REGISTER is answered nothing is left to wait for, so it is closed now.
 */
export function closeLingeringSocket(ua: UA): void {
  const internals = ua as unknown as { _closeTimer: ReturnType<typeof setTimeout> | null; _transport?: { disconnect(): void } };
  if (internals._closeTimer !== null && internals._closeTimer !== undefined) {
    clearTimeout(internals._closeTimer);
    internals._closeTimer = null;
    internals._transport?.disconnect();
  }
}

/**
 * JsSIP 3.13's Replaces accept() ends the replaced session from a `confirmed` listener of the new
 * one with a bare terminate(), which throws (INVALID_STATE_ERROR, uncaught in the page) when the
 * replaced dialog has ended meanwhile: the transferor's BYE often comes before the new dialog's
 * ACK. Called from accept()'s init callback, when JsSIP's listener is the only one: it is swapped
 * for one that ends the replaced session only while it lives.
 */
export function endReplacedWhenConfirmed(session: RTCSession, replaced: RTCSession): void {
  const events = session as unknown as { removeAllListeners(name: string): void; on(name: string, listener: () => void): void };
  events.removeAllListeners('confirmed');
  events.on('confirmed', () => {
    if (!replaced.isEnded()) replaced.terminate();
  });
}
