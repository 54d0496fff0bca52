/**
 * One Telnyx connection: the SDK client from login to teardown, and what its session-level events
 * mean in each phase. The SDK logs in, reconnects and logs in again by itself; this machine only
 * follows it, bounds what the SDK leaves unbounded, and reports to the core.
 *
 *            connect()                telnyx.ready
 *   idle ─────────────▶ connecting ─────────────────▶ ready ◀───────────────┐
 *                           │                          │ socket closed, or   │ telnyx.ready
 *                           │ a failure rejects        │ keep-alive verdict  │ (the SDK logged
 *                           │ connect(); the core      ▼                     │  in again)
 *                           │ then stops it           lost ─────────────────┘
 *                           │                          │ 45003, re-login refused, punt
 *                           ▼          stop            ▼
 *                        stopped ◀──────────────── (failed)
 *   disconnect() moves any phase to stopped; connect() from stopped starts again.
 */
import { VoiceError, bounded, describeCause, type ConnectResult, type Credentials, type ProviderContext } from '../../core/provider-kit.js';
import { SessionCalls } from './calls.js';
import { clientOptions, credentialSecretsOf, loginFailure, tokenExpiry } from './credentials.js';
import { SDK_CODE, sdkError, sessionErrorVerdict, type TelnyxSdkError } from './errors.js';
import { KeepAlive } from './keep-alive.js';
import { routeSdkLogs } from './logs.js';
import type { TelnyxOptions } from './options.js';
import { SOCKET_ACTIVITY_EVENT, dropSocket, forgetSdkCalls, neverConnectAgain, observeLogins, sdkLoggerOf, type QuirkyClient } from './quirks.js';
import { loginOnOpenSocket } from './token-refresh.js';

const NAME = 'telnyx';

type TelnyxModule = typeof import('@telnyx/webrtc');

export type Phase = 'idle' | 'connecting' | 'ready' | 'lost' | 'stopped';
type Move = 'connect' | 'ready' | 'lost' | 'failed' | 'stop';

/** Every legal move; a move absent here is ignored (an SDK event that means nothing in that phase). */
const TRANSITIONS: Record<Phase, Partial<Record<Move, Phase>>> = {
  idle: { connect: 'connecting', stop: 'stopped' },
  connecting: { ready: 'ready', stop: 'stopped' },
  ready: { lost: 'lost', failed: 'stopped', stop: 'stopped' },
  lost: { ready: 'ready', failed: 'stopped', stop: 'stopped' },
  stopped: { connect: 'connecting', stop: 'stopped' },
};

/**
 * The session whose socket is delivering a frame right now. The SDK reports a frame that is not
 * JSON only through its module-wide logger, shared by every client; it reports the frame's arrival
 * on the receiving client first, in the same synchronous turn, so this names the client it is about.
 */
let receiving: TelnyxSession | undefined;

export class TelnyxSession {
  private _phase: Phase = 'idle';
  private _client: QuirkyClient | undefined;
  private pending: { resolve(result: ConnectResult): void; reject(error: VoiceError): void } | undefined;
  private cleanup: Array<() => void> = [];
  private keepAlive: KeepAlive | undefined;
  /** The raw reply to the last login, which `telnyx.error` 46001 does not carry. */
  private lastLoginError: unknown;
  private refreshing = false;
  readonly calls: SessionCalls;

  constructor(
    private readonly options: TelnyxOptions,
    private readonly context: ProviderContext,
    private readonly credentials: () => Credentials | undefined,
  ) {
    this.calls = new SessionCalls(options, context, () => this.credentials()?.type === 'anonymous');
  }

  get phase(): Phase {
    return this._phase;
  }

  get client(): QuirkyClient | undefined {
    return this._client;
  }

  async start(sdk: TelnyxModule, credentials: Credentials, signal: AbortSignal): Promise<ConnectResult> {
    this.teardown();
    const ready = new Promise<ConnectResult>((resolve, reject) => {
      this.pending = { resolve, reject };
    });
    ready.catch(() => {});
    // The SDK logs from its constructor on; its logger is module-wide, so it is reachable first.
    this.cleanup.push(
      routeSdkLogs(sdkLoggerOf(sdk), {
        log: (level, message) => this.onSdkLog(level, message),
        secrets: () => credentialSecretsOf(this.credentials()),
      }),
    );
    let client: QuirkyClient;
    try {
      client = new sdk.TelnyxRTC(clientOptions(credentials, this.options, this.context) as ConstructorParameters<typeof sdk.TelnyxRTC>[0]) as QuirkyClient;
    } catch (error) {
      this.teardown();
      throw new VoiceError('CONFIG_INVALID', 'The Telnyx SDK refused its options.', { provider: NAME, cause: describeCause(error) });
    }
    this._client = client;
    this.move('connect');
    this.attach(client);
    this.keepAlive = new KeepAlive(client, this.options.keepAliveIntervalMs, {
      phase: () => this._phase,
      onDead: (why) => this.onConnectionDead(client, why),
    });
    this.keepAlive.start();
    await client.connect();
    return bounded(ready, { signal, what: 'Telnyx login', provider: NAME });
  }

