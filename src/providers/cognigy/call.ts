import type { RTCSession } from 'jssip/lib/RTCSession.js';
import { VoiceError, openMicrophone, replaceSendingTrack, type AgentData, type CallSink, type ProviderCall, type ProviderCallOptions } from '../../core/provider-kit.js';
import { AGENT_INFO_CONTENT_TYPE, SipAgentInfo, agentInfoBody, isAgentInfo } from '../sip/agent-info.js';
import { capText } from './fetch-config.js';
import { DTMF_GAP_MS, DTMF_TONE_MS, infoDigits, type DtmfTransport } from '../sip/dtmf.js';
import { sessionEnd } from './errors.js';
import { refer, type ReferTarget } from './transfer.js';

const NAME = 'cognigy';
const DTMF_TONE = { duration: DTMF_TONE_MS, interToneGap: DTMF_GAP_MS } as const;
// What Cognigy's SDK ends a call with (SessionManager.terminate): a Reason header on the BYE/CANCEL.
const HANGUP = { status_code: 480, reason_phrase: 'Ended by user' } as const;
const MAX_INFO_LOGGED = 200;

type Log = (level: 'debug' | 'info' | 'warn', message: string, data?: Record<string, unknown>) => void;

type EndEvent = { originator: string; cause: string; message?: { status_code?: number } | null };

/** Maps one JsSIP RTCSession onto polyphone's ProviderCall, reporting through a CallSink. */
export class JssipCall implements ProviderCall {
  get vendor(): RTCSession {
    return this.session;
  }
  private established = false;
  private streamReported = false;
  private endedWith: EndEvent | undefined;
  private readonly endWaiters = new Set<(event: EndEvent) => void>();
  /** The voice gateway's transcripts, read as Cognigy's SDK reads them. */
  private readonly agent: SipAgentInfo;
  // JsSIP closes only the microphone it opened itself; one this side switched to is stopped here.
  private switchedInput: MediaStreamTrack | undefined;
  // An INVITE with Replaces took this call's place: JsSIP ends it, the call was transferred.
  private replaced = false;
  /** Set by the provider (transfer.ts): what a transfer target is in JsSIP terms; throws when it is none. */
  transferTarget: ((target: string | ProviderCall) => ReferTarget) | undefined;

  constructor(
    readonly session: RTCSession,
    /** Bound by the core before this call exists: every report goes straight to it. */
    private readonly sink: CallSink,
    private readonly dtmfTransport: DtmfTransport,
    private readonly incoming: boolean,
    private readonly log: Log = () => {},
  ) {
    this.agent = new SipAgentInfo(sink, (level, message, data) => this.log(level === 'error' ? 'warn' : level, message, data), NAME);
    session.on('progress', (event: unknown) => {
      const status = (event as { response?: { status_code?: number } }).response?.status_code;
      if (!incoming && (status === 180 || status === 183)) this.sink.ringing();
    });
    session.on('accepted', () => {
      this.established = true;
      this.reportRemoteStream();
      this.sink.active();
    });
    session.on('hold', ({ originator }) => {
      if (originator === 'remote') this.sink.held();
    });
    session.on('unhold', ({ originator }) => {
      if (originator === 'remote') this.sink.unheld();
    });
    session.on('newDTMF', (event: { originator: string; dtmf: { tone: string | number } }) => {
      if (event.originator === 'remote') this.sink.dtmf(String(event.dtmf.tone));
    });
    this.followGateway();
    session.on('ended', (event) => this.onEnd(event as unknown as EndEvent));
    session.on('failed', (event) => this.onEnd(event as unknown as EndEvent));
    // The far end may start sending before `accepted` fires for an incoming call.
    session.on('peerconnection', ({ peerconnection }) =>
      peerconnection.addEventListener('track', () => {
        if (this.established) this.reportRemoteStream();
      }),
    );
  }

  async hangup(): Promise<void> {
    if (this.session.isEnded()) return;
    // An unanswered incoming call is declined like the sipjs provider does it: 603; anything else
    // ends as Cognigy's SDK ends it, 480 "Ended by user" in a Reason header.
    const options = this.incoming && !this.established ? { status_code: 603 } : HANGUP;
    try {
      this.session.terminate(options);
    } catch (error) {
      if (!this.session.isEnded()) throw callFailed('The call could not be ended.', error);
    }
  }

