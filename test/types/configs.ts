// Type tests, checked by tsc (test/types/typecheck.test.ts): the object config is a union keyed by
// `provider`, made from the providers handed over. Each @ts-expect-error must be needed.
import { expectTypeOf } from 'vitest';
import { createVoiceClient, type VoiceConfig } from '../../src/index.js';
import * as all from '../../src/all.js';
import { cognigy } from '../../src/providers/cognigy/index.js';
import { sendbird } from '../../src/providers/sendbird/index.js';
import { sipjs, type SipjsConfig } from '../../src/providers/sipjs/index.js';
import { telnyx } from '../../src/providers/telnyx/index.js';

export async function configs(): Promise<void> {
  const providers = [sipjs, telnyx] as const;

  // Accepted: each handed-over provider with its own options.
  await createVoiceClient({ provider: 'sipjs', server: 'wss://pbx.example.com/ws', uri: 'sip:alice@example.com', registerExpires: 600 }, { providers });
  await createVoiceClient({ provider: 'telnyx', credentials: { type: 'jwt', token: 't' }, callerName: 'Support' }, { providers });
  await createVoiceClient({ provider: 'cognigy', server: 'https://endpoint.example.com/x', userId: 'u-1', signalingOnly: true }, { providers: [cognigy] });
  await createVoiceClient({ provider: 'sendbird', server: 'APP-ID', credentials: { type: 'accessToken', userId: 'u', accessToken: 'a' } }, { providers: [sendbird] });
  // Strings are checked at run time (they come from env and settings pages).
  await createVoiceClient('sipjs:wss://pbx.example.com/ws?uri=sip:alice@example.com', { providers });
  // Failover lists take the same union.
  await createVoiceClient(['telnyx', { provider: 'sipjs', server: 'wss://pbx.example.com/ws' }], { providers });

  // One reconnection option for every provider (the core's policy).
  await createVoiceClient({ provider: 'telnyx', credentials: { type: 'jwt', token: 't' }, reconnect: { attempts: 3, deadlineMs: 30_000 } }, { providers });
  await createVoiceClient({ provider: 'sendbird', server: 'APP-ID', reconnect: { deadlineMs: 10_000, baseDelayMs: 250, maxDelayMs: 4_000 } }, { providers: [sendbird] });
  // @ts-expect-error a misspelt reconnect field
  await createVoiceClient({ provider: 'sipjs', server: 'wss://pbx.example.com/ws', reconnect: { attemps: 3 } }, { providers });
  // @ts-expect-error reconnect fields are numbers
  await createVoiceClient({ provider: 'sipjs', server: 'wss://pbx.example.com/ws', reconnect: { attempts: 'many' } }, { providers });

  // @ts-expect-error a misspelt provider
  await createVoiceClient({ provider: 'sipsj', server: 'wss://pbx.example.com/ws' }, { providers });
  // @ts-expect-error a misspelt option
  await createVoiceClient({ provider: 'sipjs', server: 'wss://pbx.example.com/ws', urii: 'sip:alice@example.com' }, { providers });
  // @ts-expect-error another provider's option
  await createVoiceClient({ provider: 'telnyx', uri: 'sip:alice@example.com' }, { providers });
  // @ts-expect-error a provider that was not handed over
  await createVoiceClient({ provider: 'cognigy', server: 'https://endpoint.example.com/x' }, { providers });
  // @ts-expect-error no providers handed over at all
  await createVoiceClient({ provider: 'sipjs', server: 'wss://pbx.example.com/ws' });
  // @ts-expect-error an option of the wrong type
  await createVoiceClient({ provider: 'sipjs', server: 'wss://pbx.example.com/ws', registerExpires: '600' }, { providers });
  // @ts-expect-error sipjs needs its server
  await createVoiceClient({ provider: 'sipjs' }, { providers });
  // @ts-expect-error credentials the provider does not take
  await createVoiceClient({ provider: 'sipjs', server: 'wss://x.example/ws', credentials: { type: 'jwt', token: 't' } }, { providers });
  // @ts-expect-error a misspelt option inside a failover list
  await createVoiceClient(['telnyx', { provider: 'sipjs', server: 'wss://x.example/ws', dtmf: 'info' }], { providers });

  // 'polyphone/all' knows the four without a providers option.
  await all.createVoiceClient({ provider: 'sendbird', server: 'APP-ID' });
  // @ts-expect-error a misspelt option, with all four
  await all.createVoiceClient({ provider: 'cognigy', server: 'https://endpoint.example.com/x', userid: 'u' });
  // @ts-expect-error an unknown provider, with all four
  await all.createVoiceClient({ provider: 'twilio' });

  // A provider of the app's own, handed over as a definition, adds its own config to the union.
  await all.createVoiceClient({ provider: 'echo', anything: 1 }, { providers: [echoDefinition] });

  expectTypeOf(sipjs.name).toEqualTypeOf<'sipjs'>();
  expectTypeOf<SipjsConfig['dtmfTransport']>().toEqualTypeOf<'rfc4733' | 'info' | undefined>();
  expectTypeOf<Extract<VoiceConfig<typeof providers>, { provider: 'telnyx' }>['server']>().toEqualTypeOf<string | undefined>();
}

declare const echoDefinition: import('../../src/index.js').ProviderDefinitionV1<null, 'echo'>;

// client.vendor / call.vendor are typed from the providers handed over.
export async function vendor(): Promise<void> {
  const client = await createVoiceClient('sipjs:wss://pbx.example.com/ws', { providers: [sipjs] });
  expectTypeOf(client.vendor).toEqualTypeOf<import('sip.js').UserAgent | undefined>();
  const call = await client.call('sip:bob@example.com');
  expectTypeOf(call.vendor).toEqualTypeOf<import('sip.js').Session | undefined>();
  client.on('incomingCall', ({ call: incoming }) => expectTypeOf(incoming.vendor).toEqualTypeOf<import('sip.js').Session | undefined>());
  const either = await createVoiceClient('telnyx', { providers: [sipjs, telnyx] });
  expectTypeOf(either.vendor).toEqualTypeOf<import('sip.js').UserAgent | import('@telnyx/webrtc').TelnyxRTC | undefined>();
  const own = await createVoiceClient({ provider: echoDefinition });
  expectTypeOf(own.vendor).toEqualTypeOf<unknown>();
}
