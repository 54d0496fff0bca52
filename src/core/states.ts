/**
 * The client's and the call's state machines as data: which move is legal, which operation runs
 * in which state, which capability it needs, and what a provider's report does in each state.
 * client.ts and call.ts look these tables up; no state check is written by hand anywhere else.
 */
import type { ProviderCapabilities } from './contract.js';
import { VoiceError } from './errors.js';

/**
 * The client (one vendor session).
 * ```txt
 *            init()          authenticate()           connect()
 *   idle ------------> initialized ------------> authenticated ------------> connecting
 *                                                     ^                       |      |
 *                                      authenticate() |      ok (registered)  |      | failed, timed out,
 *                                                     |                       v      | aborted
 *                 connect() (credentials kept)    disconnected <------------ connected
 *   connecting <----------------------------------    ^   ^     disconnect(),  |    ^
 *                                                     |   |     gave up        |    | restored
 *                                                     |   |          lost      v    |
 *                                                     |   +---------------- reconnecting
 *                                                     +--- (failed connect: connecting -> disconnected)
 * ```
 */
export type ClientState = 'idle' | 'initialized' | 'authenticated' | 'connecting' | 'connected' | 'reconnecting' | 'disconnected';

/**
 * One call. `reconnecting`: the media path was lost and is being restored; back to `active` or `ended`.
 * ```txt
 *          start (outgoing)        ringing (180)
 *   new -------------------> connecting ---------> ringing
 *    |                        |   ^  \               |  \  answered (outgoing)
 *    | start (incoming)       |   |   \  answered    |   \
 *    +----------------------> ringing  +-----------> active <----------> held
 *        (an incoming call    answer()               |   ^    hold/unhold
 *         rings first, then                    lost  v   | restored
 *         connecting on answer())              reconnecting
 *
 *   every state but ended ---- hangup, reject, remote end, failure ----> ended (once, final)
 * ```
 */
export type CallState = 'new' | 'connecting' | 'ringing' | 'active' | 'held' | 'reconnecting' | 'ended';

/** Every legal move of the client; a move not listed is a bug in polyphone. */
export const CLIENT_TRANSITIONS: Readonly<Record<ClientState, readonly ClientState[]>> = {
  idle: ['initialized'],
  initialized: ['authenticated'],
  authenticated: ['connecting'],
  connecting: ['connected', 'disconnected'],
  connected: ['reconnecting', 'disconnected'],
  reconnecting: ['connected', 'disconnected'],
  disconnected: ['authenticated', 'connecting'],
};

/** Every legal move of a call; a move not listed is a bug in polyphone. */
export const CALL_TRANSITIONS: Readonly<Record<CallState, readonly CallState[]>> = {
  new: ['connecting', 'ringing', 'ended'],
  connecting: ['ringing', 'active', 'ended'],
  ringing: ['connecting', 'active', 'ended'],
  active: ['held', 'reconnecting', 'ended'],
  held: ['active', 'ended'],
  reconnecting: ['active', 'ended'],
  ended: [],
};

/** Where each client operation may run; anywhere else it is refused INVALID_STATE. */
export const CLIENT_OPERATIONS = {
  authenticate: ['idle', 'initialized', 'authenticated', 'disconnected'],
  connect: ['idle', 'initialized', 'authenticated', 'disconnected'],
  call: ['connected'],
  // Whether a provider can renew its credentials depends on the session (an anonymous SIP
  // session cannot, Cognigy refetches its config): the provider answers, not a capability.
  refreshToken: ['connected', 'reconnecting'],
  // disconnect() runs in any state; only these have a session to tear down.
  disconnect: ['connected', 'reconnecting'],
  // An incoming call is offered to the app only here (otherwise the caller hears busy).
  incomingCall: ['connected'],
} as const satisfies Record<string, readonly ClientState[]>;
export type ClientOperation = keyof typeof CLIENT_OPERATIONS;

/** The client's reaction to a provider's report about its connection: `from` state → `to` state. */
export const CLIENT_REPORTS = {
  connectionLost: { connected: 'reconnecting' },
  connectionRestored: { reconnecting: 'connected' },
  connectionFailed: { connected: 'disconnected', reconnecting: 'disconnected' },
} as const satisfies Record<string, Partial<Record<ClientState, ClientState>>>;
/** A registration (re)gained is news only while there is a session. */
export const REGISTRATION_STATES: readonly ClientState[] = ['connected', 'reconnecting'];

