// Call waiting (test/calls/call-waiting-scenario.ts) on Cognigy in headless Chromium: alice, bob
// and carol are three web visitors (JsSIP) of one lab endpoint in the real reply shape, each
// registered under its own userId at the endpoint's realm of a real Kamailio (cognigySeveralCallsLab).
import { cognigySeveralCallsLab } from './cognigy-several-calls-lab.js';
import { defineCallWaitingScenarios } from './call-waiting-scenario.js';

defineCallWaitingScenarios({ name: 'cognigy', remoteHold: true, refusedAs: 'busy', startLab: cognigySeveralCallsLab });
