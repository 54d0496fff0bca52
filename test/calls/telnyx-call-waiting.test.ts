// Call waiting (test/calls/call-waiting-scenario.ts) on Telnyx: the REAL @telnyx/webrtc SDK in
// headless Chromium against the Verto emulator (lab/telnyx), which delivers a second call to a user
// already on one, as the service does (the SDK keeps several calls in client.calls and only warns
// about it). Telnyx never tells a held party (remoteHold false): "held" is proven by its silence.
import { startTelnyxEmulator, TELNYX_USERS } from '../../lab/telnyx/index.mjs';
import { expect } from 'vitest';
import { defineCallWaitingScenarios } from './call-waiting-scenario.js';

const USERS = { alice: TELNYX_USERS.alice as string, bob: TELNYX_USERS.bob as string, carol: 'carol-tx-pw-7e3' };

defineCallWaitingScenarios({
  name: 'telnyx',
  remoteHold: false,
  refusedAs: 'busy',
  async startLab() {
    const emulator = await startTelnyxEmulator({ users: { ...TELNYX_USERS, carol: USERS.carol } });
    return {
      config: (user) => ({ provider: 'telnyx', server: emulator.url, credentials: { type: 'password', login: user, password: USERS[user] }, iceServers: [] }),
      address: (user) => user,
      // The emulator routed carol's call to alice while she was on one (it did not refuse it).
      checkOffered: () => expect(emulator.stats.calls.filter((c: { to: string }) => c.to === 'alice').map((c: { outcome: string }) => c.outcome)).toEqual(['routed']),
      stop: () => emulator.stop(),
    };
  },
});
