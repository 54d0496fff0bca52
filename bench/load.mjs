// Load bench (not CI): N SIP.js clients through polyphone in one Node process register against
// one Kamailio, then ride out a Kamailio restart. For N = 1, 10, 100, 1000, 5000 it prints the time
// to register everyone, memory per client, and how many came back after the restart; then the
// largest N that held (everyone registered, everyone back), and whether registration time grew no
// worse than linearly (ms per client at the largest N ≤ LINEAR_SLACK × ms per client at N = 100).
//
//   npm run build && node --expose-gc bench/load.mjs [--sizes 1,10,100,1000,5000] [--batch 50]
//        [--time-limit-s 300] [--reconnect-wait-s 60] [--keep-alive-ms 15000]
//
// Every loop is bounded: sizes are capped at MAX_CLIENTS, connects run in batches with the
// client's own connect timeout, the wait after a restart has its own bound, and the whole run
// stops starting new sizes once the overall time limit is spent.
//
// A restart makes every client reconnect at once, which is the hard part at N = 5,000: the bench's
// clients (the app's choice) allow RECONNECTION_ATTEMPTS tries instead of the default 5, so that
// polyphone's jittered backoff spreads them over a few minutes instead of giving up within ~15 s
// while Kamailio is still working through the queue; the readiness bound of the restarted Kamailio
// and the wait for everyone to be back grow with N. A client that still gives up (`disconnected`)
// is connected again by the bench itself, at most APP_RECONNECT_CONCURRENCY at a time, and counted
// apart: "back by itself" is polyphone's own reconnection, "back by the app" the app's fallback.
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { createVoiceClient } from '../dist/all.js';
import { DOMAIN, loadUsers, startKamailio } from '../lab/kamailio/index.mjs';
import { startMeta } from './meta.mjs';

const MAX_CLIENTS = 5_000;
// Kamailio's shared memory holds every TCP connection and contact; 256 MB (the lab's default) is
// near its end at a few thousand WebSocket clients.
const LARGE_N = 2_000;
// "No worse than linear": per-client registration time at the largest N may exceed the one at the
// reference N by this much (noise on a shared 2-core machine) before it counts as super-linear.
export const LINEAR_SLACK = 1.25;
const LINEAR_REFERENCE_N = 100;
// See the header: tries per client after a restart (waits of up to 8 s each, so ~4 min at most).
const RECONNECTION_ATTEMPTS = 30;
const APP_RECONNECT_CONCURRENCY = 50;
/** Bounds that grow with N: the restarted Kamailio's readiness probe, and the wait for everyone. */
const readyTimeoutFor = (n) => 60_000 + 30 * n;
const backWaitFor = (n, floorMs) => Math.max(floorMs, 30_000 + 50 * n);

const { values: args } = parseArgs({
  options: {
    sizes: { type: 'string', default: '1,10,100,1000,5000' },
    batch: { type: 'string', default: '50' },
    'time-limit-s': { type: 'string', default: '300' },
    'reconnect-wait-s': { type: 'string', default: '60' },
    // polyphone's keepAliveIntervalMs for every client (default: polyphone's own, 15 s). Each
    // client pings the server at this interval, so N clients send N/interval OPTIONS a second.
    'keep-alive-ms': { type: 'string' },
  },
});
const sizes = args.sizes.split(',').map(Number);
if (sizes.some((n) => !Number.isInteger(n) || n < 1 || n > MAX_CLIENTS)) throw new Error(`--sizes: whole numbers from 1 to ${MAX_CLIENTS}`);
const batchSize = Number(args.batch);
const deadline = Date.now() + Number(args['time-limit-s']) * 1_000;
const reconnectWaitMs = Number(args['reconnect-wait-s']) * 1_000;

const meta = startMeta(`node bench/load.mjs ${process.argv.slice(2).join(' ')}`.trim());
const gc = /** @type {(() => void) | undefined} */ (globalThis.gc);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function settledMemory() {
  if (gc) {
    for (let i = 0; i < 3; i++) {
      gc();
      await sleep(20);
    }
  }
  const { heapUsed, rss } = process.memoryUsage();
  return { heapUsed, rss };
}

