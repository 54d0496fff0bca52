// Vitest global setup: a folder for the conformance cells of this run (each test process writes
// its provider's column there), and, at the very end, the matrix printed to stdout so CI output
// shows it (one column per provider and browser). `WRITE_MATRIX=1` also writes it to test/conformance/MATRIX.md.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import { formatMatrix, MATRIX_DIR_ENV, readCells } from './matrix.js';
import { PROVIDER_EXPECTATIONS } from './expected-matrix.js';

declare module 'vitest' {
  export interface ProvidedContext {
    conformanceDir: string;
  }
}

const MATRIX_MD = fileURLToPath(new URL('./MATRIX.md', import.meta.url));

export default function setup(project: TestProject): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'polyphone-conformance-'));
  // Both ways: inject() in the tests, and the environment for processes forked after this.
  process.env[MATRIX_DIR_ENV] = dir;
  project.provide('conformanceDir', dir);
  return () => {
    try {
      const columns = readCells(dir);
      if (columns.size === 0) return;
      const matrix = formatMatrix(columns);
      process.stdout.write(`\nConformance matrix (scenario × provider × browser)\n\n${matrix}\n\n`);
      if (process.env.WRITE_MATRIX === '1') {
        writeFileSync(
          MATRIX_MD,
          [
            '# Conformance matrix',
            '',
            'Written by `WRITE_MATRIX=1 npx vitest run test/conformance` (see README.md here): one column per',
            'provider and browser engine (Chromium, Firefox ESR). Every cell is pinned in `expected-matrix.ts`:',
            'a run that differs from it in either direction fails. `unsupported`',
            'means the provider declares the capability absent (cited below) and answered as the suite requires',
            '(`UNSUPPORTED` from the operation, or nothing at all on the far side). `—`: not run.',
            '',
            matrix,
            '',
            '## Capabilities declared away (expected-matrix.ts)',
            '',
            ...Object.entries(PROVIDER_EXPECTATIONS).flatMap(([provider, e]) =>
              Object.entries(e.lacks).map(([capability, c]) => `- ${provider} · ${capability}: ${c!.why} (${c!.source})`),
            ),
            '',
          ].join('\n'),
        );
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}
