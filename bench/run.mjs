// `npm run bench`: the benchmarks, each figure beside its goal (metric, provider, polyphone, raw,
// ratio, target, met?), composed into bench/RESULTS.md for the README.
//
//   node bench/run.mjs [--only bundle,connect,calls,ice,warm,shift,memory,load] [--skip …]
//        [--samples 40] [--call-samples 20] [--ice-samples 5] [--warm-samples 10] [--shift-calls 300]
//        [--memory-sizes 1,10,100,1000,5000] [--load-sizes 1,10,100,1000,5000]
//        [--shift-from run.json] [--memory-from out.txt] [--load-from out.txt] [--compose]
// (with a --*-from and no --only, only the saved runs are read and nothing is measured)
//
// Each bench writes its own fragment, bench/results/<bench>.md, with its own date, machine, load
// average and arguments; bench/RESULTS.md is then composed from every fragment there. A partial
// run (--only, --skip) so refreshes only its own fragments and keeps the others: the heavy ones
// (a shift of 300 calls per provider, 5,000 SIP.js clients) take too long to rerun with the rest.
// A heavy bench run alone (node bench/shift.mjs --json f, node bench/memory.mjs > f,
// node --expose-gc bench/load.mjs > f) becomes its fragment with --shift-from/--memory-from/
// --load-from f, which reads the run's saved output (its `meta:` line says when and where).
//
// Connect and call figures come from one demo lab and one Chromium shared by the browser benches;
// the SIP.js memory and load figures from bench/memory.mjs and bench/load.mjs run as child
// processes (each in its own heap), each killed if it outlives its time bound.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { launchBrowser } from '../lab/browser/index.mjs';
import { startDemoLab } from '../demo/lab.mjs';
import { measureBundles } from './bundle-size.mjs';
import { measureCalls } from './calls.mjs';
import { measureConnect } from './connect.mjs';
import { measureShift, SHIFT_HEAP_GOAL_MB, shiftCells, shiftVerdict } from './shift.mjs';
import { ICE_GOAL, iceVerdicts, measureIce, NO_ICE_HOOK } from './ice.mjs';
import { measureWarm } from './warm.mjs';
import { readMeta, startMeta } from './meta.mjs';

const here = import.meta.dirname;
const BENCHES = /** @type {const} */ (['bundle', 'connect', 'calls', 'ice', 'warm', 'shift', 'memory', 'load']);
const TITLES = {
  bundle: 'Bytes: bundle size, min+gzip',
  connect: 'Time to registered/connected',
  calls: 'Call setup on the clean loopback',
  ice: 'Call setup with ICE servers (one ICE policy for every provider)',
  warm: 'A warm start: the first call, cold vs client.prepare()',
  shift: 'A shift without leaks: N calls in one page',
  memory: 'Scale: heap per registered SIP.js client in one Node process',
  load: 'Scale: N SIP.js clients through one Kamailio, registered and back after a restart',
};
const { values: args } = parseArgs({
  options: {
    // Default: every bench, or with --*-from only those saved runs.
    only: { type: 'string' },
    skip: { type: 'string', default: '' },
    // Connecting takes ~10–20 ms, so 2 % is a fraction of a millisecond: more samples than calls.
    samples: { type: 'string', default: '40' },
    'call-samples': { type: 'string', default: '20' },
    'memory-sizes': { type: 'string', default: '1,10,100,1000,5000' },
    'load-sizes': { type: 'string', default: '1,10,100,1000,5000' },
    // A contact-centre shift: this many calls in one page per provider and variant (bench/shift.mjs).
    'shift-calls': { type: 'string', default: '300' },
    // Calls per series in the ICE-server bench (raw JsSIP with a dead STUN server takes ~40 s each).
    'ice-samples': { type: 'string', default: '5' },
    // First calls per variant in the warm-start bench (a fresh page each: ~2 s a sample).
    'warm-samples': { type: 'string', default: '10' },
    'shift-from': { type: 'string' },
    'memory-from': { type: 'string' },
    'load-from': { type: 'string' },
    // Measure nothing: compose bench/RESULTS.md from the fragments there are.
    compose: { type: 'boolean', default: false },
  },
});
const fromSaved = ['shift', 'memory', 'load'].filter((bench) => args[`${bench}-from`]);
const only = args.only ?? (fromSaved.length ? '' : BENCHES.join(','));
const unknown = [...only.split(','), ...args.skip.split(',')].filter((b) => b && !BENCHES.includes(b));
if (unknown.length) throw new Error(`unknown bench ${unknown.join(', ')}; the benches: ${BENCHES.join(', ')}`);
const skip = new Set(args.skip.split(',').filter(Boolean));
const selected = new Set(args.compose ? [] : only.split(',').filter((b) => b && !skip.has(b)));
// Saved runs stand in for their bench.
for (const bench of fromSaved) selected.add(bench);
// 5,000 clients: each variant registers them (minutes on a loaded machine) and unregisters them again.
const MEMORY_LIMIT_S = 2_400;
const LOAD_LIMIT_S = 1_800;
const HEAP_PER_CLIENT_GOAL = 1.1;

