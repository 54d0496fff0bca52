// Bundle bytes (minified + gzip) of an app that imports polyphone and picks a provider by string:
// the core (the entry chunk), and for each provider its glue beyond its vendor SDK.
import { build } from 'esbuild';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const root = join(import.meta.dirname, '..');
const VENDORS = { sipjs: 'sip.js', cognigy: 'jssip', telnyx: '@telnyx/webrtc', sendbird: 'sendbird-calls' };
const isVendor = (/** @type {string} */ input) => Object.values(VENDORS).some((pkg) => input.includes(`node_modules/${pkg}/`));

export async function measureBundles() {
  const outdir = mkdtempSync(join(tmpdir(), 'polyphone-size-'));
  try {
    const { metafile } = await build({
      // The app hands over its providers; each is imported lazily here so that its glue is a chunk of its own.
      stdin: { contents: `export { createVoiceClient } from './src/index.ts';\n${Object.keys(VENDORS).map((n) => `export const ${n} = () => import('./src/providers/${n}/index.ts');`).join('\n')}`, resolveDir: root, loader: 'ts' },
      bundle: true, splitting: true, format: 'esm', platform: 'browser', target: 'es2022', minify: true,
      outdir, metafile: true, logLevel: 'silent', define: { global: 'globalThis' },
    });
    const gz = (/** @type {string} */ file) => gzipSync(readFileSync(join(root, file))).length;
    const outputs = metafile.outputs;
    // An output chunk esbuild listed (every name passed here comes from its own metafile).
    const output = (/** @type {string} */ name) => /** @type {import('esbuild').Metafile['outputs'][string]} */ (outputs[name]);
    const entry = /** @type {string} */ (Object.keys(outputs).find((o) => output(o).entryPoint === '<stdin>'));
    // Chunks reachable from a provider's chunk, split into the vendor's and the provider's own.
    /** @type {(chunk: string, seen?: Set<string>) => Set<string>} */
    const reach = (chunk, seen = new Set()) => {
      if (seen.has(chunk)) return seen;
      seen.add(chunk);
      for (const imp of output(chunk).imports) if (!imp.external) reach(imp.path, seen);
      return seen;
    };
    const staticCore = new Set([entry]);
    /** @type {(c: string) => void} */
    const addStatic = (c) => output(c).imports.filter((i) => i.kind === 'import-statement').forEach((i) => !staticCore.has(i.path) && (staticCore.add(i.path), addStatic(i.path)));
    addStatic(entry);
    const sum = (/** @type {Iterable<string>} */ chunks) => [...chunks].reduce((n, c) => n + gz(c), 0);
    /** @type {Array<{ part: string, gzipBytes: number, target: number, vendorGzipBytes?: number }>} */
    const rows = [{ part: 'core (entry chunk + its static imports)', gzipBytes: sum(staticCore), target: 3072 }];
    const failover = Object.keys(outputs).find((o) => output(o).entryPoint?.endsWith('src/core/failover.ts'));
    if (failover) rows.push({ part: 'failover (loaded only for a list of configs)', gzipBytes: gz(failover), target: 3072 });
    for (const [name, pkg] of Object.entries(VENDORS)) {
      const chunk = Object.keys(outputs).find((o) => output(o).entryPoint?.endsWith(`src/providers/${name}/index.ts`));
      if (!chunk) continue;
      const all = reach(chunk);
      for (const c of staticCore) all.delete(c);
      const glue = [...all].filter((c) => !Object.keys(output(c).inputs).some(isVendor));
      const vendor = [...all].filter((c) => Object.keys(output(c).inputs).some(isVendor));
      rows.push({ part: `${name} glue (beyond ${pkg})`, gzipBytes: sum(glue), target: 3072, vendorGzipBytes: sum(vendor) });
    }
    return rows;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const rows = await measureBundles();
  console.log('bundle size, minified + gzip (esbuild, code splitting, app loads the provider it is handed)');
  for (const r of rows) {
    const vendor = r.vendorGzipBytes !== undefined ? `  (vendor SDK ${(r.vendorGzipBytes / 1024).toFixed(1)} KB)` : '';
    console.log(`  ${r.part.padEnd(44)} ${String(r.gzipBytes).padStart(7)} B  target ≤ ${r.target} B ${r.gzipBytes <= r.target ? 'met' : 'NOT met'}${vendor}`);
  }
}