export interface CallOperationRule {
  /** Where the operation runs; anywhere else it is refused INVALID_STATE. */
  readonly states: readonly CallState[];
  /** The capability it needs (UNSUPPORTED without it); none: only the provider's method is needed. */
  readonly capability?: keyof ProviderCapabilities;
  /** Only a call of this direction may (answer and reject an incoming call). */
  readonly direction?: 'incoming';
  /** States where it resolves at once, doing nothing (it is already so). */
  readonly noop?: readonly CallState[];
  /** States where it resolves at once whatever the provider: the choice applies once media flows. */
  readonly later?: readonly CallState[];
}

const LIVE: readonly CallState[] = ['connecting', 'ringing', 'active', 'held', 'reconnecting'];
const ESTABLISHED: readonly CallState[] = ['active', 'held'];

/** Which call operation runs in which state, and what it needs of the provider. */
export const CALL_OPERATIONS = {
  answer: { states: ['ringing'], direction: 'incoming' },
  reject: { states: ['ringing'], direction: 'incoming' },
  mute: { states: LIVE, capability: 'mute' },
  unmute: { states: LIVE, capability: 'mute' },
  hold: { states: ESTABLISHED, capability: 'hold', noop: ['held'] },
  unhold: { states: ESTABLISHED, capability: 'hold', noop: ['active'] },
  sendDtmf: { states: ['active'], capability: 'dtmf' },
  sendText: { states: ESTABLISHED, capability: 'agentText' },
  transfer: { states: ESTABLISHED, capability: 'transfer' },
  // A microphone chosen before the media flows applies once it does: nothing to do yet.
  setInput: { states: ESTABLISHED, capability: 'inputSelection', later: ['new', 'connecting', 'ringing', 'reconnecting', 'ended'] },
  respondToolCall: { states: LIVE, capability: 'agentTools' },
} as const satisfies Record<string, CallOperationRule>;
export type CallOperation = keyof typeof CALL_OPERATIONS;

/**
 * What a provider's report about a call does in each state: `from` → `to`; a report in a state
 * not listed is stale or out of order and changes nothing.
 */
export const CALL_REPORTS = {
  ringing: { connecting: 'ringing' },
  active: { connecting: 'active', ringing: 'active' },
  held: { active: 'held' },
  unheld: { held: 'active' },
} as const satisfies Record<string, Partial<Record<CallState, CallState>>>;

/** States in which the call is established: this side ending it is a hangup, not a cancel. */
const ENDS_AS_HANGUP: readonly CallState[] = ['active', 'held', 'reconnecting'];

/** Why the call ended when this side ends it without naming a reason. */
export function localEndReason(state: CallState, direction: 'incoming' | 'outgoing'): 'hangup' | 'canceled' | 'rejected' {
  if (ENDS_AS_HANGUP.includes(state)) return 'hangup';
  return direction === 'incoming' ? 'rejected' : 'canceled';
}

/** Still waiting for an answer: the ring timer ends the call `unanswered` in these. */
export const UNANSWERED_STATES: readonly CallState[] = ['connecting', 'ringing'];

/** A far end's transfer request (REFER) is followed only from an established call. */
export const REFERRAL_STATES: readonly CallState[] = ESTABLISHED;

export function allows<S extends string>(states: readonly S[], state: S): boolean {
  return states.includes(state);
}

/** A report's effect in `state`, or undefined when it changes nothing there. */
export function reportMove<S extends string>(table: Partial<Record<S, S>>, state: S): S | undefined {
  return table[state];
}

/** Agent capabilities are opt-in (absent: none); the others are declared unless set false. */
export function declares(capabilities: ProviderCapabilities, capability: keyof ProviderCapabilities): boolean {
  return capability in capabilities ? Boolean(capabilities[capability]) : !capability.startsWith('agent');
}

/**
 * Tests run strict: an illegal move throws there, so that no test can pass over one. In an app it
 * is refused and logged (the state stays as it was), never carried out silently.
 */
export const stateMachineOptions = { strict: isTestRun() };

function isTestRun(): boolean {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  return env?.VITEST !== undefined;
}

/**
 * The one gate every state change goes through. Returns whether the move may be made; an illegal
 * one yields an INTERNAL VoiceError, thrown in tests and handed to `refused` otherwise.
 */
export function checkMove<S extends string>(
  machine: 'client' | 'call',
  table: Readonly<Record<S, readonly S[]>>,
  from: S,
  to: S,
  provider: string,
  refused: (error: VoiceError) => void,
): boolean {
  if (table[from].includes(to)) return true;
  const error = new VoiceError('INTERNAL', `Illegal ${machine} state change ${from} → ${to}.`, { provider, details: { machine, from, to } });
  if (stateMachineOptions.strict) throw error;
  refused(error);
  return false;
}
