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

describe('an app that imports one provider bundles one vendor SDK, loaded lazily', () => {
  let outdir: string;
  const metafiles: Record<string, Metafile> = {};

  beforeAll(async () => {
    outdir = mkdtempSync(join(tmpdir(), 'polyphone-bundle-'));
    for (const name of Object.keys(VENDORS)) {
      const result = await build({
        stdin: {
          contents: `import { createVoiceClient } from './src/index.ts'; import { ${name} } from './src/providers/${name}/index.ts';
            export const start = (c) => createVoiceClient(c, { providers: [${name}] });`,
          resolveDir: root,
          loader: 'ts',
        },
        bundle: true,
        splitting: true,
        format: 'esm',
        platform: 'browser',
        outdir: join(outdir, name),
        metafile: true,
        logLevel: 'silent',
        define: { global: 'globalThis' },
      });
      metafiles[name] = result.metafile;
    }
  });
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  /** Inputs of a chunk and of every chunk it imports, statically only or dynamically too. */
  function closure(metafile: Metafile, chunk: string, dynamic: boolean, seen = new Set<string>()): Set<string> {
    if (seen.has(chunk)) return new Set();
    seen.add(chunk);
    const output = metafile.outputs[chunk]!;
    const inputs = new Set(Object.keys(output.inputs));
    for (const imp of output.imports) {
      if (imp.external || (!dynamic && imp.kind !== 'import-statement')) continue;
      for (const i of closure(metafile, imp.path, dynamic, seen)) inputs.add(i);
    }
    return inputs;
  }
  const entryOf = (metafile: Metafile) => Object.keys(metafile.outputs).find((o) => metafile.outputs[o]!.entryPoint === '<stdin>')!;

  it.each(Object.entries(VENDORS))('the %s app holds no vendor SDK in its entry chunk and can load only %s', (name, pkg) => {
    const metafile = metafiles[name]!;
    const entry = entryOf(metafile);
    expect([...closure(metafile, entry, false)].map(vendorOf).filter(Boolean)).toEqual([]);
    expect([...new Set([...closure(metafile, entry, true)].map(vendorOf).filter(Boolean))]).toEqual([pkg]);
  });
});
