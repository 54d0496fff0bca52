/**
 * The sip.js connection's phases (the table: ../sip/phases.ts): start and REGISTER, the
 * keep-alive, the watched registration, one reconnection try when the core asks (sip.js's own
 * never re-registers), refreshes and a bounded stop.
 *
 *   start      connect() begins (a new sip.js UserAgent)
 *   up         started and, with a password, REGISTER answered 200: keep-alive starts
 *   lost       the WebSocket dropped (closed, or found dead by the keep-alive), or the registration
 *              sip.js let go (a refresh refused or unanswered, an expiry); a drop during
 *              `connecting` fails connect() instead: reconnection is for sessions that were up
 *   restored   a reconnection try (reconnect(), run by the core's policy) got the socket back and
 *              its REGISTER answered 200
 *   stop       disconnect(), also the core's when its policy gives up
 */
import type { Registerer, UserAgent } from 'sip.js';
import { VoiceError, bounded, describeCause, isVoiceError, type Credentials, type ProviderContext } from '../../core/provider-kit.js';
import { KeepAlive } from '../sip/keep-alive.js';
import { Phases } from '../sip/phases.js';
import { sipjsOptionsPing } from './keep-alive.js';
import type { SipjsOptions } from './options.js';
import { dropReplayedAuthorization, dropWebSocket, registerPending, setAuthorizationPassword } from './quirks.js';
import { registerOnce } from './registration.js';
import { userAgentOptions, type UserAgentHooks } from './user-agent-options.js';

type SipModule = typeof import('sip.js');

const NAME = 'sipjs';
// A REGISTER on a fresh connection that gets no answer must not hold the reconnection loop for
// sip.js's own 32 s transaction timer.
const RECONNECT_REGISTER_TIMEOUT_MS = 10_000;
// disconnect() within the core's 3 s teardown bound: the unREGISTER gets 1 s to go out and 1 s for
// its answer, sip.js's own stop 500 ms; then the WebSocket is dropped without a close handshake.
const UNREGISTER_MS = 1_000;
const STOP_MS = 500;

export class SipjsSession {
  private readonly phases = new Phases();
  ua: UserAgent | undefined;
  private registerer: Registerer | undefined;
  /** Fails the connect() under way when its connection drops. */
  private connectLost: ((error: VoiceError) => void) | undefined;
  private keepAlive: KeepAlive | undefined;
  /** Refreshes under way: their REGISTER may unregister on purpose (a refused password). */
  private refreshDepth = 0;

  constructor(
    private readonly sip: SipModule,
    private readonly options: SipjsOptions,
    private readonly context: ProviderContext,
  ) {}

  /** Starts a user agent and, with a password, registers it. */
  async connect(credentials: Credentials | undefined, hooks: Omit<UserAgentHooks, 'onDisconnect'>, signal: AbortSignal): Promise<{ registered: boolean }> {
    const sip = this.sip;
    this.phases.move('start');
    const owner: { ua?: UserAgent } = {};
    // `owner.ua` is the user agent these options end up in: a stopped one's late events are ignored.
    const ua = new sip.UserAgent(userAgentOptions(sip, this.options, credentials, { ...hooks, onDisconnect: (error) => this.onDisconnect(owner.ua, error) }));
    owner.ua = ua;
    this.ua = ua;
    const lost = new Promise<never>((_, reject) => (this.connectLost = reject));
    lost.catch(() => {});
    try {
      try {
        await Promise.race([ua.start(), lost]);
      } catch (error) {
        if (isVoiceError(error)) throw error;
        throw new VoiceError('NETWORK_UNREACHABLE', 'The SIP WebSocket server could not be reached.', { provider: NAME, cause: describeCause(error) });
      }
      if (credentials?.type === 'password') {
        this.registerer = new sip.Registerer(ua, { expires: this.options.registerExpires });
        await Promise.race([registerOnce(sip, this.registerer, signal), lost]);
        this.watchRegistration(this.registerer);
      }
      this.phases.move('up');
      this.watchConnection(ua);
      return { registered: credentials?.type === 'password' };
    } finally {
      this.connectLost = undefined;
    }
  }

  /**
   * Bounded (UNREGISTER_MS, STOP_MS) whatever the server does: sip.js's own stop waits for a pending
   * REGISTER (32 s) and the WebSocket close handshake (30 s on a hung server); it goes on in the
   * background on a socket already dropped.
   */
  async disconnect(): Promise<void> {
    this.phases.move('stop');
    this.keepAlive?.stop();
    this.keepAlive = undefined;
    const { ua, registerer } = this;
    this.ua = undefined;
    this.registerer = undefined;
    if (!ua) return;
    const { RegistererState } = this.sip;
    if (registerer && registerer.state === RegistererState.Registered && ua.isConnected()) {
      const unregistered = new Promise<void>((resolve) => registerer.stateChange.addListener((s) => s === RegistererState.Unregistered && resolve()));
      await bounded(registerer.unregister(), { timeoutMs: UNREGISTER_MS, what: 'unREGISTER' }).catch(() => {});
      // unregister() resolves when the request is sent; give the 200 a moment so the binding is gone.
      await bounded(unregistered, { timeoutMs: UNREGISTER_MS, what: 'unREGISTER reply' }).catch(() => {});
    }
    const stopped = ua.stop().then(
      () => true,
      () => true,
    );
    const done = await bounded(stopped, { timeoutMs: STOP_MS, what: 'sip.js stop' }).catch(() => false);
    if (!done) dropWebSocket(ua);
  }

