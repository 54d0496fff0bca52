// A test outside the suite that is also a cell of the conformance matrix (a row the suite itself
// does not run: agent conversation, runtime failover). Its outcome is written where the suite's
// cells go, so MATRIX.md shows it beside them; a failing test is a failing cell.
import { inject, it } from 'vitest';
import { MATRIX_DIR_ENV, recordCell, type Cell } from './matrix.js';

const matrixDir = () => process.env[MATRIX_DIR_ENV] ?? ((inject as (key: string) => unknown)('conformanceDir') as string | undefined);

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
