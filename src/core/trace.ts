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

/** An entry as kept: every field present from the start, so that all entries share one shape. */
interface StoredEntry {
  at: number;
  source: TraceEntry['source'];
  call: number | undefined;
  event: string;
  data: TraceEntry['data'] | undefined;
}

export class TraceRecorder {
  private readonly entries: StoredEntry[] = [];
  private readonly start = Date.now();
  // A long session must not grow without bound; the oldest entries go first.
  private static readonly LIMIT = 5_000;

  record(source: TraceEntry['source'], event: string, data?: TraceEntry['data'], call?: number): void {
    // One literal with every field (not fields added later): 5,000 clients in one process each
    // keep their entries, and added fields would give each entry a second, out-of-object store.
    this.entries.push({ at: Date.now() - this.start, source, call, event, data: data && Object.keys(data).length > 0 ? data : undefined });
    if (this.entries.length > TraceRecorder.LIMIT) this.entries.shift();
  }

  list(): TraceEntry[] {
    return this.entries.map(({ at, source, call, event, data }) => {
      const entry: TraceEntry = { at, source, event };
      if (call !== undefined) entry.call = call;
      if (data) entry.data = { ...data };
      return entry;
    });
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
