import type { Core, Info, Invitation, Referral, Session, URI } from 'sip.js';
import { VoiceError, describeCause, mediaError, type AgentData, type CallEndReason, type CallSink, type LogLevel, type ProviderCall, type ProviderCallOptions } from '../../core/provider-kit.js';
import { callMediaOptions } from './user-agent-options.js';
import { SipAgentInfo, isAgentInfo } from '../sip/agent-info.js';
import { sendAgentText } from './agent-text.js';
import { DTMF_GAP_MS, DTMF_TONE_MS, infoDigits, readDtmfInfo, type DtmfTransport } from '../sip/dtmf.js';
import { refer } from './transfer.js';
import { SipjsCallMedia } from './call-media.js';
import { reinvite, sdpHolds, sendInfoDigit } from './in-dialog.js';

type SipModule = typeof import('sip.js');

/** Maps one sip.js session onto polyphone's ProviderCall, reporting through a CallSink. */
export class SipjsCall implements ProviderCall {
  get vendor(): Session {
    return this.session;
  }
  private remoteBye = false;
  private rejectedWith: { status: number; reason: string } | undefined;
  private localEnd = false;
  private established = false;
  private watchingMedia = false;
  /** The local media: mute and hold silence the microphone, its switch, RFC 4733 digits. */
  private readonly media: SipjsCallMedia;
  // While answer() runs, sip.js may end the session itself (it rejects the INVITE when the
  // microphone is refused); the end is held back so answer()'s own error decides the reason.
  private answering = false;
  private deferredEnd: (() => void) | undefined;
  /** JSON INFOs from an AI agent (Cognigy's voice gateway, or any peer speaking its bodies). */
  private readonly agent: SipAgentInfo;
  // An INVITE with Replaces took this call's place: sip.js sends its BYE, the call was transferred.
  private replaced = false;
  /** Set by the provider: what a transfer target (a URI or user, or another call) is in sip.js terms. */
  transferTarget: ((target: string | ProviderCall) => URI | Session | undefined) | undefined;
  /** Set by the provider: an incoming REFER on this call. */
  onReferral: ((referral: Referral) => void) | undefined;

  constructor(
    private readonly sip: SipModule,
    readonly session: Session,
    /** Bound by the core before this call exists: every report goes straight to it. */
    private readonly sink: CallSink,
    private readonly dtmfTransport: DtmfTransport,
    private readonly failureFor: (status: number, reason: string) => { reason: CallEndReason; error?: VoiceError },
    private readonly prepareMedia: (session: Session, iceServers: RTCIceServer[] | undefined) => void,
    log: (level: LogLevel, message: string, data?: Record<string, unknown>) => void = () => {},
  ) {
    this.agent = new SipAgentInfo(sink, log, 'sipjs');
    this.media = new SipjsCallMedia(session);
    session.delegate = {
      onBye: () => {
        this.remoteBye = true;
      },
      onInfo: (info: Info) => this.onInfo(info),
      onRefer: (referral: Referral) => {
        if (this.onReferral) this.onReferral(referral);
        else void referral.reject().catch(() => {});
      },
      onInvite: (request: Core.IncomingRequestMessage) => {
        const holds = sdpHolds(request.body);
        if (holds === true) this.sink.held();
        else if (holds === false) this.sink.unheld();
      },
    };
    session.stateChange.addListener((state) => this.onState(state));
  }

  markRejected(status: number, reason: string): void {
    this.rejectedWith = { status, reason };
  }

  async hangup(): Promise<void> {
    this.localEnd = true;
    const { SessionState, Inviter, Invitation } = this.sip;
    const s = this.session;
    if (s.state === SessionState.Established) await s.bye();
    else if (s instanceof Inviter && (s.state === SessionState.Initial || s.state === SessionState.Establishing)) await s.cancel();
    else if (s instanceof Invitation && (s.state === SessionState.Initial || s.state === SessionState.Establishing)) await s.reject({ statusCode: 603 });
  }

  async answer(options: ProviderCallOptions): Promise<void> {
    const invitation = this.session as Invitation;
    this.prepareMedia(invitation, options.iceServers);
    this.answering = true;
    try {
      await invitation.accept({ sessionDescriptionHandlerOptions: callMediaOptions(options) });
    } catch (error) {
      const denied = mediaError(error, 'sipjs');
      // A refused microphone is the reason the call ended (the core ends it `failed` with
      // MEDIA_DENIED); any other end that came meanwhile (a CANCEL) is reported as it was.
      if (denied) this.deferredEnd = undefined;
      throw denied ?? new VoiceError('CALL_FAILED', 'The call could not be answered.', { provider: 'sipjs', cause: describeCause(error) });
    } finally {
      this.answering = false;
      const end = this.deferredEnd;
      this.deferredEnd = undefined;
      end?.();
    }
  }

  async reject(options: { status?: number }): Promise<void> {
    this.localEnd = true;
    await (this.session as Invitation).reject({ statusCode: options.status ?? 603 });
  }

  async mute(): Promise<void> {
    this.media.setMuted(true);
  }

  async unmute(): Promise<void> {
    this.media.setMuted(false);
  }

  async hold(): Promise<void> {
    await reinvite(this.session, true);
    this.media.setHolding(true);
  }

