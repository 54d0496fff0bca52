// A contact-centre shift in one page (not CI): N calls one after another per provider (call, 1 s
// of audio, hang up, alternating sides), then what the page holds after the last call compared
// with after the first: heap after GC, open and still-reachable RTCPeerConnections, live and
// still-reachable microphone tracks, pending timers, and DOM event listeners on objects that are
// still alive. polyphone and the raw vendor SDK run the same shift, one after the other, each in a
// fresh page against the same partner (a polyphone client that answers and calls back).
//
//   node bench/shift.mjs [--calls 300] [--providers sipjs,cognigy,telnyx,sendbird] [--variants raw,polyphone] [--json saved.json]
//
// --json keeps the rows (after each provider and variant) with the run's date, machine and load;
// `node bench/run.mjs --shift-from saved.json` makes bench/results/shift.md of them.
//
// The page under test is instrumented before any of its code runs (an init script, then a
// reload): timers and listeners are counted by wrapping setTimeout/setInterval and
// EventTarget.prototype.addEventListener; tracks by wrapping getUserMedia; peer connections by the
// lab's own recorder, whose strong list is emptied of closed ones after every call so that the lab
// itself keeps nothing alive. "Reachable" is read through WeakRefs after a forced GC (CDP
// HeapProfiler.collectGarbage), so it counts objects something in the page still holds.
// Cognigy's visitor cannot be called (the click-to-call endpoint only dials out), so its shift is
// all outgoing. Bounded: every wait has a deadline; a call that fails is
// reported (not hidden), and more than MAX_FAILED_CALLS of them end the shift early.
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { launchBrowser } from '../lab/browser/index.mjs';
import { PROVIDERS, startDemoLab } from '../demo/lab.mjs';
import { callSetup, pageStartRawCaller } from './calls.mjs';
import { startMeta } from './meta.mjs';

export const SHIFT_HEAP_GOAL_MB = 2;
const STEP_TIMEOUT_MS = 15_000;
const AUDIO_MS = 1_000;
// After a hangup the SDKs finish their own teardown (BYE transactions, closing sockets of the call).
const SETTLE_MS = 1_500;
// Calls of a shift that may miss a bound (on a loaded machine) before the shift counts as stopped.
const MAX_FAILED_CALLS = 3;
// One-shot timers due within this long after the settle are waited out before counting.
const TRANSIENT_TIMER_LIMIT_MS = 40_000;

// ---- page-side code: runs in Chromium, so it closes over nothing from Node ----

// Installed before the page's own scripts, after the lab's peer-connection recorder.
const INSTRUMENT = `(() => {
  if (window.__shift) return;
  const shift = (window.__shift = { timers: new Map(), listenerTargets: [], listenerCounts: new WeakMap(), tracks: [], pcRefs: [], pcSeen: new WeakSet() });
  const { setTimeout: st, clearTimeout: ct, setInterval: si, clearInterval: ci } = window;
  window.setTimeout = function (fn, ms, ...rest) {
    const id = st.call(window, typeof fn === 'function' ? function (...a) { shift.timers.delete(id); return fn.apply(this, a); } : fn, ms, ...rest);
    shift.timers.set(id, performance.now() + (Number(ms) || 0));
    return id;
  };
  window.clearTimeout = function (id) { shift.timers.delete(id); return ct.call(window, id); };
  window.setInterval = function (...args) { const id = si.apply(window, args); shift.timers.set(id, Infinity); return id; };
  window.clearInterval = function (id) { shift.timers.delete(id); return ci.call(window, id); };
  const add = EventTarget.prototype.addEventListener;
  const remove = EventTarget.prototype.removeEventListener;
  // Net adds per target; a listener added twice with the same arguments counts once in the
  // browser, so this over-counts only where code does that (none of the SDKs seen here).
  EventTarget.prototype.addEventListener = function (type, listener, options) {
    if (listener && !(options && typeof options === 'object' && options.once)) {
      const n = shift.listenerCounts.get(this);
      if (n === undefined) shift.listenerTargets.push(new WeakRef(this));
      shift.listenerCounts.set(this, (n ?? 0) + 1);
    }
    return add.call(this, type, listener, options);
  };
  EventTarget.prototype.removeEventListener = function (type, listener, options) {
    const n = shift.listenerCounts.get(this);
    if (n) shift.listenerCounts.set(this, n - 1);
    return remove.call(this, type, listener, options);
  };
  const md = navigator.mediaDevices;
  if (md) {
    const gum = md.getUserMedia.bind(md);
    md.getUserMedia = async (constraints) => {
      const stream = await gum(constraints);
      for (const t of stream.getTracks()) shift.tracks.push(new WeakRef(t));
      return stream;
    };
  }
})();`;

