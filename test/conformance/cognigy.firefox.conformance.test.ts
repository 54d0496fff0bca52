// The conformance suite on the Cognigy provider in Firefox ESR: the same lab and scenarios as in
// Chromium, its own matrix column.
import { defineConformanceSuite } from './suite.js';
import { cognigyTarget } from './cognigy.target.js';

defineConformanceSuite({ ...cognigyTarget, browser: 'firefox' });
