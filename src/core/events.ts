import type { VoiceError } from './errors.js';
import type { Call } from './call.js';
import type { QualitySample, QualityWarning } from './quality/index.js';

export type ClientState =
  | 'idle'
  | 'initialized'
  | 'authenticated'
  | 'connecting'
  | 'connected'
  | 'reconnecting'
  | 'disconnected';

/** `reconnecting`: the media path was lost and is being restored; back to `active` or `ended`. */
export type CallState = 'new' | 'connecting' | 'ringing' | 'active' | 'held' | 'reconnecting' | 'ended';

/** Why a call ended, the same words for every vendor. */
export type CallEndReason =
  | 'hangup' // this side hung up an established call
  | 'remoteHangup' // the other side hung up an established call
  | 'rejected' // the callee declined (or this side rejected an incoming call)
  | 'busy' // the callee was busy (SIP 486/600)
  | 'unanswered' // nobody answered in the set time
  | 'canceled' // the caller gave up before an answer
  | 'failed'; // anything else: unreachable callee, network, media

export type ClientEvents = {
  stateChanged: { from: ClientState; to: ClientState };
  registered: Record<string, never>;
  unregistered: Record<string, never>;
  incomingCall: { call: Call; from: string; displayName: string | undefined };
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
  ended: { reason: CallEndReason; error: VoiceError | undefined };
  error: { error: VoiceError };
  /** One sample a second while the call is established (not recorded in the trace). */
  quality: QualitySample;
  qualityWarning: QualityWarning;
  qualityWarningCleared: QualityWarning;
  /** The media path was lost; polyphone is restoring it (state `reconnecting`). */
  reconnecting: Record<string, never>;
  /** Audio flows again after `reconnecting` (state back to `active`). */
  reconnected: Record<string, never>;
};
