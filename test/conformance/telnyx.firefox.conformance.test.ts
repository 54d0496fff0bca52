// The conformance suite on the Telnyx provider in Firefox ESR: the same lab and scenarios as in
// Chromium, its own matrix column.
import { defineConformanceSuite } from './suite.js';
import { telnyxTarget } from './telnyx.target.js';

defineConformanceSuite({ ...telnyxTarget, browser: 'firefox' });
