// The lab/network quality scenarios on Telnyx: the real @telnyx/webrtc SDK against lab/telnyx.
import { startTelnyxEmulator } from '../../lab/telnyx/index.mjs';
import { defineNetworkScenarios } from './network-scenarios.js';

defineNetworkScenarios({
  name: 'telnyx',
  // @telnyx/webrtc restarts ICE itself (telnyx_rtc.modify updateMedia); the real service answers
  // with a media server's SDP, which lab/telnyx (page-to-page media, no media server) cannot give,
  // so the SDK ends the call. See lab/telnyx/README.md.
  blackoutRecoveryUnsupported: 'lab/telnyx cannot answer the SDK\'s own ICE restart (modify updateMedia)',
  async startLab() {
    const emulator = await startTelnyxEmulator();
    const user = (login: string) => ({ provider: 'telnyx', server: emulator.url, credentials: { type: 'jwt', token: emulator.issueJwt(login) } });
    return { caller: user('alice'), callee: user('bob'), target: 'bob', stop: () => emulator.stop() };
  },
});
