/**
 * sendbird-calls 1.10 tells an app nothing about its signalling socket: no state listener, and it
 * reconnects on its own. The only place to see it is the `new WebSocket(wsHost + '/?sbcall_session_token=…')`
 * the SDK makes at every (re)connect, so the provider watches the global WebSocket constructor.
 * Sockets to any other URL are created untouched.
 *
 * The SDK also never stops retrying: each failed attempt starts a retry loop without an end
 * (sendbird-calls 1.10.21, `Bu(5000, 1000)` without `maxRetrial`), and after `deauthenticate()`
 * those loops go on opening sockets with `sbcall_session_token=null` every few seconds. Such a
 * socket can only be refused by a server; the watcher answers it with an inert socket that reports
 * `open` and carries nothing, which is the one answer that ends the SDK's loop.
 */

export interface SocketObserver {
  /** The WebSocket origin this observer's SDK instance connects to. */
  readonly wsHost: string;
  /** A socket of the SDK to `wsHost` was created (the session token is in its URL). */
  created(sessionToken: string): void;
  opened(socket: WebSocket): void;
  /** `byClient`: the SDK closed it itself (it replaces the socket right away). */
  closed(socket: WebSocket, byClient: boolean): void;
}

const SDK_SOCKET_PATH = '/?sbcall_session_token=';
const ORPHANED_RETRY = /\/\?sbcall_session_token=null&sbcall_client_id=/;

const observers = new Set<SocketObserver>();
let installed = false;
let inertSockets = 0;

/** How many orphaned SDK reconnection attempts were answered with an inert socket on this page. */
export function orphanedRetriesAbsorbed(): number {
  return inertSockets;
}

export function watchSdkSockets(observer: SocketObserver): () => void {
  install();
  observers.add(observer);
  return () => observers.delete(observer);
}

function install(): void {
  if (installed) return;
  const Native = globalThis.WebSocket;
  if (typeof Native !== 'function') return;
  installed = true;
  globalThis.WebSocket = new Proxy(Native, {
    construct(target, args: [string | URL, (string | string[])?], newTarget) {
      const url = String(args[0]);
      if (ORPHANED_RETRY.test(url)) {
        inertSockets += 1;
        return new InertSocket(url);
      }
      const socket = Reflect.construct(target, args, newTarget) as WebSocket;
      for (const observer of observers) {
        if (url.startsWith(observer.wsHost + SDK_SOCKET_PATH)) observe(socket, url, observer);
      }
      return socket;
    },
  });
}

function observe(socket: WebSocket, url: string, observer: SocketObserver): void {
  const token = new URL(url).searchParams.get('sbcall_session_token');
  if (token) observer.created(token);
  let byClient = false;
  const close = socket.close.bind(socket);
  socket.close = (code?: number, reason?: string) => {
    byClient = true;
    close(code, reason);
  };
  socket.addEventListener('open', () => observer.opened(socket));
  socket.addEventListener('close', () => observer.closed(socket, byClient));
}

/** A socket that opens and then does nothing; only ever handed to a session-less SDK retry. */
class InertSocket extends EventTarget {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSING = 2;
  static readonly CLOSED = 3;
  readonly CONNECTING = 0;
  readonly OPEN = 1;
  readonly CLOSING = 2;
  readonly CLOSED = 3;
  readyState = 0;
  binaryType: BinaryType = 'blob';
  readonly bufferedAmount = 0;
  readonly extensions = '';
  readonly protocol = '';
  onopen: ((event: Event) => void) | null = null;
  onmessage: ((event: MessageEvent) => void) | null = null;
  onerror: ((event: Event) => void) | null = null;
  onclose: ((event: CloseEvent | Event) => void) | null = null;

  constructor(readonly url: string) {
    super();
    setTimeout(() => {
      if (this.readyState !== 0) return;
      this.readyState = 1;
      const event = new Event('open');
      this.onopen?.(event);
      this.dispatchEvent(event);
    }, 0);
  }

  send(): void {
    /* nothing listens */
  }

  close(): void {
    this.readyState = 3;
  }
}
