// A test outside the suite that is also a cell of the conformance matrix (a row the suite itself
// does not run: agent conversation, runtime failover). Its outcome is written where the suite's
// cells go, so MATRIX.md shows it beside them; a failing test is a failing cell.
import { inject, it } from 'vitest';
import { MATRIX_DIR_ENV, parseColumn, recordCell, type Cell } from './matrix.js';
import { EXPECTED_EXTRA_ROWS, describeExpected } from './expected-matrix.js';

const matrixDir = () => process.env[MATRIX_DIR_ENV] ?? ((inject as (key: string) => unknown)('conformanceDir') as string | undefined);

/**
 * Where expected-matrix.ts pins the row for the column's provider, why the outcome differs from it
 * (in either direction); undefined when it matches or the row is not pinned.
 */
export function differsFromPinned(column: string, row: string, outcome: 'pass' | { unsupported: string }): string | undefined {
  const pinned = EXPECTED_EXTRA_ROWS[row]?.[parseColumn(column).provider];
  if (!pinned) return undefined;
  const got = outcome === 'pass' ? 'pass' : 'unsupported';
  const want = pinned === 'pass' ? 'pass' : 'unsupported';
  return got === want ? undefined : `${column} · ${row}: pinned ${describeExpected(pinned)}, got ${outcome === 'pass' ? 'pass' : `unsupported (${outcome.unsupported})`}`;
}

/**
 * `it(title, …)` recording cell (`column`, `row`): `pass`, `fail` with the first line of the error,
 * or `unsupported` with the reason the test returns (it must have checked the declared behaviour).
 */
export function cellTest(title: string, column: string, row: string, run: () => Promise<void | { unsupported: string }>, timeoutMs?: number): void {
  it(
    title,
    async (context) => {
      const record = (cell: Cell) => recordCell(matrixDir(), column, row, cell);
      try {
        const outcome = await run();
        const differs = differsFromPinned(column, row, outcome ? { unsupported: outcome.unsupported } : 'pass');
        if (differs) throw new Error(differs);
        // Shown in the test report beside the matrix cell.
        if (outcome) context.annotate(`unsupported: ${outcome.unsupported}`);
        record(outcome ? { outcome: 'unsupported', reason: outcome.unsupported } : { outcome: 'pass' });
      } catch (error) {
        record({ outcome: 'fail', reason: String((error as Error)?.message ?? error).split('\n')[0]!.slice(0, 200) });
        throw error;
      }
    },
    timeoutMs,
  );
}
