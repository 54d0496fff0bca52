// The conformance suite on the Cognigy provider: two Cognigy web visitors (JsSIP) of one lab
// endpoint in the real reply shape, each registering its own AOR on a real Kamailio playing
// Cognigy's gateway; DTMF goes by SIP INFO, Cognigy's default.
import { cognigyLab } from './lab-kit.js';
import { defineConformanceSuite } from './suite.js';

defineConformanceSuite({ name: 'cognigy', startLab: cognigyLab });
