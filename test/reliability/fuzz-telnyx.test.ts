// Fuzzes Telnyx's Verto frames: the reply to `login` (lab/telnyx `setLoginReply`) and frames the
// server pushes into a live session (`pushRaw`), with the REAL @telnyx/webrtc SDK in Node (the
// shims of lab/telnyx/node-shims.mjs) under the polyphone telnyx provider.
// Login: each reply has ONE right outcome, decided from the frame itself (loginOracle): a refusal
// (an `error` member) is AUTH_REJECTED, a reply the SDK accepts without a session is
// PROTOCOL_ERROR, one it never takes for the reply is TIMEOUT, a punt is NETWORK_UNREACHABLE.
// Pushes: every session ends in a named class (settledSession): alive, recovered by itself, or
// ended with a VoiceError; a session left reconnecting is a finding. Each target runs a fixed
// corpus and a fresh seed (printed with every failure). Cases run a batch at a time, each client
// with its own login, so the bounded waits overlap.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVoiceClient, VoiceError, type VoiceClient } from '../../src/all.js';
import { startTelnyxEmulator } from '../../lab/telnyx/index.mjs';
import { installTelnyxNodeShims } from '../../lab/telnyx/node-shims.mjs';
import { FUZZ_SEED, connectOutcome, corpora, corpusName, settledSession, tally, watchProcessFaults, type Corpus } from './fuzz-support.js';

type Emulator = Awaited<ReturnType<typeof startTelnyxEmulator>>;

const CONNECT_BOUND_MS = 2_000;
/**
 * The bound for a reply that must end otherwise than TIMEOUT: long, so that a loaded machine slows
 * such a case down without turning it into a TIMEOUT (it costs nothing when the reply is handled).
 */
const ANSWERED_BOUND_MS = 10_000;
/** Stands for the login's request id when the oracle is asked before the login is sent. */
const PLACEHOLDER_ID = 'oracle-placeholder-id';
const SLACK_MS = 1_000;
const BATCH = 20;
const LOGIN_CORPORA = corpora(FUZZ_SEED);
const PUSH_CORPORA = corpora(FUZZ_SEED + 1);
const CASES = (list: Corpus[]) => list.reduce((n, c) => n + c.runs, 0) + EDGE_LOGIN_REPLIES.length;

let emulator: Emulator;
let restoreGlobals: () => void;
const users: Record<string, string> = {};
let nextLogin = 0;
const takeLogin = () => `fz-${nextLogin++}`;