/** Lets go of what the lab harness itself holds (closed peer connections, their players). */
function pagePrune() {
  const w = /** @type {any} */ (window);
  const s = w.__shift;
  for (const pc of w.__pcs) {
    if (s.pcSeen.has(pc)) continue;
    s.pcSeen.add(pc);
    s.pcRefs.push(new WeakRef(pc));
  }
  w.__pcs = w.__pcs.filter((pc) => pc.connectionState !== 'closed' && pc.signalingState !== 'closed');
  w.__speakers = w.__speakers.filter((speaker) => {
    const live = speaker.srcObject?.getTracks().some((t) => t.readyState === 'live');
    if (!live) {
      speaker.pause();
      speaker.srcObject = null;
    }
    return live;
  });
}

/**
 * The partner page lets go of its closed peer connections too: it answers every shift of a
 * provider (raw, then polyphone), and Chromium refuses a page's 501st RTCPeerConnection while the
 * others are still reachable ("Cannot create so many PeerConnections"), which stopped polyphone's
 * shift at call 201 after raw's 300.
 */
function partnerPrune() {
  const w = /** @type {any} */ (window);
  w.__pcs = w.__pcs.filter((pc) => pc.connectionState !== 'closed' && pc.signalingState !== 'closed');
  w.__speakers = (w.__speakers ?? []).filter((speaker) => {
    const live = speaker.srcObject?.getTracks().some((t) => t.readyState === 'live');
    if (!live) {
      speaker.pause();
      speaker.srcObject = null;
    }
    return live;
  });
}

/** ms until the last pending one-shot timer due within `limitMs` fires (SIP transaction timers run up to 32 s after a call). */
function pageTransientTimersMs(limitMs) {
  const now = performance.now();
  let last = 0;
  for (const due of /** @type {any} */ (window).__shift.timers.values()) if (due !== Infinity && due - now <= limitMs) last = Math.max(last, due - now);
  return last;
}

/** What the page holds now (call after a forced GC). */
function pageCounts() {
  const s = /** @type {any} */ (window).__shift;
  const pcs = s.pcRefs.map((r) => r.deref()).filter(Boolean);
  const tracks = s.tracks.map((r) => r.deref()).filter(Boolean);
  let listeners = 0;
  for (const ref of s.listenerTargets) {
    const target = ref.deref();
    if (target) listeners += s.listenerCounts.get(target) ?? 0;
  }
  return {
    pcsOpen: pcs.filter((pc) => pc.connectionState !== 'closed' && pc.signalingState !== 'closed').length,
    pcsReachable: pcs.length,
    pcsMade: s.pcRefs.length,
    tracksLive: tracks.filter((t) => t.readyState === 'live').length,
    tracksReachable: tracks.length,
    timers: s.timers.size,
    listeners,
    // polyphone's own event log (client.trace(), capped at 5,000 entries): a known, bounded holder.
    traceEntries: typeof (/** @type {any} */ (window).caller?.trace) === 'function' ? /** @type {any} */ (window).caller.trace().length : 0,
  };
}

/** polyphone under test: `window.shift.place(target)` and `window.shift.expectIncoming()`, each giving a call handle. */
async function pageStartPolyphone({ config }) {
  const w = /** @type {any} */ (window);
  const client = await w.polyphone.createVoiceClient(config);
  let incoming;
  const handle = (call) => ({
    active: new Promise((resolve, reject) => {
      if (call.state === 'active') resolve(undefined);
      call.on('active', () => resolve(undefined));
      call.on('ended', ({ reason }) => reject(new Error(`ended ${reason} before active`)));
    }),
    ended: new Promise((resolve) => call.on('ended', resolve)),
    hangup: () => call.hangup(),
  });
  client.on('incomingCall', ({ call }) => {
    const h = handle(call);
    void call.answer().catch(() => {});
    incoming?.(h);
  });
  await client.connect();
  w.caller = client;
  w.shift = {
    // call() emits callStarted with its handle before it first waits on the vendor.
    place: (target) => {
      let off;
      const started = new Promise((resolve) => (off = client.on('callStarted', ({ call, direction }) => direction === 'outgoing' && resolve(handle(call)))));
      const placing = client.call(target);
      const ready = Promise.race([started, placing.then(() => started)]).finally(() => off());
      ready.catch(() => {});
      return { active: ready.then((h) => h.active), ended: ready.then((h) => h.ended), hangup: () => ready.then((h) => h.hangup()) };
    },
    expectIncoming: () => new Promise((resolve) => (incoming = resolve)),
  };
}

