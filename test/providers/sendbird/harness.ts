// Drives polyphone's sendbird provider inside lab pages (real sendbird-calls in Chromium) against
// lab/sendbird. Each page holds named clients; everything they emit is recorded in the page.
import { launchBrowser } from '../../../lab/browser/index.mjs';
import { startSendbirdEmulator, SENDBIRD_USERS } from '../../../lab/sendbird/index.mjs';

export { launchBrowser, startSendbirdEmulator, SENDBIRD_USERS };

export interface AudioStats {
  packetsReceived: number;
  totalAudioEnergy: number;
}
export interface Page {
  evaluate<R, A = undefined>(fn: (arg: A) => R | Promise<R>, arg?: A): Promise<R>;
  waitForFunction<A>(fn: (arg: A) => unknown, arg: A, options: { timeout: number }): Promise<unknown>;
  waitForAudio(options?: { minPackets?: number; timeoutMs?: number; since?: AudioStats }): Promise<AudioStats>;
  inboundAudio(): Promise<AudioStats>;
  on(event: 'websocket', handler: (ws: { url(): string }) => void): void;
  pageErrors: string[];
  close(): Promise<void>;
}
export interface Lab {
  newPage(): Promise<Page>;
  close(): Promise<void>;
}
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

/** Creates client `name` in the page; its events, its calls' events and its log go to `window.rec[name]`. */
export async function createClient(page: Page, name: string, config: Record<string, unknown> | string): Promise<void> {
  await page.evaluate(
    async ({ name, config }) => {
      const w = window as any;
      w.clients ??= {};
      w.rec ??= {};
      w.calls ??= {};
      const rec = { events: [] as string[], errors: [] as unknown[], logs: [] as string[] };
      w.rec[name] = rec;
      const asError = (e: any) => ({ code: e?.code, message: String(e?.message), cause: e?.cause });
      const full = typeof config === 'string' ? config : { ...config, logger: (entry: unknown) => rec.logs.push(JSON.stringify(entry)) };
      const client = await w.polyphone.createVoiceClient(full);
      w.clients[name] = client;
      const watchCall = (call: any, label: string) => {
        w.calls[name] = call;
        for (const type of ['stateChanged', 'ringing', 'active', 'muted', 'unmuted', 'held', 'unheld', 'ended', 'error']) {
          call.on(type, (e: any) => {
            rec.events.push(`${label} ${type}${e?.to ? ` ${e.to}` : ''}${e?.reason ? ` ${e.reason}` : ''}${e?.by ? ` ${e.by}` : ''}`);
            if (e?.error) rec.errors.push(asError(e.error));
          });
        }
      };
      w.watchCall = watchCall;
      client.on('stateChanged', (e: any) => rec.events.push(`state ${e.to}`));
      client.on('registered', () => rec.events.push('registered'));
      client.on('unregistered', () => rec.events.push('unregistered'));
      client.on('tokenRefreshed', () => rec.events.push('tokenRefreshed'));
      client.on('error', (e: any) => {
        rec.events.push(`error ${e.error.code}`);
        rec.errors.push(asError(e.error));
      });
      client.on('incomingCall', (e: any) => {
        rec.events.push(`incomingCall ${e.from}`);
        watchCall(e.call, 'in');
      });
    },
    { name, config },
  );
}

/** Runs a client method in the page; resolves with the VoiceError's shape when it rejects. */
export async function run(page: Page, name: string, method: string, ...args: unknown[]): Promise<ErrorShape | undefined> {
  return page.evaluate(
    async ({ name, method, args }) => {
      const w = window as any;
      try {
        await w.clients[name][method](...args);
        return undefined;
      } catch (e: any) {
        w.rec[name].errors.push({ code: e?.code, message: String(e?.message), cause: e?.cause });
        return { code: e?.code, message: String(e?.message), cause: e?.cause, name: e?.name };
      }
    },
    { name, method, args },
  );
}

export async function recorded(page: Page, name: string): Promise<Recorded> {
  return page.evaluate((name) => {
    const w = window as any;
    const client = w.clients[name];
    return { state: client.state, ...w.rec[name], trace: w.polyphone.normalizeTrace(client.trace()) };
  }, name);
}

export async function login(page: Page, name: string, userId: string, accessToken: string): Promise<ErrorShape | undefined> {
  return run(page, name, 'authenticate', { type: 'accessToken', userId, accessToken });
}

export async function waitForState(page: Page, name: string, state: string, timeout = 10_000): Promise<void> {
  await page.waitForFunction(({ name, state }) => (window as any).clients[name]?.state === state, { name, state }, { timeout });
}

export async function waitForCallState(page: Page, name: string, state: string, timeout = 10_000): Promise<void> {
  await page.waitForFunction(({ name, state }) => (window as any).calls?.[name]?.state === state, { name, state }, { timeout });
}

/** Places a call from client `name`; the remote audio plays in an <audio> element of the page. */
export async function dial(page: Page, name: string, target: string): Promise<ErrorShape | undefined> {
  return page.evaluate(
    async ({ name, target }) => {
      const w = window as any;
      try {
        const call = await w.clients[name].call(target, { audioElement: new Audio() });
        w.watchCall(call, 'out');
        return undefined;
      } catch (e: any) {
        return { code: e?.code, message: String(e?.message), cause: e?.cause };
      }
    },
    { name, target },
  );
}

/** Runs a method of client `name`'s current call. */
export async function onCall(page: Page, name: string, method: string, ...args: unknown[]): Promise<ErrorShape | undefined> {
  return page.evaluate(
    async ({ name, method, args }) => {
      const w = window as any;
      const call = w.calls[name];
      try {
        if (method === 'answer') await call.answer({ audioElement: new Audio() });
        else await call[method](...args);
        return undefined;
      } catch (e: any) {
        return { code: e?.code, message: String(e?.message), cause: e?.cause };
      }
    },
    { name, method, args },
  );
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
