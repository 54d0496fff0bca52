// What a column of the matrix must show: the capabilities a provider declares away (each with the
// vendor's own limit, cited) and the cells that then turn `unsupported`. polyphone pins its
// built-in providers in test/conformance/expected-matrix.ts; a provider of another package pins
// its own in its target's `expected`.
import type { ProviderCapabilities } from '../provider.js';
import type { ScenarioName } from './matrix.js';

/** Why a provider cannot do something: the vendor's own limit, with where it shows. */
export interface Citation {
  why: string;
  /** Where the limit can be read: a file of the vendor package, or its documentation. */
  source: string;
}

/** A flag of `client.capabilities`. */
export type Capability = keyof ProviderCapabilities;

/** `pass`, or `unsupported` because the provider declares `capability` false (and must act so). */
export type ExpectedCell = 'pass' | { unsupported: Capability };

export interface ProviderExpectation {
  /** Every capability the provider declares false once the caller is connected, cited. */
  lacks: Partial<Record<Capability, Citation>>;
  /** Why `call.getStats()` may give nothing on a call with audio; absent: it must show the audio. */
  getStatsWaiver?: Citation;
}

/** A target's own column: its lacks and the cells they turn `unsupported` (the rest must pass). */
export interface ExpectedColumnSpec {
  lacks?: ProviderExpectation['lacks'];
  cells?: Partial<Record<ScenarioName, ExpectedCell>>;
  getStatsWaiver?: Citation;
}

export interface ExpectedColumn {
  expectation: ProviderExpectation;
  cell(scenario: ScenarioName): ExpectedCell;
}

/** The column a target pins; without one every cell must pass and nothing be declared away. */
export function columnFromSpec(spec: ExpectedColumnSpec | undefined): ExpectedColumn {
  const expectation: ProviderExpectation = { lacks: spec?.lacks ?? {}, ...(spec?.getStatsWaiver ? { getStatsWaiver: spec.getStatsWaiver } : {}) };
  return { expectation, cell: (scenario) => spec?.cells?.[scenario] ?? 'pass' };
}

/** One line for a cell, as MATRIX.md prints it. */
export const describeExpected = (cell: ExpectedCell) => (cell === 'pass' ? 'pass' : `unsupported (capabilities.${cell.unsupported} false)`);