  async unhold(): Promise<void> {
    await reinvite(this.session, false);
    this.media.setHolding(false);
  }

  /**
   * RFC 4733 through the peer connection's RTCDTMFSender when negotiated (a comma is a 2 s pause
   * there), else SIP INFO (application/dtmf-relay, commas dropped), one digit per transaction.
   */
  async sendDtmf(digits: string): Promise<void> {
    const dtmf = this.dtmfTransport === 'rfc4733' ? this.media.dtmfSender() : undefined;
    if (dtmf) {
      // insertDTMF replaces the queue: digits of an earlier sendDtmf still waiting would be lost.
      dtmf.insertDTMF(dtmf.toneBuffer + digits, DTMF_TONE_MS, DTMF_GAP_MS);
      return;
    }
    for (const digit of infoDigits(digits)) await sendInfoDigit(this.session, digit);
  }

  async transfer(target: string | ProviderCall): Promise<void> {
    const resolved = this.transferTarget?.(target);
    if (!resolved) throw new VoiceError('INVALID_ARGUMENT', 'The transfer target is not a SIP URI, a user name or an established call.', { provider: 'sipjs', details: { field: 'target' } });
    await refer(this.session, resolved);
  }

  markReplaced(): void {
    this.replaced = true;
  }

  /** The far end asked for a transfer: the core decides, and places the new call through `place`. */
  reportReferred(referral: Referral, target: string, place: (sink: CallSink) => Promise<ProviderCall>): void {
    if (this.sink.referred) this.sink.referred(target, place);
    else void referral.reject().catch(() => {});
  }

  async getStats(): Promise<RTCStatsReport | undefined> {
    return this.media.peerConnection?.getStats();
  }

  setInput(audio: MediaTrackConstraints): Promise<void> {
    return this.media.switchInput(audio);
  }

  peerConnection(): RTCPeerConnection | undefined {
    return this.media.peerConnection;
  }

  /** ICE restart by re-INVITE (RFC 5245 §9.1.1.1): a fresh offer with new ICE credentials. */
  restartMedia(): Promise<void> {
    if (this.session.state !== this.sip.SessionState.Established) return Promise.resolve();
    return reinvite(this.session, this.media.holding, { iceRestart: true });
  }

  /** Text for the AI agent: one INFO with the JSON body Cognigy's SDK sends. */
  sendText(text: string, data: AgentData | undefined): Promise<void> {
    return sendAgentText(this.session, text, data);
  }

  private onInfo(info: Info): void {
    const body = info.request.body ?? '';
    const type = String(info.request.getHeader('content-type') ?? '');
    if (isAgentInfo(type)) {
      void info.accept().catch(() => {});
      this.agent.onInfo(body);
      return;
    }
    const digit = readDtmfInfo(body, type);
    void info.accept().catch(() => {});
    if (digit) this.sink.dtmf(digit);
  }

  private onState(state: string): void {
    const { SessionState } = this.sip;
    if (state === SessionState.Established) {
      this.established = true;
      this.watchMedia(this.media.peerConnection);
      const stream = this.media.remoteStream;
      if (stream) this.sink.remoteStream(stream);
      this.sink.active();
    } else if (state === SessionState.Terminated) {
      if (this.answering) this.deferredEnd = () => this.reportEnd();
      // sip.js ends an Inviter before it hands the final response to our onReject (same call
      // stack): wait one microtask so the reason comes from the SIP status.
      else queueMicrotask(() => this.reportEnd());
    }
  }

  /**
   * A BYE can be lost (e.g. the far end's proxy restarted and forgot the connection the dialog ran
   * over): the call would then stay `active` forever with no media. When the media connection
   * fails for good (ICE consent lost, ~20 s in Chromium), the call ends `failed`, and a BYE is
   * still tried so the far end hears of it too.
   */
  private watchMedia(pc: RTCPeerConnection | undefined): void {
    if (!pc || this.watchingMedia) return;
    this.watchingMedia = true;
    pc.addEventListener('connectionstatechange', () => {
      if (pc.connectionState !== 'failed' || this.localEnd || this.session.state !== this.sip.SessionState.Established) return;
      this.sink.ended('failed', new VoiceError('CALL_FAILED', 'The media connection of the call was lost.', { provider: 'sipjs', cause: { name: 'MediaConnectionFailed' } }));
      void this.session.bye().catch(() => {});
    });
  }

  private reportEnd(): void {
    const sink = this.sink;
    // This side hung up, cancelled or rejected: the core ends the call with the reason it knows
    // (hangup, canceled, rejected, busy, unanswered) once our method returns; a 487 or BYE crossing
    // ours must not replace it.
    if (this.replaced) return sink.ended('transferred');
    if (this.localEnd) return;
    if (this.rejectedWith) {
      const { reason, error } = this.failureFor(this.rejectedWith.status, this.rejectedWith.reason);
      sink.ended(reason, error);
    } else if (this.remoteBye) sink.ended('remoteHangup');
    else if (this.session instanceof this.sip.Invitation && !this.established) sink.ended('canceled');
    else sink.ended('failed', new VoiceError('CALL_FAILED', 'The call ended unexpectedly.', { provider: 'sipjs' }));
  }

  /** The far end is alerting (a 180/183 to our INVITE). */
  ringing(): void {
    this.sink.ringing();
  }
}
