// Fuzzes Sendbird's side of the wire: the REST login reply (lab/sendbird `setLoginReply`) and
// frames pushed on the signalling WebSocket (`pushRaw`), with the REAL sendbird-calls SDK in Node
// (lab/sendbird/node-shims.mjs) under the polyphone sendbird provider. A bad login reply must end
// connect() in a VoiceError (PROTOCOL_ERROR where the body is unusable, AUTH_REJECTED/TOKEN_EXPIRED
// where it is an error the SDK recognises, TIMEOUT where the SDK keeps waiting) within the bound;
// a bad push must leave the client connected or end it with a VoiceError. One client at a time:
// sendbird-calls is one instance per process.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVoiceClient, VoiceError, type VoiceClient } from '../../src/all.js';
import { SENDBIRD_USERS, startSendbirdEmulator } from '../../lab/sendbird/index.mjs';
import { installSendbirdNodeShims } from '../../lab/sendbird/node-shims.mjs';
import { FUZZ_SEED, connectOutcome, fuzzRuns, tally, watchProcessFaults } from './fuzz-support.js';

type Emulator = Awaited<ReturnType<typeof startSendbirdEmulator>>;

const CONNECT_BOUND_MS = 2_000;
const SLACK_MS = 1_000;
const RUNS = fuzzRuns();

let emulator: Emulator;
let restoreGlobals: () => void;

/**
 * The `ws` package throws (an 'error' event nobody listens to) when a socket still connecting is
 * closed; a browser's WebSocket just fires `error`. The SDK closes such sockets when a session ends
 * during its connect, so the shim's WebSocket gets the browser's manners here.
 */
function browserLikeWebSocket(): void {
  const Base = (globalThis as { WebSocket: new (...args: any[]) => { on(event: string, listener: () => void): void } }).WebSocket;
  class BrowserLikeWebSocket extends Base {
    constructor(...args: any[]) {
      super(...args);
      this.on('error', () => {});
    }
  }
  Object.defineProperty(globalThis, 'WebSocket', { value: BrowserLikeWebSocket, configurable: true, writable: true });
}

beforeAll(async () => {
  restoreGlobals = installSendbirdNodeShims();
  browserLikeWebSocket();
  emulator = await startSendbirdEmulator();
});
afterAll(async () => {
  emulator?.setLoginReply(undefined);
  await emulator?.stop();
  restoreGlobals?.();
});

async function sendbirdClient(connectMs = CONNECT_BOUND_MS): Promise<{ client: VoiceClient; errors: unknown[] }> {
  const client = await createVoiceClient({
    provider: 'sendbird',
    server: emulator.appId,
    apiHost: emulator.apiHost,
    wsHost: emulator.wsHost,
    timeouts: { connectMs },
    credentials: { type: 'accessToken', userId: 'alice', accessToken: SENDBIRD_USERS.alice },
  } as never);
  const errors: unknown[] = [];
  client.on('error', ({ error }) => errors.push(error));
  return { client, errors };
}

const anyJson = fc.jsonValue({ maxDepth: 3 });
// sendbird-calls 1.10.21 reads `cmd` of every parsed socket frame unchecked: a frame that is JSON
// `null` throws out of its socket handler (an uncaught TypeError no app can catch). That is the
// SDK's defect, reported; socket frames here are JSON objects (or not JSON at all).
const anyObject = fc.dictionary(fc.string({ maxLength: 12 }), anyJson, { maxKeys: 5 });
const randomText = fc.uint8Array({ maxLength: 2_048 }).map((bytes) => Buffer.from(bytes));
// Its session token is not one the emulator issued: a reply the SDK accepts ends at the socket (401).
const validLogin = { user: { user_id: 'alice', nickname: 'alice', profile_url: '', metadata: {}, is_active: true }, sbcall_session_token: 'fuzz-session', stats_interval: 10 };

interface LoginCase {
  kind: string;
  status: number;
  body: string | Uint8Array;
  expected: readonly string[];
}

const UNUSABLE = ['PROTOCOL_ERROR', 'TIMEOUT'] as const;

const loginCase: fc.Arbitrary<LoginCase> = fc.oneof(
  randomText.map((body) => ({ kind: 'random-bytes', status: 200, body, expected: UNUSABLE })),
  fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }).map((at) => {
    const text = JSON.stringify(validLogin);
    return { kind: 'truncated', status: 200, body: text.slice(0, Math.floor(at * text.length)), expected: UNUSABLE };
  }),
  anyJson.map((value) => ({ kind: 'any-json', status: 200, body: JSON.stringify(value), expected: UNUSABLE })),
  // The login fields with wrong types.
  fc
    .record({ user: fc.option(anyJson, { nil: undefined }), sbcall_session_token: fc.option(anyJson, { nil: undefined }), stats_interval: fc.option(anyJson, { nil: undefined }) })
    .map((fields) => ({ kind: 'wrong-typed', status: 200, body: JSON.stringify({ ...validLogin, ...fields }), expected: [...UNUSABLE, 'NETWORK_UNREACHABLE'] })),
  fc.integer({ min: 200_000, max: 900_000 }).map((size) => ({ kind: 'huge', status: 200, body: JSON.stringify({ ...validLogin, user: { ...validLogin.user, nickname: 'n'.repeat(size) } }), expected: ['connected', 'NETWORK_UNREACHABLE', ...UNUSABLE] })),
  // Error replies the way Sendbird shapes them, with any code and message, and any other status.
  fc.record({ status: fc.constantFrom(400, 401, 403, 404, 500, 502, 503), code: fc.oneof(fc.integer(), fc.constantFrom(400302, 400309, 400200), anyJson), message: anyJson }).map(({ status, code, message }) => ({
    kind: `error-${status}`,
    status,
    body: JSON.stringify({ error: true, code, message }),
    expected: ['AUTH_REJECTED', 'TOKEN_EXPIRED', 'PROTOCOL_ERROR', 'NETWORK_UNREACHABLE', 'TIMEOUT'],
  })),
  fc.record({ status: fc.constantFrom(400, 404, 500, 503), body: randomText }).map(({ status, body }) => ({ kind: `garbage-${status}`, status, body, expected: ['PROTOCOL_ERROR', 'NETWORK_UNREACHABLE', 'AUTH_REJECTED', 'TIMEOUT'] })),
);

