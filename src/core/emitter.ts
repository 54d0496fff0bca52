import type { EventType, Handler } from 'mitt';

export interface Emitter<E extends Record<EventType, unknown>> {
  on<K extends keyof E>(type: K, handler: Handler<E[K]>): void;
  off<K extends keyof E>(type: K, handler: Handler<E[K]>): void;
  emit<K extends keyof E>(type: K, event: E[K]): void;
  /** How many handlers listen to `type` (to every event when `type` is absent). */
  count(type?: keyof E): number;
}

/**
 * mitt's registry (same semantics: handlers in the order added, `off` removes one) with an emit
 * that shields handlers from each other: mitt's own emit stops at the first handler that throws,
 * so one buggy listener would silence every later one (a call's `ended` included). A handler that
 * throws, or an async one whose promise rejects, is reported to `onHandlerError` and never becomes
 * an unhandled rejection in the app.
 *
 * A class with its methods on the prototype, and its map made at the first `on`: every client
 * and call has emitters, and 5,000 clients in one process (bench/load.mjs) would otherwise each
 * carry two copies of mitt's closures and a map nobody listens to.
 */
class ShieldedEmitter<E extends Record<EventType, unknown>> implements Emitter<E> {
  private handlers: Map<keyof E, Array<Handler<never>>> | undefined;

  constructor(private readonly onHandlerError: (type: keyof E, error: unknown) => void) {}

  on<K extends keyof E>(type: K, handler: Handler<E[K]>): void {
    this.handlers ??= new Map();
    const list = this.handlers.get(type);
    if (list) list.push(handler as Handler<never>);
    else this.handlers.set(type, [handler as Handler<never>]);
  }

  off<K extends keyof E>(type: K, handler: Handler<E[K]>): void {
    const list = this.handlers?.get(type);
    const at = list ? list.indexOf(handler as Handler<never>) : -1;
    if (at >= 0) list!.splice(at, 1);
  }

  count(type?: keyof E): number {
    if (!this.handlers) return 0;
    if (type !== undefined) return this.handlers.get(type)?.length ?? 0;
    let total = 0;
    for (const list of this.handlers.values()) total += list.length;
    return total;
  }

  emit<K extends keyof E>(type: K, event: E[K]): void {
    const list = this.handlers?.get(type);
    if (!list || list.length === 0) return;
    // A copy: a handler may add or remove handlers of the same event.
    for (const handler of [...list] as Array<Handler<E[K]>>) {
      try {
        const result = handler(event) as unknown;
        if (result !== null && typeof result === 'object' && typeof (result as PromiseLike<unknown>).then === 'function') {
          (result as PromiseLike<unknown>).then(undefined, (error: unknown) => this.report(type, error));
        }
      } catch (error) {
        this.report(type, error);
      }
    }
  }

  private report(type: keyof E, error: unknown): void {
    try {
      this.onHandlerError(type, error);
    } catch {
      /* the report itself must not throw into the emitting code */
    }
  }
}

export function createEmitter<E extends Record<EventType, unknown>>(onHandlerError: (type: keyof E, error: unknown) => void): Emitter<E> {
  return new ShieldedEmitter<E>(onHandlerError);
}
export type { Handler } from 'mitt';
