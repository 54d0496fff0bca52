/**
 * The Cognigy connection's phases (the table: ../sip/phases.ts), driven by JsSIP's user-agent
 * events, with the keep-alive. JsSIP reconnects by itself, endlessly; the core's reconnection
 * policy bounds it from the failed tries reported here (src/core/reconnect.ts):
 *
 *   start      connect() begins (a new JsSIP UA follows)
 *   up         `registered` (legacy) or `connected` (runtime) during connect(): keep-alive starts
 *   lost       `disconnected` while connected (closed, or dropped by the keep-alive); while
 *              reconnecting, each `disconnected` is one failed try, reported (no move)
 *   restored   `registered` again (legacy) or `connected` again (runtime)
 *   stop       disconnect(), also the core's when its policy gives up
 */
import type { UA } from 'jssip/lib/UA.js';
import type { WebSocketInterface } from 'jssip';
import { VoiceError, type ProviderContext } from '../../core/provider-kit.js';
import { KeepAlive } from '../sip/keep-alive.js';
import { Phases, type Phase } from '../sip/phases.js';
import { registrationFailure } from './errors.js';
import { jssipOptionsPing } from './keep-alive.js';
import { dropWebSocket } from './quirks.js';

const NAME = 'cognigy';
// A reconnection try whose WebSocket does not open within this is cut (a black-holed path or a hung
// server would hold JsSIP's try forever) and counts as failed, as a sipjs try that hangs does.
const RECONNECT_TRY_MS = 5_000;

export interface SessionSettings {
  keepAliveIntervalMs: number;
}

export class CognigySession {
  private readonly phases = new Phases();
  private ua: UA | undefined;
  private socket: WebSocketInterface | undefined;
  private runtime = false;
  private keepAlive: KeepAlive | undefined;
  private tryTimer: ReturnType<typeof setTimeout> | undefined;
  /** While a refresh re-REGISTERs, its outcome is the refresh's to report. */
  refreshing = false;

  constructor(
    private readonly settings: SessionSettings,
    private readonly context: ProviderContext,
  ) {}

  get phase(): Phase {
    return this.phases.phase;
  }

  start(): void {
    this.phases.move('start');
  }

  /** Follows a new user agent's events; `runtime`: no REGISTER, the socket alone is the session. */
  follow(ua: UA, socket: WebSocketInterface, runtime: boolean): void {
    this.ua = ua;
    this.socket = socket;
    this.runtime = runtime;
    ua.on('connecting', () => this.boundTry(socket));
    ua.on('connected', () => this.onConnected(ua));
    ua.on('disconnected', (event) => this.onDisconnected(ua, event.code));
    ua.on('registered', () => this.onRegistered(ua));
    ua.on('unregistered', () => {
      if (ua === this.ua && !this.refreshing && (this.phases.phase === 'connected' || this.phases.phase === 'reconnecting')) this.context.sink.unregistered();
    });
    ua.on('registrationFailed', (event) => this.onRegistrationFailed(ua, event.response?.status_code, event.cause));
  }

  /** connect() is done: the keep-alive starts pinging `serverUri`. */
  up(serverUri: string): void {
    if (!this.phases.move('up') || !this.ua) return;
    const ua = this.ua;
    this.keepAlive?.stop();
    this.keepAlive = new KeepAlive(this.settings.keepAliveIntervalMs, jssipOptionsPing(ua, serverUri), () => this.phases.phase !== 'connected', (why) => {
      if (ua !== this.ua || !this.socket) return;
      this.log('warn', `the SIP connection is dead: ${why}`);
      dropWebSocket(this.socket);
    });
    this.keepAlive.start();
  }

  stop(): void {
    this.phases.move('stop');
    this.keepAlive?.stop();
    this.keepAlive = undefined;
    clearTimeout(this.tryTimer);
    this.ua = undefined;
    this.socket = undefined;
  }

  /** A reconnection try gets RECONNECT_TRY_MS to open its WebSocket; JsSIP itself waits forever. */
  private boundTry(socket: WebSocketInterface): void {
    clearTimeout(this.tryTimer);
    if (this.phases.phase !== 'reconnecting') return;
    this.tryTimer = setTimeout(() => {
      if (this.phases.phase !== 'reconnecting' || socket !== this.socket || this.ua?.isConnected()) return;
      this.log('warn', `a reconnection try got no WebSocket within ${RECONNECT_TRY_MS} ms`);
      dropWebSocket(socket);
    }, RECONNECT_TRY_MS);
  }

  private onConnected(ua: UA): void {
    clearTimeout(this.tryTimer);
    this.log('debug', 'SIP WebSocket connected');
    // A legacy session is back once it has registered again; a runtime one once the socket is up.
    if (ua === this.ua && this.runtime) this.restore();
  }

  private onDisconnected(ua: UA, code: number | undefined): void {
    clearTimeout(this.tryTimer);
    if (ua !== this.ua) return;
    if (this.phases.move('lost')) {
      this.log('warn', `SIP WebSocket lost (code ${code ?? 'none'}); JsSIP reconnects`);
      this.context.sink.connectionLost();
      return;
    }
    // Already reconnecting: one of JsSIP's tries failed; the core counts it.
    if (this.phases.phase === 'reconnecting') this.context.sink.reconnectTryFailed(new Error(`the WebSocket closed (code ${code ?? 'none'})`));
  }

  private onRegistered(ua: UA): void {
    if (ua !== this.ua) return;
    if (this.phases.phase === 'reconnecting') {
      this.restore();
    } else if (this.phases.phase === 'connected' && !this.refreshing) {
      this.context.sink.registered();
    }
  }

  private restore(): void {
    if (!this.phases.move('restored')) return;
    this.log('info', 'SIP WebSocket restored');
    this.context.sink.connectionRestored();
  }

  private onRegistrationFailed(ua: UA, status: number | undefined, cause: string | undefined): void {
    if (ua !== this.ua || this.refreshing || this.phases.phase === 'connecting') return;
    const error = registrationFailure(status, cause);
    // A REGISTER cut by a dropped socket fails just before JsSIP reports the drop itself; the
    // connection path (reconnecting, then restored or given up) is what tells the app.
    if (error.code === 'NETWORK_UNREACHABLE' || !ua.isConnected()) return;
    if (this.phases.phase === 'reconnecting' && error.code === 'AUTH_REJECTED') {
      // The password changed while the socket was down: only a fresh config (refreshToken) helps.
      this.giveUp(error);
    } else if (this.phases.phase === 'connected') {
      this.context.sink.error(error);
    }
  }

  private giveUp(error: VoiceError): void {
    if (this.phases.phase === 'stopped') return;
    // The core tears the user agent down (the provider's disconnect()) before it reports this.
    this.context.sink.connectionFailed(error);
  }

  private log(level: 'debug' | 'info' | 'warn', message: string): void {
    this.context.sink.log(level, `cognigy: ${message}`);
  }
}
