// Several calls and transfer where a provider cannot: declared in capabilities (read from the real
// provider modules, no network), and the core answers UNSUPPORTED / busy the same for every one.
import { describe, expect, it } from 'vitest';
import { createVoiceClient, type Call } from '../../src/all.js';
import { newScript, scriptedProvider } from '../core/scripted-provider.js';
import { cellTest } from '../conformance/extra-cells.js';
import { TRANSFER_ROWS } from './several-calls-kit.js';

const CONFIGS = {
  sipjs: { provider: 'sipjs', server: 'ws://127.0.0.1:9/ws' },
  cognigy: { provider: 'cognigy', server: 'https://endpoint.example.com/abc' },
  telnyx: { provider: 'telnyx' },
  sendbird: { provider: 'sendbird', server: 'APP-ID-0000' },
} as const;

describe('several calls and transfer: declared per provider', () => {
  it.each([
    ['sipjs', true, true],
    ['cognigy', true, true],
    ['telnyx', true, false],
    ['sendbird', true, false],
  ] as const)('%s declares multipleCalls=%s transfer=%s', async (name, multipleCalls, transfer) => {
    const client = await createVoiceClient(CONFIGS[name]);
    expect(client.capabilities).toMatchObject({ multipleCalls, transfer });
  });

  // The transfer rows of the matrix for the providers whose SDK has none (the others run
  // transfer-scenario.ts): declared away by the real provider module; the core's UNSUPPORTED for
  // such a provider is the next test's.
  for (const name of ['telnyx', 'sendbird'] as const) {
    for (const row of TRANSFER_ROWS) {
      cellTest(`${name} · ${row}: declared unsupported (capabilities.transfer false)`, name, row, async () => {
        const client = await createVoiceClient(CONFIGS[name]);
        expect(client.capabilities.transfer).toBe(false);
        return { unsupported: 'capabilities.transfer false: the browser SDK has no transfer; transfer() answers UNSUPPORTED' };
      });
    }
  }

  it('transfer() where the provider declares no transfer: UNSUPPORTED, the call goes on', async () => {
    const script = newScript();
    const client = await createVoiceClient({ provider: scriptedProvider(script, { transfer: false }) });
    await client.connect();
    const call: Call = await client.call('bob');
    script.lastCallSink!.active();
    await expect(call.transfer('sip:carol@example.com')).rejects.toMatchObject({ code: 'UNSUPPORTED', details: { operation: 'transfer' } });
    expect(call.state).toBe('active');
  });

  it('transfer() with a bad target: INVALID_ARGUMENT; on a call not yet established: INVALID_STATE', async () => {
    const script = newScript();
    const client = await createVoiceClient({ provider: scriptedProvider(script, { transfer: true }), maxCalls: 2 });
    await client.connect();
    const call = await client.call('bob');
    await expect(call.transfer('sip:carol@example.com')).rejects.toMatchObject({ code: 'INVALID_STATE' });
    script.lastCallSink!.active();
    await expect(call.transfer('')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(call.transfer(call)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    // Where it can: the provider is asked, then the call ends `transferred` (once).
    const events: string[] = [];
    call.on('transferred', ({ target }) => events.push(`transferred ${target}`));
    call.on('ended', ({ reason }) => events.push(`ended ${reason}`));
    await call.transfer('sip:carol@example.com');
    expect(script.calls).toContain('transfer sip:carol@example.com');
    expect(events).toEqual(['transferred sip:carol@example.com', 'ended transferred']);
    expect(client.calls).toEqual([]);
  });
});
