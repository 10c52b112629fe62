import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WorkspaceError } from '../../src/core/errors';
import { waitForEvent } from '../../src/core/events';
import type { LifecycleChange } from '../../src/core/lifecycle/RuntimeLifecycle';
import { FileLock } from '../../src/core/lifecycle/TransitionLock';
import { MemoryMemento } from '../../src/core/store/MemoryMemento';
import { RecordStore } from '../../src/core/store/RecordStore';
import { TmuxClient } from '../../src/core/tmux/TmuxClient';
import { FailingTmux, interceptWrites } from '../helpers/faults';
import { git } from '../helpers/gitRepo';
import { orphanReaper } from '../helpers/pieces';
import { eventually } from '../helpers/poll';
import { useWorld } from '../helpers/world';

const AGENT = ['/bin/sh', '-c', 'echo agent ready; exec sleep 600'];

describe('RuntimeLifecycle', () => {
  const world = useWorld();

  describe('create', () => {
    it('creates the worktree beside the repository, starts the base terminal and ends ready', async () => {
      const ws = await world.readyWorkspace();
      assert.equal(ws.status, 'ready');
      assert.equal(ws.worktreePath, join(world.repo.root, 'repo.worktrees', 'feature-one'));
      assert.ok(existsSync(join(ws.worktreePath, 'README.md')));
      assert.equal(await git(ws.worktreePath, 'branch', '--show-current'), 'feature/one');
      assert.ok((await world.liveNames()).includes(ws.baseSession));
      assert.deepEqual(
        ws.setupEvents.filter((e) => e.outcome === 'ok').map((e) => e.stage),
        ['worktree', 'terminal', 'include'],
      );
    });

    it('returns the existing workspace when the same repository and branch are created again', async () => {
      const first = await world.readyWorkspace();
      const again = await world.readyWorkspace();
      assert.equal(again.id, first.id);
      assert.equal((await world.lifecycle.listWorkspaces()).length, 1);
    });

    it('checks out a remote-only branch under its local name, and deletes the local branch it made', async () => {
      const origin = join(world.repo.root, 'origin.git');
      await git(world.repo.root, 'clone', '-q', '--bare', world.repo.repo, origin);
      await git(world.repo.repo, 'remote', 'add', 'origin', origin);
      await git(world.repo.repo, 'push', '-q', 'origin', 'main:remote-only');
      await git(world.repo.repo, 'fetch', '-q', 'origin');
      const ws = await world.lifecycle.createWorkspace({ repoPath: world.repo.repo, branch: 'origin/remote-only', source: 'existing' });
      assert.equal(ws.branch, 'remote-only');
      assert.equal(await git(ws.worktreePath, 'branch', '--show-current'), 'remote-only');
      await world.lifecycle.deleteWorkspace(ws.id);
      assert.equal(await git(world.repo.repo, 'branch', '--list', 'remote-only'), '', 'the local branch it made is gone');
      assert.match(await git(world.repo.repo, 'branch', '-r'), /origin\/remote-only/, 'the remote branch is untouched');
    });

    it('checks out an existing branch without claiming it, so delete keeps the branch', async () => {
      await git(world.repo.repo, 'branch', 'existing');
      const ws = await world.lifecycle.createWorkspace({ repoPath: world.repo.repo, branch: 'existing', source: 'existing' });
      assert.equal(ws.createdBranch, false);
      await world.lifecycle.deleteWorkspace(ws.id);
      assert.match(await git(world.repo.repo, 'branch', '--list', 'existing'), /existing/);
    });

    it('gives back its claim on a branch that adding the worktree never made, so delete keeps one made later', async () => {
      await assert.rejects(world.lifecycle.createWorkspace({ repoPath: world.repo.repo, branch: 'nowhere', source: 'existing' }), /exists neither locally nor on a remote/);
      const [ws] = new RecordStore(world.harness.memento).workspaces();
      assert.equal(ws.status, 'error');
      assert.equal(ws.createdBranch, false);
      await git(world.repo.repo, 'branch', 'nowhere');
      await world.lifecycle.deleteWorkspace(ws.id);
      assert.match(await git(world.repo.repo, 'branch', '--list', 'nowhere'), /nowhere/);
    });

    it('keeps the worktree, its branch and the base terminal when the setup command fails, so the user can look and fix', async () => {
      const attempt = world.lifecycle.createWorkspace({ repoPath: world.repo.repo, branch: 'broken', setupCommand: 'echo building; exit 7' });
      await assert.rejects(attempt, (error: WorkspaceError) => error.message === 'The setup command `echo building; exit 7` exited with 7.');
      const [view] = await world.lifecycle.listWorkspaces();
      assert.equal(view.record.status, 'error');
      assert.equal(view.record.lastError, 'The setup command `echo building; exit 7` exited with 7.', 'one short sentence; the log is behind Show Setup Log');
      assert.ok(existsSync(join(view.record.worktreePath, 'README.md')), 'the worktree is kept for the user to look at');
      assert.equal(await git(view.record.worktreePath, 'branch', '--show-current'), 'broken');
      assert.equal(view.record.createdBranch, true, 'the branch is still deleted with the workspace');
      assert.equal(view.base.alive, true, 'the base terminal is kept');
    });

    it('stamps each attempt in the setup log in local time, the zone the tooltips use', async () => {
      const zone = process.env.TZ;
      process.env.TZ = 'Asia/Kathmandu';
      try {
        const before = Date.now();
        const ws = await world.lifecycle.createWorkspace({ repoPath: world.repo.repo, branch: 'stamped', setupCommand: 'true' });
        const stamp = /^=== (\S+ \S+) /m.exec(await readFile(ws.setupLog!, 'utf8'))?.[1] ?? '';
        assert.match(stamp, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
        // Without a zone, `new Date` reads the stamp as local time.
        assert.ok(Math.abs(new Date(stamp.replace(' ', 'T')).getTime() - before) < 60_000, `${stamp} is local time`);
      } finally {
        if (zone === undefined) delete process.env.TZ;
        else process.env.TZ = zone;
      }
    });

    it('re-runs only what is missing on Retry Setup after a failed setup command', async () => {
      const marker = join(world.repo.root, 'fixed');
      const command = `test -e '${marker}' || exit 3`;
      await assert.rejects(world.lifecycle.createWorkspace({ repoPath: world.repo.repo, branch: 'fixme', setupCommand: command }));
      const failedRecord = (await world.lifecycle.listWorkspaces())[0].record;
      await writeFile(join(failedRecord.worktreePath, 'my-fix.txt'), 'looked and fixed\n');
      await writeFile(marker, '');
      const ready = await world.lifecycle.retrySetup(failedRecord.id, { setupCommand: command });
      assert.equal(ready.status, 'ready');
      const retried = ready.setupEvents.slice(failedRecord.setupEvents.length);
      assert.deepEqual(retried.filter((e) => e.outcome === 'started').map((e) => e.stage), ['terminal', 'setup'], 'no new worktree, no second copy of included files');
      assert.ok(existsSync(join(ready.worktreePath, 'my-fix.txt')), 'what the user did in the kept worktree is still there');
      assert.ok((await world.liveNames()).includes(ready.baseSession));
    });

    it('retries setup from error and keeps the log of every attempt', async () => {
      const marker = join(world.repo.root, 'second-attempt');
      const command = `test -e ${marker} || { echo first attempt; exit 1; }`;
      await assert.rejects(world.lifecycle.createWorkspace({ repoPath: world.repo.repo, branch: 'retry', setupCommand: command }));
      const [failedView] = await world.lifecycle.listWorkspaces();
      await writeFile(marker, '');
      const ready = await world.lifecycle.retrySetup(failedView.record.id, { setupCommand: command });
      assert.equal(ready.status, 'ready');
      assert.ok(existsSync(ready.worktreePath));
      assert.equal(ready.createdBranch, true);
    });

    it('refuses retry on a ready workspace and records no setup attempt', async () => {
      const ws = await world.readyWorkspace();
      const before = world.lifecycle.workspace(ws.id)!.setupEvents.length;
      await assert.rejects(world.lifecycle.retrySetup(ws.id), (error: WorkspaceError) => error.kind === 'refused');
      assert.equal(world.lifecycle.workspace(ws.id)!.setupEvents.length, before);
      assert.equal(world.lifecycle.workspace(ws.id)!.status, 'ready');
    });

    /** An ignored `.env` in the main checkout, and a committed `.worktreeinclude` with `listing`. */
    async function includeListing(listing: string): Promise<void> {
      await writeFile(join(world.repo.repo, '.env'), 'TOKEN=local\n');
      await writeFile(join(world.repo.repo, '.gitignore'), '.env\n');
      await writeFile(join(world.repo.repo, '.worktreeinclude'), listing);
      await git(world.repo.repo, 'add', '.gitignore', '.worktreeinclude');
      await git(world.repo.repo, 'commit', '-q', '-m', 'include');
    }

    it('copies files listed in .worktreeinclude into the new worktree', async () => {
      await includeListing('# local secrets\n.env\n../outside\n');
      const ws = await world.readyWorkspace('with-env');
      assert.ok(existsSync(join(ws.worktreePath, '.env')));
    });

    it('does not apply .worktreeinclude while the editor does not trust the workspace, and the setup log says so', async () => {
      await includeListing('.env\n');
      const untrusted = await world.harness.lifecycle({ isTrusted: () => false });
      const ws = await untrusted.createWorkspace({ repoPath: world.repo.repo, branch: 'untrusted' });
      assert.equal(ws.status, 'ready');
      assert.ok(!existsSync(join(ws.worktreePath, '.env')), 'nothing copied');
      const include = ws.setupEvents.find((event) => event.stage === 'include' && event.outcome !== 'started');
      assert.match(include?.detail ?? '', /not applied: the workspace is not trusted/);
    });

    it('applies .worktreeinclude on a Retry Setup once the editor trusts the workspace, where the first attempt skipped it', async () => {
      await includeListing('.env\n');
      let trusted = false;
      const lifecycle = await world.harness.lifecycle({ isTrusted: () => trusted });
      const failedOnce = await lifecycle.createWorkspace({ repoPath: world.repo.repo, branch: 'trust-later', setupCommand: 'exit 3' }).catch(() => undefined);
      assert.equal(failedOnce, undefined);
      const ws = (await lifecycle.listWorkspaces()).find((view) => view.record.branch === 'trust-later')!.record;
      assert.equal(ws.status, 'error');
      assert.ok(!existsSync(join(ws.worktreePath, '.env')), 'nothing copied while untrusted');
      trusted = true;
      const retried = await lifecycle.retrySetup(ws.id, { setupCommand: 'true' });
      assert.equal(retried.status, 'ready');
      assert.ok(existsSync(join(ws.worktreePath, '.env')), 'copied once trusted');
    });
  });

  describe('launch', () => {
    it('launches an agent in its own marked session and records it', async () => {
      const ws = await world.readyWorkspace();
      const session = await world.lifecycle.launchSession(ws.id, { kind: 'agent', label: 'Claude', agentId: 'claude', command: AGENT });
      const markers = await world.fixture.tmux('list-sessions', '-F', '#{session_name} #{@tw_launch} #{pane_current_path}');
      assert.match(markers, new RegExp(`${session.tmuxName} ${session.launchId} ${ws.worktreePath}`));
      const [view] = await world.lifecycle.listWorkspaces();
      assert.deepEqual(view.sessions.map((s) => [s.record.label, s.alive]), [['Claude', true]]);
    });

    it('keeps one shell per workspace: a second launch returns the first', async () => {
      const ws = await world.readyWorkspace();
      const first = await world.lifecycle.launchSession(ws.id, { kind: 'shell' });
      const second = await world.lifecycle.launchSession(ws.id, { kind: 'shell' });
      assert.equal(second.key, first.key);
      assert.equal((await world.liveNames()).filter((name) => name.includes('-shell-')).length, 1);
    });

    it('leaves no record behind when the agent exits at once', async () => {
      const ws = await world.readyWorkspace();
      world.lifecycle.dispose(); // one window only: its own post-launch check must catch the exit
      // A store that, after recording, waits until tmux has seen the process end.
      const memento = world.harness.memento;
      const slow = await world.harness.lifecycle({
        memento: interceptWrites(memento, async (key, value) => {
          await memento.update(key, value);
          if (key.includes('.session/') && value) {
            const name = (value as { tmuxName: string }).tmuxName;
            await eventually(async () => !(await world.liveNames()).includes(name), 5000, 'agent exit');
          }
        }),
      });
      await assert.rejects(slow.launchSession(ws.id, { kind: 'agent', label: 'quick', command: ['/bin/sh', '-c', 'exit 3'] }), /exited immediately with status 3/);
      assert.deepEqual(new RecordStore(memento).sessions(), []);
    });

    it('says the tmux server stopped, not that the agent exited, when the server goes right after a launch', async () => {
      const ws = await world.readyWorkspace();
      world.lifecycle.dispose();
      // The server dies (a tmux crash) once the record is written, before the launch checks its session.
      const memento = world.harness.memento;
      const crashing = await world.harness.lifecycle({
        memento: interceptWrites(memento, async (key, value) => {
          await memento.update(key, value);
          if (key.includes('.session/') && value) await world.fixture.killServer();
        }),
      });
      await assert.rejects(crashing.launchSession(ws.id, { kind: 'agent', label: 'agent', command: AGENT }), (error: Error) => {
        assert.match(error.message, /tmux server stopped just as agent started/);
        assert.doesNotMatch(error.message, /exited immediately/);
        return true;
      });
      assert.deepEqual(new RecordStore(memento).sessions(), [], 'no record of a session that never ran');
    });

    it('kills the session when the record write fails, and surfaces the error', async () => {
      const ws = await world.readyWorkspace();
      const memento = world.harness.memento;
      const failing = await world.harness.lifecycle({
        memento: interceptWrites(memento, async (key, value) => {
          if (key.includes('.session/')) throw new Error('disk full');
          await memento.update(key, value);
        }),
      });
      await assert.rejects(failing.launchSession(ws.id, { kind: 'agent', command: AGENT }), /disk full.*stopped/);
      assert.deepEqual((await world.liveNames()).filter((name) => name !== ws.baseSession && name !== 'tw-watcher'), []);
    });

    it('does not kill a session another window adopted when its own record write fails', async () => {
      const ws = await world.readyWorkspace();
      const memento = world.harness.memento;
      const failing = await world.harness.lifecycle({
        memento: interceptWrites(memento, async (key, value) => {
          if (key.includes('.session/')) {
            // Another window adopts the session (a new launch id) before this write fails.
            const name = (value as { tmuxName: string }).tmuxName;
            await world.fixture.tmux('set-option', '-t', `=${name}:`, '@tw_launch', 'adopted-elsewhere');
            throw new Error('write failed');
          }
          await memento.update(key, value);
        }),
      });
      await assert.rejects(failing.launchSession(ws.id, { kind: 'agent', command: AGENT }), /write failed/);
      assert.equal((await world.liveNames()).filter((name) => name.startsWith(`tw-${ws.id}-`) && name !== ws.baseSession).length, 1);
    });

    it('refuses to launch in a workspace that is not ready', async () => {
      await assert.rejects(world.lifecycle.createWorkspace({ repoPath: world.repo.repo, branch: 'bad', setupCommand: 'exit 1' }));
      const [view] = await world.lifecycle.listWorkspaces();
      await assert.rejects(
        world.lifecycle.launchSession(view.record.id, { kind: 'shell' }),
        (error: WorkspaceError) => error.kind === 'refused' && /error/.test(error.message),
      );
    });

    it('runs arguments with shell metacharacters literally', async () => {
      const ws = await world.readyWorkspace();
      const out = join(world.repo.root, 'args.txt');
      const tricky = ['$HOME', '`id`', 'a;b', "it's", '"q"', '*', '$(touch pwned)'];
      const session = await world.lifecycle.launchSession(ws.id, {
        kind: 'agent',
        command: ['/bin/sh', '-c', 'printf "%s\\n" "$@" > "$0"; exec sleep 600', out, ...tricky],
      });
      await eventually(() => existsSync(out), 5000, 'args written');
      const { readFile } = await import('node:fs/promises');
      await eventually(async () => (await readFile(out, 'utf8')).split('\n').length > tricky.length, 5000, 'all args');
      assert.deepEqual((await readFile(out, 'utf8')).trimEnd().split('\n'), tricky);
      assert.ok(!existsSync(join(ws.worktreePath, 'pwned')));
      await world.lifecycle.stopSession(session.key);
    });
  });

  describe('stop', () => {
    it('works from the record alone after a reload', async () => {
      const ws = await world.readyWorkspace();
      const session = await world.lifecycle.launchSession(ws.id, { kind: 'agent', command: AGENT });
      const reloaded = await world.harness.reload();
      await reloaded.stopSession(session.key);
      assert.ok(!(await world.liveNames()).includes(session.tmuxName));
      assert.equal(reloaded.session(session.key), undefined);
    });

    it('counts an already-gone session as stopped and forgets it', async () => {
      const ws = await world.readyWorkspace();
      const session = await world.lifecycle.launchSession(ws.id, { kind: 'agent', command: AGENT });
      world.lifecycle.dispose(); // no watcher: the kill below goes unnoticed until stop
      await world.fixture.tmux('kill-session', '-t', `=${session.tmuxName}`);
      const fresh = await world.harness.lifecycle();
      await fresh.stopSession(session.key);
      assert.equal(fresh.session(session.key), undefined);
    });

    it('keeps the record and reports when the kill really fails', async () => {
      const ws = await world.readyWorkspace();
      const session = await world.lifecycle.launchSession(ws.id, { kind: 'agent', command: AGENT });
      const broken = new FailingTmux(world.fixture, 'kill-session');
      const withBrokenTmux = await world.harness.lifecycle({ tmuxClient: broken });
      await assert.rejects(withBrokenTmux.stopSession(session.key), /kill-session failed: injected failure/);
      assert.ok(withBrokenTmux.session(session.key));
      assert.ok((await world.liveNames()).includes(session.tmuxName));
    });
  });

  describe('natural exit', () => {
    it('is seen even when the user\'s tmux config keeps dead panes (remain-on-exit on)', async () => {
      const ws = await world.readyWorkspace();
      await world.fixture.tmux('set-option', '-g', 'remain-on-exit', 'on');
      const session = await world.lifecycle.launchSession(ws.id, { kind: 'agent', command: ['/bin/sh', '-c', 'read line; exit 4'] });
      const ended = waitForEvent(world.lifecycle.onDidChange, (change: LifecycleChange) => change.type === 'session-ended', 5000);
      await world.fixture.tmux('send-keys', '-t', `=${session.tmuxName}:`, 'done', 'Enter');
      const change = await ended;
      assert.ok(change.type === 'session-ended' && change.exitCode === 4);
      assert.ok(!(await world.liveNames()).includes(session.tmuxName), 'no dead pane keeps the session');
    });

    it('forgets a session whose process ends, and reports its exit status', async () => {
      const ws = await world.readyWorkspace();
      const session = await world.lifecycle.launchSession(ws.id, { kind: 'agent', command: ['/bin/sh', '-c', 'read line; exit 5'] });
      const ended = waitForEvent(world.lifecycle.onDidChange, (change: LifecycleChange) => change.type === 'session-ended', 5000);
      await world.fixture.tmux('send-keys', '-t', `=${session.tmuxName}:`, 'done', 'Enter');
      const change = await ended;
      assert.ok(change.type === 'session-ended' && change.natural && change.exitCode === 5);
      assert.equal(world.lifecycle.session(session.key), undefined);
    });
  });

  describe('delete', () => {
    it('refuses a dirty worktree, keeps its sessions running and its status unchanged', async () => {
      const ws = await world.readyWorkspace();
      const session = await world.lifecycle.launchSession(ws.id, { kind: 'agent', command: AGENT });
      await writeFile(join(ws.worktreePath, 'notes.txt'), 'unsaved work\n');
      await assert.rejects(world.lifecycle.deleteWorkspace(ws.id), (error: WorkspaceError) => {
        assert.equal(error.kind, 'refused');
        assert.deepEqual(error.details?.dirtyFiles, ['notes.txt']);
        return true;
      });
      assert.equal(world.lifecycle.workspace(ws.id)!.status, 'ready');
      assert.ok((await world.liveNames()).includes(session.tmuxName));
      assert.ok(existsSync(join(ws.worktreePath, 'notes.txt')));
    });

    it('refuses unpushed commits on the workspace branch', async () => {
      const ws = await world.readyWorkspace();
      await writeFile(join(ws.worktreePath, 'work.txt'), 'done\n');
      await git(ws.worktreePath, 'add', '.');
      await git(ws.worktreePath, 'commit', '-q', '-m', 'local work');
      const preview = await world.lifecycle.previewDelete(ws.id);
      assert.equal(preview.unpushedCommits.length, 1);
      await assert.rejects(world.lifecycle.deleteWorkspace(ws.id), /1 unpushed commit/);
      assert.ok(existsSync(ws.worktreePath));
    });

    it('refuses unpushed commits on the branch even when the worktree folder is gone', async () => {
      const ws = await world.readyWorkspace();
      await writeFile(join(ws.worktreePath, 'work.txt'), 'done\n');
      await git(ws.worktreePath, 'add', '.');
      await git(ws.worktreePath, 'commit', '-q', '-m', 'local work');
      await rm(ws.worktreePath, { recursive: true, force: true });
      await assert.rejects(world.lifecycle.deleteWorkspace(ws.id), /1 unpushed commit/);
      assert.match(await git(world.repo.repo, 'log', '--format=%s', 'feature/one'), /local work/);
      await world.lifecycle.deleteWorkspace(ws.id, { force: true });
      assert.equal(await git(world.repo.repo, 'branch', '--list', 'feature/one'), '');
    });

    it('force delete removes sessions, worktree, the branch it created and the records', async () => {
      const ws = await world.readyWorkspace();
      const session = await world.lifecycle.launchSession(ws.id, { kind: 'agent', command: AGENT });
      await writeFile(join(ws.worktreePath, 'notes.txt'), 'scratch\n');
      await world.lifecycle.deleteWorkspace(ws.id, { force: true });
      const names = await world.liveNames();
      assert.ok(!names.includes(session.tmuxName) && !names.includes(ws.baseSession));
      assert.ok(!existsSync(ws.worktreePath));
      assert.equal(await git(world.repo.repo, 'branch', '--list', 'feature/one'), '');
      assert.deepEqual(await world.lifecycle.listWorkspaces(), []);
      assert.equal(world.lifecycle.session(session.key), undefined);
    });

    it('stops before git is touched when a kill really fails, leaving deletion_failed to retry', async () => {
      const ws = await world.readyWorkspace();
      await world.lifecycle.launchSession(ws.id, { kind: 'agent', command: AGENT });
      const broken = await world.harness.lifecycle({ tmuxClient: new FailingTmux(world.fixture, 'kill-session') });
      await assert.rejects(broken.deleteWorkspace(ws.id), /delete: could not stop/);
      assert.equal(broken.workspace(ws.id)!.status, 'deletion_failed');
      assert.ok(existsSync(ws.worktreePath));
      await world.lifecycle.deleteWorkspace(ws.id);
      assert.deepEqual(await world.lifecycle.listWorkspaces(), []);
    });
  });

  describe('reconcile', () => {
    it('turns an interrupted create into error and an interrupted delete into deletion_failed', async () => {
      const store = new RecordStore(world.harness.memento);
      const ws = await world.readyWorkspace();
      const other = await world.readyWorkspace('two');
      await store.update(ws.id, { status: 'creating' });
      await store.update(other.id, { status: 'deleting' });
      const fresh = await world.harness.reload();
      assert.equal(fresh.workspace(ws.id)!.status, 'error');
      assert.match(fresh.workspace(ws.id)!.lastError!, /setup was interrupted; retry setup or delete/);
      assert.equal(fresh.workspace(other.id)!.status, 'deletion_failed');
      assert.match(fresh.workspace(other.id)!.lastError!, /deletion was interrupted; retry deletion/);
    });

    it('lets an open window recover a transition whose window died, once the shared lock is free', async () => {
      const locks = await mkdtemp(join(tmpdir(), 'tw-locks-'));
      try {
        const ws = await world.readyWorkspace();
        const store = new RecordStore(world.harness.memento);
        // As another window leaves it when it dies mid-create: `creating`, and no one holding the lock.
        await store.update(ws.id, { status: 'creating' });
        await world.lifecycle.reconcile();
        assert.equal(world.lifecycle.workspace(ws.id)!.status, 'creating', 'a window-local lock cannot tell a dead window from a busy one');
        const shared = await world.harness.lifecycle({ lock: new FileLock(locks) });
        await shared.reconcile();
        assert.equal(shared.workspace(ws.id)!.status, 'error');
        assert.match(shared.workspace(ws.id)!.lastError!, /setup was interrupted/);
      } finally {
        await rm(locks, { recursive: true, force: true });
      }
    });

    it('leaves alone a transition another window is still running', async () => {
      const locks = await mkdtemp(join(tmpdir(), 'tw-locks-'));
      try {
        const ws = await world.readyWorkspace();
        const busyWindow = new FileLock(locks);
        const observer = await world.harness.lifecycle({ lock: new FileLock(locks) });
        await busyWindow.run(ws.id, async () => {
          await new RecordStore(world.harness.memento).update(ws.id, { status: 'deleting' });
          await observer.reconcile();
          assert.equal(observer.workspace(ws.id)!.status, 'deleting');
        });
      } finally {
        await rm(locks, { recursive: true, force: true });
      }
    });

    it('keeps live sessions and forgets dead ones on reload', async () => {
      const ws = await world.readyWorkspace();
      const live = await world.lifecycle.launchSession(ws.id, { kind: 'agent', label: 'live', command: AGENT });
      const dead = await world.lifecycle.launchSession(ws.id, { kind: 'agent', label: 'dead', command: AGENT });
      world.lifecycle.dispose();
      await world.fixture.tmux('kill-session', '-t', `=${dead.tmuxName}`);
      const fresh = await world.harness.reload();
      const [view] = await fresh.listWorkspaces();
      assert.deepEqual(view.sessions.map((s) => s.record.key), [live.key]);
    });

    it('does not mark workspaces broken when the tmux server is empty, and recreates the base on attach', async () => {
      const ws = await world.readyWorkspace();
      const session = await world.lifecycle.launchSession(ws.id, { kind: 'agent', command: AGENT });
      world.lifecycle.dispose();
      await world.fixture.killServer();
      const fresh = await world.harness.reload();
      const [view] = await fresh.listWorkspaces();
      assert.equal(view.record.status, 'ready');
      assert.equal(view.base.alive, false);
      assert.equal(fresh.session(session.key), undefined);
      const target = await fresh.attachTarget({ workspaceId: ws.id });
      assert.equal(target.tmuxName, ws.baseSession);
      assert.ok((await world.liveNames()).includes(ws.baseSession));
    });
  });

  describe('orphans', () => {
    it('lists workspaces and orphans for one tree refresh with a single list-sessions', async () => {
      const ws = await world.readyWorkspace();
      await world.lifecycle.launchSession(ws.id, { kind: 'agent', command: AGENT });
      const listings: string[] = [];
      const counted = await world.harness.lifecycle({
        tmuxClient: world.fixture.client({ log: (record) => record.argv.includes('list-sessions') && listings.push(record.argv.join(' ')) }),
      });
      await counted.start();
      listings.length = 0;
      await counted.reconcile();
      const [views, orphans] = await Promise.all([counted.listWorkspaces(), counted.listOrphans()]);
      assert.equal(views[0].sessions.length, 1);
      assert.deepEqual(orphans, []);
      assert.equal(listings.length, 1, listings.join('\n'));
    });

    it('reaps only owner-marked, unrecorded sessions older than the grace period', async () => {
      const ws = await world.readyWorkspace();
      const recorded = await world.lifecycle.launchSession(ws.id, { kind: 'agent', command: AGENT });
      const owner = await new RecordStore(world.harness.memento).installId();
      const start = (name: string, markerOwner?: string) =>
        world.fixture.tmux('new-session', '-d', '-s', name, '--', 'sleep', '600', ...(markerOwner ? [';', 'set-option', '-t', `=${name}:`, '@tw_owner', markerOwner] : []));
      await start('tw-orphan-x', owner);
      await start('tw-foreign-y', 'another-install');
      await start('tw-unmarked-z');
      await start('users-own', owner);
      const young = orphanReaper(world.harness, { orphanGraceMs: 60_000 });
      assert.deepEqual(await young.reap(), [], 'nothing is reaped inside the grace period');
      const reaper = orphanReaper(world.harness, { orphanGraceMs: 0 });
      assert.deepEqual(await reaper.reap(), ['tw-orphan-x']);
      const names = await world.liveNames();
      for (const kept of [recorded.tmuxName, ws.baseSession, 'tw-foreign-y', 'tw-unmarked-z', 'users-own']) {
        assert.ok(names.includes(kept), `${kept} survives`);
      }
    });
  });

  describe('without tmux', () => {
    it('forgets no session record just because this window cannot run tmux', async () => {
      const ws = await world.readyWorkspace();
      const session = await world.lifecycle.launchSession(ws.id, { kind: 'agent', command: AGENT });
      const noTmux = await world.harness.lifecycle({ tmuxClient: new TmuxClient({ command: ['/nonexistent/tmux'] }) });
      await noTmux.start();
      await noTmux.reconcile();
      assert.ok(noTmux.session(session.key), 'the record is kept');
      assert.ok((await world.liveNames()).includes(session.tmuxName), 'the agent runs on');
    });

    it('lists, creates (saying why there is no base terminal) and deletes; launch names tmux', async () => {
      const noTmux = await world.harness.lifecycle({ tmuxClient: new TmuxClient({ command: ['/nonexistent/tmux'] }) });
      const ws = await noTmux.createWorkspace({ repoPath: world.repo.repo, branch: 'offline' });
      assert.equal(ws.status, 'ready');
      assert.match(ws.baseNote ?? '', /tmux is not installed/);
      assert.equal((await noTmux.listWorkspaces()).length, 1);
      await assert.rejects(noTmux.launchSession(ws.id, { kind: 'shell' }), (error: WorkspaceError) => error.kind === 'unavailable' && /tmux/.test(error.message));
      await noTmux.deleteWorkspace(ws.id);
      assert.deepEqual(await noTmux.listWorkspaces(), []);
      assert.ok(!existsSync(ws.worktreePath));
    });
  });

  describe('environment', () => {
    it('keeps a secret in the extension environment out of the tmux server and agent panes', async () => {
      const ws = await world.readyWorkspace();
      const out = join(world.repo.root, 'pane-env.txt');
      await world.lifecycle.launchSession(ws.id, {
        kind: 'agent',
        command: ['/bin/sh', '-c', 'env > "$0"; exec sleep 600', out],
        environment: { AGENT_MODE: 'on' },
      });
      await eventually(() => existsSync(out), 5000, 'pane env written');
      const { readFile } = await import('node:fs/promises');
      const paneEnv = await eventually(async () => {
        const text = await readFile(out, 'utf8');
        return text.includes('AGENT_MODE') ? text : undefined;
      });
      assert.doesNotMatch(paneEnv, /GITHUB_TOKEN/);
      assert.match(paneEnv, /AGENT_MODE=on/);
      assert.match(paneEnv, /TMUX_WORKSPACES_SESSION=tw-/);
      assert.doesNotMatch(await world.fixture.tmux('show-environment', '-g'), /GITHUB_TOKEN/);
      assert.ok(world.fixture.environment.GITHUB_TOKEN, 'the secret was in the environment the client saw');
    });
  });

  it('uses an in-memory store per harness', () => {
    assert.ok(world.harness.memento instanceof MemoryMemento);
  });
});
