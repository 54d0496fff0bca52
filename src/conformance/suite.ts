// The conformance suite: the same scenarios, held to the same golden trace and error codes, for
// any provider given a lab (servers to talk to and the configs of two users on them). Each
// scenario is one vitest `it` and one cell of the matrix (pass / fail / unsupported).
//
// Clients live in two real browser pages (caller and callee), reused across scenarios; every
// scenario makes its own clients and disconnects them all when it ends. A scenario that fails gets
// fresh pages for the next one, so one provider bug does not cascade through the column.
import { afterAll, beforeAll, describe, inject, it } from 'vitest';
import { openConformanceBrowser, type ConformanceBrowser } from './browser.js';
import { columnFromSpec, describeExpected } from './expectations.js';
import { columnOf, MATRIX_DIR_ENV, recordCell, SCENARIOS, type Cell, type ScenarioName } from './matrix.js';
import { callScenarios } from './scenarios-calls.js';
import { sessionScenarios } from './scenarios-session.js';
import { credentialStrings, firstLine, makeScenarioKit, type LabPage, type Outcome } from './scenario-kit.js';
import type { ConformanceLab, ConformanceTarget } from './target.js';

/**
 * Below the vitest test timeout, so a stuck scenario is still recorded as a fail. Generous: on a
 * machine shared with other work a call with several audio windows can take a minute.
 */
const SCENARIO_MS = 80_000;
/** What a failed scenario may still need to clean up and open fresh pages before the next one. */
const RECOVERY_MS = 40_000;

function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Where cells go: `POLYPHONE_CONFORMANCE_DIR`, or what a global setup provided; else nowhere. */
const matrixDir = () => process.env[MATRIX_DIR_ENV] ?? ((inject as (key: string) => unknown)('conformanceDir') as string | undefined);

/** Registers the suite's scenarios for one provider (call at the top level of a test file). */
export function defineConformanceSuite(target: ConformanceTarget): void {
  const dir = matrixDir();
  let lab: ConformanceLab | undefined;
  let browser: ConformanceBrowser | undefined;
  let labError: unknown;
  let pages: { caller: LabPage; callee: LabPage } | undefined;
  const seen: unknown[] = [];
  const secrets = new Set<string>();

  const column = columnOf(target.name, target.browser);
  const record = (scenario: ScenarioName, cell: Cell) => recordCell(dir, column, scenario, cell);
  const expected = columnFromSpec(target.expected);

  async function freshPages(): Promise<void> {
    if (pages) await closePages();
    const [caller, callee] = await Promise.all([browser!.newPage(), browser!.newPage()]);
    pages = { caller, callee };
  }

  async function collect(page: LabPage): Promise<void> {
    const traces = await page
      .evaluate(() => Object.values((window as any).__clients ?? {}).map((e: any) => ({ trace: e.client.trace(), ends: e.ends })))
      .catch(() => []);
    seen.push(traces, [...page.consoleLines], [...page.pageErrors]);
    page.consoleLines.length = 0;
  }

  async function closePages(): Promise<void> {
    if (!pages) return;
    const open = [pages.caller, pages.callee];
    pages = undefined;
    for (const page of open) await collect(page);
    await Promise.all(open.map((page) => page.context().close().catch(() => {})));
  }

  /** Disconnects every client of both pages (bounded), so nothing outlives a scenario. */
  async function disconnectAll(): Promise<void> {
    if (!pages) return;
    await Promise.all(
      [pages.caller, pages.callee].map((page) =>
        page.evaluate((t) => (window as any).__harness?.disconnectAll(t), 5_000).catch(() => {}),
      ),
    );
  }

  const kit = makeScenarioKit({ target, expected, lab: () => lab!, pages: () => pages!, seen, secrets, collect });
  const scenarios: Record<ScenarioName, () => Promise<Outcome>> = { ...sessionScenarios(kit), ...callScenarios(kit) };

  describe(`conformance: ${target.name}${target.browser ? ` in ${target.browser}` : ''}`, () => {
    beforeAll(async () => {
      try {
        lab = await target.startLab();
        for (const config of [lab.caller, lab.callee, lab.wrongCredentials, lab.unreachable]) for (const s of credentialStrings(config)) secrets.add(s);
        for (const s of lab.secrets ?? []) if (s.length >= 4) secrets.add(s);
        browser = await openConformanceBrowser(target);
        await freshPages();
      } catch (error) {
        labError = error;
      }
    }, 120_000);

    afterAll(async () => {
      await disconnectAll();
      await closePages();
      await browser?.close();
      await lab?.stop();
    }, 60_000);

    // In SCENARIOS order: the secret scan comes last, over everything the others showed.
    for (const name of SCENARIOS) {
      const body = scenarios[name];
      it(name, async () => {
        if (labError || !pages) {
          record(name, { outcome: 'fail', reason: `the lab did not start: ${firstLine(labError)}` });
          throw labError ?? new Error('the lab did not start');
        }
        let failed = false;
        try {
          const outcome = await within(body(), SCENARIO_MS, name);
          // Pinned in either direction: a new `unsupported` fails, and so does a surprise `pass`.
          const want = describeExpected(expected.cell(name));
          const got = describeExpected(outcome === 'pass' ? 'pass' : { unsupported: outcome.capability });
          if (got !== want) {
            throw new Error(`${target.name} · ${name}: expected ${want} (its expected column: expected-matrix.ts or target.expected), got ${got}${outcome === 'pass' ? '' : `: ${outcome.unsupported}`}`);
          }
          record(name, outcome === 'pass' ? { outcome: 'pass' } : { outcome: 'unsupported', reason: outcome.unsupported });
        } catch (error) {
          failed = true;
          record(name, { outcome: 'fail', reason: firstLine(error) });
          throw error;
        } finally {
          await disconnectAll();
          // A failed scenario may leave a call or a socket behind: the next one starts clean.
          if (failed) await freshPages().catch((error) => (labError = error));
        }
      }, SCENARIO_MS + RECOVERY_MS);
    }
  });
}
