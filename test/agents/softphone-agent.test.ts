// The demo softphone's agent panel, clicked through in Chromium: a Telnyx anonymous session calls the
// lab's AI assistant; the assistant's lines appear in the panel (partials replaced in place), the
// text box reaches the assistant; on a Sendbird call (no agent) the panel stays hidden.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../../lab/browser/index.mjs';
import { startTelnyxEmulator, TELNYX_USERS } from '../../lab/telnyx/index.mjs';
import { SENDBIRD_USERS, startSendbirdEmulator } from '../../lab/sendbird/index.mjs';
import { startDemoServer } from '../../demo/server.mjs';

let emulator: any;
let sendbird: any;
let server: any;
let browser: any;

beforeAll(async () => {
  emulator = await startTelnyxEmulator();
  sendbird = await startSendbirdEmulator();
  const sb = (userId: keyof typeof SENDBIRD_USERS) => ({
    provider: 'sendbird',
    server: sendbird.appId,
    apiHost: sendbird.apiHost,
    wsHost: sendbird.wsHost,
    credentials: { type: 'accessToken', userId, accessToken: SENDBIRD_USERS[userId] },
    iceServers: [],
  });
  server = await startDemoServer([
    { id: 'assistant', label: 'Telnyx — AI assistant', config: { provider: 'telnyx', server: emulator.url, iceServers: [], credentials: { type: 'anonymous', targetId: 'assistant_demo' } }, dial: 'assistant_demo' },
    { id: 'sb-alice', label: 'Sendbird — alice', config: sb('alice'), dial: 'bob' },
    { id: 'sb-bob', label: 'Sendbird — bob', config: sb('bob'), dial: 'alice' },
  ]);
  browser = await launchBrowser();
  const assistant = await browser.newPage();
  await assistant.evaluate(
    async ({ host, password }: { host: string; password: string }) => {
      const { TelnyxRTC } = (await (window as any).rawVendors.telnyx()) as any;
      const client = new TelnyxRTC({ host, login: 'assistant', password, iceServers: [], debug: false });
      client.on('telnyx.notification', (n: any) => n.type === 'callUpdate' && n.call.direction === 'inbound' && n.call.state === 'ringing' && n.call.answer());
      await new Promise<void>((resolve) => {
        client.on('telnyx.ready', () => resolve());
        client.connect();
      });
    },
    { host: emulator.url, password: TELNYX_USERS.assistant },
  );
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await emulator?.stop();
  await sendbird?.stop();
});

const state = (page: any, kind: string, value: string) => page.waitForSelector(`body[data-${kind}-state="${value}"]`, { timeout: 15_000 });
const lines = (page: any) => page.$$eval('#transcript li', (items: HTMLLIElement[]) => items.map((li) => `${li.dataset.final} ${li.textContent}`));

describe('softphone agent panel', () => {
  it('shows the live transcript and sends typed text, on a call with an agent', async () => {
    const page = await browser.newPage({ url: `${server.url}demo?preset=assistant`, waitFor: 'window.softphone !== undefined' });
    expect(await page.isHidden('#agent')).toBe(true);
    await page.click('#connect');
    await state(page, 'client', 'connected');
    await page.click('#call');
    await state(page, 'call', 'active');
    expect(await page.isVisible('#agent')).toBe(true);

    emulator.ai.say('Hello from the assistant.', { pieces: 3 });
    await page.waitForSelector('#transcript li:text-is("agent: Hello from the assistant.")');
    // Partials replaced their line in place: one line, still partial (no later item has begun).
    expect(await lines(page)).toEqual(['false agent: Hello from the assistant.']);
    emulator.ai.heard('Thanks.');
    await page.waitForSelector('#transcript li:text-is("user: Thanks.")');
    expect(await lines(page)).toEqual(['true agent: Hello from the assistant.', 'true user: Thanks.']);

    await page.fill('#agent-text', 'typed hello');
    await page.click('#send-text');
    await page.waitForFunction(() => (document.getElementById('agent-text') as HTMLInputElement).value === '');
    expect(emulator.ai.messages()).toEqual(['typed hello']);
    await page.waitForSelector('#transcript li:text-is("agent: You said: typed hello")');

    await page.click('#hangup');
    await state(page, 'call', 'ended');
    expect((await lines(page)).every((l: string) => l.startsWith('true '))).toBe(true);
    expect(page.pageErrors).toEqual([]);
    await page.context().close();
  });

  it('stays hidden on a call without an agent (Sendbird)', async () => {
    const callee = await browser.newPage({ url: `${server.url}demo?preset=sb-bob`, waitFor: 'window.softphone !== undefined' });
    const caller = await browser.newPage({ url: `${server.url}demo?preset=sb-alice`, waitFor: 'window.softphone !== undefined' });
    await callee.click('#connect');
    await state(callee, 'client', 'connected');
    await caller.click('#connect');
    await state(caller, 'client', 'connected');
    await caller.click('#call');
    await callee.waitForSelector('#answer:not([disabled])', { timeout: 15_000 });
    await callee.click('#answer');
    await state(caller, 'call', 'active');
    expect(await caller.isHidden('#agent')).toBe(true);
    expect(await callee.isHidden('#agent')).toBe(true);
    await caller.click('#hangup');
    await state(callee, 'call', 'ended');
    await caller.context().close();
    await callee.context().close();
  });
});
