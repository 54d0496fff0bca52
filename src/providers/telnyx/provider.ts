import type { TelnyxRTC } from '@telnyx/webrtc';
import { jwtDecode } from 'jwt-decode';
import {
  exactDeviceId,
  VoiceError,
  assertWebRtc,
  bounded,
  configInvalid,
  describeCause,
  importVendorSdk,
  isVoiceError,
  type CallSink,
  type ConnectResult,
  type Credentials,
  type ProviderCall,
  type ProviderCallOptions,
  type ProviderCapabilities,
  type ProviderContext,
  type ProviderDefinitionV1,
  type VoiceProviderV1,
} from '../../core/provider-kit.js';
import { TelnyxCall, type SdkCall } from './call.js';
import { agentCallOf, agentCapabilities } from './agent-routing.js';
import { sdkCause, sdkError, type TelnyxSdkError } from './codes.js';
import { routeSdkLogs, type SdkLogger } from './logs.js';
import { parseTelnyxOptions, type TelnyxOptions } from './options.js';
import { KeepAlive } from './keep-alive.js';
import { dropSocket } from './quirks.js';

type TelnyxModule = typeof import('@telnyx/webrtc');
type SdkClient = TelnyxRTC & {
  __logger: SdkLogger;
  sessionid?: string;
  connected?: boolean;
  updateToken?: (token: string) => Promise<unknown> | unknown;
};
type LoginArgs = { creds?: Record<string, unknown>; onSuccess?: () => void; onError?: (error: unknown) => void };

const NAME = 'telnyx';
const TOKEN_EXPIRING_SOON = 34001;
const LOGIN_FAILED = 46001;
const RECONNECTION_EXHAUSTED = 45003;
const HOLD_FAILED = 44001;
const BYE_SEND_FAILED = 44003;

/**
 * The provider whose socket is delivering a frame right now. The SDK reports a frame that is not
 * JSON only through its module-wide logger, shared by every client; it reports the frame's arrival
 * on the receiving client first, in the same synchronous turn, so this names the client it is about.
 */
let receiving: TelnyxProvider | undefined;

/** Where the session stands; SDK events mean different things in each. */
type Phase = 'idle' | 'connecting' | 'ready' | 'lost' | 'stopped';

interface PendingConnect {
  resolve(result: ConnectResult): void;
  reject(error: VoiceError): void;
}

class TelnyxProvider implements VoiceProviderV1 {
  readonly specificationVersion = 'v1' as const;
  readonly name = NAME;
  private sdk: TelnyxModule | undefined;
  private credentials: Credentials | undefined;
  private client: SdkClient | undefined;
  get vendor(): TelnyxRTC | undefined {
    return this.client;
  }
  private phase: Phase = 'idle';
  private pending: PendingConnect | undefined;
  private readonly calls = new Map<string, TelnyxCall>();
  private readonly reservedIds = new Set<string>();
  private cleanup: Array<() => void> = [];
  /** The raw reply to the last login, which `telnyx.error` 46001 does not carry. */
  private lastLoginError: unknown;
  private refreshing = false;
  private keepAlive: KeepAlive | undefined;

  constructor(
    private readonly options: TelnyxOptions,
    private readonly context: ProviderContext,
  ) {}

  get capabilities(): ProviderCapabilities {
    const user = this.credentials !== undefined && this.credentials.type !== 'anonymous';
    return {
      incomingCalls: user,
      mute: true,
      hold: true,
      // 2.27.10 has no handler for a pushed telnyx_rtc.modify: a held party is never told.
      remoteHold: false,
      dtmf: true,
      // Withdrawn: nothing in the SDK or Telnyx's docs shows the service forwarding a party's
      // telnyx_rtc.info DTMF to the far WebRTC leg (the SDK only sends it).
      receiveDtmf: false,
      tokenRefresh: this.credentials?.type === 'jwt',
      anonymous: true,
      // Only an anonymous_login to an AI assistant gets ai_conversation frames.
      ...agentCapabilities(this.credentials?.type === 'anonymous'),
      inputSelection: true,
      // The SDK keeps several calls, but this provider maps one; the browser SDK has no transfer
      // (Telnyx transfers through its server-side Call Control API).
      multipleCalls: false,
      transfer: false,
      // Samples come from the SDK's RTCPeerConnection (call.peer.instance). The SDK restarts ICE
      // on its own (Peer.restartIce); polyphone does not drive it, so the core only watches.
      quality: true,
      mediaReconnect: false,
    };
  }

