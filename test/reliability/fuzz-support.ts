// What every fuzz target shares: a fixed seed, the case count (FUZZ_RUNS overrides it, e.g. in a
// slow CI), a watch on unhandled rejections and uncaught exceptions, and the outcome of one connect.
import { VoiceError, type VoiceClient } from '../../src/all.js';

/** The one seed every target starts from, so a failing case replays exactly. */
export const FUZZ_SEED = 20_251_107;

/** Cases per target: 200 by default, FUZZ_RUNS=<n> to change (a CI that is short of time may lower it). */
export function fuzzRuns(): number {
  const fromEnv = Number(process.env.FUZZ_RUNS);
  return Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : 200;
}

/**
 * Records every unhandled rejection and uncaught exception while a target runs. Vitest would also
 * fail the run on them, but only afterwards and without saying which case caused them.
 */
export function watchProcessFaults(): { faults: string[]; stop(): void } {
  const faults: string[] = [];
  const onRejection = (reason: unknown) => faults.push(`unhandledRejection: ${describe(reason)}`);
  const onException = (error: unknown) => faults.push(`uncaughtException: ${describe(error)}`);
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);
  return {
    faults,
    stop() {
      process.off('unhandledRejection', onRejection);
      process.off('uncaughtException', onException);
    },
  };
}

function describe(value: unknown): string {
  if (value instanceof Error) return `${value.name}: ${value.message.slice(0, 200)}`;
  return String(value).slice(0, 200);
}

export interface ConnectOutcome {
  /** 'connected', the VoiceError code, or `RAW:<name>` for anything that is not a VoiceError. */
  outcome: string;
  error: VoiceError | undefined;
  ms: number;
}

/** Runs connect() once, and reports how it ended and how long it took. */
export async function connectOutcome(client: VoiceClient): Promise<ConnectOutcome> {
  const started = performance.now();
  try {
    await client.connect();
    return { outcome: 'connected', error: undefined, ms: performance.now() - started };
  } catch (error) {
    const ms = performance.now() - started;
    if (error instanceof VoiceError) return { outcome: error.code, error, ms };
    return { outcome: `RAW:${(error as Error)?.name}`, error: undefined, ms };
  }
}

/** `{ PROTOCOL_ERROR: 120, TIMEOUT: 3 }`, for the summary line. */
export function tally(outcomes: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const outcome of outcomes) counts[outcome] = (counts[outcome] ?? 0) + 1;
  return counts;
}

/** A batch of generated cases: the fixed corpus (replays exactly) or a fresh one (new each run). */
export interface Corpus {
  label: 'fixed' | 'fresh';
  seed: number;
  runs: number;
}

/**
 * The fixed corpus (seed `fixedSeed`, fuzzRuns() cases) and a fresh one: a new seed every run,
 * a quarter as many cases, printed in every failure so it can be replayed with
 * FUZZ_FRESH_SEED=<seed>. The fixed corpus keeps old finds found; the fresh one looks for new ones.
 */
export function corpora(fixedSeed: number): Corpus[] {
  const runs = fuzzRuns();
  const fromEnv = Number(process.env.FUZZ_FRESH_SEED);
  const fresh = Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : 1 + Math.floor(Math.random() * 2 ** 31);
  return [
    { label: 'fixed', seed: fixedSeed, runs },
    { label: 'fresh', seed: fresh, runs: Math.max(10, Math.floor(runs / 4)) },
  ];
}

/** How a failure names its corpus: enough to replay it. */
export const corpusName = (c: Corpus) => (c.label === 'fixed' ? `fixed seed ${c.seed}` : `fresh seed ${c.seed} (replay: FUZZ_FRESH_SEED=${c.seed})`);

/**
 * Where a session ended up after a fault, in one of the classes a fuzz oracle accepts: `alive`
 * (connected, and still answering), `recovered` (it reconnected by itself within the bound) or
 * `ended:<code>` (disconnected with a VoiceError). Anything else is a finding, e.g. `stuck:reconnecting`
 * or `disconnected-untyped`.
 */
export async function settledSession(
  client: VoiceClient,
  errors: readonly unknown[],
  errorsBefore: number,
  answers: () => Promise<boolean>,
  wentAway: () => boolean,
  boundMs = 10_000,
): Promise<string> {
  const deadline = Date.now() + boundMs;
  while ((client.state === 'reconnecting' || client.state === 'connecting') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  const state = client.state;
  if (state === 'connected') return (await answers()) ? (wentAway() ? 'recovered' : 'alive') : 'deaf';
  if (state === 'disconnected') {
    const typed = errors.slice(errorsBefore).filter((e): e is VoiceError => e instanceof VoiceError);
    return typed.length > 0 ? `ended:${typed.at(-1)!.code}` : 'disconnected-untyped';
  }
  return `stuck:${state}`;
}