/** @param {number[]} values @param {number} q */
function quantile(values, q) {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/**
 * @param {number} n
 * @returns {Promise<Record<string, number | string | boolean>>}
 */
async function runSize(n) {
  const users = loadUsers(n);
  // After a restart every client reconnects at once; the lab's 5 s readiness probe competes with
  // them on a loaded machine, so it is given a minute and more with every client.
  const kamailio = await startKamailio({ users, readyTimeoutMs: readyTimeoutFor(n), ...(n > LARGE_N ? { sharedMemoryMB: 1_024 } : {}) });
  /** @type {import('../dist/all.js').VoiceClient[]} */
  const clients = [];
  try {
    const before = await settledMemory();
    const latencies = [];
    const failures = new Map();
    const started = performance.now();
    const names = Object.keys(users);
    for (let i = 0; i < n; i += batchSize) {
      const batch = await Promise.all(
        names.slice(i, i + batchSize).map((user) =>
          createVoiceClient({
            provider: 'sipjs',
            server: kamailio.wsUrl,
            uri: `sip:${user}@${DOMAIN}`,
            credentials: { type: 'password', password: users[user] },
            reconnectionAttempts: RECONNECTION_ATTEMPTS,
            ...(args['keep-alive-ms'] === undefined ? {} : { keepAliveIntervalMs: Number(args['keep-alive-ms']) }),
            // Registration queues behind thousands of others on a loaded machine.
            timeouts: { connectMs: 60_000 },
          }),
        ),
      );
      clients.push(...batch);
      // Progress of a long size (stderr): where a run that stalls stalled.
      if (n >= 1_000 && (i / batchSize) % 10 === 0) console.error(`N=${n}: ${i} started, ${latencies.length} connected, ${[...failures.values()].reduce((a, b) => a + b, 0)} failed, ${Math.round((performance.now() - started) / 1000)} s`);
      await Promise.all(
        batch.map(async (client) => {
          const t0 = performance.now();
          try {
            await client.connect();
            latencies.push(performance.now() - t0);
          } catch (error) {
            const code = /** @type {{code?: string}} */ (error).code ?? 'RAW';
            if (failures.size === 0) console.error(`N=${n}: first failed connect after ${Math.round(performance.now() - t0)} ms: ${code} ${/** @type {Error} */ (error).message} ${JSON.stringify(/** @type {any} */ (error).cause ?? '')}`);
            failures.set(code, (failures.get(code) ?? 0) + 1);
          }
        }),
      );
    }
    const registerMs = performance.now() - started;
    // Registration time depends on what else the machine runs: the 1-minute load average beside it.
    const loadAvg = os.loadavg()[0].toFixed(1);
    const registered = clients.filter((c) => c.state === 'connected').length;
    const after = await settledMemory();

    // Restart: every client must go reconnecting → connected again (re-REGISTERed).
    const back = new Set();
    const gaveUp = new Set();
    for (const client of clients) {
      client.on('stateChanged', ({ from, to }) => {
        if (from === 'reconnecting' && to === 'connected') back.add(client);
        if (to === 'disconnected') gaveUp.add(client);
      });
    }
    const restartStarted = performance.now();
    await kamailio.restart();
    const restartMs = performance.now() - restartStarted;
    const waitUntil = Date.now() + backWaitFor(n, reconnectWaitMs);
    // The app's fallback for a client whose reconnection gave up: connect() again, a few at a time.
    const backByApp = new Set();
    const appQueue = [];
    let appRunning = 0;
    const pump = () => {
      while (appRunning < APP_RECONNECT_CONCURRENCY && appQueue.length > 0 && Date.now() < waitUntil) {
        const client = appQueue.shift();
        appRunning++;
        client
          .connect()
          .then(() => backByApp.add(client), () => appQueue.push(client))
          .finally(() => {
            appRunning--;
            pump();
          });
      }
    };
    for (const client of clients) {
      client.on('stateChanged', ({ to }) => {
        if (to === 'disconnected' && !appQueue.includes(client)) {
          appQueue.push(client);
          // After the current stateChanged handlers: connect() from inside one is refused.
          setTimeout(pump, 0);
        }
      });
    }
    const allBack = () => clients.filter((c) => c.state === 'connected').length >= registered;
    while (!(back.size + backByApp.size >= registered && allBack()) && Date.now() < waitUntil) await sleep(100);
    const allBackMs = performance.now() - restartStarted;

    const held = registered === n && clients.every((c) => c.state === 'connected');
    return {
      n,
      registered,
      failures: [...failures].map(([code, count]) => `${code}×${count}`).join(' ') || '-',
      registerMs: Math.round(registerMs),
      loadAvg,
      p50: Math.round(quantile(latencies, 0.5)),
      p95: Math.round(quantile(latencies, 0.95)),
      heapKB: Math.round((after.heapUsed - before.heapUsed) / n / 1024),
      rssKB: Math.round((after.rss - before.rss) / n / 1024),
      restartMs: Math.round(restartMs),
      back: back.size,
      gaveUp: gaveUp.size,
      backByApp: backByApp.size,
      allBackMs: Math.round(allBackMs),
      held,
    };
  } finally {
    // Unregistering 1000 clients at once is itself a load; batches keep Kamailio answering.
    for (let i = 0; i < clients.length; i += batchSize) await Promise.all(clients.slice(i, i + batchSize).map((c) => c.disconnect().catch(() => {})));
    await kamailio.stop();
  }
}

function printTable(rows) {
  const columns = [
    ['N', 'n'],
    ['registered', 'registered'],
    ['failed', 'failures'],
    ['register all ms', 'registerMs'],
    ['load avg', 'loadAvg'],
    ['connect p50 ms', 'p50'],
    ['connect p95 ms', 'p95'],
    ['heap KB/client', 'heapKB'],
    ['rss KB/client', 'rssKB'],
    ['restart ms', 'restartMs'],
    ['back by itself', 'back'],
    ['gave up', 'gaveUp'],
    ['back by the app', 'backByApp'],
    ['all back ms', 'allBackMs'],
    ['held', 'held'],
  ];
  const cells = [columns.map(([title]) => title), ...rows.map((row) => columns.map(([, key]) => String(row[key])))];
  const widths = columns.map((_, i) => Math.max(...cells.map((line) => line[i].length)));
  for (const [index, line] of cells.entries()) {
    console.log(line.map((cell, i) => cell.padStart(widths[i])).join(' | '));
    if (index === 0) console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
  }
}

// Load the provider glue and sip.js before any measurement, so that N=1 is not charged for them.
await (await createVoiceClient({ provider: 'sipjs', server: 'ws://127.0.0.1:9', uri: `sip:warmup@${DOMAIN}`, credentials: { type: 'password', password: 'warm-up' } })).init();

const rows = [];
for (const n of sizes) {
  if (Date.now() > deadline) {
    console.log(`time limit reached: N=${n} and larger not run`);
    break;
  }
  console.error(`N=${n} …`);
  rows.push(await runSize(n));
}
printTable(rows);
if (!gc) console.log('(memory without --expose-gc: figures include garbage not yet collected)');
const held = rows.filter((r) => r.held).map((r) => r.n);
console.log(`largest N that held (all registered, all back after a Kamailio restart): ${held.length ? Math.max(...held) : 'none'}`);
const reference = rows.find((r) => r.n === LINEAR_REFERENCE_N);
const largest = rows.at(-1);
if (reference && largest && largest.n > reference.n) {
  const growth = largest.registerMs / largest.n / (reference.registerMs / reference.n);
  console.log(`registration ms per client at N=${largest.n} ÷ at N=${reference.n}: ${growth.toFixed(2)} (linear: ≤ ${LINEAR_SLACK})`);
}
console.log(`meta: ${JSON.stringify(meta.finish())}`);
