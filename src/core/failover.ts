/**
 * Failover, which no vendor SDK has: a provider made of several configured providers. Only the
 * primary is loaded and connected at first; when it cannot connect (unreachable or timed out —
 * not refused credentials) the next one takes over and the client emits `providerChanged`. The
 * client above sees one provider, so its state machine and events go on unchanged.
 */
import type { ParsedConfig } from './config.js';
import type {
  CallSink,
  ConnectResult,
  Credentials,
  ProviderCall,
  ProviderCallOptions,
  ProviderCapabilities,
  ProviderContext,
  ProviderDefinitionV1,
  ProviderSink,
  VoiceProviderV1,
} from './contract.js';
import { VoiceError, isVoiceError } from './errors.js';
import { credentialSecrets } from './redact.js';
import { bounded, deadline } from './runtime.js';

export interface FailoverMember {
  definition: ProviderDefinitionV1<any>;
  config: ParsedConfig;
}

const FAILOVER_CODES = new Set(['NETWORK_UNREACHABLE', 'TIMEOUT']);

class Member {
  provider: VoiceProviderV1;
  credentials: Credentials | undefined;
  initialized = false;
  authenticated = false;

  constructor(
    readonly spec: FailoverMember,
    context: ProviderContext,
    isActive: () => boolean,
  ) {
    const options = spec.definition.parseOptions(spec.config.input);
    this.credentials = spec.config.credentials ?? spec.definition.defaultCredentials?.(options);
    for (const secret of credentialSecrets(this.credentials)) context.redactor.add(secret);
    this.provider = spec.definition.create(options, { ...context, iceServers: spec.config.iceServers ?? context.iceServers, sink: gated(context.sink, isActive) });
  }
}

/** Passes a member's reports on only while that member is the active one. */
function gated(sink: ProviderSink, isActive: () => boolean): ProviderSink {
  const ignoredCall: CallSink = { ringing() {}, active() {}, remoteStream() {}, held() {}, unheld() {}, dtmf() {}, ended() {}, error() {} };
  return {
    registered: () => isActive() && sink.registered(),
    unregistered: () => isActive() && sink.unregistered(),
    connectionLost: (e) => isActive() && sink.connectionLost(e),
    connectionRestored: () => isActive() && sink.connectionRestored(),
    connectionFailed: (e) => isActive() && sink.connectionFailed(e),
    incomingCall: (info, call) => (isActive() ? sink.incomingCall(info, call) : ignoredCall),
    tokenWillExpire: (info) => isActive() && sink.tokenWillExpire(info),
    providerChanged: (info) => sink.providerChanged(info),
    error: (e) => isActive() && sink.error(e),
    log: (level, message, data) => sink.log(level, message, data),
  };
}

class FailoverProvider implements VoiceProviderV1 {
  readonly specificationVersion = 'v1' as const;
  private readonly members: Member[];
  private active = 0;

  constructor(
    specs: FailoverMember[],
    private readonly context: ProviderContext,
  ) {
    this.members = specs.map((spec, i) => new Member(spec, context, () => this.active === i));
  }

  get name(): string {
    return this.current.provider.name;
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
        const from = this.current.provider.name;
        this.active = i;
        this.context.sink.providerChanged({ from, to: member.provider.name });
      }
      const timeoutMs = member.spec.config.timeouts.connectMs;
      const bound = deadline(signal, timeoutMs, `connect() through ${member.provider.name}`, member.provider.name);
      try {
        await bounded(this.ensureReady(member, bound.signal, true), { signal: bound.signal, what: `connect() through ${member.provider.name}`, provider: member.provider.name });
        return await bounded(member.provider.connect(bound.signal), { signal: bound.signal, what: `connect() through ${member.provider.name}`, provider: member.provider.name });
      } catch (error) {
        lastError = error;
        void member.provider.disconnect().catch(() => {});
        if (signal.aborted || !isVoiceError(error) || !FAILOVER_CODES.has(error.code)) throw error;
      } finally {
        bound.clear();
      }
    }
    throw lastError;
  }

  disconnect(): Promise<void> {
    return this.current.provider.disconnect();
  }

  call(target: string, options: ProviderCallOptions, sink: CallSink, signal: AbortSignal): Promise<ProviderCall> {
    return this.current.provider.call(target, options, sink, signal);
  }

  refreshToken(credentials: Credentials | string | undefined, signal: AbortSignal): Promise<void> {
    return this.current.provider.refreshToken(credentials, signal);
  }

  private async ensureReady(member: Member, signal: AbortSignal, authenticate: boolean): Promise<void> {
    if (!member.initialized) {
      await member.provider.init(signal);
      member.initialized = true;
    }
    if (!authenticate || member.authenticated) return;
    if (!member.credentials) {
      throw new VoiceError('CONFIG_INVALID', `The ${member.provider.name} provider needs credentials in its config.`, {
        provider: member.provider.name,
        details: { field: 'credentials' },
      });
    }
    await member.provider.authenticate(member.credentials, signal);
    member.authenticated = true;
  }
}

/** A definition whose one provider fails over across the members, in order. */
export function failoverDefinition(members: FailoverMember[]): ProviderDefinitionV1<null> {
  return {
    specificationVersion: 'v1',
    name: members.map((m) => m.definition.name).join('>'),
    parseOptions: () => null,
    create: (_options, context) => new FailoverProvider(members, context),
    defaultCredentials: () => members[0]!.config.credentials ?? members[0]!.definition.defaultCredentials?.(members[0]!.definition.parseOptions(members[0]!.config.input)),
  };
}
