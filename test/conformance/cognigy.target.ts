// The conformance lab of the Cognigy provider: two Cognigy web visitors (JsSIP) of one lab
// endpoint in the real reply shape, each registering its own AOR on a real Kamailio playing
// Cognigy's gateway; DTMF goes by SIP INFO, Cognigy's default (the lab: cognigyLab in lab-kit.ts).
import { cognigyLab } from './lab-kit.js';
import type { ConformanceTarget } from './suite.js';

export const cognigyTarget: ConformanceTarget = { name: 'cognigy', startLab: cognigyLab };
