// The core's reconnection policy on a manual clock: when each try runs, when the supervisor gives
// up and with which code, and the registration trace around it — for a provider that carries out
// the tries (reconnect()) and for one whose vendor SDK reconnects by itself.
import { describe, expect, it, vi } from 'vitest';
import { createVoiceClient, normalizeTrace, VoiceError, type ProviderContext, type ProviderSink, type VoiceProviderV1 } from '../../src/all.js';
import { scriptedProvider, type Script } from './scripted-provider.js';
import { superviseReconnection, type ReconnectClock } from '../../src/core/reconnect.js';
import { DEFAULT_RECONNECT, parseReconnect, reconnectDelay, type ReconnectPolicy } from '../../src/core/reconnect-policy.js';

/** Time moves only when the test says so. */
class ManualClock implements ReconnectClock {
  private at = 0;
  private nextId = 0;
  private readonly timers = new Map<number, { due: number; run: () => void }>();
  constructor(private readonly jitter = 0) {}
  now = () => this.at;
  random = () => this.jitter;
  setTimeout = (run: () => void, ms: number) => {
    const id = ++this.nextId;
    this.timers.set(id, { due: this.at + ms, run });
    return id;
  };
  clearTimeout = (id: unknown) => void this.timers.delete(id as number);
  /** Runs every timer due within `ms`, in order, letting promises settle after each. */
  async advance(ms: number): Promise<void> {
    const end = this.at + ms;
    for (;;) {
      await settle();
      const due = [...this.timers.entries()].filter(([, t]) => t.due <= end).sort((a, b) => a[1].due - b[1].due)[0];
      if (!due) break;
      this.timers.delete(due[0]);
      this.at = due[1].due;
      due[1].run();
    }
    this.at = end;
    await settle();
  }
}

const settle = async () => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};

interface Harness {
  provider: VoiceProviderV1;
  /** What reached the client, in order. */
  heard: string[];
  /** When each try started (manual clock ms). */
  tries: number[];
  inner: { sink: ProviderSink; disconnects: number };
  clock: ManualClock;
}

/** A provider under the supervisor; `attempt` decides each try's outcome (absent: no reconnect()). */
function harness(policy: Partial<ReconnectPolicy>, attempt?: (n: number, signal: AbortSignal) => Promise<void>, registered = true): Harness {
  const heard: string[] = [];
  const tries: number[] = [];
  const clock = new ManualClock(0);
  const inner = { sink: undefined as unknown as ProviderSink, disconnects: 0 };
  const outer: ProviderSink = {
    registered: () => heard.push('registered'),
    unregistered: () => heard.push('unregistered'),
    connectionLost: () => heard.push('lost'),
    connectionRestored: () => heard.push('restored'),
    reconnectTryFailed: () => heard.push('tryFailed reached the client'),
    connectionFailed: (error) => heard.push(`failed ${error.code} tries=${String(error.details?.tries)}`),
    incomingCall: () => {
      throw new Error('no calls here');
    },
    tokenWillExpire: () => {},
    providerChanged: () => {},
    error: (error) => heard.push(`error ${error.code}`),
    log: () => {},
  };
  const context: ProviderContext = { sink: outer, redactor: { add: () => {} }, iceServers: undefined };
  const provider = superviseReconnection(
    (supervised) => {
      inner.sink = supervised.sink;
      const p: VoiceProviderV1 = {
        specificationVersion: 'v1',
        name: 'scripted',
        capabilities: { incomingCalls: true, mute: true, hold: true, remoteHold: true, dtmf: true, receiveDtmf: true, tokenRefresh: true, anonymous: true },
        init: async () => {},
        authenticate: async () => {},
        connect: async () => ({ registered }),
        disconnect: async () => {
          inner.disconnects++;
          heard.push('provider torn down');
        },
        call: async () => {
          throw new Error('no calls here');
        },
        refreshToken: async () => {},
      };
      if (attempt) {
        p.reconnect = (signal) => {
          tries.push(clock.now());
          return attempt(tries.length, signal);
        };
      }
      return p;
    },
    context,
    { policy: { ...DEFAULT_RECONNECT, ...policy }, traceRegistration: true, teardownMs: 3_000, clock },
  );
  return { provider, heard, tries, inner, clock };
}

