// What every conformance scenario works with: the lab's two pages and their clients, and the
// checks the scenarios share (audio heard or not, how a call ends, a declared lack answered as
// required). One kit per suite; `suite.ts` owns the pages and the lab, the kit reads them.
import { expect } from 'vitest';
import { SILENT_ENERGY, waitForRisingAudio, waitForSilence } from './audio.js';
import type { LabPage as LabBrowserPage } from '../../lab/browser/lab-page.mjs';
import type { Capability, ExpectedColumn } from './expectations.js';
import { PageClient, type OpResult } from './page-client.js';
import type { ClientConfig, ConformanceLab, ConformanceTarget } from './target.js';

/** A lab page of either engine (lab/browser/lab-page.d.mts). */
export type LabPage = LabBrowserPage;

/** What a scenario found: `pass`, or the checked absence of a capability the provider declares away. */
export type Outcome = 'pass' | { unsupported: string; capability: Capability };

export const STEP_MS = 10_000;
export const UNREACHABLE_WITHIN_MS = 10_000;
export const RING_TIMEOUT_MS = 3_000;
/** How long the far end is watched for a hold it declares it cannot learn of. */
export const QUIET_MS = 1_500;
export const DIGITS = '123#';
/** Client states from which connect() may be called again. */
export const RETRY_STATES = ['idle', 'initialized', 'authenticated', 'disconnected'];
export const CALL_OPTIONS = { iceServers: [] };

export const firstLine = (error: unknown) =>
  String((error as { message?: unknown })?.message ?? error)
    .split('\n')
    .find((l) => l.trim() !== '')
    ?.trim()
    .slice(0, 200) ?? 'failed';

/** Strings of at least 4 characters under the credential fields of a config. */
export function credentialStrings(config: unknown): string[] {
  if (typeof config === 'string') return config.length >= 4 ? [config] : [];
  if (!config || typeof config !== 'object') return [];
  const creds = (config as { credentials?: Record<string, unknown> }).credentials ?? (config as Record<string, unknown>);
  return ['password', 'token', 'accessToken'].map((k) => creds[k]).filter((v): v is string => typeof v === 'string' && v.length >= 4);
}

export interface ScenarioKitState {
  target: ConformanceTarget;
  expected: ExpectedColumn;
  lab(): ConformanceLab;
  pages(): { caller: LabPage; callee: LabPage };
  /** Everything seen so far that must be secret-free (traces, errors, console lines). */
  seen: unknown[];
  secrets: Set<string>;
  /** Every client's trace and ended errors, and the console, kept for the secret check. */
  collect(page: LabPage): Promise<void>;
}

export type ScenarioKit = ReturnType<typeof makeScenarioKit>;

export function makeScenarioKit(state: ScenarioKitState) {
  const { lab, pages, expected } = state;
  let clientCount = 0;
  const nextClientNumber = () => ++clientCount;

  const newClient = async (side: 'caller' | 'callee', config: ClientConfig = side === 'caller' ? lab().caller : lab().callee): Promise<PageClient> =>
    PageClient.create(pages()[side], `${side}-${nextClientNumber()}`, config as Record<string, unknown>);

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
    must(await caller.call(lab().target, CALL_OPTIONS), 'call()');
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
   * unless the provider's expected column waives it, with a reason.
   */
  async function statsShowAudio(client: PageClient, who: string): Promise<void> {
    if (expected.expectation.getStatsWaiver) return;
    const stats = await client.callInboundAudio();
    expect(stats, `${who}: call.getStats() gives a report (no getStatsWaiver in its expected column)`).toBeDefined();
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

  return { ...state, nextClientNumber, newClient, wait, linesFrom, must, establish, capabilities, hears, silent, lacking, quiet, statsShowAudio, endsWith };
}
