// "echo": a third-party polyphone provider, as its own package would write it, on nothing but
// `polyphone/provider`. Its vendor is the tiny exchange in ../lab/exchange.mjs: a WebSocket that
// logs users in with a token and echoes each call's messages (offer, answer, reject, bye) to the
// other party. Media is plain WebRTC between the two browsers (the whole SDP at once, no trickle).
// Hold and DTMF have no message on that wire, so the provider declares them away.
import {
  assertWebRtc,
  bounded,
  configInvalid,
  defineProvider,
  getMicrophone,
  optionString,
  rejectUnknownOptions,
  VoiceError,
  type CallSink,
  type Credentials,
  type ProviderCall,
  type ProviderCallOptions,
  type ProviderCapabilities,
  type ProviderContext,
  type VoiceProviderV1,
} from 'polyphone/provider';
import { startEchoCall, type EchoCall, type Signal } from './echo-call.js';

const NAME = 'echo';
const REPLY_MS = 5_000;

export interface EchoOptions {
  /** The exchange's WebSocket URL. */
  server: string;
  /** Who this session logs in as (what a caller dials to reach it). */
  user: string;
}

/** What the exchange sends (see ../lab/exchange.mjs). */
type ExchangeMessage = Signal & { ok?: boolean; reason?: string; from?: string };

class EchoProvider implements VoiceProviderV1 {
  readonly specificationVersion = 'v1';
  readonly name = NAME;
  readonly capabilities: ProviderCapabilities = {
    incomingCalls: true,
    mute: true,
    hold: false,
    remoteHold: false,
    dtmf: false,
    receiveDtmf: false,
    tokenRefresh: true,
    anonymous: false,
  };
  private socket: WebSocket | undefined;
  private token: string | undefined;
  private readonly calls = new Map<string, EchoCall>();
  private readonly replies = new Map<string, (message: ExchangeMessage) => void>();

  constructor(
    private readonly options: EchoOptions,
    private readonly context: ProviderContext,
  ) {}

  get vendor(): WebSocket | undefined {
    return this.socket;
  }

  async init(): Promise<void> {
    assertWebRtc(NAME);
  }

  async authenticate(credentials: Credentials): Promise<void> {
    if (credentials.type !== 'jwt') throw new VoiceError('CONFIG_INVALID', 'echo takes a token: credentials { type: "jwt", token }.', { provider: NAME });
    this.context.redactor.add(credentials.token);
    this.token = credentials.token;
  }

  async connect(signal: AbortSignal): Promise<{ registered: boolean }> {
    const socket = await bounded(open(this.options.server), { signal, timeoutMs: REPLY_MS, what: 'the exchange connection', provider: NAME, code: 'NETWORK_UNREACHABLE' });
    this.socket = socket;
    socket.onmessage = (event) => this.receive(JSON.parse(String(event.data)) as ExchangeMessage);
    socket.onclose = () => this.lost();
    const reply = await this.request({ type: 'login', user: this.options.user, token: this.token }, 'login', signal);
    if (!reply.ok) throw new VoiceError('AUTH_REJECTED', 'The exchange refused the token.', { provider: NAME, details: { reason: reply.reason ?? 'refused' } });
    return { registered: true };
  }

  /** One reconnection try, when the core's policy asks for it: the socket back, then the same login. */
  async reconnect(signal: AbortSignal): Promise<void> {
    try {
      await this.connect(signal);
    } catch (error) {
      const socket = this.socket;
      this.socket = undefined;
      if (socket) {
        socket.onclose = null;
        socket.close();
      }
      throw error;
    }
  }

  async disconnect(): Promise<void> {
    const socket = this.socket;
    this.socket = undefined;
    for (const call of this.calls.values()) call.close();
    this.calls.clear();
    if (socket) {
      socket.onclose = null;
      socket.close();
    }
  }

