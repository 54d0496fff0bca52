// The lab/network quality scenarios on Cognigy: two Cognigy web visitors (JsSIP) of one lab
// endpoint in the real reply shape, on a real Kamailio playing Cognigy's gateway — the same lab as
// the conformance suite's (cognigyLab in test/conformance/lab-kit.ts).
import { cognigyLab } from '../conformance/lab-kit.js';
import { defineNetworkScenarios } from './network-scenarios.js';

defineNetworkScenarios({
  name: 'cognigy',
  async startLab() {
    const lab = await cognigyLab();
    return { caller: lab.caller as Record<string, unknown>, callee: lab.callee as Record<string, unknown>, target: lab.target, stop: () => lab.stop() };
  },
});
