// The ICE policy applied through each vendor's own hook, in headless Chromium: with
// iceServers = [a STUN server that never answers, lab/network's coturn], the caller's offer goes
// as soon as coturn has given its relay candidate, not when gathering ends (a dead STUN server holds
// gathering ~40 s in Chromium: /work/shared/notes/network-lab.md). The caps are raised to a minute
// so that only the policy's "each TURN server gave a relay" rule can send the offer early: the call
// is active, and the callee hears it, while the caller is still gathering, and the offer the callee
// received carries the relay candidate.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startKamailio, TEST_USERS, DOMAIN } from '../../lab/kamailio/index.mjs';
import { startCognigyBackend, cognigyUsers } from '../../lab/cognigy/index.mjs';
import { startTurn } from '../../lab/network/index.mjs';
import { launchBrowser } from '../../lab/browser/index.mjs';

type LabPage = Page & { pageErrors: string[]; waitForAudio(o?: { minPackets?: number; timeoutMs?: number }): Promise<unknown> };
let kamailio: Awaited<ReturnType<typeof startKamailio>>;
let cognigy: Awaited<ReturnType<typeof startCognigyBackend>>;
let turn: { url: string; username: string; credential: string; stop(): Promise<void> };
let browser: { newPage(): Promise<LabPage>; close(): Promise<void> };

// A minute: far beyond the dead STUN server's ~40 s, so no cap or end of gathering can send first.
const NO_CAP_MS = 60_000;
// Bound: the call must be active well inside the ~40 s the dead STUN server holds gathering.
const ACTIVE_WITHIN_MS = 25_000;

beforeAll(async () => {
  kamailio = await startKamailio({ users: { ...TEST_USERS, ...cognigyUsers(2) } });
  cognigy = await startCognigyBackend({ kamailio });
  turn = await startTurn();
  browser = await launchBrowser();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await turn?.stop();
  await cognigy?.stop();
  await kamailio?.stop();
});

const sip = (user: keyof typeof TEST_USERS) => ({ provider: 'sipjs', server: kamailio.wsUrl, uri: `sip:${user}@${DOMAIN}`, credentials: { type: 'password', password: TEST_USERS[user] }, iceServers: [] });

/** A callee that answers at once, on host candidates only. */
async function callee(user: keyof typeof TEST_USERS): Promise<LabPage> {
  const page = await browser.newPage();
  await page.evaluate(async (config) => {
    const w = window as any;
    const client = await w.polyphone.createVoiceClient(config);
    client.on('incomingCall', ({ call }: any) => void call.answer().catch(() => {}));
    await client.connect();
    w.client = client;
  }, sip(user));
  return page;
}

/** Places the call; resolves once it is active, with the caller's gathering state at that moment. */
async function callActive(page: LabPage, config: object, target: string): Promise<{ gatheringAtActive: string[]; outcome: string }> {
  return page.evaluate(
    async ({ config, target, withinMs }) => {
      const w = window as any;
      const client = await w.polyphone.createVoiceClient(config);
      await client.connect();
      w.client = client;
      return new Promise((resolve) => {
        const timer = setTimeout(() => resolve({ outcome: 'not active in time', gatheringAtActive: w.__pcs.map((pc: RTCPeerConnection) => pc.iceGatheringState) }), withinMs);
        client.on('callStarted', ({ call }: any) => {
          call.on('active', () => {
            clearTimeout(timer);
            resolve({ outcome: 'active', gatheringAtActive: w.__pcs.map((pc: RTCPeerConnection) => pc.iceGatheringState) });
          });
          call.on('ended', ({ reason }: any) => {
            clearTimeout(timer);
            resolve({ outcome: `ended ${reason}`, gatheringAtActive: [] });
          });
        });
        client.call(target).catch((e: any) => resolve({ outcome: `call() rejected ${e?.code}`, gatheringAtActive: [] }));
      });
    },
    { config, target, withinMs: ACTIVE_WITHIN_MS },
  );
}

const remoteOffer = (page: LabPage) => page.evaluate(() => ((window as any).__pcs as RTCPeerConnection[]).map((pc) => pc.remoteDescription?.sdp ?? '').join('\n'));

async function close(...pages: LabPage[]): Promise<string[]> {
  const errors = pages.flatMap((p) => p.pageErrors);
  for (const page of pages) {
    await page.evaluate(() => (window as any).client?.disconnect()).catch(() => {});
    await page.context().close().catch(() => {});
  }
  return errors;
}

describe('ICE policy in Chromium: [dead STUN, live TURN] sends the offer at the relay candidate', () => {
  const iceServers = () => [{ urls: 'stun:127.0.0.1:9' }, { urls: turn.url, username: turn.username, credential: turn.credential }];

  it('sipjs (through sip.js peerConnectionDelegate + iceGatheringComplete)', async () => {
    const bob = await callee('bob');
    const alice = await browser.newPage();
    try {
      const config = { ...sip('alice'), iceServers: iceServers(), icePolicy: { capMs: NO_CAP_MS }, iceGatheringTimeoutMs: NO_CAP_MS };
      const result = await callActive(alice, config, `sip:bob@${DOMAIN}`);
      expect(result.outcome).toBe('active');
      expect(result.gatheringAtActive).toContain('gathering');
      expect(await remoteOffer(bob)).toMatch(/ typ relay /);
      await bob.waitForAudio({ minPackets: 10, timeoutMs: 15_000 });
    } finally {
      expect(await close(alice, bob)).toEqual([]);
    }
  }, 90_000);

  it('cognigy (through JsSIP icecandidate ready())', async () => {
    const carol = await callee('carol');
    const visitor = await browser.newPage();
    try {
      const config = { provider: 'cognigy', server: cognigy.url('ok'), userId: 'ice-visitor', iceServers: iceServers(), icePolicy: { capMs: NO_CAP_MS } };
      const result = await callActive(visitor, config, `sip:carol@${DOMAIN}`);
      expect(result.outcome).toBe('active');
      expect(result.gatheringAtActive).toContain('gathering');
      expect(await remoteOffer(carol)).toMatch(/ typ relay /);
      await carol.waitForAudio({ minPackets: 10, timeoutMs: 15_000 });
    } finally {
      expect(await close(visitor, carol)).toEqual([]);
    }
  }, 90_000);
});
