import type { Info, Invitation, Inviter, Session } from 'sip.js';
import type { Core } from 'sip.js';
type IncomingRequestMessage = Core.IncomingRequestMessage;
import type { CallEndReason, CallSink, ProviderCall, ProviderCallOptions } from '../../core/provider-kit.js';
import { VoiceError, describeCause, mediaError } from '../../core/provider-kit.js';
import type { DtmfTransport } from './options.js';

type SipModule = typeof import('sip.js');

interface WebSdh {
  peerConnection: RTCPeerConnection | undefined;
  remoteMediaStream: MediaStream;
  sendDtmf(tones: string, options?: { duration: number; interToneGap: number }): boolean;
}

const DTMF_RELAY = /Signal\s*=\s*([0-9A-Da-d*#])/;

/** A direction attribute of an SDP that puts this side on hold. */
export function sdpHolds(sdp: string | undefined): boolean | undefined {
  if (!sdp) return undefined;
  const audio = sdp.split(/\r?\nm=/).find((section) => section.startsWith('audio') || section.includes('m=audio'));
  const text = audio ?? sdp;
  if (/a=(sendonly|inactive)/.test(text)) return true;
  if (/a=(sendrecv|recvonly)/.test(text)) return false;
  return undefined;
}

/** Maps one sip.js session onto polyphone's ProviderCall, reporting through a CallSink. */
export class SipjsCall implements ProviderCall {
  private sink: CallSink | undefined;
  private pending: Array<(sink: CallSink) => void> = [];
  private remoteBye = false;
  private rejectedWith: { status: number; reason: string } | undefined;
  private localEnd = false;
  private established = false;

  constructor(
    private readonly sip: SipModule,
    readonly session: Session,
    private readonly dtmfTransport: DtmfTransport,
    private readonly failureFor: (status: number, reason: string) => { reason: CallEndReason; error?: VoiceError },
    private readonly prepareMedia: (session: Session, iceServers: RTCIceServer[] | undefined) => void,
  ) {
    session.delegate = {
      onBye: () => {
        this.remoteBye = true;
      },
      onInfo: (info: Info) => this.onInfo(info),
      onInvite: (request: IncomingRequestMessage) => {
        const holds = sdpHolds(request.body);
        if (holds === true) this.report((s) => s.held());
        else if (holds === false) this.report((s) => s.unheld());
      },
    };
    session.stateChange.addListener((state) => this.onState(state));
  }

  /** Incoming calls get their sink only after the core has built the handle. */
  bind(sink: CallSink): void {
    this.sink = sink;
    for (const report of this.pending.splice(0)) report(sink);
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
    try {
      await invitation.accept({ sessionDescriptionHandlerOptions: { constraints: { audio: true, video: false } } as object });
    } catch (error) {
      throw mediaError(error, 'sipjs') ?? new VoiceError('CALL_FAILED', 'The call could not be answered.', { provider: 'sipjs', cause: describeCause(error) });
    }
  }

  async reject(options: { status?: number }): Promise<void> {
    this.localEnd = true;
    await (this.session as Invitation).reject({ statusCode: options.status ?? 603 });
  }

  async mute(): Promise<void> {
    this.setSending(false);
  }

  async unmute(): Promise<void> {
    this.setSending(true);
  }

  async hold(): Promise<void> {
    await this.reinvite(true);
  }

  async unhold(): Promise<void> {
    await this.reinvite(false);
  }

  async sendDtmf(digits: string): Promise<void> {
    const tones = digits.replace(/,/g, '');
    if (this.dtmfTransport === 'rfc4733' && this.sdh()?.sendDtmf(digits, { duration: 100, interToneGap: 70 })) return;
    // SIP INFO (application/dtmf-relay): what the far end can surface as `dtmf` events.
    for (const digit of tones) {
      await this.session.info({
        requestOptions: { body: { contentDisposition: 'render', contentType: 'application/dtmf-relay', content: `Signal=${digit}\r\nDuration=100` } },
      });
    }
  }

  async getStats(): Promise<RTCStatsReport | undefined> {
    return this.sdh()?.peerConnection?.getStats();
  }

  private sdh(): WebSdh | undefined {
    return this.session.sessionDescriptionHandler as unknown as WebSdh | undefined;
  }

  private setSending(enabled: boolean): void {
    const pc = this.sdh()?.peerConnection;
    if (!pc) throw new VoiceError('INVALID_STATE', 'The call has no media yet.', { provider: 'sipjs' });
    for (const sender of pc.getSenders()) if (sender.track?.kind === 'audio') sender.track.enabled = enabled;
  }

  private reinvite(hold: boolean): Promise<void> {
    const session = this.session;
    session.sessionDescriptionHandlerOptionsReInvite = { hold } as object;
    return new Promise<void>((resolve, reject) => {
      session
        .invite({
          requestDelegate: {
            onAccept: () => resolve(),
            onReject: (response) =>
              reject(
                new VoiceError('CALL_FAILED', `The far end refused the ${hold ? 'hold' : 'unhold'} (${response.message.statusCode}).`, {
                  provider: 'sipjs',
                  cause: { name: 'SIPResponse', code: response.message.statusCode, message: response.message.reasonPhrase },
                }),
              ),
          },
        })
        .catch((error: unknown) =>
          reject(new VoiceError('CALL_FAILED', `The ${hold ? 'hold' : 'unhold'} could not be sent.`, { provider: 'sipjs', cause: describeCause(error) })),
        );
    });
  }

  private onInfo(info: Info): void {
    const body = info.request.body ?? '';
    const type = String(info.request.getHeader('content-type') ?? '');
    const match = DTMF_RELAY.exec(body) ?? (type.includes('application/dtmf') ? /([0-9A-Da-d*#])/.exec(body.trim()) : null);
    void info.accept().catch(() => {});
    if (match?.[1]) {
      const digit = match[1];
      this.report((s) => s.dtmf(digit));
    }
  }

  private onState(state: string): void {
    const { SessionState } = this.sip;
    if (state === SessionState.Established) {
      this.established = true;
      const sdh = this.sdh();
      if (sdh?.remoteMediaStream) {
        const stream = sdh.remoteMediaStream;
        this.report((s) => s.remoteStream(stream));
      }
      this.report((s) => s.active());
    } else if (state === SessionState.Terminated) {
      this.report((s) => this.reportEnd(s));
    }
  }

  private reportEnd(sink: CallSink): void {
    if (this.rejectedWith) {
      const { reason, error } = this.failureFor(this.rejectedWith.status, this.rejectedWith.reason);
      sink.ended(reason, error);
    } else if (this.remoteBye) sink.ended('remoteHangup');
    else if (this.localEnd) sink.ended('hangup');
    else if (this.session instanceof this.sip.Invitation && !this.established) sink.ended('canceled');
    else sink.ended('failed', new VoiceError('CALL_FAILED', 'The call ended unexpectedly.', { provider: 'sipjs' }));
  }

  private report(fn: (sink: CallSink) => void): void {
    if (this.sink) fn(this.sink);
    else this.pending.push(fn);
  }
}

export type { Inviter };
