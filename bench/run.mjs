// `npm run bench`: every benchmark once, one table (metric, provider, polyphone, raw, ratio,
// target, met?), also written to bench/RESULTS.md with the date and the machine for the README.
//
//   node bench/run.mjs [--samples 40] [--call-samples 20] [--memory-sizes 1000,5000]
//        [--load-sizes 1,10,100,1000,5000] [--shift-calls 300] [--ice-samples 5] [--warm-samples 10]
//        [--skip memory,load,shift,ice,warm]
//
// Connect and call figures come from one demo lab and one Chromium shared by both benches; the
// SIP.js memory and load figures come from bench/memory.mjs and bench/load.mjs run as child
// processes (each in its own heap), each killed if it outlives its time bound.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
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

const here = import.meta.dirname;
const { values: args } = parseArgs({
  options: {
    // Connecting takes ~10–20 ms, so 2 % is a fraction of a millisecond: more samples than calls.
    samples: { type: 'string', default: '40' },
    'call-samples': { type: 'string', default: '20' },
    'memory-sizes': { type: 'string', default: '1000,5000' },
    'load-sizes': { type: 'string', default: '1,10,100,1000,5000' },
    // A contact-centre shift: this many calls in one page per provider and variant (bench/shift.mjs).
    'shift-calls': { type: 'string', default: '300' },
    // Calls per series in the ICE-server bench (raw JsSIP with a dead STUN server takes ~40 s each).
    'ice-samples': { type: 'string', default: '5' },
    // First calls per variant in the warm-start bench (a fresh page each: ~2 s a sample).
    'warm-samples': { type: 'string', default: '10' },
    skip: { type: 'string', default: '' },
  },
});
const skip = new Set(args.skip.split(',').filter(Boolean));
// 5,000 clients: each variant registers them (~80 s idle) and unregisters them again.
const MEMORY_LIMIT_S = 900;
const LOAD_LIMIT_S = 900;
const HEAP_PER_CLIENT_GOAL = 1.1;

const log = (line) => console.error(`[bench] ${line}`);
const started = Date.now();
const loadBefore = os.loadavg();

/** @typedef {{ metric: string, provider: string, polyphone: string, raw: string, ratio: string, target: string, met: string }} Row */
/** @type {Row[]} */
const rows = [];
const notes = [];
const ms = (v) => `${v.toFixed(v < 100 ? 1 : 0)} ms`;
const timed = (s) => `${ms(s.median)} (p90 ${ms(s.p90)})`;
const verdict = (ok) => (ok ? 'yes' : 'NO');
const ratioCell = (r) => `${r.ratio.toFixed(3)} [${r.low.toFixed(2)}–${r.high.toFixed(2)}]`;

// ---- bundle size ----
if (!skip.has('bundle')) {
  log('bundle size …');
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
}