beforeAll(async () => {
  for (let i = 0; i < CASES(LOGIN_CORPORA) + CASES(PUSH_CORPORA); i++) users[`fz-${i}`] = `pw-fz-${i}-${(i * 7919).toString(36)}`;
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
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The one outcome a login reply must give, read from the frame as @telnyx/webrtc 2.27.10 reads it
 * (its reply unwrapping, `We` in lib/bundle.js: an `error` member wins; `result.result.code` other
 * than "200" is an error too; anything else is a success, which without a session id is no login).
 */
function loginOracle(text: string, loginId: string): string {
  let frame: unknown;
  try {
    frame = JSON.parse(text);
  } catch {
    return 'PROTOCOL_ERROR'; // not JSON: the SDK only warns "Unknown message from socket"
  }
  if (typeof frame === 'string') return 'PROTOCOL_ERROR';
  if (!isRecord(frame)) return 'UNCLASSIFIED';
  if (frame.method === 'telnyx_rtc.punt') return 'NETWORK_UNREACHABLE'; // the server sends the client away
  if (frame.id !== loginId) return 'TIMEOUT'; // not the reply to the login: it stays unanswered
  if (frame.error) return 'AUTH_REJECTED'; // a refused login
  if (!('result' in frame)) return 'PROTOCOL_ERROR';
  const result = frame.result;
  if (result === false || result === 0 || result === '' || result === null) return 'TIMEOUT'; // the SDK takes no falsy result for an answer
  const inner = isRecord(result) ? result.result : undefined;
  if (isRecord(inner) && inner.code && inner.code !== '200') return 'AUTH_REJECTED';
  if (inner !== undefined && inner !== null) return 'UNCLASSIFIED';
  return isRecord(result) && typeof result.sessid === 'string' && result.sessid !== '' ? 'TIMEOUT' : 'PROTOCOL_ERROR'; // a session, but no clientReady: it waits
}

// JSON is also random text: the generated text is kept to what is not JSON, or a JSON string.
const notJson = (text: string) => {
  try {
    return typeof JSON.parse(text) === 'string';
  } catch {
    return true;
  }
};

const loginCase: fc.Arbitrary<LoginCase> = fc.oneof(
  randomText.filter(notJson).map((text) => ({ kind: 'random-text', reply: () => text })),
  fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }).map((at) => ({
    kind: 'truncated',
    reply: (id: unknown) => {
      const text = JSON.stringify({ jsonrpc: '2.0', id, result: { sessid: 'd2a5d1c8-3a1e-4e4b-9a57-6b1f1f0b7c11', message: 'logged in' } });
      return text.slice(0, Math.floor(at * text.length));
    },
  })),
  anyJson.filter((result) => result !== null).map((result) => ({ kind: 'result-any', reply: (id: unknown) => JSON.stringify({ jsonrpc: '2.0', id, result }) })),
  fc.record({ sessid: fc.oneof(anyJson, fc.string()), message: anyJson }).map((result) => ({
    kind: 'result-sessid-any',
    reply: (id: unknown) => JSON.stringify({ jsonrpc: '2.0', id, result }),
  })),
  anyJson.map((error) => ({ kind: 'error-any', reply: (id: unknown) => JSON.stringify({ jsonrpc: '2.0', id, error }) })),
  fc.record({ code: fc.oneof(fc.integer(), fc.string(), anyJson), message: fc.oneof(fc.string(), anyJson) }).map((error) => ({
    kind: 'error-wrong-typed',
    reply: (id: unknown) => JSON.stringify({ jsonrpc: '2.0', id, error }),
  })),
  // A reply to some other request, or a push where the reply should be: the login stays unanswered.
  // Not clientReady: answered to every login, it makes the SDK ask gatewayState, get -32000 (not
  // logged in) and log in again, thousands of times a second until the bound; polyphone ends it
  // with TIMEOUT, but the storm starves the event loop of every other case in the batch.
  fc.record({ otherId: fc.oneof(fc.integer(), fc.uuid(), fc.constant(null)), method: fc.option(fc.constantFrom(...PUSH_METHODS.filter((m) => m !== 'telnyx_rtc.clientReady'))), params: anyObject }).map(({ otherId, method, params }) => ({
    kind: method ? 'push-instead' : 'wrong-id',
    reply: () => JSON.stringify(method ? { jsonrpc: '2.0', id: otherId, method, params } : { jsonrpc: '2.0', id: otherId, result: params }),
  })),
  hugeText.map((text) => ({ kind: 'huge-garbage', reply: () => text })),
  hugeText.map((text) => ({ kind: 'huge-message', reply: (id: unknown) => JSON.stringify({ jsonrpc: '2.0', id, result: { message: text } }) })),
);

/** Replies worth keeping in every run: the edges of each rule of loginOracle. */
const EDGE_LOGIN_REPLIES: LoginCase[] = [
  // Not `result: null`: 2.27.10 then reads `.result` of null inside its socket handler, an uncaught
  // TypeError no app can catch (the SDK's defect, as for JSON `null` frames above).
  ...[false, 0, '', true, 'x', [], {}].map((result) => ({ kind: 'edge-result', reply: (id: unknown) => JSON.stringify({ jsonrpc: '2.0', id, result }) })),
  ...[false, 0, '', null, true, 'refused', { code: -32001, message: 'Authentication Failure' }].map((error) => ({ kind: 'edge-error', reply: (id: unknown) => JSON.stringify({ jsonrpc: '2.0', id, error }) })),
  { kind: 'edge-inner-code', reply: (id: unknown) => JSON.stringify({ jsonrpc: '2.0', id, result: { result: { code: '403', message: 'Forbidden' } } }) },
  { kind: 'edge-sessid', reply: (id: unknown) => JSON.stringify({ jsonrpc: '2.0', id, result: { sessid: 'S1' } }) },
  { kind: 'edge-punt', reply: () => JSON.stringify({ jsonrpc: '2.0', id: 4_242, method: 'telnyx_rtc.punt', params: {} }) },
  { kind: 'edge-empty', reply: () => '' },
];

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
  let reconnected = false;
  client.on('stateChanged', ({ to }) => {
    if (to === 'reconnecting') reconnected = true;
  });
  sawReconnecting.set(client, () => reconnected);
  return { client, errors };
}

