// Fuzzes the Cognigy endpoint's reply: the lab backend's `custom` mode serves each generated body
// (random bytes, truncated JSON, other JSON, wrong-typed fields, oversized fields, well-formed
// configs with bad values) to the real provider (Node, signalling only; JsSIP against the real
// Kamailio when a config gets that far). Every case must end in a VoiceError of the code its
// fault calls for, within the connect bound, with nothing unhandled.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVoiceClient, VoiceError } from '../../src/all.js';
import { startKamailio } from '../../lab/kamailio/index.mjs';
import { cognigyUsers, startCognigyBackend } from '../../lab/cognigy/index.mjs';
import { FUZZ_SEED, connectOutcome, fuzzRuns, tally, watchProcessFaults } from './fuzz-support.js';
import { unusedLoopbackPort } from '../../lab/ports.mjs';

type Kamailio = Awaited<ReturnType<typeof startKamailio>>;
type Backend = Awaited<ReturnType<typeof startCognigyBackend>>;
type Config = Record<string, unknown>;

const CONNECT_BOUND_MS = 3_000;
// Beyond the bound: the core's timer fires, then disconnect() tears JsSIP down.
const SLACK_MS = 1_000;

let kamailio: Kamailio;
let backend: Backend;
let closedPort: number;

beforeAll(async () => {
  kamailio = await startKamailio({ users: cognigyUsers(2) });
  backend = await startCognigyBackend({ kamailio });
  // A port that was free a moment ago: a WebSocket to it is refused.
  closedPort = await unusedLoopbackPort();
});
afterAll(async () => {
  await backend?.stop();
  await kamailio?.stop();
});

/** One generated reply: how to build it from a valid config, and which codes it may end in. */
interface FuzzCase {
  kind: string;
  status: number;
  body(valid: Config): string | Uint8Array;
  expected: readonly string[];
}

const PROTOCOL = ['PROTOCOL_ERROR'] as const;
const STRING_FIELDS = ['applicationId', 'websocketUri', 'sipUri', 'username', 'password'] as const;

const wrongForString = fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.string(), { maxLength: 3 }), fc.dictionary(fc.string(), fc.string(), { maxKeys: 3 }), fc.constant(''));
const wrongTyped: Record<string, fc.Arbitrary<unknown>> = {
  ...Object.fromEntries(STRING_FIELDS.map((field) => [field, wrongForString])),
  widgetActive: fc.oneof(fc.string(), fc.integer(), fc.constant(null), fc.constant('true'), fc.array(fc.boolean(), { maxLength: 2 })),
  expiresAt: fc.oneof(fc.string(), fc.boolean(), fc.constant(null), fc.double({ noInteger: true, noNaN: true }), fc.integer({ max: -1 })),
  iceServers: fc.oneof(fc.string(), fc.integer(), fc.dictionary(fc.string(), fc.string()), fc.array(fc.oneof(fc.integer(), fc.string(), fc.constant({ urls: 5 }), fc.constant({ urls: [] })), { minLength: 1, maxLength: 3 })),
};

const withField = (valid: Config, field: string, value: unknown): Config => ({ ...valid, [field]: value });
const json = (value: unknown) => JSON.stringify(value);

