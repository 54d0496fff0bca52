// Time to registered/connected in headless Chromium: polyphone's connect() against the raw vendor
// SDK doing the same steps, per provider, on one lab in one run. Samples alternate raw, polyphone,
// raw, polyphone… so that load from anything else on the machine falls on both alike.
//
//   node bench/connect.mjs [--samples 40] [--warmup 1] [--block 10] [--providers sipjs,cognigy,telnyx,sendbird]
//
// Each series has its own page (a fresh pair of pages every --block pairs, after --warmup
// uncounted pairs); every sample is a fresh client, disconnected afterwards. The ratio comes
// with a 95 % bootstrap interval. The clock
// starts just before connect() with the SDK already imported: polyphone's init() (which imports the
// SDK, and for Sendbird runs SendBirdCall.init) is excluded, and so are the raw SDK's import and,
// for Sendbird, its SendBirdCall.init, so both sides time the same network steps.
import { parseArgs } from 'node:util';
import { launchBrowser } from '../lab/browser/index.mjs';
import { PROVIDERS, startDemoLab } from '../demo/lab.mjs';

export const CONNECT_TARGET = 1.02;
// No sample may hang the run: a sample slower than this fails the bench.
const SAMPLE_TIMEOUT_MS = 20_000;

/** @param {number[]} values @param {number} q */
export function quantile(values, q) {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const above = Math.min(sorted.length - 1, below + 1);
  return sorted[below] + (sorted[above] - sorted[below]) * (position - below);
}

/** @param {number[]} values */
export const summarize = (values) => ({ n: values.length, median: quantile(values, 0.5), p90: quantile(values, 0.9), min: Math.min(...values) });

/**
 * polyphone ÷ raw of the medians, with a 95 % bootstrap interval: on a busy 2-core machine a few
 * percent is within noise, and the interval says when it is.
 * @param {number[]} raw @param {number[]} poly
 */
export function medianRatio(raw, poly, rounds = 2_000) {
  const resample = (values) => Array.from(values, () => values[Math.floor(Math.random() * values.length)]);
  const ratios = [];
  for (let i = 0; i < rounds; i++) ratios.push(quantile(resample(poly), 0.5) / quantile(resample(raw), 0.5));
  return { ratio: quantile(poly, 0.5) / quantile(raw, 0.5), low: quantile(ratios, 0.025), high: quantile(ratios, 0.975) };
}

/** yes / NO by the point estimate, and whether the interval still reaches across the target. */
export function verdict({ ratio, low, high }, target) {
  const met = ratio <= target;
  const sure = met ? high <= target : low > target;
  return { met, verdict: `${met ? 'yes' : 'NO'}${sure ? '' : ' (within noise)'}` };
}

/** What the raw side needs to reach the lab, per provider; read from the demo lab's presets. */
function rawSetup(lab, provider) {
  const preset = lab.presets.find((p) => p.id === `${provider}-caller`);
  if (!preset) throw new Error(`no ${provider}-caller preset in demo/lab.mjs`);
  const config = preset.config;
  switch (provider) {
    case 'sipjs':
      return { server: config.server, uri: config.uri, user: config.uri.slice(4).split('@')[0], password: config.credentials.password };
    case 'cognigy':
      // Another userId than polyphone's: the backend hands each its own SIP user.
      return { endpointUrl: lab.cognigy.url('ok'), userId: 'bench-raw' };
    case 'telnyx':
      return { host: config.server, token: config.credentials.token };
    case 'sendbird':
      return { appId: config.server, apiHost: config.apiHost, wsHost: config.wsHost, userId: config.credentials.userId, accessToken: config.credentials.accessToken };
    default:
      throw new Error(`unknown provider ${provider}`);
  }
}

// ---- page-side code: runs in Chromium, so it closes over nothing from Node ----

/** Loads the raw SDK into the page once (not timed). */
async function pageLoadRaw(provider) {
  const w = /** @type {any} */ (window);
  const key = { sipjs: 'sipjs', cognigy: 'jssip', telnyx: 'telnyx', sendbird: 'sendbird' }[provider];
  const mod = await w.rawVendors[key]();
  w.rawSdk = provider === 'telnyx' ? (mod.TelnyxRTC ? mod : mod.default) : provider === 'sipjs' ? mod : (mod.default ?? mod);
}

