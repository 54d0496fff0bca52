#!/usr/bin/env node
// `npm run test:mutations`: breaks the code on purpose, one thing at a time, in a scratch copy of
// this checkout, runs only the tests that should notice, and prints which did. Every row must be
// caught. Not part of .ci/run (it takes several minutes). Add a row when a feature lands.
//
// A row counts as caught only when its tests pass on the unbroken copy (the baseline, run first)
// and fail, within the bound, once the break is applied. Options: --only <substring of a row>,
// --no-baseline (trust the baseline of an earlier run).
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const RUN_BOUND_MS = 6 * 60_000;

// ---- the tests a row runs (each also runs once unbroken, as its baseline) ----
const T = {
  sipjsAudio: { file: 'test/conformance/sipjs.conformance.test.ts', filter: 'outgoing call with audio' },
  telnyxAudio: { file: 'test/conformance/telnyx.conformance.test.ts', filter: 'outgoing call with audio' },
  sipjsDtmf: { file: 'test/conformance/sipjs.conformance.test.ts', filter: 'register|DTMF' },
  sipjsIncoming: { file: 'test/conformance/sipjs.conformance.test.ts', filter: 'register|incoming call' },
  telnyxElement: { file: 'test/conformance/telnyx.conformance.test.ts', filter: 'audioElement' },
  demo: { file: 'test/demo/softphone.test.ts' },
  secrets: { file: 'test/reliability/secrets.test.ts' },
  telnyxLoginFuzz: { file: 'test/reliability/fuzz-telnyx.test.ts', filter: 'login', env: { FUZZ_RUNS: '40' } },
  telnyxPushFuzz: { file: 'test/reliability/fuzz-telnyx.test.ts', filter: 'pushes', env: { FUZZ_RUNS: '40' } },
  architecture: { file: 'test/architecture/bundle.test.ts', filter: 'core never statically' },
  golden: { file: 'test/calls/golden-trace.test.ts' },
  misuseLacks: { file: 'test/reliability/misuse.test.ts', filter: 'declared away' },
  telnyxDtmf: { file: 'test/conformance/telnyx.conformance.test.ts', filter: 'register|DTMF received' },
  ci: { file: 'test/architecture/ci.test.ts' },
  cognigyAttended: { file: 'test/calls/cognigy-transfer.test.ts', filter: 'attended' },
  cognigyWaiting: { file: 'test/calls/cognigy-call-waiting.test.ts', filter: 'maxCalls 2' },
};

/**
 * @typedef {{ file: string, from: string, to: string, append?: undefined, remove?: undefined }
 *   | { file: string, append: string, from?: undefined, to?: undefined, remove?: undefined }
 *   | { file: string, remove: true, from?: undefined, to?: undefined, append?: undefined }} Edit
 */

/** @returns {Edit} */
const replace = (/** @type {string} */ file, /** @type {string} */ from, /** @type {string} */ to) => ({ file, from, to });
/** @returns {Edit} */
const append = (/** @type {string} */ file, /** @type {string} */ text) => ({ file, append: text });
/** @returns {Edit} */
const remove = (/** @type {string} */ file) => ({ file, remove: true });

