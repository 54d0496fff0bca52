// The vendor SDKs' own log lines reach the app's logger at debug only and through the redactor
// (issue 15, item 5): the real @telnyx/webrtc SDK in Node (lab/telnyx shims) against the
// project's Verto emulator, with a refused login so that the SDK logs warnings and errors of its
// own. (sip.js: test/reliability/sip-headers.test.ts.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVoiceClient } from '../../src/all.js';
import { startTelnyxEmulator } from '../../lab/telnyx/index.mjs';
import { installTelnyxNodeShims } from '../../lab/telnyx/node-shims.mjs';

type Emulator = Awaited<ReturnType<typeof startTelnyxEmulator>>;

const PASSWORD = 'vendor-log-pw-5f2c';
let emulator: Emulator;
let restoreGlobals: () => void;

beforeAll(async () => {
  restoreGlobals = installTelnyxNodeShims();
  emulator = await startTelnyxEmulator({ users: { vlog: PASSWORD } });
});
afterAll(async () => {
  await emulator?.stop();
  restoreGlobals?.();
});

describe('@telnyx/webrtc log lines', () => {
  it('are at debug only, and never carry the password', async () => {
    const entries: Array<{ level: string; message: string; data?: unknown }> = [];
    const client = await createVoiceClient({
      provider: 'telnyx',
      server: emulator.url,
      iceServers: [],
      credentials: { type: 'password', login: 'vlog', password: 'wrong-' + PASSWORD },
      timeouts: { connectMs: 3_000 },
      logger: (entry) => void entries.push(entry),
    });
    await client.connect().catch(() => {});
    await client.disconnect();
    const fromSdk = entries.filter((e) => e.message.startsWith('telnyx ['));
    expect(fromSdk.length).toBeGreaterThan(0);
    expect(fromSdk.filter((e) => e.level !== 'debug')).toEqual([]);
    expect(JSON.stringify(entries)).not.toContain(PASSWORD);
  });
});