/** The raw SDK under test: the caller from calls.mjs, plus answering where the vendor can be called. */
async function pageStartRaw({ provider, setup }) {
  const w = /** @type {any} */ (window);
  await w.__startRawCaller({ provider, setup });
  let incoming;
  const defer = () => {
    let resolve, reject;
    const promise = new Promise((res, rej) => ((resolve = res), (reject = rej)));
    promise.catch(() => {});
    return { promise, resolve, reject };
  };
  const expectIncoming = () => new Promise((resolve) => (incoming = resolve));
  const place = (target) => {
    const h = w.place(target);
    h.placing?.catch?.(() => {});
    return h;
  };
  if (provider === 'sipjs') {
    const sip = await w.rawVendors.sipjs();
    w.rawUa.delegate = {
      onInvite: (invitation) => {
        const active = defer();
        const ended = defer();
        invitation.stateChange.addListener((state) => {
          if (state === sip.SessionState.Established) active.resolve(undefined);
          if (state === sip.SessionState.Terminated) {
            active.reject(new Error('terminated before established'));
            ended.resolve(undefined);
          }
        });
        void invitation.accept({ sessionDescriptionHandlerOptions: { constraints: { audio: true, video: false } } }).catch(() => {});
        incoming?.({ active: active.promise, ended: ended.promise, hangup: () => invitation.bye() });
      },
    };
  } else if (provider === 'telnyx') {
    let current;
    w.rawClient.on('telnyx.notification', (n) => {
      if (n.type !== 'callUpdate' || n.call?.direction !== 'inbound') return;
      if (n.call.state === 'ringing' && !current) {
        current = { active: defer(), ended: defer(), call: n.call };
        incoming?.({ active: current.active.promise, ended: current.ended.promise, hangup: async () => n.call.hangup() });
        n.call.answer();
      }
      if (!current || n.call.id !== current.call.id) return;
      if (n.call.state === 'active') current.active.resolve(undefined);
      if (['hangup', 'destroy', 'purge'].includes(n.call.state)) {
        current.active.reject(new Error(`${n.call.state} before active`));
        current.ended.resolve(undefined);
        current = undefined;
      }
    });
  } else if (provider === 'sendbird') {
    const mod = await w.rawVendors.sendbird();
    const sdk = mod.default ?? mod;
    sdk.addListener('shift', {
      onRinging: (call) => {
        const active = defer();
        const ended = defer();
        call.onConnected = () => active.resolve(undefined);
        call.onEnded = () => {
          active.reject(new Error('ended before connected'));
          ended.resolve(undefined);
        };
        incoming?.({ active: active.promise, ended: ended.promise, hangup: async () => call.end() });
        call.accept({ callOption: { audioEnabled: true, videoEnabled: false, remoteMediaView: w.rawSpeaker } });
      },
    });
  }
  w.shift = { place, expectIncoming };
}

/** One call in the page under test: active, first inbound packet, 1 s of audio, hangup, ended. */
async function pageRunCall({ direction, target, audioMs, timeoutMs }) {
  const w = /** @type {any} */ (window);
  const within = (promise, what) =>
    Promise.race([promise, new Promise((_, reject) => setTimeout(() => reject(new Error(`${what}: not within ${timeoutMs} ms`)), timeoutMs))]);
  const h = direction === 'out' ? w.shift.place(target) : await within(w.shift.pending, 'incoming call');
  try {
    await within(h.active, 'active');
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      let packets = 0;
      for (const pc of w.__pcs) {
        if (pc.connectionState === 'closed') continue;
        (await pc.getStats()).forEach((s) => {
          if (s.type === 'inbound-rtp' && (s.kind ?? s.mediaType) === 'audio') packets += s.packetsReceived ?? 0;
        });
      }
      if (packets > 0) break;
      if (performance.now() > deadline) throw new Error('no inbound audio packet in time');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await new Promise((resolve) => setTimeout(resolve, audioMs));
  } finally {
    await Promise.resolve(h.hangup()).catch(() => {});
    await within(h.ended, 'ended').catch(() => {});
  }
}

async function pageStartPartner({ config }) {
  const w = /** @type {any} */ (window);
  const client = await w.polyphone.createVoiceClient(config);
  client.on('incomingCall', ({ call }) => void call.answer().catch(() => {}));
  await client.connect();
  w.callee = client;
  w.dial = (target) => void client.call(target).catch(() => {});
}

// ---- Node side ----

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function heapAfterGc(cdp) {
  for (let i = 0; i < 3; i++) await cdp.send('HeapProfiler.collectGarbage');
  return (await cdp.send('Runtime.getHeapUsage')).usedSize;
}

