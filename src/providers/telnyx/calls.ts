/**
 * The calls of one Telnyx session: placing one through the SDK, surfacing an incoming one, and
 * routing the SDK's session-wide notifications and server pushes to the call they name.
 */
import type { TelnyxRTC } from '@telnyx/webrtc';
import { VoiceError, exactDeviceId, type CallSink, type ProviderCallOptions, type ProviderContext } from '../../core/provider-kit.js';
import { agentCallOf } from './agent-routing.js';
import { TelnyxCall, type SdkCall } from './call.js';
import { sdkCause, sdkError, type TelnyxSdkError } from './errors.js';
import type { TelnyxOptions } from './options.js';

const NAME = 'telnyx';

export class SessionCalls {
  private readonly calls = new Map<string, TelnyxCall>();
  /** Ids of calls being placed: notifications of a new call that arrive inside newCall are not an incoming call. */
  private readonly reservedIds = new Set<string>();

  constructor(
    private readonly options: TelnyxOptions,
    private readonly context: ProviderContext,
    /** An anonymous session takes no calls. */
    private readonly anonymous: () => boolean,
  ) {}

  place(client: TelnyxRTC, target: string, options: ProviderCallOptions, sink: CallSink): TelnyxCall {
    const id = crypto.randomUUID();
    const iceServers = options.iceServers ?? this.context.iceServers;
    const micId = exactDeviceId(options.audio);
    let sdkCall: SdkCall;
    this.reservedIds.add(id);
    try {
      sdkCall = client.newCall({
        id,
        destinationNumber: target,
        audio: true,
        ...(micId ? { micId } : {}),
        ...(options.stream ? { localStream: options.stream } : {}),
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
    const call = new TelnyxCall(sdkCall, 'outbound', sink, true, this.context.sink.log);
    this.calls.set(id, call);
    call.onState(sdkCall.state);
    return call;
  }

  /** A `telnyx.notification`; only `callUpdate` concerns calls. */
  onNotification(event: { type?: string; call?: SdkCall }): void {
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

  /** Server pushes the SDK turns into no event of its own (ringing) or only a generic one (DTMF). */
  onServerPush(message: { method?: string; params?: Record<string, unknown> }): void {
    const callId = message.params?.callID;
    if (typeof callId !== 'string') return;
    const call = this.calls.get(callId);
    if (!call) return;
    if (message.method === 'telnyx_rtc.ringing') call.onRemoteRinging();
    else if (message.method === 'telnyx_rtc.info' && typeof message.params?.dtmf === 'string') call.onRemoteDtmf(message.params.dtmf);
  }

  /** A `telnyx.error` naming one of these calls ends it `failed`; false when the call is not ours. */
  onError(callId: string | undefined, error: TelnyxSdkError | undefined): boolean {
    const call = callId ? this.calls.get(callId) : undefined;
    if (!call) return false;
    call.onError(sdkError(error));
    return true;
  }

  /** The call an `ai_conversation` frame is about. */
  agentCall(): TelnyxCall | undefined {
    return agentCallOf(this.calls);
  }

  clear(): void {
    this.calls.clear();
  }

  private onIncoming(sdkCall: SdkCall): TelnyxCall | undefined {
    if (this.anonymous()) {
      // An anonymous session takes no calls; one arriving anyway is declined, never surfaced.
      void sdkCall.hangup({ cause: 'CALL_REJECTED', causeCode: 21 }, true).catch(() => {});
      return undefined;
    }
    // The SDK copies caller_id_* from the server's invite as they are: a number or an object there
    // must not reach the app (or the core's redactor, which reads text) as anything but text.
    const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : typeof value === 'number' ? String(value) : undefined);
    const from = text(sdkCall.options.remoteCallerNumber) ?? text(sdkCall.options.remoteCallerName) ?? 'unknown';
    const displayName = text(sdkCall.options.remoteCallerName);
    return this.context.sink.incomingCall({ from, displayName }, (sink) => {
      const call = new TelnyxCall(sdkCall, 'inbound', sink, true, this.context.sink.log);
      this.calls.set(sdkCall.id, call);
      return call;
    });
  }
}