const pushFrame: fc.Arbitrary<{ kind: string; frame: string }> = fc.oneof(
  randomText.map((bytes) => ({ kind: 'random-text', frame: bytes.toString('latin1') })),
  fc.integer({ min: 200_000, max: 900_000 }).map((size) => ({ kind: 'huge', frame: 'q'.repeat(size) })),
  anyObject.map((value) => ({ kind: 'any-object', frame: JSON.stringify(value) })),
  fc
    .record({
      cmd: fc.constantFrom('CALL', 'SGNL', 'COMM', 'ERRO', 'LOGI', 'PING'),
      type: fc.constantFrom('dial', 'accept', 'end', 'cancel', 'decline', 'hold', 'audio', 'offer', 'answer', 'candidate', 'connection_lost', 'other_device_accepted', 'x'),
      payload: anyJson,
      message_id: fc.oneof(fc.uuid(), anyJson),
      request_id: fc.option(fc.oneof(fc.uuid(), anyJson), { nil: undefined }),
    })
    .map((frame) => ({ kind: `frame-${frame.cmd}`, frame: JSON.stringify({ version: 1, ...frame }) })),
  fc.record({ code: anyJson, message: anyJson, request_id: fc.option(fc.uuid(), { nil: undefined }) }).map((frame) => ({ kind: 'error-frame', frame: JSON.stringify({ error: true, ...frame }) })),
);

describe('fuzz: Sendbird REST login and socket frames', () => {
  it(`${RUNS} generated login replies (seed ${FUZZ_SEED}) each end connect() in a VoiceError within the bound`, async () => {
    const cases = fc.sample(loginCase, { seed: FUZZ_SEED, numRuns: RUNS });
    const watch = watchProcessFaults();
    const outcomes: string[] = [];
    const failures: string[] = [];
    try {
      for (const [i, generated] of cases.entries()) {
        emulator.setLoginReply(() => ({ status: generated.status, body: generated.body }));
        const { client, errors } = await sendbirdClient();
        const result = await connectOutcome(client);
        await client.disconnect();
        outcomes.push(result.outcome);
        const problems = [
          !generated.expected.includes(result.outcome) && `ended ${result.outcome} (${result.error?.message ?? ''}), expected one of ${generated.expected.join('|')}`,
          result.ms > CONNECT_BOUND_MS + SLACK_MS && `took ${Math.round(result.ms)} ms`,
          // A login refused inside authenticate() leaves the client where it was before it.
          !['disconnected', 'initialized'].includes(client.state) && `left in ${client.state}`,
          errors.some((e) => !(e instanceof VoiceError)) && 'a raw error event',
        ].filter(Boolean);
        if (problems.length > 0) failures.push(`case ${i} ${generated.kind}: ${problems.join('; ')}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 300));
    } finally {
      watch.stop();
      emulator.setLoginReply(undefined);
    }
    console.info(`fuzz sendbird login reply: ${outcomes.length} cases run (seed ${FUZZ_SEED}); outcomes ${JSON.stringify(tally(outcomes))}; kinds ${JSON.stringify(tally(cases.map((c) => c.kind)))}`);
    expect(failures).toEqual([]);
    expect(watch.faults).toEqual([]);
    expect(outcomes).toHaveLength(RUNS);
  }, 120_000);

  it(`${RUNS} generated socket frames (seed ${FUZZ_SEED + 1}) leave the client connected or end it in a VoiceError`, async () => {
    const cases = fc.sample(fc.array(pushFrame, { minLength: 1, maxLength: 3 }), { seed: FUZZ_SEED + 1, numRuns: RUNS });
    const watch = watchProcessFaults();
    const outcomes: string[] = [];
    const failures: string[] = [];
    const { client, errors } = await sendbirdClient(15_000);
    try {
      await client.connect();
      for (const [i, frames] of cases.entries()) {
        if (client.state === 'disconnected') await client.connect();
        for (const { frame } of frames) emulator.pushRaw(frame, 'alice');
        await new Promise((resolve) => setTimeout(resolve, 30));
        outcomes.push(client.state);
        const kinds = frames.map((f) => f.kind).join('+');
        if (errors.some((e) => !(e instanceof VoiceError))) failures.push(`case ${i} ${kinds}: a raw error event`);
        if (watch.faults.length > 0) failures.push(`case ${i} ${kinds}: ${watch.faults.splice(0).join('; ')}`);
      }
      // Still a working session: the socket is the one the SDK holds, and a token refresh goes through.
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(client.state).toBe('connected');
      await client.refreshToken({ type: 'accessToken', userId: 'alice', accessToken: SENDBIRD_USERS.alice });
    } finally {
      await client.disconnect();
      watch.stop();
    }
    console.info(`fuzz sendbird socket frames: ${outcomes.length} cases run (seed ${FUZZ_SEED + 1}); client states ${JSON.stringify(tally(outcomes))}; error events ${JSON.stringify(tally(errors.map((e) => (e as VoiceError).code)))}; kinds ${JSON.stringify(tally(cases.flatMap((c) => c.map((f) => f.kind))))}`);
    expect(failures).toEqual([]);
    expect(outcomes).toHaveLength(RUNS);
  }, 120_000);
});
