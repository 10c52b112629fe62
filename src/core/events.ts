import { errorMessage } from './errors';
import { silentLog, type Logger } from './log';

/** A minimal event emitter with the shape of `vscode.Event`, usable in plain Node. */
export interface Disposable {
  dispose(): void;
}

export type Event<T> = (listener: (value: T) => void) => Disposable;

export class Emitter<T> implements Disposable {
  private readonly listeners = new Set<(value: T) => void>();

  /** `log`: where a listener's failure goes. */
  constructor(private readonly log: Logger = silentLog) {}

  readonly event: Event<T> = (listener) => {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  };

  fire(value: T): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(value);
      } catch (error) {
        // A faulty listener must not stop the others nor the transition that fired.
        this.log.error(`event listener failed: ${errorMessage(error)}`, error);
      }
    }
  }

  dispose(): void {
    this.listeners.clear();
  }
}

/** Resolves with the first value for which `predicate` holds. */
export function waitForEvent<T>(event: Event<T>, predicate: (value: T) => boolean, timeoutMs: number, what = 'event'): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      subscription.dispose();
      reject(new Error(`${what} not seen within ${timeoutMs} ms`));
    }, timeoutMs);
    const subscription = event((value) => {
      if (!predicate(value)) return;
      clearTimeout(timer);
      subscription.dispose();
      resolve(value);
    });
  });
}
