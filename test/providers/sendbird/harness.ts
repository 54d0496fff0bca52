// Drives polyphone's sendbird provider inside lab pages (real sendbird-calls in Chromium) against
// lab/sendbird, through the shared page harness (lab/browser/page-harness.mjs, the one every
// provider's browser tests use). Each page holds named clients; everything they emit is recorded in
// the page, and read back here in the form these tests assert on.
import { launchBrowser } from '../../../lab/browser/index.mjs';
import type { ChromiumLabPage, LabBrowser } from '../../../lab/browser/lab-page.mjs';
import { startSendbirdEmulator, SENDBIRD_USERS } from '../../../lab/sendbird/index.mjs';
import { installHarness, type OpResult } from '../../../src/conformance/page-client.js';

export { launchBrowser, startSendbirdEmulator, SENDBIRD_USERS };

export type { AudioStats } from '../../../lab/browser/lab-page.mjs';
/** The Sendbird browser tests run in Chromium. */
export type Page = ChromiumLabPage;
export type Lab = LabBrowser<ChromiumLabPage>;
export interface Emulator {
  apiHost: string;
  wsHost: string;
  appId: string;
  issueToken(userId: string, options?: { expiresInSec?: number }): string;
  expireToken(token: string): void;
  faults: { rejectToken: boolean; malformedLogin: boolean; loginWithoutUser: boolean; slowLoginMs: number; refuseSockets: boolean };
  dropSockets(code?: number): void;
  stats: { logins: Array<{ userId: string; ok: boolean; code?: number }>; connections: number; refusedSockets: number; openSockets(): number };
  frames: Array<{ dir: 'in' | 'out'; userId?: string; msg: unknown }>;
  stop(): Promise<void>;
}

export interface ErrorShape {
  code: string;
  message: string;
  cause?: { code?: string | number; message?: string; name?: string };
}

/** What one page-side client has seen: client events, its calls' events, logs, normalised trace. */
export interface Recorded {
  state: string;
  events: string[];
  errors: ErrorShape[];
  logs: string[];
  trace: string[];
}

/** Extra fields of an object config (apiHost, wsHost, timeouts, loginTimeoutMs …). */
export type Extra = Record<string, unknown>;

export function sendbirdConfig(emulator: Pick<Emulator, 'appId' | 'apiHost' | 'wsHost'>, extra: Extra = {}): Record<string, unknown> {
  return { provider: 'sendbird', server: emulator.appId, apiHost: emulator.apiHost, wsHost: emulator.wsHost, ...extra };
}

/** What the harness keeps of an error (a VoiceError's toJSON()). */
type ErrorJson = { name?: string; code: string; message: string; cause?: ErrorShape['cause'] };
/** An event as the harness keeps it; a call's carry the call's name and direction. */
type HarnessEvent = { type: string; e: any; call?: string; direction?: string };
type Harness = Record<string, (...args: unknown[]) => unknown>;

const harness = <T>(page: Page, method: string, ...args: unknown[]): Promise<T> =>
  page.evaluate(({ method, args }) => (window as unknown as { __harness: Harness }).__harness[method]!(...args), { method, args }) as Promise<T>;

const shapeOf = (error: ErrorJson | undefined, message?: string): ErrorShape => ({ code: error?.code as string, message: String(error?.message ?? message), cause: error?.cause });

/** Creates client `name` in the page; the harness records its events, its calls' events and its log. */
export async function createClient(page: Page, name: string, config: Record<string, unknown> | string): Promise<void> {
  await installHarness(page);
  await harness(page, 'create', name, config, undefined, { record: true });
}

/** Runs a client method in the page; resolves with the VoiceError's shape when it rejects. */
export async function run(page: Page, name: string, method: string, ...args: unknown[]): Promise<ErrorShape | undefined> {
  const outcome = await harness<{ ok: boolean; error?: ErrorJson }>(page, 'invoke', { client: name }, method, args);
  return outcome.ok ? undefined : { ...shapeOf(outcome.error), name: outcome.error?.name } as ErrorShape;
}

