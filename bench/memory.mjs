// Memory bench (not CI): what one registered client costs through polyphone compared with raw
// sip.js (UserAgent + Registerer used directly), same N, same Kamailio. Each variant runs in its
// own Node process with --expose-gc, so neither inherits the other's heap.
//
//   npm run build && node bench/memory.mjs [--sizes 100,500] [--batch 50] [--where]
//
// --where: each variant also takes a heap snapshot before and after its clients and the parent
// prints, per constructor (or closure name, string, array…), the bytes per client polyphone holds
// beyond raw sip.js: where the difference goes.
//
// Bounded: sizes capped at MAX_CLIENTS; each child process is killed after CHILD_TIMEOUT_MS.
import { spawn } from 'node:child_process';
import v8 from 'node:v8';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DOMAIN, loadUsers, startKamailio } from '../lab/kamailio/index.mjs';
import { startMeta } from './meta.mjs';

const MAX_CLIENTS = 5_000;
// 5,000 clients register in about 80 s on an idle 2-core machine (several minutes on a loaded one), and unregister after.
const CHILD_TIMEOUT_MS = 900_000;
// Tries per client to connect and register (see child()).
const TRIES = 5;
const SELF = fileURLToPath(import.meta.url);

const { values: args } = parseArgs({
  options: {
    sizes: { type: 'string', default: '100,1000' },
    batch: { type: 'string', default: '50' },
    where: { type: 'boolean', default: false },
    // Child mode (internal): measure one variant against a running Kamailio.
    variant: { type: 'string' },
    n: { type: 'string' },
    server: { type: 'string' },
  },
});
const batchSize = Number(args.batch);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function settledMemory() {
  for (let i = 0; i < 3; i++) {
    globalThis.gc?.();
    await sleep(20);
  }
  const { heapUsed, rss } = process.memoryUsage();
  return { heapUsed, rss };
}

/** One polyphone client, connected (registered); returns its disconnect. */
async function polyphoneClient(createVoiceClient, server, user, password) {
  // A minute to connect, like raw sip.js (which has no overall bound): on a loaded machine 5,000
  // registrations queue up behind each other, and a timeout here would only void the run.
  const client = await createVoiceClient({ provider: 'sipjs', server, uri: `sip:${user}@${DOMAIN}`, credentials: { type: 'password', password }, timeouts: { connectMs: 60_000 } });
  await client.connect();
  return () => client.disconnect();
}

/** One raw sip.js UserAgent + Registerer, registered; returns its stop. */
async function rawClient(sip, server, user, password) {
  const ua = new sip.UserAgent({
    uri: sip.UserAgent.makeURI(`sip:${user}@${DOMAIN}`),
    transportOptions: { server },
    authorizationUsername: user,
    authorizationPassword: password,
    logBuiltinEnabled: false,
    logLevel: 'error',
  });
  await ua.start();
  const registerer = new sip.Registerer(ua, { expires: 300 });
  await new Promise((resolve, reject) => {
    registerer.stateChange.addListener((state) => state === sip.RegistererState.Registered && resolve(undefined));
    registerer.register({ requestDelegate: { onReject: (r) => reject(new Error(`REGISTER ${r.message.statusCode}`)) } }).catch(reject);
  });
  return async () => {
    await registerer.unregister().catch(() => {});
    await ua.stop();
  };
}

/** Self size per node kind and name in a fresh heap snapshot (after a GC): where the heap's bytes are. */
async function heapByClass() {
  const chunks = [];
  for await (const chunk of v8.getHeapSnapshot()) chunks.push(chunk);
  const snap = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  const fields = snap.snapshot.meta.node_fields;
  const types = snap.snapshot.meta.node_types[0];
  const [typeAt, nameAt, sizeAt] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f));
  /** @type {Record<string, number>} */
  const bytes = {};
  for (let i = 0; i < snap.nodes.length; i += fields.length) {
    const type = types[snap.nodes[i + typeAt]];
    // Strings and numbers are grouped by kind; objects by constructor, closures by function name.
    const name = type === 'object' || type === 'closure' || type === 'hidden' || type === 'native' ? `${type} ${String(snap.strings[snap.nodes[i + nameAt]]).slice(0, 60)}` : type;
    bytes[name] = (bytes[name] ?? 0) + snap.nodes[i + sizeAt];
  }
  return bytes;
}

