/**
 * The sendbird provider's connection phases. sendbird-calls reconnects its signalling socket by
 * itself, forever, and tells nobody (quirks.ts watches the socket); this machine turns what the
 * watch sees into the core's reports (each socket that fails to come back is one failed try), and
 * the core's reconnection policy bounds it (src/core/reconnect.ts): when the policy gives up, the
 * core's disconnect() clears the SDK's session, which stops its retries.
 *
 *            connect              opened
 *   idle ───────────────▶ connecting ─────────▶ connected ◀──────────┐
 *    ▲  ▲                    │                    │                   │ socketBack
 *    │  │     teardown       │       socketLost   ▼                   │ (restored)
 *    │  └────────────────────┘                   lost ───────────────┘
 *    │                                            │ (a socket that fails: reconnectTryFailed)
 *    └──────────── teardown ──────────────────────┘      teardown: from every phase to idle
 *
 * The login (REST) comes before `connect` and is the provider's; so is the SDK instance.
 */
import type { ProviderContext } from '../../core/provider-kit.js';
import { NAME } from './errors.js';
import { watchSdkSockets } from './quirks.js';

export type Phase = 'idle' | 'connecting' | 'connected' | 'lost';
type Move = 'connect' | 'opened' | 'socketLost' | 'socketBack' | 'teardown';

/** Every legal move; a move missing from a phase's row is ignored there (a late or stray report). */
const TRANSITIONS: Record<Phase, Partial<Record<Move, Phase>>> = {
  idle: { connect: 'connecting', teardown: 'idle' },
  // A failed connect() is retried by the core after a teardown, but a second connect() is harmless.
  connecting: { connect: 'connecting', opened: 'connected', teardown: 'idle' },
  connected: { socketLost: 'lost', teardown: 'idle' },
  lost: { socketBack: 'connected', teardown: 'idle' },
};

// sendbird-calls' own default when `wsHost` is not given.
const DEFAULT_WS_HOST = (appId: string) => `wss://ws-${appId}.calls.sendbird.com`;

export interface SessionOptions {
  appId: string;
  wsHost: string | undefined;
}

export class SendbirdSession {
  private current: Phase = 'idle';
  private stopWatching: (() => void) | undefined;
  private liveSocket: WebSocket | undefined;

  constructor(
    private readonly options: SessionOptions,
    private readonly context: ProviderContext,
  ) {}

  get phase(): Phase {
    return this.current;
  }

  /** Connected, or reconnecting by itself: the session still holds its login. */
  get live(): boolean {
    return this.current === 'connected' || this.current === 'lost';
  }

  /** Before connectWebSocket(): starts watching the SDK's sockets. */
  connecting(): void {
    this.move('connect');
    this.stopWatching ??= watchSdkSockets({
      wsHost: this.options.wsHost ?? DEFAULT_WS_HOST(this.options.appId),
      created: (sessionToken) => this.context.redactor.add(sessionToken),
      opened: (socket) => this.socketOpened(socket),
      closed: (socket, byClient) => this.socketClosed(socket, byClient),
    });
  }

  /** connectWebSocket() resolved; false when a teardown came first. */
  opened(): boolean {
    return this.move('opened');
  }

  /** Stops everything of this session on the polyphone side. */
  teardown(): void {
    this.move('teardown');
    this.liveSocket = undefined;
    this.stopWatching?.();
    this.stopWatching = undefined;
  }

  private move(move: Move): boolean {
    const next = TRANSITIONS[this.current][move];
    if (next === undefined) return false;
    this.current = next;
    return true;
  }

  private socketOpened(socket: WebSocket): void {
    this.liveSocket = socket;
    if (!this.move('socketBack')) return;
    this.context.sink.log('info', 'the Sendbird WebSocket is back');
    // The core reports `registered` with it (its reconnection trace is the same on every vendor).
    this.context.sink.connectionRestored();
  }

  private socketClosed(socket: WebSocket, byClient: boolean): void {
    // The SDK closes a socket itself only to open the next one at once; a failure of that one is
    // what counts. So does the close of an old socket while a newer one is open.
    if (byClient) return;
    if (this.current === 'lost') {
      // One of the SDK's own tries failed: the core counts it against its policy.
      this.context.sink.reconnectTryFailed(new Error('the Sendbird WebSocket closed again'));
      return;
    }
    if (this.current !== 'connected') return;
    if (this.liveSocket && socket !== this.liveSocket && this.liveSocket.readyState === 1) return;
    this.move('socketLost');
    this.context.sink.log('warn', 'the Sendbird WebSocket closed; sendbird-calls reconnects by itself');
    this.context.sink.connectionLost();
  }
}
