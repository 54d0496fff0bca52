/**
 * When a local description is good enough to send: one ICE policy for every provider.
 *
 * Gathering ends (`iceGatheringState === 'complete'`) only once every configured server has
 * answered or timed out, and a STUN server that never answers holds it for ~40 s in Chromium.
 * Nothing needs to wait that long, so the description is sent at the first of:
 * 1. gathering complete;
 * 2. every configured TURN server has given a relay candidate — or, with no TURN server, every
 *    STUN server a server-reflexive one. Once each relay is in, a STUN answer adds nothing ICE
 *    cannot learn anyway: the far end's connectivity checks reveal this side's reflexive address
 *    as a peer-reflexive candidate;
 * 3. `settleMs` after the first server-reflexive or relay candidate (some server answered; the
 *    others are given a short grace);
 * 4. `capMs` after gathering started, whatever came (host candidates only, at worst).
 * With no ICE servers only host candidates exist and (1) comes within milliseconds.
 */
import { VoiceError } from './errors.js';

export interface IcePolicy {
  /** How long after the first server-reflexive or relay candidate the others may still come (ms). Default 150. */
  settleMs: number;
  /** The longest a local description waits for candidates, from the start of gathering (ms). Default 2000. */
  capMs: number;
}

export const DEFAULT_ICE_POLICY: Readonly<IcePolicy> = Object.freeze({ settleMs: 150, capMs: 2_000 });

/** Why the gate opened, in the order of the rules above. */
export type IceReadyReason = 'complete' | 'servers-answered' | 'settled' | 'cap';

export type IceCandidateType = 'host' | 'srflx' | 'prflx' | 'relay';

/** A gathered candidate as the gate needs it: its type and, where the browser says, the server URL that gave it. */
export interface GatheredCandidate {
  type: IceCandidateType | undefined;
  url?: string | undefined;
}

const LIMITS = { settleMs: [0, 60_000], capMs: [100, 60_000] } as const;

/** `icePolicy` from a config: a partial policy over the defaults; anything else is CONFIG_INVALID. */
export function parseIcePolicy(value: unknown): IcePolicy {
  if (value === undefined) return { ...DEFAULT_ICE_POLICY };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new VoiceError('CONFIG_INVALID', 'icePolicy must be an object like { settleMs, capMs }.', { details: { field: 'icePolicy' } });
  }
  const policy = { ...DEFAULT_ICE_POLICY };
  for (const [key, given] of Object.entries(value)) {
    if (!(key in LIMITS)) throw new VoiceError('CONFIG_INVALID', `icePolicy has no option "${key.slice(0, 40)}" (settleMs, capMs).`, { details: { field: 'icePolicy' } });
    const [low, high] = LIMITS[key as keyof IcePolicy];
    if (typeof given !== 'number' || !Number.isInteger(given) || given < low || given > high) {
      throw new VoiceError('CONFIG_INVALID', `icePolicy.${key} must be a whole number of ms from ${low} to ${high}.`, { details: { field: `icePolicy.${key}` } });
    }
    policy[key as keyof IcePolicy] = given;
  }
  return policy;
}

/** The type of a browser candidate, from its `type` field or, where that is missing, its SDP line. */
export function gatheredCandidate(candidate: { type?: string | null; candidate?: string } | null | undefined, url?: string | null): GatheredCandidate | null {
  if (!candidate || !candidate.candidate) return null;
  const type = candidate.type ?? / typ (host|srflx|prflx|relay)\b/.exec(candidate.candidate)?.[1];
  const known = type === 'host' || type === 'srflx' || type === 'prflx' || type === 'relay' ? type : undefined;
  return { type: known, url: url ?? (candidate as { url?: string }).url ?? undefined };
}

interface Server {
  urls: string[];
  turn: boolean;
  answered: boolean;
}

function servers(iceServers: readonly RTCIceServer[] | undefined): Server[] {
  return (iceServers ?? []).map((s) => {
    const urls = (Array.isArray(s.urls) ? s.urls : [s.urls]).filter((u): u is string => typeof u === 'string');
    return { urls, turn: urls.some((u) => /^turns?:/i.test(u)), answered: false };
  });
}

export interface IceGateTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(id: unknown): void;
}

const realTimers: IceGateTimers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (id) => clearTimeout(id as ReturnType<typeof setTimeout>),
};

