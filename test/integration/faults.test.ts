import * as assert from 'node:assert/strict';
import { AsyncLocalStorage } from 'node:async_hooks';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RuntimeLifecycle } from '../../src/core/lifecycle/RuntimeLifecycle';
import { defaultWorktreePath } from '../../src/core/naming';
import { RecordStore } from '../../src/core/store/RecordStore';
import { SessionWatcher } from '../../src/core/tmux/SessionWatcher';
import type { WorkspaceStatus } from '../../src/core/store/records';
import { FailingTmux, FaultyMemento, TMUX_FAULTS, type TmuxFault } from '../helpers/faults';
import { makeRepo } from '../helpers/gitRepo';
import { Harness } from '../helpers/harness';
import { checkInvariants as checkWorldInvariants, liveSessions, type DirtyMark } from '../helpers/invariants';
import { TmuxFixture } from '../helpers/tmuxFixture';

/**
 * Every lifecycle transition, with one fault injected at a time (a tmux
 * subcommand that fails, or the Nth record write that fails), must report the
 * failure and leave a state that the next window's reconcile brings back in
 * line: tmux and records agree, dirty work survives, failures are visible.
 */

const AGENT = ['/bin/sh', '-c', 'exec sleep 600'];
const BRANCH = 'feature/fault';

interface World {
  readonly harness: Harness;
  readonly memento: FaultyMemento;
  readonly store: RecordStore;
  readonly repo: Awaited<ReturnType<typeof makeRepo>>;
  readonly dirty: DirtyMark[];
}

interface Prepared {
  readonly workspaceId?: string;
  readonly sessionKey?: string;
}

interface Operation {
  readonly title: string;
  /** The tmux subcommands the operation runs when nothing fails. */
  readonly uses: readonly TmuxFault[];
  /** What the operation does when no fault fires. */
  readonly withoutFault: 'resolves' | 'rejects';
  prepare(world: World, lifecycle: RuntimeLifecycle): Promise<Prepared>;
  run(lifecycle: RuntimeLifecycle, prepared: Prepared, world: World): Promise<unknown>;
}

async function readyWithAgent(world: World, lifecycle: RuntimeLifecycle, dirty?: { forced: boolean }): Promise<Prepared> {
  const ws = await lifecycle.createWorkspace({ repoPath: world.repo.repo, branch: BRANCH });
  const session = await lifecycle.launchSession(ws.id, { kind: 'agent', label: 'agent', command: AGENT });
  if (dirty) {
    await writeFile(join(ws.worktreePath, 'notes.txt'), 'unsaved work\n');
    world.dirty.push({ path: ws.worktreePath, file: 'notes.txt', forced: dirty.forced });
  }
  return { workspaceId: ws.id, sessionKey: session.key };
}

/** A setup command that leaves an untracked file in the worktree, and says so outside it. */
function dirtyingSetup(world: World, then = 'true'): string {
  const worktree = defaultWorktreePath(world.repo.repo, BRANCH);
  const ran = join(world.repo.root, 'setup-ran');
  world.dirty.push({ path: worktree, file: 'notes.txt', forced: false, onlyIf: ran });
  return `printf scratch > notes.txt && touch '${ran}' && ${then}`;
}

const OPERATIONS: readonly Operation[] = [
  {
    title: 'launchSession',
    uses: ['new-session', 'set-option', 'has-session'],
    withoutFault: 'resolves',
    prepare: async (world, lifecycle) => {
      const ws = await lifecycle.createWorkspace({ repoPath: world.repo.repo, branch: BRANCH });
      return { workspaceId: ws.id };
    },
    run: (lifecycle, { workspaceId }) => lifecycle.launchSession(workspaceId!, { kind: 'agent', label: 'agent', command: AGENT }),
  },
  {
    title: 'stopSession',
    uses: ['kill-session'],
    withoutFault: 'resolves',
    prepare: (world, lifecycle) => readyWithAgent(world, lifecycle),
    run: (lifecycle, { sessionKey }) => lifecycle.stopSession(sessionKey!),
  },
  {
    title: 'deleteWorkspace',
    uses: ['kill-session'],
    withoutFault: 'resolves',
    prepare: (world, lifecycle) => readyWithAgent(world, lifecycle),
    run: (lifecycle, { workspaceId }) => lifecycle.deleteWorkspace(workspaceId!),
  },
  {
    title: 'deleteWorkspace with force on a dirty worktree',
    uses: ['kill-session'],
    withoutFault: 'resolves',
    prepare: (world, lifecycle) => readyWithAgent(world, lifecycle, { forced: true }),
    run: (lifecycle, { workspaceId }) => lifecycle.deleteWorkspace(workspaceId!, { force: true }),
  },
  {
    title: 'deleteWorkspace without force on a dirty worktree',
    uses: [],
    withoutFault: 'rejects',
    prepare: (world, lifecycle) => readyWithAgent(world, lifecycle, { forced: false }),
    run: (lifecycle, { workspaceId }) => lifecycle.deleteWorkspace(workspaceId!),
  },
  {
    title: 'createWorkspace',
    uses: ['new-session', 'set-option', 'has-session'],
    withoutFault: 'resolves',
    prepare: async () => ({}),
    run: (lifecycle, _prepared, world) => lifecycle.createWorkspace({ repoPath: world.repo.repo, branch: BRANCH, setupCommand: dirtyingSetup(world) }),
  },
  {
    title: 'createWorkspace whose setup command fails',
    // Nothing is killed: the worktree and the base terminal are kept for the user to look at.
    uses: ['new-session', 'set-option', 'has-session'],
    withoutFault: 'rejects',
    prepare: async () => ({}),
    run: (lifecycle, _prepared, world) =>
      lifecycle.createWorkspace({ repoPath: world.repo.repo, branch: BRANCH, setupCommand: dirtyingSetup(world, 'exit 3') }),
  },
  {
    title: 'retrySetup',
    uses: ['new-session', 'set-option', 'has-session'],
    withoutFault: 'resolves',
    prepare: async (world, lifecycle) => {
      await assert.rejects(lifecycle.createWorkspace({ repoPath: world.repo.repo, branch: BRANCH, setupCommand: 'exit 1' }));
      const ws = new RecordStore(world.memento).workspaces()[0];
      assert.equal(ws.status, 'error');
      // The failed setup kept its base terminal; gone (a reboot), Retry Setup starts it again.
      await world.harness.tmux.tmux('kill-session', '-t', `=${ws.baseSession}`);
      return { workspaceId: ws.id };
    },
    run: (lifecycle, { workspaceId }, world) => lifecycle.retrySetup(workspaceId!, { setupCommand: dirtyingSetup(world) }),
  },
];

