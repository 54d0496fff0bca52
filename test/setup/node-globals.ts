// Vendor SDKs are browser-first; in Node they find the `ws` package where a browser has WebSocket.
// Node 20's experimental WebSocket is not used: on a refused connection it never fires `close`.
import { WebSocket } from 'ws';

if (typeof (globalThis as { WebSocket?: unknown }).WebSocket === 'undefined') {
  (globalThis as { WebSocket?: unknown }).WebSocket = WebSocket;
}
