// Starts and stops a private Kamailio (SIP over WebSocket on 127.0.0.1) for tests, benches and
// the demo. Each instance has its own run directory, port and users; none survives the Node
// process that started it.

import { spawn } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';
import { unusedLoopbackPort } from '../ports.mjs';

export const DOMAIN = 'polyphone.test';
/** The Cognigy realm: AOR user and digest user may differ there (see kamailio.cfg). */
export const COGNIGY_REALM = 'cognigy.polyphone.test';

const KAMAILIO_BIN = '/usr/sbin/kamailio';
const CONFIG_PATH = fileURLToPath(new URL('./kamailio.cfg', import.meta.url));
// Must match the include_file in kamailio.cfg; resolved against Kamailio's working directory.
const USERS_FILE_NAME = 'polyphone-users.cfg';
const LOG_LIMIT_BYTES = 200 * 1024;
const READY_TIMEOUT_MS = 5_000;
const STOP_GRACE_MS = 2_000;

/** Fixed users for functional tests. Passwords are not guessable from the name on purpose. */
export const TEST_USERS = Object.freeze({
  alice: 'alice-pw-7d1c',
  bob: 'bob-pw-3e9a',
  carol: 'carol-pw-51f0',
  dave: 'dave-pw-c28b',
});

/**
 * Users for the load bench: load0..load{n-1} with passwords load-pw-0...
 * @param {number} n
 * @returns {Record<string, string>}
 */
export function loadUsers(n) {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`loadUsers: n must be a non-negative integer, got ${n}`);
  /** @type {Record<string, string>} */
  const users = {};
  for (let i = 0; i < n; i++) users[`load${i}`] = `load-pw-${i}`;
  return users;
}

/**
 * @typedef {object} KamailioOptions
 * @property {Record<string, string>} [users] user name → password (default TEST_USERS)
 * @property {number} [port] WebSocket port on 127.0.0.1 (default: a free one)
 * @property {number} [logLevel] Kamailio debug level, -3..4 (default 1: errors and warnings)
 * @property {number} [sharedMemoryMB] Kamailio shared memory (default 256: each TCP connection
 *   holds a 64 KB read buffer there, and the load bench keeps ~1000 of them open)
 * @property {number} [readyTimeoutMs] how long to wait for a served WebSocket upgrade (default 5000)
 * @property {Record<string, string>} [agents] INVITEs to these R-URI users (Cognigy's `app-<applicationSid>`,
 *   a runtime endpoint id) go to the given registered user, the lab agent (default none)
 */

/**
 * @typedef {object} KamailioInstance
 * @property {number} port
 * @property {string} wsUrl e.g. 'ws://127.0.0.1:PORT'
 * @property {string} domain 'polyphone.test'
 * @property {Record<string, string>} users
 * @property {Record<string, string>} agents
 * @property {number} pid pid of the running Kamailio main process (changes on restart)
 * @property {() => Promise<void>} stop
 * @property {() => Promise<void>} restart stop, then start on the same port with the same users
 * @property {() => string} logs Kamailio's stdout/stderr, last 200 KB
 * @property {() => void} freeze SIGSTOP to every Kamailio process: sockets stay open, nothing answers
 * @property {() => void} thaw SIGCONT: the frozen server carries on where it stopped
 */

/** Kamailio main processes started here and not yet exited, with their run directories. */
/** @type {Map<import('node:child_process').ChildProcess, string>} */
const liveChildren = new Map();
let exitHooksInstalled = false;

function installExitHooks() {
  if (exitHooksInstalled) return;
  exitHooksInstalled = true;
  // SIGTERM, not SIGKILL: Kamailio's main process takes its workers down on SIGTERM by itself
  // (~20 ms), while a SIGKILLed main process leaves its workers running, and an 'exit' handler
  // cannot wait to kill them.
  const stopAllNow = () => {
    for (const [child, runDir] of liveChildren) {
      killQuietly(child, 'SIGTERM');
      rmSync(runDir, { recursive: true, force: true });
    }
    liveChildren.clear();
  };
  process.on('exit', stopAllNow);
  for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM', 'SIGHUP'])) {
    process.once(signal, () => {
      stopAllNow();
      // Re-raise so the process still ends the way the sender asked.
      process.kill(process.pid, signal);
    });
  }
}

/**
 * @param {import('node:child_process').ChildProcess} child
 * @param {NodeJS.Signals} signal
 * @param {boolean} [wholeGroup] also hit the workers (Kamailio runs as its own process group)
 */
function killQuietly(child, signal, wholeGroup = false) {
  try {
    if (child.pid !== undefined) process.kill(wholeGroup ? -child.pid : child.pid, signal);
  } catch {
    // already gone
  }
}


