// Bundles the lab page (polyphone + raw vendor SDKs) with esbuild, once per process.
import { build } from 'esbuild';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** @type {string | undefined} */
let scratch;
/** @returns {string} */
function defaultOutdir() {
  if (!scratch) {
    scratch = mkdtempSync(join(tmpdir(), 'polyphone-page-'));
    const made = scratch;
    process.once('exit', () => rmSync(made, { recursive: true, force: true }));
  }
  return scratch;
}

/** @type {Map<string, Promise<{ outdir: string, ms: number }>>} */
const builds = new Map();

/**
 * Builds page-entry, raw-entry and any extra entries (e.g. the demo's softphone) into outdir.
 * `entries` replaces page-entry and raw-entry (the conformance kit's page for a provider of
 * another package: its own polyphone and provider, no vendor SDK it did not install).
 * @param {{ outdir?: string, extraEntries?: Record<string, string>, entries?: Record<string, string> }} [options]
 * @returns {Promise<{ outdir: string, ms: number }>}
 */
export function buildPageBundle(options = {}) {
  // Each process builds into its own folder: test files run in parallel processes.
  const outdir = options.outdir ?? defaultOutdir();
  const base = options.entries ?? { 'page-entry': join(here, 'page-entry.ts'), 'raw-entry': join(here, 'raw-entry.ts') };
  const key = `${outdir}|${JSON.stringify(base)}|${JSON.stringify(options.extraEntries ?? {})}`;
  let pending = builds.get(key);
  if (!pending) {
    pending = (async () => {
      const started = performance.now();
      mkdirSync(outdir, { recursive: true });
      await build({
        entryPoints: { ...base, ...(options.extraEntries ?? {}) },
        bundle: true,
        splitting: true,
        format: 'esm',
        platform: 'browser',
        target: 'chrome120',
        outdir,
        sourcemap: false,
        minify: false,
        logLevel: 'silent',
        // Some vendor SDKs still reach for Node's globals.
        define: { global: 'globalThis', 'process.env.NODE_ENV': '"production"' },
      });
      return { outdir, ms: performance.now() - started };
    })();
    builds.set(key, pending);
  }
  return pending;
}
