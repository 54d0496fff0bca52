// Call setup in headless Chromium: call() → `active`, and call() → the first received audio packet,
// polyphone against the raw vendor SDK, per provider, on one lab in one run, interleaved (raw,
// polyphone, raw, polyphone…). The same auto-answering polyphone callee answers both, so only the
// caller side differs. (bench/call-setup.mjs is the first cut of this for SIP.js alone.)
//
//   node bench/calls.mjs [--samples 20] [--warmup 1] [--block 10] [--poll-ms 10] [--providers sipjs,cognigy,telnyx,sendbird]
//
// Each caller page connects once (not timed); caller pages are replaced every --block pairs, after
// --warmup uncounted pairs. Ratios come with a 95 % bootstrap interval. Per sample the clock starts just before the
// call is placed; `active` is the event polyphone maps for that vendor (sip.js Established, JsSIP
// accepted, Telnyx state active, Sendbird onConnected); the first packet is found by polling
// getStats() of the peer connections made since the clock started, every --poll-ms.
import { parseArgs } from 'node:util';
import { launchBrowser } from '../lab/browser/index.mjs';
import { PROVIDERS, startDemoLab } from '../demo/lab.mjs';
import { medianRatio, summarize, verdict } from './connect.mjs';

export const CALL_TARGET = 1.05;
const SAMPLE_TIMEOUT_MS = 15_000;
// Lets the previous call's teardown (BYE, peer connections closing) finish before the next one.
const PAUSE_MS = 300;

/** Caller and callee for each provider, from the demo lab's presets, plus what the raw caller needs. */
export function callSetup(lab, provider) {
  const caller = lab.presets.find((p) => p.id === `${provider}-caller`);
  const callee = lab.presets.find((p) => p.id === `${provider}-callee`);
  const config = caller.config;
  let raw;
  switch (provider) {
    case 'sipjs':
      raw = { server: config.server, uri: config.uri, user: config.uri.slice(4).split('@')[0], password: config.credentials.password };
      break;
    case 'cognigy':
      raw = { endpointUrl: lab.cognigy.url('ok'), userId: 'bench-raw' };
      break;
    case 'telnyx':
      raw = { host: config.server, token: config.credentials.token };
      break;
    case 'sendbird':
      raw = { appId: config.server, apiHost: config.apiHost, wsHost: config.wsHost, userId: config.credentials.userId, accessToken: config.credentials.accessToken };
      break;
    default:
      throw new Error(`unknown provider ${provider}`);
  }
  return { callerConfig: config, calleeConfig: callee.config, target: caller.dial, raw };
}

// ---- page-side code: runs in Chromium, so it closes over nothing from Node ----

/** A polyphone client that answers every call at once; `window.callee` tells when it is idle again. */
async function pageStartCallee({ config }) {
  const w = /** @type {any} */ (window);
  const client = await w.polyphone.createVoiceClient(config);
  client.on('incomingCall', ({ call }) => void call.answer().catch(() => {}));
  await client.connect();
  w.callee = client;
}

/**
 * Installs `window.place(target)` for a polyphone caller: places the call and resolves with
 * `{ placing, active (resolves with performance.now()), ended, hangup() }`.
 */
async function pageStartPolyphoneCaller({ config, iceServers = [] }) {
  const w = /** @type {any} */ (window);
  const client = await w.polyphone.createVoiceClient(config);
  await client.connect();
  w.caller = client;
  w.place = (target) => {
    // call() emits callStarted with its handle before it first waits on the vendor (it no longer
    // has one in currentCall synchronously): listening from there misses no event.
    let off;
    const started = new Promise((resolve) => (off = client.on('callStarted', ({ call, direction }) => direction === 'outgoing' && resolve(call))));
    const placing = client.call(target, { iceServers });
    const handle = Promise.race([started, placing.then(() => started)]).finally(() => off());
    handle.catch(() => {});
    const active = handle.then(
      (call) =>
        new Promise((resolve, reject) => {
          if (call.state === 'active') resolve(performance.now());
          call.on('active', () => resolve(performance.now()));
          call.on('ended', ({ reason }) => reject(new Error(`ended ${reason} before active`)));
        }),
    );
    const ended = handle.then((call) => new Promise((resolve) => (call.state === 'ended' ? resolve(undefined) : call.on('ended', resolve))));
    return { placing, active, ended, hangup: () => handle.then((call) => call.hangup()) };
  };
}

