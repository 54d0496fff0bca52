// The lab/network quality scenarios on Sendbird: the real sendbird-calls SDK against lab/sendbird.
// sendbird-calls takes its TURN server from the Sendbird server, never from the app, so the page's
// network hands it the lab relay (turnFromPage).
import { SENDBIRD_USERS, startSendbirdEmulator } from '../../lab/sendbird/index.mjs';
import { defineNetworkScenarios } from './network-scenarios.js';

defineNetworkScenarios({
  name: 'sendbird',
  turnFromPage: true,
  async startLab() {
    const emulator = await startSendbirdEmulator();
    const user = (userId: 'alice' | 'bob') => ({
      provider: 'sendbird',
      server: emulator.appId,
      apiHost: emulator.apiHost,
      wsHost: emulator.wsHost,
      credentials: { type: 'accessToken', userId, accessToken: (SENDBIRD_USERS as Record<string, string>)[userId] },
    });
    return { caller: user('alice'), callee: user('bob'), target: 'bob', stop: () => emulator.stop() };
  },
});
