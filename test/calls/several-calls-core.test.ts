// The core's rules for several calls, on a scripted provider (the wire is proven in Chromium
// against Kamailio by sipjs-call-waiting.test.ts): room under maxCalls, busy refusal told to the
// app, the other call held before a microphone opens, INVALID_STATE where it cannot be held.
import { describe, expect, it } from 'vitest';
import { createVoiceClient, createVoiceStore, type Call, type CallSink, type ProviderCall, type ProviderCapabilities, type VoiceClient } from '../../src/all.js';
import type { DefaultCall } from '../../src/core/call.js';
import { newScript, scriptedProvider, type Script } from '../core/scripted-provider.js';

async function connectedClient(maxCalls: number | undefined, capabilities: Partial<ProviderCapabilities> = { multipleCalls: true }) {
  const script = newScript();
  const client = await createVoiceClient({ provider: scriptedProvider(script, capabilities), ...(maxCalls ? { maxCalls } : {}) });
  await client.connect();
  return { client, script };
}

/** A call arriving from the scripted provider; `log` records what the core did with it. */
function ring(script: Script, from: string, log: string[]): CallSink {
  const call: ProviderCall = {
    hangup: async () => void log.push(`${from} hangup`),
    answer: async () => void log.push(`${from} answer`),
    reject: async ({ status }) => void log.push(`${from} reject ${status}`),
    hold: async () => void log.push(`${from} hold`),
    unhold: async () => void log.push(`${from} unhold`),
  };
  let bound: CallSink | undefined;
  script.context!.sink.incomingCall({ from }, (sink) => {
    bound = sink;
    return call;
  });
  bound!.ringing();
  return bound!;
}

async function activeOutgoing(client: VoiceClient, script: Script, target: string): Promise<Call> {
  const call = await client.call(target);
  script.lastCallSink!.active();
  return call;
}

describe('several calls (core rules)', () => {
  it('maxCalls 1 (default): a call arriving during another is refused busy and the app is told', async () => {
    const { client, script } = await connectedClient(undefined);
    const refused: string[] = [];
    const offered: string[] = [];
    client.on('callRefused', ({ from, reason }) => refused.push(`${from} ${reason}`));
    client.on('incomingCall', ({ from }) => offered.push(from));
    const first = await activeOutgoing(client, script, 'bob');
    const log: string[] = [];
    ring(script, 'carol', log);
    await Promise.resolve();
    expect(log).toEqual(['carol reject 486']);
    expect(refused).toEqual(['carol busy']);
    expect(offered).toEqual([]);
    expect(first.state).toBe('active');
    expect(client.calls).toEqual([first]);
    await expect(client.call('dave')).rejects.toMatchObject({ code: 'INVALID_STATE' });
  });

  it('maxCalls 2: offered, answering holds the other, unhold switches back, each call ends once', async () => {
    const { client, script } = await connectedClient(2);
    const lists: number[][] = [];
    client.on('callsChanged', ({ calls }) => lists.push(calls.map((c) => c.id)));
    const bob = await activeOutgoing(client, script, 'bob');
    let carol: Call | undefined;
    client.on('incomingCall', ({ call }) => (carol = call));
    const log: string[] = [];
    const carolSink = ring(script, 'carol', log);
    expect(carol?.state).toBe('ringing');
    expect(bob.state).toBe('active');
    expect(client.calls).toEqual([bob, carol]);
    await carol!.answer();
    carolSink.active();
    expect(carol!.state).toBe('active');
    expect(script.calls).toContain('hold');
    expect(bob.state).toBe('held');
    expect(log).toEqual(['carol answer']);
    // Switching back: carol goes on hold before bob's microphone opens again.
    await bob.unhold();
    expect(log).toEqual(['carol answer', 'carol hold']);
    expect(bob.state).toBe('active');
    expect(carol!.state).toBe('held');
    const ends: string[] = [];
    bob.on('ended', ({ reason }) => ends.push(`bob ${reason}`));
    carol!.on('ended', ({ reason }) => ends.push(`carol ${reason}`));
    await carol!.hangup();
    await bob.hangup();
    await carol!.hangup();
    expect(ends).toEqual(['carol hangup', 'bob hangup']);
    expect(client.calls).toEqual([]);
    expect(lists).toEqual([[1], [1, 2], [1], []]);
  });

  it('a third call is INVALID_STATE under maxCalls 2; placing a second holds the first', async () => {
    const { client, script } = await connectedClient(2);
    const bob = await activeOutgoing(client, script, 'bob');
    await activeOutgoing(client, script, 'carol');
    expect(script.calls).toEqual(['call bob', 'hold', 'call carol']);
    expect(bob.state).toBe('held');
    await expect(client.call('dave')).rejects.toMatchObject({ code: 'INVALID_STATE', details: { maxCalls: 2 } });
  });

  it('where the provider cannot hold, a second call is INVALID_STATE: never two open microphones', async () => {
    const { client, script } = await connectedClient(2, { multipleCalls: true, hold: false });
    const bob = await activeOutgoing(client, script, 'bob');
    await expect(client.call('carol')).rejects.toMatchObject({ code: 'INVALID_STATE' });
    expect(script.calls).toEqual(['call bob']);
    let carol: Call | undefined;
    client.on('incomingCall', ({ call }) => (carol = call));
    ring(script, 'carol', []);
    await expect(carol!.answer()).rejects.toMatchObject({ code: 'INVALID_STATE' });
    expect(carol!.state).toBe('ringing');
    expect(bob.state).toBe('active');
  });

  it('a provider without multipleCalls keeps one call whatever maxCalls says', async () => {
    const { client, script } = await connectedClient(3, { multipleCalls: false });
    await activeOutgoing(client, script, 'bob');
    const refused: string[] = [];
    client.on('callRefused', ({ from }) => refused.push(from));
    const log: string[] = [];
    ring(script, 'carol', log);
    expect(refused).toEqual(['carol']);
    expect(log).toEqual(['carol reject 486']);
  });
});