  async init(): Promise<void> {
    this.sdk = await importVendorSdk(NAME, '@telnyx/webrtc', () => import('@telnyx/webrtc'));
  }

  async authenticate(credentials: Credentials): Promise<void> {
    if (credentials.type === 'jwt') {
      if (typeof credentials.token !== 'string' || credentials.token === '') throw configInvalid('credentials.token', 'The JWT is empty.');
    } else if (credentials.type === 'password') {
      const login = credentials.login ?? credentials.username;
      if (typeof login !== 'string' || login === '') throw configInvalid('credentials.login', 'A Telnyx password login needs "login" (the SIP connection user name).');
      if (typeof credentials.password !== 'string' || credentials.password === '') throw configInvalid('credentials.password', 'The password is empty.');
    } else if (credentials.type === 'anonymous') {
      if (typeof credentials.targetId !== 'string' || credentials.targetId === '') {
        throw configInvalid('credentials.targetId', 'An anonymous Telnyx session needs "targetId" (e.g. the AI assistant id).');
      }
    } else {
      throw new VoiceError('UNSUPPORTED', `The telnyx provider takes "jwt", "password" or "anonymous" credentials, not "${credentials.type}".`, { provider: NAME });
    }
    this.credentials = credentials;
  }

  async connect(signal: AbortSignal): Promise<ConnectResult> {
    const sdk = this.sdk!;
    const credentials = this.credentials!;
    this.teardown();
    const ready = new Promise<ConnectResult>((resolve, reject) => {
      this.pending = { resolve, reject };
    });
    ready.catch(() => {});
    // The SDK logs from its constructor on; its logger is module-wide, so it is reachable first.
    this.routeLogs((sdk.TelnyxRTC.prototype as unknown as { __logger: SdkLogger }).__logger);
    let client: SdkClient;
    try {
      client = new sdk.TelnyxRTC(this.clientOptions(credentials) as ConstructorParameters<typeof sdk.TelnyxRTC>[0]) as SdkClient;
    } catch (error) {
      this.teardown();
      throw new VoiceError('CONFIG_INVALID', 'The Telnyx SDK refused its options.', { provider: NAME, cause: describeCause(error) });
    }
    this.client = client;
    this.phase = 'connecting';
    this.attach(client);
    this.keepAlive = new KeepAlive(client, this.options.keepAliveIntervalMs, {
      phase: () => this.phase,
      onDead: (why) => this.onConnectionDead(client, why),
    });
    this.keepAlive.start();
    await client.connect();
    return bounded(ready, { signal, what: 'Telnyx login', provider: NAME });
  }

  async disconnect(): Promise<void> {
    const client = this.client;
    const loggedIn = this.phase === 'ready' || this.phase === 'lost';
    this.teardown();
    if (!client) return;
    // Calls the SDK took from a server that never completed the login (an invite pushed in place
    // of the login reply) exist nowhere else: the BYE the SDK would send for each waits seconds for
    // a reply that will not come, holding up the rejection of a connect() past its bound.
    if (!loggedIn) (client as unknown as { calls: Record<string, unknown> }).calls = {};
    await bounded(client.disconnect(), { timeoutMs: 6_000, what: 'Telnyx disconnect', provider: NAME }).catch(() => {});
  }

