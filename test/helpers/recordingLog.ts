import type { Logger, LogLevel } from '../../src/core/log';

/** A Logger that keeps every line, for tests that assert a failure reached the log. */
export class RecordingLog implements Logger {
  readonly lines: { readonly level: LogLevel; readonly message: string }[] = [];

  trace(message: string): void {
    this.lines.push({ level: 'trace', message });
  }
  debug(message: string): void {
    this.lines.push({ level: 'debug', message });
  }
  info(message: string): void {
    this.lines.push({ level: 'info', message });
  }
  warn(message: string): void {
    this.lines.push({ level: 'warn', message });
  }
  error(message: string | Error): void {
    this.lines.push({ level: 'error', message: message instanceof Error ? message.message : message });
  }

  /** The first line at `level` that contains `text`. */
  find(level: LogLevel, text: string): string | undefined {
    return this.lines.find((line) => line.level === level && line.message.includes(text))?.message;
  }
}