describe('the framework-neutral store', () => {
  it('announces an outgoing call, keeps snapshots stable between changes, and lets go of every handler', async () => {
    const { client, script } = await connectedClient(2);
    const store = createVoiceStore(client);
    const first = store.getSnapshot();
    expect(store.getSnapshot()).toBe(first);
    expect(first.client.state).toBe('connected');
    let notified = 0;
    const unsubscribe = store.subscribe(() => notified++);
    const call = await client.call('bob');
    const ringing = store.getSnapshot();
    expect(ringing.calls.map((c) => [c.id, c.state])).toEqual([[1, 'connecting']]);
    expect(store.getSnapshot()).toBe(ringing);
    script.lastCallSink!.active();
    await call.mute();
    await call.hold();
    const held = store.getSnapshot();
    expect(held.calls[0]).toMatchObject({ state: 'held', muted: true, held: true, heldBy: 'local' });
    expect(held.client).toBe(first.client);
    expect(notified).toBeGreaterThan(3);
    expect(store.listenerCount).toBeGreaterThan(0);
    unsubscribe();
    expect(store.listenerCount).toBe(0);
    await call.hangup();
    expect(store.getSnapshot().calls).toEqual([]);
  });
});

describe('an incoming REFER (core rules)', () => {
  async function referredSetup() {
    const { client, script } = await connectedClient(undefined);
    const element = { srcObject: null, play: async () => {} } as unknown as HTMLMediaElement;
    const old = await client.call('alice', { audioElement: element });
    const oldSink = script.lastCallSink!;
    oldSink.active();
    const log: string[] = [];
    let newSink: CallSink | undefined;
    const referred: Call[] = [];
    old.on('referred', ({ target, call }) => {
      log.push(`referred ${target}`);
      referred.push(call);
    });
    old.on('ended', ({ reason }) => log.push(`old ended ${reason}`));
    oldSink.referred!('sip:carol@example.com', async (sink) => {
      newSink = sink;
      return { hangup: async () => void log.push('new hangup') };
    });
    await Promise.resolve();
    return { client, old, oldSink, log, newSink: () => newSink!, next: referred[0]!, element };
  }

  it('the new call takes the old one’s place; once it is established the old one ends transferred', async () => {
    const { client, old, log, newSink, next, element } = await referredSetup();
    expect(client.calls).toEqual([next]);
    expect(next).toMatchObject({ direction: 'outgoing', peer: 'sip:carol@example.com', state: 'connecting' });
    expect((next as DefaultCall).audioElement).toBe(element);
    newSink().active();
    await old.ended;
    expect(log).toEqual(['referred sip:carol@example.com', 'old ended transferred']);
    expect(client.calls).toEqual([next]);
  });

  it('when the new call fails, the old one is back in the list and goes on', async () => {
    const { client, old, oldSink, log, newSink, next } = await referredSetup();
    newSink().ended('failed');
    expect(next.state).toBe('ended');
    expect(client.calls).toEqual([old]);
    expect(old.state).toBe('active');
    // Its far end hanging up later is an ordinary hangup again, not a transfer.
    oldSink.ended('remoteHangup');
    expect(log).toEqual(['referred sip:carol@example.com', 'old ended remoteHangup']);
  });
});
