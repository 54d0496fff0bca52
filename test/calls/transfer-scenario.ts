// Transfer, the same scenarios for every provider that can (issue 21: sipjs and cognigy), run by
// one thin file per provider (test/calls/<provider>-transfer.test.ts) that gives its lab. Blind:
// alice transfers bob to carol (REFER); bob's client follows it with a new call that takes the old
// one's place; carol answers; alice learns `transferred`. Attended: alice consults carol while bob
// is held, then transfers bob onto that call (REFER with Replaces); carol's client takes bob's
// call in place of alice's. In both, bob and carol end up talking, proven by each call's
// getStats(). Each scenario is a cell of the conformance matrix (rows "transfer: …"); the
// providers that declare no transfer have theirs in test/calls/declared-unsupported.test.ts.
import { describe, expect } from 'vitest';
import { endedLines } from '../support/browser-clients.js';
import { sleep, waitForRisingAudio } from '../support/audio.js';
import { cellTest } from '../conformance/extra-cells.js';
import { TRANSFER_ROWS, callHears, callStates, onCall } from './several-calls-kit.js';
import { PATIENT_WAIT, SLOW_TEST_MS, useSeveralCallsLab, type SeveralCallsLab } from './several-calls-lab.js';

export interface TransferOptions {
  /** The provider: the matrix column. */
  name: string;
  startLab(): Promise<SeveralCallsLab>;
}

// A transfer settles only once the target answered; on a machine shared with other browsers that
// can take longer than the default 10 s operation bound.
const PATIENT = { timeouts: { operationMs: 30_000 } };

const only = (lines: string[], pattern: RegExp) => lines.filter((l) => pattern.test(l));

export function defineTransferScenarios(options: TransferOptions): void {
  const { lab, connected } = useSeveralCallsLab(options.startLab);

  /** alice calls bob, bob answers. */
  async function aliceWithBob(aliceExtra: Record<string, unknown> = {}) {
    const alice = await connected('alice', { ...PATIENT, ...aliceExtra });
    const bob = await connected('bob');
    const carol = await connected('carol');
    expect((await alice.call(lab().address('bob'))).outcome).toBe('ok');
    await bob.waitForLine('client incomingCall', PATIENT_WAIT);
    await bob.must('answer');
    await alice.waitForLine('call#1 active', PATIENT_WAIT);
    return { alice, bob, carol };
  }

  describe(`transfer on ${options.name} (Chromium)`, () => {
    cellTest(
      'blind: alice transfers bob to carol; bob follows the REFER with a new call, carol answers, alice learns transferred',
      options.name,
      TRANSFER_ROWS[0],
      async () => {
        const { alice, bob, carol } = await aliceWithBob();
        const carolUri = lab().address('carol');
        const transfer = onCall(alice, 1, 'transfer', carolUri);
        await carol.waitForLine('client incomingCall', PATIENT_WAIT);
        await carol.must('answer');
        expect(await transfer).toBe('ok');

        await bob.waitForLine('call#2 active', PATIENT_WAIT);
        await bob.waitForLine('call#1 ended reason=transferred', PATIENT_WAIT);
        await alice.waitForLine('call#1 ended reason=transferred', PATIENT_WAIT);
        // bob ↔ carol talk: each side's receiver gets sound.
        expect((await callHears(bob, 2)).energy).toBeGreaterThan(0);
        expect((await waitForRisingAudio(carol.page)).energy).toBeGreaterThan(0);

        expect(only(await alice.lines(), /^call#1 (transferred|ended)/)).toEqual([`call#1 transferred target=${carolUri}`, 'call#1 ended reason=transferred']);
        expect(only(await bob.lines(), /^call#1 referred/)).toEqual([`call#1 referred target=${carolUri}`]);
        expect(await callStates(bob)).toEqual(['#2 active']);
        expect(await callStates(alice)).toEqual([]);

        await onCall(bob, 2, 'hangup');
        await carol.waitForLine('call#1 ended reason=remoteHangup', PATIENT_WAIT);
        await sleep(300);
        expect(endedLines(await alice.lines())).toEqual(['call#1 ended reason=transferred']);
        expect(endedLines(await bob.lines())).toEqual(['call#1 ended reason=transferred', 'call#2 ended reason=hangup']);
        expect(endedLines(await carol.lines())).toEqual(['call#1 ended reason=remoteHangup']);
      },
      SLOW_TEST_MS,
    );

    cellTest(
      'blind to a user nobody registered: alice learns the failure and keeps her call with bob',
      options.name,
      TRANSFER_ROWS[1],
      async () => {
        const { alice, bob } = await aliceWithBob();
        const outcome = await onCall(alice, 1, 'transfer', lab().address('nobody'));
        expect(outcome).toBe('CALL_FAILED');
        await bob.waitForLine(/^call#2 ended .*reason=failed/, PATIENT_WAIT);
        expect(await callStates(alice)).toEqual(['#1 active']);
        // bob's client lists his call with alice again, and they still talk.
        expect(await callStates(bob)).toEqual(['#1 active']);
        expect((await callHears(bob, 1)).energy).toBeGreaterThan(0);
        expect((await callHears(alice, 1)).energy).toBeGreaterThan(0);
        expect(only(await alice.lines(), /^call#1 (transferred|ended)/)).toEqual([]);
      },
      SLOW_TEST_MS,
    );

    cellTest(
      'attended: alice consults carol while bob is held, then transfers bob onto that call (REFER with Replaces)',
      options.name,
      TRANSFER_ROWS[2],
      async () => {
        const { alice, bob, carol } = await aliceWithBob({ maxCalls: 2 });
        expect((await alice.call(lab().address('carol'))).outcome).toBe('ok');
        await carol.waitForLine('client incomingCall', PATIENT_WAIT);
        await carol.must('answer');
        await alice.waitForLine('call#2 active', PATIENT_WAIT);
        expect(await callStates(alice)).toEqual(['#1 held', '#2 active']);

        expect(await onCall(alice, 1, 'transfer', '#2')).toBe('ok');
        await bob.waitForLine('call#2 active', PATIENT_WAIT);
        // carol's client took bob's call in place of alice's, without asking her again.
        await carol.waitForLine('call#2 active', PATIENT_WAIT);
        await carol.waitForLine('call#1 ended reason=transferred', PATIENT_WAIT);
        await alice.waitForLine('call#2 ended reason=transferred', PATIENT_WAIT);
        expect(await callStates(carol)).toEqual(['#2 active']);
        expect(await callStates(bob)).toEqual(['#2 active']);
        expect(await callStates(alice)).toEqual([]);
        expect((await callHears(bob, 2)).energy).toBeGreaterThan(0);
        expect((await callHears(carol, 2)).energy).toBeGreaterThan(0);

        await onCall(bob, 2, 'hangup');
        await carol.waitForLine('call#2 ended reason=remoteHangup', PATIENT_WAIT);
        await sleep(300);
        // Both of alice's calls end transferred (carol's BYE of the replaced call may come first).
        expect(endedLines(await alice.lines()).sort()).toEqual(['call#1 ended reason=transferred', 'call#2 ended reason=transferred']);
        expect(endedLines(await bob.lines())).toEqual(['call#1 ended reason=transferred', 'call#2 ended reason=hangup']);
        expect(endedLines(await carol.lines())).toEqual(['call#1 ended reason=transferred', 'call#2 ended reason=remoteHangup']);
      },
      SLOW_TEST_MS,
    );
  });
}
