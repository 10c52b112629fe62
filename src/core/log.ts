import { errorMessage } from './errors';

/**
 * What the core writes to the log. The shape of `vscode.LogOutputChannel`, so
 * the editor passes its channel as is; tests pass `silentLog` (or a recorder).
 */
export interface Logger {
  trace(message: string, ...args: unknown[]): void;
  debug(message: string, ...args: unknown[]): void;
  info(message: string, ...args: unknown[]): void;
  warn(message: string, ...args: unknown[]): void;
  error(message: string | Error, ...args: unknown[]): void;
}

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';

const ignore = (): void => undefined;

/** The default in the core and in tests: writes nothing. */
export const silentLog: Logger = { trace: ignore, debug: ignore, info: ignore, warn: ignore, error: ignore };

/** A logger whose lines say which component wrote them: `[RecordStore] …`. */
export function componentLog(log: Logger, component: string): Logger {
  const tag = (message: string) => `[${component}] ${message}`;
  return {
    trace: (message, ...args) => log.trace(tag(message), ...args),
    debug: (message, ...args) => log.debug(tag(message), ...args),
    info: (message, ...args) => log.info(tag(message), ...args),
    warn: (message, ...args) => log.warn(tag(message), ...args),
    error: (message, ...args) => log.error(message instanceof Error ? tag(errorMessage(message)) : tag(message), ...args),
  };
}

/**
 * A `.catch` handler for work whose failure must not stop the caller but must
 * not vanish either: `void task().catch(logFailure(log, 'safety-net reconcile'))`.
 */
export function logFailure(log: Logger, what: string, level: Extract<LogLevel, 'debug' | 'warn' | 'error'> = 'warn'): (error: unknown) => undefined {
  return (error) => {
    log[level](`${what} failed: ${errorMessage(error)}`);
    return undefined;
  };
}
