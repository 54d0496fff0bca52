// The ICE policy opens at the documented moment, fed candidates as a browser hands them over. Time
// is a manual clock here: what is asserted is which event opens the gate, never how long it took.
import { describe, expect, it } from 'vitest';
import { DEFAULT_ICE_POLICY, parseIcePolicy, type IceReadyReason } from '../../src/core/ice-policy.js';
import { gatheredCandidate, IceGate, icePolicyDelegate, icePolicyReadyListener, type IceGateTimers } from '../../src/core/ice-gate.js';
import { parseConfig } from '../../src/core/config.js';
import { VoiceError } from '../../src/core/errors.js';

/** Timers that fire only when the test advances the clock. */
function manualClock(): IceGateTimers & { advance(ms: number): void; pending(): number } {
  let now = 0;
  let nextId = 1;
  const timers = new Map<number, { at: number; fn: () => void }>();
  return {
    setTimeout: (fn, ms) => {
      const id = nextId++;
      timers.set(id, { at: now + ms, fn });
      return id;
    },
    clearTimeout: (id) => void timers.delete(id as number),
    advance(ms) {
      const until = now + ms;
      for (;;) {
        const due = [...timers].filter(([, t]) => t.at <= until).sort((a, b) => a[1].at - b[1].at)[0];
        if (!due) break;
        timers.delete(due[0]);
        now = due[1].at;
        due[1].fn();
      }
      now = until;
    },
    pending: () => timers.size,
  };
}

const TURN = { urls: 'turn:127.0.0.1:3478?transport=udp', username: 'u', credential: 'p' };
const DEAD_STUN = { urls: 'stun:127.0.0.1:9' };
const STUN = { urls: 'stun:127.0.0.1:3479' };
const host = { type: 'host' as const };
const relay = (url?: string) => ({ type: 'relay' as const, url });
const srflx = (url?: string) => ({ type: 'srflx' as const, url });

function gate(iceServers: RTCIceServer[] | undefined, policy = DEFAULT_ICE_POLICY) {
  const clock = manualClock();
  const opened: IceReadyReason[] = [];
  return { gate: new IceGate(iceServers, policy, (reason) => opened.push(reason), clock), clock, opened };
}

describe('ICE policy: when a local description is sent', () => {
  it('with [dead STUN, live TURN], sends as soon as the TURN server gave its relay candidate, not when the STUN server times out', () => {
    const { gate: g, opened } = gate([DEAD_STUN, TURN]);
    g.candidate(host);
    expect(opened).toEqual([]);
    g.candidate(relay(TURN.urls));
    expect(opened).toEqual(['servers-answered']);
  });

  it('without the server URL (JsSIP hands over only the candidate), one relay per TURN server is enough', () => {
    const second = { urls: 'turn:127.0.0.1:3490?transport=udp', username: 'u', credential: 'p' };
    const { gate: g, opened } = gate([TURN, second, DEAD_STUN]);
    g.candidate(relay());
    expect(opened).toEqual([]);
    g.candidate(relay());
    expect(opened).toEqual(['servers-answered']);
  });

  it('with two TURN servers, one answering twice (UDP and TCP relays) does not stand for the other', () => {
    const second = { urls: 'turn:127.0.0.1:3490?transport=udp', username: 'u', credential: 'p' };
    const { gate: g, clock, opened } = gate([TURN, second]);
    g.candidate(relay(TURN.urls));
    g.candidate(relay(TURN.urls));
    expect(opened).toEqual([]);
    clock.advance(DEFAULT_ICE_POLICY.settleMs);
    expect(opened).toEqual(['settled']);
  });

  it('with STUN servers only, sends once each gave a server-reflexive candidate', () => {
    const { gate: g, opened } = gate([STUN, { urls: 'stun:127.0.0.1:3480' }]);
    g.candidate(srflx(STUN.urls));
    expect(opened).toEqual([]);
    g.candidate(srflx('stun:127.0.0.1:3480'));
    expect(opened).toEqual(['servers-answered']);
  });

  it('when some server answered and another did not, sends settleMs after the first server-reflexive or relay candidate', () => {
    const { gate: g, clock, opened } = gate([STUN, DEAD_STUN]);
    g.candidate(host);
    clock.advance(500);
    expect(opened).toEqual([]);
    g.candidate(srflx(STUN.urls));
    clock.advance(DEFAULT_ICE_POLICY.settleMs - 1);
    expect(opened).toEqual([]);
    clock.advance(1);
    expect(opened).toEqual(['settled']);
  });

  it('when no server answers, sends at the cap with host candidates only', () => {
    const { gate: g, clock, opened } = gate([DEAD_STUN]);
    g.candidate(host);
    clock.advance(DEFAULT_ICE_POLICY.capMs - 1);
    expect(opened).toEqual([]);
    clock.advance(1);
    expect(opened).toEqual(['cap']);
  });

  it('with no ICE servers, sends at the end of candidates, and only once', () => {
    const { gate: g, clock, opened } = gate([]);
    g.candidate(host);
    expect(opened).toEqual([]);
    g.candidate(null);
    clock.advance(60_000);
    g.candidate(null);
    expect(opened).toEqual(['complete']);
  });

  it('leaves no timer behind once open', () => {
    const { gate: g, clock } = gate([DEAD_STUN, TURN]);
    g.candidate(relay(TURN.urls));
    expect(clock.pending()).toBe(0);
  });

  it('is settable: a longer settle waits longer, a shorter cap cuts sooner', () => {
    const settled = gate([STUN, DEAD_STUN], { settleMs: 1_000, capMs: 5_000 });
    settled.gate.candidate(srflx(STUN.urls));
    settled.clock.advance(DEFAULT_ICE_POLICY.settleMs);
    expect(settled.opened).toEqual([]);
    settled.clock.advance(1_000 - DEFAULT_ICE_POLICY.settleMs);
    expect(settled.opened).toEqual(['settled']);
    const capped = gate([DEAD_STUN], { settleMs: 150, capMs: 300 });
    capped.clock.advance(300);
    expect(capped.opened).toEqual(['cap']);
  });
});

