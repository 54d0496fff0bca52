// Transfer (test/calls/transfer-scenario.ts) on Cognigy in headless Chromium: alice, bob and carol
// are three web visitors (JsSIP) of one lab endpoint on a real Kamailio (cognigySeveralCallsLab).
// Both sides are Cognigy's: alice's REFER (with Replaces when attended), bob's client following
// it, carol's client taking an INVITE with Replaces in place of her call with alice.
import { cognigySeveralCallsLab } from './cognigy-several-calls-lab.js';
import { defineTransferScenarios } from './transfer-scenario.js';

defineTransferScenarios({ name: 'cognigy', startLab: cognigySeveralCallsLab });
