// A warm start (issue 19 item 2): the first call of a page, → the first received audio packet,
// cold vs after `client.prepare()`, per provider, in headless Chromium against the demo lab.
//
//   node bench/warm.mjs [--samples 10] [--poll-ms 10] [--providers sipjs,cognigy,telnyx,sendbird]
//
// Every sample is a fresh page (a fresh renderer: the vendor SDK's chunk not loaded, the
// microphone never opened), so each call measured is that page's first. Three variants per round,
// interleaved (cold-fresh, cold-connected, prepared, cold-fresh, …):
//   cold-fresh      the clock starts before `connectAndCall(target)` on a client just created: the
//                   SDK loads, the session connects, the microphone opens, the call is placed;
//   cold-connected  `connect()` ran when the page loaded (untimed); the clock starts before `call()`,
//                   which still opens the microphone;
//   prepared        `prepare()` ran when the page loaded (untimed); the clock starts before `call()`.
// The first packet is found by polling getStats() of the peer connections the call made, every
// --poll-ms; the callee is one auto-answering polyphone page. Chromium's fake capture device opens
// in a few milliseconds, where a real microphone (and a permission prompt) take far longer, so the
// saving measured here from the microphone is a lower bound.
import { parseArgs } from 'node:util';
import { launchBrowser } from '../lab/browser/index.mjs';
import { PROVIDERS, startDemoLab } from '../demo/lab.mjs';
import { callSetup } from './calls.mjs';
import { medianRatio, summarize } from './connect.mjs';

const SAMPLE_TIMEOUT_MS = 15_000;
// Lets the previous call's teardown (BYE, peer connections closing) finish before the next one.
const PAUSE_MS = 300;
export const WARM_VARIANTS = ['cold-fresh', 'cold-connected', 'prepared'];

// ---- page-side code: runs in Chromium, so it closes over nothing from Node ----

async function pageStartCallee({ config }) {
  const w = /** @type {any} */ (window);
  const client = await w.polyphone.createVoiceClient(config);
  client.on('incomingCall', ({ call }) => void call.answer().catch(() => {}));
  await client.connect();
  w.callee = client;
}

/** Creates the caller and readies it as `variant` says (untimed). */
async function pageReadyCaller({ config, variant }) {
  const w = /** @type {any} */ (window);
  // How long the page's microphone takes to open: what prepare() takes off the first call.
  const media = navigator.mediaDevices;
  const open = media.getUserMedia.bind(media);
  w.microphoneOpenMs = [];
  media.getUserMedia = async (constraints) => {
    const t0 = performance.now();
    const stream = await open(constraints);
    w.microphoneOpenMs.push(performance.now() - t0);
    return stream;
  };
  const client = await w.polyphone.createVoiceClient(config);
  w.caller = client;
  if (variant === 'cold-connected') await client.connect();
  if (variant === 'prepared') {
    const { microphoneHeld } = await client.prepare();
    w.microphoneHeld = microphoneHeld;
  }
}

