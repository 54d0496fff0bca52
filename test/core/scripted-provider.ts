// A provider of our own that follows a script, for testing the core's rules (state machine,
// ordering, de-duplication, timeouts, redaction) apart from any vendor. It is a provider, not a
// stand-in for a vendor SDK: vendor providers are tested against real servers.
import type {
  CallSink,
  ConnectResult,
  Credentials,
  ProviderCall,
  ProviderCapabilities,
  ProviderContext,
  ProviderDefinitionV1,
  VoiceProviderV1,
} from '../../src/all.js';
import { VoiceError } from '../../src/all.js';

export interface Script {
  connect?: ((signal: AbortSignal) => Promise<ConnectResult>) | undefined;
  authenticate?: (credentials: Credentials, signal?: AbortSignal) => Promise<void>;
  disconnects: number;
  context?: ProviderContext;
  lastCallSink?: CallSink;
  calls: string[];
}

export function scriptedProvider(script: Script, capabilities: Partial<ProviderCapabilities> = {}): ProviderDefinitionV1<null> {
  return {
    specificationVersion: 'v1',
    name: 'scripted',
    parseOptions: () => null,
    defaultCredentials: () => ({ type: 'anonymous' }),
    create: (_options, context): VoiceProviderV1 => {
      script.context = context;
      return {
        specificationVersion: 'v1',
        name: 'scripted',
        capabilities: { incomingCalls: true, mute: true, hold: true, remoteHold: true, dtmf: true, receiveDtmf: true, tokenRefresh: true, anonymous: true, ...capabilities },
        init: async () => {},
        authenticate: async (credentials, signal) => script.authenticate?.(credentials, signal),
        connect: (signal) => script.connect?.(signal) ?? Promise.resolve({ registered: true }),
        disconnect: async () => {
          script.disconnects++;
        },
        call: async (target, _options, sink): Promise<ProviderCall> => {
          script.calls.push(`call ${target}`);
          script.lastCallSink = sink;
          const call: ProviderCall = {
            hangup: async () => void script.calls.push('hangup'),
            mute: async () => void script.calls.push('mute'),
            unmute: async () => void script.calls.push('unmute'),
            hold: async () => void script.calls.push('hold'),
            unhold: async () => void script.calls.push('unhold'),
          };
          if (capabilities.dtmf !== false) call.sendDtmf = async (d) => void script.calls.push(`dtmf ${d}`);
          if (capabilities.transfer) call.transfer = async (t) => void script.calls.push(`transfer ${typeof t === 'string' ? t : 'to a call'}`);
          return call;
        },
        refreshToken: async (credentials) => {
          if (credentials === 'bad-token-value') throw new VoiceError('AUTH_REJECTED', 'token bad-token-value refused');
        },
      };
    },
  };
}

export function newScript(): Script {
  return { disconnects: 0, calls: [] };
}
