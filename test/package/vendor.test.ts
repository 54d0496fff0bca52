// The escape hatch: client.vendor and call.vendor hand the app the vendor SDK's own objects.
import { Registerer, UserAgent } from 'sip.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVoiceClient } from '../../src/index.js';
import { sipjs } from '../../src/providers/sipjs/index.js';
import { newScript, scriptedProvider } from '../core/scripted-provider.js';
import { startKamailio, TEST_USERS, DOMAIN } from '../../lab/kamailio/index.mjs';

let lab: { wsUrl: string; stop(): Promise<void> };
beforeAll(async () => {
  lab = await startKamailio();
});
afterAll(async () => lab?.stop());

describe('vendor objects', () => {
  it("client.vendor is sip.js's own UserAgent, registered through polyphone and usable as sip.js documents it", async () => {
    const client = await createVoiceClient(
      { provider: 'sipjs', server: lab.wsUrl, uri: `sip:alice@${DOMAIN}`, credentials: { type: 'password', password: TEST_USERS.alice } },
      { providers: [sipjs] },
    );
    expect(client.vendor).toBeUndefined();
    await client.connect();
    const ua = client.vendor;
    expect(ua).toBeInstanceOf(UserAgent);
    expect(ua!.isConnected()).toBe(true);
    // The app can do with it what polyphone does not cover, e.g. a second registration of its own.
    const extra = new Registerer(ua!);
    await extra.register();
    await new Promise<void>((resolve) => extra.stateChange.addListener((s) => s === 'Registered' && resolve()));
    await extra.dispose();
    await client.disconnect();
  });

  it("call.vendor is the provider's own call object, undefined until the vendor made it", async () => {
    const script = newScript();
    const marker = { vendorCall: true };
    const definition = scriptedProvider(script);
    const create = definition.create;
    const client = await createVoiceClient({
      provider: {
        ...definition,
        create: (options, context) => {
          const provider = create(options, context);
          const call = provider.call.bind(provider);
          provider.call = async (...args) => Object.assign(await call(...args), { vendor: marker });
          return provider;
        },
      },
    });
    await client.connect();
    const placed = await client.call('sip:bob@example.com');
    expect(placed.vendor).toBe(marker);
  });
});
