/**
 * Failover, which no vendor SDK has: a provider made of several configured providers. Only the
 * primary is loaded and connected at first; when it cannot connect (unreachable or timed out —
 * not refused credentials) the next one takes over. When the provider in use is lost for good
 * while connected (its own reconnection gave up), the others are tried in list order; the client
 * above sees one provider going `reconnecting` and `connected` again, with `providerChanged`.
 */
import type { CallSink, ConnectResult, Credentials, ProviderCall, ProviderCallOptions, ProviderCapabilities, ProviderContext, ProviderDefinitionV1, VoiceProviderV1 } from './contract.js';
import { VoiceError, isVoiceError } from './errors.js';
import { FailbackSchedule, type FailbackOptions, type FailbackOutcome } from './failover-failback.js';
import { Member, TrackedCall, type FailoverMember, type MemberListener } from './failover-member.js';
import { bounded, deadline } from './runtime.js';
import { refuseForeignCredentials } from './credentials.js';

export type { FailoverMember } from './failover-member.js';

const FAILOVER_CODES = new Set(['NETWORK_UNREACHABLE', 'TIMEOUT']);

function canFailOver(error: unknown): boolean {
  return isVoiceError(error) && FAILOVER_CODES.has(error.code);
}

class FailoverProvider implements VoiceProviderV1, MemberListener {
  readonly specificationVersion = 'v1' as const;
  private readonly members: Member[];
  private active = 0;
  /** The runtime switch or failback try under way; disconnect() aborts it. */
  private switching: AbortController | undefined;
  /** A member being connected by the runtime switch. */
  private trying: Member | undefined;
  /** The failback try under way: disconnect() and a loss of the provider in use abort it. */
  private failbackTry: { abort: AbortController; settled: Promise<void> } | undefined;
  private readonly failback: FailbackSchedule | undefined;

  constructor(
    specs: FailoverMember[],
    private readonly context: ProviderContext,
    failback: Required<FailbackOptions> | undefined,
  ) {
    this.members = specs.map((spec, i) => new Member(spec, i, context, this));
    this.failback = failback && specs.length > 1 ? new FailbackSchedule(failback, () => this.tryFailback()) : undefined;
  }

  get name(): string {
    return this.current.name;
  }
  get capabilities(): ProviderCapabilities {
    return this.current.provider.capabilities;
  }
  get vendor(): unknown {
    return this.current.provider.vendor;
  }
  private get current(): Member {
    return this.members[this.active]!;
  }

  isActive(member: Member): boolean {
    return member === this.current;
  }

  async init(signal: AbortSignal): Promise<void> {
    await this.ensureReady(this.current, signal, false);
  }

  /** Credentials given by the app are the primary's; the others use those of their own config. */
  async authenticate(credentials: Credentials, signal: AbortSignal): Promise<void> {
    const primary = this.members[0]!;
    primary.credentials = credentials;
    primary.authenticated = false;
    await this.ensureReady(primary, signal, true);
  }

  /**
   * Tries the members from the top of the list, each within its own connect bound. A member that
   * fails is torn down in the background: a hung server must not eat the next member's time.
   */
  async connect(signal: AbortSignal): Promise<ConnectResult> {
    let lastError: unknown;
    for (let i = 0; i < this.members.length; i++) {
      const member = this.members[i]!;
      if (i !== this.active) {
        const from = this.current.name;
        this.active = i;
        this.context.sink.providerChanged({ from, to: member.name });
      }
      try {
        const result = await this.connectMember(member, signal);
        if (i !== 0) this.failback?.movedAway();
        return result;
      } catch (error) {
        lastError = error;
        void member.provider.disconnect().catch(() => {});
        if (signal.aborted || !canFailOver(error)) throw error;
      }
    }
    throw lastError;
  }

  async disconnect(): Promise<void> {
    this.failback?.stop();
    this.switching?.abort(new VoiceError('ABORTED', 'The provider switch was cancelled by disconnect().', { provider: this.current.name }));
    this.switching = undefined;
    this.failbackTry?.abort.abort(new VoiceError('ABORTED', 'The failback try was cancelled by disconnect().', { provider: this.members[0]!.name }));
    const trying = this.trying;
    this.trying = undefined;
    await Promise.all([this.current.provider.disconnect(), trying && trying !== this.current ? trying.provider.disconnect() : undefined]);
  }

  async call(target: string, options: ProviderCallOptions, sink: CallSink, signal: AbortSignal): Promise<ProviderCall> {
    const tracked = new TrackedCall(sink, this.current);
    try {
      tracked.providerCall = await this.current.provider.call(target, options, tracked, signal);
    } catch (error) {
      // The core ends the call with this error; the tracked call must not count as in progress.
      tracked.forget();
      throw error;
    }
    return tracked.providerCall;
  }

  refreshToken(credentials: Credentials | string | undefined, signal: AbortSignal): Promise<void> {
    return this.current.provider.refreshToken(credentials, signal);
  }

  incoming<C extends ProviderCall>(_member: Member, info: { from: string; displayName?: string }, create: (sink: CallSink) => C): C {
    return this.context.sink.incomingCall(info, create);
  }

  /**
   * The member in use gave up its connection. A loss (unreachable, timed out) moves the client to
   * the others in list order, each within its own connect bound; anything else (refused
   * credentials) is the client's to report, as it would be without failover.
   */
  failed(lost: Member, error: VoiceError): void {
    if (this.switching) return;
    if (!canFailOver(error) || this.members.length < 2) {
      this.failback?.stop();
      this.failbackTry?.abort.abort(error);
      for (const call of [...lost.calls]) call.release();
      this.context.sink.connectionFailed(error);
      return;
    }
    void this.switchFrom(lost, error);
  }

