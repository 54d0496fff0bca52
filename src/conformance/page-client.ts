// Drives polyphone clients that live inside lab pages (real Chromium or Firefox), whatever the provider:
// the config given to `createPageClient` is the only vendor-specific thing. Used by the SIP.js
// call tests, the other providers' browser tests and the cross-vendor conformance suite.
import type { HarnessPage } from '../../lab/browser/lab-page.mjs';
import { installPageHarness } from '../../lab/browser/page-harness.mjs';

/** The operations a page client can run; `args` follow the polyphone method of the same name. */
export type PageOp =
  | 'connect'
  | 'disconnect'
  | 'call'
  | 'clientHangup'
  | 'answer'
  | 'reject'
  | 'hangup'
  | 'mute'
  | 'unmute'
  | 'hold'
  | 'unhold'
  | 'sendDtmf';

/** `ok`, or the VoiceError code the operation failed with (`UNSUPPORTED`, `INVALID_STATE`, …). */
export interface OpResult {
  outcome: string;
  /** Length of the client's trace when the operation began. */
  index: number;
  message?: string;
  error?: { code: string; message: string; provider?: string; cause?: Record<string, unknown>; details?: Record<string, unknown> };
}

export interface PageClientState {
  client: string;
  capabilities: Record<string, boolean>;
  calls: number;
  call: { state: string; muted: boolean; endReason: string | undefined; direction: string; peer: string; hasRemoteStream: boolean } | undefined;
  /** The element given as `audioElement: true` (see call()): whether it plays the call's remote stream. */
  audioElement: { playing: boolean; playsRemoteStream: boolean } | undefined;
}

/** One line per operation, across every client of a test, in the order they were run. */
export class OpLog {
  readonly entries: Array<{ client: string; op: PageOp; outcome: string }> = [];
  add(client: string, op: PageOp, outcome: string): void {
    this.entries.push({ client, op, outcome });
  }
  lines(): string[] {
    return this.entries.map((e) => `${e.client} ${e.op} ${e.outcome}`);
  }
}

const installed = new WeakSet<HarnessPage>();
const HARNESS_SOURCE = `(${installPageHarness.toString()})()`;

/** Installs the page harness (lab/browser/page-harness.mjs) in a page, once: every provider's browser tests drive it. */
export async function installHarness(page: HarnessPage): Promise<void> {
  if (installed.has(page)) return;
  await page.evaluate(HARNESS_SOURCE);
  installed.add(page);
}

/**
 * A polyphone client inside a page, kept in `window.__clients[name]`. The config must be plain
 * data (it crosses into the page): no logger function, no provider object.
 */
export class PageClient {
  private constructor(
    readonly page: HarnessPage,
    readonly name: string,
    private readonly log: OpLog | undefined,
  ) {}

  /** `options`: createVoiceClient's second argument (failover options), plain data too. */
  static async create(page: HarnessPage, name: string, config: Record<string, unknown> | string | unknown[], log?: OpLog, options?: Record<string, unknown>): Promise<PageClient> {
    await installHarness(page);
    await page.evaluate(([n, c, o]) => (window as any).__harness.create(n, c, o), [name, config, options] as const);
    return new PageClient(page, name, log);
  }

  /** Runs an operation and reports its outcome; it never throws for a failed operation. */
  async op(op: PageOp, ...args: unknown[]): Promise<OpResult> {
    const result = (await this.page.evaluate(([n, o, a]) => (window as any).__harness.op(n, o, a), [this.name, op, args] as const)) as OpResult;
    this.log?.add(this.name, op, result.outcome);
    return result;
  }

  /** Runs an operation that must succeed. */
  async must(op: PageOp, ...args: unknown[]): Promise<OpResult> {
    const result = await this.op(op, ...args);
    if (result.outcome !== 'ok') throw new Error(`${this.name}.${op}() failed with ${result.outcome}: ${result.message}`);
    return result;
  }

  connect(): Promise<OpResult> {
    return this.must('connect');
  }
  disconnect(): Promise<OpResult> {
    return this.op('disconnect');
  }
  /**
   * `options` as for client.call(): iceServers, ringTimeoutMs; `audioElement: true` gives the call
   * a new <audio> of the page (an element cannot cross from Node). The same holds for answer().
   */
  call(target: string, options: Record<string, unknown> = {}): Promise<OpResult> {
    return this.op('call', target, options);
  }
  answer(options: Record<string, unknown> = {}): Promise<OpResult> {
    return this.op('answer', options);
  }
  reject(status?: number): Promise<OpResult> {
    return this.op('reject', status === undefined ? {} : { status });
  }
  hangup(): Promise<OpResult> {
    return this.op('hangup');
  }
  mute(): Promise<OpResult> {
    return this.op('mute');
  }
  unmute(): Promise<OpResult> {
    return this.op('unmute');
  }
  hold(): Promise<OpResult> {
    return this.op('hold');
  }
  unhold(): Promise<OpResult> {
    return this.op('unhold');
  }
  sendDtmf(digits: string): Promise<OpResult> {
    return this.op('sendDtmf', digits);
  }

