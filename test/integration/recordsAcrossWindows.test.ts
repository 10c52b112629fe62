import * as assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RecordStore } from '../../src/core/store/RecordStore';
import { SharedMemento } from '../helpers/SharedMemento';
import { WindowProcess } from '../helpers/windows';
import type { WindowConfig } from '../helpers/windowProtocol';

/**
 * Window processes, each with its own copy of globalState (`SharedMemento`:
 * whole-object writes, copies replaced wholesale a random 0–300 ms later),
 * writing records at the same time. Only the store runs here, no tmux or git.
 */
describe('records across windows (two processes, real globalState semantics)', function () {
  this.timeout(60_000);
  let root: string;
  let windows: WindowProcess[];

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'tw-records-'));
    windows = [];
  });
  afterEach(async () => {
    await Promise.all(windows.map((window) => window.close()));
    await rm(root, { recursive: true, force: true });
  });

  async function open(count: number): Promise<WindowProcess[]> {
    const config: WindowConfig = {
      tmuxCommand: ['tmux', '-L', 'tw-records-unused'],
      tmuxEnvironment: {},
      storeFile: join(root, 'globalState.json'),
      stateDir: join(root, 'globalStorage'),
      lockStaleMs: 2000,
      orphanGraceMs: 0,
      reapOrphans: false,
    };
    const opened = await Promise.all(Array.from({ length: count }, () => WindowProcess.spawn(config)));
    windows.push(...opened);
    return opened;
  }

  /** The records every window has once all writes have reached it: the main process's copy. */
  function settledIds(): string[] {
    return new RecordStore(SharedMemento.main(join(root, 'globalState.json'))).workspaces().map((record) => record.id).sort();
  }

  async function everyWindowHas(expected: readonly string[]): Promise<void> {
    for (const window of windows) {
      await window.call({ op: 'settle' });
      assert.deepEqual((await window.call<string[]>({ op: 'workspaceIds' })).sort(), [...expected].sort(), `window ${windows.indexOf(window)}'s copy has them too`);
    }
  }

  const ids = (prefix: string, count: number) => Array.from({ length: count }, (_, i) => `${prefix}${String(i).padStart(2, '0')}`);

  it('loses no record when two windows write records at the same time', async () => {
    const [a, b] = await open(2);
    const written = [...ids('a', 15), ...ids('b', 15)];
    await Promise.all([a.call({ op: 'putWorkspaces', ids: ids('a', 15) }), b.call({ op: 'putWorkspaces', ids: ids('b', 15) })]);
    assert.deepEqual(settledIds(), written.sort(), 'every record either window wrote is kept');
    await everyWindowHas(written);
  });

  it('never brings back a record another window deleted', async () => {
    const [a, b] = await open(2);
    await a.call({ op: 'putWorkspaces', ids: ids('old', 10) });
    await b.call({ op: 'settle' });
    await Promise.all([a.call({ op: 'forgetWorkspaces', ids: ids('old', 10) }), b.call({ op: 'putWorkspaces', ids: ids('new', 10) })]);
    assert.deepEqual(settledIds(), ids('new', 10), 'the deleted records stay deleted, the new ones stay');
    await everyWindowHas(ids('new', 10));
  });

  it('agrees on one install id when two windows start for the first time at once', async () => {
    const [a, b] = await open(2);
    const [first, second] = await Promise.all([a.call<string>({ op: 'installId' }), b.call<string>({ op: 'installId' })]);
    assert.equal(first, second, 'both windows mark their sessions with the same owner id');
    await a.call({ op: 'settle' });
    assert.equal(await a.call<string>({ op: 'installId' }), first, 'and it is the one that stays');
  });
});
