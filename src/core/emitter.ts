import * as mittModule from 'mitt';
import type { Emitter, EventType } from 'mitt';

// Under NodeNext, mitt's typings read as CommonJS although the file loaded is its ESM build,
// whose default export is the factory.
const mitt = (mittModule as unknown as { default: <E extends Record<EventType, unknown>>() => Emitter<E> }).default;

export function createEmitter<E extends Record<EventType, unknown>>(): Emitter<E> {
  return mitt<E>();
}
export type { Emitter, Handler } from 'mitt';