const log = (line) => console.error(`[bench] ${line}`);
const command = `node bench/run.mjs ${process.argv.slice(2).join(' ')}`.trim();

/** @typedef {{ metric: string, provider: string, polyphone: string, raw: string, ratio: string, target: string, met: string }} Row */
/** @typedef {{ rows: Row[], notes: string[], meta: ReturnType<ReturnType<typeof startMeta>['finish']>, about?: string[] }} Fragment */

const ms = (v) => `${v.toFixed(v < 100 ? 1 : 0)} ms`;
const timed = (s) => `${ms(s.median)} (p90 ${ms(s.p90)})`;
const verdict = (ok) => (ok ? 'yes' : 'NO');
const ratioCell = (r) => `${r.ratio.toFixed(3)} [${r.low.toFixed(2)}–${r.high.toFixed(2)}]`;
const TIMING_ABOUT = [
  'Timings: median (p90) of interleaved samples (raw, polyphone, raw, polyphone…) in headless Chromium against the local lab;',
  'ratio = polyphone median ÷ raw median, with its 95 % bootstrap interval in brackets; "within noise" means the interval reaches across the target.',
  '"raw" is the vendor SDK used directly for the same steps (bench/connect.mjs and bench/calls.mjs say exactly which).',
];

// ---- the benches: each gives its rows and notes ----

async function bundleRows() {
  const rows = [];
  for (const r of await measureBundles()) {
    rows.push({
      metric: `bundle min+gzip: ${r.part}`,
      provider: r.provider,
      polyphone: `${(r.gzipBytes / 1024).toFixed(2)} KB`,
      raw: r.vendorGzipBytes === undefined ? '-' : `SDK ${(r.vendorGzipBytes / 1024).toFixed(1)} KB`,
      ratio: '-',
      target: r.targetText ?? '-',
      met: r.target === undefined ? 'n/a' : verdict(r.gzipBytes <= r.target),
    });
  }
  return { rows, notes: [] };
}

async function connectRows(ctx) {
  const rows = (await measureConnect({ ...ctx, samples: Number(args.samples), log })).map((r) => ({
    metric: `time to registered/connected (n=${r.raw.n}+${r.polyphone.n})`,
    provider: r.provider,
    polyphone: timed(r.polyphone),
    raw: timed(r.raw),
    ratio: ratioCell(r),
    target: `≤ ${r.target}`,
    met: r.verdict,
  }));
  return { rows, notes: [], about: TIMING_ABOUT };
}

async function callRows(ctx) {
  const rows = (await measureCalls({ ...ctx, samples: Number(args['call-samples']), log })).map((r) => ({
    metric: `${r.metric} (n=${r.raw.n}+${r.polyphone.n})`,
    provider: r.provider,
    polyphone: timed(r.polyphone),
    raw: timed(r.raw),
    ratio: ratioCell(r),
    target: `≤ ${r.target}`,
    met: r.verdict,
  }));
  return { rows, notes: [], about: TIMING_ABOUT };
}

