/**
 * The core's reconnection: one supervisor between a provider and whoever hears its reports (the
 * client, or a failover member). The provider only says the connection was lost and carries out
 * one try when asked; the supervisor decides when the next try runs (reconnect-policy.ts) and
 * when to give up, the same for every vendor.
 *
 *               connectionLost                         a try succeeds, or the vendor
 *   connected ─────────────────▶ reconnecting ───────▶ SDK restored itself (connectionRestored)
 *       ▲          (unregistered)   │    ▲   │               │ (registered)
 *       └───────────────────────────┼────┼───┼───────────────┘
 *                                   │    │   │ a try failed: wait reconnectDelay(), try again
 *                                   │    └───┘ (a self-restoring vendor reports reconnectTryFailed)
 *                                   │ `attempts` failed tries, `deadlineMs` passed, or a try refused
 *                                   ▼ the credentials (AUTH_REJECTED)
 *                  the provider is torn down (awaited), then connectionFailed
 *
 * A provider with `reconnect()` gets each try from here; one without it (its vendor SDK reconnects
 * by itself: JsSIP, @telnyx/webrtc, sendbird-calls) is only bounded: the supervisor counts the
 * failed tries it reports and watches the deadline, and tears it down when either runs out.
 * Registration is part of the trace: a session that held one reports `unregistered` at the loss
 * and `registered` when it is back (the server lost it, or the path to it is gone), on every vendor.
 */
import type { ConnectResult, ProviderContext, ProviderSink, VoiceProviderV1 } from './contract.js';
import { VoiceError, describeCause, isVoiceError } from './errors.js';
import { reconnectDelay, type ReconnectPolicy } from './reconnect-policy.js';
import { bounded } from './runtime.js';

