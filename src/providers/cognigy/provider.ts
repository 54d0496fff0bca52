import type { UA } from 'jssip/lib/UA.js';
import type { RTCSession } from 'jssip/lib/RTCSession.js';
import {
  VoiceError,
  abortError,
  assertWebRtc,
  bounded,
  importVendorSdk,
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
import type { CognigyEndpointConfig } from './config-schema.js';
import { capText, fetchCognigyConfig } from './fetch-config.js';
import { addressOfRecord, agentUri, changedAnchors, generatedUserId, identityHeaders, sipDomain } from './identity.js';
import { connectionOutcome, emitterOf, once, registrationOutcome } from './jssip-events.js';
import { newUserAgent, quietJssip, type JsSipModule } from './user-agent.js';
import { ensureWebSocket } from '../sip/websocket.js';
import { completeTarget } from '../sip/uri.js';
import { closeLingeringSocket, forgetRegistered } from './quirks.js';
import { CognigySession } from './session.js';
import { parseCognigyOptions, type CognigyOptions } from './options.js';
import { JssipCall } from './call.js';
import { CognigyTransfers } from './transfer.js';
import { DEFAULT_ICE_POLICY } from '../../core/ice-policy.js';
import { icePolicyReadyListener } from '../../core/ice-gate.js';

const NAME = 'cognigy';
const UNREGISTER_WAIT_MS = 2_000;

class CognigyProvider implements VoiceProviderV1 {
  readonly specificationVersion = 'v1' as const;
  readonly name = NAME;
  private jssip: JsSipModule | undefined;
  private ua: UA | undefined;
  private endpoint: CognigyEndpointConfig | undefined;
  /** The user part of the visitor's address: the app's, or made once and kept for the client's life. */
  private userId: string | undefined;
  get vendor(): UA | undefined {
    return this.ua;
  }
  private readonly session: CognigySession;
  /** Set while `ua.call()` runs: JsSIP announces the new session synchronously inside it. */
  private adoptOutgoing: ((session: RTCSession) => void) | undefined;
  private readonly transfers = new CognigyTransfers({
    newCall: (session, incoming, sink) => this.newCall(session, incoming, sink),
    incomingCall: (info, create) => this.context.sink.incomingCall(info, create),
    complete: (target) => this.targetUri(target, this.endpoint!),
    inviteHeaders: () => identityHeaders(this.endpoint!),
  });

  constructor(
    private readonly options: CognigyOptions,
    private readonly context: ProviderContext,
  ) {
    this.userId = options.userId;
    this.session = new CognigySession(options, context);
  }

  get capabilities(): ProviderCapabilities {
    // A runtime endpoint never registers: nobody can call the visitor.
    const reachable = this.endpoint?.kind !== 'runtime';
    return {
      incomingCalls: reachable,
      mute: true,
      hold: true,
      remoteHold: true,
      dtmf: true,
      receiveDtmf: true,
      tokenRefresh: true,
      anonymous: true,
      defaultTarget: true,
      agentTranscript: true,
      agentText: true,
      agentTools: false,
      inputSelection: true,
      // Several JsSIP sessions per UA, one active and the others held, as Cognigy's SDK keeps them
      // (SessionManager.setActiveSession); transfer by REFER both ways (transfer.ts).
      multipleCalls: true,
      transfer: true,
      quality: true,
      mediaReconnect: true,
      // JsSIP's ua.call/answer take a `mediaStream`.
      preparedMicrophone: true,
    };
  }

  /**
   * Cognigy's SDK refuses to exist without WebRTC. Here that check runs in init() (the first step
   * of connect()), so it fails before any request, as Cognigy's does; `signalingOnly` skips it for
   * hosts that only signal (Node), and calls check again.
   */
  async init(): Promise<void> {
    if (!this.options.signalingOnly) assertWebRtc(NAME);
    const module = await importVendorSdk(NAME, 'jssip', () => import('jssip'));
    const jssip = ((module as { default?: JsSipModule }).default ?? module) as JsSipModule;
    quietJssip(jssip);
    this.jssip = jssip;
  }

  /** Nothing to take: the core lets only "anonymous" through (credentialTypes in index.ts); the endpoint hands out the SIP credentials. */
  async authenticate(): Promise<void> {}

  async connect(signal: AbortSignal): Promise<ConnectResult> {
    await ensureWebSocket(NAME);
    this.session.start();
    this.log('info', 'fetching the configuration from the Cognigy endpoint');
    const config = await this.fetchConfig(signal);
    if (signal.aborted) throw abortError(signal, NAME);
    this.endpoint = config;
    this.userId ??= generatedUserId(config.endpointName);
    const aor = addressOfRecord(config, this.userId);
    this.log('info', `${config.kind} endpoint; connecting to ${capText(config.wsUri)} as ${capText(aor)}`);
    const ua = this.createUserAgent(config, aor);
    this.ua = ua;
    const started = Date.now();
    if (config.kind === 'legacy') {
      // JsSIP would retry a refused WebSocket forever; during connect one failure is the answer.
      await bounded(registrationOutcome(ua, () => ua.start(), true), { signal, what: 'WebSocket connect and REGISTER', provider: NAME });
    } else {
      await bounded(connectionOutcome(ua), { signal, what: 'WebSocket connect', provider: NAME });
    }
    this.session.up(`sip:${sipDomain(config)}`);
    this.log('info', `${config.kind === 'legacy' ? 'registered' : 'connected (no REGISTER)'} as ${capText(aor)} in ${Date.now() - started} ms`);
    return { registered: config.kind === 'legacy', identity: aor };
  }

  async disconnect(): Promise<void> {
    this.session.stop();
    const ua = this.ua;
    this.ua = undefined;
    if (!ua) return;
    const unregistering = ua.isRegistered() && ua.isConnected() ? once(emitterOf(ua), 'unregistered', UNREGISTER_WAIT_MS) : Promise.resolve();
    try {
      ua.stop();
    } catch {
      /* already stopped */
    }
    await unregistering;
    closeLingeringSocket(ua);
  }

  /** No target: the endpoint's agent. A target (a lab, a PBX behind the gateway) is dialled as given. */
  async call(target: string | undefined, options: ProviderCallOptions, sink: CallSink): Promise<ProviderCall> {
    assertWebRtc(NAME);
    const ua = this.ua;
    const endpoint = this.endpoint;
    if (!ua || !endpoint || this.session.phase !== 'connected') throw new VoiceError('INVALID_STATE', 'The Cognigy client is not connected.', { provider: NAME });
    let call: JssipCall | undefined;
    this.adoptOutgoing = (session) => {
      call = this.newCall(session, false, sink);
    };
    try {
      ua.call(target === undefined ? agentUri(endpoint) : this.targetUri(target, endpoint), {
        mediaConstraints: { audio: options.audio ?? true, video: false },
        // A microphone opened ahead (client.prepare()); JsSIP leaves it running, the core stops it.
        ...(options.stream ? { mediaStream: options.stream } : {}),
        pcConfig: { iceServers: options.iceServers ?? this.context.iceServers ?? [] },
        extraHeaders: identityHeaders(endpoint),
      });
    } catch (error) {
      if (error instanceof TypeError) {
        throw new VoiceError('INVALID_ARGUMENT', 'The call target is not a SIP URI or user name.', { provider: NAME, details: { field: 'target' } });
      }
      throw new VoiceError('CALL_FAILED', 'The call could not be started.', { provider: NAME, cause: { name: capText(String((error as Error)?.name), 60), message: capText(String((error as Error)?.message)) } });
    } finally {
      this.adoptOutgoing = undefined;
    }
    if (!call) throw new VoiceError('INTERNAL', 'JsSIP started no session for the call.', { provider: NAME });
    return call;
  }

  /**
   * A Cognigy reply carries no expiry, so nothing here raises tokenWillExpire. A refresh GETs a
   * fresh config and re-REGISTERs with it on the same WebSocket, so a call in progress is not
   * touched; a reply that would move the session (another server, realm or agent) is refused.
   */
  async refreshToken(credentials: Credentials | string | undefined, signal: AbortSignal): Promise<void> {
    if (credentials !== undefined) {
      throw new VoiceError('UNSUPPORTED', 'The Cognigy provider refreshes by fetching a fresh config from its endpoint; call refreshToken() without credentials.', {
        provider: NAME,
      });
    }
    const ua = this.ua;
    const previous = this.endpoint;
    if (!ua || !previous || this.session.phase !== 'connected') throw new VoiceError('INVALID_STATE', 'The Cognigy client is not connected.', { provider: NAME });
    const config = await this.fetchConfig(signal);
    const changed = changedAnchors(previous, config);
    if (changed.length > 0) {
      throw new VoiceError('PROTOCOL_ERROR', `The refreshed Cognigy configuration would move the session (${changed.join(', ')} changed); disconnect and connect again.`, {
        provider: NAME,
        cause: { name: 'SessionMoved' },
        details: { changed: changed.join(',') },
      });
    }
    if (config.kind === 'legacy' && previous.kind === 'legacy') {
      try {
        await this.reRegister(ua, config, signal);
      } catch (error) {
        // A refused refresh must not leave the client silently unregistered: go back to the old password.
        await this.reRegister(ua, previous, signal).catch(() => this.context.sink.unregistered());
        throw error;
      }
    }
    this.endpoint = config;
  }

  // ---- internals ----

  /** GET, validate, check the widget: steps 1 and 2 of Cognigy's connect. */
  private async fetchConfig(signal: AbortSignal): Promise<CognigyEndpointConfig> {
    const config = await fetchCognigyConfig(this.options.endpointUrl, this.options.configTimeoutMs, signal, NAME);
    if (config.kind === 'legacy') this.context.redactor.add(config.password);
    if (!config.widgetActive) {
      throw new VoiceError('WIDGET_INACTIVE', 'The Click-to-Call (WebRTC) widget of this Cognigy endpoint is not active.', { provider: NAME });
    }
    return config;
  }

  private createUserAgent(config: CognigyEndpointConfig, aor: string): UA {
    const { ua, socket } = newUserAgent(this.jssip!, config, aor);
    this.session.follow(ua, socket, config.kind === 'runtime');
    ua.on('newRTCSession', (event: { originator: string; session: RTCSession }) => this.onNewSession(event.originator, event.session));
    return ua;
  }

  private reRegister(ua: UA, config: { username: string; password: string }, signal: AbortSignal): Promise<void> {
    this.session.refreshing = true;
    const outcome = registrationOutcome(
      ua,
      () => {
        ua.set('authorization_user', config.username);
        ua.set('password', config.password);
        forgetRegistered(ua);
        ua.register();
      },
      false,
    );
    return bounded(outcome, { signal, what: 'REGISTER', provider: NAME }).finally(() => {
      this.session.refreshing = false;
    });
  }

  private onNewSession(originator: string, session: RTCSession): void {
    if (originator === 'local') {
      this.adoptOutgoing?.(session);
      return;
    }
    // A session made by transfer.ts (a REFER followed, an INVITE with Replaces) is a call already.
    if (this.transfers.has(session)) return;
    const identity = session.remote_identity;
    this.context.sink.incomingCall({ from: identity.uri.toString(), displayName: identity.display_name || undefined }, (sink) => this.newCall(session, true, sink));
  }

  private newCall(session: RTCSession, incoming: boolean, sink: CallSink): JssipCall {
    const call = new JssipCall(session, sink, this.options.dtmfTransport, incoming, (level, message) => this.log(level, message));
    this.applyIcePolicy(session);
    this.transfers.follow(call);
    return call;
  }

  private targetUri(target: string, endpoint: CognigyEndpointConfig): string {
    return completeTarget(target, sipDomain(endpoint));
  }

  /** JsSIP waits for the end of gathering unless an `icecandidate` listener calls ready(): the core's ICE policy does. */
  private applyIcePolicy(session: RTCSession): void {
    session.on('icecandidate', icePolicyReadyListener(this.context.icePolicy ?? DEFAULT_ICE_POLICY, () => session.connection?.getConfiguration().iceServers));
  }

  private log(level: 'debug' | 'info' | 'warn' | 'error', message: string): void {
    this.context.sink.log(level, `cognigy: ${message}`);
  }
}

export const provider: ProviderDefinitionV1<CognigyOptions> = {
  specificationVersion: 'v1',
  name: NAME,
  parseOptions: parseCognigyOptions,
  create: (options, context) => new CognigyProvider(options, context),
  // The endpoint URL is the credential: the app has none to give.
  defaultCredentials: () => ({ type: 'anonymous' }),
};
