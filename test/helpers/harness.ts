import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GitClient } from '../../src/core/git/GitClient';
import { RuntimeLifecycle, type LifecycleOptions } from '../../src/core/lifecycle/RuntimeLifecycle';
import { MemoryMemento } from '../../src/core/store/MemoryMemento';
import { RecordStore, type MementoLike } from '../../src/core/store/RecordStore';
import type { TmuxClient } from '../../src/core/tmux/TmuxClient';
import type { TmuxFixture } from './tmuxFixture';

/**
 * One "window": a lifecycle over a shared Memento and the fixture's tmux
 * server. Making a second harness over the same memento is a window reload.
 */
export class Harness {
  readonly lifecycles: RuntimeLifecycle[] = [];
  readonly memento: MementoLike;
  private stateDir: string | undefined;

  constructor(
    readonly tmux: TmuxFixture,
    memento?: MementoLike,
  ) {
    this.memento = memento ?? new MemoryMemento();
  }

  async lifecycle(overrides: Partial<LifecycleOptions> & { memento?: MementoLike; tmuxClient?: TmuxClient } = {}): Promise<RuntimeLifecycle> {
    this.stateDir ??= await mkdtemp(join(tmpdir(), 'tw-state-'));
    const { memento, tmuxClient, ...options } = overrides;
    const lifecycle = new RuntimeLifecycle({
      tmux: tmuxClient ?? this.tmux.client(),
      git: new GitClient(),
      store: new RecordStore(memento ?? this.memento),
      stateDir: this.stateDir,
      safetyNetMs: 0,
      shell: '/bin/sh',
      ...options,
    });
    this.lifecycles.push(lifecycle);
    return lifecycle;
  }

  /** The lifecycles' private folder (handoff files, prompts, hook status files), made with the first lifecycle. */
  get stateDirectory(): string {
    if (!this.stateDir) throw new Error('no lifecycle has been made yet');
    return this.stateDir;
  }

  /** A window reload: the old instance goes away, a fresh one reconciles as at activation. */
  async reload(overrides: Parameters<Harness['lifecycle']>[0] = {}): Promise<RuntimeLifecycle> {
    for (const lifecycle of this.lifecycles.splice(0)) lifecycle.dispose();
    const fresh = await this.lifecycle(overrides);
    await fresh.start();
    return fresh;
  }

  async dispose(): Promise<void> {
    for (const lifecycle of this.lifecycles.splice(0)) lifecycle.dispose();
    // An agent's hook can still be writing its status file while the folder goes (ENOTEMPTY): rm retries.
    if (this.stateDir) await rm(this.stateDir, { recursive: true, force: true, maxRetries: 5 });
  }
}