/** The deliberate breaks: issue 25's table, then the breaks of its fixes. */
const ROWS = [
  { name: 'core call.getStats() returns nothing', edits: [replace('src/core/call.ts', 'return this.providerCall?.getStats?.();', 'return undefined;')], tests: [T.sipjsAudio] },
  { name: 'telnyx provider getStats() returns nothing', edits: [replace('src/providers/telnyx/call.ts', 'return peerConnectionOf(this.sdkCall)?.getStats();', 'return undefined;')], tests: [T.telnyxAudio] },
  { name: 'sipjs declares dtmf: false', edits: [replace('src/providers/sipjs/provider.ts', 'dtmf: true, receiveDtmf: true', 'dtmf: false, receiveDtmf: true')], tests: [T.sipjsDtmf] },
  { name: 'sipjs declares incomingCalls: false', edits: [replace('src/providers/sipjs/provider.ts', 'return { incomingCalls: registered,', 'return { incomingCalls: false,')], tests: [T.sipjsIncoming] },
  {
    name: "the app's audioElement is never played",
    edits: [replace('src/core/call.ts', 'const element = this.internals.audioElement;', 'const element = undefined as HTMLMediaElement | undefined;')],
    tests: [T.telnyxElement, T.demo],
  },
  { name: 'redaction switched off everywhere', edits: [replace('src/core/redact.ts', 'if (redactionOff()) return value;', 'return value;')], tests: [T.secrets] },
  { name: 'a refused Telnyx login becomes TIMEOUT', edits: [replace('src/providers/telnyx/credentials.ts', "new VoiceError('AUTH_REJECTED', 'Telnyx rejected the login.'", "new VoiceError('TIMEOUT', 'Telnyx rejected the login.'")], tests: [T.telnyxLoginFuzz] },
  { name: 'the Cognigy schema accepts an empty password', edits: [replace('src/providers/cognigy/config-schema.ts', 'password: v.pipe(v.string(), v.nonEmpty()),', 'password: v.string(),')], tests: [T.secrets] },
  { name: "core imports a provider's glue: import { x } from", edits: [append('src/core/registry.ts', "import { provider as sipjsGlue } from '../providers/sipjs/index.js';\nvoid sipjsGlue;\n")], tests: [T.architecture] },
  { name: "core imports a provider's glue: bare import 'x'", edits: [append('src/core/registry.ts', "import '../providers/telnyx/index.js';\n")], tests: [T.architecture] },
  { name: "core re-exports a provider's glue: export … from", edits: [append('src/core/registry.ts', "export { provider as sendbirdGlue } from '../providers/sendbird/index.js';\n")], tests: [T.architecture] },
  { name: 'core requires a vendor SDK: require()', edits: [append('src/core/registry.ts', "declare const require: (id: string) => unknown;\nexport const vendor = () => require('@telnyx/webrtc');\n")], tests: [T.architecture] },
  { name: 'core imports a vendor SDK: bare import', edits: [append('src/core/registry.ts', "import 'sip.js';\n")], tests: [T.architecture] },
  { name: 'the golden basic-call.json deleted', edits: [remove('test/conformance/golden/basic-call.json')], tests: [T.golden] },
  // The fixes of issue 25, broken again.
  {
    name: 'unhold()/unmute() check capability keys that do not exist',
    edits: [replace('src/core/call.ts', "this.require('unhold', 'hold')", "this.require('unhold')"), replace('src/core/call.ts', "this.require('unmute', 'mute')", "this.require('unmute')")],
    tests: [T.misuseLacks],
  },
  { name: 'telnyx claims receiveDtmf: true again', edits: [replace('src/providers/telnyx/provider.ts', 'receiveDtmf: false,', 'receiveDtmf: true,')], tests: [T.telnyxDtmf] },
  {
    name: 'the Telnyx emulator forwards DTMF to the far leg again',
    edits: [replace('lab/telnyx/calls.mjs', 'if (params.msg === undefined) return;', "if (typeof params.dtmf === 'string') return peer.conn.push('telnyx_rtc.info', { callID: peer.callID, dtmf: params.dtmf });\n    if (params.msg === undefined) return;")],
    tests: [T.telnyxDtmf],
  },
  { name: 'a Telnyx punt leaves the session reconnecting again', edits: [replace('src/providers/telnyx/session.ts', "if (message.method === 'telnyx_rtc.punt' && this._phase !== 'connecting') {", 'if (false) {')], tests: [T.telnyxPushFuzz] },
  // Issue 21 on cognigy.
  { name: 'cognigy declares multipleCalls: false again', edits: [replace('src/providers/cognigy/provider.ts', 'multipleCalls: true,', 'multipleCalls: false,')], tests: [T.cognigyWaiting] },
  { name: 'a cognigy call an INVITE with Replaces took over ends hangup, not transferred', edits: [replace('src/providers/cognigy/call.ts', "this.replaced ? { reason: 'transferred' as const, error: undefined } :", 'false ? { reason: \'transferred\' as const, error: undefined } :')], tests: [T.cognigyAttended] },
  { name: '.ci/run does not set CI=true', edits: [replace('.ci/run', 'export CI=true\n', '')], tests: [T.ci] },
];

// ---- the scratch copy ----
function makeScratch() {
  const scratch = mkdtempSync(join(tmpdir(), 'polyphone-mutations-'));
  const files = execFileSync('git', ['ls-files', '-co', '--exclude-standard'], { cwd: root, encoding: 'utf8' })
    .split('\n')
    .filter((f) => f && f !== 'node_modules' && !f.startsWith('node_modules/'));
  for (const file of files) {
    if (!existsSync(join(root, file))) continue;
    mkdirSync(dirname(join(scratch, file)), { recursive: true });
    cpSync(join(root, file), join(scratch, file));
  }
  symlinkSync(realpathSync(join(root, 'node_modules')), join(scratch, 'node_modules'));
  return scratch;
}

/**
 * @param {string} scratch
 * @param {Edit[]} edits
 */
