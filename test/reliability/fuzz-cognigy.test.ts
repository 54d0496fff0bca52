// Fuzzes the Cognigy endpoint's reply in its real shape: the lab backend's `custom` mode serves each
// generated body (random bytes, truncated JSON, other JSON, wrong-typed, empty, missing or
// control-character fields, oversized fields and bodies, runtime replies, well-formed configs with
// bad values, wrong content types, other statuses) to the real provider (Node, signalling only; JsSIP against the real
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
  contentType?: string;
  body(valid: Config, runtime: Config): string | Uint8Array;
  expected: readonly string[];
}

const PROTOCOL = ['PROTOCOL_ERROR'] as const;
// The real reply's required paths (legacy), as Cognigy's SDK checks them.
const REQUIRED = [
  'organisationId',
  'projectId',
  'endpointSettings.sipConnectivityInfo.wsUri',
  'endpointSettings.sipConnectivityInfo.username',
  'endpointSettings.sipConnectivityInfo.password',
  'endpointSettings.sipConnectivityInfo.realm',
  'endpointSettings.sipConnectivityInfo.applicationSid',
] as const;
const WIDGET = 'endpointSettings.webrtcWidgetConfig.active';

/** A deep copy with the value at `path` replaced (`undefined` deletes it). */
function withPath(config: Config, path: string, value: unknown): Config {
  const copy = structuredClone(config);
  const keys = path.split('.');
  let node: Record<string, unknown> = copy;
  for (const key of keys.slice(0, -1)) {
    if (typeof node[key] !== 'object' || node[key] === null) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  if (value === undefined) delete node[keys.at(-1)!];
  else node[keys.at(-1)!] = value;
  return copy;
}
const json = (value: unknown) => JSON.stringify(value);
const get = (config: Config, path: string) => path.split('.').reduce((node: any, key) => node?.[key], config);

const wrongForString = fc.oneof(
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.dictionary(fc.string(), fc.string(), { maxKeys: 3 }),
  fc.constant(''),
  // Header injection and control characters: every value lands in a SIP URI or header.
  fc.constantFrom('a\r\nVia: SIP/2.0/WSS evil.invalid', 'a\nb', 'nul\u0000x', 'tab\tx'),
);
const wrongForWidget = fc.oneof(fc.string(), fc.integer(), fc.constant(null), fc.constant(undefined), fc.constant('true'), fc.constant(false), fc.array(fc.boolean(), { maxLength: 2 }));

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
  // One to three required fields (or the widget flag) of the wrong type, empty, or missing.
  fc
    .uniqueArray(fc.constantFrom(...REQUIRED, WIDGET), { minLength: 1, maxLength: 3 })
    .chain((paths) => fc.tuple(fc.constant(paths), fc.tuple(...paths.map((p) => (p === WIDGET ? wrongForWidget : wrongForString)))))
    .map(([paths, values]) => ({
      kind: paths.some((p) => p !== WIDGET) ? 'wrong-type' : 'widget-wrong',
      status: 200,
      body: (valid: Config) => json(paths.reduce((config, path, i) => withPath(config, path, values[i]), valid)),
      // A broken required field is refused first; the widget check follows a valid reply.
      expected: paths.some((p) => p !== WIDGET) ? PROTOCOL : ['WIDGET_INACTIVE'],
    })),
  // Oversized: past the body cap (refused before parsing), a required field past its length
  // bound, or an unknown field that a valid reply may carry (tolerated while under the cap).
  fc.record({ where: fc.constantFrom('organisationId', 'endpointSettings.sipConnectivityInfo.password', 'endpointSettings.sipConnectivityInfo.username', 'endpointSettings.sipConnectivityInfo.applicationSid', 'endpointSettings.theme'), size: fc.integer({ min: 2_000, max: 400_000 }) }).map(({ where, size }) => {
    const extra = where === 'endpointSettings.theme';
    return {
      kind: `oversized-${where.split('.').at(-1)}`,
      status: 200,
      body: (valid: Config) => json(withPath(valid, where, 'x'.repeat(size))),
      // ~1.5 KB of real reply around the filler; the cap is 256 KB.
      expected: extra ? (size < 250_000 ? ['connected'] : size > 262_144 ? PROTOCOL : ['connected', 'PROTOCOL_ERROR']) : PROTOCOL,
    };
  }),
  // A runtime reply: valid (connects without REGISTER), or with its endpoint id broken.
  fc.oneof(
    fc.constant({ kind: 'runtime', status: 200, body: (_v: Config, runtime: Config) => json(runtime), expected: ['connected'] }),
    wrongForString.map((value) => ({
      kind: 'runtime-bad-endpoint',
      status: 200,
      body: (_v: Config, runtime: Config) => json(withPath(runtime, 'endpointSettings.endpointId', value)),
      // Without a usable endpoint id the reply is a legacy one lacking its credentials.
      expected: PROTOCOL,
    })),
  ),
  // Well-formed, plausible values that are wrong: the fault surfaces where it bites.
  fc.oneof(
    fc.string({ minLength: 1, maxLength: 40 }).map((password) => ({
      kind: 'bad-password',
      status: 200,
      body: (v: Config) => json(withPath(v, 'endpointSettings.sipConnectivityInfo.password', `${password}-wrong`)),
      expected: ['AUTH_REJECTED'],
    })),
    fc.stringMatching(/^[a-z0-9]{1,20}$/).map((user) => ({
      kind: 'unknown-digest-user',
      status: 200,
      body: (v: Config) => json(withPath(v, 'endpointSettings.sipConnectivityInfo.username', `nobody-${user}`)),
      expected: ['AUTH_REJECTED'],
    })),
    fc.stringMatching(/^[a-z][a-z0-9-]{0,20}\.test$/).map((realm) => ({
      kind: 'other-realm',
      status: 200,
      body: (v: Config) => json(withPath(v, 'endpointSettings.sipConnectivityInfo.realm', realm)),
      // Not the gateway's realm: the AOR user must then equal the digest user, and it does not.
      expected: ['AUTH_REJECTED'],
    })),
    fc.constantFrom('closed', 'http', 'wss').map((where) => ({
      kind: `websocket-${where}`,
      status: 200,
      body: (v: Config) => {
        const wsUri = String(get(v, 'endpointSettings.sipConnectivityInfo.wsUri'));
        const next = where === 'closed' ? `ws://127.0.0.1:${closedPort}` : where === 'http' ? `ws://127.0.0.1:${backend.port}/endpoint/ok` : wsUri.replace('ws://', 'wss://');
        return json(withPath(v, 'endpointSettings.sipConnectivityInfo.wsUri', next));
      },
      // wss:// to Kamailio's plain port: its TLS hello gets no answer at all, so the bound ends it.
      expected: where === 'wss' ? ['TIMEOUT'] : ['NETWORK_UNREACHABLE'],
    })),
  ),
  // A valid body under another content type: not JSON as far as the client is concerned.
  fc.constantFrom('text/html', 'text/plain', 'application/octet-stream', 'application/jsonp', '').map((contentType) => ({
    kind: 'content-type',
    status: 200,
    contentType,
    body: (v: Config) => json(v),
    expected: PROTOCOL,
  })),
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
          backend.setCustomReply(({ validConfig, runtimeConfig }) => ({
            status: generated.status,
            ...(generated.contentType !== undefined ? { contentType: generated.contentType } : {}),
            body: generated.body(validConfig, runtimeConfig),
          }));
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