const CALL_EVENTS = new Set(['stateChanged', 'ringing', 'active', 'muted', 'unmuted', 'held', 'unheld', 'ended', 'error']);

/** One event as a line (`state connected`, `out ringing`, `in ended hungUp remote` …); undefined: not one these tests follow. */
function lineOf(event: HarnessEvent): string | undefined {
  const e = event.e;
  if (event.call !== undefined) {
    if (!CALL_EVENTS.has(event.type)) return undefined;
    const label = event.direction === 'incoming' ? 'in' : 'out';
    return `${label} ${event.type}${e?.to ? ` ${e.to}` : ''}${e?.reason ? ` ${e.reason}` : ''}${e?.by ? ` ${e.by}` : ''}`;
  }
  switch (event.type) {
    case 'stateChanged':
      return `state ${e.to}`;
    case 'registered':
    case 'unregistered':
    case 'tokenRefreshed':
      return event.type;
    case 'error':
      return `error ${e.error.code}`;
    case 'incomingCall':
      return `incomingCall ${e.from}`;
    default:
      return undefined;
  }
}

export async function recorded(page: Page, name: string): Promise<Recorded> {
  const [state, events, logs, trace] = await Promise.all([
    harness<{ client: string }>(page, 'state', name),
    harness<HarnessEvent[]>(page, 'events', name),
    harness<string[]>(page, 'logs', name),
    harness<string[]>(page, 'lines', name),
  ]);
  const lines: string[] = [];
  const errors: ErrorShape[] = [];
  for (const event of events) {
    const line = lineOf(event);
    if (line !== undefined) lines.push(line);
    // Errors of the events followed, and of the client methods run() ran.
    const kept = event.call !== undefined ? line !== undefined : event.type === 'error' || event.type === 'failure';
    if (kept && event.e?.error) errors.push(shapeOf(event.e.error));
  }
  return { state: state.client, events: lines, errors, logs, trace };
}

export async function login(page: Page, name: string, userId: string, accessToken: string): Promise<ErrorShape | undefined> {
  return run(page, name, 'authenticate', { type: 'accessToken', userId, accessToken });
}

type Clients = { __clients: Record<string, { client: { state: string }; call?: { state: string } } | undefined> };

export async function waitForState(page: Page, name: string, state: string, timeout = 10_000): Promise<void> {
  await page.waitForFunction(({ name, state }) => (window as unknown as Clients).__clients[name]?.client.state === state, { name, state }, { timeout });
}

export async function waitForCallState(page: Page, name: string, state: string, timeout = 10_000): Promise<void> {
  await page.waitForFunction(({ name, state }) => (window as unknown as Clients).__clients[name]?.call?.state === state, { name, state }, { timeout });
}

const shapeOfOp = (result: OpResult): ErrorShape | undefined => (result.outcome === 'ok' ? undefined : shapeOf(result.error as ErrorJson | undefined, result.message));

/** Places a call from client `name`; the remote audio plays in an <audio> element of the page. */
export async function dial(page: Page, name: string, target: string): Promise<ErrorShape | undefined> {
  return shapeOfOp(await harness<OpResult>(page, 'op', name, 'call', [target, { audioElement: true }]));
}

/** Runs a method of client `name`'s current call (`answer` plays the remote audio in an <audio> of the page). */
export async function onCall(page: Page, name: string, method: string, ...args: unknown[]): Promise<ErrorShape | undefined> {
  return shapeOfOp(await harness<OpResult>(page, 'op', name, method, method === 'answer' ? [{ audioElement: true }] : args));
}

/** The page's sendbird-calls singleton, as the raw SDK sees it. */
export async function rawSdk(page: Page): Promise<{ appId: string | undefined; userId: string | undefined; ongoing: number }> {
  return page.evaluate(async () => {
    const mod: any = await (window as any).rawVendors.sendbird();
    const sdk = mod.default ?? mod;
    let ongoing = 0;
    try {
      ongoing = sdk.getOngoingCallCount();
    } catch {
      /* not initialised */
    }
    return { appId: sdk.appId, userId: sdk.currentUser?.userId, ongoing };
  });
}

export async function waitUntil(condition: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
