// Fuzzes Telnyx's Verto frames: the reply to `login` (lab/telnyx `setLoginReply`) and frames the
// server pushes into a live session (`pushRaw`), with the REAL @telnyx/webrtc SDK in Node (the
// shims of lab/telnyx/node-shims.mjs) under the polyphone telnyx provider. A bad login reply must
// end connect() in a VoiceError (PROTOCOL_ERROR where the reply says nothing usable, AUTH_REJECTED
// where it is an error, TIMEOUT where the SDK keeps waiting), within the bound; a bad push must
// leave the session alive (the SDK still answers the server) or end it with a VoiceError.
// Cases run a batch at a time, each client with its own login, so the bounded waits overlap.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVoiceClient, VoiceError, type VoiceClient } from '../../src/all.js';
import { startTelnyxEmulator } from '../../lab/telnyx/index.mjs';
import { installTelnyxNodeShims } from '../../lab/telnyx/node-shims.mjs';
import { FUZZ_SEED, connectOutcome, fuzzRuns, tally, watchProcessFaults } from './fuzz-support.js';

type Emulator = Awaited<ReturnType<typeof startTelnyxEmulator>>;

const CONNECT_BOUND_MS = 2_000;
const SLACK_MS = 1_000;
const BATCH = 20;
const RUNS = fuzzRuns();

let emulator: Emulator;
let restoreGlobals: () => void;
const users: Record<string, string> = {};
for (let i = 0; i < 2 * RUNS; i++) users[`fz-${i}`] = `pw-fz-${i}-${(i * 7919).toString(36)}`;

beforeAll(async () => {
  restoreGlobals = installTelnyxNodeShims();
  emulator = await startTelnyxEmulator({ users });
});
afterAll(async () => {
  emulator?.setLoginReply(undefined);
  await emulator?.stop();
  restoreGlobals?.();
});

const VERTO_METHODS = [
  'telnyx_rtc.clientReady',
  'telnyx_rtc.invite',
  'telnyx_rtc.answer',
  'telnyx_rtc.bye',
  'telnyx_rtc.ringing',
  'telnyx_rtc.media',
  'telnyx_rtc.info',
  'telnyx_rtc.modify',
  'telnyx_rtc.display',
  'telnyx_rtc.attach',
  'telnyx_rtc.punt',
  'telnyx_rtc.ping',
  'telnyx_rtc.gatewayState',
  'telnyx_rtc.event',
] as const;

// An invite (or attach) makes the SDK build a call with DOM media elements Node does not have;
// pushed calls are Chromium's to test.
const PUSH_METHODS = VERTO_METHODS.filter((method) => method !== 'telnyx_rtc.invite' && method !== 'telnyx_rtc.attach');

const anyJson = fc.jsonValue({ maxDepth: 3 });
// @telnyx/webrtc 2.27.10 reads members of every JSON frame and of its `params` without a check: a
// frame that is JSON `null`, or whose params are not an object, throws out of its socket handler
// (an uncaught TypeError no app can catch) and, for `null`, leaves the session deaf while it still
// says connected. That is the SDK's defect, reported, not polyphone's; pushes here are JSON objects
// with object params, so the run tests what polyphone can answer for.
const anyObject = fc.dictionary(fc.string({ maxLength: 12 }), anyJson, { maxKeys: 5 });
const randomText = fc.uint8Array({ maxLength: 2_048 }).map((bytes) => Buffer.from(bytes).toString('latin1'));
const hugeText = fc.integer({ min: 200_000, max: 900_000 }).map((size) => 'z'.repeat(size));

interface LoginCase {
  kind: string;
  reply(id: unknown): string;
  expected: readonly string[];
}

const WAITS = ['TIMEOUT', 'PROTOCOL_ERROR'] as const;