/** Time as the supervisor sees it; tests hand a manual one. */
export interface ReconnectClock {
  now(): number;
  setTimeout(run: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  /** Uniform in [0, 1): the jitter of the waits. */
  random(): number;
}

export const SYSTEM_CLOCK: ReconnectClock = {
  now: () => Date.now(),
  setTimeout: (run, ms) => setTimeout(run, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
  random: () => Math.random(),
};

export interface SupervisorOptions {
  policy: ReconnectPolicy;
  /** Reports `unregistered`/`registered` around a reconnection (false inside failover, whose switch reports them). */
  traceRegistration: boolean;
  /** How long the give-up waits for the provider's teardown before it reports. */
  teardownMs: number;
  clock?: ReconnectClock;
}

interface Run {
  readonly abort: AbortController;
  readonly startedAt: number;
  failures: number;
  /** The session held a registration when it was lost. */
  readonly hadRegistration: boolean;
  timers: unknown[];
}

/**
 * Wraps the provider `create` makes: its context's sink goes through the supervisor. Every member
 * of the contract other than connect() and disconnect() passes through unchanged (so do members
 * the contract gains later).
 */
export function superviseReconnection(create: (context: ProviderContext) => VoiceProviderV1, context: ProviderContext, options: SupervisorOptions): VoiceProviderV1 {
  const supervisor = new ReconnectSupervisor(context.sink, options);
  const inner = create({ ...context, sink: supervisor.sink, reconnect: options.policy });
  supervisor.inner = inner;
  const overrides: Partial<VoiceProviderV1> = {
    connect: (signal) => supervisor.connect(signal),
    disconnect: () => supervisor.disconnect(),
  };
  return new Proxy(inner, {
    get(target, key) {
      if (Object.hasOwn(overrides, key)) return overrides[key as keyof VoiceProviderV1];
      const value = Reflect.get(target, key) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

export class ReconnectSupervisor {
  inner!: VoiceProviderV1;
  readonly sink: ProviderSink;
  private readonly clock: ReconnectClock;
  private run: Run | undefined;
  private registered = false;
  /** connect() resolved and no disconnect() or give-up since: only such a session is reconnected. */
  private live = false;
  /**
   * The give-up's teardown: the client (or failover member) that hears connectionFailed tears
   * the provider down too (client-session's providerGaveUp); it gets this one, not a second stop.
   */
  private teardown: Promise<void> | undefined;

  constructor(
    private readonly outer: ProviderSink,
    private readonly options: SupervisorOptions,
  ) {
    this.clock = options.clock ?? SYSTEM_CLOCK;
    this.sink = {
      ...outer,
      connectionLost: (error) => this.lost(error),
      connectionRestored: () => this.restored(),
      connectionFailed: (error) => this.failed(error),
      reconnectTryFailed: (error) => this.tryFailed(error),
    };
  }

  /** A reconnection is under way. */
  get reconnecting(): boolean {
    return this.run !== undefined;
  }

  async connect(signal: AbortSignal): Promise<ConnectResult> {
    this.endRun();
    this.live = false;
    this.registered = false;
    this.teardown = undefined;
    // A loss during connect() fails connect() (the provider's doing); reconnection is for sessions that were up.
    const result = await this.inner.connect(signal);
    this.registered = result.registered;
    this.live = true;
    return result;
  }

  disconnect(): Promise<void> {
    this.live = false;
    this.endRun();
    return this.teardown ?? this.inner.disconnect();
  }

  private lost(error: VoiceError | undefined): void {
    if (!this.live || this.run) return;
    const run: Run = { abort: new AbortController(), startedAt: this.clock.now(), failures: 0, hadRegistration: this.registered, timers: [] };
    this.run = run;
    this.outer.connectionLost(error);
    if (this.options.traceRegistration && run.hadRegistration) this.outer.unregistered();
    const { attempts, deadlineMs } = this.options.policy;
    if (attempts === 0) {
      void this.giveUp(run, this.unreachable(run, 'reconnection is off (reconnect.attempts = 0)'));
      return;
    }
    run.timers.push(this.clock.setTimeout(() => void this.giveUp(run, this.unreachable(run, `it stayed unreachable for ${deadlineMs} ms`)), deadlineMs));
    if (this.inner.reconnect) this.scheduleTry(run);
  }

  private scheduleTry(run: Run): void {
    const wait = reconnectDelay(run.failures + 1, this.options.policy, this.clock.random());
    run.timers.push(this.clock.setTimeout(() => this.tryOnce(run), wait));
  }

  private tryOnce(run: Run): void {
    if (run !== this.run) return;
    let attempt: Promise<void>;
    try {
      attempt = this.inner.reconnect!(run.abort.signal);
    } catch (error) {
      attempt = Promise.reject(error);
    }
    attempt.then(
      () => {
        if (run === this.run) this.restored();
      },
      (error: unknown) => {
        if (run !== this.run) return;
        // The server refused the credentials on the try: no later try would be let in.
        if (isVoiceError(error) && error.code === 'AUTH_REJECTED') void this.giveUp(run, error);
        else this.tryFailed(error);
      },
    );
  }

  private tryFailed(error: unknown): void {
    const run = this.run;
    if (!run) return;
    run.failures += 1;
    const { attempts } = this.options.policy;
    const why = error === undefined ? '' : `: ${describeCause(error).message ?? describeCause(error).name ?? 'failed'}`;
    this.outer.log('warn', `reconnection try ${run.failures} of ${attempts} failed${why}`);
    if (run.failures >= attempts) void this.giveUp(run, this.unreachable(run, `it stayed unreachable after ${run.failures} reconnection tries`, error));
    else if (this.inner.reconnect) this.scheduleTry(run);
  }

  private restored(): void {
    const run = this.run;
    // Outside a run (a late report): nothing was lost, so there is nothing to restore.
    if (!run) return;
    this.endRun();
    if (this.options.traceRegistration && run.hadRegistration) this.outer.registered();
    this.outer.connectionRestored();
  }

  /** The provider gave up by itself (its SDK's own limit, a punt, a refused login): passed on as it is. */
  private failed(error: VoiceError): void {
    this.endRun();
    this.outer.connectionFailed(error);
  }

  /** Tears the provider down before telling anyone: an app that reconnects on `disconnected` must not have its new session stopped by this teardown. */
  private async giveUp(run: Run, error: VoiceError): Promise<void> {
    if (run !== this.run) return;
    this.endRun();
    this.live = false;
    this.teardown = this.inner.disconnect().catch(() => {});
    await bounded(this.teardown, { timeoutMs: this.options.teardownMs, what: 'disconnect()' }).catch(() => {});
    this.outer.connectionFailed(error);
  }

  private endRun(): void {
    const run = this.run;
    if (!run) return;
    this.run = undefined;
    for (const timer of run.timers) this.clock.clearTimeout(timer);
    run.abort.abort(new VoiceError('ABORTED', 'The reconnection ended.', { provider: this.inner.name }));
  }

  private unreachable(run: Run, why: string, cause?: unknown): VoiceError {
    const provider = this.inner.name;
    return new VoiceError('NETWORK_UNREACHABLE', `The ${provider} connection was lost and not restored: ${why}.`, {
      provider,
      ...(cause === undefined ? {} : { cause: describeCause(cause) }),
      details: { tries: run.failures, ms: this.clock.now() - run.startedAt },
    });
  }
}