  async call(target: string, options: ProviderCallOptions, sink: CallSink): Promise<ProviderCall> {
    assertWebRtc(NAME);
    const client = this.client;
    if (!client || this.phase !== 'ready') throw new VoiceError('INVALID_STATE', 'The Telnyx session is not ready.', { provider: NAME });
    const id = crypto.randomUUID();
    const iceServers = options.iceServers ?? this.context.iceServers;
    let sdkCall: SdkCall;
    // Reserved before newCall: notifications of the new call that arrive inside it are not an incoming call.
    this.reservedIds.add(id);
    try {
      sdkCall = client.newCall({
        id,
        destinationNumber: target,
        audio: true,
        ...(exactDeviceId(options.audio) ? { micId: exactDeviceId(options.audio) } : {}),
        video: false,
        ...(iceServers ? { iceServers } : {}),
        ...(this.options.callerName ? { callerName: this.options.callerName } : {}),
        ...(this.options.callerNumber ? { callerNumber: this.options.callerNumber } : {}),
      }) as unknown as SdkCall;
    } catch (error) {
      throw new VoiceError('CALL_FAILED', 'Telnyx could not start the call.', { provider: NAME, cause: sdkCause(error as TelnyxSdkError) });
    } finally {
      this.reservedIds.delete(id);
    }
    const call = new TelnyxCall(sdkCall, 'outbound', true, this.context.sink.log);
    this.calls.set(id, call);
    call.bind(sink);
    call.onState(sdkCall.state);
    return call;
  }

  async refreshToken(credentials: Credentials | string | undefined, signal: AbortSignal): Promise<void> {
    const token = typeof credentials === 'string' ? credentials : credentials?.type === 'jwt' ? credentials.token : undefined;
    if (!token || this.credentials?.type !== 'jwt') {
      throw new VoiceError('UNSUPPORTED', 'The telnyx provider refreshes only the JWT of a JWT session.', { provider: NAME });
    }
    this.context.redactor.add(token);
    const client = this.client;
    this.credentials = { type: 'jwt', token };
    if (client && this.phase === 'ready' && client.connected) {
      try {
        await this.reLogin(client, token, signal);
        return;
      } catch (error) {
        if (isVoiceError(error) && error.code === 'ABORTED') throw error;
        this.context.sink.log('warn', `Telnyx refused the new token on the open socket (${isVoiceError(error) ? error.code : 'error'}); reconnecting with it.`);
      }
    }
    // Telnyx's advice when a refresh fails: disconnect, then connect with the new token.
    this.context.sink.connectionLost();
    try {
      await this.disconnect();
      await this.connect(signal);
    } catch (error) {
      const failure = isVoiceError(error) ? error : new VoiceError('AUTH_REJECTED', 'Telnyx refused the new token.', { provider: NAME, cause: describeCause(error) });
      this.context.sink.connectionFailed(failure);
      await this.disconnect();
      throw failure;
    }
    this.context.sink.connectionRestored();
  }

  // ---- internals ----

  private clientOptions(credentials: Credentials): Record<string, unknown> {
    const base: Record<string, unknown> = {
      host: this.options.host,
      debug: false,
      maxReconnectAttempts: this.options.reconnectAttempts,
    };
    // Without iceServers the SDK uses Telnyx's STUN/TURN; the lab passes [] (nothing reachable).
    if (this.context.iceServers) base.iceServers = this.context.iceServers;
    if (credentials.type === 'jwt') return { ...base, login_token: credentials.token };
    if (credentials.type === 'password') return { ...base, login: credentials.login ?? credentials.username, password: credentials.password };
    if (credentials.type === 'anonymous') {
      return {
        ...base,
        anonymous_login: {
          target_type: credentials.targetType ?? 'ai_assistant',
          target_id: credentials.targetId,
          ...(credentials.targetParams ? { target_params: credentials.targetParams } : {}),
        },
      };
    }
    return base;
  }

  private attach(client: SdkClient): void {
    const on = (event: string, handler: (payload: any) => void) => {
      client.on(event, handler);
      this.cleanup.push(() => client.off(event, handler));
    };
    on('telnyx.ready', () => this.onReady());
    on('telnyx.error', (event: { error?: TelnyxSdkError; callId?: string }) => this.onSdkError(event));
    on('telnyx.warning', (event: { warning?: { code?: number; name?: string; message?: string } }) => this.onWarning(event));
    on('telnyx.notification', (event: { type?: string; call?: SdkCall }) => this.onNotification(event));
    on('telnyx.internal.socketActivity', () => {
      receiving = this;
    });
    on('telnyx.socket.close', () => this.onSocketGone('closed'));
    on('telnyx.socket.error', () => this.onSocketGone('failed'));
    // Server pushes the SDK turns into no event of its own (ringing) or only a generic one (DTMF).
    on('telnyx.socket.message', (message: { method?: string; params?: Record<string, unknown> }) => this.onServerPush(message));
    on('telnyx.ai.conversation', (event: { params?: unknown } | undefined) => agentCallOf(this.calls)?.agent.onFrame(event?.params));
    this.observeLogins(client);
  }

