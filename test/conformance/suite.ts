// The conformance suite: the same scenarios, held to the same golden trace and error codes, for
// any provider given a lab (servers to talk to and the configs of two users on them). Each
// scenario is one vitest `it` and one cell of the matrix (pass / fail / unsupported).
//
// Clients live in two real Chromium pages (caller and callee), reused across scenarios; every
// scenario makes its own clients and disconnects them all when it ends. A scenario that fails gets
// fresh pages for the next one, so one provider bug does not cascade through the column.
import { readFileSync } from 'node:fs';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Page } from 'playwright-core';
import { launchBrowser } from '../../lab/browser/index.mjs';
import { startPageServer } from '../../lab/browser/server.mjs';
import { PageClient, type OpResult } from '../support/browser-clients.js';
import { expectedTraceFor, runBasicCallScenario, type BasicCallTrace, type ScenarioStep } from '../support/basic-call-scenario.js';
import { SILENT_ENERGY, waitForRisingAudio, waitForSilence, type AudioStats } from '../support/audio.js';
import { scanForSecrets } from '../support/secrets.js';
import { columnOf, MATRIX_DIR_ENV, recordCell, type Browser, type Cell, type ScenarioName } from './matrix.js';
import { expectedColumn, describeExpected, type Capability, type Citation, type ExpectedCell, type ProviderExpectation } from './expected-matrix.js';

/** A polyphone config as an app would pass it to createVoiceClient(); plain data only. */
export type ClientConfig = Record<string, unknown> | string;

export interface ConformanceLab {
  /** Places the calls. */
  caller: ClientConfig;
  /** Receives them; always a different identity from the caller. */
  callee: ClientConfig;
  /** What the caller dials to reach the callee. */
  target: string;
  /** Reaches the server, but its credentials are refused: connect() must fail AUTH_REJECTED. */
  wrongCredentials: ClientConfig;
  /** Points at a server that is not there: connect() must fail NETWORK_UNREACHABLE, quickly. */
  unreachable: ClientConfig;
  /** What the caller's refreshToken() is given (undefined: called without arguments). */
  refreshWith?: () => unknown;
  /**
   * Secrets to look for besides the credentials in the configs above (found by themselves), e.g.
   * passwords a backend hands out. None may appear in any trace, error or console line.
   */
  secrets?: string[];
  stop(): Promise<void>;
}

export interface ConformanceTarget {
  /** The provider's name: the matrix column. */
  name: string;
  startLab(): Promise<ConformanceLab>;
  /**
   * For a provider polyphone does not ship: a module (absolute path) exporting `provider`, its
   * ProviderDefinitionV1. It is bundled into the lab page with polyphone (sharing its core, so
   * its VoiceErrors are polyphone's), and a config whose `provider` is that definition's name
   * gets the definition.
   */
  providerModule?: string;
  /** The engine the pages run in (default chromium): each engine is its own matrix column. */
  browser?: Browser;
  /**
   * For a provider that is not built in: its expected column (built-in providers are pinned in
   * expected-matrix.ts). Without it every cell must pass and no capability may be declared away.
   */
  expected?: { lacks?: ProviderExpectation['lacks']; cells?: Partial<Record<ScenarioName, ExpectedCell>>; getStatsWaiver?: Citation };
}

type LabPage = Page & { inboundAudio(): Promise<AudioStats & Record<string, number>>; consoleLines: string[]; pageErrors: string[] };
type LabBrowser = { newPage(options?: { url?: string; playRemoteAudio?: boolean }): Promise<LabPage>; close(): Promise<void> };
/** Pages that play no remote track themselves: sound is counted only if polyphone plays it. */
type PageOptions = { playRemoteAudio?: boolean };

type Outcome = 'pass' | { unsupported: string; capability: Capability };

const STEP_MS = 10_000;
/**
 * Below the vitest test timeout, so a stuck scenario is still recorded as a fail. Generous: on a
 * machine shared with other work a call with several audio windows can take a minute.
 */
const SCENARIO_MS = 80_000;
/** What a failed scenario may still need to clean up and open fresh pages before the next one. */
const RECOVERY_MS = 40_000;
const UNREACHABLE_WITHIN_MS = 10_000;
const RING_TIMEOUT_MS = 3_000;
/** How long the far end is watched for a hold it declares it cannot learn of. */
const QUIET_MS = 1_500;
const DIGITS = '123#';
/** Client states from which connect() may be called again. */
const RETRY_STATES = ['idle', 'initialized', 'authenticated', 'disconnected'];
const CALL_OPTIONS = { iceServers: [] };

