/**
 * EVERY reach of the sendbird provider into sendbird-calls internals, each with why. Checked against
 * CHECKED_SDK_VERSION; test/providers/sendbird/quirks.test.ts fails when the installed SDK differs
 * and checks each internal below still exists on a real SDK object.
 *
 * 1. The global WebSocket watch (`watchSdkSockets`): the only view of the SDK's signalling socket.
 * 2. The inert socket for session-less SDK retries (`InertSocket`): the only way to end them.
 * 3. `DirectCall._pc._rtcConnection` (`peerConnectionOf`): the call's RTCPeerConnection, for
 *    getStats() and the microphone switch; the SDK keeps it private.
 * 4. The remote stream caught from `remoteMediaView.srcObject` (`remoteStreamCatcher`): the SDK
 *    hands its remote MediaStream to nothing else.
 * 5. The SDK's call map (`_ctx.callManager._calls`) hidden around dial/accept (`asOnlyCall`): the
 *    only way to keep the SDK's hands off the other calls, which the core has already held.
 */
import type { DirectCall } from 'sendbird-calls';

/** The sendbird-calls release every reach into its internals (and every declaration about it) was checked against. */
export const CHECKED_SDK_VERSION = '1.10.21';

// ---- 1 and 2: the signalling socket ----
//
// sendbird-calls 1.10 tells an app nothing about its signalling socket: no state listener, and it
// reconnects on its own. The only place to see it is the `new WebSocket(wsHost + '/?sbcall_session_token=…')`
// the SDK makes at every (re)connect, so the provider watches the global WebSocket constructor.
// Sockets to any other URL are created untouched.
//
// The SDK also never stops retrying: each failed attempt starts a retry loop without an end
// (sendbird-calls 1.10.21, `Bu(5000, 1000)` without `maxRetrial`), and after `deauthenticate()`
// those loops go on opening sockets with `sbcall_session_token=null` every few seconds. Such a
// socket can only be refused by a server; the watcher answers it with an inert socket that reports
// `open` and carries nothing, which is the one answer that ends the SDK's loop.

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
      if (ORPHANED_RETRY.test(url)) return new InertSocket(url);
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

// ---- 3: the call's RTCPeerConnection ----

interface DirectCallInternals {
  /** A getter over `_rotatablePeerConnection.activePeerConnection`; its `_rtcConnection` is the browser's object. */
  _pc?: { _rtcConnection?: RTCPeerConnection | null };
}

/** The RTCPeerConnection of a DirectCall, once the SDK has built one. */
export function peerConnectionOf(call: DirectCall | undefined): RTCPeerConnection | undefined {
  return (call as unknown as DirectCallInternals | undefined)?._pc?._rtcConnection ?? undefined;
}

// ---- 4: the remote stream ----

/**
 * The remote audio of a DirectCall: sendbird-calls hands its remote MediaStream only to a
 * `remoteMediaView` element (by setting `srcObject`). The provider gives it a detached, muted
 * element whose `srcObject` setter forwards the stream to polyphone, which plays it where the app
 * asked (CallOptions.audioElement).
 */
export function remoteStreamCatcher(onStream: (stream: MediaStream) => void): HTMLMediaElement | undefined {
  if (typeof document === 'undefined') return undefined;
  const element = document.createElement('audio');
  element.muted = true;
  const native = Object.getOwnPropertyDescriptor(HTMLMediaElement.prototype, 'srcObject');
  if (!native?.get || !native.set) return element;
  let last: MediaStream | undefined;
  Object.defineProperty(element, 'srcObject', {
    configurable: true,
    get: () => native.get!.call(element) as MediaProvider | null,
    set: (value: MediaProvider | null) => {
      native.set!.call(element, value);
      if (typeof MediaStream !== 'undefined' && value instanceof MediaStream && value !== last) {
        last = value;
        onStream(value);
      }
    },
  });
  return element;
}

// ---- 5: the other calls, around dial() and accept() ----

interface CallManagerInternals {
  _ctx?: { callManager?: { _calls?: Map<string, DirectCall> } };
}

/**
 * Runs `open` (a dial or an accept) as if `keep` were the SDK's only call. sendbird-calls first
 * ENDS every other call it has ever had (`callManager.endExcept`), or with `holdActiveCall` calls
 * hold() on each one not on hold, ended ones included, whose rejection nobody catches (an unhandled
 * rejection in the app). The core has already held the calls in progress, so neither is wanted:
 * every other call is taken out of the SDK's map for the synchronous start of `open` and put back
 * right after. `anyCall`: any DirectCall of this SDK instance (they share one call manager).
 */
export function asOnlyCall<T>(anyCall: DirectCall, keep: DirectCall | undefined, open: () => T): T {
  const calls = (anyCall as unknown as CallManagerInternals)._ctx?.callManager?._calls;
  if (!(calls instanceof Map)) return open();
  const hidden = [...calls].filter(([, call]) => call !== keep);
  for (const [id] of hidden) calls.delete(id);
  try {
    return open();
  } finally {
    for (const [id, call] of hidden) if (!calls.has(id)) calls.set(id, call);
  }
}
