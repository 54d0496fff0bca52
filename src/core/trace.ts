import type { VoiceError } from './errors.js';

/** One normalised, secret-free event: what happened, never a vendor object. */
export interface TraceEntry {
  /** Milliseconds since the client was created. */
  at: number;
  source: 'client' | 'call';
  /** Numbers calls in the order the client saw them (1, 2, …). */
  call?: number;
  event: string;
  data?: Record<string, string | number | boolean>;
}

export class TraceRecorder {
  private readonly entries: TraceEntry[] = [];
  private readonly start = Date.now();
  // A long session must not grow without bound; the oldest entries go first.
  private static readonly LIMIT = 5_000;

  record(source: TraceEntry['source'], event: string, data?: TraceEntry['data'], call?: number): void {
    const entry: TraceEntry = { at: Date.now() - this.start, source, event };
    if (call !== undefined) entry.call = call;
    if (data && Object.keys(data).length > 0) entry.data = data;
    this.entries.push(entry);
    if (this.entries.length > TraceRecorder.LIMIT) this.entries.shift();
  }

  list(): TraceEntry[] {
    return this.entries.map((e) => ({ ...e, ...(e.data ? { data: { ...e.data } } : {}) }));
  }
}

export function errorData(error: VoiceError | undefined): Record<string, string> {
  return error ? { code: error.code } : {};
}

/**
 * A trace without timings, reduced to lines such as `client stateChanged idle>initialized` or
 * `call#1 ended remoteHangup` — the form golden files hold and vendors are compared in.
 */
export function normalizeTrace(trace: readonly TraceEntry[]): string[] {
  return trace.map((e) => {
    const who = e.source === 'call' ? `call#${e.call ?? '?'}` : 'client';
    const d = e.data ?? {};
    const parts: string[] = [];
    if ('from' in d && 'to' in d && e.event === 'stateChanged') parts.push(`${d.from}>${d.to}`);
    else for (const key of Object.keys(d).sort()) parts.push(`${key}=${d[key]}`);
    return [who, e.event, ...parts].join(' ');
  });
}
