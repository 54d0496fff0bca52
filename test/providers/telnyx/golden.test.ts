// The basic call of the conformance suite, alice → bob, both on the Telnyx provider (real SDK in
// Chromium, the Verto emulator): the normalised traces must equal the SIP.js golden file, except
// what Telnyx cannot tell the far end (test/conformance/expected-matrix.ts): that it was put on
// hold (2.27.10 has no handler for a pushed telnyx_rtc.modify) and the digits sent (not shown to
// be forwarded to a WebRTC leg).
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { launchBrowser } from '../../../lab/browser/index.mjs';
import { startTelnyxEmulator } from '../../../lab/telnyx/index.mjs';
import { PageClient, mergeMarkers } from '../../support/browser-clients.js';
import type { BasicCallTrace } from '../../support/basic-call-scenario.js';

const REMOTE_HOLD = new Set(['call#1 stateChanged active>held', 'call#1 held by=remote', 'call#1 stateChanged held>active', 'call#1 unheld by=remote']);

const golden = JSON.parse(readFileSync(new URL('../../conformance/golden/basic-call.json', import.meta.url), 'utf8')) as BasicCallTrace;

let emulator: any;
let lab: { newPage(): Promise<Page & { waitForAudio(o?: object): Promise<unknown> }>; close(): Promise<void> };

beforeAll(async () => {
  emulator = await startTelnyxEmulator();
  lab = await launchBrowser();
});
afterAll(async () => {
  await lab?.close();
  await emulator?.stop();
});

it('alice → bob on Telnyx: the SIP.js golden trace, less the far end seeing the hold and the digits', async () => {
  const [pa, pb] = await Promise.all([lab.newPage(), lab.newPage()]);
  const config = (login: string) => ({ provider: 'telnyx', server: emulator.url, iceServers: [], credentials: { type: 'jwt', token: emulator.issueJwt(login) } });
  const caller = await PageClient.create(pa, 'alice', config('alice'));
  const callee = await PageClient.create(pb, 'bob', config('bob'));
  const marks = new Map<PageClient, Array<{ index: number; line: string }>>([
    [caller, []],
    [callee, []],
  ]);
  const wait = (client: PageClient, line: string | RegExp, from: number) => client.waitForLine(line, { from, timeoutMs: 10_000 });
  /** The actor runs op; the observer (if any) gets an `await` marker where the step reached it. */
  const step = async (name: string, actor: PageClient, observer: PageClient | undefined, run: () => ReturnType<PageClient['op']>) => {
    const observerIndex = observer ? await observer.traceLength() : 0;
    const result = await run();
    marks.get(actor)!.push({ index: result.index, line: `op ${name} ${result.outcome}` });
    if (observer) marks.get(observer)!.push({ index: observerIndex, line: `await ${name} ${result.outcome}` });
    expect(result.outcome, `${name}: ${result.message}`).toBe('ok');
    return { actor: result.index, observer: observerIndex };
  };

  for (const client of [caller, callee]) {
    const result = await client.connect();
    marks.get(client)!.push({ index: result.index, line: 'op connect ok' });
  }
  let from = await step('call', caller, callee, () => caller.call('bob', { iceServers: [] }));
  await wait(caller, 'call#1 ringing', from.actor);
  await wait(callee, 'client incomingCall', from.observer);
  from = await step('answer', callee, caller, () => callee.answer({ iceServers: [] }));
  await wait(callee, 'call#1 active', from.actor);
  await wait(caller, 'call#1 active', from.observer);
  await Promise.all([pa.waitForAudio({ minPackets: 20 }), pb.waitForAudio({ minPackets: 20 })]);
  from = await step('mute', caller, undefined, () => caller.mute());
  await wait(caller, 'call#1 muted', from.actor);
  from = await step('unmute', caller, undefined, () => caller.unmute());
  await wait(caller, 'call#1 unmuted', from.actor);
  from = await step('hold', caller, callee, () => caller.hold());
  await wait(caller, 'call#1 held by=local', from.actor);
  from = await step('unhold', caller, callee, () => caller.unhold());
  await wait(caller, 'call#1 unheld by=local', from.actor);
  from = await step('sendDtmf', caller, callee, () => caller.sendDtmf('123#'));
  await expect.poll(() => emulator.dtmfSeen('alice'), { timeout: 10_000 }).toBe('123#');
  from = await step('hangup', caller, callee, () => caller.hangup());
  await wait(caller, /^call#1 ended /, from.actor);
  await wait(callee, /^call#1 ended /, from.observer);
  for (const client of [caller, callee]) {
    const result = await client.disconnect();
    marks.get(client)!.push({ index: result.index, line: `op disconnect ${result.outcome}` });
    await wait(client, 'client stateChanged connected>disconnected', result.index);
  }

  const trace = {
    caller: mergeMarkers(await caller.lines(), marks.get(caller)!),
    callee: mergeMarkers(await callee.lines(), marks.get(callee)!),
  };
  expect(trace.caller).toEqual(golden.caller);
  expect(trace.callee).toEqual(golden.callee.filter((line) => !REMOTE_HOLD.has(line) && !line.startsWith('call#1 dtmf ')));
});
