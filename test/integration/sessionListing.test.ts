import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import { SessionListing } from '../../src/core/lifecycle/SessionListing';
import { RecordStore } from '../../src/core/store/RecordStore';
import { Harness } from '../helpers/harness';
import { pieceContext } from '../helpers/pieces';
import { SharedMemento } from '../helpers/SharedMemento';
import { useTempDir } from '../helpers/tempDir';
import { useTmuxServer } from '../helpers/world';

describe('SessionListing', () => {
  const world = useTmuxServer();
  const stateDir = useTempDir('tw-state-');

  /** A listing over a client that counts its list-sessions calls; `watching` stands for the session watcher. */
  function counted(watching: { running: boolean }, store?: RecordStore): { listing: SessionListing; calls: () => number; context: ReturnType<typeof pieceContext> } {
    let calls = 0;
    const tmux = world.fixture.client({ log: (record) => void (record.argv.includes('list-sessions') && (calls += 1)) });
    const context = pieceContext(new Harness(world.fixture), { tmux, stateDir: stateDir(), ...(store ? { store } : {}) });
    return { listing: new SessionListing(context, () => watching.running), calls: () => calls, context };
  }

  it('answers readers from one listing while the watcher runs and this window changed nothing', async () => {
    await world.fixture.tmux('new-session', '-d', '-s', 'tw-kept', '--', 'sleep', '600');
    const { listing, calls } = counted({ running: true });
    const [first, second] = await Promise.all([listing.current(), listing.current()]);
    assert.deepEqual(await listing.current(), first);
    assert.equal(second, first);
    assert.equal(calls(), 1);
  });

  it('asks tmux again after this window changed the server, after a watcher notification, and whenever the watcher is off', async () => {
    await world.fixture.tmux('new-session', '-d', '-s', 'tw-gone', '--', 'sleep', '600');
    const watcher = { running: true };
    const { listing, calls, context } = counted(watcher);
    assert.ok((await listing.current()).some((session) => session.name === 'tw-gone'));
    await context.tmux.killSession('tw-gone');
    assert.ok(!(await listing.current()).some((session) => session.name === 'tw-gone'), 'the kill is seen');
    assert.equal(calls(), 2);
    listing.invalidate();
    await listing.current();
    assert.equal(calls(), 3);
    watcher.running = false;
    await listing.current();
    await listing.current();
    assert.equal(calls(), 5, 'nothing is kept without the watcher');
  });

  it('asks tmux again once another window\'s record write reached this window, even before the watcher reports its tmux change', async () => {
    // Another window deletes a workspace: it kills the session, then forgets the record. This window's watcher
    // has not reported the kill yet (a busy machine delays it); the record write has reached this window.
    await world.fixture.tmux('new-session', '-d', '-s', 'tw-elsewhere', '--', 'sleep', '600');
    const dir = stateDir();
    const file = join(dir, 'globalState.json');
    const mine = new SharedMemento(file);
    const theirs = new SharedMemento(file);
    try {
      const store = new RecordStore(mine, { lockDir: dir });
      const other = new RecordStore(theirs, { lockDir: dir });
      const { listing } = counted({ running: true }, store);
      assert.ok((await listing.current()).some((session) => session.name === 'tw-elsewhere'));
      await world.fixture.tmux('kill-session', '-t', '=tw-elsewhere');
      await other.forgetWorkspace('gone-elsewhere');
      await store.whenCurrent();
      assert.ok(!(await listing.current()).some((session) => session.name === 'tw-elsewhere'), 'the listing kept from before the write is not answered');
    } finally {
      mine.dispose();
      theirs.dispose();
    }
  });
});
