import { build, type Metafile } from 'esbuild';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const VENDORS: Record<string, string> = { sipjs: 'sip.js', cognigy: 'jssip', telnyx: '@telnyx/webrtc', sendbird: 'sendbird-calls' };
const vendorOf = (input: string) => Object.values(VENDORS).find((pkg) => input.includes(`node_modules/${pkg}/`));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

describe('core never imports a vendor SDK', () => {
  it('no file under src/core names one in an import', () => {
    const offenders: string[] = [];
    for (const file of sourceFiles(join(root, 'src', 'core'))) {
      const text = readFileSync(file, 'utf8');
      for (const pkg of Object.values(VENDORS)) {
        const escaped = pkg.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
        if (new RegExp(`(from|import\\()\\s*['"]${escaped}['"]`).test(text)) offenders.push(`${relative(root, file)} → ${pkg}`);
      }
    }
    expect(offenders).toEqual([]);
  });
});

describe('an app that picks its provider by string loads one vendor SDK', () => {
  let outdir: string;
  let metafile: Metafile;

  beforeAll(async () => {
    outdir = mkdtempSync(join(tmpdir(), 'polyphone-bundle-'));
    const result = await build({
      stdin: {
        contents: `import { createVoiceClient } from './src/index.ts'; export const start = (c) => createVoiceClient(c);`,
        resolveDir: root,
        loader: 'ts',
      },
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'browser',
      outdir,
      metafile: true,
      logLevel: 'silent',
      define: { global: 'globalThis' },
    });
    metafile = result.metafile;
  });
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  /** Inputs of a chunk and of every chunk it imports statically (what loading it pulls in). */
  function staticClosure(chunk: string, seen = new Set<string>()): Set<string> {
    if (seen.has(chunk)) return new Set();
    seen.add(chunk);
    const output = metafile.outputs[chunk]!;
    const inputs = new Set(Object.keys(output.inputs));
    for (const imp of output.imports) if (imp.kind === 'import-statement') for (const i of staticClosure(imp.path, seen)) inputs.add(i);
    return inputs;
  }
  /** Everything a chunk can end up loading, dynamic imports included. */
  function fullClosure(chunk: string, seen = new Set<string>()): Set<string> {
    if (seen.has(chunk)) return new Set();
    seen.add(chunk);
    const output = metafile.outputs[chunk]!;
    const inputs = new Set(Object.keys(output.inputs));
    for (const imp of output.imports) if (!imp.external) for (const i of fullClosure(imp.path, seen)) inputs.add(i);
    return inputs;
  }
  const chunkFor = (entry: string) => Object.keys(metafile.outputs).find((o) => metafile.outputs[o]!.entryPoint?.endsWith(entry));

  it('the entry chunk holds the core and no vendor SDK', () => {
    const entry = Object.keys(metafile.outputs).find((o) => metafile.outputs[o]!.entryPoint === '<stdin>')!;
    const vendors = [...staticClosure(entry)].map(vendorOf).filter(Boolean);
    expect(vendors).toEqual([]);
  });

  it.each(Object.entries(VENDORS))('choosing %s can load only %s', (name, pkg) => {
    const chunk = chunkFor(`src/providers/${name}/index.ts`);
    expect(chunk, `a chunk for ${name}`).toBeDefined();
    const vendors = new Set([...fullClosure(chunk!)].map(vendorOf).filter(Boolean));
    expect([...vendors]).toEqual([pkg]);
  });
});