const golden = JSON.parse(readFileSync(new URL('./golden/basic-call.json', import.meta.url), 'utf8')) as BasicCallTrace;

/** The lines between two markers of a golden trace (exclusive), e.g. what `op connect ok` caused. */
function goldenBetween(lines: string[], from: string, to: string | undefined): string[] {
  const start = lines.indexOf(from);
  const end = to === undefined ? lines.length : lines.indexOf(to, start + 1);
  if (start < 0 || end < 0) throw new Error(`golden/basic-call.json lacks ${from} … ${to}`);
  return lines.slice(start + 1, end).filter((l) => !/^(op|await) /.test(l));
}
const GOLDEN = {
  connect: goldenBetween(golden.caller, 'op connect ok', 'op call ok'),
  disconnect: goldenBetween(golden.caller, 'op disconnect ok', undefined),
  /** Caller: from call() to active. */
  callerSetup: goldenBetween(golden.caller, 'op call ok', 'op mute ok'),
  /** Callee: from the incoming call to active. */
  calleeSetup: [...goldenBetween(golden.callee, 'await call ok', 'op answer ok'), ...goldenBetween(golden.callee, 'op answer ok', 'await hold ok')],
  callerHangup: goldenBetween(golden.caller, 'op hangup ok', 'op disconnect ok'),
  calleeRemoteHangup: goldenBetween(golden.callee, 'await hangup ok', 'op disconnect ok'),
};

const firstLine = (error: unknown) =>
  String((error as { message?: unknown })?.message ?? error)
    .split('\n')
    .find((l) => l.trim() !== '')
    ?.trim()
    .slice(0, 200) ?? 'failed';

function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Strings of at least 4 characters under the credential fields of a config. */
function credentialStrings(config: unknown): string[] {
  if (typeof config === 'string') return config.length >= 4 ? [config] : [];
  if (!config || typeof config !== 'object') return [];
  const creds = (config as { credentials?: Record<string, unknown> }).credentials ?? (config as Record<string, unknown>);
  return ['password', 'token', 'accessToken'].map((k) => creds[k]).filter((v): v is string => typeof v === 'string' && v.length >= 4);
}

/** Lab pages whose polyphone also knows the target's own provider module, if it has one. */
export async function openConformanceBrowser(target: Pick<ConformanceTarget, 'name' | 'providerModule' | 'browser'>): Promise<{ browser: LabBrowser; newPage(options?: PageOptions): Promise<LabPage>; close(): Promise<void> }> {
  const browser = (await launchBrowser({ engine: target.browser ?? 'chromium' })) as LabBrowser;
  if (!target.providerModule) return { browser, newPage: (options?: PageOptions) => browser.newPage(options), close: () => browser.close() };
  const scratch = mkdtempSync(join(tmpdir(), 'polyphone-conformance-entry-'));
  const entry = join(scratch, 'conformance-provider.ts');
  writeFileSync(
    entry,
    `import { provider } from ${JSON.stringify(target.providerModule)};\n(window as any).__conformanceProviders = { ...(window as any).__conformanceProviders, [provider.name]: provider };\n`,
  );
  const server = await startPageServer({ extraEntries: { 'conformance-provider': entry } });
  const newPage = async (options: PageOptions = {}) => {
    const page = await browser.newPage({ ...options, url: server.url });
    await page.addScriptTag({ type: 'module', url: '/conformance-provider.js' });
    await page.waitForFunction(() => (window as any).__conformanceProviders !== undefined, undefined, { timeout: 10_000 });
    // The page harness calls window.polyphone.createVoiceClient(config) with plain data: a
    // config naming the module's provider gets its definition instead.
    await page.evaluate(() => {
      const w = window as any;
      const base = w.polyphone;
      w.polyphone = {
        ...base,
        createVoiceClient: (config: any) => {
          const definition = config && typeof config === 'object' && typeof config.provider === 'string' ? w.__conformanceProviders[config.provider] : undefined;
          return base.createVoiceClient(definition ? { ...config, provider: definition } : config);
        },
      };
    });
    return page;
  };
  return {
    browser,
    newPage,
    close: async () => {
      await browser.close();
      await server.stop();
      rmSync(scratch, { recursive: true, force: true });
    },
  };
}