describe('ICE policy: reading candidates and config', () => {
  it('reads the type from the SDP line where the browser gives no type field', () => {
    expect(gatheredCandidate({ candidate: 'candidate:1 1 udp 41885439 127.0.0.1 50000 typ relay raddr 0.0.0.0 rport 0' })).toEqual({ type: 'relay', url: undefined });
    expect(gatheredCandidate({ candidate: '' })).toBeNull();
    expect(gatheredCandidate(null)).toBeNull();
  });

  it('takes icePolicy from the client config over the defaults, and refuses a bad one as CONFIG_INVALID', () => {
    expect(parseConfig({ provider: 'sipjs', icePolicy: { settleMs: 50 } }).icePolicy).toEqual({ settleMs: 50, capMs: DEFAULT_ICE_POLICY.capMs });
    expect(parseConfig({ provider: 'sipjs' }).icePolicy).toEqual(DEFAULT_ICE_POLICY);
    for (const bad of [{ capMs: 10 }, { settleMs: -1 }, { other: 1 }, 'fast', { capMs: 1.5 }]) {
      const error = (() => {
        try {
          parseIcePolicy(bad);
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(VoiceError);
      expect((error as VoiceError).code).toBe('CONFIG_INVALID');
    }
  });
});

describe('ICE policy through the vendor hooks', () => {
  it("as sip.js's peerConnectionDelegate: armed when gathering starts, reads the servers from the peer connection, re-armed for a restart", () => {
    const sent: IceReadyReason[] = [];
    const delegate = icePolicyDelegate(DEFAULT_ICE_POLICY, (reason) => sent.push(reason));
    const pc = { iceGatheringState: 'gathering', getConfiguration: () => ({ iceServers: [DEAD_STUN, TURN] }) };
    const relayEvent = { candidate: { candidate: 'candidate:1 1 udp 41885439 127.0.0.1 50000 typ relay raddr 0.0.0.0 rport 0', type: 'relay' }, url: TURN.urls };
    // Before gathering starts nothing is armed: a stray candidate sends nothing.
    delegate.onicecandidate(relayEvent as unknown as RTCPeerConnectionIceEvent);
    expect(sent).toEqual([]);
    delegate.onicegatheringstatechange({ target: pc } as unknown as Event);
    delegate.onicecandidate(relayEvent as unknown as RTCPeerConnectionIceEvent);
    expect(sent).toEqual(['servers-answered']);
    pc.iceGatheringState = 'complete';
    delegate.onicegatheringstatechange({ target: pc } as unknown as Event);
    pc.iceGatheringState = 'gathering';
    delegate.onicegatheringstatechange({ target: pc } as unknown as Event);
    delegate.onicecandidate(relayEvent as unknown as RTCPeerConnectionIceEvent);
    expect(sent).toEqual(['servers-answered', 'servers-answered']);
  });

  it("as JsSIP's icecandidate listener: calls that gathering's ready() at the relay candidate", () => {
    const listener = icePolicyReadyListener(DEFAULT_ICE_POLICY, () => [DEAD_STUN, TURN]);
    let first = 0;
    let second = 0;
    const hostCandidate = { candidate: 'candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host', type: 'host' } as RTCIceCandidate;
    const relayCandidate = { candidate: 'candidate:2 1 udp 41885439 127.0.0.1 50001 typ relay raddr 0.0.0.0 rport 0', type: 'relay' } as RTCIceCandidate;
    listener({ candidate: hostCandidate, ready: () => first++ });
    expect(first).toBe(0);
    const readyFirst = () => first++;
    listener({ candidate: hostCandidate, ready: readyFirst });
    listener({ candidate: relayCandidate, ready: readyFirst });
    expect(first).toBe(1);
    // A new gathering (re-offer) hands a new ready(): the gate is armed again for it.
    const readySecond = () => second++;
    listener({ candidate: hostCandidate, ready: readySecond });
    expect(second).toBe(0);
    listener({ candidate: relayCandidate, ready: readySecond });
    expect(second).toBe(1);
    expect(first).toBe(1);
  });
});
