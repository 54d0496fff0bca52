// polyphone's own conformance columns: the suite the package ships (src/conformance, imported by
// provider authors as `polyphone/conformance`), with each built-in provider's column pinned in
// expected-matrix.ts, and lab pages that know the built-in providers.
import {
  defineConformanceSuite as defineKitSuite,
  openConformanceBrowser as openKitBrowser,
  SCENARIOS,
  type ConformanceTarget,
  type ExpectedColumnSpec,
} from '../../src/conformance/index.js';
import { EXPECTED_MATRIX, PROVIDER_EXPECTATIONS } from './expected-matrix.js';

export type { ClientConfig, ConformanceLab, ConformanceTarget } from '../../src/conformance/index.js';

/** A built-in provider's pinned column, in the shape a target gives its own. */
function pinnedColumn(provider: string): ExpectedColumnSpec | undefined {
  const expectation = PROVIDER_EXPECTATIONS[provider];
  if (!expectation) return undefined;
  return { ...expectation, cells: Object.fromEntries(SCENARIOS.map((scenario) => [scenario, EXPECTED_MATRIX[scenario][provider] ?? 'pass'])) };
}

/** Registers the suite's scenarios for one provider (call at the top level of a test file). */
export function defineConformanceSuite(target: ConformanceTarget): void {
  defineKitSuite({ ...target, expected: pinnedColumn(target.name) ?? target.expected });
}

/** Lab pages whose polyphone knows the built-in providers and the target's own module, if any. */
export function openConformanceBrowser(target: Pick<ConformanceTarget, 'name' | 'providerModule' | 'browser'>) {
  return openKitBrowser({ builtInProviders: true, ...target });
}