  private async switchFrom(lost: Member, error: VoiceError): Promise<void> {
    const abort = new AbortController();
    this.switching = abort;
    this.failback?.stop();
    if (lost.index === 0) this.failback?.primaryLost();
    const sink = this.context.sink;
    // A failback try connecting the first provider gives way: the switch may need that provider.
    const failbackTry = this.failbackTry;
    failbackTry?.abort.abort(new VoiceError('ABORTED', 'The failback try gave way to a provider switch.', { provider: this.members[0]!.name }));
    sink.log('warn', `${lost.name} was lost for good (${error.code}); trying the next provider of the list.`);
    sink.connectionLost(error);
    lost.endCallsLost(error);
    sink.unregistered();
    void lost.provider.disconnect().catch(() => {});
    if (failbackTry) await failbackTry.settled;
    const order = [...this.members.slice(lost.index + 1), ...this.members.slice(0, lost.index)];
    let lastError: VoiceError = error;
    for (const member of order) {
      if (abort.signal.aborted) return;
      this.trying = member;
      try {
        const result = await this.connectMember(member, abort.signal);
        if (abort.signal.aborted) {
          void member.provider.disconnect().catch(() => {});
          return;
        }
        this.switching = undefined;
        this.trying = undefined;
        this.active = member.index;
        sink.providerChanged({ from: lost.name, to: member.name });
        if (result.registered) sink.registered();
        sink.connectionRestored();
        if (member.index !== 0) this.failback?.movedAway();
        return;
      } catch (failure) {
        void member.provider.disconnect().catch(() => {});
        if (abort.signal.aborted) return;
        lastError = isVoiceError(failure) ? failure : lastError;
        sink.log('warn', `${member.name} could not take over (${lastError.code}).`);
        if (!canFailOver(failure)) break;
      } finally {
        if (this.trying === member) this.trying = undefined;
      }
    }
    if (this.switching !== abort) return;
    this.switching = undefined;
    // Every other provider unreachable too: the app hears that it is offline, as without failover.
    const failure = canFailOver(lastError)
      ? new VoiceError('NETWORK_UNREACHABLE', `${lost.name} was lost and no other provider of the list could take over.`, {
          provider: lost.name,
          cause: { name: 'VoiceError', message: lastError.message, code: lastError.code },
          details: { tried: order.length },
        })
      : lastError;
    sink.connectionFailed(failure);
  }

  /**
   * Failback: connects the first member beside the one in use; when it registers and no call is
   * in progress, it takes over (`providerChanged`, no state change: the client stays connected)
   * and the other is disconnected.
   */
  private async tryFailback(): Promise<FailbackOutcome> {
    const primary = this.members[0]!;
    if (this.active === 0 || this.switching || this.failbackTry || this.current.busy) return 'busy';
    const abort = new AbortController();
    let settle!: () => void;
    const attempt = { abort, settled: new Promise<void>((resolve) => (settle = resolve)) };
    this.failbackTry = attempt;
    this.context.sink.log('debug', `failback: trying ${primary.name} (the first provider).`);
    try {
      await this.connectMember(primary, abort.signal);
      // disconnect() or a loss of the provider in use came meanwhile, or a call started: stay.
      if (abort.signal.aborted || this.switching || this.current.busy) {
        void primary.provider.disconnect().catch(() => {});
        return abort.signal.aborted ? 'down' : 'busy';
      }
    } catch {
      void primary.provider.disconnect().catch(() => {});
      return 'down';
    } finally {
      if (this.failbackTry === attempt) this.failbackTry = undefined;
      settle();
    }
    const left = this.current;
    this.context.sink.log('info', `${primary.name} (the first provider) is healthy again: returning to it from ${left.name}.`);
    this.active = 0;
    this.context.sink.providerChanged({ from: left.name, to: primary.name });
    this.context.sink.registered();
    void left.provider.disconnect().catch(() => {});
    return 'returned';
  }

  /** One member's init, authentication and connect, within its own connect bound. */
  private async connectMember(member: Member, signal: AbortSignal): Promise<ConnectResult> {
    member.lost = false;
    const what = `connect() through ${member.name}`;
    const bound = deadline(signal, member.connectMs, what, member.name);
    try {
      await bounded(this.ensureReady(member, bound.signal, true), { signal: bound.signal, what, provider: member.name });
      return await bounded(member.provider.connect(bound.signal), { signal: bound.signal, what, provider: member.name });
    } finally {
      bound.clear();
    }
  }

  private async ensureReady(member: Member, signal: AbortSignal, authenticate: boolean): Promise<void> {
    if (!member.initialized) {
      await member.provider.init(signal);
      member.initialized = true;
    }
    if (!authenticate || member.authenticated) return;
    if (!member.credentials) {
      throw new VoiceError('CONFIG_INVALID', `The ${member.name} provider needs credentials in its config.`, {
        provider: member.name,
        details: { field: 'credentials' },
      });
    }
    refuseForeignCredentials(member.credentials, member.spec.definition.credentialTypes, member.name);
    await member.provider.authenticate(member.credentials, signal);
    member.authenticated = true;
  }
}

/** A definition whose one provider fails over across the members, in order. */
export function failoverDefinition(members: FailoverMember[], failback?: Required<FailbackOptions>): ProviderDefinitionV1<null> {
  const first = members[0]!;
  return {
    specificationVersion: 'v1',
    name: members.map((m) => m.definition.name).join('>'),
    parseOptions: () => null,
    create: (_options, context) => new FailoverProvider(members, context, failback),
    defaultCredentials: () => first.config.credentials ?? first.definition.defaultCredentials?.(first.definition.parseOptions(first.config.input)),
  };
}
