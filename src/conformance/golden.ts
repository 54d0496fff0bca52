// The golden trace of a basic call, read from its one file (test/conformance/golden/basic-call.json,
// shipped with the package at the same place relative to this module), and the sections of it
// the single-purpose scenarios compare against.
import { readFileSync } from 'node:fs';
import type { BasicCallTrace } from './basic-call.js';

/** From src/conformance (source) and dist/conformance (package) alike: the repository root is two up. */
export const GOLDEN_FILE = new URL('../../test/conformance/golden/basic-call.json', import.meta.url);

export const golden = JSON.parse(readFileSync(GOLDEN_FILE, 'utf8')) as BasicCallTrace;

/** The reconnection trace every provider must show through a server restart (scenario "server restart"). */
export const GOLDEN_RESTART_FILE = new URL('../../test/conformance/golden/server-restart.json', import.meta.url);

/** Read on first use: a kit used without that scenario does not need the file. */
export function goldenRestart(): string[] {
  return (JSON.parse(readFileSync(GOLDEN_RESTART_FILE, 'utf8')) as { restarted: string[] }).restarted;
}

/** The lines between two markers of a golden trace (exclusive), e.g. what `op connect ok` caused. */
function goldenBetween(lines: string[], from: string, to: string | undefined): string[] {
  const start = lines.indexOf(from);
  const end = to === undefined ? lines.length : lines.indexOf(to, start + 1);
  if (start < 0 || end < 0) throw new Error(`golden/basic-call.json lacks ${from} … ${to}`);
  return lines.slice(start + 1, end).filter((l) => !/^(op|await) /.test(l));
}

export const GOLDEN = {
  connect: goldenBetween(golden.caller, 'op connect ok', 'op call ok'),
  disconnect: goldenBetween(golden.caller, 'op disconnect ok', undefined),
  /** Caller: from call() to active. */
  callerSetup: goldenBetween(golden.caller, 'op call ok', 'op mute ok'),
  /** Callee: from the incoming call to active. */
  calleeSetup: [...goldenBetween(golden.callee, 'await call ok', 'op answer ok'), ...goldenBetween(golden.callee, 'op answer ok', 'await hold ok')],
  callerHangup: goldenBetween(golden.caller, 'op hangup ok', 'op disconnect ok'),
  calleeRemoteHangup: goldenBetween(golden.callee, 'await hangup ok', 'op disconnect ok'),
};
