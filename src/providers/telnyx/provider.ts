import type { TelnyxRTC } from '@telnyx/webrtc';
import {
  VoiceError,
  assertWebRtc,
  describeCause,
  importVendorSdk,
  isVoiceError,
  type CallSink,
  type ConnectResult,
  type Credentials,
  type ProviderCall,
  type ProviderCallOptions,
  type ProviderCapabilities,
  type ProviderContext,
  type ProviderDefinitionV1,
  type VoiceProviderV1,
} from '../../core/provider-kit.js';
import { agentCapabilities } from './agent-routing.js';
import { checkCredentials } from './credentials.js';
import { parseTelnyxOptions, type TelnyxOptions } from './options.js';
import { TelnyxSession } from './session.js';

type TelnyxModule = typeof import('@telnyx/webrtc');

const NAME = 'telnyx';

/** polyphone's provider contract onto one Telnyx session (session.ts) and its calls (calls.ts). */
class TelnyxProvider implements VoiceProviderV1 {
  readonly specificationVersion = 'v1' as const;
  readonly name = NAME;
  private sdk: TelnyxModule | undefined;
  private credentials: Credentials | undefined;
  private readonly session: TelnyxSession;
  get vendor(): TelnyxRTC | undefined {
    return this.session.client;
  }

  constructor(
    options: TelnyxOptions,
    private readonly context: ProviderContext,
  ) {
    this.session = new TelnyxSession(options, context, () => this.credentials);
  }

  get capabilities(): ProviderCapabilities {
    const user = this.credentials !== undefined && this.credentials.type !== 'anonymous';
    return {
      incomingCalls: user,
      mute: true,
      hold: true,
      // 2.27.10 has no handler for a pushed telnyx_rtc.modify: a held party is never told.
      remoteHold: false,
      dtmf: true,
      // Withdrawn: nothing in the SDK or Telnyx's docs shows the service forwarding a party's
      // telnyx_rtc.info DTMF to the far WebRTC leg (the SDK only sends it).
      receiveDtmf: false,
      tokenRefresh: this.credentials?.type === 'jwt',
      anonymous: true,
      // Only an anonymous_login to an AI assistant gets ai_conversation frames.
      ...agentCapabilities(this.credentials?.type === 'anonymous'),
      inputSelection: true,
      // The SDK keeps several calls (client.calls) and the service delivers a call to a user already
      // on one; each maps to its own TelnyxCall. The browser SDK has no transfer (Telnyx transfers
      // through its server-side Call Control API).
      multipleCalls: true,
      transfer: false,
      // Samples come from the SDK's RTCPeerConnection (call.peer.instance). The SDK restarts ICE
      // on its own (Peer.restartIce); polyphone does not drive it, so the core only watches.
      quality: true,
      mediaReconnect: false,
      // newCall takes `localStream` (and an answered call reads it from its options).
      preparedMicrophone: true,
    };
  }

  async init(): Promise<void> {
    this.sdk = await importVendorSdk(NAME, '@telnyx/webrtc', () => import('@telnyx/webrtc'));
  }

  async authenticate(credentials: Credentials): Promise<void> {
    checkCredentials(credentials);
    this.credentials = credentials;
  }

  connect(signal: AbortSignal): Promise<ConnectResult> {
    return this.session.start(this.sdk!, this.credentials!, signal);
  }

  disconnect(): Promise<void> {
    return this.session.stop();
  }

  async call(target: string, options: ProviderCallOptions, sink: CallSink): Promise<ProviderCall> {
    assertWebRtc(NAME);
    const client = this.session.client;
    if (!client || this.session.phase !== 'ready') throw new VoiceError('INVALID_STATE', 'The Telnyx session is not ready.', { provider: NAME });
    return this.session.calls.place(client, target, options, sink);
  }

  async refreshToken(credentials: Credentials | string | undefined, signal: AbortSignal): Promise<void> {
    const token = typeof credentials === 'string' ? credentials : credentials?.type === 'jwt' ? credentials.token : undefined;
    if (!token || this.credentials?.type !== 'jwt') {
      throw new VoiceError('UNSUPPORTED', 'The telnyx provider refreshes only the JWT of a JWT session.', { provider: NAME });
    }
    this.context.redactor.add(token);
    const client = this.session.client;
    this.credentials = { type: 'jwt', token };
    if (client && this.session.phase === 'ready' && client.connected) {
      try {
        await this.session.reLogin(token, signal);
        return;
      } catch (error) {
        if (isVoiceError(error) && error.code === 'ABORTED') throw error;
        this.context.sink.log('warn', `Telnyx refused the new token on the open socket (${isVoiceError(error) ? error.code : 'error'}); reconnecting with it.`);
      }
    }
    // Telnyx's advice when a refresh fails: disconnect, then connect with the new token.
    this.context.sink.connectionLost();
    try {
      await this.disconnect();
      await this.connect(signal);
    } catch (error) {
      const failure = isVoiceError(error) ? error : new VoiceError('AUTH_REJECTED', 'Telnyx refused the new token.', { provider: NAME, cause: describeCause(error) });
      // The core tears the session down (disconnect()) before it reports the failure.
      this.context.sink.connectionFailed(failure);
      throw failure;
    }
    this.context.sink.connectionRestored();
  }
}

export const provider: ProviderDefinitionV1<TelnyxOptions> = {
  specificationVersion: 'v1',
  name: NAME,
  parseOptions: parseTelnyxOptions,
  create: (options, context) => new TelnyxProvider(options, context),
};
