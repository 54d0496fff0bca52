/**
 * The ICE policy (ice-policy.ts) as a gate fed a gathering's candidates, and that gate in the shape
 * of each vendor's hook. Imported by providers only, so it arrives with their chunk.
 */
import type { IcePolicy, IceReadyReason } from './ice-policy.js';

export type IceCandidateType = 'host' | 'srflx' | 'prflx' | 'relay';

/** A gathered candidate as the gate needs it: its type and, where the browser says, the server URL that gave it. */
export interface GatheredCandidate {
  type: IceCandidateType | undefined;
  url?: string | undefined;
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