async function iceRows(ctx) {
  const ice = await measureIce({ ...ctx, samples: Number(args['ice-samples']), log });
  const rows = ice.map((r) => ({ metric: `${r.metric}, iceServers ${r.servers} (n=${r.raw.n}+${r.polyphone.n})`, provider: r.provider, polyphone: timed(r.polyphone), raw: timed(r.raw), ratio: (r.polyphone.median / r.raw.median).toFixed(3), target: '-', met: 'n/a' }));
  for (const v of iceVerdicts(ice)) {
    const declared = NO_ICE_HOOK[v.provider] ? ` (${NO_ICE_HOOK[v.provider]})` : '';
    rows.push({ metric: `${v.metric}: [dead STUN, live TURN] ÷ none, polyphone${declared}`, provider: v.provider, polyphone: v.selfRatio.toFixed(2), raw: '-', ratio: '-', target: `≤ ${ICE_GOAL}`, met: verdict(v.selfMet) });
    if (v.vsRawMet !== undefined) rows.push({ metric: `${v.metric} with [dead STUN, live TURN]: polyphone ÷ raw`, provider: v.provider, polyphone: '-', raw: '-', ratio: v.vsRaw.toFixed(3), target: '< 1 (faster than raw)', met: verdict(v.vsRawMet) });
  }
  return { rows, notes: [], about: TIMING_ABOUT };
}

/** Rows of a shift run (measured now, or read back from `node bench/shift.mjs --json`). */
async function warmRows(ctx) {
  const rows = [];
  const notes = [];
  for (const r of await measureWarm({ ...ctx, samples: Number(args['warm-samples']), log })) {
    rows.push({
      metric: `${r.metric} (n=${r.cold.n}+${r.prepared.n})`,
      provider: r.provider,
      polyphone: `prepared ${timed(r.prepared)}${r.microphoneHeld ? '' : ', no microphone held (declared)'}`,
      raw: `cold ${timed(r.cold)}`,
      ratio: ratioCell(r),
      target: 'prepared < cold',
      met: r.verdict,
    });
    if (r.metric.includes('connected')) {
      notes.push(`warm start ${r.provider}: a page's first getUserMedia took ${ms(r.microphoneOpen.median)} (median) here, Chromium's fake device; a real microphone, and a permission prompt, take longer, so what prepare() saves on the microphone is a lower bound.`);
    }
  }
  return { rows, notes, about: ['Each sample is the first call of a fresh page: "raw" here is polyphone cold (no prepare()), ratio = prepared ÷ cold.'] };
}

function shiftFragmentRows(shifts) {
  const rows = [];
  const notes = [];
  for (const poly of shifts.filter((r) => r.variant === 'polyphone')) {
    const raw = shifts.find((r) => r.variant === 'raw' && r.provider === poly.provider);
    const [p, r] = [shiftCells(poly), raw ? shiftCells(raw) : { heap: 'not run', held: 'not run' }];
    const v = shiftVerdict(poly);
    for (const [row, who] of [[poly, 'polyphone'], [raw, 'raw']]) for (const why of row?.failed ?? []) notes.push(`shift ${poly.provider} ${who}: ${why} (the shift went on)`);
    if (poly.error) notes.push(`shift ${poly.provider}: stopped after ${poly.done} calls: ${poly.error}`);
    if (raw?.error) notes.push(`shift ${poly.provider} raw: stopped after ${raw.done} calls: ${raw.error}`);
    if (raw && !shiftVerdict(raw).heapMet) notes.push(`shift ${poly.provider}: raw ${poly.provider} itself grows ${raw.growthMb.toFixed(2)} MB over ${raw.done} calls.`);
    rows.push({ metric: 'a shift: heap after GC, after call N − after call 1', provider: poly.provider, polyphone: p.heap, raw: r.heap, ratio: '-', target: `≤ ${SHIFT_HEAP_GOAL_MB} MB`, met: verdict(v.heapMet && v.complete) });
    rows.push({ metric: 'a shift: left behind, after call 1 → after call N', provider: poly.provider, polyphone: p.held, raw: r.held, ratio: '-', target: 'nothing per call', met: verdict(v.countsMet && v.complete) });
  }
  for (const raw of shifts.filter((r) => r.variant === 'raw' && !shifts.some((p) => p.variant === 'polyphone' && p.provider === r.provider))) {
    notes.push(`shift ${raw.provider}: only raw ran (${raw.done} calls, heap +${raw.growthMb.toFixed(2)} MB); polyphone not measured in this run.`);
  }
  return { rows, notes };
}

