import * as assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WorkspaceError } from '../../src/core/errors';
import { MemoryMemento } from '../../src/core/store/MemoryMemento';
import { RecordStore, type MementoLike } from '../../src/core/store/RecordStore';
import { SCHEMA_VERSION, type SessionRecord, type WorkspaceRecord } from '../../src/core/store/records';
import { SEQ_KEY } from '../../src/core/store/WriteFence';
import { SharedMemento } from '../helpers/SharedMemento';

function workspace(id: string, overrides: Partial<WorkspaceRecord> = {}): WorkspaceRecord {
  return {
    v: SCHEMA_VERSION,
    id,
    repoPath: '/repo',
    branch: `branch-${id}`,
    baseBranch: 'main',
    branchSource: 'new',
    worktreePath: `/repo.worktrees/${id}`,
    createdBranch: true,
    status: 'ready',
    setupEvents: [],
    baseSession: `tw-${id}-base`,
    createdAt: 1,
    updatedAt: 1,
    ...overrides,
  };
}

function session(key: string, createdAt: number, overrides: Partial<SessionRecord> = {}): SessionRecord {
  return {
    v: SCHEMA_VERSION,
    key,
    workspaceId: 'ws',
    kind: 'agent',
    label: 'agent',
    tmuxName: key,
    launchId: `launch-${createdAt}`,
    command: ['agent'],
    createdAt,
    ...overrides,
  };
}

/** Counts writes, so a test can prove that nothing was written. */
class CountingMemento extends MemoryMemento {
  writes = 0;

  override async update(key: string, value: unknown): Promise<void> {
    this.writes += 1;
    await super.update(key, value);
  }
}

/** The store's own key for a record, found by writing it once (keys are the store's business). */
async function keyOf(memento: MementoLike, write: () => Promise<void>): Promise<string> {
  const before = new Set(memento.keys());
  await write();
  const added = memento.keys().filter((key) => !before.has(key) && key !== SEQ_KEY);
  assert.equal(added.length, 1, 'one record, one key');
  return added[0];
}

