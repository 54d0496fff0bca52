// The device scenario on Sendbird: the real sendbird-calls SDK against lab/sendbird, two users.
import { SENDBIRD_USERS, startSendbirdEmulator } from '../../lab/sendbird/index.mjs';
import { defineDeviceScenario } from './device-scenario.js';

defineDeviceScenario('sendbird', async () => {
  const emulator = await startSendbirdEmulator();
  const user = (userId: string, accessToken: string) => ({
    provider: 'sendbird',
    server: emulator.appId,
    apiHost: emulator.apiHost,
    wsHost: emulator.wsHost,
    credentials: { type: 'accessToken', userId, accessToken },
    iceServers: [],
  });
  return { caller: user('alice', SENDBIRD_USERS.alice!), callee: user('bob', SENDBIRD_USERS.bob!), target: 'bob', stop: () => emulator.stop() };
});