const refused = () => Promise.reject(new Error('connection refused'));

describe('the reconnection schedule', () => {
  it('try 1 at once, then base × 2^(k−2) × (1 + jitter), capped', () => {
    const policy = { ...DEFAULT_RECONNECT, baseDelayMs: 500, maxDelayMs: 8_000 };
    expect([1, 2, 3, 4, 5, 6, 7].map((k) => reconnectDelay(k, policy, 0))).toEqual([0, 500, 1_000, 2_000, 4_000, 8_000, 8_000]);
    expect([2, 3, 4].map((k) => reconnectDelay(k, policy, 0.5))).toEqual([750, 1_500, 3_000]);
    expect(reconnectDelay(40, policy, 0.999)).toBe(8_000);
  });

  it('one option for every provider; the old per-vendor names map onto it with a warning', () => {
    expect(parseReconnect(undefined, {}).policy).toEqual(DEFAULT_RECONNECT);
    expect(parseReconnect({ attempts: 2, deadlineMs: 9_000 }, {}).policy).toMatchObject({ attempts: 2, deadlineMs: 9_000, baseDelayMs: 500 });
    // Config strings give the fields as dotted parameters.
    const params: Record<string, unknown> = { 'reconnect.attempts': '3', uri: 'sip:a@b' };
    expect(parseReconnect(undefined, params).policy.attempts).toBe(3);
    expect(params).toEqual({ uri: 'sip:a@b' });
    for (const [old, field, value] of [
      ['reconnectionAttempts', 'attempts', 2],
      ['reconnectAttempts', 'attempts', 1],
      ['reconnectTimeoutMs', 'deadlineMs', 4_000],
    ] as const) {
      const legacy: Record<string, unknown> = { [old]: value };
      const parsed = parseReconnect(undefined, legacy);
      expect(parsed.policy[field]).toBe(value);
      expect(parsed.warnings).toEqual([expect.stringContaining(`"${old}" is deprecated; use reconnect.${field}`)]);
      expect(legacy, 'the provider never sees the old name').toEqual({});
    }
  });

  it.each([
    [{ attempts: -1 }, {}, 'reconnect.attempts'],
    [{ attempts: 101 }, {}, 'reconnect.attempts'],
    [{ deadlineMs: 0 }, {}, 'reconnect.deadlineMs'],
    [{ baseDelayMs: 1_000, maxDelayMs: 10 }, {}, 'reconnect.maxDelayMs'],
    [{ tries: 3 }, {}, 'reconnect.tries'],
    ['5', {}, 'reconnect'],
    [undefined, { reconnectTimeoutMs: 'abc' }, 'reconnectTimeoutMs'],
    [{ attempts: 2 }, { reconnectionAttempts: 3 }, 'reconnectionAttempts'],
  ])('%j %j → CONFIG_INVALID naming %s', (value, params, field) => {
    expect(() => parseReconnect(value, { ...params })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', details: { field } }));
  });
});

describe('a provider that carries out the tries (reconnect())', () => {
  it('restored on try 3: the tries run on the schedule; unregistered at the loss, registered when back', async () => {
    const h = harness({ attempts: 5 }, (n) => (n < 3 ? refused() : Promise.resolve()));
    await h.provider.connect(new AbortController().signal);
    h.inner.sink.connectionLost();
    await h.clock.advance(10_000);
    expect(h.tries).toEqual([0, 500, 1_500]);
    expect(h.heard).toEqual(['lost', 'unregistered', 'registered', 'restored']);
    expect(h.inner.disconnects).toBe(0);
  });

  it('never back: gives up after `attempts` failed tries, the provider torn down BEFORE the client hears', async () => {
    const h = harness({ attempts: 3 }, refused);
    await h.provider.connect(new AbortController().signal);
    h.inner.sink.connectionLost();
    await h.clock.advance(60_000);
    expect(h.tries).toEqual([0, 500, 1_500]);
    expect(h.heard).toEqual(['lost', 'unregistered', 'provider torn down', 'failed NETWORK_UNREACHABLE tries=3']);
  });

  it('a refused password on a try ends the tries at once with AUTH_REJECTED', async () => {
    const h = harness({ attempts: 5 }, () => Promise.reject(new VoiceError('AUTH_REJECTED', 'refused')));
    await h.provider.connect(new AbortController().signal);
    h.inner.sink.connectionLost();
    await h.clock.advance(60_000);
    expect(h.tries).toEqual([0]);
    expect(h.heard.slice(-2)).toEqual(['provider torn down', 'failed AUTH_REJECTED tries=undefined']);
  });

  it('the deadline ends a run whose tries hang, and aborts the hung try', async () => {
    const signals: AbortSignal[] = [];
    const h = harness({ attempts: 5, deadlineMs: 20_000 }, (_n, signal) => {
      signals.push(signal);
      return new Promise<void>(() => {});
    });
    await h.provider.connect(new AbortController().signal);
    h.inner.sink.connectionLost();
    await h.clock.advance(19_999);
    expect(h.heard).toEqual(['lost', 'unregistered']);
    expect(signals.map((s) => s.aborted)).toEqual([false]);
    await h.clock.advance(1);
    expect(h.heard).toEqual(['lost', 'unregistered', 'provider torn down', 'failed NETWORK_UNREACHABLE tries=0']);
    expect(signals.map((s) => s.aborted)).toEqual([true]);
  });

  it('attempts 0: the first loss ends the session, no try runs', async () => {
    const h = harness({ attempts: 0 }, () => Promise.resolve());
    await h.provider.connect(new AbortController().signal);
    h.inner.sink.connectionLost();
    await h.clock.advance(1_000);
    expect(h.tries).toEqual([]);
    expect(h.heard).toEqual(['lost', 'unregistered', 'provider torn down', 'failed NETWORK_UNREACHABLE tries=0']);
  });

  it('a loss before connect() resolved, or after disconnect(), starts no reconnection', async () => {
    const h = harness({ attempts: 5 }, () => Promise.resolve());
    h.inner.sink.connectionLost();
    await h.provider.connect(new AbortController().signal);
    await h.provider.disconnect();
    h.inner.sink.connectionLost();
    await h.clock.advance(120_000);
    expect(h.tries).toEqual([]);
    expect(h.heard).toEqual(['provider torn down']);
  });

  it('disconnect() during the run stops the tries; nothing more is reported', async () => {
    const h = harness({ attempts: 5 }, refused);
    await h.provider.connect(new AbortController().signal);
    h.inner.sink.connectionLost();
    await h.clock.advance(600);
    await h.provider.disconnect();
    const after = h.tries.length;
    await h.clock.advance(120_000);
    expect(h.tries).toHaveLength(after);
    expect(h.heard).toEqual(['lost', 'unregistered', 'provider torn down']);
  });
});

describe('a vendor SDK that reconnects by itself (no reconnect())', () => {
  it('its failed tries are counted: gives up at `attempts`, tears it down, NETWORK_UNREACHABLE', async () => {
    const h = harness({ attempts: 2 });
    await h.provider.connect(new AbortController().signal);
    h.inner.sink.connectionLost();
    h.inner.sink.reconnectTryFailed(new Error('closed'));
    expect(h.heard).toEqual(['lost', 'unregistered']);
    h.inner.sink.reconnectTryFailed(new Error('closed'));
    await h.clock.advance(0);
    expect(h.heard).toEqual(['lost', 'unregistered', 'provider torn down', 'failed NETWORK_UNREACHABLE tries=2']);
  });

  it('a vendor that never reports a try still ends at the deadline', async () => {
    const h = harness({ deadlineMs: 30_000 });
    await h.provider.connect(new AbortController().signal);
    h.inner.sink.connectionLost();
    await h.clock.advance(30_000);
    expect(h.heard).toEqual(['lost', 'unregistered', 'provider torn down', 'failed NETWORK_UNREACHABLE tries=0']);
  });

  it('restored by the SDK: the same trace as a core-driven try; a later report is ignored', async () => {
    const h = harness({});
    await h.provider.connect(new AbortController().signal);
    h.inner.sink.connectionLost();
    h.inner.sink.reconnectTryFailed();
    h.inner.sink.connectionRestored();
    h.inner.sink.connectionRestored();
    h.inner.sink.reconnectTryFailed();
    await h.clock.advance(120_000);
    expect(h.heard).toEqual(['lost', 'unregistered', 'registered', 'restored']);
  });

  it('the vendor giving up by itself (a punt, its own limit) passes as it is; the run ends', async () => {
    const h = harness({});
    await h.provider.connect(new AbortController().signal);
    h.inner.sink.connectionLost();
    h.inner.sink.connectionFailed(new VoiceError('NETWORK_UNREACHABLE', 'punted', { details: { tries: 7 } }));
    await h.clock.advance(120_000);
    expect(h.heard).toEqual(['lost', 'unregistered', 'failed NETWORK_UNREACHABLE tries=7']);
  });

  it('a session without a registration (anonymous, Cognigy runtime) reports neither unregistered nor registered', async () => {
    const h = harness({}, undefined, false);
    await h.provider.connect(new AbortController().signal);
    h.inner.sink.connectionLost();
    h.inner.sink.connectionRestored();
    expect(h.heard).toEqual(['lost', 'restored']);
  });
});

describe('through a real client', () => {
  it('gives up as the config says: unregistered, the provider torn down, NETWORK_UNREACHABLE, disconnected', async () => {
    const script: Script = { disconnects: 0, calls: [] };
    const client = await createVoiceClient({ provider: scriptedProvider(script), reconnect: { attempts: 1, deadlineMs: 60_000 } });
    await client.connect();
    const errors: VoiceError[] = [];
    client.on('error', ({ error }) => errors.push(error));
    const sink = script.context!.sink;
    sink.connectionLost();
    sink.reconnectTryFailed(new Error('closed again'));
    await vi.waitFor(() => expect(client.state).toBe('disconnected'));
    expect(script.disconnects, 'torn down once, before the client heard').toBe(1);
    expect(errors.map((e) => [e.code, e.provider, e.details?.tries])).toEqual([['NETWORK_UNREACHABLE', 'scripted', 1]]);
    expect(normalizeTrace(client.trace()).slice(-4)).toEqual([
      'client stateChanged connected>reconnecting',
      'client unregistered',
      'client error code=NETWORK_UNREACHABLE',
      'client stateChanged reconnecting>disconnected',
    ]);
  });

  it('an old per-vendor name still works, with one deprecation warning in the log', async () => {
    const logs: string[] = [];
    const script: Script = { disconnects: 0, calls: [] };
    const client = await createVoiceClient({ provider: scriptedProvider(script), reconnectionAttempts: 0, logger: (entry) => logs.push(`${entry.level} ${entry.message}`) });
    expect(logs.filter((l) => l.includes('deprecated'))).toEqual(['warn The option "reconnectionAttempts" is deprecated; use reconnect.attempts (it means the same for every provider).']);
    await client.connect();
    script.context!.sink.connectionLost();
    // attempts 0: the first loss ends the session.
    await vi.waitFor(() => expect(client.state).toBe('disconnected'));
  });
});
