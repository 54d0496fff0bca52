// The app hands over the providers it imports; the core names none of them.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createVoiceClient, VoiceError } from '../../src/index.js';
import * as all from '../../src/all.js';
import { sipjs } from '../../src/providers/sipjs/index.js';
import { telnyx } from '../../src/providers/telnyx/index.js';

const root = join(import.meta.dirname, '..', '..');

async function failure(run: () => Promise<unknown>): Promise<VoiceError> {
  const error = await run().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(VoiceError);
  return error as VoiceError;
}

describe('providers the app imports', () => {
  it('no file under src/core imports a provider module', () => {
    const offenders = readdirSync(join(root, 'src', 'core'))
      .filter((f) => f.endsWith('.ts'))
      .filter((f) => /(from|import\()\s*['"][^'"]*providers\//.test(readFileSync(join(root, 'src', 'core', f), 'utf8')));
    expect(offenders).toEqual([]);
  });

  it('the config string chooses among the handed-over providers', async () => {
    const a = await createVoiceClient('sipjs:wss://pbx.example.com/ws', { providers: [telnyx, sipjs] });
    const b = await createVoiceClient({ provider: 'telnyx', server: 'ws://127.0.0.1:9' }, { providers: [telnyx, sipjs] });
    expect([a.provider, b.provider]).toEqual(['sipjs', 'telnyx']);
  });

  it('a provider that was not handed over is PROVIDER_UNKNOWN saying how to add it', async () => {
    const error = await failure(() => createVoiceClient('telnyx', { providers: [sipjs] }));
    expect(error.code).toBe('PROVIDER_UNKNOWN');
    expect(error.message).toContain("import { telnyx } from 'polyphone/telnyx'");
    expect(error.message).toContain('providers');
    expect(error.message).toContain('handed over: sipjs');
  });

  it('without providers, a provider name is PROVIDER_UNKNOWN', async () => {
    expect((await failure(() => createVoiceClient('sipjs:wss://pbx.example.com/ws'))).code).toBe('PROVIDER_UNKNOWN');
  });

  it('providers that are not definitions are CONFIG_INVALID', async () => {
    const error = await failure(() => createVoiceClient('sipjs:wss://x.example', { providers: [{ name: 'sipjs' }] as never }));
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.details?.field).toBe('providers[0]');
  });

  it('a failover list chooses each member among the handed-over providers', async () => {
    const client = await createVoiceClient(['telnyx:ws://127.0.0.1:9', 'sipjs:wss://pbx.example.com/ws'], { providers: [sipjs, telnyx] });
    expect(client.provider).toBe('telnyx');
    const error = await failure(() => createVoiceClient(['telnyx:ws://127.0.0.1:9', 'sipjs:wss://pbx.example.com/ws'], { providers: [telnyx] }));
    expect(error.code).toBe('PROVIDER_UNKNOWN');
  });

  it("'polyphone/all' has the four built-in providers without a providers option", async () => {
    const names = await Promise.all(
      ['sipjs:wss://x.example/ws', 'cognigy:https://x.example/ep', 'telnyx', 'sendbird:APP'].map(async (c) => (await all.createVoiceClient(c)).provider),
    );
    expect(names).toEqual(['sipjs', 'cognigy', 'telnyx', 'sendbird']);
    expect(all.ALL_PROVIDERS.map((p) => p.name)).toEqual(['sipjs', 'cognigy', 'telnyx', 'sendbird']);
  });
});
