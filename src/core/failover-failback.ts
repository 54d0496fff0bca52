/**
 * When a failover client tries to go back to the first provider (option `failback`): after a
 * minimum stay on the other one, then with a backoff, and only while no call is in progress. A
 * primary lost again within `maxRetryMs` of a return (flapping) doubles the next stay.
 */
import { VoiceError } from './errors.js';
import { isTimeoutMs } from './config.js';

export interface FailbackOptions {
  /** Time on another provider before the first try to go back. Default 60 000 ms. */
  minStayMs?: number;
  /** Wait after a try that found the first provider still down (doubles each time). Default 30 000 ms. */
  retryMs?: number;
  /** The longest wait between tries, and the longest stay. Default 300 000 ms. */
  maxRetryMs?: number;
}

export interface FailoverOptions {
  /** Go back to the first provider of the list when it is healthy again (default false). */
  failback?: boolean | FailbackOptions;
}

export const FAILBACK_DEFAULTS: Required<FailbackOptions> = { minStayMs: 60_000, retryMs: 30_000, maxRetryMs: 300_000 };

function invalid(field: string, message: string): VoiceError {
  return new VoiceError('CONFIG_INVALID', message, { details: { field } });
}

/** Reads `createVoiceClient`'s second argument: the failback timings, or undefined when off. */
export function parseFailoverOptions(value: unknown): Required<FailbackOptions> | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid('options', 'The failover options must be an object.');
  for (const key of Object.keys(value)) if (key !== 'failback') throw invalid(key.slice(0, 40), `Unknown failover option "${key.slice(0, 40)}"; known: failback.`);
  const failback = (value as { failback?: unknown }).failback;
  if (failback === undefined || failback === false) return undefined;
  if (failback === true) return { ...FAILBACK_DEFAULTS };
  if (typeof failback !== 'object' || failback === null || Array.isArray(failback)) throw invalid('failback', 'failback must be true, false or an object of timings.');
  const out = { ...FAILBACK_DEFAULTS };
  for (const key of Object.keys(failback)) {
    if (!Object.hasOwn(FAILBACK_DEFAULTS, key)) throw invalid(`failback.${key.slice(0, 40)}`, `Unknown failback option "${key.slice(0, 40)}".`);
    const ms = (failback as Record<string, unknown>)[key];
    if (!isTimeoutMs(ms)) throw invalid(`failback.${key}`, `failback.${key} must be a number of milliseconds from 1 to 2^31-1.`);
    out[key as keyof FailbackOptions] = ms;
  }
  return out;
}

export type FailbackOutcome = 'returned' | 'busy' | 'down';

/**
 * The timer side of failback. `probe` tries the first provider and switches to it when it may;
 * this class only decides when to ask.
 */
export class FailbackSchedule {
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** Tries that found the primary down since the last move away from it. */
  private failures = 0;
  /** Returns followed by a loss of the primary within maxRetryMs; reset by a return that held longer. */
  private flaps = 0;
  private returnedAt: number | undefined;
  /** Bumped by stop(): a try that was under way then schedules nothing. */
  private generation = 0;

  constructor(
    private readonly options: Required<FailbackOptions>,
    private readonly probe: () => Promise<FailbackOutcome>,
  ) {}

  /** The first provider was lost while in use: soon after a return, that is flapping. */
  primaryLost(): void {
    if (this.returnedAt !== undefined) this.flaps = Date.now() - this.returnedAt < this.options.maxRetryMs ? this.flaps + 1 : 0;
    this.returnedAt = undefined;
  }

  /** The client now runs on a provider other than the first. */
  movedAway(): void {
    this.failures = 0;
    this.schedule(this.stayMs());
  }

  /** The minimum stay, doubled for every recent flap (at most maxRetryMs, never less than minStayMs). */
  stayMs(): number {
    return Math.max(this.options.minStayMs, Math.min(this.options.maxRetryMs, this.options.minStayMs * 2 ** this.flaps));
  }

  stop(): void {
    this.generation++;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(ms: number): void {
    this.stop();
    this.timer = setTimeout(() => void this.run(), ms);
  }

  private async run(): Promise<void> {
    this.timer = undefined;
    const generation = this.generation;
    const outcome = await this.probe().catch((): FailbackOutcome => 'down');
    if (generation !== this.generation) return;
    if (outcome === 'returned') {
      this.returnedAt = Date.now();
      return;
    }
    if (outcome === 'busy') {
      this.schedule(this.options.retryMs);
      return;
    }
    this.schedule(Math.min(this.options.maxRetryMs, this.options.retryMs * 2 ** this.failures));
    this.failures++;
  }
}