const loginCase: fc.Arbitrary<LoginCase> = fc.oneof(
  randomText.map((text) => ({ kind: 'random-text', reply: () => text, expected: ['PROTOCOL_ERROR', 'TIMEOUT'] })),
  fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }).map((at) => ({
    kind: 'truncated',
    reply: (id: unknown) => {
      const text = JSON.stringify({ jsonrpc: '2.0', id, result: { sessid: 'd2a5d1c8-3a1e-4e4b-9a57-6b1f1f0b7c11', message: 'logged in' } });
      return text.slice(0, Math.floor(at * text.length));
    },
    expected: WAITS,
  })),
  // `result` of any shape: without a sessid the provider calls it a protocol error; with a
  // `result.code` other than "200" the SDK calls it a refusal; a sessid without clientReady waits.
  anyJson.map((result) => ({ kind: 'result-any', reply: (id: unknown) => JSON.stringify({ jsonrpc: '2.0', id, result }), expected: ['PROTOCOL_ERROR', 'AUTH_REJECTED', 'TIMEOUT'] })),
  fc.record({ sessid: fc.oneof(anyJson, fc.string()), message: anyJson }).map((result) => ({
    kind: 'result-sessid-any',
    reply: (id: unknown) => JSON.stringify({ jsonrpc: '2.0', id, result }),
    expected: ['PROTOCOL_ERROR', 'TIMEOUT'],
  })),
  anyJson.map((error) => ({ kind: 'error-any', reply: (id: unknown) => JSON.stringify({ jsonrpc: '2.0', id, error }), expected: ['AUTH_REJECTED', 'PROTOCOL_ERROR', 'TIMEOUT'] })),
  fc.record({ code: fc.oneof(fc.integer(), fc.string(), anyJson), message: fc.oneof(fc.string(), anyJson) }).map((error) => ({
    kind: 'error-wrong-typed',
    reply: (id: unknown) => JSON.stringify({ jsonrpc: '2.0', id, error }),
    expected: ['AUTH_REJECTED', 'PROTOCOL_ERROR', 'TIMEOUT'],
  })),
  // A reply to some other request, or a push where the reply should be: the login stays unanswered.
  // Not clientReady: answered to every login, it makes the SDK ask gatewayState, get -32000 (not
  // logged in) and log in again, thousands of times a second until the bound; polyphone ends it
  // with TIMEOUT, but the storm starves the event loop of every other case in the batch.
  fc.record({ otherId: fc.oneof(fc.integer(), fc.uuid(), fc.constant(null)), method: fc.option(fc.constantFrom(...PUSH_METHODS.filter((m) => m !== 'telnyx_rtc.clientReady'))), params: anyObject }).map(({ otherId, method, params }) => ({
    kind: method ? 'push-instead' : 'wrong-id',
    reply: () => JSON.stringify(method ? { jsonrpc: '2.0', id: otherId, method, params } : { jsonrpc: '2.0', id: otherId, result: params }),
    expected: ['TIMEOUT', 'PROTOCOL_ERROR', 'AUTH_REJECTED', 'NETWORK_UNREACHABLE'],
  })),
  hugeText.map((text) => ({ kind: 'huge-garbage', reply: () => text, expected: ['PROTOCOL_ERROR'] })),
  hugeText.map((text) => ({ kind: 'huge-message', reply: (id: unknown) => JSON.stringify({ jsonrpc: '2.0', id, result: { message: text } }), expected: ['PROTOCOL_ERROR'] })),
);

interface PushCase {
  kind: string;
  frames: string[];
}


const pushFrame: fc.Arbitrary<{ kind: string; frame: string }> = fc.oneof(
  randomText.map((frame) => ({ kind: 'random-text', frame })),
  hugeText.map((frame) => ({ kind: 'huge-garbage', frame })),
  anyObject.map((value) => ({ kind: 'any-object', frame: JSON.stringify(value) })),
  fc.record({ method: fc.constantFrom(...PUSH_METHODS), params: anyObject, id: fc.oneof(fc.integer({ min: 5_000 }), fc.string(), fc.constant(null)) }).map(({ method, params, id }) => ({
    kind: `method-any-params:${method}`,
    frame: JSON.stringify({ jsonrpc: '2.0', id, method, params }),
  })),
  fc
    .record({
      method: fc.constantFrom(...PUSH_METHODS),
      callID: fc.oneof(fc.uuid(), fc.string(), fc.integer()),
      sdp: fc.oneof(fc.string(), fc.constant('v=0\r\n'), anyJson),
      extra: fc.dictionary(fc.constantFrom('cause', 'causeCode', 'sipCode', 'dtmf', 'caller_id_name', 'callee_id_number', 'reattached_sessions', 'state', 'action'), anyJson),
    })
    .map(({ method, callID, sdp, extra }) => ({ kind: `method-call-params:${method}`, frame: JSON.stringify({ jsonrpc: '2.0', id: 9_999, method, params: { callID, sdp, ...extra } }) })),
  fc.record({ id: fc.oneof(fc.uuid(), fc.integer()), result: anyObject, error: fc.option(anyObject) }).map(({ id, result, error }) => ({
    kind: 'orphan-reply',
    frame: JSON.stringify(error === null ? { jsonrpc: '2.0', id, result } : { jsonrpc: '2.0', id, error }),
  })),
);
const pushCase: fc.Arbitrary<PushCase> = fc.array(pushFrame, { minLength: 1, maxLength: 4 }).map((frames) => ({ kind: frames.map((f) => f.kind.split(':')[0]).join('+'), frames: frames.map((f) => f.frame) }));

async function telnyxClient(login: string, connectMs = CONNECT_BOUND_MS): Promise<{ client: VoiceClient; errors: unknown[] }> {
  const client = await createVoiceClient({
    provider: 'telnyx',
    server: emulator.url,
    iceServers: [],
    timeouts: { connectMs },
    reconnectAttempts: 1,
    credentials: { type: 'password', login, password: users[login]! },
  } as never);
  const errors: unknown[] = [];
  client.on('error', ({ error }) => errors.push(error));
  return { client, errors };
}

async function until(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return true;
}