// ---- connect and call setup in Chromium ----
let chromiumVersion = 'not launched';
if (!skip.has('connect') || !skip.has('calls') || !skip.has('shift') || !skip.has('ice') || !skip.has('warm')) {
  const lab = await startDemoLab();
  const browser = await launchBrowser();
  chromiumVersion = browser.browser.version();
  try {
    if (!skip.has('connect')) {
      log('time to connected …');
      for (const r of await measureConnect({ lab, browser, samples: Number(args.samples), log })) {
        rows.push({
          metric: `time to registered/connected (n=${r.raw.n}+${r.polyphone.n})`,
          provider: r.provider,
          polyphone: timed(r.polyphone),
          raw: timed(r.raw),
          ratio: ratioCell(r),
          target: `≤ ${r.target}`,
          met: r.verdict,
        });
      }
    }
    if (!skip.has('calls')) {
      log('call setup …');
      for (const r of await measureCalls({ lab, browser, samples: Number(args['call-samples']), log })) {
        rows.push({
          metric: `${r.metric} (n=${r.raw.n}+${r.polyphone.n})`,
          provider: r.provider,
          polyphone: timed(r.polyphone),
          raw: timed(r.raw),
          ratio: ratioCell(r),
          target: `≤ ${r.target}`,
          met: r.verdict,
        });
      }
    }
    if (!skip.has('ice')) {
      log('call setup with ICE servers …');
      const ice = await measureIce({ lab, browser, samples: Number(args['ice-samples']), log });
      for (const r of ice) {
        rows.push({ metric: `${r.metric}, iceServers ${r.servers} (n=${r.raw.n}+${r.polyphone.n})`, provider: r.provider, polyphone: timed(r.polyphone), raw: timed(r.raw), ratio: (r.polyphone.median / r.raw.median).toFixed(3), target: '-', met: 'n/a' });
      }
      for (const v of iceVerdicts(ice)) {
        const declared = NO_ICE_HOOK[v.provider] ? ` (${NO_ICE_HOOK[v.provider]})` : '';
        rows.push({ metric: `${v.metric}: [dead STUN, live TURN] ÷ none, polyphone${declared}`, provider: v.provider, polyphone: v.selfRatio.toFixed(2), raw: '-', ratio: '-', target: `≤ ${ICE_GOAL}`, met: verdict(v.selfMet) });
        if (v.vsRawMet !== undefined) rows.push({ metric: `${v.metric} with [dead STUN, live TURN]: polyphone ÷ raw`, provider: v.provider, polyphone: '-', raw: '-', ratio: v.vsRaw.toFixed(3), target: '< 1 (faster than raw)', met: verdict(v.vsRawMet) });
      }
    }
    if (!skip.has('warm')) {
      log('a warm start: first call, cold vs prepare() …');
      for (const r of await measureWarm({ lab, browser, samples: Number(args['warm-samples']), log })) {
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
    }
    if (!skip.has('shift')) {
      log(`a shift of ${args['shift-calls']} calls per provider …`);
      const shifts = await measureShift({ lab, browser, calls: Number(args['shift-calls']), log });
      for (const poly of shifts.filter((r) => r.variant === 'polyphone')) {
        const raw = shifts.find((r) => r.variant === 'raw' && r.provider === poly.provider);
        const [p, r] = [shiftCells(poly), raw ? shiftCells(raw) : { heap: '-', held: '-' }];
        const v = shiftVerdict(poly);
        if (poly.error) notes.push(`shift ${poly.provider}: stopped after ${poly.done} calls: ${poly.error}`);
        if (raw?.error) notes.push(`shift ${poly.provider} raw: stopped after ${raw.done} calls: ${raw.error}`);
        rows.push({ metric: 'a shift: heap after GC, after call N − after call 1', provider: poly.provider, polyphone: p.heap, raw: r.heap, ratio: '-', target: `≤ ${SHIFT_HEAP_GOAL_MB} MB`, met: verdict(v.heapMet && v.complete) });
        rows.push({ metric: 'a shift: left behind, after call 1 → after call N', provider: poly.provider, polyphone: p.held, raw: r.held, ratio: '-', target: 'nothing per call', met: verdict(v.countsMet && v.complete) });
      }
    }
  } finally {
    await browser.close();
    await lab.stop();
  }
}

// ---- SIP.js in Node: memory per client, and load ----

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
  return lines.slice(1).map((line) => Object.fromEntries(line.split('|').map((c, i) => [header[i], c.trim()])));
}

if (!skip.has('memory')) {
  log(`memory per SIP.js client (sizes ${args['memory-sizes']}) …`);
  const { out, code, timedOut } = await runChild('memory.mjs', ['--sizes', args['memory-sizes']], MEMORY_LIMIT_S);
  const table = parseTable(out);
  if (code !== 0 || table.length === 0) notes.push(`bench/memory.mjs ${timedOut ? `stopped after its ${MEMORY_LIMIT_S} s bound` : `exited with ${code}`}; its figures are missing.`);
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
        met: kind === 'heap' ? verdict(Number(r[ratioKey]) <= HEAP_PER_CLIENT_GOAL) : 'n/a',
      });
    }
  }
}