  /** `normalizeTrace(client.trace())`, read in the page. */
  lines(): Promise<string[]> {
    return this.page.evaluate((n) => (window as any).__harness.lines(n), this.name) as Promise<string[]>;
  }

  /** Every `ended` event of this client's calls, with the error in full (toJSON). */
  ends(): Promise<Array<{ reason: string; error: OpResult['error'] }>> {
    return this.page.evaluate((n) => (window as any).__harness.ends(n), this.name) as Promise<Array<{ reason: string; error: OpResult['error'] }>>;
  }

  traceLength(): Promise<number> {
    return this.page.evaluate((n) => (window as any).__harness.traceLength(n), this.name) as Promise<number>;
  }

  /**
   * Waits until a trace line after line `from` matches: a string must equal the whole line, a
   * RegExp must match it. Resolves with the whole trace.
   */
  waitForLine(line: string | RegExp, options: { from?: number; timeoutMs?: number } = {}): Promise<string[]> {
    const source = typeof line === 'string' ? `^${line.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$` : line.source;
    const flags = typeof line === 'string' ? '' : line.flags;
    return this.page.evaluate(
      ([n, s, f, from, t]) => (window as any).__harness.waitForLine(n, s, f, from, t),
      [this.name, source, flags, options.from ?? 0, options.timeoutMs ?? 10_000] as const,
    ) as Promise<string[]>;
  }

  /** Waits for the current call's `ended` and returns its reason and error code. */
  async waitForEnd(options: { from?: number; timeoutMs?: number } = {}): Promise<{ reason: string; code: string | undefined; line: string }> {
    const all = await this.waitForLine(/^call#\d+ ended /, options);
    const line = all.slice(options.from ?? 0).find((l) => /^call#\d+ ended /.test(l))!;
    return { reason: /reason=(\S+)/.exec(line)![1]!, code: /code=(\S+)/.exec(line)?.[1], line };
  }

  state(): Promise<PageClientState> {
    return this.page.evaluate((n) => (window as any).__harness.state(n), this.name) as Promise<PageClientState>;
  }

  /** Pauses the element given as `audioElement: true`. */
  async pauseAudioElement(): Promise<void> {
    await this.page.evaluate((n) => (window as any).__harness.pauseAudioElement(n), this.name);
  }

  /** Receiver audio stats read through `call.getStats()` (undefined where the vendor hides them). */
  callInboundAudio(): Promise<{ packetsReceived: number; totalAudioEnergy: number } | undefined> {
    return this.page.evaluate((n) => (window as any).__harness.callInboundAudio(n), this.name) as Promise<
      { packetsReceived: number; totalAudioEnergy: number } | undefined
    >;
  }
}

/**
 * A client's trace lines with marker lines (e.g. `op hold ok`) put where they happened: each
 * marker goes before the trace line at its index, markers at one index keep their order.
 */
export function mergeMarkers(lines: readonly string[], markers: ReadonlyArray<{ index: number; line: string }>): string[] {
  const out: string[] = [];
  const sorted = markers.map((m, order) => ({ ...m, order })).sort((a, b) => a.index - b.index || a.order - b.order);
  let next = 0;
  for (let i = 0; i <= lines.length; i++) {
    while (next < sorted.length && sorted[next]!.index <= i) out.push(sorted[next++]!.line);
    if (i < lines.length) out.push(lines[i]!);
  }
  return out;
}

/** Every `ended` line of a trace; a call must have exactly one. */
export function endedLines(lines: readonly string[]): string[] {
  return lines.filter((l) => /^call#\d+ ended( |$)/.test(l));
}

/** Disconnects every polyphone client of a page, then closes the page's browser context. */
export async function closePage(page: HarnessPage, timeoutMs = 5_000): Promise<void> {
  if (installed.has(page) && !page.isClosed()) {
    await page.evaluate((t) => (window as any).__harness.disconnectAll(t), timeoutMs).catch(() => {});
  }
  await page.context().close().catch(() => {});
}
