/**
 * `polyphone/conformance`: polyphone's conformance suite, for a provider published as its own
 * package. In the author's own vitest run, `defineConformanceSuite(target)` runs every scenario
 * polyphone's built-in providers are held to (same golden trace, same error codes, audio proven
 * by the receiver's getStats()) against the author's provider and lab, in real headless
 * Chromium (or Firefox ESR). Needs the optional peers `vitest`, `playwright-core` and `esbuild`
 * (and `puppeteer-core` for Firefox). Runs in Node; never import it into an app.
 *
 * ```ts
 * import { defineConformanceSuite } from 'polyphone/conformance';
 * defineConformanceSuite({ name: 'acme', providerModule: '/abs/path/to/acme.ts', startLab: async () => ({ … }) });
 * ```
 */
export { defineConformanceSuite } from './suite.js';
export { openConformanceBrowser, type ConformanceBrowser, type PageOptions } from './browser.js';
export type { ClientConfig, ConformanceLab, ConformanceTarget } from './target.js';
export { describeExpected, type Capability, type Citation, type ExpectedCell, type ExpectedColumnSpec, type ProviderExpectation } from './expectations.js';
export { SCENARIOS, MATRIX_DIR_ENV, columnOf, formatMatrix, readCells, recordCell, type Browser, type Cell, type CellOutcome, type ScenarioName } from './matrix.js';
export { PageClient, type OpResult, type PageClientState, type PageOp } from './page-client.js';
export { scanForSecrets, type SecretFinding } from './secrets.js';
export { closedLoopbackPort } from './ports.js';
