// Failover between vendors in Chromium: Telnyx down → SIP.js through Kamailio, and the reverse.
// The UI (here: the page client) is the same either way; a call after failover carries audio.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../../lab/browser/index.mjs';
import { startKamailio, TEST_USERS } from '../../lab/kamailio/index.mjs';
import { startTelnyxEmulator } from '../../lab/telnyx/index.mjs';
import { closePage, PageClient } from '../support/browser-clients.js';
import { closedPort } from '../conformance/lab-kit.js';

let kamailio: Awaited<ReturnType<typeof startKamailio>>;
let telnyx: Awaited<ReturnType<typeof startTelnyxEmulator>>;
let lab: Awaited<ReturnType<typeof launchBrowser>>;
let deadPort: number;

beforeAll(async () => {
  [kamailio, telnyx, lab, deadPort] = await Promise.all([startKamailio(), startTelnyxEmulator(), launchBrowser(), closedPort()]);
});
afterAll(async () => {
  await lab?.close();
  await telnyx?.stop();
  await kamailio?.stop();
});

const sip = (user: 'alice' | 'bob', server = kamailio.wsUrl) => ({
  provider: 'sipjs',
  server,
  uri: `sip:${user}@${kamailio.domain}`,
  credentials: { type: 'password', password: TEST_USERS[user] },
  iceServers: [],
  timeouts: { connectMs: 3_000 },
});
const tx = (login: string, server = telnyx.url) => ({
  provider: 'telnyx',
  server,
  credentials: { type: 'jwt', token: telnyx.issueJwt(login) },
  iceServers: [],
  timeouts: { connectMs: 3_000 },
});

describe('failover across vendors', () => {
  it('Telnyx unreachable, Kamailio up: connects through SIP.js and calls with audio', async () => {
    const [pa, pb] = await Promise.all([lab.newPage(), lab.newPage()]);
    try {
      const alice = await PageClient.create(pa, 'alice', [tx('alice', `ws://127.0.0.1:${deadPort}`), sip('alice')] as never);
      const bob = await PageClient.create(pb, 'bob', sip('bob'));
      await bob.connect();
      await alice.connect();
      const lines = await alice.lines();
      expect(lines).toEqual([
        'client stateChanged idle>initialized',
        'client stateChanged initialized>authenticated',
        'client stateChanged authenticated>connecting',
        'client providerChanged from=telnyx to=sipjs',
        'client registered',
        'client stateChanged connecting>connected',
      ]);
      expect((await alice.call(`sip:bob@${kamailio.domain}`)).outcome).toBe('ok');
      await bob.waitForLine('client incomingCall');
      expect((await bob.answer()).outcome).toBe('ok');
      await alice.waitForLine('call#1 active');
      await pb.waitForAudio({ minPackets: 20 });
      await pa.waitForAudio({ minPackets: 20 });
      expect((await alice.hangup()).outcome).toBe('ok');
      expect(pa.pageErrors.concat(pb.pageErrors)).toEqual([]);
    } finally {
      await Promise.all([closePage(pa), closePage(pb)]);
    }
  });

  it('Kamailio unreachable, Telnyx up: connects through Telnyx and calls with audio', async () => {
    const [pa, pb] = await Promise.all([lab.newPage(), lab.newPage()]);
    try {
      const alice = await PageClient.create(pa, 'alice', [sip('alice', `ws://127.0.0.1:${deadPort}`), tx('alice')] as never);
      const bob = await PageClient.create(pb, 'bob', tx('bob'));
      await bob.connect();
      await alice.connect();
      expect(await alice.lines()).toContain('client providerChanged from=sipjs to=telnyx');
      expect((await alice.state()).client).toBe('connected');
      expect((await alice.call('bob')).outcome).toBe('ok');
      await bob.waitForLine('client incomingCall');
      expect((await bob.answer()).outcome).toBe('ok');
      await alice.waitForLine('call#1 active');
      await pb.waitForAudio({ minPackets: 20 });
      expect((await alice.hangup()).outcome).toBe('ok');
      expect(pa.pageErrors.concat(pb.pageErrors)).toEqual([]);
    } finally {
      await Promise.all([closePage(pa), closePage(pb)]);
    }
  });

  it('Telnyx refusing the token does not fail over: AUTH_REJECTED', async () => {
    const pa = await lab.newPage();
    try {
      const bad = { ...tx('alice'), credentials: { type: 'jwt', token: 'not.a.jwt-at-all' } };
      const alice = await PageClient.create(pa, 'alice', [bad, sip('alice')] as never);
      expect((await alice.op('connect')).outcome).toBe('AUTH_REJECTED');
      expect((await alice.lines()).some((l) => l.includes('providerChanged'))).toBe(false);
    } finally {
      await closePage(pa);
    }
  });
});