  async answer(options: ProviderCallOptions): Promise<void> {
    const outcome = this.nextOf(['accepted']);
    try {
      const stream = options.stream ? { mediaStream: options.stream } : {};
      this.session.answer({ mediaConstraints: { audio: options.audio ?? true, video: false }, ...stream, pcConfig: { iceServers: options.iceServers ?? [] } });
    } catch (error) {
      throw callFailed('The call could not be answered.', error);
    }
    await outcome;
  }

  async reject(options: { status?: number }): Promise<void> {
    this.session.terminate({ status_code: options.status ?? 603 });
  }

  async mute(): Promise<void> {
    this.session.mute({ audio: true });
  }

  async unmute(): Promise<void> {
    this.session.unmute({ audio: true });
  }

  hold(): Promise<void> {
    return this.reinvite(true);
  }

  unhold(): Promise<void> {
    return this.reinvite(false);
  }

  async sendDtmf(digits: string): Promise<void> {
    const tones = infoDigits(digits);
    if (tones === '') return;
    const transportType = this.dtmfTransport === 'info' ? 'INFO' : 'RFC2833';
    try {
      this.session.sendDTMF(tones, { ...DTMF_TONE, transportType } as Parameters<RTCSession['sendDTMF']>[1]);
    } catch (error) {
      throw callFailed('The DTMF digits could not be sent.', error);
    }
  }

  async transfer(target: string | ProviderCall): Promise<void> {
    if (!this.transferTarget) throw new VoiceError('UNSUPPORTED', 'This call cannot be transferred.', { provider: NAME });
    await refer(this.session, this.transferTarget(target));
  }

  markReplaced(): void {
    this.replaced = true;
  }

  /** The far end asked for a transfer (REFER): the core decides, and places the new call through `place`. */
  reportReferred(target: string, place: (sink: CallSink) => Promise<ProviderCall>, refuse: () => void): void {
    if (this.sink.referred) this.sink.referred(target, place);
    else refuse();
  }

  async getStats(): Promise<RTCStatsReport | undefined> {
    return this.session.connection?.getStats();
  }

