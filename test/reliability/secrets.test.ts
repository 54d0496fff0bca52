// Every failing scenario of every provider, run with recognisable secrets (SECRET-<provider>-…),
// and everything polyphone hands back scanned for them: errors (message, stack, toJSON, cause),
// events, traces, logger entries and the console. All four providers run in Node: sipjs and
// cognigy (signalling only) on the real Kamailio, telnyx and sendbird on their real SDKs with the
// labs' Node shims and emulators. Zero hits allowed, in any encoding scanForSecrets knows.
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { WebSocketServer } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVoiceClient, VoiceError, type VoiceClient } from '../../src/all.js';
import { DOMAIN, startKamailio } from '../../lab/kamailio/index.mjs';
import { startCognigyBackend } from '../../lab/cognigy/index.mjs';
import { startTelnyxEmulator } from '../../lab/telnyx/index.mjs';
import { installTelnyxNodeShims } from '../../lab/telnyx/node-shims.mjs';
import { startSendbirdEmulator } from '../../lab/sendbird/index.mjs';
import { installSendbirdNodeShims } from '../../lab/sendbird/node-shims.mjs';
import { scanForSecrets } from '../support/secrets.js';
import { unusedLoopbackPort } from '../../lab/ports.mjs';

const secret = (provider: string, what: string) => `SECRET-${provider}-${what}-${randomBytes(9).toString('base64url')}`;

const SIP_PASSWORD = secret('sipjs', 'pw');
const SIP_WRONG = secret('sipjs', 'wrong');
const SIP_ECHOED = secret('sipjs', 'echoed');
const COGNIGY_PASSWORD = secret('cognigy', 'sip-pw');
const TELNYX_PASSWORD = secret('telnyx', 'pw');
const TELNYX_WRONG = secret('telnyx', 'wrong');
const SENDBIRD_TOKEN = secret('sendbird', 'token');
const SENDBIRD_WRONG = secret('sendbird', 'wrong');
const secrets: string[] = [SIP_PASSWORD, SIP_WRONG, SIP_ECHOED, COGNIGY_PASSWORD, TELNYX_PASSWORD, TELNYX_WRONG, SENDBIRD_TOKEN, SENDBIRD_WRONG];

let kamailio: Awaited<ReturnType<typeof startKamailio>>;
let cognigy: Awaited<ReturnType<typeof startCognigyBackend>>;
let telnyx: Awaited<ReturnType<typeof startTelnyxEmulator>>;
let sendbird: Awaited<ReturnType<typeof startSendbirdEmulator>>;
let closedPort: number;
let silentServer: net.Server;
let silentPort: number;
let echoServer: WebSocketServer;
let echoUrl: string;
const restores: Array<() => void> = [];