async function child() {
  const n = Number(args.n);
  const server = /** @type {string} */ (args.server);
  // load0 … load{n-1} are measured; load{n} is the warm-up client (the parent's Kamailio knows n + 1).
  const all = loadUsers(n + 1);
  const warmUser = `load${n}`;
  const users = loadUsers(n);
  // Both variants load their code before the baseline: only per-client state is compared.
  let make;
  if (args.variant === 'polyphone') {
    const { createVoiceClient } = await import('../dist/all.js');
    await (await createVoiceClient({ provider: 'sipjs', server, uri: `sip:warmup@${DOMAIN}`, credentials: { type: 'password', password: 'warm-up' } })).init();
    make = (user) => polyphoneClient(createVoiceClient, server, user, users[user]);
  } else {
    // Raw sip.js in Node throws from a ws listener when a WebSocket closes abnormally, which
    // would end the process; counted and reported instead (polyphone's glue handles it itself).
    let dropped = 0;
    process.on('uncaughtException', (error) => {
      dropped++;
      if (dropped === 1) console.error(`raw sip.js: ${String(error).split('\n')[0]} (uncaught; counted, run continues)`);
    });
    process.on('exit', () => dropped && console.error(`raw sip.js: ${dropped} uncaught transport error(s) in this run`));
    const { WebSocket } = await import('ws');
    globalThis.WebSocket ??= WebSocket;
    const sip = await import('sip.js');
    make = (user) => rawClient(sip, server, user, users[user]);
  }
  // A shared, loaded machine sometimes drops a WebSocket mid-handshake: a client gets TRIES tries
  // with growing waits (both variants alike), so one slow handshake does not void the whole run;
  // the retries are counted and printed.
  const once = make;
  let retries = 0;
  // A client that fails every try is left out (counted, and the figure is per registered client):
  // one lost handshake among 5,000 must not void the run.
  let failedClients = 0;
  make = async (user) => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await once(user);
      } catch (error) {
        if (attempt === TRIES) {
          if (failedClients++ === 0) console.error(`${args.variant}: ${user} not registered after ${TRIES} tries: ${String(/** @type {any} */ (error).cause?.message ?? error)}`);
          return undefined;
        }
        retries++;
        await sleep(500 * attempt);
      }
    }
  };
  // One client connected and kept before the baseline, in both variants: the code every client
  // runs is compiled (and sip.js's lazily built tables made) once, and is not a per-client cost.
  const warm = await (args.variant === 'polyphone'
    ? polyphoneClient((await import('../dist/all.js')).createVoiceClient, server, warmUser, all[warmUser])
    : rawClient(await import('sip.js'), server, warmUser, all[warmUser]));
  const before = await settledMemory();
  const classesBefore = args.where ? await heapByClass() : undefined;
  const stops = [];
  const names = Object.keys(users);
  for (let i = 0; i < n; i += batchSize) stops.push(...(await Promise.all(names.slice(i, i + batchSize).map(make))).filter(Boolean));
  const after = await settledMemory();
  const registered = stops.length;
  let where;
  if (classesBefore) {
    const classesAfter = await heapByClass();
    where = Object.fromEntries(Object.entries(classesAfter).map(([k, v]) => [k, (v - (classesBefore[k] ?? 0)) / registered]));
  }
  stops.push(warm);
  for (let i = 0; i < stops.length; i += batchSize) await Promise.all(stops.slice(i, i + batchSize).map((stop) => stop().catch(() => {})));
  process.stdout.write(JSON.stringify({ heapPerClient: (after.heapUsed - before.heapUsed) / registered, rssPerClient: (after.rss - before.rss) / registered, where, retries, registered }));
}