  /** Text for the AI agent: one INFO with the JSON body Cognigy's SDK sends (SipManager.sendInfo). */
  sendText(text: string, data: AgentData | undefined): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const session = this.session as unknown as { on(name: string, l: (e: any) => void): void; removeListener(name: string, l: (e: any) => void): void };
      // JsSIP reports the outcome of our own INFO as a `newInfo` with originator 'local'.
      const onInfo = (event: { originator: string; info: { on(name: string, l: (e?: any) => void): void } }) => {
        if (event.originator !== 'local') return;
        session.removeListener('newInfo', onInfo);
        event.info.on('succeeded', () => resolve());
        event.info.on('failed', () => reject(new VoiceError('CALL_FAILED', 'The far end refused the text for the agent.', { provider: NAME })));
      };
      session.on('newInfo', onInfo);
      try {
        this.session.sendInfo(AGENT_INFO_CONTENT_TYPE, agentInfoBody(text, data));
      } catch (error) {
        session.removeListener('newInfo', onInfo);
        reject(callFailed('The text for the agent could not be sent.', error));
      }
    });
  }

  /** JsSIP has no API for it: replaceTrack on the audio sender of its RTCPeerConnection. */
  async setInput(audio: MediaTrackConstraints): Promise<void> {
    const track = await openMicrophone(NAME, audio);
    // JsSIP mutes (and holds) by disabling the sender's track: the new one keeps that state.
    track.enabled = !this.session.isMuted().audio && !this.session.isOnHold().local;
    await replaceSendingTrack(NAME, this.session.connection, track);
    this.switchedInput = track;
  }

  peerConnection(): RTCPeerConnection | undefined {
    return this.session.connection ?? undefined;
  }

  /** What Cognigy's SDK and widget do with what the voice gateway sends besides media. */
  private followGateway(): void {
    const session = this.session as unknown as { on(name: string, listener: (event: any) => void): void };
    // Opus stereo in the local SDP would halve speech recognition's accuracy on the gateway.
    session.on('sdp', (event: { originator: string; sdp: string }) => {
      if (event.originator === 'local' && /opus/i.test(event.sdp)) event.sdp = event.sdp.replace(/stereo=1/g, 'stereo=0');
    });
    // JsSIP answers an INFO 200 by itself; a transcript is read (never trusted), anything else logged.
    session.on('newInfo', (event: { originator: string; info?: { contentType?: string; body?: string } }) => {
      if (event.originator !== 'remote') return;
      if (isAgentInfo(event.info?.contentType)) {
        this.agent.onInfo(event.info?.body);
        return;
      }
      const body = typeof event.info?.body === 'string' ? event.info.body : '';
      const type = String(event.info?.contentType ?? 'none').slice(0, 60).replace(/[^\x20-\x7e]/g, '?');
      this.log('debug', `INFO from the gateway (${type}, ${body.length} bytes)`.slice(0, MAX_INFO_LOGGED));
    });
    // A REFER and an INVITE with Replaces are followed by transfer.ts (CognigyTransfers).
  }

  /** ICE restart by re-INVITE: JsSIP renegotiates with a fresh offer created with iceRestart. */
  restartMedia(): Promise<void> {
    return new Promise<void>((resolve) => {
      // false: another re-INVITE is in progress or the call is not established; the core retries.
      const started = this.session.renegotiate({ rtcOfferConstraints: { iceRestart: true } } as Parameters<RTCSession['renegotiate']>[0], () => resolve());
      if (!started) resolve();
    });
  }

  private reinvite(hold: boolean): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      // JsSIP ends the call itself when a hold re-INVITE fails; that end must fail this promise.
      const onEnd = () => reject(new VoiceError('CALL_FAILED', `The ${hold ? 'hold' : 'unhold'} failed and the call ended.`, { provider: NAME }));
      this.endWaiters.add(onEnd);
      const done = () => {
        this.endWaiters.delete(onEnd);
        resolve();
      };
      const started = hold ? this.session.hold({}, done) : this.session.unhold({}, done);
      if (!started) {
        this.endWaiters.delete(onEnd);
        reject(new VoiceError('INVALID_STATE', `The call cannot ${hold ? 'hold' : 'unhold'} now (another re-INVITE is in progress or the call is not established).`, { provider: NAME }));
      }
    });
  }

  /** Resolves on the first of `events`, rejects if the call ends first. */
  private nextOf(events: Array<'accepted'>): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const onEnd = (event: EndEvent) => {
        const { error } = sessionEnd(this.endInfo(event), { incoming: this.incoming, established: this.established });
        reject(error ?? new VoiceError('CALL_FAILED', `The call ended (${event.cause}).`, { provider: NAME }));
      };
      this.endWaiters.add(onEnd);
      for (const name of events) {
        (this.session as unknown as { once(name: string, listener: () => void): void }).once(name, () => {
          this.endWaiters.delete(onEnd);
          resolve();
        });
      }
    });
  }

  private onEnd(event: EndEvent): void {
    if (this.endedWith) return;
    this.endedWith = event;
    this.switchedInput?.stop();
    for (const waiter of [...this.endWaiters]) waiter(event);
    this.endWaiters.clear();
    const { reason, error } = this.replaced ? { reason: 'transferred' as const, error: undefined } : sessionEnd(this.endInfo(event), { incoming: this.incoming, established: this.established });
    this.sink.ended(reason, error);
  }

  private endInfo(event: EndEvent): { originator: string; cause: string; status: number | undefined } {
    const status = event.message?.status_code;
    return { originator: event.originator, cause: event.cause, status: typeof status === 'number' ? status : undefined };
  }

  private reportRemoteStream(): void {
    const pc = this.session.connection;
    if (!pc || this.streamReported) return;
    const tracks = pc.getReceivers().map((receiver) => receiver.track).filter((track): track is MediaStreamTrack => track?.kind === 'audio');
    if (tracks.length === 0) return;
    this.streamReported = true;
    this.sink.remoteStream(new MediaStream(tracks));
  }
}

function callFailed(message: string, error: unknown): VoiceError {
  const cause = error instanceof Error ? { name: capText(error.name, 60), message: capText(error.message) } : { message: capText(String(error)) };
  return new VoiceError('CALL_FAILED', message, { provider: NAME, cause });
}