if (!skip.has('load')) {
  log(`load: N SIP.js clients against one Kamailio (sizes ${args['load-sizes']}) …`);
  const { out, code, timedOut } = await runChild(
    'load.mjs',
    ['--sizes', args['load-sizes'], '--time-limit-s', String(LOAD_LIMIT_S - 60), '--reconnect-wait-s', '30'],
    LOAD_LIMIT_S,
    ['--expose-gc'],
  );
  const table = parseTable(out);
  if (code !== 0 || table.length === 0) notes.push(`bench/load.mjs ${timedOut ? `stopped after its ${LOAD_LIMIT_S} s bound` : `exited with ${code}`}; its figures are missing.`);
  const skipped = out.split('\n').find((line) => line.startsWith('time limit reached'));
  if (skipped) notes.push(`bench/load.mjs: ${skipped}`);
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
  for (const r of table) {
    const n = Number(r.N);
    rows.push({
      metric: `register N clients at once through one Kamailio (N=${n})`,
      provider: 'sipjs',
      polyphone: `${r['register all ms']} ms for ${r.registered}/${n} (${(Number(r['register all ms']) / n).toFixed(1)} ms/client, p50 ${r['connect p50 ms']} ms)`,
      raw: '-',
      ratio: '-',
      target: 'all registered and back after a restart',
      met: verdict(r.held === 'true'),
    });
  }
}

// ---- the table ----
const columns = [
  ['metric', 'metric'],
  ['provider', 'provider'],
  ['polyphone', 'polyphone'],
  ['raw', 'raw'],
  ['ratio', 'ratio'],
  ['target', 'target'],
  ['met?', 'met'],
];
const cells = [columns.map(([title]) => title), ...rows.map((row) => columns.map(([, key]) => row[key]))];
const widths = columns.map((_, i) => Math.max(...cells.map((line) => line[i].length)));
console.log('');
for (const [index, line] of cells.entries()) {
  console.log(line.map((cell, i) => cell.padEnd(widths[i])).join(' | '));
  if (index === 0) console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
}
for (const note of notes) console.log(`note: ${note}`);

const cpus = os.cpus();
const machine = `${cpus[0]?.model ?? 'unknown CPU'}, ${cpus.length} cores, ${(os.totalmem() / 2 ** 30).toFixed(1)} GB RAM, ${os.type()} ${os.release()}; Node ${process.version}, Chromium ${chromiumVersion}`;
const loadAfter = os.loadavg();
const minutes = ((Date.now() - started) / 60_000).toFixed(1);
const escape = (cell) => cell.replaceAll('|', '\\|');
const markdown = [
  '# Benchmark results',
  '',
  `Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC by \`npm run bench\` (${minutes} min) on: ${machine}.`,
  `System load average (1 min) ${loadBefore[0].toFixed(1)} at the start, ${loadAfter[0].toFixed(1)} at the end.`,
  '',
  'Timings: median (p90) of interleaved samples (raw, polyphone, raw, polyphone…) in headless Chromium against the local lab;',
  'ratio = polyphone median ÷ raw median, with its 95 % bootstrap interval in brackets; "within noise" means the interval reaches across the target.',
  '"raw" is the vendor SDK used directly for the same steps (bench/connect.mjs and bench/calls.mjs say exactly which).',
  '',
  `| ${columns.map(([title]) => title).join(' | ')} |`,
  `|${columns.map(() => '---').join('|')}|`,
  ...rows.map((row) => `| ${columns.map(([, key]) => escape(row[key])).join(' | ')} |`),
  '',
  ...notes.map((note) => `- ${note}`),
  '',
].join('\n');
writeFileSync(join(here, 'RESULTS.md'), markdown);
console.log(`\nwritten to bench/RESULTS.md (${machine}; ${minutes} min)`);
process.exit(0);