beforeAll(async () => {
  // Sendbird's shims first: they make window the global object; Telnyx's then add only what is missing.
  restores.push(installSendbirdNodeShims(), installTelnyxNodeShims());
  // Telnyx's document shim is the first `document` sendbird-calls sees; it asks it for focus.
  (globalThis as unknown as { document: Record<string, unknown> }).document.hasFocus ??= () => true;
  kamailio = await startKamailio({ users: { alice: SIP_PASSWORD, 'cognigy-0': COGNIGY_PASSWORD } });
  cognigy = await startCognigyBackend({ kamailio, digestUser: 'cognigy-0', slowDelayMs: 5_000 });
  telnyx = await startTelnyxEmulator({ users: { alice: TELNYX_PASSWORD } });
  sendbird = await startSendbirdEmulator({ users: { alice: SENDBIRD_TOKEN } });
  closedPort = await unusedLoopbackPort();
  // Accepts TCP and never says a word: every handshake waits until its bound.
  const held = new Set<net.Socket>();
  silentServer = net.createServer((socket) => {
    held.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => held.delete(socket));
  });
  silentServer.on('close', () => held.forEach((s) => s.destroy()));
  await new Promise<void>((resolve) => silentServer.listen(0, '127.0.0.1', () => resolve()));
  silentPort = (silentServer.address() as net.AddressInfo).port;
  // A SIP registrar that refuses every REGISTER with the password in its reason phrase, as a
  // careless server may: the one path here where a secret reaches polyphone's own text (the
  // error's cause), so redaction is what keeps it out.
  echoServer = new WebSocketServer({ host: '127.0.0.1', port: 0, handleProtocols: () => 'sip' });
  echoServer.on('connection', (socket) =>
    socket.on('message', (data) => {
      const request = String(data);
      if (!request.startsWith('REGISTER ')) return;
      const header = (name: string) => request.split('\r\n').find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`)) ?? '';
      const to = header('To');
      socket.send([`SIP/2.0 403 Forbidden (password ${SIP_ECHOED})`, header('Via'), header('From'), to.includes('tag=') ? to : `${to};tag=echo`, header('Call-ID'), header('CSeq'), 'Content-Length: 0', '', ''].join('\r\n'));
    }),
  );
  await new Promise<void>((resolve) => echoServer.on('listening', () => resolve()));
  echoUrl = `ws://127.0.0.1:${(echoServer.address() as net.AddressInfo).port}`;
  (silentServer as unknown as { held: Set<net.Socket> }).held = held;
});
afterAll(async () => {
  for (const socket of (silentServer as unknown as { held?: Set<net.Socket> })?.held ?? []) socket.destroy();
  await new Promise((resolve) => silentServer?.close(resolve));
  for (const socket of echoServer?.clients ?? []) socket.terminate();
  await new Promise((resolve) => echoServer?.close(resolve));
  await sendbird?.stop();
  await telnyx?.stop();
  await cognigy?.stop();
  await kamailio?.stop();
  for (const restore of restores.reverse()) restore();
});

const CLIENT_EVENTS = ['stateChanged', 'registered', 'unregistered', 'incomingCall', 'tokenWillExpire', 'tokenRefreshed', 'providerChanged', 'error'] as const;

/** Everything one scenario's client let out, and what it ended in. */
interface Seen {
  scenario: string;
  outcomes: string[];
  errors: unknown[];
  events: unknown[];
  logs: unknown[];
  trace: unknown;
}

async function scenario(name: string, config: Record<string, unknown>, steps: (client: VoiceClient, seen: Seen) => Promise<void>): Promise<Seen> {
  const seen: Seen = { scenario: name, outcomes: [], errors: [], events: [], logs: [], trace: undefined };
  const client = await createVoiceClient({ ...config, logger: (entry: unknown) => seen.logs.push(entry) } as never);
  for (const type of CLIENT_EVENTS) client.on(type, (event) => seen.events.push({ type, event }));
  try {
    await steps(client, seen);
  } finally {
    await client.disconnect().catch((e: unknown) => seen.errors.push(e));
    seen.trace = client.trace();
  }
  return seen;
}

/** Runs an operation that must fail, keeping its error in every form an app could print. */
async function fails(seen: Seen, operation: Promise<unknown>): Promise<void> {
  try {
    await operation;
    seen.outcomes.push('ok');
  } catch (error) {
    seen.outcomes.push(error instanceof VoiceError ? error.code : `RAW:${(error as Error)?.name}`);
    seen.errors.push(error, error instanceof VoiceError ? error.toJSON() : undefined, String(error), (error as Error)?.stack);
  }
}

/** What the main scan looked at, for the planted-leak control. */
let scanned: { scenarios: Seen[]; console: string[] } | undefined;

const echoingSip = () => ({ provider: 'sipjs', server: echoUrl, uri: `sip:alice@${DOMAIN}`, credentials: { type: 'password', password: SIP_ECHOED }, timeouts: { connectMs: 1_500 } });

describe('secrets', () => {
  it('no failing scenario of any provider lets a secret out through errors, events, traces, logs or the console', async () => {
    const consoleLines: string[] = [];
    const methods = ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const;
    const originals = methods.map((m) => console[m]);
    methods.forEach((m) => (console[m] = (...args: unknown[]) => void consoleLines.push(args.map((a) => (typeof a === 'string' ? a : (() => { try { return JSON.stringify(a); } catch { return String(a); } })())).join(' '))));
    const all: Seen[] = [];
    try {
      console.warn('console capture canary');
      expect(consoleLines).toEqual(['console capture canary']);
      consoleLines.length = 0;
      const sip = (password: string, server = kamailio.wsUrl) => ({ provider: 'sipjs', server, uri: `sip:alice@${DOMAIN}`, credentials: { type: 'password', password }, timeouts: { connectMs: 1_500 } });
      all.push(await scenario('sipjs wrong password', sip(SIP_WRONG), async (c, s) => fails(s, c.connect())));
      all.push(await scenario('sipjs server echoing the password', echoingSip(), async (c, s) => fails(s, c.connect())));
      all.push(await scenario('sipjs unreachable', sip(SIP_PASSWORD, `ws://127.0.0.1:${closedPort}`), async (c, s) => fails(s, c.connect())));
      all.push(await scenario('sipjs timeout', sip(SIP_PASSWORD, `ws://127.0.0.1:${silentPort}`), async (c, s) => fails(s, c.connect())));
      all.push(
        await scenario('sipjs refused refresh', sip(SIP_PASSWORD), async (c, s) => {
          await c.connect();
          await fails(s, c.refreshToken({ type: 'password', password: SIP_WRONG }));
        }),
      );

      const cg = (mode: Parameters<typeof cognigy.url>[0], extra: Record<string, unknown> = {}) => ({ provider: 'cognigy', server: cognigy.url(mode), signalingOnly: true, timeouts: { connectMs: 2_000 }, ...extra });
      for (const mode of ['bad-credentials', 'widget-inactive', 'widget-absent', 'malformed', 'missing-fields', 'sip-unreachable', 'sip-blackhole', 'unauthorized', 'error500', 'slow'] as const) {
        all.push(await scenario(`cognigy ${mode}`, cg(mode), async (c, s) => fails(s, c.connect())));
      }
      cognigy.setCustomReply(({ validConfig }) => ({ body: JSON.stringify(validConfig).slice(0, -20) }));
      all.push(await scenario('cognigy truncated reply holding the password', cg('custom'), async (c, s) => fails(s, c.connect())));
      cognigy.setCustomReply(({ validConfig }) => {
        const sip = validConfig.endpointSettings.sipConnectivityInfo;
        sip.wsUri = `ws://127.0.0.1:${closedPort}/${COGNIGY_PASSWORD}`;
        sip.realm = { password: COGNIGY_PASSWORD };
        validConfig.endpointSettings.webrtcWidgetConfig.active = 'yes';
        return { body: JSON.stringify(validConfig) };
      });
      all.push(await scenario('cognigy wrong-typed reply holding the password', cg('custom'), async (c, s) => fails(s, c.connect())));
      cognigy.setCustomReply(({ validConfig }) => {
        validConfig.endpointSettings.sipConnectivityInfo.wsUri = `ws://127.0.0.1:${closedPort}/${COGNIGY_PASSWORD}`;
        return { body: JSON.stringify(validConfig) };
      });
      all.push(await scenario('cognigy unreachable wsUri holding the password', cg('custom'), async (c, s) => fails(s, c.connect())));
      cognigy.setCustomReply(({ validConfig }) => ({ contentType: 'text/html', body: `<p>${JSON.stringify(validConfig)}</p>` }));
      all.push(await scenario('cognigy reply of the wrong content type holding the password', cg('custom'), async (c, s) => fails(s, c.connect())));
      // A config whose password is empty is no config: refused by the schema, before any REGISTER.
      cognigy.setCustomReply(({ validConfig }) => {
        validConfig.endpointSettings.sipConnectivityInfo.password = '';
        return { body: JSON.stringify(validConfig) };
      });
      all.push(await scenario('cognigy reply with an empty password', cg('custom'), async (c, s) => fails(s, c.connect())));
      all.push(
        await scenario('cognigy refused refresh', cg('live'), async (c, s) => {
          cognigy.setLiveMode('ok');
          await c.connect();
          for (const mode of ['bad-credentials', 'widget-inactive', 'malformed', 'runtime'] as const) {
            cognigy.setLiveMode(mode);
            await fails(s, c.refreshToken());
          }
          cognigy.setLiveMode('ok');
        }),
      );

      const tx = (credentials: Record<string, unknown>, server = telnyx.url) => ({ provider: 'telnyx', server, iceServers: [], reconnectAttempts: 1, timeouts: { connectMs: 2_000 }, credentials });
      const expired = telnyx.issueJwt('alice', { expiresInSec: -60 });
      const forged = telnyx.issueJwt('alice').replace(/\.[^.]+$/, '.Zm9yZ2VkLXNpZ25hdHVyZQ');
      const valid = telnyx.issueJwt('alice');
      secrets.push(expired, forged, valid);
      all.push(await scenario('telnyx wrong password', tx({ type: 'password', login: 'alice', password: TELNYX_WRONG }), async (c, s) => fails(s, c.connect())));
      all.push(await scenario('telnyx expired token', tx({ type: 'jwt', token: expired }), async (c, s) => fails(s, c.connect())));
      all.push(await scenario('telnyx forged token', tx({ type: 'jwt', token: forged }), async (c, s) => fails(s, c.connect())));
      all.push(await scenario('telnyx unreachable', tx({ type: 'password', login: 'alice', password: TELNYX_PASSWORD }, `ws://127.0.0.1:${closedPort}`), async (c, s) => fails(s, c.connect())));
      for (const fault of ['neverReply', 'malformedReply', 'gatewayFailed'] as const) {
        all.push(
          await scenario(`telnyx ${fault}`, tx({ type: 'password', login: 'alice', password: TELNYX_PASSWORD }), async (c, s) => {
            telnyx.faults[fault] = true;
            try {
              await fails(s, c.connect());
            } finally {
              telnyx.faults[fault] = false;
            }
          }),
        );
      }
      all.push(
        await scenario('telnyx refused refresh', tx({ type: 'jwt', token: valid }), async (c, s) => {
          await c.connect();
          await fails(s, c.refreshToken({ type: 'jwt', token: forged }));
        }),
      );

      const sb = (accessToken: string, extra: Record<string, unknown> = {}) => ({
        provider: 'sendbird',
        server: sendbird.appId,
        apiHost: sendbird.apiHost,
        wsHost: sendbird.wsHost,
        timeouts: { connectMs: 2_000 },
        credentials: { type: 'accessToken', userId: 'alice', accessToken },
        ...extra,
      });
      const lapsed = sendbird.issueToken('alice', { expiresInSec: 0 });
      secrets.push(lapsed);
      all.push(await scenario('sendbird wrong token', sb(SENDBIRD_WRONG), async (c, s) => fails(s, c.connect())));
      all.push(await scenario('sendbird expired token', sb(lapsed), async (c, s) => fails(s, c.connect())));
      all.push(await scenario('sendbird unreachable', { ...sb(SENDBIRD_TOKEN), apiHost: `http://127.0.0.1:${closedPort}`, wsHost: `ws://127.0.0.1:${closedPort}` }, async (c, s) => fails(s, c.connect())));
      for (const fault of ['malformedLogin', 'loginWithoutUser', 'refuseSockets', 'slowLoginMs'] as const) {
        all.push(
          await scenario(`sendbird ${fault}`, sb(SENDBIRD_TOKEN), async (c, s) => {
            (sendbird.faults as Record<string, unknown>)[fault] = fault === 'slowLoginMs' ? 5_000 : true;
            try {
              await fails(s, c.connect());
            } finally {
              (sendbird.faults as Record<string, unknown>)[fault] = fault === 'slowLoginMs' ? 0 : false;
            }
          }),
        );
      }
      all.push(
        await scenario('sendbird refused refresh', sb(SENDBIRD_TOKEN), async (c, s) => {
          await c.connect();
          await fails(s, c.refreshToken({ type: 'accessToken', userId: 'alice', accessToken: SENDBIRD_WRONG }));
          await fails(s, c.refreshToken({ type: 'accessToken', userId: 'alice', accessToken: lapsed }));
        }),
      );
      // Let late SDK logs (retries, socket closes) reach the console before it is read.
      await new Promise((resolve) => setTimeout(resolve, 500));
    } finally {
      methods.forEach((m, i) => (console[m] = originals[i]!));
    }

    const summary = all.map((s) => `${s.scenario}: ${s.outcomes.join(',')}`);
    console.info(`secrets: ${all.length} failing scenarios, ${all.reduce((n, s) => n + s.errors.length + s.events.length + s.logs.length, 0)} errors/events/log entries and ${consoleLines.length} console lines scanned\n  ${summary.join('\n  ')}`);
    // Each scenario failed the way it was built to, with a VoiceError, never with a raw error.
    for (const s of all) {
      expect(s.outcomes.length, s.scenario).toBeGreaterThan(0);
      for (const outcome of s.outcomes) expect(outcome, s.scenario).toMatch(/^[A-Z_]+$/);
      expect(s.outcomes, s.scenario).not.toContain('ok');
    }
    // Where the failure has one right code in every environment, it is that code.
    const outcomeOf = (name: string) => all.find((s) => s.scenario === name)?.outcomes;
    expect(outcomeOf('sendbird unreachable')).toEqual(['NETWORK_UNREACHABLE']);
    expect(outcomeOf('sendbird wrong token')).toEqual(['AUTH_REJECTED']);
    expect(outcomeOf('sendbird expired token')).toEqual(['TOKEN_EXPIRED']);
    expect(outcomeOf('cognigy reply with an empty password')).toEqual(['PROTOCOL_ERROR']);
    // The secrets were really in play: the servers saw them (else a clean scan would prove nothing).
    expect(telnyx.stats.rejectedLogins.length).toBeGreaterThan(0);
    expect(sendbird.stats.logins.some((l) => !l.ok)).toBe(true);
    // The echoing server's refusal reached polyphone (else its masked cause would prove nothing).
    const echoed = all.find((s) => s.scenario === 'sipjs server echoing the password')!;
    expect(echoed.outcomes).toEqual(['AUTH_REJECTED']);
    expect(JSON.stringify((echoed.errors[1] as { cause?: unknown })?.cause)).toContain('[redacted]');
    const findings = scanForSecrets({ scenarios: all, console: consoleLines }, secrets);
    expect(findings.map((f) => `${f.path} holds secret #${f.secretIndex}`)).toEqual([]);
    scanned = { scenarios: all, console: consoleLines };
  }, 120_000);

  // Positive controls: the scan above must be able to fail.
  it('control: a secret planted in what was scanned (verbatim, URL- or base64-encoded) is found', () => {
    expect(scanned, 'the scan above ran').toBeDefined();
    const planted = SIP_PASSWORD;
    for (const [form, text] of [
      ['verbatim', `login failed for ${planted}`],
      ['url', `ws://host/?pw=${encodeURIComponent(planted)}`],
      ['base64', `Authorization: Basic ${Buffer.from(planted).toString('base64')}`],
    ] as const) {
      const leaky = { ...scanned!, planted: [{ error: { message: text } }] };
      expect(scanForSecrets(leaky, secrets).map((f) => f.path), form).toEqual(['.planted[0].error.message']);
    }
  });

  it('control: with redaction switched off (test hook), the echoing server\'s password is found', async () => {
    const hook = Symbol.for('polyphone.test.redactionOff');
    (globalThis as Record<symbol, unknown>)[hook] = true;
    let seen: Seen;
    try {
      seen = await scenario('sipjs server echoing the password, redaction off', echoingSip(), async (c, s) => fails(s, c.connect()));
    } finally {
      delete (globalThis as Record<symbol, unknown>)[hook];
    }
    expect(seen.outcomes).toEqual(['AUTH_REJECTED']);
    expect(scanForSecrets(seen, secrets).length, 'places the echoed password shows with redaction off').toBeGreaterThan(0);
  });
});
