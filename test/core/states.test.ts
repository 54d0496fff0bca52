// The state tables of src/core/states.ts are what the client and the call do: every state ×
// operation is walked and must come out as the table says (runs, does nothing, INVALID_STATE or
// UNSUPPORTED); every move the machines make is one the tables list, and an illegal one is never
// silent.
import { afterEach, describe, expect, it } from 'vitest';
import { createVoiceClient, type VoiceClient, type VoiceError } from '../../src/all.js';
import {
  CALL_OPERATIONS,
  CALL_TRANSITIONS,
  CLIENT_OPERATIONS,
  CLIENT_TRANSITIONS,
  checkMove,
  stateMachineOptions,
  type CallOperation,
  type CallOperationRule,
  type CallState,
  type ClientState,
} from '../../src/core/states.js';
import { newCall, reach } from './call-harness.js';
import { newScript, scriptedProvider, type Script } from './scripted-provider.js';

const CALL_STATES = Object.keys(CALL_TRANSITIONS) as CallState[];
const CLIENT_STATES = Object.keys(CLIENT_TRANSITIONS) as ClientState[];
// respondToolCall answers an agent's tool call: walked through its own event in test/agents.
const WALKED = (Object.keys(CALL_OPERATIONS) as CallOperation[]).filter((op) => op !== 'respondToolCall');

async function outcome(run: () => Promise<unknown>): Promise<string> {
  try {
    await run();
    return 'ok';
  } catch (error) {
    return (error as VoiceError).code ?? String(error);
  }
}

function invoke(call: ReturnType<typeof newCall>['call'], op: CallOperation): Promise<unknown> {
  switch (op) {
    case 'sendDtmf':
      return call.sendDtmf('1');
    case 'sendText':
      return call.sendText('hello');
    case 'transfer':
      return call.transfer('sip:carol@example.com');
    case 'setInput':
      return call.switchInput({});
    default:
      return (call[op as 'mute'] as () => Promise<void>).call(call);
  }
}

/** What the table says `op` does in `state`: 'ok' (the provider is asked), 'noop', or a code. */
function expected(op: CallOperation, state: CallState, direction: 'incoming' | 'outgoing', declared: boolean): string {
  const rule: CallOperationRule = CALL_OPERATIONS[op];
  if (rule.direction && rule.direction !== direction) return 'INVALID_STATE';
  if (rule.later?.includes(state)) return 'noop';
  if (rule.capability && !declared) return 'UNSUPPORTED';
  if (!rule.states.includes(state)) return 'INVALID_STATE';
  return rule.noop?.includes(state) ? 'noop' : 'ok';
}

describe('call: every state × operation as CALL_OPERATIONS says', () => {
  for (const direction of ['outgoing', 'incoming'] as const) {
    for (const declared of [true, false]) {
      it(`${direction} call, capabilities ${declared ? 'declared' : 'declared away'}`, async () => {
        const away = declared ? {} : { mute: false, hold: false, dtmf: false, agentText: false, transfer: false, inputSelection: false };
        const seen: Record<string, string> = {};
        const want: Record<string, string> = {};
        for (const state of CALL_STATES) {
          for (const op of WALKED) {
            const h = newCall(direction, away);
            await reach(h, state);
            // unmute has something to do only once muted.
            if (op === 'unmute' && declared && CALL_OPERATIONS.mute.states.includes(state)) await h.call.mute();
            h.asked.length = 0;
            const result = await outcome(() => invoke(h.call, op));
            const cell = `${state} ${op}`;
            want[cell] = expected(op, state, direction, declared);
            seen[cell] = result === 'ok' ? (h.asked.includes(op) ? 'ok' : 'noop') : result;
          }
        }
        expect(seen).toEqual(want);
      });
    }
  }

  it('a provider call without the method: UNSUPPORTED where the state allows the operation', async () => {
    const h = newCall('outgoing', {}, ['hold', 'sendDtmf']);
    await reach(h, 'active');
    await expect(h.call.hold()).rejects.toMatchObject({ code: 'UNSUPPORTED', details: { operation: 'hold' } });
    await expect(h.call.sendDtmf('1')).rejects.toMatchObject({ code: 'UNSUPPORTED', details: { operation: 'sendDtmf' } });
    expect(h.call.state).toBe('active');
  });

  it('a sample of the table, pinned: what a UI relies on', () => {
    expect(CALL_OPERATIONS.hold.states).toEqual(['active', 'held']);
    expect(CALL_OPERATIONS.sendDtmf).toMatchObject({ states: ['active'], capability: 'dtmf' });
    expect(CALL_OPERATIONS.unmute.capability).toBe('mute');
    expect(CALL_OPERATIONS.answer).toMatchObject({ states: ['ringing'], direction: 'incoming' });
    expect(CALL_TRANSITIONS.ended).toEqual([]);
  });
});

