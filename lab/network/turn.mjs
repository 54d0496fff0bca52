// Starts and stops a private coturn (TURN over UDP on 127.0.0.1) for tests: foreground process,
// its own run directory, user and port range; none survives the Node process that started it.
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export const TURN_BIN = '/usr/bin/turnserver';
const READY_TIMEOUT_MS = 5_000;
const STOP_GRACE_MS = 2_000;
const LOG_LIMIT = 100 * 1024;

/** @type {Map<import('node:child_process').ChildProcess, string>} */
const live = new Map();
let hooked = false;
function installExitHooks() {
  if (hooked) return;
  hooked = true;
  const stopAll = () => {
    for (const [child, dir] of live) {
      try {
        if (child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
      rmSync(dir, { recursive: true, force: true });
    }
    live.clear();
  };
  process.on('exit', stopAll);
  for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM', 'SIGHUP'])) {
    process.once(signal, () => {
      stopAll();
      process.kill(process.pid, signal);
    });
  }
}

/** A UDP port free a moment ago (coturn binds it right after). */
function unusedUdpPort() {
  return new Promise((resolve, reject) => {
    const probe = createSocket('udp4');
    probe.once('error', reject);
    probe.bind(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

/** One STUN Binding request; resolves true when a Binding success response comes back. */
/**
 * @param {number} port
 * @returns {Promise<boolean>}
 */
function stunAnswers(port, timeoutMs = 300) {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    const request = Buffer.alloc(20);
    request.writeUInt16BE(0x0001, 0);
    request.writeUInt16BE(0, 2);
    request.writeUInt32BE(0x2112a442, 4);
    randomBytes(12).copy(request, 8);
    const finish = (/** @type {boolean} */ ok) => {
      clearTimeout(timer);
      socket.close();
      resolve(ok);
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    socket.on('message', (msg) => finish(msg.length >= 20 && msg.readUInt16BE(0) === 0x0101 && msg.subarray(8, 20).equals(request.subarray(8, 20))));
    socket.on('error', () => finish(false));
    socket.send(request, port, '127.0.0.1');
  });
}

/**
 * @typedef {{ port: number, username: string, credential: string, realm: string, pid: number,
 *   url: string, stop(): Promise<void>, logs(): string }} TurnInstance
 */

/**
 * @param {{ relayPorts?: number }} [options] how many relay ports coturn may hand out (default 200)
 * @returns {Promise<TurnInstance>}
 */
export async function startTurn(options = {}) {
  if (!existsSync(TURN_BIN)) throw new Error(`${TURN_BIN} is missing: run node scripts/setup.mjs (apt-get install coturn)`);
  installExitHooks();
  const runDir = await mkdtemp(path.join(os.tmpdir(), 'polyphone-turn-'));
  const port = await unusedUdpPort();
  // A random relay range keeps parallel test files (each with its own coturn) apart.
  const span = options.relayPorts ?? 200;
  const minPort = 20_000 + Math.floor(Math.random() * 20_000);
  const username = `lab-${randomBytes(3).toString('hex')}`;
  const credential = randomBytes(9).toString('base64url');
  const realm = 'polyphone.test';
  const args = [
    '-n',
    '--listening-ip=127.0.0.1',
    '--relay-ip=127.0.0.1',
    `--listening-port=${port}`,
    '--allow-loopback-peers',
    '--no-tls',
    '--no-dtls',
    '--no-tcp',
    '--lt-cred-mech',
    `--user=${username}:${credential}`,
    `--realm=${realm}`,
    '--no-cli',
    `--min-port=${minPort}`,
    `--max-port=${minPort + span}`,
    '--log-file=stdout',
    '--simple-log',
    `--userdb=${path.join(runDir, 'turndb')}`,
    `--pidfile=${path.join(runDir, 'turn.pid')}`,
  ];
  const child = spawn(TURN_BIN, args, { cwd: runDir, stdio: ['ignore', 'pipe', 'pipe'] });
  live.set(child, runDir);
  let log = '';
  const keep = (/** @type {Buffer} */ chunk) => {
    log = (log + chunk.toString()).slice(-LOG_LIMIT);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  let gone = false;
  exited.then(() => {
    gone = true;
    live.delete(child);
  });

  const stop = async () => {
    if (!gone) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      await exited;
      clearTimeout(timer);
    }
    await rm(runDir, { recursive: true, force: true });
  };

  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (!(await stunAnswers(port))) {
    if (gone || Date.now() > deadline) {
      await stop();
      throw new Error(`coturn did not answer STUN on 127.0.0.1:${port} within ${READY_TIMEOUT_MS} ms:\n${log.slice(-2000)}`);
    }
  }
  return {
    port,
    username,
    credential,
    realm,
    pid: /** @type {number} */ (child.pid),
    url: `turn:127.0.0.1:${port}?transport=udp`,
    stop,
    logs: () => log,
  };
}
