// An incoming caller's display name is the caller's text (issue 15, item 10): it reaches the app
// as text, cut to 128 characters, however long the INVITE's From made it. A raw sip.js caller
// (media stubbed: Kamailio relays SDP without reading it) calls a polyphone client on Kamailio.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Inviter, UserAgent, type SessionDescriptionHandler } from 'sip.js';
import { createVoiceClient } from '../../src/all.js';
import { DOMAIN, TEST_USERS, startKamailio } from '../../lab/kamailio/index.mjs';

type Kamailio = Awaited<ReturnType<typeof startKamailio>>;

const SDP = ['v=0', 'o=- 1 1 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0', 'm=audio 9 RTP/AVP 0', 'a=rtpmap:0 PCMU/8000', 'a=sendrecv', ''].join('\r\n');
const fixedSdp = (): SessionDescriptionHandler => ({
  close: () => undefined,
  getDescription: async () => ({ body: SDP, contentType: 'application/sdp' }),
  hasDescription: (type: string) => type === 'application/sdp',
  setDescription: async () => undefined,
  sendDtmf: () => false,
});

let kamailio: Kamailio;
beforeAll(async () => {
  kamailio = await startKamailio();
});
afterAll(async () => {
  await kamailio?.stop();
});

describe('an incoming caller’s display name', () => {
  it('arrives as text cut to 128 characters, whatever the caller sent (4 KB of markup here)', async () => {
    const client = await createVoiceClient({
      provider: 'sipjs',
      server: kamailio.wsUrl,
      uri: `sip:alice@${DOMAIN}`,
      credentials: { type: 'password', password: TEST_USERS.alice },
    });
    const seen: Array<{ displayName: string | undefined; callName: string | undefined }> = [];
    client.on('incomingCall', ({ call, displayName }) => {
      seen.push({ displayName, callName: call.displayName });
      void call.reject({ status: 486 }).catch(() => {});
    });
    await client.connect();

    const sent = '<img src=x onerror=alert(1)>'.repeat(150); // 4 200 characters
    const caller = new UserAgent({ transportOptions: { server: kamailio.wsUrl }, logBuiltinEnabled: false, displayName: sent, sessionDescriptionHandlerFactory: () => fixedSdp() });
    await caller.start();
    try {
      const final = await new Promise<number>((resolve) => {
        const timer = setTimeout(() => resolve(-1), 5_000);
        void new Inviter(caller, UserAgent.makeURI(`sip:alice@${DOMAIN}`)!)
          .invite({ requestDelegate: { onReject: (r) => (clearTimeout(timer), resolve(r.message.statusCode ?? 0)) } })
          .catch(() => resolve(-2));
      });
      expect(final).toBe(486);
    } finally {
      await caller.stop().catch(() => {});
      await client.disconnect();
    }
    expect(seen).toHaveLength(1);
    expect(seen[0]!.displayName).toBe(sent.slice(0, 128));
    expect(seen[0]!.callName).toBe(sent.slice(0, 128));
  });
});
