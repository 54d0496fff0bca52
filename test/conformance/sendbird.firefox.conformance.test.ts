// The conformance suite on the Sendbird provider in Firefox ESR: the same lab and scenarios as in
// Chromium, its own matrix column.
import { defineConformanceSuite } from './suite.js';
import { sendbirdTarget } from './sendbird.target.js';

defineConformanceSuite({ ...sendbirdTarget, browser: 'firefox' });