  async stop(): Promise<void> {
    const client = this._client;
    const loggedIn = this._phase === 'ready' || this._phase === 'lost';
    this.teardown();
    if (!client) return;
    if (!loggedIn) forgetSdkCalls(client);
    await bounded(client.disconnect(), { timeoutMs: 6_000, what: 'Telnyx disconnect', provider: NAME }).catch(() => {});
  }

  /** A new `login` on the open socket (token-refresh.ts); its refusal is refreshToken()'s to report. */
  reLogin(token: string, signal: AbortSignal): Promise<void> {
    const client = this._client;
    if (!client) return Promise.reject(new VoiceError('INVALID_STATE', 'The Telnyx session is not open.', { provider: NAME }));
    this.refreshing = true;
    return loginOnOpenSocket(client, token, signal).finally(() => {
      this.refreshing = false;
    });
  }

  // ---- internals ----

  /** Applies a move if the table allows it; returns the phase it left, or undefined when ignored. */
  private move(move: Move): Phase | undefined {
    const from = this._phase;
    const to = TRANSITIONS[from][move];
    if (to === undefined) return undefined;
    this._phase = to;
    return from;
  }

  private attach(client: QuirkyClient): void {
    const on = (event: string, handler: (payload: any) => void) => {
      client.on(event, handler);
      this.cleanup.push(() => client.off(event, handler));
    };
    on('telnyx.ready', () => this.onReady());
    on('telnyx.error', (event: { error?: TelnyxSdkError; callId?: string }) => this.onSdkError(event));
    on('telnyx.warning', (event: { warning?: { code?: number; name?: string; message?: string } }) => this.onWarning(event));
    on('telnyx.notification', (event) => this.calls.onNotification(event));
    on(SOCKET_ACTIVITY_EVENT, () => {
      receiving = this;
    });
    on('telnyx.socket.close', () => this.onSocketGone('closed'));
    on('telnyx.socket.error', () => this.onSocketGone('failed'));
    on('telnyx.socket.message', (message: { method?: string; params?: Record<string, unknown> }) => this.onServerPush(message));
    on('telnyx.ai.conversation', (event: { params?: unknown } | undefined) => this.calls.agentCall()?.agent.onFrame(event?.params));
    observeLogins(client, {
      accepted: () => {
        this.lastLoginError = undefined;
        if (this._phase === 'connecting' && !(typeof client.sessionid === 'string' && client.sessionid !== '')) {
          this.failConnect(new VoiceError('PROTOCOL_ERROR', 'Telnyx answered the login without a session id.', { provider: NAME }));
        }
      },
      refused: (error) => {
        this.lastLoginError = error ?? {};
      },
    });
  }

  private onReady(): void {
    const from = this.move('ready');
    if (from === 'connecting') {
      const pending = this.pending;
      this.pending = undefined;
      // Telnyx reports the gateway REGED for every login, anonymous ones included: the platform
      // holds the session (the issue asks `registered` for all three). Anonymous still takes no calls.
      pending?.resolve({ registered: true });
    } else if (from === 'lost') {
      // The core reports `registered` with it (its reconnection trace is the same on every vendor).
      this.context.sink.connectionRestored();
    }
  }

  private onSdkError(event: { error?: TelnyxSdkError; callId?: string }): void {
    const error = event.error;
    const code = error?.code;
    if (code === SDK_CODE.HOLD_FAILED || code === SDK_CODE.BYE_SEND_FAILED) return; // reported by hold() / irrelevant once ending
    if (this.calls.onError(event.callId, error)) return;
    if (code === SDK_CODE.LOGIN_FAILED && this.refreshing) return; // refreshToken() reports it
    const phase = this._phase;
    if (phase !== 'connecting' && phase !== 'ready' && phase !== 'lost') return;
    const verdict = sessionErrorVerdict(code, phase);
    if (phase === 'connecting') {
      if (verdict === 'login-refused') {
        // The login's own callback (with the server's reason) runs right after this event.
        setTimeout(() => this.failConnect(this.loginFailure(error)), 0);
      } else if (verdict === 'unreachable') {
        this.failConnect(sdkError(error, 'The Telnyx server could not be reached.'));
      } else {
        this.context.sink.log('warn', `Telnyx error during login: ${error?.name ?? 'unknown'} (${code ?? '-'})`);
      }
      return;
    }
    if (verdict === 'unreachable') this.giveUp(sdkError(error, 'Telnyx could not restore the connection.'));
    else if (verdict === 'login-refused') this.giveUp(this.loginFailure(error));
    else if (verdict === 'report') this.context.sink.error(sdkError(error));
  }

