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
