// The whole-call scenario every provider is held to (test/conformance/golden/basic-call.json):
// connect, call, ringing, answer, active, mute, unmute, hold, unhold, DTMF, hangup, disconnect.
//
// Each step is run by one side (the actor) while the other side (the observer) waits for what
// the far end should see. Both traces get a marker line where the step began:
//   actor:    `op <step> <outcome>`     outcome = ok | UNSUPPORTED | <other VoiceError code>
//   observer: `await <step> <outcome>`  ok, or the actor's outcome when the actor failed
// so a provider lacking a capability yields `op hold UNSUPPORTED` and is compared line by line
// like any other. The scenario waits for each step's effects before the next step, so the order
// of lines within one client's trace does not depend on timing.
import type { HarnessPage } from '../../lab/browser/lab-page.mjs';
import { PageClient, mergeMarkers, OpLog, type OpResult, type PageOp } from './page-client.js';

export interface ScenarioParty {
  page: HarnessPage;
  /** The client's name inside its page (`window.__clients[name]`). */
  name: string;
  /** The polyphone config for this party (plain data). */
  config: Record<string, unknown> | string;
}

export interface BasicCallScenarioOptions {
  caller: ScenarioParty;
  callee: ScenarioParty;
  /** What the caller dials to reach the callee. */
  target: string;
  /** Options for client.call(), e.g. `{ iceServers: [] }`. */
  callOptions?: Record<string, unknown>;
  /** Options for call.answer(). */
  answerOptions?: Record<string, unknown>;
  digits?: string;
  /** Bound for each wait on the far side's events. */
  stepTimeoutMs?: number;
  /** Runs after a step's effects were seen on both sides (e.g. to check audio). */
  afterStep?: (step: ScenarioStep, outcome: string, parties: { caller: PageClient; callee: PageClient }) => Promise<void>;
}

export type ScenarioStep = 'connect' | 'call' | 'answer' | 'mute' | 'unmute' | 'hold' | 'unhold' | 'sendDtmf' | 'hangup' | 'disconnect';

export interface BasicCallTrace {
  caller: string[];
  callee: string[];
}

export const BASIC_CALL_DIGITS = '123#';

