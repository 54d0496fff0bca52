/**
 * One configured provider inside a failover client, and the calls it carries. The failover
 * provider sees every report of a member first, so that a vendor lost for good is its business,
 * not the client's.
 */
import type { ParsedConfig } from './config.js';
import type { CallEndReason } from './events.js';
import type { CallSink, Credentials, ProviderCall, ProviderContext, ProviderDefinitionV1, ProviderSink, VoiceProviderV1 } from './contract.js';
import { VoiceError } from './errors.js';
import { credentialSecrets } from './redact.js';
import { IGNORED_CALL_SINK } from './calls.js';
import { superviseReconnection } from './reconnect.js';
import { TEARDOWN_MS, bounded } from './runtime.js';

export interface FailoverMember {
  definition: ProviderDefinitionV1<any>;
  config: ParsedConfig;
}

/**
 * How long a call's end is held while its provider reconnects: if the provider then gives up, the
 * call ends with the reason that says the provider was lost. Vendors end their calls themselves
 * first (sip.js stops its sessions before it reports the loss; the Telnyx SDK ends its calls as
 * soon as its socket closes). Longer than a provider's bounded teardown (3 s); a held end goes out
 * as it was when the provider comes back or this runs out.
 */
const LOST_END_HOLD_MS = 4_000;
/** The old path's hangup of a call ended by the loss of its provider: it closes local media. */
const LOST_HANGUP_MS = 3_000;

/** The error a call ends with when its provider is lost for good (README, Failover). */
export function providerLostError(provider: string, cause: VoiceError): VoiceError {
  return new VoiceError('NETWORK_UNREACHABLE', `The call was lost with its provider (${provider}); the client moves to the next one.`, {
    provider,
    cause: { name: 'VoiceError', message: cause.message, code: cause.code },
    details: { providerLost: true },
  });
}

/** A call of one member: its reports go to the client's call sink, ended once. */
export class TrackedCall implements CallSink {
  providerCall: ProviderCall | undefined;
  private done = false;
  private heldEnd: { reason: CallEndReason; error: VoiceError | undefined; timer: ReturnType<typeof setTimeout> } | undefined;

  constructor(
    private readonly target: CallSink,
    private readonly member: Member,
  ) {
    member.calls.add(this);
  }

  get inProgress(): boolean {
    return !this.done;
  }

  ringing(): void {
    if (!this.done) this.target.ringing();
  }
  active(): void {
    if (!this.done) this.target.active();
  }
  remoteStream(stream: MediaStream): void {
    if (!this.done) this.target.remoteStream(stream);
  }
  held(): void {
    if (!this.done) this.target.held();
  }
  unheld(): void {
    if (!this.done) this.target.unheld();
  }
  dtmf(digit: string): void {
    if (!this.done) this.target.dtmf(digit);
  }
  error(error: VoiceError): void {
    if (!this.done) this.target.error(error);
  }
  ended(reason: CallEndReason, error?: VoiceError): void {
    if (this.done || this.heldEnd) return;
    // While the connection is down no signalling arrives: such an end is the vendor's own doing.
    if (this.member.lost && (reason === 'failed' || reason === 'remoteHangup')) {
      this.heldEnd = { reason, error, timer: setTimeout(() => this.release(), LOST_END_HOLD_MS) };
      return;
    }
    this.finish(reason, error);
  }

  /** The member came back (or gave up with a reason that is not a loss): a held end goes out as it was. */
  release(): void {
    const held = this.heldEnd;
    if (!held || this.done) return;
    clearTimeout(held.timer);
    this.finish(held.reason, held.error);
  }

  /** The member is lost for good: the call ends with the reason that says so; its media is closed. */
  endLost(error: VoiceError): void {
    if (this.done) return;
    if (this.heldEnd) clearTimeout(this.heldEnd.timer);
    this.finish('failed', error);
    const hangup = this.providerCall?.hangup();
    if (hangup) void bounded(hangup, { timeoutMs: LOST_HANGUP_MS, what: 'hangup() of a lost call' }).catch(() => {});
  }