  async call(target: string | undefined, options: ProviderCallOptions, sink: CallSink, signal: AbortSignal): Promise<ProviderCall> {
    if (!target) throw new VoiceError('INVALID_ARGUMENT', 'echo dials a user name.', { provider: NAME });
    const microphone = await getMicrophone(NAME);
    const call = startEchoCall({ id: crypto.randomUUID(), direction: 'outgoing', peer: target, microphone, iceServers: options.iceServers ?? this.context.iceServers, send: (m) => this.send(m), sink, forget: (id) => this.calls.delete(id) });
    this.calls.set(call.id, call);
    await bounded(call.offer(), { signal, timeoutMs: REPLY_MS, what: 'the offer', provider: NAME });
    return call.handle;
  }

  async refreshToken(credentials: Credentials | string | undefined, signal: AbortSignal): Promise<void> {
    const token = typeof credentials === 'string' ? credentials : credentials?.type === 'jwt' ? credentials.token : undefined;
    if (!token) throw new VoiceError('INVALID_ARGUMENT', 'refreshToken() takes the new token.', { provider: NAME });
    this.context.redactor.add(token);
    const reply = await this.request({ type: 'refresh', token }, 'refreshed', signal);
    if (!reply.ok) throw new VoiceError('AUTH_REJECTED', 'The exchange refused the new token.', { provider: NAME });
    this.token = token;
  }

  private receive(message: ExchangeMessage): void {
    const waiting = this.replies.get(message.type);
    if (waiting) {
      this.replies.delete(message.type);
      return waiting(message);
    }
    if (message.type === 'invite') return this.incoming(message);
    const call = message.id ? this.calls.get(message.id) : undefined;
    call?.receive(message);
  }

  /** The core builds the call's handle first and hands its sink to the call made here. */
  private incoming(message: ExchangeMessage): void {
    this.context.sink.incomingCall({ from: message.from ?? 'unknown' }, (sink) => {
      const call = startEchoCall({
        id: message.id!,
        direction: 'incoming',
        peer: message.from ?? 'unknown',
        remoteSdp: message.sdp,
        iceServers: this.context.iceServers,
        send: (m) => this.send(m),
        sink,
        forget: (id) => this.calls.delete(id),
      });
      this.calls.set(call.id, call);
      return call.handle;
    });
  }

  private lost(): void {
    this.socket = undefined;
    for (const call of this.calls.values()) call.lost();
    // The core's reconnection policy decides when to try again (reconnect()) and when to give up.
    this.context.sink.connectionLost(new VoiceError('NETWORK_UNREACHABLE', 'The exchange closed the connection.', { provider: NAME }));
  }

  private send(message: Record<string, unknown>): void {
    if (this.socket?.readyState !== WebSocket.OPEN) throw new VoiceError('INVALID_STATE', 'Not connected to the exchange.', { provider: NAME });
    this.socket.send(JSON.stringify(message));
  }

  private request(message: Record<string, unknown>, replyType: string, signal: AbortSignal): Promise<ExchangeMessage> {
    const reply = new Promise<ExchangeMessage>((resolve) => this.replies.set(replyType, resolve));
    this.send(message);
    return bounded(reply, { signal, timeoutMs: REPLY_MS, what: `the exchange's ${replyType} reply`, provider: NAME });
  }
}

/** Opens a WebSocket; a refused or failed connection is NETWORK_UNREACHABLE. */
function open(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    socket.onopen = () => resolve(socket);
    socket.onerror = () => reject(new VoiceError('NETWORK_UNREACHABLE', 'The exchange could not be reached.', { provider: NAME }));
  });
}

export const provider = defineProvider<{ server: string; user: string }>()({
  specificationVersion: 'v1',
  name: NAME,
  parseOptions(input): EchoOptions {
    rejectUnknownOptions(input.params, ['user']);
    const server = input.locator;
    if (!server || !/^wss?:\/\//.test(server)) throw configInvalid('server', 'server must be the exchange\'s ws:// or wss:// URL.');
    return { server, user: optionString(input.params, 'user', true) };
  },
  create: (options, context) => new EchoProvider(options, context),
});