describe('RecordStore', () => {
  describe('two windows (in-process, with SharedMemento copies and one lock folder)', () => {
    let root: string;
    const windows: SharedMemento[] = [];
    beforeEach(async () => (root = await mkdtemp(join(tmpdir(), 'tw-store-'))));
    afterEach(async () => {
      windows.splice(0).forEach((memento) => memento.dispose());
      await rm(root, { recursive: true, force: true });
    });

    function window(catchUpMs?: number): { store: RecordStore; memento: SharedMemento } {
      const memento = new SharedMemento(join(root, 'globalState.json'));
      windows.push(memento);
      return { store: new RecordStore(memento, { lockDir: join(root, 'globalStorage'), catchUpMs }), memento };
    }

    it('lets exactly one of two windows move a workspace out of ready, the other refused on the winner\'s status', async () => {
      const a = window();
      await a.store.putWorkspace(workspace('w'));
      const b = window();
      const outcomes = await Promise.allSettled([
        a.store.transition('w', ['ready'], { status: 'deleting' }),
        b.store.transition('w', ['ready'], { status: 'error', lastError: 'b' }),
      ]);
      assert.equal(outcomes.filter((outcome) => outcome.status === 'fulfilled').length, 1, 'one wins');
      const lost = outcomes.find((outcome) => outcome.status === 'rejected') as PromiseRejectedResult;
      assert.equal((lost.reason as WorkspaceError).kind, 'refused');
    });

    it('reads its own write at once, before it has reached any other window', async () => {
      const { store } = window();
      await store.putWorkspace(workspace('mine'));
      assert.deepEqual(store.workspaces().map((record) => record.id), ['mine']);
    });

    it('refuses to write, saying why and writing nothing, when another window\'s write never reaches its copy', async () => {
      const a = window();
      const b = window(200);
      // A copy that stops receiving other windows' writes: B's copy is frozen.
      b.memento.dispose();
      await a.store.putWorkspace(workspace('from-a'));
      await assert.rejects(b.store.putWorkspace(workspace('from-b')), (error: WorkspaceError) => {
        assert.equal(error.kind, 'failed');
        assert.match(error.message, /not reached this window within 200 ms.*nothing was written/);
        return true;
      });
      assert.deepEqual(new RecordStore(SharedMemento.main(join(root, 'globalState.json'))).workspaces().map((record) => record.id), ['from-a']);
    });
  });

  describe('one key per record', () => {
    it('writes each record under its own key, touching no other', async () => {
      const memento = new CountingMemento();
      const store = new RecordStore(memento);
      const keyA = await keyOf(memento, () => store.putWorkspace(workspace('a')));
      const keyB = await keyOf(memento, () => store.putWorkspace(workspace('b')));
      const keyS = await keyOf(memento, () => store.putSession(session('tw-s', 1)));
      assert.equal(new Set([keyA, keyB, keyS]).size, 3);
      const snapshotB = memento.get(keyB);
      const writes = memento.writes;
      await store.update('a', { status: 'error' });
      assert.equal(memento.writes, writes + 1, 'one write per record update (one window: no write counter)');
      assert.deepEqual(memento.get(keyB), snapshotB, 'the other record is untouched');
    });
  });

  describe('schema versions', () => {
    it('reads a record written before versions existed through the migration, as version 1', async () => {
      const memento = new MemoryMemento();
      const store = new RecordStore(memento);
      const key = await keyOf(memento, () => store.putWorkspace(workspace('old')));
      const unversioned: Record<string, unknown> = { ...workspace('old') };
      delete unversioned.v;
      await memento.update(key, unversioned);
      assert.equal(memento.get<{ v?: number }>(key)?.v, undefined);
      assert.equal(store.workspace('old')?.v, 1);
      assert.deepEqual(store.workspaces().map((ws) => [ws.id, ws.v]), [['old', 1]]);
      const updated = await store.update('old', { status: 'error' });
      assert.equal(updated?.v, SCHEMA_VERSION);
      assert.equal(memento.get<{ v?: number }>(key)?.v, SCHEMA_VERSION, 'the next write stores the current version');
    });

    it('ignores a record from a newer schema: not read, not listed, not overwritten', async () => {
      const memento = new MemoryMemento();
      const store = new RecordStore(memento);
      const workspaceKey = await keyOf(memento, () => store.putWorkspace(workspace('future')));
      const sessionKey = await keyOf(memento, () => store.putSession(session('tw-future', 5)));
      const futureWorkspace = { ...workspace('future'), v: SCHEMA_VERSION + 1, newField: 'kept' };
      const futureSession = { ...session('tw-future', 5), v: SCHEMA_VERSION + 1 };
      await memento.update(workspaceKey, futureWorkspace);
      await memento.update(sessionKey, futureSession);

      assert.equal(store.workspace('future'), undefined);
      assert.deepEqual(store.workspaces(), []);
      assert.equal(store.session('tw-future'), undefined);
      assert.deepEqual(store.sessions(), []);

      assert.equal(await store.update('future', { status: 'error' }), undefined);
      assert.equal(await store.addSetupEvent('future', { stage: 'setup', outcome: 'started', at: 2 }), undefined);
      await assert.rejects(store.transition('future', ['ready'], { status: 'deleting' }));
      assert.equal(await store.forgetSession('tw-future', 5), false);
      assert.deepEqual(memento.get(workspaceKey), futureWorkspace, 'the newer workspace record is left as it was');
      assert.deepEqual(memento.get(sessionKey), futureSession, 'the newer session record is left as it was');
    });
  });

  describe('transition (compare-and-swap on the status)', () => {
    it('moves from an expected status and stamps the change', async () => {
      const store = new RecordStore(new MemoryMemento());
      await store.putWorkspace(workspace('a', { status: 'error', lastError: 'boom' }));
      const next = await store.transition('a', ['error'], { status: 'creating', lastError: undefined });
      assert.equal(next.status, 'creating');
      assert.equal(next.lastError, undefined);
      assert.ok(next.updatedAt > 1);
      assert.equal(store.workspace('a')?.status, 'creating');
    });

    it('refuses from the wrong status and writes nothing', async () => {
      const memento = new CountingMemento();
      const store = new RecordStore(memento);
      await store.putWorkspace(workspace('a', { status: 'ready' }));
      const before = store.workspace('a');
      const writes = memento.writes;
      await assert.rejects(store.transition('a', ['error'], { status: 'creating' }), (error: WorkspaceError) => {
        assert.equal(error.kind, 'refused');
        assert.equal(error.details?.status, 'ready');
        assert.match(error.message, /is ready; expected error/);
        return true;
      });
      assert.equal(memento.writes, writes, 'no write');
      assert.deepEqual(store.workspace('a'), before);
    });

    it('refuses a workspace that no longer exists, writing nothing', async () => {
      const memento = new CountingMemento();
      const store = new RecordStore(memento);
      await assert.rejects(store.transition('gone', ['ready'], { status: 'deleting' }), (error: WorkspaceError) => error.kind === 'refused');
      assert.equal(memento.writes, 0);
      assert.deepEqual(memento.keys(), []);
    });
  });

  describe('forgetSession', () => {
    it('forgets only the generation it was given', async () => {
      const store = new RecordStore(new MemoryMemento());
      await store.putSession(session('tw-x', 100));
      assert.equal(await store.forgetSession('tw-x', 99), false, 'another generation is not forgotten');
      assert.equal(store.session('tw-x')?.createdAt, 100);
      assert.equal(await store.forgetSession('tw-x', 100), true);
      assert.equal(store.session('tw-x'), undefined);
      assert.equal(await store.forgetSession('tw-x', 100), false, 'nothing left to forget');
    });

    it('keeps a newer generation written under the same key since the caller looked', async () => {
      const store = new RecordStore(new MemoryMemento());
      const old = session('tw-x', 100);
      await store.putSession(old);
      await store.putSession(session('tw-x', 200, { launchId: 'relaunched' }));
      assert.equal(await store.forgetSession(old.key, old.createdAt), false);
      assert.equal(store.session('tw-x')?.launchId, 'relaunched');
    });
  });

  describe('installId', () => {
    it('is stable across calls, stores and concurrent first calls, and differs per memento', async () => {
      const memento = new MemoryMemento();
      const [first, concurrent] = await Promise.all([new RecordStore(memento).installId(), new RecordStore(memento).installId()]);
      assert.match(first, /^[0-9a-f-]{36}$/);
      assert.equal(concurrent, first);
      assert.equal(await new RecordStore(memento).installId(), first);
      assert.notEqual(await new RecordStore(new MemoryMemento()).installId(), first);
    });
  });
  it('keeps each host to its own records: a remote window neither sees nor forgets the local ones', async () => {
    const memento = new MemoryMemento();
    const local = new RecordStore(memento, { host: 'laptop' });
    const remote = new RecordStore(memento, { host: 'devbox' });
    await local.putWorkspace(workspace('a'));
    await local.putSession(session('tw-a-agent-1', 5, { workspaceId: 'a' }));
    await remote.putWorkspace(workspace('b'));
    assert.deepEqual(local.workspaces().map((record) => record.id), ['a']);
    assert.deepEqual(remote.workspaces().map((record) => record.id), ['b']);
    assert.deepEqual(remote.sessions(), []);
    assert.equal(remote.session('tw-a-agent-1'), undefined);
    assert.equal(await remote.forgetSession('tw-a-agent-1'), false);
    assert.equal(local.sessions().length, 1, 'the local record survives the remote window');
  });

  it('treats records written before hosts were recorded as every host\'s', async () => {
    const memento = new MemoryMemento();
    await memento.update('tmuxWorkspaces.workspace/legacy', { ...workspace('legacy') });
    assert.deepEqual(new RecordStore(memento, { host: 'anywhere' }).workspaces().map((record) => record.id), ['legacy']);
  });
});