/** The page's first call: ms from placing it to the first inbound audio packet. */
async function pageFirstCall({ target, variant, pollMs, timeoutMs }) {
  const w = /** @type {any} */ (window);
  const client = w.caller;
  const t0 = performance.now();
  const placing = variant === 'cold-fresh' ? client.connectAndCall(target, { iceServers: [] }) : client.call(target, { iceServers: [] });
  placing.catch(() => {});
  try {
    for (;;) {
      let packets = 0;
      for (const pc of w.__pcs) {
        if (pc.connectionState === 'closed') continue;
        (await pc.getStats()).forEach((s) => {
          if (s.type === 'inbound-rtp' && (s.kind ?? s.mediaType) === 'audio') packets += s.packetsReceived ?? 0;
        });
      }
      if (packets > 0) return performance.now() - t0;
      if (performance.now() - t0 > timeoutMs) throw new Error(`no inbound audio packet in time (${variant})`);
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  } finally {
    const call = await placing.catch(() => undefined);
    await call?.hangup().catch(() => {});
    await client.disconnect().catch(() => {});
  }
}

// ---- Node side ----

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** prepared vs a cold variant: the ratio's point estimate, its 95 % bootstrap interval, and the goal "prepared < cold". */
export function warmVerdict(cold, prepared) {
  const ratio = medianRatio(cold, prepared);
  const met = ratio.ratio < 1;
  const sure = met ? ratio.high < 1 : ratio.low >= 1;
  return { ...ratio, met, verdict: `${met ? 'yes' : 'NO'}${sure ? '' : ' (within noise)'}` };
}

/**
 * @param {{ samples?: number, pollMs?: number, providers?: string[], lab?: any, browser?: any, log?: (line: string) => void }} [options]
 */
export async function measureWarm(options = {}) {
  const { samples = 10, pollMs = 10, providers = PROVIDERS, log = (line) => console.error(line) } = options;
  const lab = options.lab ?? (await startDemoLab());
  const browser = options.browser ?? (await launchBrowser());
  const rows = [];
  try {
    for (const provider of providers) {
      const { callerConfig, calleeConfig, target } = callSetup(lab, provider);
      const calleePage = await browser.newPage();
      const series = Object.fromEntries(WARM_VARIANTS.map((v) => [v, []]));
      const errors = [];
      const microphoneOpenMs = [];
      let held;
      const started = Date.now();
      try {
        await calleePage.evaluate(pageStartCallee, { config: calleeConfig });
        for (let i = 0; i < samples; i++) {
          for (const variant of WARM_VARIANTS) {
            const page = await browser.newPage();
            try {
              await page.evaluate(pageReadyCaller, { config: callerConfig, variant });
              if (variant === 'prepared') held = await page.evaluate(() => /** @type {any} */ (window).microphoneHeld);
              series[variant].push(await page.evaluate(pageFirstCall, { target, variant, pollMs, timeoutMs: SAMPLE_TIMEOUT_MS }));
              // The first getUserMedia of a page, whoever made it (polyphone's prepare() or the SDK's call).
              const opened = await page.evaluate(() => /** @type {any} */ (window).microphoneOpenMs[0]);
              if (opened !== undefined) microphoneOpenMs.push(opened);
              errors.push(...page.pageErrors);
            } finally {
              await page.context().close().catch(() => {});
            }
            await calleePage.waitForFunction(() => /** @type {any} */ (window).callee.currentCall === undefined, undefined, { timeout: 10_000 });
            await sleep(PAUSE_MS);
          }
        }
      } finally {
        await calleePage.evaluate(() => /** @type {any} */ (window).callee?.disconnect()).catch(() => {});
        await calleePage.context().close().catch(() => {});
      }
      if (errors.length) log(`warm ${provider}: page errors: ${errors.slice(0, 3).join(' | ')}`);
      const prepared = series.prepared;
      for (const cold of ['cold-connected', 'cold-fresh']) {
        rows.push({
          metric: cold === 'cold-connected' ? 'first call() → first audio packet, connected: prepared vs cold' : 'first call → first audio packet, fresh client: prepare()d call() vs cold connectAndCall()',
          provider,
          microphoneHeld: held,
          microphoneOpen: summarize(microphoneOpenMs),
          cold: summarize(series[cold]),
          prepared: summarize(prepared),
          coldSamples: series[cold],
          preparedSamples: prepared,
          ...warmVerdict(series[cold], prepared),
        });
      }
      const [c, f] = rows.slice(-2);
      log(
        `warm ${provider} (${samples} each, ${((Date.now() - started) / 1000).toFixed(0)} s, microphone held: ${held}, a page's first getUserMedia ${c.microphoneOpen.median.toFixed(1)} ms): prepared ${c.prepared.median.toFixed(0)} ms; ` +
          `cold connected ${c.cold.median.toFixed(0)} ms ×${c.ratio.toFixed(3)}; cold fresh ${f.cold.median.toFixed(0)} ms ×${f.ratio.toFixed(3)}`,
      );
    }
  } finally {
    if (!options.browser) await browser.close();
    if (!options.lab) await lab.stop();
  }
  return rows;
}

export function printWarm(rows, pollMs = 10) {
  const ms = (v) => `${v.toFixed(0)} ms`;
  console.log(`a warm start in Chromium: median (p90) of n interleaved first calls (a fresh page each), first packet polled every ${pollMs} ms; goal prepared < cold`);
  console.log('metric | provider | n | cold | prepared | prepared ÷ cold [95% CI] | met');
  for (const r of rows) {
    console.log(
      `${r.metric} | ${r.provider} | ${r.cold.n} | ${ms(r.cold.median)} (${ms(r.cold.p90)}) | ${ms(r.prepared.median)} (${ms(r.prepared.p90)})${r.microphoneHeld ? '' : ' (no microphone held)'} | ${r.ratio.toFixed(3)} [${r.low.toFixed(2)}–${r.high.toFixed(2)}] | ${r.verdict}`,
    );
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      samples: { type: 'string', default: '10' },
      'poll-ms': { type: 'string', default: '10' },
      providers: { type: 'string', default: PROVIDERS.join(',') },
    },
  });
  const pollMs = Number(values['poll-ms']);
  const rows = await measureWarm({ samples: Number(values.samples), pollMs, providers: values.providers.split(',') });
  printWarm(rows, pollMs);
  process.exit(0);
}
