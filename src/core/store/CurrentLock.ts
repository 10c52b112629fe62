import type { TransitionLock } from '../lifecycle/TransitionLock';
import type { RecordStore } from './RecordStore';

/**
 * A transition lock whose holder starts from current records: once it has the
 * key, it waits until this window's copy of globalState has every record
 * write another window finished (the previous holder's included) before the
 * transition reads a record. Without it a window that takes the lock a moment
 * after another released it would decide on a stale copy (a workspace it
 * cannot see yet, a session it thinks unrecorded).
 */
export function currentUnder(lock: TransitionLock, store: RecordStore): TransitionLock {
  const current = <T>(task: () => Promise<T>) => async () => {
    await store.whenCurrent();
    return task();
  };
  return {
    crossProcess: lock.crossProcess,
    run: (key, task) => lock.run(key, current(task)),
    tryRun: (key, task) => lock.tryRun(key, current(task)),
    isBusy: (key) => lock.isBusy(key),
  };
}
