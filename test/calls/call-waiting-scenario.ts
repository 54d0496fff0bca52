// Call waiting, the same scenario for every provider (issue 21), run by one thin file per provider
// (test/calls/<provider>-call-waiting.test.ts) that gives its lab, as test/quality/network-scenarios.ts
// does for quality. alice is on a call with bob, carol calls; with maxCalls 2 alice is offered carol
// (bob's call untouched), answers while bob is put on hold, switches back, hangs up both: one
// `ended` each; with the default (1) carol is refused and alice is told (`callRefused`). Audio is
// proven per call by that call's getStats() and by the other parties' receiver stats. Each
// scenario is a cell of the conformance matrix (rows "several calls: …").
import { describe, expect } from 'vitest';
import { endedLines } from '../support/browser-clients.js';
import { sleep, waitForRisingAudio, waitForSilence } from '../support/audio.js';
import { cellTest } from '../conformance/extra-cells.js';
import { callHears, callStates as states, latestCallId, onCall } from './several-calls-kit.js';
import { PATIENT_WAIT, SLOW_TEST_MS, useSeveralCallsLab, type Party, type SeveralCallsLab } from './several-calls-lab.js';

export interface CallWaitingOptions {
  /** The provider: the matrix column. */
  name: string;
  startLab(): Promise<SeveralCallsLab & { checkOffered?(): void }>;
  /** The held party is told (capabilities.remoteHold); without it, held is proven by its silence alone. */
  remoteHold: boolean;
  /** How carol's call ends when alice has no room: `busy` (SIP 486) or `rejected` (a vendor with no busy). */
  refusedAs: 'busy' | 'rejected';
  /** Runs before alice calls bob (Sendbird: a call alice declined, which its SDK keeps listing). */
  before?(parties: { alice: Party; bob: Party; carol: Party }): Promise<void>;
}

const offset = async (party: Party) => (await party.lines()).length;

export function defineCallWaitingScenarios(options: CallWaitingOptions): void {
  const { lab, connected } = useSeveralCallsLab(options.startLab);

  /** alice calls bob, bob answers, alice hears him; returns the two calls' ids and where each trace stood. */
  async function aliceWithBob(alice: Party, bob: Party) {
    const from = { alice: await offset(alice), bob: await offset(bob) };
    expect((await alice.call(lab().address('bob'))).outcome).toBe('ok');
    await bob.waitForLine('client incomingCall', { ...PATIENT_WAIT, from: from.bob });
    await bob.must('answer');
    const ids = { alice: await latestCallId(alice), bob: await latestCallId(bob) };
    await alice.waitForLine(`call#${ids.alice} active`, { ...PATIENT_WAIT, from: from.alice });
    expect((await callHears(alice, ids.alice)).energy).toBeGreaterThan(0);
    return { ids, from };
  }

  describe(`call waiting on ${options.name} (Chromium)`, () => {
    cellTest(
      'maxCalls 2: carol is offered while alice talks to bob, answering holds bob, switching back holds carol, one ended each',
      options.name,
      'several calls: call waiting',
      async () => {
        const alice = await connected('alice', { maxCalls: 2 });
        const bob = await connected('bob');
        const carol = await connected('carol');
        await options.before?.({ alice, bob, carol });
        const carolFrom = await offset(carol);
        const { ids, from } = await aliceWithBob(alice, bob);
        const withBob = ids.alice;

        expect((await carol.call(lab().address('alice'))).outcome).toBe('ok');
        await alice.waitForLine('client incomingCall', { ...PATIENT_WAIT, from: from.alice });
        const withCarol = await latestCallId(alice);
        const carolsCall = await latestCallId(carol);
        // Offered, and bob's call untouched.
        expect(await states(alice)).toEqual([`#${withBob} active`, `#${withCarol} ringing`]);
        lab().checkOffered?.();

        expect(await onCall(alice, withCarol, 'answer')).toBe('ok');
        await alice.waitForLine(`call#${withCarol} active`, PATIENT_WAIT);
        await alice.waitForLine(`call#${withBob} held by=local`, PATIENT_WAIT);
        if (options.remoteHold) await bob.waitForLine(`call#${ids.bob} held by=remote`, PATIENT_WAIT);
        await carol.waitForLine(`call#${carolsCall} active`, { ...PATIENT_WAIT, from: carolFrom });
        expect(await states(alice)).toEqual([`#${withBob} held`, `#${withCarol} active`]);
        // alice ↔ carol: each hears the other; bob hears nothing from alice.
        expect((await callHears(alice, withCarol)).energy).toBeGreaterThan(0);
        expect((await waitForRisingAudio(carol.page)).energy).toBeGreaterThan(0);
        await waitForSilence(bob.page);

        // Switch back to bob: carol is held first.
        expect(await onCall(alice, withBob, 'unhold')).toBe('ok');
        await alice.waitForLine(`call#${withCarol} held by=local`, PATIENT_WAIT);
        if (options.remoteHold) {
          await carol.waitForLine(`call#${carolsCall} held by=remote`, PATIENT_WAIT);
          await bob.waitForLine(`call#${ids.bob} unheld by=remote`, PATIENT_WAIT);
        }
        expect(await states(alice)).toEqual([`#${withBob} active`, `#${withCarol} held`]);
        expect((await waitForRisingAudio(bob.page)).energy).toBeGreaterThan(0);
        expect((await callHears(alice, withBob)).energy).toBeGreaterThan(0);
        await waitForSilence(carol.page);

        expect(await onCall(alice, withBob, 'hangup')).toBe('ok');
        expect(await onCall(alice, withCarol, 'hangup')).toBe('ok');
        await bob.waitForLine(`call#${ids.bob} ended reason=remoteHangup`, PATIENT_WAIT);
        await carol.waitForLine(`call#${carolsCall} ended reason=remoteHangup`, PATIENT_WAIT);
        await sleep(300); // room for a stray second report of either end
        expect(endedLines((await alice.lines()).slice(from.alice))).toEqual([`call#${withBob} ended reason=hangup`, `call#${withCarol} ended reason=hangup`]);
        expect(endedLines((await bob.lines()).slice(from.bob))).toHaveLength(1);
        expect(endedLines((await carol.lines()).slice(carolFrom))).toHaveLength(1);
        expect(await states(alice)).toEqual([]);
      },
      SLOW_TEST_MS,
    );

    cellTest(
      `maxCalls 1 (default): carol's call ends ${options.refusedAs}, alice is told (callRefused) and her call with bob goes on`,
      options.name,
      'several calls: a second call refused busy',
      async () => {
        const alice = await connected('alice');
        const bob = await connected('bob');
        const carol = await connected('carol');
        const { ids } = await aliceWithBob(alice, bob);

        expect((await carol.call(lab().address('alice'))).outcome).toBe('ok');
        expect((await carol.waitForEnd(PATIENT_WAIT)).reason).toBe(options.refusedAs);
        const lines = await alice.lines();
        expect(lines).toContain('client callRefused');
        expect(lines).not.toContain('client incomingCall');
        expect(await states(alice)).toEqual([`#${ids.alice} active`]);
        expect((await callHears(alice, ids.alice)).energy).toBeGreaterThan(0);
        // Placing a second call is refused too: one call at a time.
        expect((await alice.call(lab().address('carol'))).outcome).toBe('INVALID_STATE');
      },
      SLOW_TEST_MS,
    );
  });
}