/** One raw sample: a fresh client from nothing to registered, then torn down. Returns ms. */
async function pageRawConnect({ provider, setup }) {
  const w = /** @type {any} */ (window);
  const sdk = w.rawSdk;
  if (provider === 'sipjs') {
    const t0 = performance.now();
    const ua = new sdk.UserAgent({
      uri: sdk.UserAgent.makeURI(setup.uri),
      transportOptions: { server: setup.server },
      authorizationUsername: setup.user,
      authorizationPassword: setup.password,
      logBuiltinEnabled: false,
      logLevel: 'error',
    });
    await ua.start();
    const registerer = new sdk.Registerer(ua);
    await new Promise((resolve, reject) => {
      registerer.stateChange.addListener((s) => s === sdk.RegistererState.Registered && resolve(undefined));
      registerer.register({ requestDelegate: { onReject: (r) => reject(new Error(`REGISTER ${r.message.statusCode}`)) } }).catch(reject);
    });
    const ms = performance.now() - t0;
    const unregistered = new Promise((resolve) => {
      registerer.stateChange.addListener((s) => s === sdk.RegistererState.Unregistered && resolve(undefined));
      setTimeout(resolve, 2_000);
    });
    await registerer.unregister().catch(() => {});
    await unregistered;
    await ua.stop();
    return ms;
  }
  if (provider === 'cognigy') {
    const t0 = performance.now();
    // Cognigy's real reply (docs/cognigy-config.md): the visitor's own AOR, the shared digest user.
    const url = new URL(setup.endpointUrl);
    const response = await fetch(url, { credentials: 'omit' });
    if (!response.ok) throw new Error(`config GET ${response.status}`);
    const config = await response.json();
    if (config.endpointSettings?.webrtcWidgetConfig?.active !== true) throw new Error('widget inactive');
    const sip = config.endpointSettings.sipConnectivityInfo;
    const ua = new sdk.UA({
      sockets: [new sdk.WebSocketInterface(sip.wsUri)],
      uri: `sip:${setup.userId}@${sip.realm}`,
      authorization_user: sip.username,
      password: sip.password,
      register: true,
      session_timers: false,
    });
    await new Promise((resolve, reject) => {
      ua.on('registered', resolve);
      ua.on('registrationFailed', (e) => reject(new Error(`REGISTER failed: ${e.cause}`)));
      ua.start();
    });
    const ms = performance.now() - t0;
    await new Promise((resolve) => {
      ua.on('unregistered', resolve);
      setTimeout(resolve, 2_000);
      ua.stop();
    });
    return ms;
  }
  if (provider === 'telnyx') {
    const t0 = performance.now();
    const client = new sdk.TelnyxRTC({ host: setup.host, login_token: setup.token, iceServers: [], debug: false });
    const ready = new Promise((resolve, reject) => {
      client.on('telnyx.ready', resolve);
      client.on('telnyx.error', (e) => reject(new Error(`telnyx.error ${e?.error?.code}`)));
    });
    await client.connect();
    await ready;
    const ms = performance.now() - t0;
    await client.disconnect();
    return ms;
  }
  if (provider === 'sendbird') {
    // A fresh SDK instance, as polyphone's init() makes one (not timed on either side): the SDK
    // keeps its instance when init() is given the app id it already has.
    if (sdk.appId === setup.appId) sdk.init('BENCH-RESET');
    sdk.init(setup.appId, setup.apiHost, setup.wsHost);
    const t0 = performance.now();
    await sdk.authenticate({ userId: setup.userId, accessToken: setup.accessToken });
    await sdk.connectWebSocket();
    const ms = performance.now() - t0;
    sdk.deauthenticate();
    return ms;
  }
  throw new Error(`unknown provider ${provider}`);
}

/** One polyphone sample: a fresh client, init() outside the clock, connect() inside. Returns ms. */
async function pagePolyphoneConnect({ config }) {
  const w = /** @type {any} */ (window);
  const client = await w.polyphone.createVoiceClient(config);
  await client.init();
  const t0 = performance.now();
  await client.connect();
  const ms = performance.now() - t0;
  await client.disconnect();
  return ms;
}

