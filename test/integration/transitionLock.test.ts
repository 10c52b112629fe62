import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { FileLock, ProcessLock } from '../../src/core/lifecycle/TransitionLock';
import { gate } from '../helpers/gate';
import { eventually } from '../helpers/poll';
import { useTempDir } from '../helpers/tempDir';

describe('TransitionLock', () => {
  describe('ProcessLock', () => {
    it('skips tryRun while the key is held, and is not cross-process', async () => {
      const lock = new ProcessLock();
      assert.equal(lock.crossProcess, false);
      const held = gate();
      const holder = lock.run('ws', () => held.promise);
      assert.ok(lock.isBusy('ws'));
      assert.equal(await lock.tryRun('ws', async () => 'ran'), undefined);
      assert.equal(await lock.tryRun('other', async () => 'ran'), 'ran');
      held.open();
      await holder;
      // The key is let go a few microtasks after the task settles.
      await eventually(() => !lock.isBusy('ws'), 1000, 'the key let go');
      assert.equal(await lock.tryRun('ws', async () => 'ran'), 'ran');
    });
  });

  describe('FileLock', () => {
    const folder = useTempDir('tw-locks-');

    it('keeps a second window out while the first holds the key, and lets it in after', async () => {
      const first = new FileLock(folder());
      const second = new FileLock(folder(), { waitMs: 200 });
      assert.equal(first.crossProcess, true);
      const held = gate();
      let entered!: () => void;
      const inside = new Promise<void>((resolve) => (entered = resolve));
      const holder = first.run('ws', async () => {
        entered();
        await held.promise;
      });
      await inside;
      assert.equal(await second.tryRun('ws', async () => 'ran'), undefined, 'tryRun skips a key another window holds');
      await assert.rejects(second.run('ws', async () => 'ran'), /Another window is changing this workspace/);
      assert.equal(await second.run('other', async () => 'ran'), 'ran', 'other keys are free');
      held.open();
      await holder;
      assert.equal(await second.run('ws', async () => 'ran'), 'ran');
    });

    it('takes over the lock of a window that died, once it is stale', async () => {
      // A dead holder leaves proper-lockfile's folder behind and stops renewing it.
      const target = join(folder(), `${createHash('sha1').update('ws').digest('hex').slice(0, 16)}.lock-target`);
      await mkdir(`${target}.lock`);
      const old = new Date(Date.now() - 60_000);
      await utimes(`${target}.lock`, old, old);
      const lock = new FileLock(folder(), { staleMs: 2000, waitMs: 0 });
      assert.equal(await lock.tryRun('ws', async () => 'ran'), 'ran');
    });

    it('refuses while a live holder keeps its lock fresh', async () => {
      const target = join(folder(), `${createHash('sha1').update('ws').digest('hex').slice(0, 16)}.lock-target`);
      await mkdir(`${target}.lock`);
      const lock = new FileLock(folder(), { staleMs: 60_000, waitMs: 0 });
      assert.equal(await lock.tryRun('ws', async () => 'ran'), undefined);
    });
  });
});