function apply(scratch, edits) {
  /** @type {Array<() => void>} */
  const undo = [];
  for (const edit of edits) {
    const path = join(scratch, edit.file);
    const before = readFileSync(path, 'utf8');
    undo.push(() => writeFileSync(path, before));
    if (edit.remove) unlinkSync(path);
    else if (edit.append !== undefined) writeFileSync(path, `${before}\n${edit.append}`);
    else {
      const count = before.split(edit.from).length - 1;
      if (count !== 1) {
        for (const u of undo.reverse()) u();
        throw new Error(`${edit.file}: the text to break occurs ${count} times (must be once): ${edit.from}`);
      }
      writeFileSync(path, before.replace(edit.from, edit.to));
    }
  }
  return () => undo.reverse().forEach((u) => u());
}

/**
 * Runs one test file (filtered), bounded; resolves with how it ended.
 * @param {string} scratch
 * @param {{ file: string, filter?: string, env?: Record<string, string> }} test
 * @returns {Promise<{ status: string, seconds: number, tests: string, failure: string }>}
 */
function runTest(scratch, test) {
  const args = [join(scratch, 'node_modules/vitest/vitest.mjs'), 'run', test.file, ...(test.filter ? ['-t', test.filter] : [])];
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, args, { cwd: scratch, env: { ...process.env, ...test.env, NO_COLOR: '1', CI: 'true' }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {}
    }, RUN_BOUND_MS);
    child.on('exit', (code) => {
      clearTimeout(timer);
      const tests = [...output.matchAll(/^\s*Tests\s+(\d.*)$/gm)].at(-1)?.[1]?.trim() ?? '';
      const failure = [/(AssertionError|Error): ([^\n]*)/.exec(output)?.[0]?.slice(0, 160) ?? '', ...output.split('\n').filter((l) => /^\s*\+\s+"/.test(l)).slice(0, 5).map((l) => l.trim().slice(0, 200))].filter(Boolean).join('\n           ');
      resolve({ status: timedOut ? 'timeout' : code === 0 ? 'pass' : 'fail', seconds: Math.round((Date.now() - started) / 1000), tests, failure });
    });
  });
}

const describeTest = (/** @type {{ file: string, filter?: string, env?: Record<string, string> }} */ t) => `${t.file.replace(/^test\//, '')}${t.filter ? ` -t "${t.filter}"` : ''}${t.env ? ` (${Object.entries(t.env).map(([k, v]) => `${k}=${v}`).join(' ')})` : ''}`;

async function main() {
  const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
  const rows = ROWS.filter((r) => !only || r.name.includes(only));
  const scratch = makeScratch();
  console.log(`scratch copy: ${scratch}`);
  let ok = true;
  try {
    if (!process.argv.includes('--no-baseline')) {
      const tests = [...new Map(rows.flatMap((r) => r.tests).map((t) => [describeTest(t), t])).values()];
      for (const test of tests) {
        const result = await runTest(scratch, test);
        console.log(`baseline ${result.status.padEnd(7)} ${String(result.seconds).padStart(4)} s  ${describeTest(test)}  ${result.tests}`);
        if (result.status !== 'pass') {
          ok = false;
          console.log(`  the unbroken copy must pass: ${result.failure}`);
        }
      }
      if (!ok) throw new Error('a baseline run failed: no row can be judged against it');
    }
    const table = ['| # | deliberate break | test run | caught? |', '|---|---|---|---|'];
    for (const [i, row] of rows.entries()) {
      const restore = apply(scratch, row.edits);
      try {
        for (const test of row.tests) {
          const result = await runTest(scratch, test);
          const caught = result.status === 'fail';
          if (!caught) ok = false;
          const verdict = caught ? `caught (${result.seconds} s: ${result.tests})` : `**NOT caught** (${result.status}, ${result.seconds} s)`;
          table.push(`| ${i + 1} | ${row.name} | ${describeTest(test)} | ${verdict} |`);
          console.log(`${caught ? 'caught    ' : 'NOT CAUGHT'} ${row.name} ← ${describeTest(test)}${result.failure ? `\n           ${result.failure}` : ''}`);
        }
      } finally {
        restore();
      }
    }
    const report = table.join('\n');
    writeFileSync(join(scratch, 'mutations.md'), `${report}\n`);
    console.log(`\n${report}\n\n${ok ? 'Every break was caught.' : 'Some breaks were NOT caught.'}`);
  } finally {
    if (ok) rmSync(scratch, { recursive: true, force: true });
    else console.log(`scratch copy kept for a look: ${scratch}`);
  }
  process.exit(ok ? 0 : 1);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
