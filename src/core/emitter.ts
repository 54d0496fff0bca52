import * as mittModule from 'mitt';
import type { EventType, Handler } from 'mitt';

// Under NodeNext, mitt's typings read as CommonJS although the file loaded is its ESM build,
// whose default export is the factory.
const mitt = (mittModule as unknown as { default: <E extends Record<EventType, unknown>>() => import('mitt').Emitter<E> }).default;

export interface Emitter<E extends Record<EventType, unknown>> {
  on<K extends keyof E>(type: K, handler: Handler<E[K]>): void;
  off<K extends keyof E>(type: K, handler: Handler<E[K]>): void;
  emit<K extends keyof E>(type: K, event: E[K]): void;
  /** How many handlers listen to `type` (to every event when `type` is absent). */
  count(type?: keyof E): number;
}

/**
 * mitt's registry with an emit that shields handlers from each other: mitt's own emit stops at the
 * first handler that throws, so one buggy listener would silence every later one (a call's
 * `ended` included). A handler that throws, or an async one whose promise rejects, is reported
 * to `onHandlerError` and never becomes an unhandled rejection in the app.
 */
export function createEmitter<E extends Record<EventType, unknown>>(onHandlerError: (type: keyof E, error: unknown) => void): Emitter<E> {
  const inner = mitt<E>();
  const report = (type: keyof E, error: unknown) => {
    try {
      onHandlerError(type, error);
    } catch {
      /* the report itself must not throw into the emitting code */
    }
  };
  return {
    on: (type, handler) => inner.on(type, handler),
    off: (type, handler) => inner.off(type, handler),
    count(type) {
      if (type !== undefined) return inner.all.get(type)?.length ?? 0;
      let total = 0;
      for (const handlers of inner.all.values()) total += handlers.length;
      return total;
    },
    emit(type, event) {
      const handlers = inner.all.get(type);
      if (!handlers) return;
      // A copy: a handler may add or remove handlers of the same event.
      for (const handler of [...handlers] as Array<Handler<E[typeof type]>>) {
        try {
          const result = handler(event) as unknown;
          if (result !== null && typeof result === 'object' && typeof (result as PromiseLike<unknown>).then === 'function') {
            (result as PromiseLike<unknown>).then(undefined, (error: unknown) => report(type, error));
          }
        } catch (error) {
          report(type, error);
        }
      }
    },
  };
}
export type { Handler } from 'mitt';