/** Whether a client went through `reconnecting` since it was made. */
const sawReconnecting = new WeakMap<VoiceClient, () => boolean>();

async function until(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return true;
}

/**
 * What a push case must leave: a punt makes the SDK drop the session for good (serverDisconnect,
 * no reconnect), so the client ends `disconnected` with NETWORK_UNREACHABLE; anything else is
 * survived.
 */
const pushOracle = (generated: PushCase) => (generated.frames.some((f) => f.includes('"method":"telnyx_rtc.punt"')) ? 'ended:NETWORK_UNREACHABLE' : 'alive');

describe('fuzz: Telnyx Verto frames', () => {
  it('generated login replies (fixed corpus, fresh seed, edge cases) each end connect() in the ONE outcome the reply calls for, within the bound', async () => {
    const watch = watchProcessFaults();
    const outcomes: string[] = [];
    const failures: string[] = [];
    const expectedByLogin = new Map<string, string>();
    const byLogin = new Map<string, LoginCase>();
    emulator.setLoginReply(({ id, params }) => {
      const generated = byLogin.get(String(params.login));
      if (!generated) return undefined;
      const text = generated.reply(id);
      expectedByLogin.set(String(params.login), loginOracle(text, id as string));
      return text;
    });
    const batches: Array<{ name: string; cases: LoginCase[] }> = [
      ...LOGIN_CORPORA.map((c) => ({ name: corpusName(c), cases: fc.sample(loginCase, { seed: c.seed, numRuns: c.runs }) })),
      { name: 'edge cases', cases: EDGE_LOGIN_REPLIES },
    ];
    try {
      for (const { name, cases } of batches) {
        for (let start = 0; start < cases.length; start += BATCH) {
          await Promise.all(
            cases.slice(start, start + BATCH).map(async (generated, offset) => {
              const login = takeLogin();
              byLogin.set(login, generated);
              const expected = loginOracle(generated.reply(PLACEHOLDER_ID), PLACEHOLDER_ID);
              const bound = expected === 'TIMEOUT' ? CONNECT_BOUND_MS : ANSWERED_BOUND_MS;
              const { client, errors } = await telnyxClient(login, bound);
              const result = await connectOutcome(client);
              await client.disconnect();
              outcomes.push(result.outcome);
              // The oracle again, on the frame as sent (with the login's real id): it must agree.
              const asSent = expectedByLogin.get(login) ?? (expected === 'TIMEOUT' ? 'TIMEOUT' : 'the login was never sent');
              const problems = [
                asSent !== expected && `the reply as sent calls for ${asSent}`,
                result.outcome !== expected && `ended ${result.outcome} (${result.error?.message ?? ''}), expected ${expected}`,
                result.ms > bound + SLACK_MS && `took ${Math.round(result.ms)} ms`,
                client.state !== 'disconnected' && `left in ${client.state}`,
                errors.some((e) => !(e instanceof VoiceError)) && 'a raw error event',
              ].filter(Boolean);
              if (problems.length > 0) failures.push(`${name}, case ${start + offset} ${generated.kind}: ${problems.join('; ')}`);
            }),
          );
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 300));
    } finally {
      watch.stop();
      emulator.setLoginReply(undefined);
    }
    console.info(`fuzz telnyx login reply: ${outcomes.length} cases run (${batches.map((b) => b.name).join('; ')}); outcomes ${JSON.stringify(tally(outcomes))}`);
    expect(failures, `failures (${batches.map((b) => b.name).join('; ')})`).toEqual([]);
    expect(watch.faults).toEqual([]);
    expect(outcomes).toHaveLength(batches.reduce((n, b) => n + b.cases.length, 0));
  }, 240_000);

  it('generated pushes into a live session (fixed corpus, fresh seed): each session ends alive, recovered, or ended with a VoiceError, as the frames call for', async () => {
    const watch = watchProcessFaults();
    const outcomes: string[] = [];
    const failures: string[] = [];
    try {
      for (const corpus of PUSH_CORPORA) {
        const cases = fc.sample(pushCase, { seed: corpus.seed, numRuns: corpus.runs });
        for (let start = 0; start < cases.length; start += BATCH) {
          // The whole batch is connected before any case's frames go out: the SDK's logger is
          // module-wide, so a non-JSON frame pushed to one session while another is still logging
          // in would be read as that other login's reply (see "Noticed" in the telnyx session).
          const batch = cases.slice(start, start + BATCH);
          const sessions = await Promise.all(
            batch.map(async () => {
              const login = takeLogin();
              // The login here is setup, not the subject: a batch of huge frames may slow it down.
              const { client, errors } = await telnyxClient(login, 15_000);
              await client.connect();
              return { login, client, errors };
            }),
          );
          await Promise.all(
            batch.map(async (generated, offset) => {
              const { login, client, errors } = sessions[offset]!;
              const errorsBefore = errors.length;
              for (const frame of generated.frames) emulator.pushRaw(frame, login);
              await new Promise((resolve) => setTimeout(resolve, 150));
              // Alive means the SDK still reads and answers: a clientReady push draws a gatewayState request.
              // (By identity: the emulator's frame log is a bounded window, its indices shift.)
              const gatewayStates = () => emulator.frames.filter((f) => f.dir === 'in' && f.login === login && (f.msg as { method?: string })?.method === 'telnyx_rtc.gatewayState');
              const answers = async () => {
                const seenBefore = new Set(gatewayStates());
                emulator.pushRaw(JSON.stringify({ jsonrpc: '2.0', id: 700_000 + outcomes.length + offset, method: 'telnyx_rtc.clientReady', params: { reattached_sessions: [] } }), login);
                return until(() => gatewayStates().some((f) => !seenBefore.has(f)), 1_500);
              };
              // A barrier first: the SDK reads frames in order, so once it answers a probe sent after
              // the case's frames it has handled them all (on a loaded machine 150 ms may not do).
              await answers();
              const outcome = await settledSession(client, errors, errorsBefore, answers, sawReconnecting.get(client) ?? (() => false));
              outcomes.push(outcome);
              const expected = pushOracle(generated);
              const problems = [
                outcome !== expected && `ended ${outcome}, expected ${expected}`,
                errors.some((e) => !(e instanceof VoiceError)) && 'a raw error event',
              ].filter(Boolean);
              if (problems.length > 0) failures.push(`${corpusName(corpus)}, case ${start + offset} ${generated.kind}: ${problems.join('; ')}`);
              await client.disconnect();
              expect(client.state).toBe('disconnected');
            }),
          );
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 300));
    } finally {
      watch.stop();
    }
    // @telnyx/webrtc 2.27.10 rejects a signalling request still pending when its socket goes (a
    // punt, a disconnect) with StaleRequestError, on a promise only the SDK holds: an unhandled
    // rejection out of the SDK, seen now and then on a loaded machine. Counted and printed, not
    // hidden: it is the SDK's, and reported as such.
    const staleInSdk = watch.faults.filter((f) => f.startsWith('unhandledRejection: StaleRequestError: Stale request cancelled'));
    console.info(`fuzz telnyx pushes: ${outcomes.length} cases run (${PUSH_CORPORA.map(corpusName).join('; ')}); outcomes ${JSON.stringify(tally(outcomes))}; SDK StaleRequestError rejections ${staleInSdk.length}`);
    expect(failures, `failures (${PUSH_CORPORA.map(corpusName).join('; ')})`).toEqual([]);
    expect(watch.faults.filter((f) => !staleInSdk.includes(f))).toEqual([]);
    expect(outcomes).toHaveLength(PUSH_CORPORA.reduce((n, c) => n + c.runs, 0));
  }, 240_000);
});