async function shiftRows(ctx) {
  log(`a shift of ${args['shift-calls']} calls per provider …`);
  return shiftFragmentRows(await measureShift({ ...ctx, calls: Number(args['shift-calls']), log }));
}

/** Runs a bench script as a child; resolves with its stdout, or with what it printed before its bound. */
function runChild(script, scriptArgs, limitS, nodeArgs = []) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...nodeArgs, join(here, script), ...scriptArgs], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    let timedOut = false;
    child.stdout.on('data', (chunk) => (out += chunk));
    // SIGTERM first: the lab's Kamailio helper stops its server on it.
    const term = setTimeout(() => {
      timedOut = true;
      child.kill('SIGTERM');
    }, limitS * 1_000);
    const kill = setTimeout(() => child.kill('SIGKILL'), limitS * 1_000 + 10_000);
    child.once('exit', (code) => {
      clearTimeout(term);
      clearTimeout(kill);
      resolve({ out, code, timedOut });
    });
  });
}

/** The `a | b | c` table a bench script prints, as objects keyed by its header. */
function parseTable(text) {
  const lines = text.split('\n').filter((line) => line.includes(' | '));
  if (lines.length < 2) return [];
  const header = lines[0].split('|').map((c) => c.trim());
  return lines
    .slice(1)
    .filter((line) => !/^[-|]+$/.test(line.replaceAll(' ', '')))
    .map((line) => Object.fromEntries(line.split('|').map((c, i) => [header[i], c.trim()])));
}

/** Rows of bench/memory.mjs's output. */
function memoryFragmentRows(out, failure) {
  const table = parseTable(out);
  const notes = [];
  if (failure || table.length === 0) notes.push(`bench/memory.mjs ${failure ?? 'printed no table'}; its figures are missing.`);
  const rows = [];
  for (const r of table) {
    for (const [kind, rawKey, polyKey, ratioKey] of [
      ['heap', 'raw heap KB', 'polyphone heap KB', 'heap ratio'],
      ['RSS', 'raw rss KB', 'polyphone rss KB', 'rss ratio'],
    ]) {
      rows.push({
        metric: `memory per registered client in Node, ${kind} (N=${r.N})`,
        provider: 'sipjs',
        polyphone: `${r[polyKey]} KB`,
        raw: `${r[rawKey]} KB`,
        ratio: r[ratioKey],
        target: kind === 'heap' ? `≤ ${HEAP_PER_CLIENT_GOAL}` : '-',
        // One client's heap is within the noise of a GC; the goal is read at N ≥ 100.
        met: kind === 'heap' && Number(r.N) >= 100 ? verdict(Number(r[ratioKey]) <= HEAP_PER_CLIENT_GOAL) : 'n/a',
      });
    }
  }
  for (const line of out.split('\n').filter((l) => l.startsWith('note: '))) notes.push(line.slice('note: '.length));
  const about = [
    'Heap after GC per registered client: polyphone (createVoiceClient + connect) vs raw sip.js (UserAgent + Registerer), each variant in its own',
    'Node process against the same Kamailio, 50 clients at a time, after one warm-up client connected in both (compiled code is not a per-client cost).',
    'Heap figures do not depend on the machine\'s load, except for what is in flight when it is read (polyphone\'s keep-alive OPTIONS among them).',
  ];
  return { rows, notes, about };
}

async function memoryRows() {
  log(`memory per SIP.js client (sizes ${args['memory-sizes']}) …`);
  const { out, code, timedOut } = await runChild('memory.mjs', ['--sizes', args['memory-sizes']], MEMORY_LIMIT_S);
  return memoryFragmentRows(out, code === 0 ? undefined : timedOut ? `stopped after its ${MEMORY_LIMIT_S} s bound` : `exited with ${code}`);
}

