// The lab browser of a suite: real Chromium (or Firefox ESR) pages from lab/browser, whose
// polyphone is the package's own. For a provider of another package the page is bundled from
// the polyphone beside this module (dist/ when installed, src/ in the repository) and the
// provider's module, so both share one core.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LabPage } from './scenario-kit.js';
import type { ConformanceTarget } from './target.js';

/** Pages that play no remote track themselves: sound is counted only if polyphone plays it. */
export type PageOptions = { playRemoteAudio?: boolean };

type LabBrowser = { newPage(options?: { url?: string; playRemoteAudio?: boolean }): Promise<LabPage>; close(): Promise<void> };
interface LauncherModule {
  launchBrowser(options?: { engine?: 'chromium' | 'firefox'; pageUrl?: string }): Promise<LabBrowser>;
}
interface PageServerModule {
  startPageServer(options?: { entries?: Record<string, string> }): Promise<{ url: string; stop(): Promise<void> }>;
}

export interface ConformanceBrowser {
  browser: LabBrowser;
  newPage(options?: PageOptions): Promise<LabPage>;
  close(): Promise<void>;
}

// lab/browser ships beside dist/ (and lives beside src/), so the same relative path holds in the
// package and in the repository. Imported by URL: those modules are plain JavaScript with JSDoc.
const labModule = <T>(path: string): Promise<T> => import(new URL(`../../lab/browser/${path}`, import.meta.url).href) as Promise<T>;

/** A module of this package beside this one: compiled (`.js`) when installed, `.ts` in the repository. */
function packageModule(name: string): string {
  const compiled = fileURLToPath(new URL(`../${name}.js`, import.meta.url));
  return existsSync(compiled) ? compiled : compiled.replace(/\.js$/, '.ts');
}

/** The page's one entry: polyphone with the target's provider handed over to createVoiceClient. */
function providerEntry(providerModule: string, builtIns: boolean): string {
  const core = packageModule(builtIns ? 'all' : 'index');
  return `import * as polyphone from ${JSON.stringify(core)};
import { provider } from ${JSON.stringify(providerModule)};
// The page harness calls window.polyphone.createVoiceClient(config, options) with plain data.
window.polyphone = {
  ...polyphone,
  createVoiceClient: (config, options) => polyphone.createVoiceClient(config, { ...options, providers: [provider, ...((options && options.providers) || [])] }),
};
`;
}

/** Lab pages whose polyphone also knows the target's own provider module, if it has one. */
export async function openConformanceBrowser(target: Pick<ConformanceTarget, 'name' | 'providerModule' | 'browser' | 'builtInProviders'>): Promise<ConformanceBrowser> {
  const { launchBrowser } = await labModule<LauncherModule>('index.mjs');
  if (!target.providerModule) {
    const browser = await launchBrowser({ engine: target.browser ?? 'chromium' });
    return { browser, newPage: (options?: PageOptions) => browser.newPage(options), close: () => browser.close() };
  }
  const { startPageServer } = await labModule<PageServerModule>('server.mjs');
  const scratch = mkdtempSync(join(tmpdir(), 'polyphone-conformance-entry-'));
  const entry = join(scratch, 'conformance-page.mjs');
  writeFileSync(entry, providerEntry(target.providerModule, target.builtInProviders ?? false));
  const server = await startPageServer({ entries: { 'conformance-page': entry } }).catch((error: unknown) => {
    rmSync(scratch, { recursive: true, force: true });
    throw error;
  });
  const browser = await launchBrowser({ engine: target.browser ?? 'chromium', pageUrl: server.url });
  return {
    browser,
    newPage: (options: PageOptions = {}) => browser.newPage(options),
    close: async () => {
      await browser.close();
      await server.stop();
      rmSync(scratch, { recursive: true, force: true });
    },
  };
}