async function snapshot(page, cdp) {
  await sleep(SETTLE_MS);
  // Timers due soon are a call's teardown still running, not something it left behind.
  await sleep(await page.evaluate(pageTransientTimersMs, TRANSIENT_TIMER_LIMIT_MS));
  await page.evaluate(pagePrune);
  const heap = await heapAfterGc(cdp);
  return { heap, ...(await page.evaluate(pageCounts)) };
}

/**
 * One shift: a fresh instrumented page, its client connected, `calls` calls; counts after the first and the last.
 * @returns {Promise<{ after1: object, afterN: object, done: number, failed: string[], error?: string }>}
 */
async function runShift({ browser, variant, provider, setup, callerConfig, target, partnerPage, partnerDial, calls, log }) {
  const page = await browser.newPage();
  try {
    await page.context().addInitScript(INSTRUMENT);
    await page.reload();
    await page.waitForFunction('window.pageReady === true', undefined, { timeout: 20_000 });
    const cdp = await page.context().newCDPSession(page);
    if (variant === 'raw') {
      await page.evaluate(`window.__startRawCaller = ${pageStartRawCaller.toString()}`);
      await page.evaluate(pageStartRaw, { provider, setup });
    } else {
      await page.evaluate(pageStartPolyphone, { config: callerConfig });
    }
    let after1;
    let done = 0;
    /** @type {string[]} */
    const failed = [];
    for (let i = 0; i < calls; i++) {
      const direction = partnerDial && i % 2 === 1 ? 'in' : 'out';
      try {
        if (direction === 'in') {
          await page.evaluate(() => {
            const w = /** @type {any} */ (window);
            w.shift.pending = w.shift.expectIncoming();
          });
          await partnerPage.evaluate((to) => /** @type {any} */ (window).dial(to), partnerDial);
        }
        await page.evaluate(pageRunCall, { direction, target, audioMs: AUDIO_MS, timeoutMs: STEP_TIMEOUT_MS });
        await partnerPage.waitForFunction(() => /** @type {any} */ (window).callee.currentCall === undefined, undefined, { timeout: 10_000 });
        await partnerPage.evaluate(partnerPrune);
        done++;
      } catch (error) {
        const why = `call ${i + 1} (${direction}): ${error.message.split('\n')[0]}`;
        log(`shift ${provider} ${variant}: ${why}`);
        if (!after1) throw error;
        failed.push(why);
        // On a loaded machine a call now and then misses a bound (its teardown ran all the same,
        // in pageRunCall's finally): the shift goes on, the failure is reported. More is a fault.
        if (failed.length > MAX_FAILED_CALLS) return { after1, afterN: await snapshot(page, cdp), done, failed, error: why };
        await partnerPage.waitForFunction(() => /** @type {any} */ (window).callee.currentCall === undefined, undefined, { timeout: 20_000 }).catch(() => {});
        continue;
      }
      if (i === 0) {
        after1 = await snapshot(page, cdp);
      } else {
        await page.evaluate(pagePrune);
      }
      if ((i + 1) % 50 === 0) log(`shift ${provider} ${variant}: ${i + 1}/${calls}`);
    }
    return { after1, afterN: await snapshot(page, cdp), done, failed };
  } finally {
    await page.evaluate(() => /** @type {any} */ (window).caller?.disconnect()).catch(() => {});
    await page.context().close().catch(() => {});
  }
}

/**
 * @param {{ calls?: number, providers?: string[], variants?: string[], lab?: any, browser?: any, log?: (line: string) => void, onRow?: (rows: object[]) => void }} [options]
 */
export async function measureShift(options = {}) {
  const { calls = 300, providers = PROVIDERS, variants = ['raw', 'polyphone'], log = (line) => console.error(line) } = options;
  const lab = options.lab ?? (await startDemoLab());
  const browser = options.browser ?? (await launchBrowser());
  const rows = [];
  try {
    for (const provider of providers) {
      const { callerConfig, calleeConfig, target, raw: setup } = callSetup(lab, provider);
      const calleePreset = lab.presets.find((p) => p.id === `${provider}-callee`);
      const partnerPage = await browser.newPage();
      try {
        await partnerPage.evaluate(pageStartPartner, { config: calleeConfig });
        for (const variant of variants) {
          const started = Date.now();
          const result = await runShift({ browser, variant, provider, setup, callerConfig, target, partnerPage, partnerDial: calleePreset.dial, calls, log });
          const growthMb = (result.afterN.heap - result.after1.heap) / 2 ** 20;
          log(`shift ${provider} ${variant}: ${result.done} calls in ${((Date.now() - started) / 1000).toFixed(0)} s, heap ${growthMb.toFixed(2)} MB, after 1 ${JSON.stringify(result.after1)}, after N ${JSON.stringify(result.afterN)}`);
          rows.push({ provider, variant, ...result, growthMb, seconds: Math.round((Date.now() - started) / 1000) });
          // A long run keeps what it has so far, should a later provider fail or time run out.
          options.onRow?.(rows);
        }
      } finally {
        await partnerPage.evaluate(() => /** @type {any} */ (window).callee?.disconnect()).catch(() => {});
        await partnerPage.context().close().catch(() => {});
      }
    }
  } finally {
    if (!options.browser) await browser.close();
    if (!options.lab) await lab.stop();
  }
  return rows;
}

