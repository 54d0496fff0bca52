import { DefaultCall as Call } from './call.js';
import type { CallOptions } from './api.js';
import { IGNORED_CALL_SINK, followReferral, takeOverReplaced } from './calls.js';
import type { ConnectOptions, PrepareOptions, PrepareResult, VoiceClient } from './api.js';
import { timeoutArgument } from './config.js';
import type { CallSink, ProviderCall, ProviderCallOptions } from './contract.js';
import { VoiceError } from './errors.js';
import { ClientSession } from './client-session.js';
import { CLIENT_OPERATIONS, UNANSWERED_STATES, allows } from './states.js';
import { bounded } from './runtime.js';
import { DEFAULT_HOLD_MICROPHONE_MS, PreparedMicrophone, stopStream } from './devices/prepared.js';

export { TEARDOWN_MS } from './client-session.js';

/** An incoming caller's display name and address are cut to these lengths (they are the caller's text). */
const MAX_CALLER_NAME_LENGTH = 128;
const MAX_PEER_LENGTH = 1_024;

/** The client the app holds: the session (client-session.ts) and its calls, outgoing and incoming. */
export class DefaultVoiceClient extends ClientSession implements VoiceClient {
  private callCount = 0;
  private readonly prepared = new PreparedMicrophone(() => this.provider);

  async call(target?: string, options: CallOptions = {}): Promise<Call> {
    const toDefault = target === undefined && this.impl.capabilities.defaultTarget === true;
    if (!toDefault && (typeof target !== 'string' || target.trim() === '')) {
      throw new VoiceError('INVALID_ARGUMENT', 'call() needs a target (SIP URI, number or user id): this session has no default destination.', {
        provider: this.provider,
        details: { field: 'target' },
      });
    }
    const ringMs = options.ringTimeoutMs === undefined ? this.config.timeouts.ringMs : this.checked(() => timeoutArgument(options.ringTimeoutMs, 'ringTimeoutMs'));
    this.permit('call');
    this.liveCalls.checkRoom('call');
    await this.liveCalls.holdOthers(undefined, 'call');
    const call = this.newCall('outgoing', target ?? '', undefined, options.audioElement);
    call.start('connecting');
    this.emit('callStarted', { call, direction: 'outgoing' });
    const ringTimer = setTimeout(() => {
      if (UNANSWERED_STATES.includes(call.state)) void call.terminate('unanswered');
    }, ringMs);
    call.on('stateChanged', ({ to }) => {
      if (!UNANSWERED_STATES.includes(to)) clearTimeout(ringTimer);
    });
    try {
      await call.placing((sink) =>
        bounded(this.impl.call(target, this.callOptions(options.iceServers, call), sink, this.lifetime.signal), {
          timeoutMs: this.config.timeouts.connectMs,
          what: 'call()',
          provider: this.provider,
        }),
      );
    } catch (error) {
      clearTimeout(ringTimer);
      const wrapped = this.wrap(error, 'CALL_FAILED');
      call.end('failed', wrapped);
      throw wrapped;
    }
    return call;
  }

  async connectAndCall(target?: string, options: CallOptions & ConnectOptions = {}): Promise<Call> {
    if (!allows(CLIENT_OPERATIONS.call, this._state)) await this.connect(options);
    return this.call(target, options);
  }

  async hangup(): Promise<void> {
    await this.liveCalls.latest()?.hangup();
  }

  async prepare(options: PrepareOptions = {}): Promise<PrepareResult> {
    const { holdMicrophoneMs, microphone = true, ...connectOptions } = options;
    const holdMs = holdMicrophoneMs === undefined ? DEFAULT_HOLD_MICROPHONE_MS : this.checked(() => timeoutArgument(holdMicrophoneMs, 'holdMicrophoneMs'));
    // The SDK, the connection and the microphone at the same time: none waits for another.
    const [session, media] = await Promise.allSettled([this.prepareSession(connectOptions), microphone ? this.prepareMicrophone(holdMs) : this.prepared.held]);
    if (session.status === 'rejected') {
      this.prepared.release();
      throw this.wrap(session.reason, 'NETWORK_UNREACHABLE');
    }
    if (media.status === 'rejected') throw this.wrap(media.reason, 'MEDIA_DENIED');
    return { microphoneHeld: media.value };
  }

  release(): void {
    this.prepared.release();
  }

  override disconnect(): Promise<void> {
    this.prepared.release();
    return super.disconnect();
  }