  get registered(): boolean {
    return this.ua !== undefined && this.registerer !== undefined;
  }

  /** REGISTERs with `password`; a refused one restores `previous` (one refresh at a time: the provider queues them). */
  async refresh(password: string, previous: string, signal: AbortSignal): Promise<void> {
    this.refreshDepth++;
    try {
      await this.reRegisterWith(password, signal);
    } catch (error) {
      // A refused password must not leave the client silently unregistered: go back to the old one.
      await this.reRegisterWith(previous, signal).catch(() => this.context.sink.unregistered());
      throw error;
    } finally {
      this.refreshDepth--;
    }
  }

  private reRegisterWith(password: string, signal: AbortSignal): Promise<void> {
    if (!this.ua || !this.registerer) return Promise.reject(new VoiceError('INVALID_STATE', 'The SIP client is not connected.', { provider: NAME }));
    setAuthorizationPassword(this.ua, password);
    // The server would go on accepting the old digest and never see the new password.
    dropReplayedAuthorization(this.registerer);
    return registerOnce(this.sip, this.registerer, signal);
  }

  private onDisconnect(owner: UserAgent | undefined, error: Error | undefined): void {
    if (!error || this.phases.phase === 'stopped' || owner !== this.ua) return;
    if (this.phases.phase === 'connecting' && this.connectLost) {
      this.connectLost(new VoiceError('NETWORK_UNREACHABLE', 'The SIP server closed the connection during connect().', { provider: NAME, cause: describeCause(error) }));
    } else this.lose();
  }

  /** The connection (or the registration) is gone: the core's reconnection policy takes over. */
  private lose(): void {
    if (!this.ua || !this.phases.move('lost')) return;
    this.context.sink.connectionLost();
  }

  /**
   * One reconnection try, when the core asks (its policy spaces the tries and gives up): the
   * WebSocket back, then REGISTER again. A refused password rejects AUTH_REJECTED.
   */
  async reconnect(signal: AbortSignal): Promise<void> {
    const ua = this.ua;
    if (!ua || this.phases.phase !== 'reconnecting') throw new VoiceError('INVALID_STATE', 'The SIP connection is not being restored.', { provider: NAME });
    await bounded(ua.reconnect(), { signal, what: 'the SIP WebSocket' });
    if (this.registerer) {
      // A REGISTER still pending (a refresh the server never answered) would refuse the new one.
      if (registerPending(this.registerer)) this.replaceRegisterer(ua);
      // The server may be a new instance (a restart) that never issued the nonce sip.js would
      // replay; Kamailio refuses such a digest with 403 instead of challenging again.
      dropReplayedAuthorization(this.registerer!);
      await registerOnce(this.sip, this.registerer!, signal, RECONNECT_REGISTER_TIMEOUT_MS);
    }
    if (signal.aborted || ua !== this.ua) throw new VoiceError('ABORTED', 'The reconnection try was cancelled.', { provider: NAME });
    this.phases.move('restored');
  }

  /** Pings the server while connected; a dead connection is dropped, so the reconnection takes over. */
  private watchConnection(ua: UserAgent): void {
    const sip = this.sip;
    const host = (this.options.uri ? sip.UserAgent.makeURI(this.options.uri)?.host : undefined) ?? new URL(this.options.server).hostname;
    this.keepAlive?.stop();
    this.keepAlive = new KeepAlive(this.options.keepAliveIntervalMs, sipjsOptionsPing(sip, ua, `sip:${host}`), () => this.phases.phase === 'reconnecting', (why) => {
      if (ua !== this.ua || this.phases.phase === 'stopped') return;
      this.context.sink.log('warn', `The SIP connection is dead: ${why}.`);
      dropWebSocket(ua);
    });
    this.keepAlive.start();
  }

  /**
   * sip.js unregisters by itself when a refresh is refused or unanswered, or the registration
   * expires, and only logs it: the app would stay `connected` and unreachable. The loss is
   * reported and the reconnection registers again (or ends NETWORK_UNREACHABLE).
   */
  private watchRegistration(registerer: Registerer): void {
    registerer.stateChange.addListener((state) => {
      if (state === this.sip.RegistererState.Unregistered) this.onRegistrationLost(registerer);
    });
  }

  private replaceRegisterer(ua: UserAgent): void {
    const old = this.registerer;
    this.registerer = new this.sip.Registerer(ua, { expires: this.options.registerExpires });
    this.watchRegistration(this.registerer);
    void old?.dispose().catch(() => {});
  }

  private onRegistrationLost(registerer: Registerer): void {
    if (registerer !== this.registerer || this.phases.phase !== 'connected' || this.refreshDepth > 0) return;
    this.context.sink.log('warn', 'The SIP registration was lost (a refresh failed or it expired).');
    this.lose();
  }
}