describe('fuzz: Telnyx Verto frames', () => {
  it(`${RUNS} generated login replies (seed ${FUZZ_SEED}) each end connect() in a VoiceError within the bound`, async () => {
    const cases = fc.sample(loginCase, { seed: FUZZ_SEED, numRuns: RUNS });
    const byLogin = new Map<string, LoginCase>();
    emulator.setLoginReply(({ id, params }) => {
      const generated = byLogin.get(String(params.login));
      return generated ? generated.reply(id) : undefined;
    });
    const watch = watchProcessFaults();
    const outcomes: string[] = [];
    const failures: string[] = [];
    try {
      for (let start = 0; start < cases.length; start += BATCH) {
        await Promise.all(
          cases.slice(start, start + BATCH).map(async (generated, offset) => {
            const login = `fz-${start + offset}`;
            byLogin.set(login, generated);
            const { client, errors } = await telnyxClient(login);
            const result = await connectOutcome(client);
            await client.disconnect();
            outcomes.push(result.outcome);
            const problems = [
              !generated.expected.includes(result.outcome) && `ended ${result.outcome} (${result.error?.message ?? ''}), expected one of ${generated.expected.join('|')}`,
              result.ms > CONNECT_BOUND_MS + SLACK_MS && `took ${Math.round(result.ms)} ms`,
              client.state !== 'disconnected' && `left in ${client.state}`,
              errors.some((e) => !(e instanceof VoiceError)) && 'a raw error event',
            ].filter(Boolean);
            if (problems.length > 0) failures.push(`case ${start + offset} ${generated.kind}: ${problems.join('; ')}`);
          }),
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 300));
    } finally {
      watch.stop();
      emulator.setLoginReply(undefined);
    }
    console.info(`fuzz telnyx login reply: ${outcomes.length} cases run (seed ${FUZZ_SEED}); outcomes ${JSON.stringify(tally(outcomes))}; kinds ${JSON.stringify(tally(cases.map((c) => c.kind)))}`);
    expect(failures).toEqual([]);
    expect(watch.faults).toEqual([]);
    expect(outcomes).toHaveLength(RUNS);
  }, 120_000);

  it(`${RUNS} generated pushes into a live session (seed ${FUZZ_SEED + 1}): the session survives or ends in a VoiceError`, async () => {
    const cases = fc.sample(pushCase, { seed: FUZZ_SEED + 1, numRuns: RUNS });
    const watch = watchProcessFaults();
    const outcomes: string[] = [];
    const failures: string[] = [];
    try {
      for (let start = 0; start < cases.length; start += BATCH) {
        await Promise.all(
          cases.slice(start, start + BATCH).map(async (generated, offset) => {
            const login = `fz-${RUNS + start + offset}`;
            // The login here is setup, not the subject: a batch of huge frames may slow it down.
            const { client, errors } = await telnyxClient(login, 15_000);
            await client.connect();
            for (const frame of generated.frames) emulator.pushRaw(frame, login);
            await new Promise((resolve) => setTimeout(resolve, 150));
            // Alive means the SDK still reads and answers: a clientReady push draws a gatewayState request.
            // (By identity: the emulator's frame log is a bounded window, its indices shift.)
            const gatewayStates = () => emulator.frames.filter((f) => f.dir === 'in' && f.login === login && (f.msg as { method?: string })?.method === 'telnyx_rtc.gatewayState');
            const seenBefore = new Set(gatewayStates());
            emulator.pushRaw(JSON.stringify({ jsonrpc: '2.0', id: 700_000 + start + offset, method: 'telnyx_rtc.clientReady', params: { reattached_sessions: [] } }), login);
            const alive = await until(() => gatewayStates().some((f) => !seenBefore.has(f)), 1_500);
            const state = client.state;
            const outcome = alive && state === 'connected' ? 'alive' : `${state}${errors.length ? `:${errors.map((e) => (e as VoiceError).code).join(',')}` : ''}`;
            outcomes.push(outcome);
            const problems = [
              errors.some((e) => !(e instanceof VoiceError)) && 'a raw error event',
              !alive && state === 'connected' && 'connected, but the SDK no longer answers the server',
              state === 'disconnected' && errors.length === 0 && 'disconnected without an error',
            ].filter(Boolean);
            if (problems.length > 0) failures.push(`case ${start + offset} ${generated.kind}: ${problems.join('; ')}`);
            await client.disconnect();
            expect(client.state).toBe('disconnected');
          }),
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 300));
    } finally {
      watch.stop();
    }
    console.info(`fuzz telnyx pushes: ${outcomes.length} cases run (seed ${FUZZ_SEED + 1}); outcomes ${JSON.stringify(tally(outcomes))}; kinds ${JSON.stringify(tally(cases.flatMap((c) => c.kind.split('+'))))}`);
    expect(failures).toEqual([]);
    expect(watch.faults).toEqual([]);
    expect(outcomes).toHaveLength(RUNS);
  }, 120_000);
});