  private routeLogs(logger: SdkLogger): void {
    this.cleanup.push(
      routeSdkLogs(logger, {
        log: (level, message) => this.onSdkLog(level, message),
        secrets: () => credentialSecretsOf(this.credentials),
      }),
    );
  }

  /**
   * The SDK logs in by itself when the socket opens and keeps the reply to itself: a refused login
   * becomes a bare 46001. Wrapping this instance's public `login` lets the provider see the
   * server's reason (an expired token) and a reply that carries no session.
   */
  private observeLogins(client: SdkClient): void {
    const original = client.login.bind(client) as (args?: LoginArgs) => Promise<void>;
    (client as unknown as { login: (args?: LoginArgs) => Promise<void> }).login = (args: LoginArgs = {}) =>
      original({
        ...args,
        onSuccess: () => {
          this.lastLoginError = undefined;
          if (this.phase === 'connecting' && !(typeof client.sessionid === 'string' && client.sessionid !== '')) {
            this.failConnect(new VoiceError('PROTOCOL_ERROR', 'Telnyx answered the login without a session id.', { provider: NAME }));
          }
          args.onSuccess?.();
        },
        onError: (error: unknown) => {
          this.lastLoginError = error ?? {};
          args.onError?.(error);
        },
      });
  }

  private onReady(): void {
    if (this.phase === 'connecting') {
      this.phase = 'ready';
      const pending = this.pending;
      this.pending = undefined;
      // Telnyx reports the gateway REGED for every login, anonymous ones included: the platform
      // holds the session (the issue asks `registered` for all three). Anonymous still takes no calls.
      pending?.resolve({ registered: true });
    } else if (this.phase === 'lost') {
      this.phase = 'ready';
      this.context.sink.registered();
      this.context.sink.connectionRestored();
    }
  }

  private onSdkError(event: { error?: TelnyxSdkError; callId?: string }): void {
    const error = event.error;
    const code = error?.code;
    if (code === HOLD_FAILED || code === BYE_SEND_FAILED) return; // reported by hold() / irrelevant once ending
    if (event.callId) {
      const call = this.calls.get(event.callId);
      if (call) {
        call.onError(sdkError(error));
        return;
      }
    }
    if (code === LOGIN_FAILED && this.refreshing) return; // refreshToken() reports it
    if (this.phase === 'connecting') {
      if (code === LOGIN_FAILED) {
        // The login's own callback (with the server's reason) runs right after this event.
        setTimeout(() => this.failConnect(this.loginFailure(error)), 0);
        return;
      }
      if (code !== undefined && code >= 45001 && code <= 48001 && code !== 46003) {
        this.failConnect(sdkError(error, 'The Telnyx server could not be reached.'));
        return;
      }
      this.context.sink.log('warn', `Telnyx error during login: ${error?.name ?? 'unknown'} (${code ?? '-'})`);
      return;
    }
    if (this.phase === 'ready' || this.phase === 'lost') {
      if (code === RECONNECTION_EXHAUSTED) {
        this.giveUp(sdkError(error, 'Telnyx could not restore the connection.'));
        return;
      }
      if (code === LOGIN_FAILED && this.phase === 'lost') {
        this.giveUp(this.loginFailure(error));
        return;
      }
      if (code === 45001 || code === 45002) return; // the socket events report the loss
      this.context.sink.error(sdkError(error));
    }
  }

  private onWarning(event: { warning?: { code?: number; name?: string; message?: string } }): void {
    const warning = event.warning;
    if (warning?.code === TOKEN_EXPIRING_SOON) {
      this.context.sink.tokenWillExpire({ expiresAt: this.tokenExpiry() });
      return;
    }
    this.context.sink.log('warn', `Telnyx warning ${warning?.code ?? ''} ${warning?.name ?? ''}: ${warning?.message ?? ''}`.trim());
  }