// Kamailio string literals end at '"' and treat '\' as an escape; refusing them keeps the
// generated config valid without an escaping scheme.
const SAFE_USER = /^[A-Za-z0-9._~-]+$/;
const SAFE_PASSWORD = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

/**
 * @param {Record<string, string>} users
 * @param {Record<string, string>} agents agent address (R-URI user) → user that answers it
 * @returns {string}
 */
function usersConfig(users, agents) {
  const lines = ['route[LOAD_USERS] {'];
  for (const [address, user] of Object.entries(agents)) {
    if (!SAFE_USER.test(address) || !SAFE_USER.test(user)) throw new Error(`startKamailio: agent route not allowed: ${JSON.stringify(address)} → ${JSON.stringify(user)}`);
    lines.push(`\t$sht(agents=>${address}) = "${user}";`);
  }
  for (const [name, password] of Object.entries(users)) {
    if (!SAFE_USER.test(name)) throw new Error(`startKamailio: user name not allowed: ${JSON.stringify(name)}`);
    if (!SAFE_PASSWORD.test(password)) {
      throw new Error(`startKamailio: password of ${name} must be printable ASCII without spaces, quotes or backslashes`);
    }
    lines.push(`\t$sht(users=>${name}) = "${password}";`);
  }
  lines.push('}', '');
  return lines.join('\n');
}

/**
 * Another server on the port would answer the readiness probe in Kamailio's place, so a port
 * chosen by the caller (or kept across a restart) is checked before launching.
 * @param {number} port
 * @returns {Promise<void>}
 */
function assertPortFree(port) {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', (error) => reject(new Error(`startKamailio: 127.0.0.1:${port} is not free (${/** @type {NodeJS.ErrnoException} */ (error).code})`)));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve()));
  });
}

/** Bounded log buffer: keeps the tail, which is where a failure's cause is. */
function createLogBuffer() {
  /** @type {string[]} */
  let chunks = [];
  let size = 0;
  return {
    /** @param {Buffer | string} chunk */
    push(chunk) {
      const text = chunk.toString();
      chunks.push(text);
      size += text.length;
      while (size > LOG_LIMIT_BYTES && chunks.length > 1) {
        size -= /** @type {string} */ (chunks.shift()).length;
      }
      if (size > LOG_LIMIT_BYTES) {
        const tail = chunks.join('').slice(-LOG_LIMIT_BYTES);
        chunks = [tail];
        size = tail.length;
      }
    },
    text() {
      return chunks.join('');
    },
  };
}

/**
 * One WebSocket upgrade attempt. Resolves true only on HTTP 101 with the 'sip' subprotocol.
 * @param {string} wsUrl
 * @returns {Promise<boolean>}
 */
function tryUpgrade(wsUrl) {
  return new Promise((resolve) => {
    const socket = new WebSocket(wsUrl, 'sip', { handshakeTimeout: 500 });
    let settled = false;
    /** @param {boolean} ok */
    const finish = (ok) => {
      if (settled) return;
      settled = true;
      try {
        socket.terminate();
      } catch {
        // nothing to close
      }
      resolve(ok);
    };
    socket.once('open', () => finish(socket.protocol === 'sip'));
    socket.once('error', () => finish(false));
    socket.once('close', () => finish(false));
    socket.once('unexpected-response', () => finish(false));
  });
}

/** @param {number} ms */
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * @param {import('node:child_process').ChildProcess} child
 * @returns {Promise<void>}
 */
async function terminate(child) {
  // No pid: the spawn itself failed and there is nothing to wait for.
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  killQuietly(child, 'SIGTERM');
  const timer = setTimeout(() => killQuietly(child, 'SIGKILL', true), STOP_GRACE_MS);
  await exited;
  clearTimeout(timer);
  // Workers orphaned by a SIGKILLed main process would keep the port; sweep the group.
  killQuietly(child, 'SIGKILL', true);
}

/**
 * Start a private Kamailio and wait until it answers WebSocket upgrades.
 * @param {KamailioOptions} [options]
 * @returns {Promise<KamailioInstance>}
 */