const fuzzCase: fc.Arbitrary<FuzzCase> = fc.oneof(
  // Not JSON at all.
  fc.uint8Array({ maxLength: 4_096 }).map((bytes) => ({ kind: 'random-bytes', status: 200, body: () => bytes, expected: PROTOCOL })),
  // A valid reply cut short (a proxy that dropped the connection mid-body).
  fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }).map((at) => ({
    kind: 'truncated',
    status: 200,
    body: (valid: Config) => {
      const text = json(valid);
      return text.slice(0, Math.floor(at * text.length));
    },
    expected: PROTOCOL,
  })),
  // Any other JSON: arrays, numbers, strings, objects without the fields.
  fc.json({ maxDepth: 3 }).map((text) => ({ kind: 'other-json', status: 200, body: () => text, expected: PROTOCOL })),
  // One to three fields of the wrong type, or missing.
  fc
    .uniqueArray(fc.constantFrom(...Object.keys(wrongTyped)), { minLength: 1, maxLength: 3 })
    .chain((fields) => fc.tuple(fc.constant(fields), fc.tuple(...fields.map((f) => fc.option(wrongTyped[f]!, { nil: undefined, freq: 4 })))))
    .map(([fields, values]) => ({
      kind: 'wrong-type',
      status: 200,
      body: (valid: Config) => {
        const config = { ...valid };
        // `undefined` drops the field: missing required fields are the same fault. expiresAt and
        // iceServers are optional, so dropping one leaves a valid config: give it null instead.
        fields.forEach((field, i) => (config[field] = values[i] === undefined && (field === 'expiresAt' || field === 'iceServers') ? null : values[i]));
        return json(config);
      },
      expected: PROTOCOL,
    })),
  // Oversized fields. A huge password, user or SIP URI is still well-formed: JsSIP refuses it, or
  // Kamailio does (403), or Kamailio drops a REGISTER over its size limit together with the socket
  // (NETWORK_UNREACHABLE, as for any SIP server that hangs up); a huge ICE server list or
  // application id is harmless and the client connects.
  fc.record({ field: fc.constantFrom('password', 'username', 'sipUri', 'applicationId', 'iceServers', 'websocketUri'), size: fc.integer({ min: 10_000, max: 300_000 }) }).map(({ field, size }) => ({
    kind: `oversized-${field}`,
    status: 200,
    body: (valid: Config) => {
      const filler = 'x'.repeat(size);
      if (field === 'iceServers') return json(withField(valid, field, Array.from({ length: Math.floor(size / 100) }, (_, i) => ({ urls: `stun:127.0.0.1:${(i % 60_000) + 1}` }))));
      if (field === 'sipUri') return json(withField(valid, field, `sip:${filler}@${kamailio.domain}`));
      if (field === 'websocketUri') return json(withField(valid, field, `${String(valid.websocketUri)}/${filler}`));
      return json(withField(valid, field, filler));
    },
    expected: field === 'iceServers' || field === 'applicationId' ? ['connected'] : field === 'websocketUri' ? ['connected', 'NETWORK_UNREACHABLE', 'PROTOCOL_ERROR'] : ['AUTH_REJECTED', 'PROTOCOL_ERROR', 'NETWORK_UNREACHABLE'],
  })),
  // Well-formed, plausible values that are wrong: the fault surfaces where it bites.
  fc.oneof(
    fc.string({ minLength: 1, maxLength: 40 }).map((password) => ({ kind: 'bad-password', status: 200, body: (v: Config) => json(withField(v, 'password', `${password}-wrong`)), expected: ['AUTH_REJECTED'] })),
    fc.stringMatching(/^[a-z0-9]{1,20}$/).map((user) => ({
      kind: 'unknown-user',
      status: 200,
      body: (v: Config) => json({ ...v, username: `nobody-${user}`, sipUri: `sip:nobody-${user}@${kamailio.domain}` }),
      expected: ['AUTH_REJECTED'],
    })),
    fc.string({ minLength: 1, maxLength: 30 }).map((junk) => ({
      kind: 'odd-sip-uri',
      status: 200,
      // Matches the schema's shape but may hold characters JsSIP will not parse.
      body: (v: Config) => json(withField(v, 'sipUri', `sip:${junk.replace(/[@\s]/g, '_')}@${kamailio.domain}`)),
      expected: ['AUTH_REJECTED', 'PROTOCOL_ERROR'],
    })),
    fc.constantFrom('closed', 'http', 'wss').map((where) => ({
      kind: `websocket-${where}`,
      status: 200,
      body: (v: Config) =>
        json(
          withField(
            v,
            'websocketUri',
            where === 'closed' ? `ws://127.0.0.1:${closedPort}` : where === 'http' ? `ws://127.0.0.1:${backend.port}/endpoint/ok` : String(v.websocketUri).replace('ws://', 'wss://'),
          ),
        ),
      // wss:// to Kamailio's plain port: its TLS hello gets no answer at all, so the bound ends it.
      expected: where === 'wss' ? ['TIMEOUT'] : ['NETWORK_UNREACHABLE'],
    })),
    fc.constant({ kind: 'widget-off', status: 200, body: (v: Config) => json(withField(v, 'widgetActive', false)), expected: ['WIDGET_INACTIVE'] }),
  ),
  // Other statuses with any body: 401/403 are a refusal, anything else non-2xx an unreachable endpoint.
  fc.record({ status: fc.constantFrom(201, 204, 400, 401, 403, 404, 429, 500, 502, 503), text: fc.string({ maxLength: 200 }) }).map(({ status, text }) => ({
    kind: `status-${status}`,
    status,
    body: () => text,
    expected: status === 401 || status === 403 ? ['AUTH_REJECTED'] : status < 300 ? PROTOCOL : ['NETWORK_UNREACHABLE'],
  })),
);

describe('fuzz: the Cognigy endpoint reply', () => {
  it(`${fuzzRuns()} generated replies (seed ${FUZZ_SEED}) each end in the VoiceError their fault calls for`, async () => {
    const watch = watchProcessFaults();
    const outcomes: string[] = [];
    const kinds: string[] = [];
    try {
      await fc.assert(
        fc.asyncProperty(fuzzCase, async (generated) => {
          backend.setCustomReply(({ validConfig }) => ({ status: generated.status, body: generated.body(validConfig) }));
          const client = await createVoiceClient({ provider: 'cognigy', server: backend.url('custom'), signalingOnly: true, timeouts: { connectMs: CONNECT_BOUND_MS } });
          const errorEvents: unknown[] = [];
          client.on('error', ({ error }) => errorEvents.push(error));
          const result = await connectOutcome(client);
          await client.disconnect();
          outcomes.push(result.outcome);
          kinds.push(generated.kind);
          expect(generated.expected, `${generated.kind}: ended ${result.outcome} (${result.error?.message ?? ''})`).toContain(result.outcome);
          expect(result.ms).toBeLessThan(CONNECT_BOUND_MS + SLACK_MS);
          if (result.outcome !== 'connected') expect(client.state).toBe('disconnected');
          for (const error of errorEvents) expect(error).toBeInstanceOf(VoiceError);
          expect(watch.faults).toEqual([]);
        }),
        { seed: FUZZ_SEED, numRuns: fuzzRuns() },
      );
      // Let anything the last cases left behind (a late socket error) surface before the verdict.
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(watch.faults).toEqual([]);
    } finally {
      watch.stop();
    }
    console.info(`fuzz cognigy: ${outcomes.length} cases run (seed ${FUZZ_SEED}); outcomes ${JSON.stringify(tally(outcomes))}; kinds ${JSON.stringify(tally(kinds))}`);
    expect(outcomes.length).toBeGreaterThanOrEqual(fuzzRuns());
  }, 120_000);
});
