// The conformance suite on the Sendbird provider in Chromium (its lab: sendbird.target.ts).
import { defineConformanceSuite } from './suite.js';
import { sendbirdTarget } from './sendbird.target.js';

defineConformanceSuite(sendbirdTarget);