  /** Connects unless connected (or a connect() under way gets there). */
  private async prepareSession(options: ConnectOptions): Promise<void> {
    if (this.connectAbort) await this.connectSettled;
    else if (allows(CLIENT_OPERATIONS.connect, this._state)) await this.connect(options);
    if (this._state !== 'connected' && this._state !== 'reconnecting') throw this.invalidState('prepare', 'the connection failed');
  }

  private async prepareMicrophone(holdMs: number): Promise<boolean> {
    const held = await this.prepared.open(this.devices.audioConstraints(), holdMs);
    // A vendor SDK that opens its own microphone: the permission is granted now, nothing is held.
    if (held && this.impl.capabilities.preparedMicrophone !== true) this.prepared.release();
    return this.prepared.held;
  }

  private callOptions(iceServers: RTCIceServer[] | undefined, call: Call): ProviderCallOptions {
    const audio = this.devices.audioConstraints();
    const stream = this.preparedFor(call, audio);
    return { iceServers: iceServers ?? this.config.iceServers, ...(audio ? { audio } : {}), ...(stream ? { stream } : {}) };
  }

  /** The prepared microphone, where it fits `audio` and the vendor SDK can send it: `call` owns it from now on. */
  private preparedFor(call: Call, audio: MediaTrackConstraints | undefined): MediaStream | undefined {
    if (this.impl.capabilities.preparedMicrophone !== true) return undefined;
    const stream = this.prepared.take(audio);
    // Some SDKs (JsSIP) leave running a stream they did not open: the core stops it at the end.
    if (stream) void call.ended.then(() => stopStream(stream));
    return stream;
  }

  private newCall(
    direction: 'outgoing' | 'incoming',
    peer: string,
    displayName: string | undefined,
    audioElement: HTMLMediaElement | undefined,
    replacing?: Call,
  ): Call {
    const call: Call = new Call({
      id: ++this.callCount,
      direction,
      peer,
      displayName,
      provider: this.provider,
      capabilities: () => this.impl.capabilities,
      redactor: this.redactor,
      trace: this.recorder,
      operationMs: this.config.timeouts.operationMs,
      quality: this.config.quality,
      iceServers: this.config.iceServers,
      audioElement: audioElement ?? replacing?.audioElement,
      onHandlerError: (what, error) => this.handlerFailed(what, error),
      log: (level, message, data) => this.log(level, message, data),
      devices: this.devices,
      preparedStream: (audio): MediaStream | undefined => this.preparedFor(call, audio),
      onEnded: (ended) => this.liveCalls.remove(ended),
      beforeOpen: (opening, operation) => this.liveCalls.holdOthers(opening, operation),
      onReferred: (old, target, place) =>
        followReferral(
          old,
          target,
          place,
          { create: (peer) => this.newCall('outgoing', peer, undefined, undefined, old), restore: (failed) => this.liveCalls.replace(failed, old) },
          this.provider,
        ),
    });
    if (replacing) {
      this.liveCalls.replace(replacing, call);
      replacing.replacedBy(call, peer);
    } else this.liveCalls.add(call);
    return call;
  }

  protected incomingCall<C extends ProviderCall>(info: { from: string; displayName?: string; replaces?: ProviderCall }, create: (sink: CallSink) => C): C {
    const replaced = info.replaces && this.liveCalls.list().find((c) => c.wraps(info.replaces!));
    if (replaced) return takeOverReplaced(this.newCall('incoming', info.from, info.displayName, undefined, replaced), create);
    const call = this.newCallForIncoming(info.from, info.displayName);
    if (!call) {
      // No room under maxCalls: the caller hears busy, the app is told.
      const refused = create(IGNORED_CALL_SINK);
      refused.reject?.({ status: 486 }).catch(() => {});
      if (allows(CLIENT_OPERATIONS.incomingCall, this._state)) this.emit('callRefused', { from: this.redactor.text(info.from), displayName: info.displayName, reason: 'busy' });
      return refused;
    }
    // The handle exists and rings before the provider wires the vendor's events to its sink.
    call.start('ringing');
    const providerCall = create(call.sink());
    call.attach(providerCall);
    this.emit('callStarted', { call, direction: 'incoming' });
    this.emit('incomingCall', { call, from: this.redactor.text(info.from), displayName: call.displayName });
    return providerCall;
  }

  private newCallForIncoming(from: string, displayName: string | undefined): Call | undefined {
    if (!this.liveCalls.hasRoom() || !allows(CLIENT_OPERATIONS.incomingCall, this._state)) return undefined;
    // The caller chose these words: untrusted text (README), cut to a sensible length.
    return this.newCall('incoming', from.slice(0, MAX_PEER_LENGTH), displayName?.slice(0, MAX_CALLER_NAME_LENGTH), undefined);
  }
}