/** Rows of bench/load.mjs's output. */
function loadFragmentRows(out, failure) {
  const table = parseTable(out);
  const notes = [];
  if (failure || table.length === 0) notes.push(`bench/load.mjs ${failure ?? 'printed no table'}; figures of the sizes it did not finish are missing.`);
  const skipped = out.split('\n').find((line) => line.startsWith('time limit reached'));
  if (skipped) notes.push(`bench/load.mjs: ${skipped}`);
  // Its own command line says the clients' settings (--keep-alive-ms).
  const own = readMeta(out);
  if (own) notes.push(`bench/load.mjs ran as \`${own.command}\`.`);
  const rows = [];
  for (const r of table) {
    const n = Number(r.N);
    const byApp = Number(r['back by the app'] ?? 0);
    rows.push({
      metric: `register N clients through one Kamailio, then restart it (N=${n})`,
      provider: 'sipjs',
      polyphone: `${r['register all ms']} ms for ${r.registered}/${n} (${(Number(r['register all ms']) / n).toFixed(1)} ms/client, p50 ${r['connect p50 ms']} ms, load avg ${r['load avg'] ?? '?'}); after the restart ${r['back by itself'] ?? r['back after restart']} back by themselves${byApp ? `, ${byApp} by the app's connect()` : ''} in ${r['all back ms']} ms`,
      raw: '-',
      ratio: '-',
      target: 'all registered and back after a restart',
      met: r.held === 'true' ? (byApp ? `yes (${byApp} through the app's fallback)` : 'yes') : 'NO',
    });
  }
  const linear = out.split('\n').find((line) => line.startsWith('registration ms per client at N='));
  const growth = linear?.match(/: ([\d.]+) \(linear: ≤ ([\d.]+)\)/);
  if (growth) {
    rows.push({
      metric: `registration time vs N: ${linear.slice(0, linear.indexOf(':'))}`,
      provider: 'sipjs',
      polyphone: growth[1],
      raw: '-',
      ratio: '-',
      target: `≤ ${growth[2]} (no worse than linear)`,
      met: verdict(Number(growth[1]) <= Number(growth[2])),
    });
  }
  const about = [
    'polyphone SIP.js clients in one Node process register through one Kamailio (50 at a time), then Kamailio restarts on the same port and every',
    'client must come back by itself (its reconnection: 30 tries, jittered backoff up to 8 s; the app\'s fallback, connect() at most 50 at a time, is counted apart).',
    'Registration time depends on the machine\'s load: the 1-minute load average at the end of each registration is beside it.',
  ];
  return { rows, notes, about };
}

async function loadRows() {
  log(`load: N SIP.js clients against one Kamailio (sizes ${args['load-sizes']}) …`);
  // Clients ping every 60 s instead of polyphone's default 15 s: with the default, 5,000 clients'
  // keep-alive OPTIONS (~330 a second) made connects fail from ~3,900 clients on this 2-core
  // machine (bench/results/load.md says with which runs); the fragment notes load.mjs's own command.
  const { out, code, timedOut } = await runChild('load.mjs', ['--sizes', args['load-sizes'], '--time-limit-s', String(LOAD_LIMIT_S - 300), '--reconnect-wait-s', '30', '--keep-alive-ms', '60000'], LOAD_LIMIT_S, ['--expose-gc']);
  return loadFragmentRows(out, code === 0 ? undefined : timedOut ? `stopped after its ${LOAD_LIMIT_S} s bound` : `exited with ${code}`);
}

// ---- fragments and RESULTS.md ----

const resultsDir = join(here, 'results');
const escape = (cell) => String(cell).replaceAll('|', '\\|');
const COLUMNS = [
  ['metric', 'metric'],
  ['provider', 'provider'],
  ['polyphone', 'polyphone'],
  ['raw', 'raw'],
  ['ratio', 'ratio'],
  ['target', 'target'],
  ['met?', 'met'],
];