describe('client: every state × operation as CLIENT_OPERATIONS says', () => {
  const clients: VoiceClient[] = [];
  afterEach(async () => {
    for (const client of clients.splice(0)) await client.disconnect();
  });

  async function clientIn(state: ClientState): Promise<{ client: VoiceClient; script: Script; release: () => void }> {
    const script = newScript();
    let release = () => {};
    const client = await createVoiceClient({ provider: scriptedProvider(script) });
    clients.push(client);
    if (state === 'initialized') await client.init();
    if (state === 'authenticated') await client.authenticate();
    if (state === 'connecting') {
      script.connect = () => new Promise((resolve) => (release = () => resolve({ registered: true })));
      void client.connect().catch(() => {});
      while (client.state !== 'connecting') await new Promise((resolve) => setTimeout(resolve, 1));
      script.connect = undefined;
    }
    if (['connected', 'reconnecting', 'disconnected'].includes(state)) await client.connect();
    if (state === 'reconnecting') script.context!.sink.connectionLost();
    if (state === 'disconnected') await client.disconnect();
    expect(client.state).toBe(state);
    return { client, script, release };
  }

  const operations = ['authenticate', 'connect', 'call', 'refreshToken'] as const;
  it('authenticate, connect, call, refreshToken in each of the seven states', async () => {
    const seen: Record<string, string> = {};
    const want: Record<string, string> = {};
    for (const state of CLIENT_STATES) {
      for (const op of operations) {
        const { client, release } = await clientIn(state);
        const run = { authenticate: () => client.authenticate(), connect: () => client.connect(), call: () => client.call('bob'), refreshToken: () => client.refreshToken('t') }[op];
        seen[`${state} ${op}`] = await outcome(run);
        want[`${state} ${op}`] = (CLIENT_OPERATIONS[op] as readonly ClientState[]).includes(state) ? 'ok' : 'INVALID_STATE';
        release();
      }
    }
    expect(seen).toEqual(want);
  });
});

describe('one gate for every move', () => {
  afterEach(() => {
    stateMachineOptions.strict = true;
  });

  it('under test an illegal call move throws INTERNAL; in an app it is refused and logged, the state unchanged', async () => {
    const h = newCall('outgoing');
    await reach(h, 'active');
    const setState = (to: CallState) => (h.call as unknown as { setState(to: CallState): boolean }).setState(to);
    expect(() => setState('ringing')).toThrow(expect.objectContaining({ code: 'INTERNAL', details: { machine: 'call', from: 'active', to: 'ringing' } }));
    stateMachineOptions.strict = false;
    expect(setState('new')).toBe(false);
    expect(h.call.state).toBe('active');
    expect(h.logged).toEqual(['error Illegal call state change active → new.']);
  });

  it('checkMove passes every listed move and refuses every other, for both machines', () => {
    stateMachineOptions.strict = false;
    for (const [machine, table] of [
      ['client', CLIENT_TRANSITIONS],
      ['call', CALL_TRANSITIONS],
    ] as const) {
      const states = Object.keys(table) as string[];
      for (const from of states) {
        for (const to of states) {
          const refused: VoiceError[] = [];
          const legal = checkMove(machine, table as Record<string, readonly string[]>, from, to, 'p', (e) => refused.push(e));
          expect(legal).toBe((table as Record<string, readonly string[]>)[from]!.includes(to));
          expect(refused.map((e) => e.code)).toEqual(legal ? [] : ['INTERNAL']);
        }
      }
    }
  });
});
