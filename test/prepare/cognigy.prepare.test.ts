// The warm start on Cognigy: two web visitors (JsSIP) of one lab endpoint in the real reply
// shape, registered at the Cognigy realm of a real Kamailio (the conformance preset).
import { cognigyLab } from '../conformance/lab-kit.js';
import { definePrepareScenario } from './prepare-scenario.js';

definePrepareScenario('cognigy', async () => {
  const lab = await cognigyLab();
  return { caller: lab.caller as Record<string, unknown>, callee: lab.callee as Record<string, unknown>, target: lab.target, stop: () => lab.stop() };
});
