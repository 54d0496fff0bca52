// Call waiting (test/calls/call-waiting-scenario.ts) on Sendbird: the REAL sendbird-calls SDK in
// headless Chromium against lab/sendbird, which delivers a second call to a user already on one as
// the service does. Sendbird has no busy: a call with no room is declined (`rejected`).
import { startSendbirdEmulator, SENDBIRD_USERS } from '../../lab/sendbird/index.mjs';
import { expect } from 'vitest';
import { PATIENT_WAIT } from './several-calls-lab.js';
import { defineCallWaitingScenarios } from './call-waiting-scenario.js';

defineCallWaitingScenarios({
  name: 'sendbird',
  remoteHold: true,
  refusedAs: 'rejected',
  // A call alice declined stays in the SDK's own list of calls: answering with holdActiveCall must
  // not try to hold it (an unhandled rejection in the page, caught after each test).
  async before({ alice, carol }) {
    expect((await carol.call('alice')).outcome).toBe('ok');
    await alice.waitForLine('client incomingCall', PATIENT_WAIT);
    await alice.must('reject');
    expect((await carol.waitForEnd(PATIENT_WAIT)).reason).toBe('rejected');
  },
  async startLab() {
    const emulator = await startSendbirdEmulator();
    const tokens: Record<string, string> = { alice: SENDBIRD_USERS.alice, bob: SENDBIRD_USERS.bob, carol: emulator.issueToken('carol') };
    return {
      config: (user) => ({
        provider: 'sendbird',
        server: emulator.appId,
        apiHost: emulator.apiHost,
        wsHost: emulator.wsHost,
        credentials: { type: 'accessToken', userId: user, accessToken: tokens[user] },
        // hold/unhold wait for the server's ack through a page; 10 s was once not enough on a loaded machine.
        timeouts: { operationMs: 30_000 },
      }),
      address: (user) => user,
      stop: () => emulator.stop(),
    };
  },
});
