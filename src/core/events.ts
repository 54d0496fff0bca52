import type { VoiceError } from './errors.js';
import type { Call } from './api.js';
import type { AgentCallEvents } from './agent/types.js';
import type { QualitySample, QualityWarning } from './quality/index.js';

export type { ClientState, CallState } from './states.js';
import type { ClientState, CallState } from './states.js';

/** Why a call ended, the same words for every vendor. */
export type CallEndReason =
  | 'hangup' // this side hung up an established call
  | 'remoteHangup' // the other side hung up an established call
  | 'rejected' // the callee declined (or this side rejected an incoming call)
  | 'busy' // the callee was busy (SIP 486/600)
  | 'unanswered' // nobody answered in the set time
  | 'canceled' // the caller gave up before an answer
  | 'transferred' // the call was handed to someone else (this side's transfer, or the far end's REFER)
  | 'failed'; // anything else: unreachable callee, network, media

export type ClientEvents<VendorCall = unknown> = {
  stateChanged: { from: ClientState; to: ClientState };
  registered: Record<string, never>;
  unregistered: Record<string, never>;
  incomingCall: { call: Call<VendorCall>; from: string; displayName: string | undefined };
  /** A call began, placed by `call()` or arriving (then before `incomingCall`): a UI can follow client events alone. */
  callStarted: { call: Call<VendorCall>; direction: 'outgoing' | 'incoming' };
  /** A call arrived and was refused busy (no room under `maxCalls`); the app never got a handle. */
  callRefused: { from: string; displayName: string | undefined; reason: 'busy' };
  /** The list of live calls (`client.calls`) changed: a call was placed, offered, replaced or ended. */
  callsChanged: { calls: readonly Call<VendorCall>[] };
  tokenWillExpire: { expiresAt: number | undefined };
  tokenRefreshed: Record<string, never>;
  providerChanged: { from: string; to: string };
  error: { error: VoiceError };
};

export type CallEvents = {
  stateChanged: { from: CallState; to: CallState };
  ringing: Record<string, never>;
  active: Record<string, never>;
  muted: Record<string, never>;
  unmuted: Record<string, never>;
  held: { by: 'local' | 'remote' };
  unheld: { by: 'local' | 'remote' };
  dtmf: { digit: string };
  /** This side's transfer of the call succeeded: the far end is now talking to the target. */
  transferred: { target: string };
  /**
   * The far end asked this side to call `target` (an incoming REFER); `call` is the new call,
   * placed by polyphone, that takes this one's place in `client.calls`.
   */
  referred: { target: string; call: Call };
  ended: { reason: CallEndReason; error: VoiceError | undefined };
  error: { error: VoiceError };
  /** The browser refused to play the remote audio (autoplay policy): call `resumeAudio()` from a user gesture. */
  audioBlocked: { reason: string };
  /** Input and output level, 0..1, about ten times a second while the call is established and somebody listens. Not traced. */
  audioLevel: { input: number; output: number };
  /** One sample a second while the call is established (not recorded in the trace). */
  quality: QualitySample;
  qualityWarning: QualityWarning;
  qualityWarningCleared: QualityWarning;
  /** The media path was lost; polyphone is restoring it (state `reconnecting`). */
  reconnecting: Record<string, never>;
  /** Audio flows again after `reconnecting` (state back to `active`). */
  reconnected: Record<string, never>;
} & AgentCallEvents;
