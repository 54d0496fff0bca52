// Whatever a provider reports, in whatever order and how often, mixed with what the app asks: a
// call makes only the moves CALL_TRANSITIONS lists, ends exactly once, and fails only with a
// VoiceError. fast-check draws the sequences from a fixed seed, so a failure replays the same.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createVoiceClient, VoiceError, type Call, type CallEndReason, type CallSink } from '../../src/all.js';
import { CALL_TRANSITIONS } from '../../src/core/states.js';
import { recordingProviderCall } from './call-harness.js';
import { newScript, scriptedProvider } from './scripted-provider.js';

const REASONS: CallEndReason[] = ['hangup', 'remoteHangup', 'rejected', 'busy', 'unanswered', 'canceled', 'transferred', 'failed'];

type Step =
  | { report: 'ringing' | 'active' | 'held' | 'unheld' | 'remoteStream' }
  | { report: 'dtmf'; digit: string }
  | { report: 'ended'; reason: CallEndReason }
  | { report: 'error' }
  | { app: 'hangup' | 'mute' | 'unmute' | 'hold' | 'unhold' | 'answer' | 'reject' | 'sendDtmf' };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.constantFrom('ringing', 'active', 'held', 'unheld', 'remoteStream').map((report) => ({ report }) as Step),
  fc.constantFrom('1', '#', 'x', '').map((digit) => ({ report: 'dtmf', digit }) as Step),
  fc.constantFrom(...REASONS).map((reason) => ({ report: 'ended', reason }) as Step),
  fc.constant({ report: 'error' } as Step),
  fc.constantFrom('hangup', 'mute', 'unmute', 'hold', 'unhold', 'answer', 'reject', 'sendDtmf').map((app) => ({ app }) as Step),
);

async function apply(call: Call, sink: CallSink, s: Step, failures: unknown[]): Promise<void> {
  if ('app' in s) {
    const run = s.app === 'sendDtmf' ? call.sendDtmf('1') : call[s.app]();
    await run.catch((error: unknown) => failures.push(error));
    return;
  }
  if (s.report === 'dtmf') sink.dtmf(s.digit);
  else if (s.report === 'ended') sink.ended(s.reason, s.reason === 'failed' ? new VoiceError('CALL_FAILED', 'gone') : undefined);
  else if (s.report === 'error') sink.error(new VoiceError('PROTOCOL_ERROR', 'odd'));
  else if (s.report === 'remoteStream') sink.remoteStream({} as MediaStream);
  else sink[s.report]();
}

describe('a call under random provider reports', () => {
  it('only legal moves, exactly one ended, only VoiceErrors', async () => {
    const script = newScript();
    const client = await createVoiceClient({ provider: scriptedProvider(script, { transfer: true }), maxCalls: 1 });
    await client.connect();
    await fc.assert(
      fc.asyncProperty(fc.boolean(), fc.array(step, { maxLength: 25 }), async (incoming, steps) => {
        let call: Call;
        let sink: CallSink;
        if (incoming) {
          const offered = new Promise<Call>((resolve) => client.on('incomingCall', ({ call }) => resolve(call)));
          let bound: CallSink | undefined;
          script.context!.sink.incomingCall({ from: 'sip:carol@example.com' }, (s) => {
            bound = s;
            return recordingProviderCall([]);
          });
          sink = bound!;
          call = await offered;
        } else {
          call = await client.call('bob');
          sink = script.lastCallSink!;
        }
        const moves: string[] = [];
        let ended = 0;
        // The reported moves chain from the first state to the one the call is in: none unreported.
        let reached: string = call.state;
        call.on('stateChanged', ({ from, to }) => {
          moves.push(`${from}>${to}`);
          expect(from).toBe(reached);
          reached = to;
        });
        call.on('ended', () => ended++);
        const failures: unknown[] = [];
        for (const s of steps) {
          await apply(call, sink, s, failures);
          expect(ended).toBeLessThanOrEqual(1);
          expect(call.state).toBe(reached);
        }
        await call.hangup();
        for (const s of steps.slice(0, 5)) await apply(call, sink, s, failures);
        await call.ended;

        expect(ended).toBe(1);
        expect(call.state).toBe('ended');
        for (const move of moves) {
          const [from, to] = move.split('>') as [keyof typeof CALL_TRANSITIONS, keyof typeof CALL_TRANSITIONS];
          expect(CALL_TRANSITIONS[from], move).toContain(to);
        }
        expect(moves.filter((m) => m.endsWith('>ended'))).toHaveLength(1);
        expect(moves.at(-1)).toMatch(/>ended$/);
        for (const failure of failures) expect(failure).toBeInstanceOf(VoiceError);
        expect(client.calls).toEqual([]);
      }),
      { seed: 1616, numRuns: 150 },
    );
    await client.disconnect();
  });
});
