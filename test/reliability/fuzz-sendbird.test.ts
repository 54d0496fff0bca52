// Fuzzes Sendbird's side of the wire: the REST login reply (lab/sendbird `setLoginReply`) and
// frames pushed on the signalling WebSocket (`pushRaw`), with the REAL sendbird-calls SDK in Node
// (lab/sendbird/node-shims.mjs) under the polyphone sendbird provider. Each login reply has ONE
// right outcome, decided from the reply (loginOracle): a refusal code is AUTH_REJECTED, the expiry
// code TOKEN_EXPIRED, an unusable body PROTOCOL_ERROR, a login the SDK takes whose session the
// socket then refuses NETWORK_UNREACHABLE. After every pushed frame the session is classified
// (settledSession): alive, recovered, or ended with a VoiceError; a session that ends without one
// is a finding. Each target runs a fixed corpus and a fresh seed (printed with every failure).
// One client at a time: sendbird-calls is one instance per process.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVoiceClient, VoiceError, type VoiceClient } from '../../src/all.js';
import { SENDBIRD_USERS, startSendbirdEmulator } from '../../lab/sendbird/index.mjs';
import { installSendbirdNodeShims } from '../../lab/sendbird/node-shims.mjs';
import { FUZZ_SEED, connectOutcome, corpora, corpusName, settledSession, tally, watchProcessFaults } from './fuzz-support.js';

type Emulator = Awaited<ReturnType<typeof startSendbirdEmulator>>;

// Long: no login reply here calls for TIMEOUT, so a loaded machine only slows a case down (a
// handled reply ends connect() at once).
const CONNECT_BOUND_MS = 10_000;
const SLACK_MS = 1_000;

let emulator: Emulator;
let restoreGlobals: () => void;

/**
 * The `ws` package throws (an 'error' event nobody listens to) when a socket still connecting is
 * closed; a browser's WebSocket just fires `error`. The SDK closes such sockets when a session ends
 * during its connect, so the shim's WebSocket gets the browser's manners here.
 */
