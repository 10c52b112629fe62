import { AsyncLocalStorage } from 'node:async_hooks';
import { WorkspaceError } from '../../src/core/errors';
import { MemoryMemento } from '../../src/core/store/MemoryMemento';
import type { MementoLike } from '../../src/core/store/RecordStore';
import { MARKER, TmuxClient } from '../../src/core/tmux/TmuxClient';
import type { TmuxFixture } from './tmuxFixture';

/**
 * The tmux subcommands a fault can hit. `set-option` is the marker step of a
 * launch: the invocation really runs, tmux creates the session and then fails
 * part-way through setting its markers, as a broken server would.
 */
export type TmuxFault = 'new-session' | 'set-option' | 'kill-session' | 'list-sessions' | 'has-session' | 'if-shell';

export const TMUX_FAULTS: readonly TmuxFault[] = ['new-session', 'set-option', 'kill-session', 'list-sessions', 'has-session', 'if-shell'];

/** Which FailingTmux's operation a call is made on behalf of. */
const operationScope = new AsyncLocalStorage<FailingTmux>();

/**
 * A real tmux client whose chosen subcommand fails like a broken server would.
 * With `onlyDuring`, only calls made on behalf of `during(operation)` fail:
 * background work of the same client (an exit check after a watcher event)
 * meets the real server, so a fault that fires is the operation's own.
 */
export class FailingTmux extends TmuxClient {
  /** How many times the fault fired. */
  triggered = 0;
  private readonly onlyDuring: boolean;

  constructor(
    fixture: TmuxFixture,
    private readonly failing: string,
    options: { onlyDuring?: boolean } = {},
  ) {
    super({ command: fixture.command, environment: fixture.environment });
    this.onlyDuring = options.onlyDuring ?? false;
  }

  /** Runs the operation under test with the fault armed for its calls. */
  during<T>(operation: () => Promise<T>): Promise<T> {
    return operationScope.run(this, operation);
  }

  override async run(args: readonly string[], options: { goneIsEmpty?: boolean; input?: string } = {}) {
    if (this.onlyDuring && operationScope.getStore() !== this) return super.run(args, options);
    const launchMarker = args.findIndex((arg, index) => arg === MARKER.launch && args[index - 3] === 'set-option');
    if (this.failing === 'set-option' && launchMarker > 0) {
      this.triggered += 1;
      // tmux rejects a non-`@` option it does not know: the session and the markers before it exist.
      const sabotaged = [...args];
      sabotaged[launchMarker] = 'tw-injected-invalid-option';
      return super.run(sabotaged, options);
    }
    // One invocation can chain several subcommands with `;`.
    const subcommands = args.filter((_arg, index) => index === 0 || args[index - 1] === ';');
    if (subcommands.includes(this.failing)) {
      this.triggered += 1;
      throw new WorkspaceError('failed', `tmux ${this.failing} failed: injected failure`);
    }
    return super.run(args, options);
  }
}

/**
 * A Memento whose Nth `update` (counted from `failNthWrite`, among the keys
 * `keyMatches` accepts) rejects, as a full disk or a storage error would.
 * Disarmed, it passes everything through.
 */
export class FaultyMemento implements MementoLike {
  private writes = 0;
  private failOn = 0;
  private keyMatches: (key: string) => boolean = () => true;
  /** Whether the armed fault fired. */
  triggered = false;
  /** The write the fault refused. */
  refused: { readonly key: string; readonly value: unknown } | undefined;

  constructor(readonly inner: MementoLike = new MemoryMemento()) {}

  failNthWrite(n: number, keyMatches: (key: string) => boolean = () => true): void {
    this.writes = 0;
    this.failOn = n;
    this.keyMatches = keyMatches;
    this.triggered = false;
    this.refused = undefined;
  }

  disarm(): void {
    this.failOn = 0;
  }

  keys(): readonly string[] {
    return this.inner.keys();
  }

  get<T>(key: string): T | undefined {
    return this.inner.get<T>(key);
  }

  async update(key: string, value: unknown): Promise<void> {
    if (this.keyMatches(key)) this.writes += 1;
    if (this.failOn > 0 && this.writes === this.failOn && this.keyMatches(key)) {
      this.triggered = true;
      this.refused = { key, value };
      throw new Error(`injected write failure (write ${this.writes}: ${key})`);
    }
    await this.inner.update(key, value);
  }
}

/**
 * A Memento that reads through to `memento` and hands every `update` to
 * `update` instead, which decides whether (and when) to pass it on.
 */
export function interceptWrites(memento: MementoLike, update: (key: string, value: unknown) => Promise<void>): MementoLike {
  return {
    keys: () => memento.keys(),
    get: <T>(key: string) => memento.get<T>(key),
    update,
  };
}