/** Left over per call, and whether the shift met its goals (heap ≤ 2 MB, nothing left per call). */
export function shiftVerdict(row) {
  const calls = Math.max(1, row.done - 1);
  const keys = ['pcsOpen', 'pcsReachable', 'tracksLive', 'tracksReachable', 'timers', 'listeners'];
  const leftPerCall = Object.fromEntries(keys.map((k) => [k, (row.afterN[k] - row.after1[k]) / calls]));
  // "Nothing left per call": after N calls the page holds at most one more than after the first
  // (an SDK may keep its most recent call's objects until the next call); a per-call leak adds
  // N − 1, so with N ≥ 10 the two cannot be confused.
  const leaks = keys.filter((k) => row.afterN[k] > row.after1[k] + 1);
  return { leftPerCall, leaks, heapMet: row.growthMb <= SHIFT_HEAP_GOAL_MB, countsMet: leaks.length === 0, complete: !row.error };
}

/** Pieces of a results row: what the page held after call 1 → after call N, for one variant. */
export function shiftCells(row) {
  const pair = (k) => `${row.after1[k]}→${row.afterN[k]}`;
  return {
    heap: `+${row.growthMb.toFixed(2)} MB (${(row.after1.heap / 2 ** 20).toFixed(1)}→${(row.afterN.heap / 2 ** 20).toFixed(1)} MB, ${row.done} calls${row.failed?.length ? `, ${row.failed.length} failed` : ''})`,
    held: `PCs open ${pair('pcsOpen')}, reachable ${pair('pcsReachable')}; tracks live ${pair('tracksLive')}, reachable ${pair('tracksReachable')}; timers ${pair('timers')}; listeners ${pair('listeners')}${row.afterN.traceEntries ? `; trace entries ${pair('traceEntries')}` : ''}`,
  };
}

export function printShift(rows) {
  console.log(`a shift: N calls in one page; heap after GC and what the page holds, after call N vs after call 1; goal heap growth ≤ ${SHIFT_HEAP_GOAL_MB} MB and nothing left per call`);
  console.log('provider | variant | calls | heap after 1 MB | heap after N MB | growth MB | PCs open 1→N | PCs reachable 1→N | tracks live 1→N | tracks reachable 1→N | timers 1→N | listeners 1→N | met');
  for (const r of rows) {
    const v = shiftVerdict(r);
    const pair = (k) => `${r.after1[k]}→${r.afterN[k]}`;
    const met = v.heapMet && v.countsMet && v.complete ? 'yes' : `NO (${[!v.heapMet && 'heap', ...v.leaks, !v.complete && `stopped: ${r.error}`].filter(Boolean).join(', ')})`;
    console.log(
      [r.provider, r.variant, r.done, (r.after1.heap / 2 ** 20).toFixed(2), (r.afterN.heap / 2 ** 20).toFixed(2), r.growthMb.toFixed(2), pair('pcsOpen'), pair('pcsReachable'), pair('tracksLive'), pair('tracksReachable'), pair('timers'), pair('listeners'), met].join(' | '),
    );
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      calls: { type: 'string', default: '300' },
      providers: { type: 'string', default: PROVIDERS.join(',') },
      variants: { type: 'string', default: 'raw,polyphone' },
      // Also write the rows as JSON (bench/run.mjs --from-shift composes RESULTS.md from them).
      json: { type: 'string' },
    },
  });
  const meta = startMeta(`node bench/shift.mjs ${process.argv.slice(2).join(' ')}`.trim());
  const save = (all) => writeFileSync(values.json, JSON.stringify({ meta: meta.finish(), rows: all }, null, 1));
  const rows = await measureShift({ calls: Number(values.calls), providers: values.providers.split(','), variants: values.variants.split(','), onRow: values.json ? save : undefined });
  printShift(rows);
  process.exit(0);
}