  private onWarning(event: { warning?: { code?: number; name?: string; message?: string } }): void {
    const warning = event.warning;
    if (warning?.code === SDK_CODE.TOKEN_EXPIRING_SOON) {
      this.context.sink.tokenWillExpire({ expiresAt: tokenExpiry(this.credentials()) });
      return;
    }
    this.context.sink.log('warn', `Telnyx warning ${warning?.code ?? ''} ${warning?.name ?? ''}: ${warning?.message ?? ''}`.trim());
  }

  private onServerPush(message: { method?: string; params?: Record<string, unknown> }): void {
    // A punt makes the SDK drop the socket for good (serverDisconnect, no reconnect): the session
    // ends here, typed, instead of waiting in `reconnecting` for a telnyx.ready that never comes.
    if (message.method === 'telnyx_rtc.punt' && this._phase !== 'connecting') {
      // The SDK has purged the session itself; a disconnect() of ours would only cancel its requests.
      this.teardown();
      this.context.sink.connectionFailed(new VoiceError('NETWORK_UNREACHABLE', 'The Telnyx server ended the session (punt).', { provider: NAME }));
      return;
    }
    this.calls.onServerPush(message);
  }

  private onSocketGone(how: 'closed' | 'failed'): void {
    if (this._phase === 'connecting') {
      this.failConnect(new VoiceError('NETWORK_UNREACHABLE', `The Telnyx WebSocket ${how} before the login finished.`, { provider: NAME }));
    } else if (this.move('lost')) {
      // The SDK reconnects and logs in again by itself; its next telnyx.ready restores the session.
      this.context.sink.connectionLost();
    }
  }

  /** Open but silent: reported now, and the SDK reconnects as after its own health probe gives up. */
  private onConnectionDead(client: QuirkyClient, why: string): void {
    if (this._client !== client || this._phase !== 'ready') return;
    this.context.sink.log('warn', `The Telnyx connection is dead: ${why}; reconnecting.`);
    this.move('lost');
    this.context.sink.connectionLost();
    dropSocket(client);
  }

  private onSdkLog(level: 'debug' | 'info' | 'warn' | 'error', message: string): void {
    // The SDK's own lines are the vendor's, not polyphone's events: debug only (redacted by the core).
    this.context.sink.log('debug', `telnyx [${level}]: ${message}`);
    // A frame that is not JSON at all only ever shows up as this warning.
    if (this._phase === 'connecting' && receiving === this && level === 'warn' && message.includes('Unknown message from socket')) {
      this.failConnect(new VoiceError('PROTOCOL_ERROR', 'The Telnyx server sent a frame that is not JSON-RPC.', { provider: NAME }));
    }
  }

  private failConnect(error: VoiceError): void {
    if (this._phase !== 'connecting') return;
    const pending = this.pending;
    this.pending = undefined;
    pending?.reject(error);
  }

  /** The connection is gone for good: the core ends the session `disconnected`. */
  private giveUp(error: VoiceError): void {
    const client = this._client;
    if (!this.move('failed')) return;
    this.teardown();
    this.context.sink.connectionFailed(error);
    void client?.disconnect().catch(() => {});
  }

  private loginFailure(error: TelnyxSdkError | undefined): VoiceError {
    return loginFailure(error, this.lastLoginError, this.credentials());
  }

  /** Forgets the SDK client: no handler of this session runs for it again. */
  private teardown(): void {
    for (const undo of this.cleanup.splice(0)) undo();
    this.keepAlive?.stop();
    this.keepAlive = undefined;
    if (receiving === this) receiving = undefined;
    if (this._client) neverConnectAgain(this._client);
    this._client = undefined;
    this.calls.clear();
    if (this._phase === 'connecting') {
      const pending = this.pending;
      this.pending = undefined;
      pending?.reject(new VoiceError('ABORTED', 'The Telnyx connect was stopped.', { provider: NAME }));
    }
    this.move('stop');
  }
}
