// Installs what the tests, the demo and the benches stand on, only where it is missing:
// npm packages (from the lockfile), Kamailio with its WebSocket module, Debian's Chromium and
// Firefox ESR (the lab's two browser engines), and coturn (the TURN server of lab/network; its
// Debian service is never started, tests run their own).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const quiet = process.argv.includes('--quiet');
const say = (/** @type {string} */ line) => quiet || console.log(`[setup] ${line}`);

/**
 * @param {string} command
 * @param {string[]} args
 * @param {import('node:child_process').SpawnSyncOptions} [options]
 */
function run(command, args, options = {}) {
  say(`${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, { stdio: 'inherit', cwd: root, ...options });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed with exit code ${result.status}`);
}

function npmPackagesCurrent() {
  const installed = join(root, 'node_modules', '.package-lock.json');
  if (!existsSync(installed)) return false;
  return statSync(installed).mtimeMs >= statSync(join(root, 'package-lock.json')).mtimeMs;
}

/** @param {string} name */
function debInstalled(name) {
  const result = spawnSync('dpkg-query', ['-W', '-f=${Status}', name], { encoding: 'utf8' });
  return result.status === 0 && result.stdout.includes('install ok installed');
}

/** @param {string[]} packages */
function aptInstall(packages) {
  const missing = packages.filter((p) => !debInstalled(p));
  if (missing.length === 0) return;
  const asRoot = process.getuid?.() === 0;
  const sudo = asRoot ? [] : ['sudo', '-n'];
  if (!asRoot && spawnSync('sudo', ['-n', 'true']).status !== 0) {
    throw new Error(`Missing Debian packages ${missing.join(', ')}: run as root, or: sudo apt-get install -y ${missing.join(' ')}`);
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const [cmd, ...pre] = /** @type {[string, ...string[]]} */ (sudo.length ? sudo : ['apt-get']);
  const aptArgs = (/** @type {string[]} */ args) => (sudo.length ? [...pre, 'apt-get', ...args] : args);
  run(cmd, aptArgs(['update', '-qq']), { env });
  run(cmd, aptArgs(['install', '-y', '-qq', '--no-install-recommends', ...missing]), { env });
}

if (!npmPackagesCurrent()) run('npm', ['ci', '--no-audit', '--no-fund']);
else say('npm packages: up to date');

if (process.platform === 'linux' && existsSync('/usr/bin/dpkg-query')) {
  aptInstall(['kamailio', 'kamailio-websocket-modules', 'chromium', 'firefox-esr', 'coturn']);
  say(`kamailio: ${execFileSync('/usr/sbin/kamailio', ['-v'], { encoding: 'utf8' }).split('\n')[0]}`);
  say(`chromium: ${execFileSync('/usr/bin/chromium', ['--version'], { encoding: 'utf8' }).trim()}`);
  say(`firefox: ${execFileSync('/usr/bin/firefox-esr', ['--version'], { encoding: 'utf8' }).trim()}`);
  say(`coturn: ${existsSync('/usr/bin/turnserver') ? 'installed' : 'missing'}`);
} else {
  say('not a Debian host: install Kamailio (with its websocket module), Chromium, Firefox ESR and coturn yourself');
}