/** Registers the suite's scenarios for one provider (call at the top level of a test file). */
export function defineConformanceSuite(target: ConformanceTarget): void {
  const matrixDir = process.env[MATRIX_DIR_ENV] ?? (inject('conformanceDir') as string | undefined);
  let lab: ConformanceLab | undefined;
  let browser: Awaited<ReturnType<typeof openConformanceBrowser>> | undefined;
  let labError: unknown;
  let pages: { caller: LabPage; callee: LabPage } | undefined;
  let clientCount = 0;
  /** Everything seen so far that must be secret-free (traces, errors, console lines). */
  const seen: unknown[] = [];
  const secrets = new Set<string>();

  const column = columnOf(target.name, target.browser);
  const record = (scenario: ScenarioName, cell: Cell) => recordCell(matrixDir, column, scenario, cell);
  const expected = expectedColumn(target.name, target.expected);

  async function freshPages(): Promise<void> {
    if (pages) await closePages();
    const [caller, callee] = await Promise.all([browser!.newPage(), browser!.newPage()]);
    pages = { caller, callee };
  }

  /** Every client's trace and ended errors, and the console, kept for the secret check. */
  async function collect(page: LabPage): Promise<void> {
    const traces = await page
      .evaluate(() => Object.values((window as any).__clients ?? {}).map((e: any) => ({ trace: e.client.trace(), ends: e.ends })))
      .catch(() => []);
    seen.push(traces, [...page.consoleLines], [...page.pageErrors]);
    page.consoleLines.length = 0;
  }

  async function closePages(): Promise<void> {
    if (!pages) return;
    const open = [pages.caller, pages.callee];
    pages = undefined;
    for (const page of open) await collect(page);
    await Promise.all(open.map((page) => page.context().close().catch(() => {})));
  }

  /** Disconnects every client of both pages (bounded), so nothing outlives a scenario. */
  async function disconnectAll(): Promise<void> {
    if (!pages) return;
    await Promise.all(
      [pages.caller, pages.callee].map((page) =>
        page.evaluate((t) => (window as any).__harness?.disconnectAll(t), 5_000).catch(() => {}),
      ),
    );
  }

  const newClient = async (side: 'caller' | 'callee', config: ClientConfig = side === 'caller' ? lab!.caller : lab!.callee): Promise<PageClient> =>
    PageClient.create(pages![side], `${side}-${++clientCount}`, config as Record<string, unknown>);

  const wait = (client: PageClient, line: string | RegExp, from = 0) => client.waitForLine(line, { from, timeoutMs: STEP_MS });

  /** Lines of the trace from index `from` on. */
  const linesFrom = async (client: PageClient, from: number) => (await client.lines()).slice(from);

  const must = (result: OpResult, what: string) => {
    expect(result.outcome, `${what}: ${result.message ?? ''}`).toBe('ok');
    return result;
  };

  /** Both connected, the caller's call answered by the callee, both active. */
  async function establish(connectedCallee?: PageClient): Promise<{ caller: PageClient; callee: PageClient }> {
    const caller = await newClient('caller');
    await caller.connect();
    let callee = connectedCallee;
    if (!callee) {
      callee = await newClient('callee');
      await callee.connect();
    }
    const calleeFrom = await callee.traceLength();
    must(await caller.call(lab!.target, CALL_OPTIONS), 'call()');
    await wait(callee, 'client incomingCall', calleeFrom);
    must(await callee.answer(CALL_OPTIONS), 'answer()');
    await wait(caller, 'call#1 active');
    await wait(callee, 'call#1 active');
    return { caller, callee };
  }

  const capabilities = async (client: PageClient) => (await client.state()).capabilities;

  /** Sound arrives at this page now (packets and decoded energy rising over a window). */
  async function hears(page: LabPage, who: string): Promise<void> {
    const window = await waitForRisingAudio(page, { timeoutMs: STEP_MS });
    expect(window.packets, `${who} receives audio packets`).toBeGreaterThanOrEqual(10);
    expect(window.energy, `${who} receives sound`).toBeGreaterThan(SILENT_ENERGY);
  }

  /** No sound reaches this page any more (after the decoder's fade-out). */
  async function silent(page: LabPage, what: string): Promise<void> {
    try {
      await waitForSilence(page, { timeoutMs: STEP_MS });
    } catch (error) {
      throw new Error(`${what}: ${firstLine(error)}`);
    }
  }

  /** A declared lack must be answered by UNSUPPORTED from the operation itself. */
  function lacking(capability: Capability, result: OpResult, op: string): Outcome {
    expect(result.outcome, `${op}() with capabilities.${capability} false must reject UNSUPPORTED`).toBe('UNSUPPORTED');
    return { unsupported: `capabilities.${capability} is false and ${op}() rejected UNSUPPORTED`, capability };
  }

  /** Nothing at all reaches the far side for a while (a lack must not be made up there either). */
  async function quiet(client: PageClient, from: number, what: string, pattern = /^(call#|client incomingCall)/): Promise<void> {
    await new Promise((r) => setTimeout(r, QUIET_MS));
    expect((await linesFrom(client, from)).filter((l) => pattern.test(l)), what).toEqual([]);
  }

  /**
   * The call handle's own getStats() shows received audio: mandatory on every call with audio,
   * unless expected-matrix.ts waives it for the provider, with a reason.
   */
  async function statsShowAudio(client: PageClient, who: string): Promise<void> {
    if (expected.expectation.getStatsWaiver) return;
    const stats = await client.callInboundAudio();
    expect(stats, `${who}: call.getStats() gives a report (no waiver in expected-matrix.ts)`).toBeDefined();
    expect(stats!.packetsReceived, `${who}: call.getStats() shows received audio packets`).toBeGreaterThan(0);
    expect(stats!.totalAudioEnergy, `${who}: call.getStats() shows received sound`).toBeGreaterThan(SILENT_ENERGY);
  }

  /** The call ends on both sides with these reasons (each exactly once). */
  async function endsWith(caller: PageClient, callerReason: string, callee: PageClient, calleeReason: string): Promise<void> {
    const [a, b] = await Promise.all([caller.waitForEnd({ timeoutMs: STEP_MS }), callee.waitForEnd({ timeoutMs: STEP_MS })]);
    expect(a.line, 'the caller\'s call ends').toBe(`call#1 ended reason=${callerReason}`);
    expect(b.line, 'the callee\'s call ends').toBe(`call#1 ended reason=${calleeReason}`);
    for (const [client, who] of [
      [caller, 'caller'],
      [callee, 'callee'],
    ] as const) {
      expect((await client.lines()).filter((l) => /^call#\d+ ended/.test(l)), `${who}: exactly one ended`).toHaveLength(1);
    }
  }

  const scenarios: Record<ScenarioName, () => Promise<Outcome>> = {
    register: async () => {
      const caller = await newClient('caller');
      await caller.connect();
      expect(await caller.lines(), 'connect() trace').toEqual(GOLDEN.connect);
      expect((await caller.state()).client).toBe('connected');
      // Every capability declared away is pinned (and cited) in expected-matrix.ts.
      const declared = await capabilities(caller);
      const away = Object.keys(declared).filter((k) => declared[k] === false).sort();
      expect(away, `capabilities.* false on a connected ${target.name} client = its \`lacks\` in expected-matrix.ts`).toEqual(Object.keys(expected.expectation.lacks).sort());
      const from = await caller.traceLength();
      must(await caller.disconnect(), 'disconnect()');
      await wait(caller, 'client stateChanged connected>disconnected', from);
      expect(await linesFrom(caller, from), 'disconnect() trace').toEqual(GOLDEN.disconnect);
      return 'pass';
    },

    'wrong credentials': async () => {
      const client = await newClient('caller', lab!.wrongCredentials);
      const result = await client.op('connect');
      seen.push(result);
      expect(result.outcome, `connect() with refused credentials: ${result.message ?? ''}`).toBe('AUTH_REJECTED');
      expect(result.error?.provider, 'the error names the provider').toBe(target.name);
      expect(RETRY_STATES, 'a state connect() may be retried from').toContain((await client.state()).client);
      return 'pass';
    },

    'unreachable server': async () => {
      const client = await newClient('caller', lab!.unreachable);
      const started = Date.now();
      const result = await client.op('connect');
      const ms = Date.now() - started;
      seen.push(result);
      expect(result.outcome, `connect() to a server that is not there: ${result.message ?? ''}`).toBe('NETWORK_UNREACHABLE');
      expect(ms, 'NETWORK_UNREACHABLE comes quickly (ms)').toBeLessThan(UNREACHABLE_WITHIN_MS);
      // Which state a failed connect() leaves depends on the phase that failed (a REST login
      // fails in authenticate, before `connecting`); what every provider must allow is a retry.
      expect(RETRY_STATES, 'a state connect() may be retried from').toContain((await client.state()).client);
      const again = await client.op('connect');
      seen.push(again);
      expect(again.outcome, `a second connect(): ${again.message ?? ''}`).toBe('NETWORK_UNREACHABLE');
      return 'pass';
    },

    'outgoing call with audio': async () => {
      const { caller, callee } = await establish();
      expect((await caller.lines()).filter((l) => l.startsWith('call#')), 'caller trace, call() to active').toEqual(GOLDEN.callerSetup);
      const state = await caller.state();
      expect(state.call, 'the caller\'s call').toMatchObject({ direction: 'outgoing', state: 'active', hasRemoteStream: true });
      await hears(pages!.caller, 'caller');
      await hears(pages!.callee, 'callee');
      await statsShowAudio(caller, 'caller');
      await statsShowAudio(callee, 'callee');
      const from = await caller.traceLength();
      must(await caller.hangup(), 'hangup()');
      await endsWith(caller, 'hangup', callee, 'remoteHangup');
      expect(await linesFrom(caller, from)).toEqual(GOLDEN.callerHangup);
      return 'pass';
    },

    'incoming call': async () => {
      const connected = await newClient('callee');
      await connected.connect();
      if (!(await capabilities(connected)).incomingCalls) {
        const from = await connected.traceLength();
        const caller = await newClient('caller');
        await caller.connect();
        await caller.call(lab!.target, CALL_OPTIONS);
        await quiet(connected, from, 'a callee with incomingCalls false reports no call');
        await caller.op('clientHangup');
        return { unsupported: 'capabilities.incomingCalls is false and a call to it reported nothing', capability: 'incomingCalls' };
      }
      const { caller, callee } = await establish(connected);
      expect((await callee.lines()).filter((l) => l.startsWith('call#') || l === 'client incomingCall'), 'callee trace, incoming to active').toEqual(GOLDEN.calleeSetup);
      const state = await callee.state();
      expect(state.call, 'the callee\'s call').toMatchObject({ direction: 'incoming', state: 'active', hasRemoteStream: true });
      expect(state.call?.peer, 'the incoming call names its caller').toBeTruthy();
      await hears(pages!.callee, 'callee');
      await statsShowAudio(callee, 'callee');
      const from = await callee.traceLength();
      must(await caller.hangup(), 'hangup()');
      await endsWith(caller, 'hangup', callee, 'remoteHangup');
      expect(await linesFrom(callee, from)).toEqual(GOLDEN.calleeRemoteHangup);
      return 'pass';
    },

    'heard through the app audioElement': async () => {
      // Both pages stop playing remote tracks themselves (lab/browser reads the switch on each new
      // track): sound is counted only if polyphone plays the call into the app's own element, and
      // stops when that element stops.
      const both = [pages!.caller, pages!.callee];
      const autoplay = (on: boolean) => Promise.all(both.map((page) => page.evaluate((value) => ((window as any).__playRemoteAudio = value), on)));
      await autoplay(false);
      try {
        const caller = await newClient('caller');
        const callee = await newClient('callee');
        await caller.connect();
        await callee.connect();
        must(await caller.call(lab!.target, { ...CALL_OPTIONS, audioElement: true }), 'call() with an audioElement');
        await wait(callee, 'client incomingCall');
        must(await callee.answer({ ...CALL_OPTIONS, audioElement: true }), 'answer() with an audioElement');
        await wait(caller, 'call#1 active');
        await wait(callee, 'call#1 active');
        for (const [client, page, who] of [
          [caller, pages!.caller, 'caller'],
          [callee, pages!.callee, 'callee'],
        ] as const) {
          expect((await client.state()).audioElement, `${who}: the app's element plays the call's remote stream`).toEqual({ playing: true, playsRemoteStream: true });
          await hears(page, `${who} (through its audioElement)`);
          await statsShowAudio(client, who);
        }
        // The sound was the element's: paused, the page hears nothing. Firefox decodes (and counts
        // the energy of) received audio whether or not anything plays it, so there the proof stops
        // at the element playing the call's stream (lab/browser/README.md, "Firefox").
        if ((target.browser ?? 'chromium') === 'chromium') {
          await caller.pauseAudioElement();
          await silent(pages!.caller, 'the caller still hears the call with its audioElement paused (something else plays it)');
        }
        must(await caller.hangup(), 'hangup()');
        await endsWith(caller, 'hangup', callee, 'remoteHangup');
        return 'pass';
      } finally {
        await autoplay(true).catch(() => {});
      }
    },

    reject: async () => {
      const caller = await newClient('caller');
      const callee = await newClient('callee');
      await caller.connect();
      await callee.connect();
      must(await caller.call(lab!.target, CALL_OPTIONS), 'call()');
      await wait(callee, 'client incomingCall');
      must(await callee.reject(), 'reject()');
      await endsWith(caller, 'rejected', callee, 'rejected');
      return 'pass';
    },

    cancel: async () => {
      const caller = await newClient('caller');
      const callee = await newClient('callee');
      await caller.connect();
      await callee.connect();
      must(await caller.call(lab!.target, CALL_OPTIONS), 'call()');
      await wait(caller, 'call#1 ringing');
      await wait(callee, 'client incomingCall');
      must(await caller.hangup(), 'hangup() while ringing');
      await endsWith(caller, 'canceled', callee, 'canceled');
      return 'pass';
    },

    unanswered: async () => {
      const caller = await newClient('caller');
      const callee = await newClient('callee');
      await caller.connect();
      await callee.connect();
      must(await caller.call(lab!.target, { ...CALL_OPTIONS, ringTimeoutMs: RING_TIMEOUT_MS }), 'call()');
      await wait(callee, 'client incomingCall');
      await endsWith(caller, 'unanswered', callee, 'canceled');
      return 'pass';
    },

    'remote hangup': async () => {
      const { caller, callee } = await establish();
      must(await callee.hangup(), 'the callee\'s hangup()');
      await endsWith(caller, 'remoteHangup', callee, 'hangup');
      return 'pass';
    },

    mute: async () => {
      const { caller, callee } = await establish();
      await hears(pages!.callee, 'callee before mute');
      const result = await caller.mute();
      if (!(await capabilities(caller)).mute) {
        lacking('mute', await caller.unmute(), 'unmute');
        return lacking('mute', result, 'mute');
      }
      must(result, 'mute()');
      await wait(caller, 'call#1 muted', result.index);
      expect((await caller.state()).call?.muted).toBe(true);
      await silent(pages!.callee, 'the callee still hears the muted caller');
      const unmuted = must(await caller.unmute(), 'unmute()');
      await wait(caller, 'call#1 unmuted', unmuted.index);
      await hears(pages!.callee, 'callee after unmute');
      must(await caller.hangup(), 'hangup()');
      await endsWith(caller, 'hangup', callee, 'remoteHangup');
      return 'pass';
    },

    hold: async () => {
      const { caller, callee } = await establish();
      await hears(pages!.callee, 'callee before hold');
      const result = await caller.hold();
      if (!(await capabilities(caller)).hold) {
        lacking('hold', await caller.unhold(), 'unhold');
        return lacking('hold', result, 'hold');
      }
      must(result, 'hold()');
      await wait(caller, 'call#1 held by=local', result.index);
      expect((await caller.state()).call?.state).toBe('held');
      // A held call carries no conversation: neither side hears the other.
      await Promise.all([silent(pages!.callee, 'the callee still hears the caller who put it on hold'), silent(pages!.caller, 'the caller still hears the callee it put on hold')]);
      const unheld = must(await caller.unhold(), 'unhold()');
      await wait(caller, 'call#1 unheld by=local', unheld.index);
      expect((await caller.state()).call?.state).toBe('active');
      await hears(pages!.callee, 'callee after unhold');
      await hears(pages!.caller, 'caller after unhold');
      must(await caller.hangup(), 'hangup()');
      await endsWith(caller, 'hangup', callee, 'remoteHangup');
      return 'pass';
    },

    'far end sees hold': async () => {
      const { caller, callee } = await establish();
      const calleeFrom = await callee.traceLength();
      const result = await caller.hold();
      if (!(await capabilities(caller)).hold) return lacking('hold', result, 'hold');
      must(result, 'hold()');
      const sees = (await capabilities(callee)).remoteHold;
      let outcome: Outcome = 'pass';
      if (sees) {
        await wait(callee, 'call#1 held by=remote', calleeFrom);
        expect((await callee.state()).call?.state).toBe('held');
      } else {
        // Declared unable: the far end must not make up a hold either.
        await new Promise((r) => setTimeout(r, QUIET_MS));
        expect(await linesFrom(callee, calleeFrom), 'a callee with remoteHold false reports nothing').toEqual([]);
        outcome = { unsupported: 'capabilities.remoteHold is false and the callee reported nothing while held', capability: 'remoteHold' };
      }
      const unheldFrom = await callee.traceLength();
      must(await caller.unhold(), 'unhold()');
      if (sees) {
        await wait(callee, 'call#1 unheld by=remote', unheldFrom);
        expect((await callee.state()).call?.state).toBe('active');
      }
      must(await caller.hangup(), 'hangup()');
      await endsWith(caller, 'hangup', callee, 'remoteHangup');
      return outcome;
    },

    DTMF: async () => {
      const { caller, callee } = await establish();
      const calleeFrom = await callee.traceLength();
      const result = await caller.sendDtmf(DIGITS);
      if (!(await capabilities(caller)).dtmf) {
        await quiet(callee, calleeFrom, 'no digit reaches the callee of a caller with dtmf false', /dtmf/);
        return lacking('dtmf', result, 'sendDtmf');
      }
      must(result, 'sendDtmf()');
      must(await caller.hangup(), 'hangup()');
      await endsWith(caller, 'hangup', callee, 'remoteHangup');
      return 'pass';
    },

    'DTMF received': async () => {
      const { caller, callee } = await establish();
      const calleeFrom = await callee.traceLength();
      const result = await caller.sendDtmf(DIGITS);
      if (!(await capabilities(caller)).dtmf) return lacking('dtmf', result, 'sendDtmf');
      must(result, 'sendDtmf()');
      let outcome: Outcome = 'pass';
      if ((await capabilities(callee)).receiveDtmf) {
        await wait(callee, 'call#1 dtmf digit=#', calleeFrom);
        const digits = (await linesFrom(callee, calleeFrom)).filter((l) => l.startsWith('call#1 dtmf '));
        expect(digits, 'the callee receives every digit, in order').toEqual([...DIGITS].map((d) => `call#1 dtmf digit=${d}`));
      } else {
        // Declared unable: no digit may show up on the far side either.
        await quiet(callee, calleeFrom, 'a callee with receiveDtmf false reports no digit', /dtmf/);
        outcome = { unsupported: 'capabilities.receiveDtmf is false and the callee reported no digit', capability: 'receiveDtmf' };
      }
      must(await caller.hangup(), 'hangup()');
      await endsWith(caller, 'hangup', callee, 'remoteHangup');
      return outcome;
    },

    'token refresh': async () => {
      const caller = await newClient('caller');
      await caller.connect();
      const credentials = lab!.refreshWith?.();
      for (const secret of credentialStrings(credentials)) secrets.add(secret);
      const from = await caller.traceLength();
      const outcome = await pages!.caller.evaluate(
        async ([name, creds]) => {
          try {
            await (window as any).__clients[name].client.refreshToken(creds);
            return 'ok';
          } catch (error: any) {
            return error?.name === 'VoiceError' ? String(error.code) : `THREW:${error?.name}`;
          }
        },
        [caller.name, credentials] as const,
      );
      const result: OpResult = { outcome, index: from };
      if (!(await capabilities(caller)).tokenRefresh) return lacking('tokenRefresh', result, 'refreshToken');
      must(result, 'refreshToken()');
      expect(await linesFrom(caller, from), 'refreshToken() trace').toEqual(['client tokenRefreshed']);
      expect((await caller.state()).client).toBe('connected');
      // Still usable with the new credentials: a call goes out and reaches the callee.
      const callee = await newClient('callee');
      await callee.connect();
      must(await caller.call(lab!.target, CALL_OPTIONS), 'call() after refreshToken()');
      await wait(callee, 'client incomingCall');
      must(await caller.hangup(), 'hangup()');
      await endsWith(caller, 'canceled', callee, 'canceled');
      return 'pass';
    },

    'disconnect mid-call': async () => {
      const { caller, callee } = await establish();
      const from = await caller.traceLength();
      must(await caller.disconnect(), 'disconnect() during a call');
      await endsWith(caller, 'hangup', callee, 'remoteHangup');
      await wait(caller, 'client stateChanged connected>disconnected', from);
      const after = await linesFrom(caller, from);
      expect(after.indexOf('call#1 ended reason=hangup'), 'the call ends before the client disconnects').toBeLessThan(
        after.indexOf('client stateChanged connected>disconnected'),
      );
      expect((await caller.state()).client).toBe('disconnected');
      return 'pass';
    },

    'basic call = golden trace': async () => {
      const names = { caller: `caller-${++clientCount}`, callee: `callee-${++clientCount}` };
      const run = await runBasicCallScenario({
        caller: { page: pages!.caller, name: names.caller, config: lab!.caller },
        callee: { page: pages!.callee, name: names.callee, config: lab!.callee },
        target: lab!.target,
        callOptions: CALL_OPTIONS,
        answerOptions: CALL_OPTIONS,
        digits: DIGITS,
        stepTimeoutMs: STEP_MS,
      });
      // What each side declares (read after the run: some capabilities follow the login).
      const declared = async (page: LabPage, name: string) =>
        page.evaluate((n) => (window as any).__clients[n].client.capabilities, name) as Promise<Record<string, boolean>>;
      const callerCaps = await declared(pages!.caller, names.caller);
      const calleeCaps = await declared(pages!.callee, names.callee);
      const callerLacks: ScenarioStep[] = [];
      const calleeLacks: ScenarioStep[] = [];
      if (!callerCaps.mute) callerLacks.push('mute', 'unmute');
      if (!callerCaps.hold) callerLacks.push('hold', 'unhold');
      if (!callerCaps.hold || !calleeCaps.remoteHold) calleeLacks.push('hold', 'unhold');
      if (!callerCaps.dtmf) callerLacks.push('sendDtmf');
      if (!callerCaps.dtmf || !calleeCaps.receiveDtmf) calleeLacks.push('sendDtmf');
      const expected = expectedTraceFor(golden, { caller: callerLacks, callee: calleeLacks });
      expect(run.caller, 'caller trace vs golden/basic-call.json').toEqual(expected.caller);
      expect(run.callee, 'callee trace vs golden/basic-call.json').toEqual(expected.callee);
      return 'pass';
    },

    'no secret in traces or console': async () => {
      await collect(pages!.caller);
      await collect(pages!.callee);
      const all = [...secrets];
      expect(all.length, 'the lab has credentials to look for').toBeGreaterThan(0);
      const findings = scanForSecrets(seen, all);
      expect(findings.map((f) => f.path).slice(0, 5), 'places a secret was found').toEqual([]);
      // Positive control: the same scan over the same material, with one credential planted in a
      // console line as a careless SDK would log it, must find exactly that.
      const planted = scanForSecrets([...seen, [`login ok for ${encodeURIComponent(all[0]!)}`]], all);
      expect(planted.map((f) => f.path), 'the scan finds a planted credential').toEqual([`[${seen.length}][0]`]);
      return 'pass';
    },
  };

  describe(`conformance: ${target.name}${target.browser ? ` in ${target.browser}` : ''}`, () => {
    beforeAll(async () => {
      try {
        lab = await target.startLab();
        for (const config of [lab.caller, lab.callee, lab.wrongCredentials, lab.unreachable]) for (const s of credentialStrings(config)) secrets.add(s);
        for (const s of lab.secrets ?? []) if (s.length >= 4) secrets.add(s);
        browser = await openConformanceBrowser(target);
        await freshPages();
      } catch (error) {
        labError = error;
      }
    }, 120_000);

    afterAll(async () => {
      await disconnectAll();
      await closePages();
      await browser?.close();
      await lab?.stop();
    }, 60_000);

    for (const [name, body] of Object.entries(scenarios) as Array<[ScenarioName, () => Promise<Outcome>]>) {
      it(name, async () => {
        if (labError || !pages) {
          record(name, { outcome: 'fail', reason: `the lab did not start: ${firstLine(labError)}` });
          throw labError ?? new Error('the lab did not start');
        }
        let failed = false;
        try {
          const outcome = await within(body(), SCENARIO_MS, name);
          // Pinned in either direction: a new `unsupported` fails, and so does a surprise `pass`.
          const want = describeExpected(expected.cell(name));
          const got = describeExpected(outcome === 'pass' ? 'pass' : { unsupported: outcome.capability });
          if (got !== want) {
            throw new Error(`${target.name} · ${name}: expected ${want} (test/conformance/expected-matrix.ts), got ${got}${outcome === 'pass' ? '' : `: ${outcome.unsupported}`}`);
          }
          record(name, outcome === 'pass' ? { outcome: 'pass' } : { outcome: 'unsupported', reason: outcome.unsupported });
        } catch (error) {
          failed = true;
          record(name, { outcome: 'fail', reason: firstLine(error) });
          throw error;
        } finally {
          await disconnectAll();
          // A failed scenario may leave a call or a socket behind: the next one starts clean.
          if (failed) await freshPages().catch((error) => (labError = error));
        }
      }, SCENARIO_MS + RECOVERY_MS);
    }
  });
}
