/**
 * A part of the core that an app may never use, kept out of the entry chunk: a bundler splits
 * each `import()` into a chunk of its own, fetched the first time it is wanted. Once loaded, the
 * module is at hand synchronously, so the caller takes the synchronous path whenever it can.
 */
export interface LazyModule<T> {
  /** The module if it has loaded, else undefined. */
  readonly current: T | undefined;
  /** Loads the module once (a failed load is tried again on the next call). */
  load(): Promise<T>;
}

export function lazyModule<T>(importer: () => Promise<T>): LazyModule<T> {
  let current: T | undefined;
  let pending: Promise<T> | undefined;
  return {
    get current() {
      return current;
    },
    load() {
      pending ??= importer().then(
        (module) => (current = module),
        (error: unknown) => {
          pending = undefined;
          throw error;
        },
      );
      return pending;
    },
  };
}
