// A user's first hour, replayed: pack polyphone, install the tarball into fresh apps with one
// vendor SDK each, build them with Vite, esbuild, webpack 5 and Rollup. Every build succeeds,
// prints no warning about polyphone, and holds its own vendor SDK and no other.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize, posix } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, type PolyPage } from '../../lab/browser/index.mjs';
import { startKamailio } from '../../lab/kamailio/index.mjs';
import { install, makeApp, outputFiles, packPolyphone, ROOT, testedVersion, VENDORS, type ProviderName } from './apps.js';
import { BUNDLERS, type BundlerName } from './bundlers.js';

const work = mkdtempSync(join(tmpdir(), 'pack-apps-'));
const table: Array<Record<string, string | number | boolean>> = [];
let tarball: string;

// The examples' folders are installed with the apps, all at once.
const EXAMPLES = { 'node-bot': ['sip.js', 'ws'], 'browser-call': ['sip.js'] } as const;

beforeAll(async () => {
  tarball = packPolyphone(work);
  await Promise.all([
    ...(Object.keys(VENDORS) as ProviderName[]).map((name) => makeApp(join(work, name), tarball, name)),
    ...Object.entries(EXAMPLES).map(([name, sdks]) => {
      const dir = join(work, `example-${name}`);
      cpSync(join(ROOT, 'examples', name), dir, { recursive: true });
      return install(dir, [tarball, ...sdks.map((pkg) => `${pkg}@${testedVersion(pkg)}`)]);
    }),
  ]);
}, 480_000);

afterAll(() => {
  if (table.length) console.log(`bundle table (unminified)\n${table.map((r) => JSON.stringify(r)).join('\n')}`);
  rmSync(work, { recursive: true, force: true });
});

describe.each(Object.keys(VENDORS) as ProviderName[])('an app with only %s installed', (name) => {
  it.each(Object.keys(BUNDLERS) as BundlerName[])('builds with %s, holding its vendor SDK and no other', async (bundler) => {
    const app = join(work, name);
    const outdir = join(app, `dist-${bundler}`);
    const result = await BUNDLERS[bundler](app, outdir);
    expect(result.warnings.filter((w) => /polyphone/i.test(w))).toEqual([]);
    const text = outputFiles(outdir)
      .filter((f) => /\.(m?js|cjs)$/.test(f.path))
      .map((f) => f.text)
      .join('\n');
    const found = Object.fromEntries(Object.entries(VENDORS).map(([other, { marker }]) => [other, text.split(marker).length - 1]));
    const foreign = Object.entries(found).filter(([other, n]) => other !== name && n > 0);
    table.push({ bundler, provider: name, builds: true, polyphoneBytes: result.polyphoneBytes, outputBytes: Buffer.byteLength(text), foreignSdkMarkers: foreign.length });
    expect(found[name], `${VENDORS[name].pkg} is in the output`).toBeGreaterThan(0);
    expect(foreign).toEqual([]);
    expect(result.polyphoneBytes).toBeGreaterThan(0);
  }, 60_000);
});

