// The conformance suite on the Telnyx provider in Chromium (its lab: telnyx.target.ts).
import { defineConformanceSuite } from './suite.js';
import { telnyxTarget } from './telnyx.target.js';

defineConformanceSuite(telnyxTarget);