export async function startKamailio(options = {}) {
  if (!existsSync(KAMAILIO_BIN)) {
    throw new Error(`Kamailio is not installed (${KAMAILIO_BIN} missing): run \`node scripts/setup.mjs\``);
  }
  const users = { ...(options.users ?? TEST_USERS) };
  const logLevel = options.logLevel ?? 1;
  const sharedMemoryMB = options.sharedMemoryMB ?? 256;
  const readyTimeoutMs = options.readyTimeoutMs ?? READY_TIMEOUT_MS;
  const port = options.port ?? (await unusedLoopbackPort());
  const wsUrl = `ws://127.0.0.1:${port}`;

  const agents = { ...(options.agents ?? {}) };
  const usersFile = usersConfig(users, agents);

  installExitHooks();
  const runDir = await mkdtemp(path.join(os.tmpdir(), 'polyphone-kamailio-'));
  await writeFile(path.join(runDir, USERS_FILE_NAME), usersFile);

  const logBuffer = createLogBuffer();
  /** @type {import('node:child_process').ChildProcess | undefined} */
  let child;
  let removed = false;

  const launch = async () => {
    await assertPortFree(port);
    const args = [
      '-f', CONFIG_PATH,
      '-DD', '-E',
      '-Y', runDir,
      '-P', path.join(runDir, 'kamailio.pid'),
      '-w', runDir,
      '-m', String(sharedMemoryMB),
      // Private memory holds the parsed users file (one config statement per user, ~2,200 fit in
      // 8 MB): the load bench's 5,000 users need more.
      '-M', String(Math.max(8, Math.ceil(Object.keys(users).length / 200))),
      `--debug=${logLevel}`,
      '-A', `WS_PORT=${port}`,
    ];
    // The load bench holds ~1000 sockets; raise the soft limit when the host allows it.
    // `exec` keeps the shell's pid, so the pid we signal is Kamailio's main process.
    const proc = spawn('/bin/sh', ['-c', 'ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$0" "$@"', KAMAILIO_BIN, ...args], {
      cwd: runDir,
      stdio: ['ignore', 'pipe', 'pipe'],
      // Own process group, so a last-resort SIGKILL reaches the workers as well.
      detached: true,
    });
    // A forgotten instance must not keep Node alive; the 'exit' hook still stops it.
    proc.unref();
    // @ts-ignore -- the pipes are net.Sockets at runtime
    proc.stdout?.unref?.();
    // @ts-ignore -- the pipes are net.Sockets at runtime
    proc.stderr?.unref?.();
    child = proc;
    liveChildren.set(proc, runDir);
    proc.stdout?.on('data', (chunk) => logBuffer.push(chunk));
    proc.stderr?.on('data', (chunk) => logBuffer.push(chunk));
    proc.once('exit', () => liveChildren.delete(proc));

    /** @type {Error | undefined} */
    let earlyExit;
    proc.once('exit', (code, signal) => {
      earlyExit = new Error(`Kamailio exited (code ${code}, signal ${signal})`);
    });
    const spawnFailed = new Promise((resolve) => proc.once('error', resolve));

    const deadline = Date.now() + readyTimeoutMs;
    for (;;) {
      const outcome = await Promise.race([tryUpgrade(wsUrl), spawnFailed.then((err) => /** @type {Error} */ (err))]);
      if (outcome === true && !earlyExit) return;
      const failure = outcome instanceof Error ? outcome : earlyExit;
      if (failure || Date.now() >= deadline) {
        await terminate(proc);
        const reason = failure ? failure.message : `no WebSocket upgrade within ${readyTimeoutMs} ms`;
        throw new Error(`Kamailio on ${wsUrl} did not become ready: ${reason}\n--- Kamailio log ---\n${logBuffer.text()}`);
      }
      await sleep(20);
    }
  };

  const cleanupRunDir = async () => {
    if (removed) return;
    removed = true;
    await rm(runDir, { recursive: true, force: true });
  };

  try {
    await launch();
  } catch (error) {
    await cleanupRunDir();
    throw error;
  }

  /** @type {KamailioInstance} */
  const instance = {
    port,
    wsUrl,
    domain: DOMAIN,
    users,
    agents,
    pid: /** @type {number} */ (child?.pid),
    async stop() {
      // A frozen Kamailio would not act on SIGTERM until thawed.
      if (child) killQuietly(child, 'SIGCONT', true);
      if (child) await terminate(child);
      await cleanupRunDir();
    },
    async restart() {
      if (removed) throw new Error('restart: this Kamailio was stopped for good; start a new one');
      if (child) killQuietly(child, 'SIGCONT', true);
      if (child) await terminate(child);
      await launch();
      instance.pid = /** @type {number} */ (child?.pid);
    },
    logs() {
      return logBuffer.text();
    },
    // A hung server, not a dead one: the kernel still accepts and ACKs, so a client sees no error.
    // The whole process group, since the workers own the connections.
    freeze() {
      if (child) killQuietly(child, 'SIGSTOP', true);
    },
    thaw() {
      if (child) killQuietly(child, 'SIGCONT', true);
    },
  };
  return instance;
}
