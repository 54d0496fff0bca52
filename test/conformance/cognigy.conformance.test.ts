// The conformance suite on the Cognigy provider in Chromium (its lab: cognigy.target.ts).
import { defineConformanceSuite } from './suite.js';
import { cognigyTarget } from './cognigy.target.js';

defineConformanceSuite(cognigyTarget);
