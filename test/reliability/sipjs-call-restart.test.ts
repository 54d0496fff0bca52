// A SIP.js call in progress while Kamailio restarts on the same port (Chromium, real media).
// What polyphone does: the call survives (media is peer to peer; both clients reconnect and
// register again while it goes on). What it cannot do: deliver a BYE over a dialog whose
// connections the restarted Kamailio no longer knows; the far end then ends `failed`
// (MEDIA_LOST: its media path went silent, `reconnecting` could not restore it within the bound)
// instead of staying `active` forever.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKamailio, TEST_USERS } from '../../lab/kamailio/index.mjs';
import { launchBrowser } from '../../lab/browser/index.mjs';
import type { Page } from 'playwright-core';
import { PageClient, closePage, endedLines } from '../support/browser-clients.js';
import { waitForRisingAudio, type AudioStats } from '../support/audio.js';

type LabPage = Page & { consoleLines: string[]; pageErrors: string[]; inboundAudio(): Promise<AudioStats & Record<string, number>> };
type Lab = { wsUrl: string; domain: string; restart(): Promise<void>; stop(): Promise<void> };
type Browser = { newPage(): Promise<LabPage>; close(): Promise<void> };

let lab: Lab;
let browser: Browser;
const pages: LabPage[] = [];

beforeAll(async () => {
  lab = await startKamailio();
  browser = await launchBrowser();
});
afterAll(async () => {
  await Promise.all(pages.map((p) => closePage(p)));
  await browser?.close();
  await lab?.stop();
});

async function connected(user: 'alice' | 'bob'): Promise<PageClient & { page: LabPage }> {
  const page = await browser.newPage();
  pages.push(page);
  const client = await PageClient.create(page, user, {
    provider: 'sipjs',
    server: lab.wsUrl,
    uri: `sip:${user}@${lab.domain}`,
    credentials: { type: 'password', password: TEST_USERS[user] },
    iceServers: [],
  });
  await client.connect();
  return client as PageClient & { page: LabPage };
}

describe('sipjs: a call in progress across a Kamailio restart', () => {
  it('survives: both clients reconnect, audio keeps flowing peer to peer; a hangup afterwards reaches the far end only as media loss (failed, MEDIA_LOST)', async () => {
    const alice = await connected('alice');
    const bob = await connected('bob');
    expect((await alice.call(`sip:bob@${lab.domain}`)).outcome).toBe('ok');
    await bob.waitForLine('client incomingCall');
    expect((await bob.answer()).outcome).toBe('ok');
    await alice.waitForLine('call#1 active');
    await bob.waitForLine('call#1 active');
    for (const side of [alice, bob]) expect((await waitForRisingAudio(side.page)).energy, `${side.name} hears before`).toBeGreaterThan(0);

    const from = { alice: await alice.traceLength(), bob: await bob.traceLength() };
    await lab.restart();
    await alice.waitForLine('client stateChanged reconnecting>connected', { from: from.alice, timeoutMs: 20_000 });
    await bob.waitForLine('client stateChanged reconnecting>connected', { from: from.bob, timeoutMs: 20_000 });

    // Media never went through Kamailio: the call is untouched, on both sides, and still audible.
    for (const side of [alice, bob]) {
      // The registration was lost with the restart and is back (test/conformance/golden/server-restart.json).
      expect((await side.lines()).slice(from[side.name as 'alice' | 'bob'])).toEqual([
        'client stateChanged connected>reconnecting',
        'client unregistered',
        'client registered',
        'client stateChanged reconnecting>connected',
      ]);
      expect((await side.state()).call?.state, `${side.name}'s call`).toBe('active');
      const heard = await waitForRisingAudio(side.page);
      expect(heard.packets, `${side.name} receives packets after the restart`).toBeGreaterThan(0);
      expect(heard.energy, `${side.name} hears sound after the restart`).toBeGreaterThan(0);
    }

    // The dialog still runs over the connections Kamailio forgot: alice's BYE cannot be relayed to
    // bob's new connection. Bob's call ends when its media path stays lost past the bound (issue 18).
    const bobFrom = await bob.traceLength();
    expect((await alice.hangup()).outcome).toBe('ok');
    expect(endedLines(await alice.lines())).toEqual(['call#1 ended reason=hangup']);
    const started = Date.now();
    const end = await bob.waitForEnd({ from: bobFrom, timeoutMs: 45_000 });
    console.info(`sipjs restart: bob's call ended ${Date.now() - started} ms after alice hung up: ${end.line}`);
    expect(end).toMatchObject({ reason: 'failed', code: 'MEDIA_LOST' });
    expect(endedLines(await bob.lines())).toHaveLength(1);
    expect((await bob.state()).client).toBe('connected');
    expect(pages.flatMap((p) => p.pageErrors)).toEqual([]);
  }, 120_000);
});
