import type { Invitation, Inviter, Referral, Registerer, Session, URI, UserAgent, UserAgentOptions } from 'sip.js';
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
import { SIP_URI_MAX, checkDigestUser, headerTextProblem } from '../sip/header-text.js';
import { KeepAlive } from '../sip/keep-alive.js';
import { sipjsOptionsPing } from './keep-alive.js';
import { dropReplayedAuthorization, dropWebSocket, registerPending } from './quirks.js';
import { registerOnce } from './registration.js';
import { SipjsCall } from './session.js';
import { inviteFailure } from './status.js';
import { followReferral, referTarget } from './transfer.js';
import { userAgentOptions } from './user-agent-options.js';

type SipModule = typeof import('sip.js');

const NAME = 'sipjs';
// Waits between reconnection tries (documented on `reconnectionAttempts` in options.ts): try 1 at
// once, try k ≥ 2 after min(8 s, 500 ms × 2^(k-2) × jitter), jitter uniform in [1, 2).
const RECONNECT_BACKOFF = { minTimeout: 500, factor: 2, maxTimeout: 8_000, randomize: true } as const;
// A REGISTER on a fresh connection that gets no answer must not hold the reconnection loop for
// sip.js's own 32 s transaction timer.
const RECONNECT_REGISTER_TIMEOUT_MS = 10_000;
// disconnect() within the core's 3 s teardown bound: the unREGISTER gets 1 s to go out and 1 s for
// its answer, sip.js's own stop 500 ms; then the WebSocket is dropped without a close handshake.
const UNREGISTER_MS = 1_000;
const STOP_MS = 500;

