import type { LogLevel } from '../../core/provider-kit.js';
import { replaceLogMethods } from './quirks.js';

/** The part of loglevel's Logger the SDK exposes as `client.__logger`. */
export interface SdkLogger {
  methodFactory: (methodName: string, level: unknown, loggerName: unknown) => (...args: unknown[]) => void;
  getLevel(): number;
  setLevel(level: string | number, persist?: boolean): void;
}

export interface LogListener {
  log(level: LogLevel, message: string): void;
  /** Seen before the core's redactor, so a line of one client never carries another client's secret. */
  secrets(): readonly string[];
}

const MAX_LINE = 2_000;
const listeners = new Set<LogListener>();
let installed: SdkLogger | undefined;

function text(args: unknown[]): string {
  const parts = args.map((arg) => {
    if (typeof arg === 'string') return arg;
    if (arg instanceof Error) return `${arg.name}: ${arg.message}`;
    try {
      return JSON.stringify(arg);
    } catch {
      return String(arg);
    }
  });
  const line = parts.join(' ');
  return line.length > MAX_LINE ? `${line.slice(0, MAX_LINE)}…` : line;
}

function deliver(level: LogLevel, args: unknown[]): void {
  if (listeners.size === 0) return;
  let line = text(args);
  for (const listener of listeners) for (const secret of listener.secrets()) if (secret && line.includes(secret)) line = line.split(secret).join('[redacted]');
  for (const listener of listeners) {
    try {
      listener.log(level, line);
    } catch {
      /* a listener's failure must not break the SDK */
    }
  }
}

/**
 * The SDK logs through one module-wide loglevel logger (console by default, with SEND/RECV frames
 * that hold the password or JWT at debug). Replacing its method factory sends info and above to the
 * clients' sinks and nothing to the console; debug lines are dropped because they are raw frames.
 */
export function routeSdkLogs(logger: SdkLogger, listener: LogListener): () => void {
  if (installed !== logger) {
    installed = logger;
    replaceLogMethods(logger, (methodName) => {
      const level: LogLevel | undefined =
        methodName === 'error' ? 'error' : methodName === 'warn' ? 'warn' : methodName === 'info' ? 'info' : undefined;
      return level ? (...args: unknown[]) => deliver(level, args) : () => {};
    });
  }
  listeners.add(listener);
  return () => listeners.delete(listener);
}
