// Bundle bytes (minified + gzip) of an app that imports polyphone and ONE provider, as an app
// does: `import { createVoiceClient } from 'polyphone'` + `import { sipjs } from 'polyphone/sipjs'`,
// built by esbuild with code splitting. Per provider:
// - core + glue: the entry chunk and every chunk it imports statically, i.e. what the page loads
//   before anything happens (the vendor SDK is never among them: it is an import() of its own);
//   goal (issue 19, item 3): ≤ 10 % of that provider's vendor SDK;
// - lazy: polyphone's own chunks fetched later (the quality monitor when a call is placed, failover
//   only for a list of configs), each by name, beside the goal and not counted in it;
// - vendor: the chunks that hold the vendor SDK.
// Run directly, it also prints which modules the core + glue figure is made of.
import { build } from 'esbuild';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const root = join(import.meta.dirname, '..');
export const VENDORS = { sipjs: 'sip.js', cognigy: 'jssip', telnyx: '@telnyx/webrtc', sendbird: 'sendbird-calls' };
/** The issue's budget: core + one provider's glue ≤ this share of the vendor SDK. */
export const GOAL_SHARE = 0.1;

/**
 * Builds the one-provider app and returns its metafile's figures.
 * @param {keyof typeof VENDORS} name
 * @param {string} outdir
 */
async function measureApp(name, outdir) {
  const pkg = VENDORS[name];
  const { metafile } = await build({
    stdin: {
      contents: `import { createVoiceClient } from './src/index.ts'; import { ${name} } from './src/providers/${name}/index.ts';\nexport const start = (c) => createVoiceClient(c, { providers: [${name}] });`,
      resolveDir: root,
      loader: 'ts',
    },
    bundle: true, splitting: true, format: 'esm', platform: 'browser', target: 'es2022', minify: true,
    outdir, metafile: true, logLevel: 'silent', define: { global: 'globalThis' },
  });
  /** @type {Record<string, import('esbuild').Metafile['outputs'][string]>} */
  const outputs = metafile.outputs;
  /** @param {string} file */
  const gz = (file) => gzipSync(readFileSync(join(root, file))).length;
  const chunks = Object.keys(outputs).filter((o) => o.endsWith('.js'));
  const entry = /** @type {string} */ (chunks.find((o) => outputs[o].entryPoint === '<stdin>'));
  const statics = new Set([entry]);
  /** @param {string} c */
  const addStatic = (c) => outputs[c].imports.filter((i) => i.kind === 'import-statement' && !statics.has(i.path)).forEach((i) => (statics.add(i.path), addStatic(i.path)));
  addStatic(entry);
  /** @param {string} c */
  const isVendor = (c) => Object.keys(outputs[c].inputs).some((i) => i.includes(`node_modules/${pkg}/`));
  /** @type {Record<string, number>} */
  const moduleBytes = {};
  for (const c of statics) for (const [input, { bytesInOutput }] of Object.entries(outputs[c].inputs)) moduleBytes[input] = (moduleBytes[input] ?? 0) + bytesInOutput;
  const staticMin = Object.values(moduleBytes).reduce((n, b) => n + b, 0);
  const glueMin = Object.entries(moduleBytes).filter(([i]) => i.startsWith('src/providers/')).reduce((n, [, b]) => n + b, 0);
  const staticGzip = [...statics].reduce((n, c) => n + gz(c), 0);
  const lazy = chunks.filter((c) => !statics.has(c) && !isVendor(c)).map((c) => ({
    chunk: String(c.split('/').pop()).replace(/-[A-Z0-9]{8}\.js$/, ''),
    modules: Object.keys(outputs[c].inputs),
    gzipBytes: gz(c),
  }));
  const vendorGzipBytes = chunks.filter(isVendor).reduce((n, c) => n + gz(c), 0);
  return {
    provider: name,
    vendor: pkg,
    staticGzip,
    vendorInEntry: [...statics].some(isVendor),
    // The gzip of the core + glue split by each part's share of the minified bytes (gzip is not additive per module).
    glueGzipEstimate: Math.round((staticGzip * glueMin) / staticMin),
    lazy,
    vendorGzipBytes,
    goal: Math.floor(vendorGzipBytes * GOAL_SHARE),
    modules: Object.entries(moduleBytes).map(([input, minBytes]) => ({ input, minBytes, gzipEstimate: Math.round((staticGzip * minBytes) / staticMin) })).sort((a, b) => b.minBytes - a.minBytes),
  };
}

/** One app per provider, measured one after another. */
export async function measureApps() {
  const outdir = mkdtempSync(join(tmpdir(), 'polyphone-size-'));
  try {
    const apps = [];
    for (const name of Object.keys(VENDORS)) apps.push(await measureApp(name, join(outdir, name)));
    return apps;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

const WHEN_LOADED = { monitor: 'fetched when a call is placed or offered', failover: 'a list of configs only', 'failover-failback': 'failover options only' };
/** A lazy chunk by name and when it loads; a shared chunk by the modules in it. */
const lazyLabel = ({ chunk, modules }) =>
  chunk === 'chunk' ? `shared by lazy chunks (${modules.map((m) => m.split('/').pop()).join(', ')})` : `"${chunk}" (${WHEN_LOADED[chunk] ?? 'on first use'})`;

/** Rows for bench/run.mjs: per provider the core + glue beside its goal, then each lazy chunk. */
export async function measureBundles() {
  const rows = [];
  for (const app of await measureApps()) {
    rows.push({
      part: `core + ${app.provider} glue (entry + static imports; glue ≈ ${(app.glueGzipEstimate / 1024).toFixed(1)} KB)`,
      provider: app.provider,
      gzipBytes: app.staticGzip,
      target: app.goal,
      targetText: `≤ 10 % of SDK = ${(app.goal / 1024).toFixed(2)} KB`,
      vendorGzipBytes: app.vendorGzipBytes,
    });
    for (const chunk of app.lazy) rows.push({ part: `lazy chunk ${lazyLabel(chunk)}`, provider: app.provider, gzipBytes: chunk.gzipBytes });
  }
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const apps = await measureApps();
  const kb = (b) => `${(b / 1024).toFixed(2)} KB`;
  console.log('bundle size, minified + gzip (esbuild, code splitting, an app importing polyphone + one provider)');
  for (const app of apps) {
    const met = app.staticGzip <= app.goal ? 'met' : `NOT met (${kb(app.staticGzip - app.goal)} over)`;
    console.log(`\n${app.provider}: core + glue ${kb(app.staticGzip)} (glue ≈ ${kb(app.glueGzipEstimate)})  goal ≤ ${kb(app.goal)} (10 % of ${app.vendor} ${kb(app.vendorGzipBytes)})  ${met}`);
    for (const chunk of app.lazy) console.log(`  lazy ${kb(chunk.gzipBytes).padStart(8)}  ${lazyLabel(chunk)}${chunk.chunk === 'chunk' ? '' : `: ${chunk.modules.join(', ') || '(imports only)'}`}`);
    if (process.argv.includes('--modules')) for (const m of app.modules) console.log(`    ${String(m.minBytes).padStart(6)} B min  ≈${String(m.gzipEstimate).padStart(5)} B gz  ${m.input}`);
  }
}