  private onNotification(event: { type?: string; call?: SdkCall }): void {
    const sdkCall = event.call;
    if (event.type !== 'callUpdate' || !sdkCall?.id) return;
    if (this.reservedIds.has(sdkCall.id)) return;
    let call = this.calls.get(sdkCall.id);
    if (!call) {
      if (sdkCall.state !== 'ringing' || sdkCall.direction !== 'inbound') return;
      call = this.onIncoming(sdkCall);
      if (!call) return;
    }
    call.onState(sdkCall.state);
    if (sdkCall.state === 'destroy' || sdkCall.state === 'purge') this.calls.delete(sdkCall.id);
  }

  private onIncoming(sdkCall: SdkCall): TelnyxCall | undefined {
    if (this.credentials?.type === 'anonymous') {
      // An anonymous session takes no calls; one arriving anyway is declined, never surfaced.
      void sdkCall.hangup({ cause: 'CALL_REJECTED', causeCode: 21 }, true).catch(() => {});
      return undefined;
    }
    const call = new TelnyxCall(sdkCall, 'inbound', true, this.context.sink.log);
    this.calls.set(sdkCall.id, call);
    // The SDK copies caller_id_* from the server's invite as they are: a number or an object there
    // must not reach the app (or the core's redactor, which reads text) as anything but text.
    const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : typeof value === 'number' ? String(value) : undefined);
    const from = text(sdkCall.options.remoteCallerNumber) ?? text(sdkCall.options.remoteCallerName) ?? 'unknown';
    const displayName = text(sdkCall.options.remoteCallerName);
    call.bind(this.context.sink.incomingCall({ from, displayName }, call));
    return call;
  }

  private onServerPush(message: { method?: string; params?: Record<string, unknown> }): void {
    // A punt makes the SDK drop the socket for good (serverDisconnect, no reconnect): the session
    // ends here, typed, instead of waiting in `reconnecting` for a telnyx.ready that never comes.
    if (message.method === 'telnyx_rtc.punt' && this.phase !== 'connecting') {
      // The SDK has purged the session itself; a disconnect() of ours would only cancel its requests.
      this.teardown();
      this.context.sink.connectionFailed(new VoiceError('NETWORK_UNREACHABLE', 'The Telnyx server ended the session (punt).', { provider: NAME }));
      return;
    }
    const callId = message.params?.callID;
    if (typeof callId !== 'string') return;
    const call = this.calls.get(callId);
    if (!call) return;
    if (message.method === 'telnyx_rtc.ringing') call.onRemoteRinging();
    else if (message.method === 'telnyx_rtc.info' && typeof message.params?.dtmf === 'string') call.onRemoteDtmf(message.params.dtmf);
  }

  private onSocketGone(how: 'closed' | 'failed'): void {
    if (this.phase === 'connecting') {
      this.failConnect(new VoiceError('NETWORK_UNREACHABLE', `The Telnyx WebSocket ${how} before the login finished.`, { provider: NAME }));
    } else if (this.phase === 'ready') {
      // The SDK reconnects and logs in again by itself; its next telnyx.ready restores the session.
      this.phase = 'lost';
      this.context.sink.connectionLost();
    }
  }

  /** Open but silent: reported now, and the SDK reconnects as after its own health probe gives up. */
  private onConnectionDead(client: SdkClient, why: string): void {
    if (this.phase !== 'ready' || this.client !== client) return;
    this.context.sink.log('warn', `The Telnyx connection is dead: ${why}; reconnecting.`);
    this.phase = 'lost';
    this.context.sink.connectionLost();
    dropSocket(client);
  }

  private onSdkLog(level: 'debug' | 'info' | 'warn' | 'error', message: string): void {
    // The SDK's own lines are the vendor's, not polyphone's events: debug only (redacted by the core).
    this.context.sink.log('debug', `telnyx [${level}]: ${message}`);
    // A frame that is not JSON at all only ever shows up as this warning.
    if (this.phase === 'connecting' && receiving === this && level === 'warn' && message.includes('Unknown message from socket')) {
      this.failConnect(new VoiceError('PROTOCOL_ERROR', 'The Telnyx server sent a frame that is not JSON-RPC.', { provider: NAME }));
    }
  }

  private failConnect(error: VoiceError): void {
    if (this.phase !== 'connecting') return;
    const pending = this.pending;
    this.pending = undefined;
    pending?.reject(error);
  }

  /** The connection is gone for good: the core ends the session `disconnected`. */
  private giveUp(error: VoiceError): void {
    const client = this.client;
    this.teardown();
    this.context.sink.connectionFailed(error);
    void client?.disconnect().catch(() => {});
  }

  private loginFailure(error: TelnyxSdkError | undefined): VoiceError {
    const server = describeCause(this.lastLoginError);
    const cause = { ...sdkCause(error), ...(server.message ? { message: server.message } : {}), ...(server.code !== undefined ? { code: server.code } : {}) };
    const details = { sdkCode: error?.code ?? LOGIN_FAILED };
    if (this.credentials?.type === 'jwt') {
      const expiresAt = this.tokenExpiry();
      // The SDK keeps no reason; an expiry in the past (or the server saying so) is TOKEN_EXPIRED.
      if ((expiresAt !== undefined && expiresAt <= Date.now()) || /expir/i.test(server.message ?? '')) {
        return new VoiceError('TOKEN_EXPIRED', 'The Telnyx JWT has expired.', { provider: NAME, cause, details });
      }
    }
    return new VoiceError('AUTH_REJECTED', 'Telnyx rejected the login.', { provider: NAME, cause, details });
  }

  private tokenExpiry(): number | undefined {
    if (this.credentials?.type !== 'jwt') return undefined;
    try {
      const exp = jwtDecode<{ exp?: unknown }>(this.credentials.token).exp;
      return typeof exp === 'number' ? exp * 1000 : undefined;
    } catch {
      return undefined;
    }
  }

  /** A new `login` on the open socket; resolves when the server accepted it. */
  private reLogin(client: SdkClient, token: string, signal: AbortSignal): Promise<void> {
    this.refreshing = true;
    const done = new Promise<void>((resolve, reject) => {
      const accepted = () => resolve();
      const refused = (error: unknown) =>
        reject(new VoiceError('AUTH_REJECTED', 'Telnyx refused the new token.', { provider: NAME, cause: describeCause(error) }));
      if (typeof client.updateToken === 'function') {
        // Newer SDKs name this; 2.27.x has no such method.
        Promise.resolve(client.updateToken(token)).then(accepted, refused);
      } else {
        void (client.login as (args: LoginArgs) => Promise<void>)({ creds: { login_token: token }, onSuccess: accepted, onError: refused });
      }
    });
    return bounded(done, { signal, what: 'Telnyx token refresh', provider: NAME }).finally(() => {
      this.refreshing = false;
    });
  }

  /** Forgets the SDK client: no handler of this provider runs for it again. */
  private teardown(): void {
    for (const undo of this.cleanup.splice(0)) undo();
    this.keepAlive?.stop();
    this.keepAlive = undefined;
    if (receiving === this) receiving = undefined;
    const client = this.client;
    if (client) {
      // The SDK's gateway-failure retry calls connect() from a timer that disconnect() does not clear;
      // a forgotten client must never open a socket again.
      (client as unknown as { connect: () => Promise<void> }).connect = async () => {};
    }
    this.client = undefined;
    this.calls.clear();
    if (this.phase === 'connecting') {
      const pending = this.pending;
      this.pending = undefined;
      pending?.reject(new VoiceError('ABORTED', 'The Telnyx connect was stopped.', { provider: NAME }));
    }
    this.phase = 'stopped';
  }
}

function credentialSecretsOf(credentials: Credentials | undefined): string[] {
  if (credentials?.type === 'jwt') return [credentials.token];
  if (credentials?.type === 'password') return [credentials.password];
  return [];
}

export const provider: ProviderDefinitionV1<TelnyxOptions> = {
  specificationVersion: 'v1',
  name: NAME,
  parseOptions: parseTelnyxOptions,
  create: (options, context) => new TelnyxProvider(options, context),
};