// ---- Node side ----

function withTimeout(promise, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no answer within ${SAMPLE_TIMEOUT_MS} ms`)), SAMPLE_TIMEOUT_MS))),
  ]).finally(() => clearTimeout(timer));
}

/**
 * Measures every provider; reuses `lab` and `browser` when given (bench/run.mjs shares them).
 * @param {{ samples?: number, warmup?: number, block?: number, providers?: string[], lab?: any, browser?: any, log?: (line: string) => void }} [options]
 */
export async function measureConnect(options = {}) {
  const { samples = 20, warmup = 1, block = 10, providers = PROVIDERS, log = (line) => console.error(line) } = options;
  const lab = options.lab ?? (await startDemoLab());
  const browser = options.browser ?? (await launchBrowser());
  const rows = [];
  try {
    for (const provider of providers) {
      const config = lab.presets.find((p) => p.id === `${provider}-caller`).config;
      const setup = rawSetup(lab, provider);
      const raw = [];
      const poly = [];
      const errors = [];
      // Fresh pages every `block` pairs: a renderer that turns slow for a stretch (seen on a busy
      // machine, in either series) then hits both variants across blocks instead of one series.
      for (let done = 0; done < samples; done += block) {
        const rawPage = await browser.newPage();
        const polyPage = await browser.newPage();
        try {
          await rawPage.evaluate(pageLoadRaw, provider);
          const count = Math.min(block, samples - done);
          for (let i = 0; i < warmup + count; i++) {
            const r = await withTimeout(rawPage.evaluate(pageRawConnect, { provider, setup }), `${provider} raw connect`);
            const p = await withTimeout(polyPage.evaluate(pagePolyphoneConnect, { config }), `${provider} polyphone connect`);
            if (i >= warmup) {
              raw.push(r);
              poly.push(p);
            }
          }
          errors.push(...rawPage.pageErrors, ...polyPage.pageErrors);
        } finally {
          await rawPage.context().close().catch(() => {});
          await polyPage.context().close().catch(() => {});
        }
      }
      if (errors.length) log(`${provider}: page errors during the bench: ${errors.slice(0, 3).join(' | ')}`);
      const ratio = medianRatio(raw, poly);
      const row = { provider, raw: summarize(raw), polyphone: summarize(poly), rawSamples: raw, polyphoneSamples: poly, ...ratio, target: CONNECT_TARGET, ...verdict(ratio, CONNECT_TARGET) };
      rows.push(row);
      log(`connect ${provider}: raw ${row.raw.median.toFixed(1)} ms, polyphone ${row.polyphone.median.toFixed(1)} ms, ratio ${row.ratio.toFixed(3)} [${row.low.toFixed(2)}–${row.high.toFixed(2)}]`);
    }
  } finally {
    if (!options.browser) await browser.close();
    if (!options.lab) await lab.stop();
  }
  return rows;
}

export function printConnect(rows) {
  const ms = (v) => `${v.toFixed(1)} ms`;
  console.log(`time to registered/connected in Chromium, median (p90) of n interleaved samples; target polyphone ÷ raw ≤ ${CONNECT_TARGET}`);
  console.log('provider   n    raw                   polyphone             ratio [95% CI]       met');
  for (const r of rows) {
    console.log(
      `${r.provider.padEnd(10)} ${String(r.raw.n).padEnd(4)} ${`${ms(r.raw.median)} (${ms(r.raw.p90)})`.padEnd(21)} ${`${ms(r.polyphone.median)} (${ms(r.polyphone.p90)})`.padEnd(21)} ${`${r.ratio.toFixed(3)} [${r.low.toFixed(2)}–${r.high.toFixed(2)}]`.padEnd(20)} ${r.verdict}`,
    );
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      samples: { type: 'string', default: '40' },
      warmup: { type: 'string', default: '1' },
      block: { type: 'string', default: '10' },
      providers: { type: 'string', default: PROVIDERS.join(',') },
    },
  });
  const rows = await measureConnect({ samples: Number(values.samples), warmup: Number(values.warmup), block: Number(values.block), providers: values.providers.split(',') });
  printConnect(rows);
  process.exit(0);
}