/** @param {string} bench @param {Fragment} fragment */
function writeFragment(bench, fragment) {
  const { meta } = fragment;
  const text = [
    `## ${TITLES[bench]}`,
    '',
    `Measured ${meta.started.slice(0, 16).replace('T', ' ')} UTC by \`${meta.command}\` (${meta.minutes} min) on: ${meta.machine}.`,
    `System load average (1 min) ${meta.loadBefore} at the start, ${meta.loadAfter} at the end.`,
    ...(fragment.about ? ['', ...fragment.about] : []),
    '',
    `| ${COLUMNS.map(([title]) => title).join(' | ')} |`,
    `|${COLUMNS.map(() => '---').join('|')}|`,
    ...fragment.rows.map((row) => `| ${COLUMNS.map(([, key]) => escape(row[key])).join(' | ')} |`),
    '',
    ...fragment.notes.map((note) => `- ${note}`),
  ].join('\n');
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(join(resultsDir, `${bench}.md`), `${text.trimEnd()}\n`);
  console.log(`\n${text}`);
}

function composeResults() {
  const parts = ['# Benchmark results', '', 'Composed by `npm run bench` (bench/run.mjs) from bench/results/*.md: each section was measured on its own, with its own date, machine, load average and arguments; `npm run bench -- --only <bench>` refreshes one section and keeps the others.', ''];
  for (const bench of BENCHES) {
    const file = join(resultsDir, `${bench}.md`);
    parts.push(existsSync(file) ? readFileSync(file, 'utf8').trimEnd() : `## ${TITLES[bench]}\n\nNot measured yet: \`node bench/run.mjs --only ${bench}\`.`, '');
  }
  writeFileSync(join(here, 'RESULTS.md'), parts.join('\n'));
}

/** A bench measured now: its rows with the date, machine and load of this run. */
async function measured(bench, run, chromium) {
  const meta = startMeta(command);
  try {
    const fragment = await run();
    writeFragment(bench, { ...fragment, meta: meta.finish(chromium?.()) });
  } catch (error) {
    // One bench failing keeps the fragments of the others (and its own last one).
    log(`${bench} failed: ${error.stack ?? error}`);
  }
}

/** A heavy bench's saved run: its output, with the date, machine and load it printed (`meta:`). */
function fragmentFromSaved(bench, file, toRows) {
  const text = readFileSync(file, 'utf8');
  if (bench === 'shift') {
    // Several runs (one per provider, say) may be merged into one file; their own notes come along.
    const saved = JSON.parse(text);
    const fragment = toRows(saved.rows);
    writeFragment(bench, { ...fragment, notes: [...(saved.notes ?? []), ...fragment.notes], meta: saved.meta });
    return;
  }
  const meta = readMeta(text);
  if (!meta) throw new Error(`${file}: no "meta:" line; it is not the saved output of a bench run`);
  writeFragment(bench, { ...toRows(text), meta });
}

if (args['shift-from']) fragmentFromSaved('shift', args['shift-from'], shiftFragmentRows);
if (args['memory-from']) fragmentFromSaved('memory', args['memory-from'], (out) => memoryFragmentRows(out));
if (args['load-from']) fragmentFromSaved('load', args['load-from'], (out) => loadFragmentRows(out));
const runNow = (bench) => selected.has(bench) && !args[`${bench}-from`];

if (runNow('bundle')) {
  log('bundle size …');
  await measured('bundle', bundleRows);
}

if (['connect', 'calls', 'ice', 'warm', 'shift'].some(runNow)) {
  const lab = await startDemoLab();
  const browser = await launchBrowser();
  const ctx = { lab, browser };
  const chromium = () => browser.browser.version();
  try {
    if (runNow('connect')) await measured('connect', () => connectRows(ctx), chromium);
    if (runNow('calls')) await measured('calls', () => callRows(ctx), chromium);
    if (runNow('ice')) await measured('ice', () => iceRows(ctx), chromium);
    if (runNow('warm')) await measured('warm', () => warmRows(ctx), chromium);
    if (runNow('shift')) await measured('shift', () => shiftRows(ctx), chromium);
  } finally {
    await browser.close();
    await lab.stop();
  }
}

if (runNow('memory')) await measured('memory', memoryRows);
if (runNow('load')) await measured('load', loadRows);

composeResults();
console.log(`\nbench/RESULTS.md composed from bench/results/ (${[...selected].join(', ') || 'nothing'} refreshed)`);
process.exit(0);
