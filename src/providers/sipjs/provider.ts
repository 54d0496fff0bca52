import type { Invitation, Inviter, Referral, Session, URI, UserAgent } from 'sip.js';
import {
  VoiceError,
  assertWebRtc,
  configInvalid,
  describeCause,
  importVendorSdk,
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
import { SipjsCall } from './call.js';
import { callMediaOptions } from './user-agent-options.js';
import { inviteFailure } from './errors.js';
import { SipjsSession } from './session.js';
import { followReferral, referTarget } from './transfer.js';
import { ensureWebSocket } from '../sip/websocket.js';
import { completeTarget } from '../sip/uri.js';

type SipModule = typeof import('sip.js');

const NAME = 'sipjs';

class SipjsProvider implements VoiceProviderV1 {
  readonly specificationVersion = 'v1' as const;
  readonly name = NAME;
  private sip: SipModule | undefined;
  private credentials: Credentials | undefined;
  private session: SipjsSession | undefined;
  private readonly iceServersBySession = new WeakMap<Session, RTCIceServer[] | undefined>();
  /** Each session's call, so an INVITE with Replaces finds the call it replaces. */
  private readonly callsBySession = new WeakMap<Session, SipjsCall>();
  /** The refresh under way: sip.js refuses a REGISTER while another is pending (RequestPendingError). */
  private refreshing: Promise<void> = Promise.resolve();

  constructor(
    private readonly options: SipjsOptions,
    private readonly context: ProviderContext,
  ) {}

  get vendor(): UserAgent | undefined {
    return this.session?.ua;
  }

  get capabilities(): ProviderCapabilities {
    const registered = this.credentials?.type === 'password';
    // Agent transcripts and text: the Cognigy INFO bodies, which any SIP peer may speak (README "AI agents").
    return { incomingCalls: registered, mute: true, hold: true, remoteHold: true, dtmf: true, receiveDtmf: true, tokenRefresh: registered, anonymous: true, agentTranscript: true, agentText: true, agentTools: false, inputSelection: true, multipleCalls: true, transfer: true, quality: true, mediaReconnect: true, preparedMicrophone: true };
  }

  async init(): Promise<void> {
    this.sip = await importVendorSdk(NAME, 'sip.js', () => import('sip.js'));
  }

  /** The core lets only "password" and "anonymous" through (credentialTypes in index.ts). */
  async authenticate(credentials: Credentials): Promise<void> {
    if (credentials.type === 'password') {
      if (!this.options.uri) throw configInvalid('uri', 'An authenticated SIP.js client needs "uri" (the address of record to register).');
      // Checked again with sip.js's own parser: one it cannot read would register anonymously.
      if (!this.sip?.UserAgent.makeURI(this.options.uri)) throw configInvalid('uri', 'The option "uri" is not a SIP URI that sip.js can parse.');
      if (typeof credentials.password !== 'string' || credentials.password === '') throw configInvalid('credentials.password', 'The password is empty.');
      if (credentials.username !== undefined) checkDigestUser(credentials.username, 'credentials.username', NAME);
    }
    this.credentials = credentials;
  }

  async connect(signal: AbortSignal): Promise<ConnectResult> {
    await ensureWebSocket(NAME);
    // One session per connection: late events of a stopped one reach nothing that is live.
    const session = new SipjsSession(this.sip!, this.options, this.context);
    this.session = session;
    return session.connect(this.credentials, {
      log: (message) => this.context.sink.log('debug', message),
      iceServersFor: (s) => (this.iceServersBySession.has(s) ? this.iceServersBySession.get(s) : this.context.iceServers),
      icePolicy: this.context.icePolicy,
      onInvite: (invitation) => this.onInvite(invitation),
    }, signal);
  }

  async disconnect(): Promise<void> {
    await this.session?.disconnect();
  }

  /** One reconnection try of the session reported lost; the core's policy schedules the tries. */
  reconnect(signal: AbortSignal): Promise<void> {
    if (!this.session) return Promise.reject(new VoiceError('INVALID_STATE', 'The SIP client is not connected.', { provider: NAME }));
    return this.session.reconnect(signal);
  }

  async call(target: string, options: ProviderCallOptions, sink: CallSink): Promise<ProviderCall> {
    assertWebRtc(NAME);
    const sip = this.sip!;
    const ua = this.session!.ua!;
    const problem = headerTextProblem(target, SIP_URI_MAX);
    const uri = problem ? undefined : sip.UserAgent.makeURI(this.targetUri(target));
    if (!uri) throw new VoiceError('INVALID_ARGUMENT', 'The call target is not a SIP URI or user name.', { provider: NAME, details: { field: 'target' } });
    const inviter = new sip.Inviter(ua, uri, { sessionDescriptionHandlerOptions: callMediaOptions(options) });
    return this.invite(inviter, options.iceServers, sink);
  }

  /** Sends the INVITE of an outgoing session (a call of the app's, or one a REFER asked for). */
  private async invite(inviter: Inviter, iceServers: RTCIceServer[] | undefined, sink: CallSink): Promise<SipjsCall> {
    this.iceServersBySession.set(inviter, iceServers);
    const call = this.newCall(inviter, sink);
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
      // sip.js has already ended the session; the core holds that end and ends the call `failed`
      // with this error (e.g. MEDIA_DENIED).
      throw mediaError(error, NAME) ?? new VoiceError('CALL_FAILED', 'The call could not be started.', { provider: NAME, cause: describeCause(error) });
    }
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
    const session = this.session;
    if (!password || this.credentials?.type !== 'password' || !session?.registered) {
      throw new VoiceError('UNSUPPORTED', 'The sipjs provider refreshes only the password of a registered client.', { provider: NAME });
    }
    this.context.redactor.add(password);
    await session.refresh(password, this.credentials.password, signal);
    this.credentials = { ...this.credentials, password };
  }

  // ---- calls ----

  private onInvite(invitation: Invitation): void {
    const identity = invitation.remoteIdentity;
    // sip.js matched an INVITE with Replaces to one of our dialogs (the far end of an attended transfer).
    const replaces = invitation.replacee ? this.callsBySession.get(invitation.replacee) : undefined;
    replaces?.markReplaced();
    const info = { from: identity.uri.toString(), displayName: identity.displayName || undefined, ...(replaces ? { replaces } : {}) };
    this.context.sink.incomingCall(info, (sink) => this.newCall(invitation, sink));
  }

  private newCall(session: Session, sink: CallSink): SipjsCall {
    const call = new SipjsCall(this.sip!, session, sink, this.options.dtmfTransport, inviteFailure, (s, ice) => this.iceServersBySession.set(s, ice), this.context.sink.log);
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
    return completeTarget(target, this.options.uri?.split('@')[1] ?? new URL(this.options.server).hostname);
  }
}

export const provider: ProviderDefinitionV1<SipjsOptions> = {
  specificationVersion: 'v1',
  name: NAME,
  parseOptions: parseSipjsOptions,
  create: (options, context) => new SipjsProvider(options, context),
  defaultCredentials: (options) => (options.uri ? undefined : { type: 'anonymous' }),
};
