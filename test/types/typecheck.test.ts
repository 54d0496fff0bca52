// Compile-time tests: tsc checks test/types (every @ts-expect-error there must be needed, or
// TS2578 fails it), and the polyphone snippets of the migration guides against the current API.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');

function tsc(project: string): string {
  try {
    execFileSync(join(root, 'node_modules', '.bin', 'tsc'), ['-p', project], { cwd: root, encoding: 'utf8', timeout: 280_000 });
    return '';
  } catch (error) {
    return String((error as { stdout?: string }).stdout ?? error);
  }
}

/**
 * A guide's ```ts blocks as one module: imports hoisted, each block's body in a function of its
 * own (a later block may reuse the names of an earlier one, as the guide's reader does).
 */
export function snippetModule(markdown: string): { source: string; blocks: number } {
  const blocks = [...markdown.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);
  const imports = new Set<string>();
  const bodies = blocks.map((block, i) => {
    const lines = block.split('\n');
    for (const line of lines) if (/^import /.test(line)) imports.add(line);
    const body = lines.filter((line) => !/^import /.test(line)).join('\n');
    return `export async function snippet${i + 1}(): Promise<void> {\n${body}\n}\n`;
  });
  return { source: [...imports, '', ...bodies].join('\n'), blocks: blocks.length };
}

describe('type tests', () => {
  it('test/types compiles: typed configs accept what they should and reject misspellings', () => {
    expect(tsc(join(root, 'test', 'types', 'tsconfig.json'))).toBe('');
  }, 300_000);

  it("the migration guides' polyphone snippets compile against the current API", () => {
    const out = join(root, 'test', 'types', 'snippets');
    rmSync(out, { recursive: true, force: true });
    mkdirSync(out, { recursive: true });
    const guides = readdirSync(join(root, 'docs')).filter((f) => /^migrating-from-.*\.md$/.test(f));
    expect(guides.length).toBeGreaterThanOrEqual(4);
    for (const guide of guides) {
      const { source, blocks } = snippetModule(readFileSync(join(root, 'docs', guide), 'utf8'));
      expect(blocks, `${guide} has polyphone snippets`).toBeGreaterThanOrEqual(5);
      writeFileSync(join(out, guide.replace(/\.md$/, '.ts')), source);
    }
    expect(tsc(join(root, 'test', 'types', 'tsconfig.snippets.json'))).toBe('');
  }, 300_000);
});
