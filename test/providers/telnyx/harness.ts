// Drives polyphone clients inside a lab page through the shared page harness
// (lab/browser/page-harness.mjs, the one every provider's browser tests use): each client records
// its events and logs in the page, each call its events under a name, so a test reads them back
// as plain JSON.
import type { ChromiumLabPage, HarnessPage } from '../../../lab/browser/lab-page.mjs';
import { installHarness } from '../../../src/conformance/page-client.js';

export { installHarness };

/** The Telnyx browser tests run in Chromium. */
export type TelnyxPage = ChromiumLabPage;

export interface ErrorJson {
  name: string;
  code: string;
  message: string;
  provider?: string;
  cause?: { name?: string; message?: string; code?: string | number };
  details?: Record<string, unknown>;
}

export type Outcome = { ok: true; ms: number } | { ok: false; ms: number; error: ErrorJson; stack: string };

type Json = Record<string, unknown>;
/** An event as the harness keeps it; a call's events also carry the call's name. */
type Recorded = { type: string; e: any; call?: string };

/** The page harness's methods, as called from Node (they run in the page). */
type Harness = Record<string, (...args: unknown[]) => unknown>;

export function tx(page: HarnessPage) {
  const run = <T>(method: string, ...args: unknown[]): Promise<T> =>
    page.evaluate(({ method, args }) => (window as unknown as { __harness: Harness }).__harness[method]!(...args), { method, args }) as Promise<T>;
  const invoke = (on: Json, method: string, args: unknown[]) => run<Outcome>('invoke', on, method, args);
  const clientState = (name: string) => run<{ client: string; capabilities: Record<string, boolean> }>('state', name);
  return {
    create: async (name: string, config: Json) => {
      await run('create', name, config, undefined, { record: true });
    },
    connect: (name: string, options?: Json) => invoke({ client: name }, 'connect', [options]),
    disconnect: (name: string) => invoke({ client: name }, 'disconnect', []),
    refresh: (name: string, creds: unknown) => invoke({ client: name }, 'refreshToken', [creds]),
    state: async (name: string) => (await clientState(name)).client,
    capabilities: async (name: string) => (await clientState(name)).capabilities,
    /** The client's own events (not its calls'), its log lines and its normalised trace. */
    record: async (name: string): Promise<{ events: Recorded[]; logs: string[]; trace: string[] }> => {
      const events = (await run<Recorded[]>('events', name)).filter((event) => event.call === undefined && event.type !== 'failure');
      return { events, logs: await run<string[]>('logs', name), trace: await run<string[]>('lines', name) };
    },
    setAutoAnswer: (name: string, mode: 'answer' | 'reject' | 'busy' | undefined) => run<void>('setAutoAnswer', name, mode),
    call: (name: string, callName: string, target: string | undefined) => invoke({ client: name, callName }, 'call', [target, { iceServers: [] }]),
    op: (callName: string, method: string, ...args: unknown[]) => invoke({ call: callName }, method, args),
    callState: (callName: string) => run<string | undefined>('callState', callName),
    callEvents: (callName: string) => run<Recorded[]>('callEvents', callName),
    hasRemoteStream: (callName: string) => run<boolean>('hasRemoteStream', callName),
    /** Gives a named call another name (the harness names an incoming call `<client>:in`). */
    renameCall: (from: string, to: string) => run<void>('renameCall', from, to),
  };
}

/** Polls until `check` returns a truthy value or the time is up. */
export async function until<T>(check: () => Promise<T>, what: string, timeoutMs = 10_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await check();
    if (last) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what} (last: ${JSON.stringify(last)})`);
}
