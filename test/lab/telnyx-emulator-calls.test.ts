// Calls through the Telnyx emulator between real @telnyx/webrtc clients in headless Chromium:
// the emulator relays signalling only, so audio arriving in the other page proves the SDP, answer
// and hangup relay are what the SDK needs.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, type PolyPage } from '../../lab/browser/index.mjs';
import { startTelnyxEmulator, TELNYX_USERS } from '../../lab/telnyx/index.mjs';

type Emulator = Awaited<ReturnType<typeof startTelnyxEmulator>>;
type CallState = { id: string; state: string; direction: string; cause?: string; causeCode?: number; sipCode?: number };
type Note = { type: string; dtmf?: string; callID?: string };
type PhoneView = { ready: boolean; errors: number[]; states: CallState[]; notes: Note[] };

let emulator: Emulator;
let lab: Awaited<ReturnType<typeof launchBrowser>>;
const pages: PolyPage[] = [];

/**
 * Opens a page running the raw SDK, logged in with `creds`. Inbound calls are answered at once
 * when `autoAnswer` is set, like the assistant page of the AI tests.
 */
async function startPhone(creds: Record<string, unknown>, autoAnswer = false): Promise<PolyPage> {
  const page = await lab.newPage();
  pages.push(page);
  await page.evaluate(
    async ({ host, creds, autoAnswer }) => {
      const w = window as any;
      const mod = await w.rawVendors.telnyx();
      const TelnyxRTC = mod.TelnyxRTC ?? mod.default?.TelnyxRTC;
      const phone: any = { ready: false, errors: [], states: [], notes: [], call: null };
      const client = new TelnyxRTC({ host, iceServers: [], ...creds });
      client.on('telnyx.ready', () => (phone.ready = true));
      client.on('telnyx.error', (e: any) => phone.errors.push(e?.error?.code));
      client.on('telnyx.notification', (n: any) => {
        if (n.type !== 'callUpdate') {
          phone.notes.push({ type: n.type, dtmf: n.dtmf, callID: n.callID });
          return;
        }
        const c = n.call;
        phone.call = c;
        phone.states.push({ id: c.id, state: c.state, direction: c.direction, cause: c.cause, causeCode: c.causeCode, sipCode: c.sipCode });
        if (autoAnswer && c.state === 'ringing' && c.direction === 'inbound') c.answer();
      });
      phone.client = client;
      w.phone = phone;
      await client.connect();
    },
    { host: emulator.url, creds, autoAnswer },
  );
  await page.waitForFunction(() => (window as any).phone.ready === true, undefined, { timeout: 10_000 });
  return page;
}

const view = (page: PolyPage) =>
  page.evaluate(() => {
    const { ready, errors, states, notes } = (window as any).phone;
    return { ready, errors, states, notes } as PhoneView;
  });

async function waitForState(page: PolyPage, state: string, timeoutMs = 10_000): Promise<CallState> {
  await page.waitForFunction((s) => (window as any).phone.states.some((x: CallState) => x.state === s), state, { timeout: timeoutMs });
  return (await view(page)).states.find((x) => x.state === state)!;
}

const dial = (page: PolyPage, destinationNumber?: string) =>
  page.evaluate((destinationNumber) => {
    const { client } = (window as any).phone;
    (window as any).phone.call = client.newCall({ destinationNumber, audio: true, video: false });
  }, destinationNumber);

beforeAll(async () => {
  emulator = await startTelnyxEmulator();
  lab = await launchBrowser();
});

afterEach(async () => {
  await Promise.all(
    pages.splice(0).map(async (page) => {
      await page.evaluate(() => (window as any).phone?.client?.disconnect()).catch(() => {});
      await page.context().close().catch(() => {});
    }),
  );
});

afterAll(async () => {
  await lab?.close();
  await emulator?.stop();
});

