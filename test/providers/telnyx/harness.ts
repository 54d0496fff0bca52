// Drives polyphone clients inside a lab page: every client keeps its events, trace and logs in the
// page, and every call its events, so a test reads them back as plain JSON.
import type { ChromiumLabPage, HarnessPage } from '../../../lab/browser/lab-page.mjs';

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

// Runs in the page: no closure over Node values.
const HARNESS = `(() => {
  if (window.__tx) return;
  const plain = (value) => JSON.parse(JSON.stringify(value, (k, v) => (v instanceof MediaStream ? '[MediaStream]' : v)));
  const errorOf = (e) => (e && typeof e.toJSON === 'function' ? e.toJSON() : { name: String(e && e.name), message: String(e && e.message), code: 'NOT_VOICE_ERROR' });
  const clients = {};
  const calls = {};
  const outcome = async (fn) => {
    const started = performance.now();
    try { await fn(); return { ok: true, ms: performance.now() - started }; }
    catch (e) { return { ok: false, ms: performance.now() - started, error: errorOf(e), stack: String(e && e.stack) }; }
  };
  const watchCall = (name, call) => {
    const entry = { call, events: [] };
    for (const type of ['stateChanged', 'ringing', 'active', 'muted', 'unmuted', 'held', 'unheld', 'dtmf', 'ended', 'error']) {
      call.on(type, (e) => entry.events.push({ type, e: plain({ ...e, error: e && e.error ? errorOf(e.error) : undefined }) }));
    }
    calls[name] = entry;
    return entry;
  };
  window.__tx = {
    clients, calls,
    async create(name, config) {
      const logs = [];
      const events = [];
      const client = await window.polyphone.createVoiceClient({ ...config, logger: (entry) => logs.push(JSON.stringify(entry)) });
      for (const type of ['stateChanged', 'registered', 'unregistered', 'error', 'tokenWillExpire', 'tokenRefreshed', 'incomingCall']) {
        client.on(type, (e) => {
          if (type === 'incomingCall') {
            watchCall(name + ':in', e.call);
            events.push({ type, e: { from: e.from, displayName: e.displayName } });
            const auto = clients[name].autoAnswer;
            if (auto === 'answer') e.call.answer().catch(() => {});
            else if (auto === 'reject') e.call.reject().catch(() => {});
            else if (auto === 'busy') e.call.reject({ status: 486 }).catch(() => {});
            return;
          }
          events.push({ type, e: plain({ ...e, error: e && e.error ? errorOf(e.error) : undefined }) });
        });
      }
      clients[name] = { client, logs, events, autoAnswer: undefined };
    },
    connect: (name, options) => outcome(() => clients[name].client.connect(options)),
    disconnect: (name) => outcome(() => clients[name].client.disconnect()),
    refresh: (name, creds) => outcome(() => clients[name].client.refreshToken(creds)),
    state: (name) => clients[name].client.state,
    capabilities: (name) => clients[name].client.capabilities,
    record: (name) => ({ events: clients[name].events, logs: clients[name].logs, trace: window.polyphone.normalizeTrace(clients[name].client.trace()) }),
    setAutoAnswer(name, mode) { clients[name].autoAnswer = mode; },
    async call(name, callName, target) {
      let call;
      const result = await outcome(async () => { call = await clients[name].client.call(target, { iceServers: [] }); });
      if (call) watchCall(callName, call);
      return result;
    },
    op: (callName, method, ...args) => outcome(() => calls[callName].call[method](...args)),
    callState: (callName) => (calls[callName] ? calls[callName].call.state : undefined),
    callEvents: (callName) => (calls[callName] ? calls[callName].events : []),
    hasRemoteStream: (callName) => Boolean(calls[callName] && calls[callName].call.remoteStream),
  };
})()`;

export async function installHarness(page: HarnessPage): Promise<void> {
  await page.evaluate(HARNESS);
}

type Json = Record<string, unknown>;

export function tx(page: HarnessPage) {
  const run = <T>(expression: string, ...args: unknown[]): Promise<T> =>
    page.evaluate(({ expression, args }) => (window as any).__tx[expression](...args), { expression, args }) as Promise<T>;
  return {
    create: (name: string, config: Json) => run<void>('create', name, config),
    connect: (name: string, options?: Json) => run<Outcome>('connect', name, options),
    disconnect: (name: string) => run<Outcome>('disconnect', name),
    refresh: (name: string, creds: unknown) => run<Outcome>('refresh', name, creds),
    state: (name: string) => run<string>('state', name),
    capabilities: (name: string) => run<Record<string, boolean>>('capabilities', name),
    record: (name: string) => run<{ events: Array<{ type: string; e: any }>; logs: string[]; trace: string[] }>('record', name),
    setAutoAnswer: (name: string, mode: 'answer' | 'reject' | 'busy' | undefined) => run<void>('setAutoAnswer', name, mode),
    call: (name: string, callName: string, target: string | undefined) => run<Outcome>('call', name, callName, target),
    op: (callName: string, method: string, ...args: unknown[]) => run<Outcome>('op', callName, method, ...args),
    callState: (callName: string) => run<string | undefined>('callState', callName),
    callEvents: (callName: string) => run<Array<{ type: string; e: any }>>('callEvents', callName),
    hasRemoteStream: (callName: string) => run<boolean>('hasRemoteStream', callName),
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
