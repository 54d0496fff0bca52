/**
 * The phases of a SIP provider's connection (sipjs and cognigy alike); each provider's session.ts
 * says which of its library's events make which move.
 *
 *            start                 up
 *   idle ──────────► connecting ─────────► connected
 *                        │ stop                │   ▲
 *                        ▼                lost │   │ restored
 *                     stopped ◄─── stop ─────  ▼   │
 *                        │              reconnecting
 *                        └── start ──► connecting
 *
 * A move not in the table is an event the phase ignores (a late event of a stopped user agent, a
 * drop during connect, which fails connect() instead), never an error: the library reports what
 * it reports.
 */
export type Phase = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'stopped';
export type PhaseEvent = 'start' | 'up' | 'lost' | 'restored' | 'stop';

export const TRANSITIONS: Readonly<Record<Phase, Partial<Record<PhaseEvent, Phase>>>> = {
  idle: { start: 'connecting', stop: 'stopped' },
  connecting: { up: 'connected', stop: 'stopped' },
  connected: { lost: 'reconnecting', stop: 'stopped' },
  reconnecting: { restored: 'connected', stop: 'stopped' },
  stopped: { start: 'connecting', stop: 'stopped' },
};

export class Phases {
  private current: Phase = 'idle';

  get phase(): Phase {
    return this.current;
  }

  /** Moves by the table; false (and no move) where the phase ignores the event. */
  move(event: PhaseEvent): boolean {
    const next = TRANSITIONS[this.current][event];
    if (!next) return false;
    this.current = next;
    return true;
  }
}