/** Installs `window.place(target)` for the raw vendor SDK, connected once here. */
export async function pageStartRawCaller({ provider, setup }) {
  const w = /** @type {any} */ (window);
  const defer = () => {
    let resolve, reject;
    const promise = new Promise((res, rej) => ((resolve = res), (reject = rej)));
    promise.catch(() => {});
    return { promise, resolve, reject };
  };
  if (provider === 'sipjs') {
    const sip = await w.rawVendors.sipjs();
    const ua = new sip.UserAgent({
      uri: sip.UserAgent.makeURI(setup.uri),
      transportOptions: { server: setup.server },
      authorizationUsername: setup.user,
      authorizationPassword: setup.password,
      logBuiltinEnabled: false,
      logLevel: 'error',
      sessionDescriptionHandlerFactoryOptions: { peerConnectionConfiguration: { iceServers: setup.iceServers ?? [] } },
    });
    await ua.start();
    // bench/shift.mjs adds answering to this caller through these.
    w.rawUa = ua;
    const registerer = new sip.Registerer(ua);
    await new Promise((resolve, reject) => {
      registerer.stateChange.addListener((s) => s === sip.RegistererState.Registered && resolve(undefined));
      registerer.register({ requestDelegate: { onReject: (r) => reject(new Error(`REGISTER ${r.message.statusCode}`)) } }).catch(reject);
    });
    w.caller = {
      disconnect: async () => {
        await registerer.unregister().catch(() => {});
        await new Promise((resolve) => setTimeout(resolve, 100));
        await ua.stop();
      },
    };
    w.place = (target) => {
      const active = defer();
      const ended = defer();
      const inviter = new sip.Inviter(ua, sip.UserAgent.makeURI(target), { sessionDescriptionHandlerOptions: { constraints: { audio: true, video: false } } });
      inviter.stateChange.addListener((state) => {
        if (state === sip.SessionState.Established) active.resolve(performance.now());
        if (state === sip.SessionState.Terminated) {
          active.reject(new Error('terminated before established'));
          ended.resolve();
        }
      });
      const placing = inviter.invite();
      return { placing, active: active.promise, ended: ended.promise, hangup: () => inviter.bye() };
    };
    return;
  }
  if (provider === 'cognigy') {
    const mod = await w.rawVendors.jssip();
    const jssip = mod.default ?? mod;
    // Cognigy's real reply (docs/cognigy-config.md): the visitor's own AOR, the shared digest user.
    const url = new URL(setup.endpointUrl);
    const config = await (await fetch(url, { credentials: 'omit' })).json();
    const sip = config.endpointSettings.sipConnectivityInfo;
    const ua = new jssip.UA({
      sockets: [new jssip.WebSocketInterface(sip.wsUri)],
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
    w.caller = { disconnect: () => new Promise((resolve) => (ua.on('unregistered', resolve), setTimeout(resolve, 2_000), ua.stop())) };
    w.place = (target) => {
      const active = defer();
      const ended = defer();
      const session = ua.call(target, {
        mediaConstraints: { audio: true, video: false },
        pcConfig: { iceServers: setup.iceServers ?? [] },
        eventHandlers: {
          accepted: () => active.resolve(performance.now()),
          failed: (e) => {
            active.reject(new Error(`failed ${e.cause}`));
            ended.resolve();
          },
          ended: () => ended.resolve(),
        },
      });
      return { placing: Promise.resolve(), active: active.promise, ended: ended.promise, hangup: async () => session.terminate() };
    };
    return;
  }
  if (provider === 'telnyx') {
    const mod = await w.rawVendors.telnyx();
    const { TelnyxRTC } = mod.TelnyxRTC ? mod : mod.default;
    const client = new TelnyxRTC({ host: setup.host, login_token: setup.token, iceServers: setup.iceServers ?? [], debug: false });
    const ready = new Promise((resolve, reject) => {
      client.on('telnyx.ready', resolve);
      client.on('telnyx.error', (e) => reject(new Error(`telnyx.error ${e?.error?.code}`)));
    });
    await client.connect();
    await ready;
    w.rawClient = client;
    w.caller = { disconnect: () => client.disconnect() };
    let current;
    client.on('telnyx.notification', (n) => {
      if (n.type !== 'callUpdate' || !current || n.call?.id !== current.id) return;
      if (n.call.state === 'active') current.active.resolve(performance.now());
      if (['hangup', 'destroy', 'purge'].includes(n.call.state)) {
        current.active.reject(new Error(`${n.call.state} before active`));
        current.ended.resolve();
      }
    });
    w.place = (target) => {
      const id = crypto.randomUUID();
      current = { id, active: defer(), ended: defer() };
      const call = client.newCall({ id, destinationNumber: target, audio: true, video: false, iceServers: setup.iceServers ?? [] });
      return { placing: Promise.resolve(), active: current.active.promise, ended: current.ended.promise, hangup: async () => call.hangup() };
    };
    return;
  }
  if (provider === 'sendbird') {
    const mod = await w.rawVendors.sendbird();
    const sdk = mod.default ?? mod;
    sdk.init(setup.appId, setup.apiHost, setup.wsHost);
    await sdk.authenticate({ userId: setup.userId, accessToken: setup.accessToken });
    await sdk.connectWebSocket();
    w.caller = { disconnect: async () => sdk.deauthenticate() };
    // Where an app shows (plays) the far end; the SDK sets its srcObject.
    const speaker = document.createElement('audio');
    speaker.autoplay = true;
    document.body.append(speaker);
    w.rawSpeaker = speaker;
    w.place = (target) => {
      const active = defer();
      const ended = defer();
      const placing = new Promise((resolve, reject) => {
        const call = sdk.dial(
          { userId: target, isVideoCall: false, callOption: { audioEnabled: true, videoEnabled: false, remoteMediaView: speaker } },
          (_call, error) => (error ? reject(error) : resolve(undefined)),
        );
        call.onConnected = () => active.resolve(performance.now());
        call.onEnded = () => {
          active.reject(new Error('ended before connected'));
          ended.resolve();
        };
        w.rawCall = call;
      });
      return { placing, active: active.promise, ended: ended.promise, hangup: async () => w.rawCall.end() };
    };
    return;
  }
  throw new Error(`unknown provider ${provider}`);
}

/** One call: returns ms from placing it to `active` and to the first inbound audio packet. */
async function pageSample({ target, pollMs, timeoutMs }) {
  const w = /** @type {any} */ (window);
  // Only peer connections made by this call count, whatever the SDK left behind before.
  const earlier = new Set(w.__pcs);
  const t0 = performance.now();
  const deadline = t0 + timeoutMs;
  const call = w.place(target);
  const firstPacket = (async () => {
    for (;;) {
      let packets = 0;
      for (const pc of w.__pcs) {
        if (earlier.has(pc) || pc.connectionState === 'closed') continue;
        (await pc.getStats()).forEach((s) => {
          if (s.type === 'inbound-rtp' && (s.kind ?? s.mediaType) === 'audio') packets += s.packetsReceived ?? 0;
        });
      }
      if (packets > 0) return performance.now();
      if (performance.now() > deadline) throw new Error('no inbound audio packet in time');
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  })();
  try {
    await call.placing;
    const activeAt = await Promise.race([call.active, new Promise((_, reject) => setTimeout(() => reject(new Error('not active in time')), timeoutMs))]);
    const packetAt = await firstPacket;
    return { activeMs: activeAt - t0, firstPacketMs: packetAt - t0 };
  } finally {
    await call.hangup().catch(() => {});
    await Promise.race([call.ended, new Promise((resolve) => setTimeout(resolve, 5_000))]);
  }
}

// ---- Node side ----

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Disconnects whatever client each page holds, then closes the page's context. */
async function closeCallers(pages) {
  for (const page of pages) {
    if (page.isClosed()) continue;
    await page.evaluate(() => (/** @type {any} */ (window).callee ?? /** @type {any} */ (window).caller)?.disconnect()).catch(() => {});
    await page.context().close().catch(() => {});
  }
}

async function calleeIdle(page) {
  await page.waitForFunction(() => /** @type {any} */ (window).callee.currentCall === undefined, undefined, { timeout: 10_000 });
}

/**
 * `iceServers` go to both callers (bench/ice.mjs); the callee keeps host candidates only.
 * @param {{ samples?: number, warmup?: number, block?: number, pollMs?: number, providers?: string[], lab?: any, browser?: any, log?: (line: string) => void, iceServers?: RTCIceServer[], sampleTimeoutMs?: number }} [options]
 */
export async function measureCalls(options = {}) {
  const { samples = 20, warmup = 1, block = 10, pollMs = 10, providers = PROVIDERS, log = (line) => console.error(line), iceServers = [], sampleTimeoutMs = SAMPLE_TIMEOUT_MS } = options;
  const lab = options.lab ?? (await startDemoLab());
  const browser = options.browser ?? (await launchBrowser());
  const rows = [];
  try {
    for (const provider of providers) {
      const { callerConfig, calleeConfig, target, raw: setup } = callSetup(lab, provider);
      const pages = [];
      try {
        const calleePage = await browser.newPage();
        pages.push(calleePage);
        await calleePage.evaluate(pageStartCallee, { config: calleeConfig });
        const series = { raw: [], polyphone: [] };
        const started = Date.now();
        // Fresh caller pages every `block` pairs, so a renderer that turns slow for a stretch
        // hits both variants across blocks rather than one series.
        for (let done = 0; done < samples; done += block) {
          const rawPage = await browser.newPage();
          const polyPage = await browser.newPage();
          pages.push(rawPage, polyPage);
          await rawPage.evaluate(pageStartRawCaller, { provider, setup: { ...setup, iceServers } });
          await polyPage.evaluate(pageStartPolyphoneCaller, { config: callerConfig, iceServers });
          const count = Math.min(block, samples - done);
          for (let i = 0; i < warmup + count; i++) {
            for (const [name, page] of [['raw', rawPage], ['polyphone', polyPage]]) {
              const sample = await page.evaluate(pageSample, { target, pollMs, timeoutMs: sampleTimeoutMs });
              if (i >= warmup) series[name].push(sample);
              await calleeIdle(calleePage);
              await sleep(PAUSE_MS);
            }
          }
          await closeCallers([rawPage, polyPage]);
        }
        const errors = pages.flatMap((p) => p.pageErrors);
        if (errors.length) log(`${provider}: page errors during the bench: ${errors.slice(0, 3).join(' | ')}`);
        for (const [metric, key] of [['call() → active', 'activeMs'], ['call() → first audio packet', 'firstPacketMs']]) {
          const rawValues = series.raw.map((s) => s[key]);
          const polyValues = series.polyphone.map((s) => s[key]);
          const ratio = medianRatio(rawValues, polyValues);
          rows.push({
            metric,
            provider,
            raw: summarize(rawValues),
            polyphone: summarize(polyValues),
            rawSamples: rawValues,
            polyphoneSamples: polyValues,
            ...ratio,
            target: CALL_TARGET,
            ...verdict(ratio, CALL_TARGET),
          });
        }
        const [a, p] = rows.slice(-2);
        log(
          `calls ${provider} (${samples} each, ${((Date.now() - started) / 1000).toFixed(0)} s): active raw ${a.raw.median.toFixed(0)} / polyphone ${a.polyphone.median.toFixed(0)} ms ×${a.ratio.toFixed(3)}; ` +
            `first packet raw ${p.raw.median.toFixed(0)} / polyphone ${p.polyphone.median.toFixed(0)} ms ×${p.ratio.toFixed(3)}`,
        );
      } finally {
        await closeCallers(pages);
      }
    }
  } finally {
    if (!options.browser) await browser.close();
    if (!options.lab) await lab.stop();
  }
  return rows;
}

export function printCalls(rows, pollMs = 10) {
  const ms = (v) => `${v.toFixed(0)} ms`;
  console.log(`call setup in Chromium, median (p90) of n interleaved calls, first packet polled every ${pollMs} ms; target polyphone ÷ raw ≤ ${CALL_TARGET}`);
  console.log('metric                        provider   n    raw               polyphone         ratio [95% CI]       met');
  for (const r of rows) {
    console.log(
      `${r.metric.padEnd(29)} ${r.provider.padEnd(10)} ${String(r.raw.n).padEnd(4)} ${`${ms(r.raw.median)} (${ms(r.raw.p90)})`.padEnd(17)} ${`${ms(r.polyphone.median)} (${ms(r.polyphone.p90)})`.padEnd(17)} ${`${r.ratio.toFixed(3)} [${r.low.toFixed(2)}–${r.high.toFixed(2)}]`.padEnd(20)} ${r.verdict}`,
    );
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      samples: { type: 'string', default: '20' },
      warmup: { type: 'string', default: '1' },
      block: { type: 'string', default: '10' },
      'poll-ms': { type: 'string', default: '10' },
      providers: { type: 'string', default: PROVIDERS.join(',') },
    },
  });
  const pollMs = Number(values['poll-ms']);
  const rows = await measureCalls({ samples: Number(values.samples), warmup: Number(values.warmup), block: Number(values.block), pollMs, providers: values.providers.split(',') });
  printCalls(rows, pollMs);
  process.exit(0);
}