  /** A call that never started: the core ends it with call()'s error, nothing is reported here. */
  forget(): void {
    this.done = true;
    if (this.heldEnd) clearTimeout(this.heldEnd.timer);
    this.heldEnd = undefined;
    this.member.calls.delete(this);
  }

  private finish(reason: CallEndReason, error: VoiceError | undefined): void {
    this.done = true;
    this.heldEnd = undefined;
    this.member.calls.delete(this);
    this.target.ended(reason, error);
  }
}

/** What the failover provider hears from its members. */
export interface MemberListener {
  isActive(member: Member): boolean;
  /** The member gave up its connection. */
  failed(member: Member, error: VoiceError): void;
  /** An incoming call on the active member: the client's incomingCall (create as the contract has it). */
  incoming<C extends ProviderCall>(member: Member, info: { from: string; displayName?: string }, create: (sink: CallSink) => C): C;
}

export class Member {
  readonly provider: VoiceProviderV1;
  credentials: Credentials | undefined;
  initialized = false;
  authenticated = false;
  /** Reported connectionLost and not yet connectionRestored. */
  lost = false;
  readonly calls = new Set<TrackedCall>();

  constructor(
    readonly spec: FailoverMember,
    readonly index: number,
    context: ProviderContext,
    listener: MemberListener,
  ) {
    const options = spec.definition.parseOptions(spec.config.input);
    this.credentials = spec.config.credentials ?? spec.definition.defaultCredentials?.(options);
    for (const secret of credentialSecrets(this.credentials)) context.redactor.add(secret);
    const sink = this.sinkFor(context.sink, listener);
    const memberContext: ProviderContext = { ...context, iceServers: spec.config.iceServers ?? context.iceServers, sink };
    const create = (supervised: ProviderContext) => spec.definition.create(options, supervised);
    // Each member reconnects under its own config's policy; the switch reports the registration.
    this.provider = spec.config.reconnect
      ? superviseReconnection(create, memberContext, { policy: spec.config.reconnect, traceRegistration: false, teardownMs: TEARDOWN_MS })
      : create(memberContext);
  }

  get name(): string {
    return this.provider.name;
  }
  get connectMs(): number {
    return this.spec.config.timeouts.connectMs;
  }
  get busy(): boolean {
    return this.calls.size > 0;
  }

  /** Ends every call of this member as lost with it. */
  endCallsLost(cause: VoiceError): void {
    for (const call of [...this.calls]) call.endLost(providerLostError(this.name, cause));
  }

  /** Passes on the reports of the active member only; a member being tried or probed is silent. */
  private sinkFor(sink: ProviderSink, listener: MemberListener): ProviderSink {
    const active = () => listener.isActive(this);
    return {
      registered: () => active() && sink.registered(),
      unregistered: () => active() && sink.unregistered(),
      connectionLost: (e) => {
        this.lost = true;
        if (active()) sink.connectionLost(e);
      },
      connectionRestored: () => {
        this.lost = false;
        for (const call of [...this.calls]) call.release();
        if (active()) sink.connectionRestored();
      },
      reconnectTryFailed: () => {},
      connectionFailed: (e) => {
        if (active()) listener.failed(this, e);
        // The member in use is torn down by the failover or the client; one being probed, here.
        else void this.provider.disconnect().catch(() => {});
        this.lost = false;
      },
      incomingCall: <C extends ProviderCall>(info: { from: string; displayName?: string }, create: (sink: CallSink) => C): C => {
        if (!active()) {
          // Not the member in use (a failback probe): the caller hears busy, not endless ringing.
          const refused = create(IGNORED_CALL_SINK);
          void refused.reject?.({ status: 486 }).catch(() => {});
          return refused;
        }
        return listener.incoming(this, info, (target) => {
          const tracked = new TrackedCall(target, this);
          const call = create(tracked);
          tracked.providerCall = call;
          return call;
        });
      },
      tokenWillExpire: (info) => active() && sink.tokenWillExpire(info),
      providerChanged: (info) => sink.providerChanged(info),
      error: (e) => active() && sink.error(e),
      log: (level, message, data) => sink.log(level, message, data),
    };
  }
}
