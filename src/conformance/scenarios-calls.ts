// The conformance scenarios about one call between the two pages: audio both ways, the app's own
// audio element, every way a call ends, mute, hold, and DTMF sent and received. Each returns
// 'pass' or a checked `unsupported` (see ScenarioKit.lacking).
import { expect } from 'vitest';
import { GOLDEN } from './golden.js';
import { CALL_OPTIONS, DIGITS, QUIET_MS, RING_TIMEOUT_MS, type Outcome, type ScenarioKit } from './scenario-kit.js';

export type CallScenario =
  | 'outgoing call with audio'
  | 'incoming call'
  | 'heard through the app audioElement'
  | 'reject'
  | 'cancel'
  | 'unanswered'
  | 'remote hangup'
  | 'mute'
  | 'hold'
  | 'far end sees hold'
  | 'DTMF'
  | 'DTMF received';

export function callScenarios(kit: ScenarioKit): Record<CallScenario, () => Promise<Outcome>> {
  const { target, lab, pages, newClient, wait, linesFrom, must, establish, capabilities, hears, silent, lacking, quiet, statsShowAudio, endsWith } = kit;
  return {
    'outgoing call with audio': async () => {
      const { caller, callee } = await establish();
      expect((await caller.lines()).filter((l) => l.startsWith('call#')), 'caller trace, call() to active').toEqual(GOLDEN.callerSetup);
      const state = await caller.state();
      expect(state.call, 'the caller\'s call').toMatchObject({ direction: 'outgoing', state: 'active', hasRemoteStream: true });
      await hears(pages().caller, 'caller');
      await hears(pages().callee, 'callee');
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
        await caller.call(lab().target, CALL_OPTIONS);
        await quiet(connected, from, 'a callee with incomingCalls false reports no call');
        await caller.op('clientHangup');
        return { unsupported: 'capabilities.incomingCalls is false and a call to it reported nothing', capability: 'incomingCalls' };
      }
      const { caller, callee } = await establish(connected);
      expect((await callee.lines()).filter((l) => l.startsWith('call#') || l === 'client incomingCall'), 'callee trace, incoming to active').toEqual(GOLDEN.calleeSetup);
      const state = await callee.state();
      expect(state.call, 'the callee\'s call').toMatchObject({ direction: 'incoming', state: 'active', hasRemoteStream: true });
      expect(state.call?.peer, 'the incoming call names its caller').toBeTruthy();
      await hears(pages().callee, 'callee');
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
      const both = [pages().caller, pages().callee];
      const autoplay = (on: boolean) => Promise.all(both.map((page) => page.evaluate((value) => ((window as any).__playRemoteAudio = value), on)));
      await autoplay(false);
      try {
        const caller = await newClient('caller');
        const callee = await newClient('callee');
        await caller.connect();
        await callee.connect();
        must(await caller.call(lab().target, { ...CALL_OPTIONS, audioElement: true }), 'call() with an audioElement');
        await wait(callee, 'client incomingCall');
        must(await callee.answer({ ...CALL_OPTIONS, audioElement: true }), 'answer() with an audioElement');
        await wait(caller, 'call#1 active');
        await wait(callee, 'call#1 active');
        for (const [client, page, who] of [
          [caller, pages().caller, 'caller'],
          [callee, pages().callee, 'callee'],
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
          await silent(pages().caller, 'the caller still hears the call with its audioElement paused (something else plays it)');
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
      must(await caller.call(lab().target, CALL_OPTIONS), 'call()');
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
      must(await caller.call(lab().target, CALL_OPTIONS), 'call()');
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
      must(await caller.call(lab().target, { ...CALL_OPTIONS, ringTimeoutMs: RING_TIMEOUT_MS }), 'call()');
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
      await hears(pages().callee, 'callee before mute');
      const result = await caller.mute();
      if (!(await capabilities(caller)).mute) {
        lacking('mute', await caller.unmute(), 'unmute');
        return lacking('mute', result, 'mute');
      }
      must(result, 'mute()');
      await wait(caller, 'call#1 muted', result.index);
      expect((await caller.state()).call?.muted).toBe(true);
      await silent(pages().callee, 'the callee still hears the muted caller');
      const unmuted = must(await caller.unmute(), 'unmute()');
      await wait(caller, 'call#1 unmuted', unmuted.index);
      await hears(pages().callee, 'callee after unmute');
      must(await caller.hangup(), 'hangup()');
      await endsWith(caller, 'hangup', callee, 'remoteHangup');
      return 'pass';
    },

    hold: async () => {
      const { caller, callee } = await establish();
      await hears(pages().callee, 'callee before hold');
      const result = await caller.hold();
      if (!(await capabilities(caller)).hold) {
        lacking('hold', await caller.unhold(), 'unhold');
        return lacking('hold', result, 'hold');
      }
      must(result, 'hold()');
      await wait(caller, 'call#1 held by=local', result.index);
      expect((await caller.state()).call?.state).toBe('held');
      // A held call carries no conversation: neither side hears the other.
      await Promise.all([silent(pages().callee, 'the callee still hears the caller who put it on hold'), silent(pages().caller, 'the caller still hears the callee it put on hold')]);
      const unheld = must(await caller.unhold(), 'unhold()');
      await wait(caller, 'call#1 unheld by=local', unheld.index);
      expect((await caller.state()).call?.state).toBe('active');
      await hears(pages().callee, 'callee after unhold');
      await hears(pages().caller, 'caller after unhold');
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

  };
}
