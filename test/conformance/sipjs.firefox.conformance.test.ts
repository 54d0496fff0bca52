// The conformance suite on the SIP.js provider in Firefox ESR: the same lab and scenarios as in
// Chromium, its own matrix column.
import { defineConformanceSuite } from './suite.js';
import { sipjsTarget } from './sipjs.target.js';

defineConformanceSuite({ ...sipjsTarget, browser: 'firefox' });
