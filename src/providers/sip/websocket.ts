/**
 * SIP over WebSocket needs a global WebSocket: browsers have one; Node 20 has none that behaves
 * (its experimental one never fires `close` on a refused connection, and sip.js's start() then
 * never settles), so the `ws` package stands in there, loaded only when needed.
 */
import { importVendorSdk } from '../../core/provider-kit.js';

export async function ensureWebSocket(provider: string): Promise<void> {
  if (typeof (globalThis as { WebSocket?: unknown }).WebSocket !== 'undefined') return;
  // The name is a variable so that browser bundlers leave it out.
  const wsPackage = 'ws';
  const ws = await importVendorSdk(provider, 'ws', () => import(/* webpackIgnore: true */ /* @vite-ignore */ wsPackage) as Promise<{ WebSocket: unknown }>);
  (globalThis as { WebSocket?: unknown }).WebSocket = ws.WebSocket;
}

/**
 * Closes a WebSocket without waiting for the server's close handshake (which a hung server never
 * completes): `ws` in Node can destroy the socket at once; a browser WebSocket only offers close().
 */
export function closeAtOnce(ws: { close(code?: number): void; terminate?(): void }): void {
  try {
    if (typeof ws.terminate === 'function') ws.terminate();
    else ws.close(1000);
  } catch {
    /* already closing */
  }
}
