import { GitClient } from '../../src/core/git/GitClient';
import { silentLog } from '../../src/core/log';
import { createContext, type LifecycleContext } from '../../src/core/lifecycle/context';
import { OrphanSessions } from '../../src/core/lifecycle/OrphanSessions';
import type { LifecycleChange, LifecycleOptions } from '../../src/core/lifecycle/types';
import { RecordStore } from '../../src/core/store/RecordStore';
import type { Harness } from './harness';

/** A context for one lifecycle piece on its own, over a harness's tmux server and records; its events land in `changes`. */
export function pieceContext(harness: Harness, options: Partial<LifecycleOptions> = {}): LifecycleContext & { changes: LifecycleChange[] } {
  const tmux = options.tmux ?? harness.tmux.client();
  const store = options.store ?? new RecordStore(harness.memento);
  const stateDir = options.stateDir ?? harness.stateDirectory;
  const changes: LifecycleChange[] = [];
  const full: LifecycleOptions = { tmux, git: new GitClient(), store, stateDir, shell: '/bin/sh', ...options };
  return { ...createContext(full, options.log ?? silentLog, (change) => changes.push(change), () => undefined), changes };
}

/** The orphan reaper of a window with these options, over a new listing each time. */
export function orphanReaper(harness: Harness, options: Partial<LifecycleOptions> = {}): OrphanSessions {
  const context = pieceContext(harness, options);
  return new OrphanSessions(context, () => context.tmux.listSessions());
}