/** Runs the scenario and returns both normalised traces with the step markers. */
export async function runBasicCallScenario(options: BasicCallScenarioOptions): Promise<BasicCallTrace & { ops: OpLog }> {
  const ops = new OpLog();
  const timeoutMs = options.stepTimeoutMs ?? 10_000;
  const digits = options.digits ?? BASIC_CALL_DIGITS;
  const caller = await PageClient.create(options.caller.page, options.caller.name, options.caller.config, ops);
  const callee = await PageClient.create(options.callee.page, options.callee.name, options.callee.config, ops);
  const markers = new Map<PageClient, Array<{ index: number; line: string }>>([
    [caller, []],
    [callee, []],
  ]);
  const mark = (client: PageClient, index: number, line: string) => markers.get(client)!.push({ index, line });
  const parties = { caller, callee };

  /**
   * One step: the actor runs `op`; when it succeeded, `effects` waits (from where the step began)
   * for what each side must see. An observer gets an `await` marker when the step reaches it.
   */
  const step = async (
    name: ScenarioStep,
    actor: PageClient,
    observer: PageClient | undefined,
    op: PageOp,
    args: unknown[],
    effects: (from: { actor: number; observer: number }) => Promise<unknown>,
    observerCan = true,
  ): Promise<OpResult> => {
    const observerIndex = observer ? await observer.traceLength() : 0;
    const result = await actor.op(op, ...args);
    mark(actor, result.index, `op ${name} ${result.outcome}`);
    // The far side's own lack (e.g. it cannot receive DTMF) is recorded on its side.
    const observed = result.outcome === 'ok' && !observerCan ? 'UNSUPPORTED' : result.outcome;
    if (observer) mark(observer, observerIndex, `await ${name} ${observed}`);
    // Effects run whenever the actor succeeded: its own lines are waited for even where the far
    // side cannot see the step (the effects skip what that side lacks).
    if (result.outcome === 'ok') await effects({ actor: result.index, observer: observerIndex });
    await options.afterStep?.(name, result.outcome, parties);
    return result;
  };
  const wait = (client: PageClient, line: string | RegExp, from: number) => client.waitForLine(line, { from, timeoutMs });

  for (const client of [caller, callee]) {
    const result = await client.op('connect');
    mark(client, result.index, `op connect ${result.outcome}`);
    if (result.outcome !== 'ok') throw new Error(`${client.name} could not connect: ${result.outcome} ${result.message}`);
  }
  await options.afterStep?.('connect', 'ok', parties);

  const placed = await step('call', caller, callee, 'call', [options.target, options.callOptions ?? {}], async (from) => {
    await wait(caller, 'call#1 ringing', from.actor);
    await wait(callee, 'client incomingCall', from.observer);
  });
  if (placed.outcome !== 'ok') throw new Error(`call() failed: ${placed.outcome} ${placed.message}`);

  await step('answer', callee, caller, 'answer', [options.answerOptions ?? {}], async (from) => {
    await wait(callee, 'call#1 active', from.actor);
    await wait(caller, 'call#1 active', from.observer);
  });

  // Muting is local (no signalling): the far side's trace has nothing to wait for.
  await step('mute', caller, undefined, 'mute', [], (from) => wait(caller, 'call#1 muted', from.actor));
  await step('unmute', caller, undefined, 'unmute', [], (from) => wait(caller, 'call#1 unmuted', from.actor));

  // What the callee declares it can learn of: a far-end hold (capabilities.remoteHold) and digits.
  const calleeCapabilities = (await callee.state()).capabilities;
  const calleeSeesHold = calleeCapabilities.remoteHold !== false;
  await step(
    'hold',
    caller,
    callee,
    'hold',
    [],
    async (from) => {
      await wait(caller, 'call#1 held by=local', from.actor);
      if (calleeSeesHold) await wait(callee, 'call#1 held by=remote', from.observer);
    },
    calleeSeesHold,
  );
  await step(
    'unhold',
    caller,
    callee,
    'unhold',
    [],
    async (from) => {
      await wait(caller, 'call#1 unheld by=local', from.actor);
      if (calleeSeesHold) await wait(callee, 'call#1 unheld by=remote', from.observer);
    },
    calleeSeesHold,
  );

  const calleeHearsDigits = calleeCapabilities.receiveDtmf === true;
  await step(
    'sendDtmf',
    caller,
    callee,
    'sendDtmf',
    [digits],
    async (from) => {
      if (!calleeHearsDigits) return;
      const last = digits.replace(/,/g, '').slice(-1).toUpperCase();
      await wait(callee, `call#1 dtmf digit=${last}`, from.observer);
    },
    calleeHearsDigits,
  );

  await step('hangup', caller, callee, 'hangup', [], async (from) => {
    await wait(caller, /^call#1 ended /, from.actor);
    await wait(callee, /^call#1 ended /, from.observer);
  });

  for (const client of [caller, callee]) {
    const result = await client.op('disconnect');
    mark(client, result.index, `op disconnect ${result.outcome}`);
    await wait(client, 'client stateChanged connected>disconnected', result.index);
  }
  await options.afterStep?.('disconnect', 'ok', parties);

  return {
    caller: mergeMarkers(await caller.lines(), markers.get(caller)!),
    callee: mergeMarkers(await callee.lines(), markers.get(callee)!),
    ops,
  };
}

/**
 * The golden trace as a provider lacking some steps must produce it: `op <step> ok` and
 * `await <step> ok` become `… UNSUPPORTED`, and the lines that step caused (up to the next
 * marker line) are dropped. E.g. `expectedTraceFor(golden, { caller: ['hold', 'unhold'], callee: ['hold', 'unhold'] })`.
 */
export function expectedTraceFor(golden: BasicCallTrace, unsupported: { caller?: ScenarioStep[]; callee?: ScenarioStep[] }): BasicCallTrace {
  const adjust = (lines: string[], steps: ScenarioStep[] = []): string[] => {
    const out: string[] = [];
    let dropping = false;
    for (const line of lines) {
      const marker = /^(op|await) (\S+) (\S+)$/.exec(line);
      if (marker) {
        dropping = steps.includes(marker[2] as ScenarioStep) && marker[3] === 'ok';
        out.push(dropping ? `${marker[1]} ${marker[2]} UNSUPPORTED` : line);
      } else if (!dropping) out.push(line);
    }
    return out;
  };
  return { caller: adjust(golden.caller, unsupported.caller), callee: adjust(golden.callee, unsupported.callee) };
}
