// A Call driven directly by the core's own sink, over a provider call of our own that records
// what it is asked: for walking the state tables (every state, `new` included) apart from any
// vendor and any client.
import type { CallSink, ProviderCall, ProviderCapabilities } from '../../src/index.js';
import type { CallDirection } from '../../src/index.js';
import { DefaultCall as Call } from '../../src/core/call.js';
import { Devices } from '../../src/core/devices/devices.js';
import { Redactor } from '../../src/core/redact.js';
import type { CallState } from '../../src/core/states.js';
import { TraceRecorder } from '../../src/core/trace.js';

export const ALL_CAPABILITIES: ProviderCapabilities = {
  incomingCalls: true,
  mute: true,
  hold: true,
  remoteHold: true,
  dtmf: true,
  receiveDtmf: true,
  tokenRefresh: true,
  anonymous: true,
  agentText: true,
  agentTools: true,
  agentTranscript: true,
  inputSelection: true,
  transfer: true,
};

export interface Harness {
  call: Call;
  sink: CallSink;
  /** The provider methods called, in order. */
  asked: string[];
  logged: string[];
}

/** Every method a provider call can have, each recording its name. */
export function recordingProviderCall(asked: string[], options: { without?: readonly string[] } = {}): ProviderCall {
  const record = (name: string) => async () => void asked.push(name);
  const call: Record<string, unknown> = {
    hangup: record('hangup'),
    answer: record('answer'),
    reject: record('reject'),
    mute: record('mute'),
    unmute: record('unmute'),
    hold: record('hold'),
    unhold: record('unhold'),
    sendDtmf: record('sendDtmf'),
    sendText: record('sendText'),
    transfer: record('transfer'),
    setInput: record('setInput'),
    respondToolCall: record('respondToolCall'),
  };
  for (const name of options.without ?? []) delete call[name];
  return call as unknown as ProviderCall;
}

export function newCall(direction: CallDirection, capabilities: Partial<ProviderCapabilities> = {}, without: readonly string[] = []): Harness {
  const asked: string[] = [];
  const logged: string[] = [];
  const trace = new TraceRecorder();
  const call = new Call({
    id: 1,
    direction,
    peer: 'sip:bob@example.com',
    displayName: undefined,
    provider: 'harness',
    capabilities: () => ({ ...ALL_CAPABILITIES, ...capabilities }),
    redactor: new Redactor(),
    trace,
    operationMs: 5_000,
    iceServers: undefined,
    audioElement: undefined,
    devices: new Devices('harness', () => undefined, trace),
    onEnded: () => {},
    log: (level, message) => logged.push(`${level} ${message}`),
  });
  const sink = call.sink();
  call.attach(recordingProviderCall(asked, { without }));
  return { call, sink, asked, logged };
}

/** Moves a call into `state` the way it gets there in life (reports of the provider, answer, hangup). */
export async function reach(h: Harness, state: CallState): Promise<void> {
  const { call, sink } = h;
  const incoming = call.direction === 'incoming';
  if (state !== 'new') call.start(incoming ? 'ringing' : 'connecting');
  if (state === 'ringing' && !incoming) sink.ringing();
  // An incoming call is `connecting` once answered, until the provider reports media.
  if (state === 'connecting' && incoming) await call.answer();
  if (['active', 'held', 'reconnecting'].includes(state)) sink.active();
  if (state === 'held') sink.held();
  // Only the quality monitor moves a call to `reconnecting` (the media path went quiet).
  if (state === 'reconnecting') (call as unknown as { setState(to: CallState): boolean }).setState('reconnecting');
  if (state === 'ended') await call.hangup();
  await Promise.resolve();
  if (call.state !== state) throw new Error(`the harness reached ${call.state}, not ${state}`);
  h.asked.length = 0;
}
