import type { DirectCall } from 'sendbird-calls';
import {
  VoiceError,
  assertWebRtc,
  bounded,
  configInvalid,
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
import { SendbirdCall } from './call.js';
import { chooseInput, switchInput } from './devices.js';
import { NAME, callFailure, loginFailure, socketFailure } from './errors.js';
import { parseSendbirdOptions, type SendbirdOptions } from './options.js';
import { initFresh, loadSdk, ownsSdk, type SdkOwner, type SendBirdCallSdk } from './sdk.js';
import { asOnlyCall } from './quirks.js';
import { SendbirdSession } from './session.js';
import { warnIgnoredIceServers } from './warnings.js';

type AccessToken = Extract<Credentials, { type: 'accessToken' }>;

let listenerCount = 0;

class SendbirdProvider implements VoiceProviderV1, SdkOwner {
  readonly specificationVersion = 'v1' as const;
  readonly name = NAME;
  private sdk: SendBirdCallSdk | undefined;
  get vendor(): SendBirdCallSdk | undefined {
    return this.sdk;
  }
  private credentials: AccessToken | undefined;
  private readonly session: SendbirdSession;
  // Bumped by every login and every teardown: a login reply for an older number comes too late.
  private loginGeneration = 0;
  private readonly listenerId = `polyphone-${++listenerCount}`;
  // sendbird-calls fires onRinging again, for the same DirectCall, when the caller cancels (its
  // CANCELED state rings first so that a call only learnt of through the cancel still shows up).
  private readonly ringingCalls = new WeakSet<DirectCall>();

  constructor(
    private readonly options: SendbirdOptions,
    private readonly context: ProviderContext,
  ) {
    this.session = new SendbirdSession(options, context);
  }

  get capabilities(): ProviderCapabilities {
    // sendbird-calls 1.10 has no DTMF at all (nothing on DirectCall, nothing on the wire), and no
    // transfer (nothing on DirectCall). Several calls: the SDK keeps them (getOngoingCalls) and
    // holds the others on dial/accept({holdActiveCall}); the core decides which are held.
    return { incomingCalls: true, mute: true, hold: true, remoteHold: true, dtmf: false, receiveDtmf: false, tokenRefresh: true, anonymous: false, multipleCalls: true, transfer: false, inputSelection: true, quality: true, mediaReconnect: false };
  }

  async init(): Promise<void> {
    this.sdk = await loadSdk();
    initFresh(this.sdk, this, this.options.appId, this.options.apiHost, this.options.wsHost);
    // Its own timer (started only once it has built a call's RTCPeerConnection) agrees with the call's.
    this.sdk.setCallConnectionTimeout(this.options.callConnectionTimeoutMs / 1_000);
  }

  async authenticate(credentials: Credentials, signal: AbortSignal): Promise<void> {
    const accessToken = this.checkCredentials(credentials);
    const sdk = this.ownedSdk('authenticate');
    if (this.session.phase !== 'idle') throw new VoiceError('INVALID_STATE', 'Disconnect before logging in again; use refreshToken() to renew the token.', { provider: NAME });
    const generation = ++this.loginGeneration;
    this.credentials = undefined;
    let gaveUp = false;
    const login = sdk.authenticate({ userId: accessToken.userId, accessToken: accessToken.accessToken });
    // Registered before the bound below, so it sees a reply that beats the bound as on time.
    login.then(
      () => {
        if (gaveUp) this.dropLateLogin();
      },
      () => {},
    );
    try {
      await bounded(login, { signal, timeoutMs: this.options.loginTimeoutMs, what: 'The Sendbird login', provider: NAME });
    } catch (error) {
      gaveUp = true;
      // A login that failed half-way may have left its session token in the SDK (sendbird-calls
      // stores it before reading `user`).
      if (generation === this.loginGeneration) this.clearSdkSession();
      throw isVoiceError(error) ? error : loginFailure(error);
    }
    if (generation !== this.loginGeneration) {
      gaveUp = true;
      this.dropLateLogin();
      throw new VoiceError('ABORTED', 'The Sendbird login was overtaken by a disconnect or another login.', { provider: NAME });
    }
    this.credentials = accessToken;
  }

  async connect(signal: AbortSignal): Promise<ConnectResult> {
    const sdk = this.ownedSdk('connect');
    if (!this.credentials) throw new VoiceError('INVALID_STATE', 'Log in to Sendbird before connecting.', { provider: NAME });
    warnIgnoredIceServers(this.context.sink, this.context.iceServers, 'client');
    this.session.connecting();
    // Before the socket opens: a call ringing for this user is pushed right after.
    sdk.addListener(this.listenerId, { onRinging: (call) => this.onRinging(call) });
    try {
      await bounded(sdk.connectWebSocket(), { signal, what: 'The Sendbird WebSocket', provider: NAME });
    } catch (error) {
      throw isVoiceError(error) ? error : socketFailure(error);
    }
    if (!this.session.opened()) throw new VoiceError('ABORTED', 'The connection was torn down while it opened.', { provider: NAME });
    return { registered: true };
  }

  async disconnect(): Promise<void> {
    this.teardown();
    // deauthenticate() ends ongoing calls, clears the session and closes the socket.
    if (this.sdk && ownsSdk(this)) this.clearSdkSession();
  }

  async call(target: string, options: ProviderCallOptions, sink: CallSink, signal: AbortSignal): Promise<ProviderCall> {
    const sdk = this.ownedSdk('call');
    assertWebRtc(NAME);
    if (options.iceServers !== this.context.iceServers) warnIgnoredIceServers(this.context.sink, options.iceServers, 'call');
    if (options.audio) await chooseInput(sdk, options.audio);
    const call = this.newCall(undefined, 'caller', sdk);
    call.bind(sink);
    let directCall: DirectCall | undefined;
    // With other calls in progress (the core has held them), the SDK must not touch them: see quirks.ts.
    const others = sdk.getOngoingCalls();
    const dialed = new Promise<void>((resolve, reject) => {
      const dial = () =>
        sdk.dial(
          {
            userId: target,
            isVideoCall: false,
            callOption: { audioEnabled: true, videoEnabled: false, ...(call.remoteView ? { remoteMediaView: call.remoteView } : {}) },
            holdActiveCall: others.length > 0,
          },
          (_call, error) => (error ? reject(error) : resolve()),
        );
      try {
        directCall = others.length > 0 ? asOnlyCall(others[0]!, undefined, dial) : dial();
      } catch (error) {
        reject(error);
      }
    });
    if (directCall) call.adopt(directCall);
    try {
      await bounded(dialed, { signal, what: 'The Sendbird dial', provider: NAME });
    } catch (error) {
      if (isVoiceError(error)) throw error;
      const media = mediaError(error, NAME);
      if (media || !directCall) throw media ?? callFailure(error, 'The dial');
      // The server refused the dial: like a SIP final response, that ends the call rather than
      // `call()`. Reported once the app holds the call handle.
      setTimeout(() => call.dialFailed(error), 0);
      return call;
    }
    call.dialAccepted();
    return call;
  }

  async refreshToken(credentials: Credentials | string | undefined, signal: AbortSignal): Promise<void> {
    const sdk = this.ownedSdk('refreshToken');
    const current = this.credentials;
    if (!current || !this.session.live) {
      throw new VoiceError('INVALID_STATE', 'Only a connected Sendbird session can renew its token.', { provider: NAME });
    }
    const next = typeof credentials === 'string' ? { ...current, accessToken: credentials } : credentials ? this.checkCredentials(credentials) : undefined;
    if (!next) throw new VoiceError('INVALID_ARGUMENT', 'refreshToken() needs the new access token.', { provider: NAME, details: { field: 'credentials' } });
    if (next.userId !== current.userId) {
      throw new VoiceError('INVALID_ARGUMENT', 'refreshToken() renews the token of the same user; disconnect to log in as someone else.', {
        provider: NAME,
        details: { field: 'credentials.userId' },
      });
    }
    this.context.redactor.add(next.accessToken);
    try {
      // Same user: sendbird-calls keeps its calls and socket and only swaps the session token.
      await bounded(sdk.authenticate({ userId: next.userId, accessToken: next.accessToken }), {
        signal,
        timeoutMs: this.options.loginTimeoutMs,
        what: 'The Sendbird login',
        provider: NAME,
      });
    } catch (error) {
      throw isVoiceError(error) ? error : loginFailure(error);
    }
    this.credentials = next;
  }

  /** Another polyphone client on this page re-initialised sendbird-calls: this session is gone. */
  takenOver(): void {
    const wasLive = this.session.live;
    this.teardown();
    if (wasLive) {
      this.context.sink.connectionFailed(
        new VoiceError('INVALID_STATE', 'Another Sendbird client on this page re-initialised sendbird-calls, which holds one session per page.', { provider: NAME }),
      );
    }
  }

  // ---- internals ----

  private checkCredentials(credentials: Credentials): AccessToken {
    if (credentials.type !== 'accessToken') {
      throw new VoiceError('UNSUPPORTED', `The sendbird provider takes "accessToken" credentials, not "${String(credentials.type).slice(0, 20)}".`, { provider: NAME });
    }
    if (typeof credentials.userId !== 'string' || credentials.userId.trim() === '') throw configInvalid('credentials.userId', 'The Sendbird user id is empty.');
    if (typeof credentials.accessToken !== 'string' || credentials.accessToken === '') throw configInvalid('credentials.accessToken', 'The access token is empty.');
    return credentials;
  }

  private ownedSdk(operation: string): SendBirdCallSdk {
    if (!this.sdk) throw new VoiceError('INVALID_STATE', `Cannot ${operation} before init().`, { provider: NAME });
    if (!ownsSdk(this)) {
      throw new VoiceError('INVALID_STATE', `Cannot ${operation}: another Sendbird client on this page has re-initialised sendbird-calls.`, {
        provider: NAME,
        details: { operation },
      });
    }
    return this.sdk;
  }

  /** Stops everything of this session on the polyphone side; the SDK is left to the caller. */
  private teardown(): void {
    this.session.teardown();
    this.loginGeneration += 1;
    this.credentials = undefined;
    try {
      if (this.sdk && ownsSdk(this)) this.sdk.removeListener(this.listenerId);
    } catch {
      /* not initialised */
    }
  }

  private clearSdkSession(): void {
    try {
      this.sdk?.deauthenticate();
    } catch {
      /* never initialised: nothing to clear */
    }
  }

  /** A login reply that came after the provider stopped waiting must not leave a session behind. */
  private dropLateLogin(): void {
    if (!ownsSdk(this)) return;
    if (this.session.phase === 'idle' && !this.credentials) {
      this.context.sink.log('warn', 'a Sendbird login reply came after the login was given up; the session it opened is dropped');
      this.clearSdkSession();
    } else {
      this.context.sink.log('warn', 'a Sendbird login reply came after a newer login; ignored');
    }
  }

  /** A call that switches its microphone through the SDK's device manager. */
  private newCall(directCall: DirectCall | undefined, role: 'caller' | 'callee', sdk: SendBirdCallSdk | undefined): SendbirdCall {
    const call = new SendbirdCall(directCall, role, this.context.sink.log, this.options.callConnectionTimeoutMs, (options) =>
      warnIgnoredIceServers(this.context.sink, options.iceServers !== this.context.iceServers ? options.iceServers : undefined, 'call'),
    );
    if (!sdk) return call;
    call.ongoingCalls = () => sdk.getOngoingCalls();
    call.selectInput = (audio) => switchInput(sdk, audio, () => call.peerConnection());
    call.prepareInput = async (audio) => void (await chooseInput(sdk, audio));
    return call;
  }

  private onRinging(directCall: DirectCall): void {
    if (!this.session.live) return;
    if (this.ringingCalls.has(directCall)) return;
    this.ringingCalls.add(directCall);
    // A call this client only hears of through its cancel is over before it could ring.
    if (directCall.isEnded) return;
    const call = this.newCall(directCall, 'callee', this.sdk);
    const caller = directCall.caller ?? directCall.remoteUser;
    const sink = this.context.sink.incomingCall({ from: caller?.userId ?? 'unknown', displayName: caller?.nickname || undefined }, call);
    call.bind(sink);
  }
}

export const provider: ProviderDefinitionV1<SendbirdOptions> = {
  specificationVersion: 'v1',
  name: NAME,
  parseOptions: parseSendbirdOptions,
  create: (options, context) => new SendbirdProvider(options, context),
};