/**
 * One gathering's gate: feed it candidates (`null` = end of candidates); it calls `onReady` once,
 * at the moment the policy says. `restart()` arms it again for an ICE restart or re-offer.
 */
export class IceGate {
  private servers: Server[];
  private settleTimer: unknown;
  private capTimer: unknown;
  private open = false;
  private relays = 0;
  private reflexives = 0;

  constructor(
    private readonly iceServers: readonly RTCIceServer[] | undefined,
    private readonly policy: IcePolicy,
    private readonly onReady: (reason: IceReadyReason) => void,
    private readonly timers: IceGateTimers = realTimers,
  ) {
    this.servers = servers(iceServers);
    this.capTimer = this.timers.setTimeout(() => this.ready('cap'), policy.capMs);
  }

  get isOpen(): boolean {
    return this.open;
  }

  candidate(candidate: GatheredCandidate | null): void {
    if (this.open) return;
    if (candidate === null) return this.ready('complete');
    if (candidate.type !== 'srflx' && candidate.type !== 'relay') return;
    if (candidate.url === undefined && candidate.type === 'relay') this.relays++;
    else if (candidate.url === undefined) this.reflexives++;
    const wanted = candidate.type === 'relay' ? (s: Server) => s.turn : (s: Server) => !s.turn;
    const from = candidate.url === undefined ? undefined : this.servers.find((s) => wanted(s) && s.urls.includes(candidate.url as string));
    if (from) from.answered = true;
    if (this.serversAnswered()) return this.ready('servers-answered');
    this.settleTimer ??= this.timers.setTimeout(() => this.ready('settled'), this.policy.settleMs);
  }

  /** Arms the gate for a new gathering (ICE restart, re-offer). */
  restart(): void {
    this.dispose();
    this.servers = servers(this.iceServers);
    this.open = false;
    this.relays = 0;
    this.reflexives = 0;
    this.capTimer = this.timers.setTimeout(() => this.ready('cap'), this.policy.capMs);
  }

  dispose(): void {
    this.timers.clearTimeout(this.settleTimer);
    this.timers.clearTimeout(this.capTimer);
    this.settleTimer = undefined;
    this.capTimer = undefined;
  }

  // A candidate whose server the browser does not name counts by its type (one per server).
  private serversAnswered(): boolean {
    const turn = this.servers.filter((s) => s.turn);
    if (turn.length > 0) return turn.every((s) => s.answered) || this.relays >= turn.length;
    const stun = this.servers;
    return stun.length > 0 && (stun.every((s) => s.answered) || this.reflexives >= stun.length);
  }

  private ready(reason: IceReadyReason): void {
    if (this.open) return;
    this.open = true;
    this.dispose();
    this.onReady(reason);
  }
}

/**
 * The policy as a peer-connection delegate (sip.js's `peerConnectionDelegate`): a gate armed each
 * time gathering starts, reading the servers from the peer connection itself; `send` is called
 * when the description should go (sip.js: `sessionDescriptionHandler.iceGatheringComplete()`).
 */
export function icePolicyDelegate(policy: IcePolicy, send: (reason: IceReadyReason) => void) {
  let gate: IceGate | undefined;
  return {
    onicegatheringstatechange(event: Event): void {
      const pc = event.target as RTCPeerConnection | null;
      gate?.dispose();
      gate = pc?.iceGatheringState === 'gathering' ? new IceGate(pc.getConfiguration().iceServers, policy, send) : undefined;
    },
    onicecandidate(event: RTCPeerConnectionIceEvent): void {
      gate?.candidate(gatheredCandidate(event.candidate, (event as { url?: string | null }).url));
    },
  };
}

/**
 * The policy as a JsSIP RTCSession `icecandidate` listener: JsSIP hands each candidate with the
 * `ready()` that sends its description, a new `ready` per gathering.
 */
export function icePolicyReadyListener(policy: IcePolicy, iceServers: () => readonly RTCIceServer[] | undefined) {
  let gate: IceGate | undefined;
  let current: (() => void) | undefined;
  return ({ candidate, ready }: { candidate: RTCIceCandidate; ready: () => void }): void => {
    if (ready !== current) {
      gate?.dispose();
      current = ready;
      gate = new IceGate(iceServers(), policy, () => ready());
    }
    gate?.candidate(gatheredCandidate(candidate));
  };
}
