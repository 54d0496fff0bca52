// Throwaway apps built from the packed tarball, as a user would make them: one vendor SDK
// installed, polyphone's entry and that provider imported, built by a real bundler.
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const ROOT = join(import.meta.dirname, '..', '..');

/** Each provider, its vendor SDK, and a string found in that SDK's code only (not in polyphone's). */
export const VENDORS = {
  sipjs: { pkg: 'sip.js', marker: '"SIP.js/"' },
  cognigy: { pkg: 'jssip', marker: 'JsSIP Internal Error' },
  telnyx: { pkg: '@telnyx/webrtc', marker: 'telnyx_rtc.broadcast' },
  sendbird: { pkg: 'sendbird-calls', marker: 'SendBirdCallListener' },
} as const;
export type ProviderName = keyof typeof VENDORS;

const NPM_TIMEOUT_MS = 90_000;
/** `npm pack` builds dist first (two tsc programs: the package, then its conformance kit). */
const PACK_TIMEOUT_MS = 300_000;

function npm(args: string[], cwd: string, timeout = NPM_TIMEOUT_MS): string {
  return execFileSync('npm', args, { cwd, encoding: 'utf8', timeout, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** `npm pack` (its prepack builds dist) into `dir`; returns the tarball's path. */
export function packPolyphone(dir: string): string {
  const out = JSON.parse(npm(['pack', '--json', '--pack-destination', dir], ROOT, PACK_TIMEOUT_MS)) as Array<{ filename: string }>;
  return join(dir, out[0]!.filename);
}

/** The version of a vendor SDK the repository is tested with, so the app installs the same one. */
export function testedVersion(pkg: string): string {
  return (JSON.parse(readFileSync(join(ROOT, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version;
}

const npmAsync = (args: string[], cwd: string) => promisify(execFile)('npm', args, { cwd, encoding: 'utf8', timeout: NPM_TIMEOUT_MS });

/** Installs from the npm cache when it has everything, else lets npm fetch what is missing. */
export async function install(dir: string, specs: string[]): Promise<void> {
  const base = ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--no-package-lock', ...specs];
  try {
    await npmAsync([...base, '--offline'], dir);
  } catch {
    await npmAsync([...base, '--prefer-offline'], dir);
  }
}

export const APP_SOURCE = (name: ProviderName) => `import { createVoiceClient } from 'polyphone';
import { ${name} } from 'polyphone/${name}';
window.app = { createVoiceClient: (config) => createVoiceClient(config, { providers: [${name}] }) };
window.appReady = true;
`;

/** A fresh app folder with the tarball and one vendor SDK installed. */
export async function makeApp(dir: string, tarball: string, name: ProviderName): Promise<void> {
  mkdirSync(join(dir, 'src'), { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `app-${name}`, private: true, type: 'module' }));
  writeFileSync(join(dir, 'src', 'main.js'), APP_SOURCE(name));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><html><head><meta charset="utf-8"></head><body><script type="module" src="/src/main.js"></script></body></html>\n');
  const pkg = VENDORS[name].pkg;
  await install(dir, [tarball, `${pkg}@${testedVersion(pkg)}`]);
}

/** Every file under a folder, with its text. */
export function outputFiles(dir: string): Array<{ path: string; text: string }> {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? outputFiles(path) : [{ path, text: readFileSync(path, 'utf8') }];
  });
}