function runChild(variant, n, server) {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--expose-gc', SELF, '--variant', variant, '--n', String(n), '--server', server, '--batch', String(batchSize), ...(args.where ? ['--where'] : [])], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    proc.stdout.on('data', (chunk) => (out += chunk));
    const timer = setTimeout(() => proc.kill('SIGKILL'), CHILD_TIMEOUT_MS);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(JSON.parse(out));
      else reject(new Error(`${variant} N=${n}: child exited with ${code}`));
    });
  });
}

async function parent() {
  const meta = startMeta(`node bench/memory.mjs ${process.argv.slice(2).join(' ')}`.trim());
  const sizes = args.sizes.split(',').map(Number);
  if (sizes.some((n) => !Number.isInteger(n) || n < 1 || n > MAX_CLIENTS)) throw new Error(`--sizes: whole numbers from 1 to ${MAX_CLIENTS}`);
  const largest = Math.max(...sizes);
  const kamailio = await startKamailio({ users: loadUsers(largest + 1), ...(largest > 2_000 ? { sharedMemoryMB: 1_024 } : {}) });
  const rows = [];
  const notes = [];
  try {
    for (const n of sizes) {
      console.error(`N=${n} …`);
      // One after the other: the same user names register in both variants. A child that fails
      // costs its size's row (noted), not the rows of the other sizes.
      let raw;
      let poly;
      try {
        raw = await runChild('raw', n, kamailio.wsUrl);
        poly = await runChild('polyphone', n, kamailio.wsUrl);
      } catch (error) {
        notes.push(`N=${n}: ${error.message}`);
        continue;
      }
      if (raw.registered < n || poly.registered < n) notes.push(`N=${n}: registered raw ${raw.registered}/${n}, polyphone ${poly.registered}/${n} (per registered client); connect retries raw ${raw.retries}, polyphone ${poly.retries}`);
      else if (raw.retries || poly.retries) notes.push(`N=${n}: connect retries raw ${raw.retries}, polyphone ${poly.retries}`);
      if (poly.where && raw.where) {
        const keys = new Set([...Object.keys(poly.where), ...Object.keys(raw.where)]);
        const extra = [...keys].map((k) => [k, (poly.where[k] ?? 0) - (raw.where[k] ?? 0)]).sort((a, b) => b[1] - a[1]);
        console.log(`N=${n}: bytes per client polyphone holds beyond raw sip.js, by kind (heap snapshot self sizes; top 20, then the largest savings)`);
        for (const [k, v] of [...extra.slice(0, 20), ...extra.slice(-5)]) console.log(`  ${v.toFixed(0).padStart(7)} B  ${k}`);
      }
      rows.push([
        String(n),
        (raw.heapPerClient / 1024).toFixed(1),
        (poly.heapPerClient / 1024).toFixed(1),
        (poly.heapPerClient / raw.heapPerClient).toFixed(2),
        (raw.rssPerClient / 1024).toFixed(1),
        (poly.rssPerClient / 1024).toFixed(1),
        (poly.rssPerClient / raw.rssPerClient).toFixed(2),
      ]);
    }
  } finally {
    await kamailio.stop();
  }
  const header = ['N', 'raw heap KB', 'polyphone heap KB', 'heap ratio', 'raw rss KB', 'polyphone rss KB', 'rss ratio'];
  const cells = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...cells.map((line) => line[i].length)));
  console.log('memory per registered client (after gc), polyphone vs raw sip.js');
  for (const [index, line] of cells.entries()) {
    console.log(line.map((cell, i) => cell.padStart(widths[i])).join(' | '));
    if (index === 0) console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
  }
  for (const note of notes) console.log(`note: ${note}`);
  console.log(`meta: ${JSON.stringify(meta.finish())}`);
}

await (args.variant ? child() : parent());
