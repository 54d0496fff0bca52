// The Cognigy endpoint fetch against a hostile endpoint (issue 15, item 9): a gzip bomb, a
// redirect to another origin, a reply that is not JSON by its content type, and huge fields.
// Each ends in a typed error within the bound, the memory stays bounded, and nothing long is
// copied into errors or logs. Node, signalling only, the real provider against the lab endpoint.
import { createGzip } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVoiceClient, VoiceError, type VoiceClient } from '../../../src/all.js';
import { startKamailio } from '../../../lab/kamailio/index.mjs';
import { cognigyUsers, startCognigyBackend } from '../../../lab/cognigy/index.mjs';

let kamailio: Awaited<ReturnType<typeof startKamailio>>;
let backend: Awaited<ReturnType<typeof startCognigyBackend>>;
const clients: VoiceClient[] = [];
const logs: string[] = [];

beforeAll(async () => {
  kamailio = await startKamailio({ users: cognigyUsers(1) });
  backend = await startCognigyBackend({ kamailio });
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.disconnect().catch(() => {})));
  await backend?.stop();
  await kamailio?.stop();
});

async function client(server = backend.url('custom')): Promise<VoiceClient> {
  const c = await createVoiceClient({ provider: 'cognigy', server, signalingOnly: true, timeouts: { connectMs: 5_000 }, logger: (entry) => logs.push(JSON.stringify(entry)) });
  clients.push(c);
  return c;
}

async function failure(promise: Promise<unknown>): Promise<VoiceError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(VoiceError);
  return error as VoiceError;
}

/** `inflatedBytes` of zeros, gzipped: about a thousandth of that on the wire. */
async function gzipBomb(inflatedBytes: number): Promise<Buffer> {
  const gzip = createGzip({ level: 9 });
  const parts: Buffer[] = [];
  gzip.on('data', (chunk: Buffer) => parts.push(chunk));
  const done = new Promise((resolve) => gzip.on('end', resolve));
  const block = Buffer.alloc(1 << 20);
  for (let sent = 0; sent < inflatedBytes; sent += block.length) {
    if (!gzip.write(block)) await new Promise((resolve) => gzip.once('drain', resolve));
  }
  gzip.end();
  await done;
  return Buffer.concat(parts);
}

describe('cognigy endpoint fetch: bounded whatever the endpoint sends', () => {
  it('a gzip bomb is PROTOCOL_ERROR, refused by its declared size or cut while inflating; memory stays bounded', async () => {
    // 300 MB inflated: over the cap on the wire too (~300 KB), so Content-Length refuses it unread.
    const declared = await gzipBomb(300 * 2 ** 20);
    // 150 MB inflated, ~150 KB on the wire and sent chunked: only counting while inflating stops it.
    const chunked = await gzipBomb(150 * 2 ** 20);
    for (const [name, body, headers] of [
      ['declared', declared, { 'content-encoding': 'gzip', 'content-length': String(declared.length) }],
      ['chunked', chunked, { 'content-encoding': 'gzip', 'transfer-encoding': 'chunked' }],
    ] as const) {
      backend.setCustomReply({ headers, body });
      global.gc?.();
      const rssBefore = process.memoryUsage().rss;
      const started = performance.now();
      const error = await failure((await client()).connect());
      const rssGrowth = process.memoryUsage().rss - rssBefore;
      console.info(`cognigy gzip bomb (${name}, ${body.length} bytes on the wire): ${error.code} in ${(performance.now() - started).toFixed(0)} ms, rss +${(rssGrowth / 2 ** 20).toFixed(1)} MB`);
      expect(error.code, name).toBe('PROTOCOL_ERROR');
      expect(error.cause?.name, name).toBe('ReplyTooLarge');
      expect(rssGrowth, name).toBeLessThan(64 * 2 ** 20);
    }
  }, 60_000);

  it('a redirect to another origin is refused (PROTOCOL_ERROR) and its reply never used; a same-origin redirect is followed', async () => {
    const before = backend.requests.length;
    backend.setCustomReply({ status: 302, headers: { location: `http://localhost:${backend.port}/endpoint/ok` }, body: '' });
    const c = await client();
    const error = await failure(c.connect());
    expect(error.code).toBe('PROTOCOL_ERROR');
    expect(error.details?.redirected).toBe(true);
    expect(c.state).toBe('disconnected');
    expect(c.identity).toBeUndefined();
    expect(backend.requests.slice(before).map((r) => r.mode)).toEqual(['custom', 'ok']);

    backend.setCustomReply({ status: 302, headers: { location: '/endpoint/ok' }, body: '' });
    const same = await client();
    await same.connect();
    expect(same.state).toBe('connected');
    await same.disconnect();
  });

  it('a valid reply under a content type that is not JSON is PROTOCOL_ERROR; application/json with a charset is fine', async () => {
    for (const contentType of ['text/html', 'text/plain; charset=utf-8', 'application/x-www-form-urlencoded']) {
      backend.setCustomReply(({ validConfig }) => ({ contentType, body: JSON.stringify(validConfig) }));
      const error = await failure((await client()).connect());
      expect(error.code, contentType).toBe('PROTOCOL_ERROR');
      expect(error.cause?.name, contentType).toBe('ContentType');
    }
    backend.setCustomReply(({ validConfig }) => ({ contentType: 'application/json; charset=utf-8', body: JSON.stringify(validConfig) }));
    const ok = await client();
    await ok.connect();
    await ok.disconnect();
  });

  it('huge fields never reach an error or a log line whole: a 20 MB field, a 200 KB endpoint name, a 10 KB content type', async () => {
    logs.length = 0;
    const messages: string[] = [];
    const keep = (error: VoiceError) => messages.push(error.message, JSON.stringify(error.toJSON()), String(error.stack));
    backend.setCustomReply(({ validConfig }) => ({ body: JSON.stringify({ ...validConfig, organisationId: 'o'.repeat(20 * 2 ** 20) }) }));
    const huge = await failure((await client()).connect());
    expect(huge.code).toBe('PROTOCOL_ERROR');
    keep(huge);
    backend.setCustomReply(({ validConfig }) => ({ body: JSON.stringify({ ...validConfig, organisationId: 'o'.repeat(100_000) }) }));
    const long = await failure((await client()).connect());
    expect(long.details?.fields).toBe('organisationId');
    keep(long);
    backend.setCustomReply(({ validConfig }) => {
      validConfig.endpointSettings.endpointName = 'N'.repeat(200_000);
      return { body: JSON.stringify(validConfig) };
    });
    const named = await client();
    await named.connect();
    expect(named.identity!.length).toBeLessThan(400);
    await named.disconnect();
    backend.setCustomReply(({ validConfig }) => ({ contentType: `text/${'x'.repeat(10_000)}`, body: JSON.stringify(validConfig) }));
    keep(await failure((await client()).connect()));
    const longest = Math.max(...[...messages, ...logs].map((line) => line.length));
    console.info(`cognigy: longest error or log line ${longest} characters`);
    expect(longest).toBeLessThan(4_096);
  }, 30_000);
});
