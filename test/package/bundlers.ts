// The four bundlers a web team builds with, each run as its own API allows, reporting the
// warnings it printed and the bytes of polyphone's own modules in the output.
import { join } from 'node:path';

export interface BuildResult {
  warnings: string[];
  /** Bytes of modules from node_modules/polyphone in the output, as the bundler counts them. */
  polyphoneBytes: number;
}

const isPolyphone = (id: string) => /node_modules[\\/]polyphone[\\/]/.test(id);

export async function buildWithEsbuild(app: string, outdir: string): Promise<BuildResult> {
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: [join(app, 'src', 'main.js')],
    absWorkingDir: app,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'browser',
    outdir,
    metafile: true,
    logLevel: 'silent',
  });
  let polyphoneBytes = 0;
  for (const output of Object.values(result.metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) if (isPolyphone(input)) polyphoneBytes += bytesInOutput;
  }
  return { warnings: result.warnings.map((w) => `${w.text} ${w.location?.file ?? ''}`), polyphoneBytes };
}

export async function buildWithVite(app: string, outdir: string): Promise<BuildResult> {
  const { build, createLogger } = await import('vite');
  const warnings: string[] = [];
  const logger = createLogger('silent');
  logger.warn = (message) => void warnings.push(message);
  logger.warnOnce = (message) => void warnings.push(message);
  const result = await build({
    root: app,
    configFile: false,
    logLevel: 'silent',
    customLogger: logger,
    build: {
      outDir: outdir,
      emptyOutDir: true,
      minify: false,
      rollupOptions: { onwarn: (warning) => void warnings.push(`${warning.code ?? ''} ${warning.message} ${warning.id ?? ''}`) },
    },
  });
  return { warnings, polyphoneBytes: renderedBytes(result) };
}

export async function buildWithRollup(app: string, outdir: string): Promise<BuildResult> {
  const { rollup } = await import('rollup');
  const { nodeResolve } = await import('@rollup/plugin-node-resolve');
  // NodeNext types the CommonJS package's default export as its whole module; at run time it is the plugin.
  const commonjs = (await import('@rollup/plugin-commonjs')).default as unknown as () => import('rollup').Plugin;
  const warnings: string[] = [];
  const bundle = await rollup({
    input: join(app, 'src', 'main.js'),
    // jssip requires its own package.json: a Rollup app needs a JSON plugin for it (what
    // @rollup/plugin-json does, inlined here).
    plugins: [nodeResolve({ browser: true, preferBuiltins: false, rootDir: app }), commonjs(), jsonModules()],
    onwarn: (warning) => void warnings.push(`${warning.code ?? ''} ${warning.message} ${warning.id ?? ''} ${(warning.ids ?? []).join(' ')}`),
  });
  const result = await bundle.write({ dir: outdir, format: 'es' });
  await bundle.close();
  return { warnings, polyphoneBytes: renderedBytes(result) };
}

function jsonModules(): import('rollup').Plugin {
  return {
    name: 'json-modules',
    transform: (code, id) => (id.endsWith('.json') ? { code: `export default ${code};`, map: null } : null),
  };
}

/** Rollup and Vite (Rolldown) report each module's rendered length per chunk. */
function renderedBytes(result: unknown): number {
  const outputs = (Array.isArray(result) ? result : [result]) as Array<{ output: Array<{ type: string; modules?: Record<string, { renderedLength: number }> }> }>;
  let bytes = 0;
  for (const { output } of outputs) {
    for (const chunk of output) {
      if (chunk.type !== 'chunk' || !chunk.modules) continue;
      for (const [id, module] of Object.entries(chunk.modules)) if (isPolyphone(id)) bytes += module.renderedLength;
    }
  }
  return bytes;
}

export async function buildWithWebpack(app: string, outdir: string): Promise<BuildResult> {
  const webpack = (await import('webpack')).default;
  const compiler = webpack({
    context: app,
    entry: './src/main.js',
    mode: 'production',
    optimization: { minimize: false },
    output: { path: outdir, publicPath: 'auto' },
    devtool: false,
    // Webpack's size hint is about the app's total (jssip alone is 1 MB unminified), not polyphone.
    performance: { hints: false },
    infrastructureLogging: { level: 'none' },
  });
  const stats = await new Promise<import('webpack').Stats>((resolve, reject) =>
    compiler.run((error, result) => (error || !result ? reject(error ?? new Error('webpack: no stats')) : resolve(result))),
  );
  await new Promise<void>((resolve) => compiler.close(() => resolve()));
  const json = stats.toJson({ all: false, errors: true, warnings: true, modules: true, nestedModules: true });
  if (json.errors?.length) throw new Error(`webpack: ${json.errors.map((e) => e.message).join('\n')}`);
  let polyphoneBytes = 0;
  const count = (modules: typeof json.modules) => {
    for (const m of modules ?? []) {
      if (m.modules) count(m.modules);
      else if (isPolyphone(m.name ?? m.identifier ?? '')) polyphoneBytes += m.size ?? 0;
    }
  };
  count(json.modules);
  return { warnings: (json.warnings ?? []).map((w) => `${w.message} ${w.moduleName ?? ''}`), polyphoneBytes };
}

export const BUNDLERS = { vite: buildWithVite, esbuild: buildWithEsbuild, webpack: buildWithWebpack, rollup: buildWithRollup } as const;
export type BundlerName = keyof typeof BUNDLERS;
