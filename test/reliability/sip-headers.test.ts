// What polyphone writes into SIP headers, read on the wire (issue 15, items 4 and 5): a display
// name with quotes and backslashes arrives as one well-formed quoted-string in From, and sip.js's
// own log lines reach the app's logger at debug only, through the redactor. Real Kamailio; the
// REGISTER is read off a lab/net TCP relay in front of it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVoiceClient } from '../../src/all.js';
import { DOMAIN, TEST_USERS, startKamailio } from '../../lab/kamailio/index.mjs';
import { startTcpProxy } from '../../lab/net/tcp-proxy.mjs';

type Kamailio = Awaited<ReturnType<typeof startKamailio>>;

let kamailio: Kamailio;
beforeAll(async () => {
  kamailio = await startKamailio();
});
afterAll(async () => {
  await kamailio?.stop();
});

describe('display names on the wire', () => {
  it('quotes and backslashes arrive escaped inside one quoted-string, and Kamailio registers the user', async () => {
    const sent: string[] = [];
    const proxy = await startTcpProxy({ targetPort: kamailio.port, onClientChunk: (text) => void sent.push(text) });
    const client = await createVoiceClient({
      provider: 'sipjs',
      server: proxy.wsUrl,
      uri: `sip:alice@${DOMAIN}`,
      displayName: 'Alice "The Boss" \\ O\'Neil',
      credentials: { type: 'password', password: TEST_USERS.alice },
    });
    try {
      await client.connect();
      expect(client.state).toBe('connected');
      const register = sent.find((t) => t.startsWith('REGISTER '));
      const from = register?.split('\r\n').find((line) => line.startsWith('From:'));
      expect(from).toMatch(/^From: "Alice \\"The Boss\\" \\\\ O'Neil" <sip:alice@polyphone\.test>;tag=/);
    } finally {
      await client.disconnect();
      await proxy.close();
    }
  });
});

describe("sip.js's own log lines", () => {
  it('reach the logger at debug only (its configuration dump included)', async () => {
    const entries: Array<{ level: string; message: string }> = [];
    const proxy = await startTcpProxy({
      targetPort: kamailio.port,
      // The server drops the socket at the REGISTER: sip.js logs a warning and an error of its own.
      onClientChunk: (text, control) => text.startsWith('REGISTER ') && control.reset(),
    });
    const client = await createVoiceClient({
      provider: 'sipjs',
      server: proxy.wsUrl,
      uri: `sip:bob@${DOMAIN}`,
      credentials: { type: 'password', password: TEST_USERS.bob },
      logger: (entry) => void entries.push(entry),
    });
    await client.connect().catch(() => {});
    await proxy.close();
    const fromSipJs = entries.filter((e) => e.message.startsWith('sip.'));
    expect(fromSipJs.length).toBeGreaterThan(0);
    expect(fromSipJs.filter((e) => e.level !== 'debug')).toEqual([]);
  });
});