async function ensureWebSocket(): Promise<void> {
  if (typeof (globalThis as { WebSocket?: unknown }).WebSocket !== 'undefined') return;
  // Node without a global WebSocket: the `ws` package stands in. The name is a variable so that
  // browser bundlers leave it out.
  const wsPackage = 'ws';
  const ws = await importVendorSdk(NAME, 'ws', () => import(/* webpackIgnore: true */ /* @vite-ignore */ wsPackage) as Promise<{ WebSocket: unknown }>);
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
  /** Each session's call, so an INVITE with Replaces finds the call it replaces. */
  private readonly callsBySession = new WeakMap<Session, SipjsCall>();
  private reconnecting: AbortController | undefined;
  /** The refresh under way: sip.js refuses a REGISTER while another is pending (RequestPendingError). */
  private refreshing: Promise<void> = Promise.resolve();
  private stopping = false;
  /** Fails the connect() under way when its connection drops: reconnection is for sessions that were up. */
  private connectLost: ((error: VoiceError) => void) | undefined;
  private keepAlive: KeepAlive | undefined;
  /** Refreshes under way: their REGISTER may unregister on purpose (a refused password). */
  private refreshDepth = 0;

  constructor(
    private readonly options: SipjsOptions,
    private readonly context: ProviderContext,
  ) {}

  get vendor(): UserAgent | undefined {
    return this.ua;
  }

  get capabilities(): ProviderCapabilities {
    const registered = this.credentials?.type === 'password';
    // Agent transcripts and text: the Cognigy INFO bodies, which any SIP peer may speak (README "AI agents").
    return { incomingCalls: registered, mute: true, hold: true, remoteHold: true, dtmf: true, receiveDtmf: true, tokenRefresh: registered, anonymous: true, agentTranscript: true, agentText: true, agentTools: false, inputSelection: true, multipleCalls: true, transfer: true, quality: true, mediaReconnect: true };
  }

  async init(): Promise<void> {
    this.sip = await importVendorSdk(NAME, 'sip.js', () => import('sip.js'));
  }

  async authenticate(credentials: Credentials): Promise<void> {
    if (credentials.type === 'password') {
      if (!this.options.uri) throw configInvalid('uri', 'An authenticated SIP.js client needs "uri" (the address of record to register).');
      // Checked again with sip.js's own parser: one it cannot read would register anonymously.
      if (!this.sip?.UserAgent.makeURI(this.options.uri)) throw configInvalid('uri', 'The option "uri" is not a SIP URI that sip.js can parse.');
      if (typeof credentials.password !== 'string' || credentials.password === '') throw configInvalid('credentials.password', 'The password is empty.');
      if (credentials.username !== undefined) checkDigestUser(credentials.username, 'credentials.username', NAME);
    } else if (credentials.type !== 'anonymous') {
      throw new VoiceError('UNSUPPORTED', `The sipjs provider takes "password" or "anonymous" credentials, not "${credentials.type}".`, { provider: NAME });
    }
    this.credentials = credentials;
  }

  async connect(signal: AbortSignal): Promise<ConnectResult> {
    const sip = this.sip!;
    await ensureWebSocket();
    this.stopping = false;
    const owner: { ua?: UserAgent } = {};
    const ua = new sip.UserAgent(this.userAgentOptions(sip, owner));
    owner.ua = ua;
    this.ua = ua;
    const lost = new Promise<never>((_, reject) => (this.connectLost = reject));
    lost.catch(() => {});
    try {
      try {
        await Promise.race([ua.start(), lost]);
      } catch (error) {
        if (isVoiceError(error)) throw error;
        throw new VoiceError('NETWORK_UNREACHABLE', 'The SIP WebSocket server could not be reached.', { provider: NAME, cause: describeCause(error) });
      }
      if (this.credentials?.type !== 'password') {
        this.watchConnection(sip, ua);
        return { registered: false };
      }
      this.registerer = new sip.Registerer(ua, { expires: this.options.registerExpires });
      await Promise.race([this.register(signal), lost]);
      this.watchRegistration(this.registerer);
      this.watchConnection(sip, ua);
      return { registered: true };
    } finally {
      this.connectLost = undefined;
    }
  }

  /**
   * Bounded (UNREGISTER_MS, STOP_MS) whatever the server does: sip.js's own stop waits for a pending
   * REGISTER (32 s) and the WebSocket close handshake (30 s on a hung server); it goes on in the
   * background on a socket already dropped.
   */
  async disconnect(): Promise<void> {
    this.stopping = true;
    this.reconnecting?.abort();
    this.keepAlive?.stop();
    this.keepAlive = undefined;
    const { ua, registerer } = this;
    this.ua = undefined;
    this.registerer = undefined;
    if (!ua) return;
    if (registerer && registerer.state === this.sip?.RegistererState.Registered && ua.isConnected()) {
      const unregistered = new Promise<void>((resolve) => registerer.stateChange.addListener((s) => s === this.sip?.RegistererState.Unregistered && resolve()));
      await bounded(registerer.unregister(), { timeoutMs: UNREGISTER_MS, what: 'unREGISTER' }).catch(() => {});
      // unregister() resolves when the request is sent; give the 200 a moment so the binding is gone.
      await bounded(unregistered, { timeoutMs: UNREGISTER_MS, what: 'unREGISTER reply' }).catch(() => {});
    }
    const stopped = ua.stop().then(
      () => true,
      () => true,
    );
    const done = await bounded(stopped, { timeoutMs: STOP_MS, what: 'sip.js stop' }).catch(() => false);
    if (!done) dropWebSocket(ua);
  }

  async call(target: string, options: ProviderCallOptions, sink: CallSink): Promise<ProviderCall> {
    assertWebRtc(NAME);
    const sip = this.sip!;
    const ua = this.ua!;
    const problem = headerTextProblem(target, SIP_URI_MAX);
    const uri = problem ? undefined : sip.UserAgent.makeURI(this.targetUri(target));
    if (!uri) throw new VoiceError('INVALID_ARGUMENT', 'The call target is not a SIP URI or user name.', { provider: NAME, details: { field: 'target' } });
    const inviter = new sip.Inviter(ua, uri, { sessionDescriptionHandlerOptions: { constraints: { audio: options.audio ?? true, video: false } } as object });
    return this.invite(inviter, options.iceServers, sink);
  }

  /** Sends the INVITE of an outgoing session (a call of the app's, or one a REFER asked for). */
  private async invite(inviter: Inviter, iceServers: RTCIceServer[] | undefined, sink: CallSink): Promise<SipjsCall> {
    this.iceServersBySession.set(inviter, iceServers);
    const call = this.newCall(inviter);
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
    this.refreshDepth++;
    try {
      await this.reRegisterWith(password, signal);
    } catch (error) {
      // A refused password must not leave the client silently unregistered: go back to the old one.
      await this.reRegisterWith(previous, signal).catch(() => this.context.sink.unregistered());
      throw error;
    } finally {
      this.refreshDepth--;
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

  private dropReplayedAuthorization(): void {
    if (this.registerer) dropReplayedAuthorization(this.registerer);
  }

  /** `owner.ua` is the user agent these options end up in: a stopped one's late events are ignored. */
  private userAgentOptions(sip: SipModule, owner: { ua?: UserAgent }): UserAgentOptions {
    return userAgentOptions(sip, this.options, this.credentials, {
      log: (message) => this.context.sink.log('debug', message),
      iceServersFor: (session) => (this.iceServersBySession.has(session) ? this.iceServersBySession.get(session) : this.context.iceServers),
      icePolicy: this.context.icePolicy,
      onInvite: (invitation) => this.onInvite(invitation),
      onDisconnect: (error) => {
        if (!error || this.stopping || owner.ua !== this.ua) return;
        if (this.connectLost) {
          this.connectLost(new VoiceError('NETWORK_UNREACHABLE', 'The SIP server closed the connection during connect().', { provider: NAME, cause: describeCause(error) }));
        } else void this.reconnect();
      },
    });
  }

  /** Sends REGISTER and waits for its final answer. */
  private register(signal: AbortSignal, timeoutMs?: number): Promise<void> {
    return registerOnce(this.sip!, this.registerer!, signal, timeoutMs);
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
            // A REGISTER still pending (a refresh the server never answered) would refuse the new one.
            if (registerPending(this.registerer)) this.replaceRegisterer(ua);
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

  /** Pings the server while connected; a dead connection is dropped, so the reconnection takes over. */
  private watchConnection(sip: SipModule, ua: UserAgent): void {
    const host = (this.options.uri ? sip.UserAgent.makeURI(this.options.uri)?.host : undefined) ?? new URL(this.options.server).hostname;
    this.keepAlive?.stop();
    this.keepAlive = new KeepAlive(this.options.keepAliveIntervalMs, sipjsOptionsPing(sip, ua, `sip:${host}`), () => this.reconnecting !== undefined, (why) => {
      if (ua !== this.ua || this.stopping) return;
      this.context.sink.log('warn', `The SIP connection is dead: ${why}.`);
      dropWebSocket(ua);
    });
    this.keepAlive.start();
  }

  /**
   * sip.js unregisters by itself when a refresh is refused or unanswered, or the registration
   * expires, and only logs it: the app would stay `connected` and unreachable. The loss is
   * reported and the reconnection registers again (or ends NETWORK_UNREACHABLE).
   */
  private watchRegistration(registerer: Registerer): void {
    registerer.stateChange.addListener((state) => {
      if (state === this.sip?.RegistererState.Unregistered) this.onRegistrationLost(registerer);
    });
  }

  private replaceRegisterer(ua: UserAgent): void {
    const old = this.registerer;
    this.registerer = new this.sip!.Registerer(ua, { expires: this.options.registerExpires });
    this.watchRegistration(this.registerer);
    void old?.dispose().catch(() => {});
  }

  private onRegistrationLost(registerer: Registerer): void {
    if (registerer !== this.registerer || this.stopping || this.reconnecting || this.refreshDepth > 0) return;
    this.context.sink.log('warn', 'The SIP registration was lost (a refresh failed or it expired).');
    this.context.sink.unregistered();
    void this.reconnect();
  }

  private onInvite(invitation: Invitation): void {
    const sip = this.sip!;
    const call = this.newCall(invitation);
    const identity = invitation.remoteIdentity;
    // sip.js matched an INVITE with Replaces to one of our dialogs (the far end of an attended transfer).
    const replaces = invitation.replacee ? this.callsBySession.get(invitation.replacee) : undefined;
    replaces?.markReplaced();
    const info = { from: identity.uri.toString(), displayName: identity.displayName || undefined, ...(replaces ? { replaces } : {}) };
    call.bind(this.context.sink.incomingCall(info, call));
  }

  private newCall(session: Session): SipjsCall {
    const sip = this.sip!;
    const call = new SipjsCall(sip, session, this.options.dtmfTransport, inviteFailure, (s, ice) => this.iceServersBySession.set(s, ice), this.context.sink.log);
    this.callsBySession.set(session, call);
    call.transferTarget = (target) => this.transferTarget(target);
    call.onReferral = (referral) => this.onReferral(call, referral);
    return call;
  }

  private transferTarget(target: string | ProviderCall): URI | Session | undefined {
    if (typeof target !== 'string') return target instanceof SipjsCall ? target.session : undefined;
    return this.sip!.UserAgent.makeURI(this.targetUri(target));
  }

  /** An incoming REFER: the core places the new call; it uses the referred session's ICE servers. */
  private onReferral(call: SipjsCall, referral: Referral): void {
    const target = referTarget(referral);
    if (!target) return void referral.reject().catch(() => {});
    const iceServers = this.iceServersBySession.has(call.session) ? this.iceServersBySession.get(call.session) : this.context.iceServers;
    call.reportReferred(referral, target, (sink) => followReferral(referral, (session, s) => this.invite(session as Inviter, iceServers, s), sink));
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