describe('the packed package', () => {
  it('passes publint and attw (profile esm-only: CommonJS and node10 resolution are out of scope)', () => {
    const bin = (name: string) => join(ROOT, 'node_modules', '.bin', name);
    expect(run(bin('publint'), [tarball, '--strict'], ROOT)).toContain('All good');
    // attw exits non-zero on any problem within the profile.
    run(bin('attw'), [tarball, '--profile', 'esm-only', '--format', 'table-flipped'], ROOT);
  });

  it('ships LICENSE, CHANGELOG and README; every source map and declaration map points at a shipped file', () => {
    const files = new Set(run('tar', ['-tzf', tarball], work).split('\n').filter(Boolean).map((f) => f.replace(/^package\//, '')));
    for (const name of ['LICENSE', 'CHANGELOG.md', 'README.md', 'package.json']) expect(files, name).toContain(name);
    const maps = [...files].filter((f) => f.endsWith('.js.map') || f.endsWith('.d.ts.map'));
    expect(maps.some((f) => f.endsWith('.d.ts.map')), 'declaration maps are shipped').toBe(true);
    const extracted = join(work, 'unpacked');
    mkdirSync(extracted, { recursive: true });
    run('tar', ['-xzf', tarball, '-C', extracted], work);
    const unresolved: string[] = [];
    for (const map of maps) {
      const { sources } = JSON.parse(readFileSync(join(extracted, 'package', map), 'utf8')) as { sources: string[] };
      for (const source of sources) {
        const target = posix.normalize(posix.join(posix.dirname(map), source));
        if (!files.has(target)) unresolved.push(`${map} → ${source}`);
      }
    }
    expect(unresolved).toEqual([]);
  });

  it('README links work from the npm page: absolute URLs or anchors only', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const links = [...readme.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!);
    expect(links.length).toBeGreaterThan(0);
    expect(links.filter((l) => !/^(https:\/\/|#)/.test(l))).toEqual([]);
  });

  it("Node's require() of the package works where Node can require ESM (here, Node " + process.versions.node + ')', () => {
    const out = run(process.execPath, ['-e', "const p = require('polyphone'); const { sipjs } = require('polyphone/sipjs'); console.log(typeof p.createVoiceClient, sipjs.name)"], join(work, 'sipjs'));
    expect(out.trim()).toBe('function sipjs');
  });

  it('in Node without a WebSocket, connecting names the package to install (PROVIDER_SDK_MISSING)', () => {
    // The app folder has sip.js but not `ws`, and Node 20 has no global WebSocket.
    const script = `import { createVoiceClient } from 'polyphone'; import { sipjs } from 'polyphone/sipjs';
      delete globalThis.WebSocket;
      const client = await createVoiceClient('sipjs:ws://127.0.0.1:9', { providers: [sipjs] });
      await client.connect().then(() => console.log('connected'), (e) => console.log(JSON.stringify({ code: e.code, message: e.message })));`;
    const out = JSON.parse(run(process.execPath, ['--input-type=module', '-e', script], join(work, 'sipjs')).trim()) as { code: string; message: string };
    expect(out.code).toBe('PROVIDER_SDK_MISSING');
    expect(out.message).toContain('npm install ws');
  });
});

describe("'polyphone/provider' for a provider in its own package", () => {
  it('a provider built on the kit alone connects through the packed polyphone, its VoiceErrors being polyphone\'s', () => {
    const script = `import { createVoiceClient, VoiceError } from 'polyphone';
      import { defineProvider, VoiceError as KitError } from 'polyphone/provider';
      const capabilities = { incomingCalls: false, mute: false, hold: false, remoteHold: false, dtmf: false, receiveDtmf: false, tokenRefresh: false, anonymous: true };
      const echo = defineProvider()({
        specificationVersion: 'v1', name: 'echo',
        parseOptions: (input) => ({ where: input.locator }),
        defaultCredentials: () => ({ type: 'anonymous' }),
        create: () => ({
          specificationVersion: 'v1', name: 'echo', capabilities,
          init: async () => {}, authenticate: async () => {}, connect: async () => ({ registered: true }), disconnect: async () => {},
          call: async () => { throw new KitError('CALL_FAILED', 'echo places no calls'); },
          refreshToken: async () => {},
        }),
      });
      const client = await createVoiceClient('echo:here', { providers: [echo] });
      await client.connect();
      const error = await client.call('anyone').catch((e) => e);
      console.log(JSON.stringify({ state: client.state, sameClass: KitError === VoiceError, code: error.code, isVoiceError: error instanceof VoiceError }));`;
    const out = JSON.parse(run(process.execPath, ['--input-type=module', '-e', script], join(work, 'sipjs')).trim()) as Record<string, unknown>;
    expect(out).toEqual({ state: 'connected', sameClass: true, code: 'CALL_FAILED', isVoiceError: true });
  });
});

describe('a built app in headless Chromium', () => {
  let kamailio: { wsUrl: string; domain: string; users: Record<string, string>; stop(): Promise<void> };
  let server: Server;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;

  beforeAll(async () => {
    const app = join(work, 'sipjs');
    const outdir = join(app, 'dist-chromium');
    await BUNDLERS.vite(app, outdir);
    kamailio = await startKamailio();
    server = await serveFolder(outdir);
    browser = await launchBrowser();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    server?.close();
    await kamailio?.stop();
  });

  it('the Vite-built sip.js app registers two users and calls between them, audio both ways', async () => {
    const address = server.address() as AddressInfo;
    const url = `http://127.0.0.1:${address.port}/`;
    const [alice, bob] = [await browser.newPage({ url, waitFor: 'window.appReady === true' }), await browser.newPage({ url, waitFor: 'window.appReady === true' })];
    const config = (user: string) => ({ provider: 'sipjs', server: kamailio.wsUrl, uri: `sip:${user}@${kamailio.domain}`, credentials: { type: 'password', password: kamailio.users[user] } });
    await bob.evaluate(async (cfg: Record<string, unknown>) => {
      const w = window as any;
      const client = await w.app.createVoiceClient(cfg);
      client.on('incomingCall', ({ call }: any) => void call.answer());
      await client.connect();
      w.client = client;
    }, config('bob'));
    const state = await alice.evaluate(async ({ cfg, target }: { cfg: Record<string, unknown>; target: string }) => {
      const w = window as any;
      const client = await w.app.createVoiceClient(cfg);
      await client.connect();
      const call = await client.call(target);
      w.call = call;
      await new Promise<void>((resolve) => (call.state === 'active' ? resolve() : call.on('active', () => resolve())));
      // The escape hatch: sip.js's own objects.
      return { state: call.state, session: call.vendor?.state, uaConnected: client.vendor?.isConnected() };
    }, { cfg: config('alice'), target: `sip:bob@${kamailio.domain}` });
    expect(state).toEqual({ state: 'active', session: 'Established', uaConnected: true });
    await alice.waitForAudio({ minPackets: 20, timeoutMs: 10_000 });
    await bob.waitForAudio({ minPackets: 20, timeoutMs: 10_000 });
    expect([...alice.pageErrors, ...bob.pageErrors]).toEqual([]);
  }, 60_000);
});

describe('examples/, built and run from the packed tarball', () => {
  let kamailio: { wsUrl: string; domain: string; users: Record<string, string>; stop(): Promise<void> };
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  const servers: Server[] = [];

  beforeAll(async () => {
    kamailio = await startKamailio();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    for (const server of servers) server.close();
    await kamailio?.stop();
  });


  it('node-bot registers a user in Node and stops cleanly', () => {
    const dir = join(work, 'example-node-bot');
    const out = execFileSync(process.execPath, ['bot.mjs'], {
      cwd: dir,
      encoding: 'utf8',
      timeout: 30_000,
      env: { ...process.env, SIP_SERVER: kamailio.wsUrl, SIP_URI: `sip:carol@${kamailio.domain}`, SIP_PASSWORD: kamailio.users.carol, BOT_ONCE: '1' },
    });
    expect(out.split('\n')).toEqual(expect.arrayContaining(['registered', 'state connected', 'state disconnected']));
  });

  it('browser-call builds with Vite and connects from its form in Chromium', async () => {
    const dir = join(work, 'example-browser-call');
    const outdir = join(dir, 'dist');
    const result = await BUNDLERS.vite(dir, outdir);
    expect(result.warnings.filter((w) => /polyphone/i.test(w))).toEqual([]);
    const server = await serveFolder(outdir);
    servers.push(server);
    browser = await launchBrowser();
    // Chromium (launchBrowser's default engine): a Playwright page.
    const page = (await browser.newPage({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, waitFor: 'window.exampleReady === true' })) as PolyPage;
    await page.fill('input[name=server]', kamailio.wsUrl);
    await page.fill('input[name=uri]', `sip:dave@${kamailio.domain}`);
    await page.fill('input[name=password]', kamailio.users.dave!);
    await page.click('#login button');
    await page.waitForFunction(() => document.getElementById('status')?.textContent === 'connected', undefined, { timeout: 15_000 });
    expect(await page.isVisible('#dial')).toBe(true);
    expect(page.url()).not.toContain(kamailio.users.dave!);
    expect(page.pageErrors).toEqual([]);
  });
});

function run(command: string, args: string[], cwd: string): string {
  return execFileSync(command, args, { cwd, encoding: 'utf8', timeout: 60_000, stdio: ['ignore', 'pipe', 'pipe'] });
}

async function serveFolder(dir: string): Promise<Server> {
  const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript' };
  const server = createServer(async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const file = normalize(join(dir, path === '/' ? 'index.html' : path));
    if (!file.startsWith(dir)) return void res.writeHead(403).end();
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}
