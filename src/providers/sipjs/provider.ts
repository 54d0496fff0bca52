import type { Invitation, Registerer, Session, UserAgent, UserAgentOptions } from 'sip.js';
import pRetry from 'p-retry';
import {
  VoiceError,
  assertWebRtc,
  bounded,
  configInvalid,
  describeCause,
  importVendorSdk,
  isVoiceError,
  mediaError,
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
import { parseSipjsOptions, type SipjsOptions } from './options.js';
import { SipjsCall } from './session.js';
import { inviteFailure, registerFailure } from './status.js';

type SipModule = typeof import('sip.js');

const NAME = 'sipjs';
// Seconds sip.js waits for the WebSocket to open before it gives up on one attempt.
const CONNECTION_TIMEOUT_S = 5;
// Waits between reconnection tries (documented on `reconnectionAttempts` in options.ts): try 1 at
// once, try k ≥ 2 after min(8 s, 500 ms × 2^(k-2) × jitter), jitter uniform in [1, 2).
const RECONNECT_BACKOFF = { minTimeout: 500, factor: 2, maxTimeout: 8_000, randomize: true } as const;
// A REGISTER on a fresh connection that gets no answer must not hold the reconnection loop for
// sip.js's own 32 s transaction timer.
const RECONNECT_REGISTER_TIMEOUT_MS = 10_000;

async function ensureWebSocket(): Promise<void> {
  if (typeof (globalThis as { WebSocket?: unknown }).WebSocket !== 'undefined') return;
  // Node without a global WebSocket: the `ws` package stands in. The name is a variable so that
  // browser bundlers leave it out.
  const wsPackage = 'ws';
  const ws = (await import(/* @vite-ignore */ wsPackage)) as { WebSocket: unknown };
  (globalThis as { WebSocket?: unknown }).WebSocket = ws.WebSocket;
}

class SipjsProvider implements VoiceProviderV1 {
  readonly specificationVersion = 'v1' as const;
  readonly name = NAME;
  private sip: SipModule | undefined;
  private credentials: Credentials | undefined;
  private ua: UserAgent | undefined;
  private registerer: Registerer | undefined;
  private readonly iceServersBySession = new WeakMap<Session, RTCIceServer[] | undefined>();
  private reconnecting: AbortController | undefined;
  /** The refresh under way: sip.js refuses a REGISTER while another is pending (RequestPendingError). */
  private refreshing: Promise<void> = Promise.resolve();
  private stopping = false;

  constructor(
    private readonly options: SipjsOptions,
    private readonly context: ProviderContext,
  ) {}

  get capabilities(): ProviderCapabilities {
    const registered = this.credentials?.type === 'password';
    return { incomingCalls: registered, mute: true, hold: true, remoteHold: true, dtmf: true, receiveDtmf: true, tokenRefresh: registered, anonymous: true, quality: true, mediaReconnect: true };
  }

  async init(): Promise<void> {
    this.sip = await importVendorSdk(NAME, 'sip.js', () => import('sip.js'));
  }

  async authenticate(credentials: Credentials): Promise<void> {
    if (credentials.type === 'password') {
      if (!this.options.uri) throw configInvalid('uri', 'An authenticated SIP.js client needs "uri" (the address of record to register).');
      if (typeof credentials.password !== 'string' || credentials.password === '') throw configInvalid('credentials.password', 'The password is empty.');
    } else if (credentials.type !== 'anonymous') {
      throw new VoiceError('UNSUPPORTED', `The sipjs provider takes "password" or "anonymous" credentials, not "${credentials.type}".`, { provider: NAME });
    }
    this.credentials = credentials;
  }

  async connect(signal: AbortSignal): Promise<ConnectResult> {
    const sip = this.sip!;
    await ensureWebSocket();
    this.stopping = false;
    const ua = new sip.UserAgent(this.userAgentOptions(sip));
    this.ua = ua;
    try {
      await ua.start();
    } catch (error) {
      throw new VoiceError('NETWORK_UNREACHABLE', 'The SIP WebSocket server could not be reached.', { provider: NAME, cause: describeCause(error) });
    }
    if (this.credentials?.type !== 'password') return { registered: false };
    this.registerer = new sip.Registerer(ua, { expires: this.options.registerExpires });
    await this.register(signal);
    return { registered: true };
  }

  async disconnect(): Promise<void> {
    this.stopping = true;
    this.reconnecting?.abort();
    const { ua, registerer } = this;
    this.ua = undefined;
    this.registerer = undefined;
    if (registerer && registerer.state === this.sip?.RegistererState.Registered && ua?.isConnected()) {
      await bounded(registerer.unregister(), { timeoutMs: 2_000, what: 'unREGISTER' }).catch(() => {});
      // unregister() resolves when the request is sent; give the 200 a moment so the binding is gone.
      await bounded(new Promise<void>((resolve) => registerer.stateChange.addListener((s) => s === this.sip?.RegistererState.Unregistered && resolve())), {
        timeoutMs: 2_000,
        what: 'unREGISTER reply',
      }).catch(() => {});
    }
    await registerer?.dispose().catch(() => {});
    await ua?.stop().catch(() => {});
  }

  async call(target: string, options: ProviderCallOptions, sink: CallSink): Promise<ProviderCall> {
    assertWebRtc(NAME);
    const sip = this.sip!;
    const ua = this.ua!;
    const uri = sip.UserAgent.makeURI(this.targetUri(target));
    if (!uri) throw new VoiceError('INVALID_ARGUMENT', 'The call target is not a SIP URI or user name.', { provider: NAME, details: { field: 'target' } });
    const inviter = new sip.Inviter(ua, uri, { sessionDescriptionHandlerOptions: { constraints: { audio: true, video: false } } as object });
    this.iceServersBySession.set(inviter, options.iceServers);
    const call = new SipjsCall(sip, inviter, this.options.dtmfTransport, inviteFailure, (s, ice) => this.iceServersBySession.set(s, ice));
    try {
      await inviter.invite({
        requestDelegate: {
          onProgress: (response) => {
            if (response.message.statusCode === 180 || response.message.statusCode === 183) call.ringing();
          },
          onReject: (response) => call.markRejected(response.message.statusCode ?? 0, response.message.reasonPhrase ?? ''),
        },
      });
    } catch (error) {
      // sip.js has already ended the session; the sink stays unbound so that its "ended" does not
      // pre-empt this error (the core ends the call `failed` with it, e.g. MEDIA_DENIED).
      throw mediaError(error, NAME) ?? new VoiceError('CALL_FAILED', 'The call could not be started.', { provider: NAME, cause: describeCause(error) });
    }
    // Bound only now: what happened meanwhile (a fast 180) is replayed in order.
    call.bind(sink);
    return call;
  }

  refreshToken(credentials: Credentials | string | undefined, signal: AbortSignal): Promise<void> {
    // Two refreshes at once would both REGISTER; the second would fail and restore the old
    // password under the first. One after the other, each gets its own answer.
    const next = this.refreshing.then(() => this.refreshOnce(credentials, signal));
    this.refreshing = next.catch(() => {});
    return next;
  }

  private async refreshOnce(credentials: Credentials | string | undefined, signal: AbortSignal): Promise<void> {
    const password = typeof credentials === 'string' ? credentials : credentials?.type === 'password' ? credentials.password : undefined;
    if (!password || this.credentials?.type !== 'password' || !this.ua || !this.registerer) {
      throw new VoiceError('UNSUPPORTED', 'The sipjs provider refreshes only the password of a registered client.', { provider: NAME });
    }
    this.context.redactor.add(password);
    const previous = this.credentials.password;
    try {
      await this.reRegisterWith(password, signal);
    } catch (error) {
      // A refused password must not leave the client silently unregistered: go back to the old one.
      await this.reRegisterWith(previous, signal).catch(() => this.context.sink.unregistered());
      throw error;
    }
    this.credentials = { ...this.credentials, password };
  }

  // ---- internals ----

  private reRegisterWith(password: string, signal: AbortSignal): Promise<void> {
    (this.ua!.configuration as { authorizationPassword?: string }).authorizationPassword = password;
    // The server would go on accepting the old digest and never see the new password.
    this.dropReplayedAuthorization();
    return this.register(signal);
  }

  /** sip.js replays the last Authorization header on every refresh of its REGISTER (sip.js 0.21 internals). */
  private dropReplayedAuthorization(): void {
    const request = (this.registerer as unknown as { request?: { headers?: Record<string, unknown> } }).request;
    if (request?.headers) {
      delete request.headers['Authorization'];
      delete request.headers['Proxy-Authorization'];
    }
  }

  private userAgentOptions(sip: SipModule): UserAgentOptions {
    const authenticated = this.credentials?.type === 'password' ? this.credentials : undefined;
    const base = sip.Web.defaultSessionDescriptionHandlerFactory();
    const options: UserAgentOptions = {
      transportOptions: { server: this.options.server, connectionTimeout: CONNECTION_TIMEOUT_S },
      logBuiltinEnabled: false,
      logLevel: 'warn',
      logConnector: (level, category, _label, content) => {
        this.context.sink.log(level === 'log' ? 'info' : level, `${category}: ${content}`);
      },
      // sip.js's own reconnection (off by default; the option is deprecated and would log a warning
      // per client) never re-registers afterwards, so the provider reconnects by itself.
      sessionDescriptionHandlerFactory: (session, factoryOptions) => {
        const given = (factoryOptions ?? {}) as { peerConnectionConfiguration?: RTCConfiguration };
        const iceServers = this.iceServersBySession.has(session) ? this.iceServersBySession.get(session) : this.context.iceServers;
        const peerConnectionConfiguration = { ...given.peerConnectionConfiguration, ...(iceServers ? { iceServers } : {}) };
        return base(session, { ...given, peerConnectionConfiguration, iceGatheringTimeout: this.options.iceGatheringTimeoutMs });
      },
      delegate: {
        onInvite: (invitation) => this.onInvite(invitation),
        onDisconnect: (error) => {
          if (error && !this.stopping) void this.reconnect();
        },
      },
    };
    if (this.options.displayName) options.displayName = this.options.displayName;
    if (authenticated) {
      options.uri = sip.UserAgent.makeURI(this.options.uri!);
      options.authorizationUsername = this.options.authorizationUsername ?? authenticated.username ?? options.uri?.user;
      options.authorizationPassword = authenticated.password;
    }
    return options;
  }

  /** Sends REGISTER and waits for its final answer. */
  private register(signal: AbortSignal, timeoutMs?: number): Promise<void> {
    const sip = this.sip!;
    const registerer = this.registerer!;
    const outcome = new Promise<void>((resolve, reject) => {
      const stop = () => registerer.stateChange.removeListener(onState);
      const onState = (state: string) => {
        if (state === sip.RegistererState.Registered) {
          stop();
          resolve();
        }
      };
      registerer.stateChange.addListener(onState);
      registerer
        .register({
          requestDelegate: {
            onAccept: () => {
              stop();
              resolve();
            },
            onReject: (response) => {
              stop();
              reject(registerFailure(response.message.statusCode ?? 0, response.message.reasonPhrase ?? ''));
            },
          },
        })
        .catch((error: unknown) => {
          stop();
          reject(new VoiceError('NETWORK_UNREACHABLE', 'REGISTER could not be sent.', { provider: NAME, cause: describeCause(error) }));
        });
    });
    return bounded(outcome, { signal, timeoutMs, what: 'REGISTER', provider: NAME });
  }

  /**
   * Restores a lost WebSocket, then registers again: up to `reconnectionAttempts` tries with
   * jittered exponential backoff (RECONNECT_BACKOFF). A refused password ends the tries at once.
   */
  private async reconnect(): Promise<void> {
    if (this.reconnecting || !this.ua) return;
    const abort = new AbortController();
    this.reconnecting = abort;
    this.context.sink.connectionLost();
    const tries = this.options.reconnectionAttempts;
    try {
      if (tries === 0) throw new Error('reconnection is off (reconnectionAttempts=0)');
      await pRetry(
        async () => {
          const ua = this.ua;
          if (!ua || abort.signal.aborted) throw new Error('stopped');
          await ua.reconnect();
          if (this.registerer) {
            // The server may be a new instance (a restart) that never issued the nonce sip.js would
            // replay; Kamailio refuses such a digest with 403 instead of challenging again.
            this.dropReplayedAuthorization();
            await this.register(abort.signal, RECONNECT_REGISTER_TIMEOUT_MS);
          }
        },
        {
          ...RECONNECT_BACKOFF,
          retries: tries - 1,
          signal: abort.signal,
          onFailedAttempt: ({ error, attemptNumber }) => this.context.sink.log('warn', `reconnection try ${attemptNumber} of ${tries} failed: ${error.message}`),
          shouldRetry: ({ error }) => !(isVoiceError(error) && error.code === 'AUTH_REJECTED'),
        },
      );
      if (!abort.signal.aborted) {
        this.context.sink.registered();
        this.context.sink.connectionRestored();
      }
    } catch (error) {
      if (abort.signal.aborted || this.stopping) return;
      const failure =
        isVoiceError(error) && error.code === 'AUTH_REJECTED'
          ? error
          : new VoiceError('NETWORK_UNREACHABLE', `The SIP server stayed unreachable after ${tries} reconnection tries.`, {
              provider: NAME,
              cause: describeCause(error),
              details: { tries },
            });
      // Tear down before telling the core: an app reacting to `disconnected` with connect() must
      // not have its new session stopped by this teardown.
      this.reconnecting = undefined;
      await this.disconnect();
      this.context.sink.connectionFailed(failure);
    } finally {
      if (this.reconnecting === abort) this.reconnecting = undefined;
    }
  }

  private onInvite(invitation: Invitation): void {
    const sip = this.sip!;
    const call = new SipjsCall(sip, invitation, this.options.dtmfTransport, inviteFailure, (s, ice) => this.iceServersBySession.set(s, ice));
    const identity = invitation.remoteIdentity;
    const sink = this.context.sink.incomingCall({ from: identity.uri.toString(), displayName: identity.displayName || undefined }, call);
    call.bind(sink);
  }

  private targetUri(target: string): string {
    if (/^sips?:/.test(target)) return target;
    const domain = this.options.uri?.split('@')[1] ?? new URL(this.options.server).hostname;
    return `sip:${target}@${domain}`;
  }
}

export const provider: ProviderDefinitionV1<SipjsOptions> = {
  specificationVersion: 'v1',
  name: NAME,
  parseOptions: parseSipjsOptions,
  create: (options, context) => new SipjsProvider(options, context),
  defaultCredentials: (options) => (options.uri ? undefined : { type: 'anonymous' }),
};
