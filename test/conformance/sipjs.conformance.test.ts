// The conformance suite on the SIP.js provider in Chromium (its lab: sipjs.target.ts).
import { defineConformanceSuite } from './suite.js';
import { sipjsTarget } from './sipjs.target.js';

defineConformanceSuite(sipjsTarget);