function browserLikeWebSocket(): void {
  const Base = (globalThis as unknown as { WebSocket: new (...args: any[]) => { on(event: string, listener: () => void): void } }).WebSocket;
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

async function sendbirdClient(connectMs = CONNECT_BOUND_MS, extra: Record<string, unknown> = {}): Promise<{ client: VoiceClient; errors: unknown[] }> {
  const client = await createVoiceClient({
    ...extra,
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
}

/** The server's error code as sendbird-calls passes it on (a number, or a string of digits). */
const serverCode = (code: unknown) => (typeof code === 'number' ? code : typeof code === 'string' && /^\d+$/.test(code) ? Number(code) : undefined);

/**
 * The one outcome a login reply must give. Sendbird's error body `{error: true, code, message}`:
 * 400309 is an expired token, 400302 (and the 4003xx family, 400200 no such app, every other
 * 4xxxxx) a refusal; a body the SDK cannot read is PROTOCOL_ERROR; a body it reads as a login,
 * with the fuzz session token the emulator never issued, is refused at the socket.
 */
function loginOracle(generated: LoginCase): string {
  const text = typeof generated.body === 'string' ? generated.body : Buffer.from(generated.body).toString('latin1');
  let reply: unknown;
  try {
    reply = JSON.parse(text);
  } catch {
    return 'PROTOCOL_ERROR';
  }
  const record = typeof reply === 'object' && reply !== null && !Array.isArray(reply) ? (reply as Record<string, unknown>) : undefined;
  if (record?.error === true) {
    const code = serverCode(record.code);
    if (code === 400309) return 'TOKEN_EXPIRED';
    if (code !== undefined && ((code >= 400000 && code < 500000) || code === 1800303)) return 'AUTH_REJECTED';
    return 'PROTOCOL_ERROR';
  }
  if (generated.status !== 200) return 'PROTOCOL_ERROR';
  // sendbird-calls reads `user` without a check: a reply without one is no login.
  return record && record.user !== undefined && record.user !== null ? 'NETWORK_UNREACHABLE' : 'PROTOCOL_ERROR';
}

const loginCase: fc.Arbitrary<LoginCase> = fc.oneof(
  randomText.map((body) => ({ kind: 'random-bytes', status: 200, body })),
  fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }).map((at) => {
    const text = JSON.stringify(validLogin);
    return { kind: 'truncated', status: 200, body: text.slice(0, Math.floor(at * text.length)) };
  }),
  anyJson.map((value) => ({ kind: 'any-json', status: 200, body: JSON.stringify(value) })),
  // The login fields with wrong types.
  fc
    .record({ user: fc.option(anyJson, { nil: undefined }), sbcall_session_token: fc.option(anyJson, { nil: undefined }), stats_interval: fc.option(anyJson, { nil: undefined }) })
    .map((fields) => ({ kind: 'wrong-typed', status: 200, body: JSON.stringify({ ...validLogin, ...fields }) })),
  fc.integer({ min: 200_000, max: 900_000 }).map((size) => ({ kind: 'huge', status: 200, body: JSON.stringify({ ...validLogin, user: { ...validLogin.user, nickname: 'n'.repeat(size) } }) })),
  // Error replies the way Sendbird shapes them, with any code and message, and any other status.
  fc.record({ status: fc.constantFrom(400, 401, 403, 404, 500, 502, 503), code: fc.oneof(fc.integer(), fc.constantFrom(400302, 400309, 400200), anyJson), message: anyJson }).map(({ status, code, message }) => ({
    kind: `error-${status}`,
    status,
    body: JSON.stringify({ error: true, code, message }),
  })),
  fc.record({ status: fc.constantFrom(400, 404, 500, 503), body: randomText }).map(({ status, body }) => ({ kind: `garbage-${status}`, status, body })),
);

/** Replies worth keeping in every run: a refusal, an expiry, an unknown code, a login the socket refuses. */
const EDGE_LOGIN_REPLIES: LoginCase[] = [
  { kind: 'edge-refused', status: 400, body: JSON.stringify({ error: true, code: 400302, message: 'Invalid value: "access_token".' }) },
  { kind: 'edge-refused-as-string', status: 401, body: JSON.stringify({ error: true, code: '400302', message: 'refused' }) },
  { kind: 'edge-expired', status: 400, body: JSON.stringify({ error: true, code: 400309, message: 'expired' }) },
  { kind: 'edge-unknown-code', status: 500, body: JSON.stringify({ error: true, code: 900100, message: 'internal' }) },
  { kind: 'edge-login-socket-refuses', status: 200, body: JSON.stringify(validLogin) },
];

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
  it('generated login replies (fixed corpus, fresh seed, edge cases) each end connect() in the ONE outcome the reply calls for, within the bound', async () => {
    const watch = watchProcessFaults();
    const outcomes: string[] = [];
    const failures: string[] = [];
    const batches: Array<{ name: string; cases: LoginCase[] }> = [
      ...corpora(FUZZ_SEED).map((c) => ({ name: corpusName(c), cases: fc.sample(loginCase, { seed: c.seed, numRuns: c.runs }) })),
      { name: 'edge cases', cases: EDGE_LOGIN_REPLIES },
    ];
    try {
      for (const { name, cases } of batches) {
        for (const [i, generated] of cases.entries()) {
          emulator.setLoginReply(() => ({ status: generated.status, body: generated.body }));
          const { client, errors } = await sendbirdClient();
          const result = await connectOutcome(client);
          await client.disconnect();
          outcomes.push(result.outcome);
          const expected = loginOracle(generated);
          const problems = [
            result.outcome !== expected && `ended ${result.outcome} (${result.error?.message ?? ''}), expected ${expected}`,
            result.ms > CONNECT_BOUND_MS + SLACK_MS && `took ${Math.round(result.ms)} ms`,
            // A login refused inside authenticate() leaves the client where it was before it.
            !['disconnected', 'initialized'].includes(client.state) && `left in ${client.state}`,
            errors.some((e) => !(e instanceof VoiceError)) && 'a raw error event',
          ].filter(Boolean);
          if (problems.length > 0) failures.push(`${name}, case ${i} ${generated.kind}: ${problems.join('; ')}`);
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 300));
    } finally {
      watch.stop();
      emulator.setLoginReply(undefined);
    }
    console.info(`fuzz sendbird login reply: ${outcomes.length} cases run (${batches.map((b) => b.name).join('; ')}); outcomes ${JSON.stringify(tally(outcomes))}`);
    expect(failures, `failures (${batches.map((b) => b.name).join('; ')})`).toEqual([]);
    expect(watch.faults).toEqual([]);
    expect(outcomes).toHaveLength(batches.reduce((n, b) => n + b.cases.length, 0));
  }, 240_000);

  it('generated socket frames (fixed corpus, fresh seed): after each, the session is alive, recovered, or ended with a VoiceError', async () => {
    const watch = watchProcessFaults();
    const outcomes: string[] = [];
    const failures: string[] = [];
    const { client, errors } = await sendbirdClient(15_000);
    let reconnected = false;
    client.on('stateChanged', ({ to }) => {
      if (to === 'reconnecting') reconnected = true;
    });
    const list = corpora(FUZZ_SEED + 1);
    try {
      await client.connect();
      for (const corpus of list) {
        const cases = fc.sample(fc.array(pushFrame, { minLength: 1, maxLength: 3 }), { seed: corpus.seed, numRuns: corpus.runs });
        for (const [i, frames] of cases.entries()) {
          if (client.state === 'disconnected') await client.connect();
          reconnected = false;
          const errorsBefore = errors.length;
          for (const { frame } of frames) emulator.pushRaw(frame, 'alice');
          await new Promise((resolve) => setTimeout(resolve, 30));
          // Alive: still connected, and the session answers (a token refresh goes through on it).
          const answers = () =>
            client.refreshToken({ type: 'accessToken', userId: 'alice', accessToken: SENDBIRD_USERS.alice }).then(
              () => true,
              () => false,
            );
          const outcome = await settledSession(client, errors, errorsBefore, answers, () => reconnected);
          outcomes.push(outcome);
          const kinds = frames.map((f) => f.kind).join('+');
          const problems = [
            !/^(alive|recovered|ended:[A-Z_]+)$/.test(outcome) && `ended ${outcome}`,
            errors.some((e) => !(e instanceof VoiceError)) && 'a raw error event',
            watch.faults.length > 0 && watch.faults.splice(0).join('; '),
          ].filter(Boolean);
          if (problems.length > 0) failures.push(`${corpusName(corpus)}, case ${i} ${kinds}: ${problems.join('; ')}`);
        }
      }
      // Still a working session at the end.
      if (client.state === 'disconnected') await client.connect();
      expect(client.state).toBe('connected');
    } finally {
      await client.disconnect();
      watch.stop();
    }
    console.info(`fuzz sendbird socket frames: ${outcomes.length} cases run (${list.map(corpusName).join('; ')}); outcomes ${JSON.stringify(tally(outcomes))}`);
    expect(failures, `failures (${list.map(corpusName).join('; ')})`).toEqual([]);
    expect(outcomes).toHaveLength(list.reduce((n, c) => n + c.runs, 0));
  }, 240_000);

  it('a killed session is classified too: dropped sockets come back by themselves; refused for good, the session ends in a VoiceError', async () => {
    // A short reconnect window (the provider's option; 60 s by default) keeps the give-up quick.
    const { client, errors } = await sendbirdClient(15_000, { reconnect: { deadlineMs: 4_000 } });
    let reconnected = false;
    client.on('stateChanged', ({ to }) => {
      if (to === 'reconnecting') reconnected = true;
    });
    const answers = () =>
      client.refreshToken({ type: 'accessToken', userId: 'alice', accessToken: SENDBIRD_USERS.alice }).then(
        () => true,
        () => false,
      );
    try {
      await client.connect();
      let before = errors.length;
      emulator.dropSockets();
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(await settledSession(client, errors, before, answers, () => reconnected, 20_000), 'sockets dropped once').toBe('recovered');
      before = errors.length;
      emulator.faults.refuseSockets = true;
      emulator.dropSockets();
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(await settledSession(client, errors, before, answers, () => true, 15_000), 'sockets dropped and refused from then on').toMatch(/^ended:[A-Z_]+$/);
    } finally {
      emulator.faults.refuseSockets = false;
      await client.disconnect();
    }
  }, 60_000);
});
