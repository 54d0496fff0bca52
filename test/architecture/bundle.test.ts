import { build, type Metafile } from 'esbuild';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coreViolations } from './static-imports.js';

const root = join(import.meta.dirname, '..', '..');
const VENDORS: Record<string, string> = { sipjs: 'sip.js', cognigy: 'jssip', telnyx: '@telnyx/webrtc', sendbird: 'sendbird-calls' };
const vendorOf = (input: string) => Object.values(VENDORS).find((pkg) => input.includes(`node_modules/${pkg}/`));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

describe('core never statically imports a provider or a vendor SDK', () => {
  it('no file under src/core does, in any syntax (import, import type, export … from, bare import, require)', () => {
    const offenders = sourceFiles(join(root, 'src', 'core')).flatMap((file) => coreViolations(relative(root, file), readFileSync(file, 'utf8')));
    expect(offenders).toEqual([]);
  });

  it('positive control: the check trips on every syntax, and lets the registry\'s dynamic import() through', () => {
    const planted: Record<string, string> = {
      "import { provider } from '../providers/sipjs/index.js';": "import '../providers/sipjs/index.js' → a provider",
      "import type { TelnyxOptions } from '../providers/telnyx/options.js';": "import '../providers/telnyx/options.js' → a provider",
      "export { provider } from '../providers/sendbird/index.js';": "export-from '../providers/sendbird/index.js' → a provider",
      "export * from '../providers/cognigy/provider.js';": "export-from '../providers/cognigy/provider.js' → a provider",
      "import 'sip.js';": "import 'sip.js' → vendor SDK sip.js",
      "import * as JsSIP from 'jssip';": "import 'jssip' → vendor SDK jssip",
      "const sdk = require('@telnyx/webrtc');": "require '@telnyx/webrtc' → vendor SDK @telnyx/webrtc",
      "import SendBirdCall = require('sendbird-calls');": "import-equals 'sendbird-calls' → vendor SDK sendbird-calls",
      "export { UserAgent } from 'sip.js/lib/api/index.js';": "export-from 'sip.js/lib/api/index.js' → vendor SDK sip.js",
    };
    for (const [line, found] of Object.entries(planted)) expect(coreViolations('planted.ts', `// planted\n${line}\n`), line).toEqual([`planted.ts:2: ${found}`]);
    const allowed = ["const load = () => import('../providers/sipjs/index.js');", "import { VoiceError } from './errors.js';", "import mitt from 'mitt';", "const text = 'import x from \"sip.js\"';"];
    for (const line of allowed) expect(coreViolations('allowed.ts', line), line).toEqual([]);
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

/**
 * Issue 19, item 3: core + one provider's glue ≤ 10 % of that provider's vendor SDK, min+gzip, in
 * an app importing polyphone and that provider (bench/bundle-size.mjs, the figure bench/run.mjs
 * prints). Where the goal is met the goal holds; where not yet, the figure reached + ~3 % holds,
 * so that it cannot creep back. Lower a figure here whenever the bench shows it lower.
 * Raised once, knowingly, when this test caught the growth: the core's reconnection supervisor,
 * its reconnect policy, client.prepare() and sink-first calls (about +3 KB in the core; sipjs
 * +1.9 KB only, its own retry loop gone) and cognigy's transfer (REFER both ways, Replaces: about
 * +1.3 KB more on cognigy) landed after the figures were first held.
 */
const HELD_GZIP_BYTES: Record<string, number> = { sipjs: 28_350, cognigy: 32_200, telnyx: 27_450, sendbird: 25_550 };

describe('bytes: core + one provider\'s glue, min+gzip, held where the issue 19 budget has brought it', () => {
  let apps: Array<{ provider: string; staticGzip: number; goal: number; vendorInEntry: boolean; vendorGzipBytes: number; lazy: Array<{ chunk: string; modules: string[] }> }>;
  beforeAll(async () => {
    // The bench's own measurement, so that the test holds exactly the figure `npm run bench` prints.
    const bench = (await import('../../bench/bundle-size.mjs' as string)) as { measureApps(): Promise<typeof apps> };
    apps = await bench.measureApps();
  }, 120_000);

  it.each(Object.keys(VENDORS))('%s: what the page loads up front stays within its held figure (the goal where met)', (name) => {
    const app = apps.find((a) => a.provider === name)!;
    expect(app.vendorInEntry).toBe(false);
    expect(app.vendorGzipBytes).toBeGreaterThan(40_000);
    const held = HELD_GZIP_BYTES[name]!;
    expect(app.staticGzip, `${name}: ${app.staticGzip} B (goal ${app.goal} B, held ${held} B)`).toBeLessThanOrEqual(held);
  });

  it('the quality monitor is a chunk of its own, outside what the page loads up front', () => {
    for (const app of apps) expect(app.lazy.find((c) => c.chunk === 'monitor')?.modules, app.provider).toContain('src/core/quality/monitor.ts');
  });
});