describe('fault injection', function () {
  this.timeout(60_000);
  let fixture: TmuxFixture;

  before(async () => {
    fixture = await TmuxFixture.create();
  });
  after(async () => {
    await fixture.dispose();
  });

  async function newWorld(): Promise<World & { dispose(): Promise<void> }> {
    const memento = new FaultyMemento();
    const harness = new Harness(fixture, memento);
    const repo = await makeRepo();
    return {
      harness,
      memento,
      store: new RecordStore(memento.inner),
      repo,
      dirty: [],
      dispose: async () => {
        await harness.dispose();
        await fixture.killServer();
        await repo.cleanup();
      },
    };
  }

  function checkInvariants(world: World): Promise<void> {
    return checkWorldInvariants({ store: world.store, repoPath: world.repo.repo, dirty: world.dirty, tmux: fixture });
  }

  /** A failed operation leaves its workspace as it was, or visibly failed: never stuck in creating or deleting. */
  function checkFailureVisible(world: World, before: WorkspaceStatus | undefined, when: string): void {
    const ws = world.store.workspaces().find((record) => record.branch === BRANCH);
    if (!ws) return;
    if (ws.status === 'error' || ws.status === 'deletion_failed') {
      assert.ok(ws.lastError?.trim(), `${when}: status ${ws.status} carries the error message`);
    } else {
      assert.equal(ws.status, before, `${when}: status ${ws.status} is neither unchanged (${before ?? 'no record'}) nor a visible failure`);
    }
  }

  /**
   * One attempt from a fresh world: prepare with a healthy lifecycle, run the
   * operation in another one with the fault, then reload and check.
   */
  async function attempt(operation: Operation, fault: { tmux: TmuxFault } | { write: number }): Promise<boolean> {
    const world = await newWorld();
    try {
      const setup = await world.harness.lifecycle();
      const prepared = await operation.prepare(world, setup);
      setup.dispose();

      // The fault hits the operation's own calls: a background exit check may list sessions meanwhile.
      const failingTmux = 'tmux' in fault ? new FailingTmux(fixture, fault.tmux, { onlyDuring: true }) : undefined;
      const lifecycle = await world.harness.lifecycle(failingTmux ? { tmuxClient: failingTmux } : {});
      const before = world.store.workspaces().find((record) => record.branch === BRANCH)?.status;
      if ('write' in fault) world.memento.failNthWrite(fault.write);
      const run = () => operation.run(lifecycle, prepared, world);
      const outcome = await (failingTmux ? failingTmux.during(run) : run()).then(
        () => undefined,
        (error: unknown) => (error instanceof Error ? error : new Error(String(error))),
      );
      world.memento.disarm();
      const triggered = failingTmux ? failingTmux.triggered > 0 : world.memento.triggered;

      if (triggered) {
        assert.ok(outcome, 'a fault that fired is reported, not swallowed');
        assert.match(outcome.message, /injected|invalid option/, 'the message carries the cause');
      } else if (operation.withoutFault === 'resolves') {
        if (outcome) throw outcome;
      } else {
        assert.ok(outcome, `${operation.title} is refused`);
      }
      // When the refused write was the one recording the failure, only the rejection and the next activation can show it.
      const refusedStatus = (world.memento.refused?.value as { status?: WorkspaceStatus } | undefined)?.status;
      const failureRecordLost = refusedStatus === 'error' || refusedStatus === 'deletion_failed';
      if (outcome && !failureRecordLost) checkFailureVisible(world, before, 'in the window that failed');

      await world.harness.reload({ orphanGraceMs: 0, reapOrphans: true });
      if (outcome) checkFailureVisible(world, before, 'after a reload');
      await checkInvariants(world);
      return triggered;
    } finally {
      await world.dispose();
    }
  }

  describe('a failing tmux subcommand', () => {
    for (const operation of OPERATIONS) {
      for (const fault of TMUX_FAULTS) {
        const used = operation.uses.includes(fault);
        const title = used
          ? `${operation.title}: a failing ${fault} is reported, and records match tmux after a reload`
          : `${operation.title}: does not depend on ${fault}, and records match tmux after a reload`;
        it(title, async () => {
          const triggered = await attempt(operation, { tmux: fault });
          if (used) assert.ok(triggered, `${operation.title} ran tmux ${fault}, so the fault fired`);
        });
      }
    }
  });

  describe('a failing record write', () => {
    for (const operation of OPERATIONS) {
      it(`${operation.title}: a failed write at any step is reported, and records match tmux after a reload`, async function () {
        let writes = 0;
        for (let n = 1; ; n += 1) {
          assert.ok(n <= 40, 'the operation kept writing; the loop would not end');
          // The hang guard is per attempt: a busy machine makes a dozen fresh worlds slow, not wrong.
          this.timeout(60_000);
          if (!(await attempt(operation, { write: n }))) break;
          writes = n;
        }
        if (operation.withoutFault === 'resolves') assert.ok(writes > 0, `${operation.title} writes records, so a fault fired`);
      });
    }
  });

  describe('the fault itself', () => {
    it('hits only the operation under test, not background work of the same client', async () => {
      const failing = new FailingTmux(fixture, 'list-sessions', { onlyDuring: true });
      const background = new AsyncLocalStorage<string>().run('elsewhere', () => failing.listSessions());
      await assert.rejects(failing.during(() => failing.listSessions()), /injected failure/);
      assert.deepEqual(await background, [], 'the background listing met the real (empty) server');
      assert.equal(failing.triggered, 1);
      await fixture.killServer();
    });

    it('hits background work started by the operation only through its own calls: a watcher event is not one', async () => {
      const failing = new FailingTmux(fixture, 'list-sessions', { onlyDuring: true });
      const watcher = new SessionWatcher(failing);
      try {
        const listed = new Promise<unknown>((resolve) => watcher.onDidChangeSessions(() => resolve(failing.listSessions().catch((error: unknown) => error))));
        await failing.during(async () => {
          watcher.ensureRunning();
          await failing.launch({ name: 'tw-fault-scope', cwd: tmpdir(), argv: ['sleep', '600'], markers: {} });
        });
        await fixture.tmux('kill-session', '-t', '=tw-fault-scope');
        assert.ok(Array.isArray(await listed), 'the listing after a watcher event is not the operation\'s');
        assert.equal(failing.triggered, 0);
      } finally {
        watcher.dispose();
        await fixture.killServer();
      }
    });
  });

  describe('combined and repeated faults', () => {
    it('reaps in the next window a launch whose record write and kill both failed', async () => {
      const world = await newWorld();
      try {
        const setup = await world.harness.lifecycle();
        const ws = await setup.createWorkspace({ repoPath: world.repo.repo, branch: BRANCH });
        setup.dispose();
        const lifecycle = await world.harness.lifecycle({ tmuxClient: new FailingTmux(fixture, 'if-shell') });
        world.memento.failNthWrite(1, (key) => key.includes('.session/'));
        await assert.rejects(lifecycle.launchSession(ws.id, { kind: 'agent', label: 'agent', command: AGENT }), /injected write failure.*not stopped/);
        world.memento.disarm();
        const owner = await world.store.installId();
        const orphans = (await liveSessions(fixture)).filter((s) => s.owner === owner && s.name !== ws.baseSession);
        assert.equal(orphans.length, 1, 'the unrecorded session is still running before the reload');

        await world.harness.reload({ orphanGraceMs: 0, reapOrphans: true });
        assert.ok(!(await liveSessions(fixture)).some((s) => s.name === orphans[0].name), 'the orphan is reaped');
        await checkInvariants(world);
      } finally {
        await world.dispose();
      }
    });

    it('does not let one failed install-id write break every later launch in the window', async () => {
      const world = await newWorld();
      try {
        const lifecycle = await world.harness.lifecycle();
        world.memento.failNthWrite(1, (key) => key.endsWith('installId'));
        await assert.rejects(lifecycle.createWorkspace({ repoPath: world.repo.repo, branch: BRANCH }), /terminal: injected write failure/);
        world.memento.disarm();
        const ws = world.store.workspaces()[0];
        assert.equal(ws.status, 'error');
        const ready = await lifecycle.retrySetup(ws.id);
        assert.equal(ready.status, 'ready');
        await lifecycle.launchSession(ws.id, { kind: 'agent', command: AGENT });
        await checkInvariants(world);
      } finally {
        await world.dispose();
      }
    });
  });
});