describe('telnyx emulator: calls between real SDK pages', () => {
  it('relays alice → bob with audio both ways, DTMF to the server only, hold/unhold, and hangup as NORMAL_CLEARING', async () => {
    const bob = await startPhone({ login: 'bob', password: TELNYX_USERS.bob }, true);
    const alice = await startPhone({ login: 'alice', password: TELNYX_USERS.alice });
    await dial(alice, 'bob');

    await waitForState(alice, 'active');
    await waitForState(bob, 'active');
    expect((await view(alice)).states.map((s) => s.state)).toEqual(expect.arrayContaining(['requesting', 'trying', 'active']));
    expect((await view(bob)).states.map((s) => s.state)).toEqual(expect.arrayContaining(['ringing', 'answering', 'active']));
    expect((await bob.waitForAudio({ minPackets: 20 })).packetsReceived).toBeGreaterThan(0);
    expect((await alice.waitForAudio({ minPackets: 20 })).packetsReceived).toBeGreaterThan(0);

    const invitePushed = emulator.frames.find((f) => f.dir === 'out' && f.login === 'bob' && (f.msg as any).method === 'telnyx_rtc.invite');
    expect((invitePushed!.msg as any).params).toMatchObject({ caller_id_number: 'alice', callee_id_number: 'bob', sdp: expect.stringContaining('m=audio') });

    for (const digit of ['1', '2', '#']) await alice.evaluate((d) => (window as any).phone.call.dtmf(d), digit);
    await expect.poll(() => emulator.dtmfSeen('alice'), { timeout: 5_000 }).toBe('12#');
    // DTMF stops at the emulator: the real service is not shown to forward it to the far leg.
    expect((await view(bob)).notes.filter((n) => n.dtmf)).toEqual([]);

    await alice.evaluate(() => (window as any).phone.call.hold());
    await waitForState(alice, 'held');
    const holdReply = emulator.frames.filter((f) => f.dir === 'out' && f.login === 'alice' && (f.msg as any).result?.holdState).at(-1);
    expect((holdReply!.msg as any).result.holdState).toBe('held');
    await alice.evaluate(() => (window as any).phone.call.unhold());
    await alice.waitForFunction(() => (window as any).phone.states.at(-1).state === 'active', undefined, { timeout: 5_000 });

    await alice.evaluate(() => (window as any).phone.call.hangup());
    const bobHangup = await waitForState(bob, 'hangup');
    expect(bobHangup).toMatchObject({ cause: 'NORMAL_CLEARING', causeCode: 16 });
    await waitForState(bob, 'destroy');
    await waitForState(alice, 'destroy');
    expect((await view(alice)).errors).toEqual([]);
    expect((await view(bob)).errors).toEqual([]);
  });

  it('a callee that hangs up while ringing ends the caller with its cause (USER_BUSY / 486)', async () => {
    const bob = await startPhone({ login: 'bob', password: TELNYX_USERS.bob });
    const alice = await startPhone({ login: 'alice', password: TELNYX_USERS.alice });
    await dial(alice, 'bob');
    await waitForState(bob, 'ringing');
    await bob.evaluate(() => (window as any).phone.call.hangup());
    expect(await waitForState(alice, 'hangup')).toMatchObject({ cause: 'USER_BUSY', causeCode: 17, sipCode: 486 });
  });

  it('a call to a login nobody holds ends with USER_NOT_REGISTERED / 404', async () => {
    const alice = await startPhone({ login: 'alice', password: TELNYX_USERS.alice });
    await dial(alice, 'carol');
    expect(await waitForState(alice, 'hangup')).toMatchObject({ cause: 'USER_NOT_REGISTERED', causeCode: 606, sipCode: 404 });
  });

  it('an anonymous_login session calls the AI assistant page and the target is recorded', async () => {
    const assistant = await startPhone({ login: 'assistant', password: TELNYX_USERS.assistant }, true);
    const visitor = await startPhone({
      anonymous_login: { target_type: 'ai_assistant', target_id: 'assistant-7f3', target_params: { conversation_id: 'conv-42' } },
    });
    await dial(visitor);
    await waitForState(visitor, 'active');
    await waitForState(assistant, 'active');
    expect((await visitor.waitForAudio({ minPackets: 20 })).packetsReceived).toBeGreaterThan(0);
    expect((await assistant.waitForAudio({ minPackets: 20 })).packetsReceived).toBeGreaterThan(0);
    expect(emulator.stats.calls.at(-1)).toMatchObject({
      from: 'anonymous', to: 'assistant', outcome: 'routed', target_id: 'assistant-7f3', conversation_id: 'conv-42',
    });
  });
});
