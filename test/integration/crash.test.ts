import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { errorMessage } from '../../src/core/errors';
import { SCHEMA_VERSION, type ResumableRecord, type WorkspaceRecord } from '../../src/core/store/records';
import { git } from '../helpers/gitRepo';
import { liveSessions } from '../helpers/invariants';
import { eventually } from '../helpers/poll';
import { TmuxFixture } from '../helpers/tmuxFixture';
import { WindowWorld } from '../helpers/windowWorld';
import { WindowExited, type WindowProcess } from '../helpers/windows';

/**
 * A crash at every step: each transition runs once in a window process that
 * records the steps it passes (the lifecycle's `onStep`), so the steps come
 * from the code. Then, for each step, a fresh window process runs it again
 * and is SIGKILLed right there; the next window to start must find a state
 * the user can act on, take the dead window's lock once it went stale, and
 * the retried transition must finish with every invariant holding.
 */

const AGENT = ['/bin/sh', '-c', 'exec sleep 600'];
const BRANCH = 'feature/crash';
/** A dead window's lock is stale after this long (proper-lockfile's minimum). */
const STALE_MS = 2000;
/** How many crash cases run at once: each waits mostly for a stale lock, and each world is separate. */
const PARALLEL = 3;

const RESUMABLE_KEY = 'tw-resumable-agent';
const CONVERSATION = 'conv-crash-1';

/** An agent found gone after a reboot, resumable with a command that runs (the id lands in $1). */
function resumable(workspaceId: string): ResumableRecord {
  return {
    v: SCHEMA_VERSION,
    key: RESUMABLE_KEY,
    workspaceId,
    label: 'agent',
    conversationId: CONVERSATION,
    resumeArgv: ['/bin/sh', '-c', 'exec sleep 600', 'agent', '{id}'],
    startedAt: 1,
    stoppedAt: 2,
  };
}

interface Target {
  readonly workspaceId?: string;
  readonly worktreePath?: string;
  readonly sessionKey?: string;
}

interface Scenario {
  readonly title: string;
  /** Sets the world up in a healthy window. */
  prepare(world: WindowWorld, window: WindowProcess): Promise<Target>;
  /** The transition that is crashed. */
  run(window: WindowProcess, target: Target, world: WindowWorld): Promise<unknown>;
  /** Finishes what the crash interrupted, starting from what the fresh window shows. */
  retry(window: WindowProcess, target: Target, world: WindowWorld): Promise<void>;
  /** What must hold once the retry is done. */
  done(world: WindowWorld, target: Target): Promise<void>;
}

function workspaceOf(world: WindowWorld): WorkspaceRecord | undefined {
  return world.store.workspaces().find((record) => record.branch === BRANCH);
}

async function readyWorkspace(world: WindowWorld, window: WindowProcess): Promise<Target> {
  const ws = await window.create(world.repo, BRANCH);
  assert.equal(ws.status, 'ready');
  return { workspaceId: ws.id, worktreePath: ws.worktreePath };
}

async function withAgent(world: WindowWorld, window: WindowProcess, options: { shell?: boolean; dirty?: boolean } = {}): Promise<Target> {
  const ws = await readyWorkspace(world, window);
  const agent = await window.launchAgent(ws.workspaceId!, AGENT);
  if (options.shell) await window.launchShell(ws.workspaceId!);
  if (options.dirty) {
    await writeFile(join(ws.worktreePath!, 'notes.txt'), 'unsaved work\n');
    world.dirty.push({ path: ws.worktreePath!, file: 'notes.txt', forced: true });
  }
  return { ...ws, sessionKey: agent.key };
}

async function assertGone(world: WindowWorld, path: string | undefined): Promise<void> {
  assert.equal(workspaceOf(world), undefined, 'the workspace record is gone');
  if (path) assert.ok(!existsSync(path), 'the worktree folder is gone');
  assert.equal(await git(world.repo, 'branch', '--list', BRANCH), '', 'the branch the workspace created is gone');
}

function deleteScenario(title: string, options: { force: boolean; dirty: boolean; shell: boolean }): Scenario {
  return {
    title,
    prepare: (world, window) => withAgent(world, window, { shell: options.shell, dirty: options.dirty }),
    run: (window, { workspaceId }) => window.call({ op: 'delete', workspaceId: workspaceId!, force: options.force }),
    retry: async (window, { workspaceId }, world) => {
      if (workspaceOf(world)) await window.call({ op: 'delete', workspaceId: workspaceId!, force: options.force });
    },
    done: (world, { worktreePath }) => assertGone(world, worktreePath),
  };
}

const SCENARIOS: readonly Scenario[] = [
  {
    title: 'create (with a setup command)',
    prepare: async () => ({}),
    run: (window, _target, world) => window.create(world.repo, BRANCH, 'true'),
    retry: async (window, _target, world) => {
      const ws = workspaceOf(world);
      if (!ws) await window.create(world.repo, BRANCH, 'true');
      else if (ws.status === 'error') await window.call({ op: 'retrySetup', workspaceId: ws.id, setupCommand: 'true' });
    },
    done: async (world) => {
      const ws = workspaceOf(world);
      assert.equal(ws?.status, 'ready');
      assert.ok(existsSync(ws.worktreePath), 'the worktree exists');
      assert.ok((await liveSessions(world.tmux)).some((session) => session.name === ws.baseSession), 'the base terminal runs');
    },
  },
  {
    title: 'launch an agent',
    prepare: readyWorkspace,
    run: (window, { workspaceId }) => window.launchAgent(workspaceId!, AGENT),
    retry: async (window, { workspaceId }) => {
      await window.launchAgent(workspaceId!, AGENT);
    },
    done: async (world, { workspaceId }) => {
      assert.ok(world.store.sessionsOf(workspaceId!).some((session) => session.kind === 'agent'), 'an agent is recorded');
    },
  },
  {
    title: 'launch the shell',
    prepare: readyWorkspace,
    run: (window, { workspaceId }) => window.launchShell(workspaceId!),
    retry: async (window, { workspaceId }) => {
      await window.launchShell(workspaceId!);
    },
    done: async (world, { workspaceId }) => {
      assert.equal(world.store.sessionsOf(workspaceId!).filter((session) => session.kind === 'shell').length, 1, 'one shell is recorded');
    },
  },
  {
    title: 'stop',
    prepare: (world, window) => withAgent(world, window),
    run: (window, { sessionKey }) => window.call({ op: 'stop', key: sessionKey! }),
    retry: (window, { sessionKey }) => window.call({ op: 'stop', key: sessionKey! }),
    done: async (world, { sessionKey }) => {
      assert.equal(world.store.session(sessionKey!), undefined, 'the record is gone');
      const name = sessionKey!;
      assert.ok(!(await liveSessions(world.tmux)).some((session) => session.name === name), 'the session is gone');
    },
  },
  {
    title: 'resume an agent',
    prepare: async (world, window) => {
      const ws = await readyWorkspace(world, window);
      await window.call({ op: 'putResumable', record: resumable(ws.workspaceId!) });
      return ws;
    },
    run: (window) => window.call({ op: 'resume', key: RESUMABLE_KEY }),
    // The row is there until the new session is recorded: resuming again finishes it, or finds it running.
    retry: async (window, _target, world) => {
      if (world.store.resumable(RESUMABLE_KEY)) await window.call({ op: 'resume', key: RESUMABLE_KEY });
    },
    done: async (world, { workspaceId }) => {
      const resumed = world.store.sessionsOf(workspaceId!).filter((session) => session.conversationId === CONVERSATION);
      assert.equal(resumed.length, 1, 'the conversation runs in one recorded session');
      assert.equal(world.store.resumable(RESUMABLE_KEY), undefined, 'the resumable row is gone once it runs');
    },
  },
  deleteScenario('delete with an agent and the shell running', { force: false, dirty: false, shell: true }),
  deleteScenario('force delete of a dirty worktree with an agent running', { force: true, dirty: true, shell: false }),
];

/** Each step with how many times the trace passed it so far: a crash point is the nth time a step is reached. */
function crashPoints(trace: readonly string[]): { step: string; occurrence: number }[] {
  const seen = new Map<string, number>();
  return trace.map((step) => {
    const occurrence = (seen.get(step) ?? 0) + 1;
    seen.set(step, occurrence);
    return { step, occurrence };
  });
}

async function inParallel<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<{ item: T; error: unknown }[]> {
  const failures: { item: T; error: unknown }[] = [];
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++];
      await work(item).catch((error: unknown) => failures.push({ item, error }));
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return failures;
}

/** A status the user can act on: ready, or a failure whose message says what to do. */
function assertActionable(ws: WorkspaceRecord | undefined): void {
  if (!ws) return;
  if (ws.status === 'ready') return;
  if (ws.status === 'error') {
    assert.match(ws.lastError ?? '', /retry setup|delete/i, 'an error says what to do');
    return;
  }
  if (ws.status === 'deletion_failed') {
    assert.match(ws.lastError ?? '', /retry|delete/i, 'a failed deletion says what to do');
    return;
  }
  assert.fail(`the workspace is left ${ws.status}, which no command accepts`);
}

/** The server's pid, or undefined when none runs on the socket. */
async function serverPid(tmux: TmuxFixture): Promise<string | undefined> {
  return (await tmux.tmux('display-message', '-p', '#{pid}')).trim() || undefined;
}

/**
 * Runs one crash case on a tmux server of its own, held up from the start by
 * a session that is not ours (no owner marker: nothing of ours touches it).
 * tmux 3.3a itself sometimes crashes during this test (CI saw the server
 * vanish mid-launch: "agent exited immediately", no kill of ours in the log;
 * which tmux bug it hits is not known); that takes every session with it,
 * which is no state we left. A case whose server died is run once more, on a new server, and says
 * so; a failure on a server that lived, or twice, is the case's failure.
 */
async function onItsOwnServer(what: string, work: (tmux: TmuxFixture) => Promise<void>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const tmux = await TmuxFixture.create();
    try {
      await tmux.tmux('new-session', '-d', '-s', 'hold', 'sleep 86400');
      const pid = await serverPid(tmux);
      assert.ok(pid, 'the case has a tmux server');
      try {
        await work(tmux);
        return;
      } catch (error) {
        const now = await serverPid(tmux);
        if (now === pid || attempt > 1) throw error;
        console.log(`      ${what}: tmux server ${pid} died during the case (${now ? `now ${now} runs` : 'none runs'}); running the case once more. It failed with: ${errorMessage(error)}`);
      }
    } finally {
      await tmux.dispose();
    }
  }
}

describe('a crash at every step', function () {
  this.timeout(240_000);
  let fixture: TmuxFixture;

  before(async () => {
    fixture = await TmuxFixture.create();
  });
  after(async () => {
    await fixture.dispose();
  });

  /** Runs the scenario's transition once, to the end, and resolves to the steps it passed. */
  async function traceOf(scenario: Scenario): Promise<string[]> {
    const world = await WindowWorld.create(fixture);
    try {
      const setup = await world.activate();
      const target = await scenario.prepare(world, setup);
      await setup.close();
      const window = await world.activate();
      await window.steps();
      await scenario.run(window, target, world);
      const trace = await window.steps();
      await scenario.done(world, target);
      await window.call({ op: 'reconcile' });
      await world.checkInvariants();
      return trace;
    } finally {
      await world.dispose();
    }
  }

  async function crashAt(scenario: Scenario, point: { step: string; occurrence: number }, tmux: TmuxFixture): Promise<void> {
    const world = await WindowWorld.create(tmux);
    try {
      const setup = await world.activate();
      const target = await scenario.prepare(world, setup);
      await setup.close();

      const doomed = await world.activate({ crashAt: point });
      const outcome = await scenario.run(doomed, target, world).then(
        () => 'completed',
        (error: unknown) => (error instanceof WindowExited ? 'crashed' : `failed: ${String(error)}`),
      );
      assert.equal(outcome, 'crashed', 'the window died at the step');
      assert.equal((await doomed.exited).signal, 'SIGKILL');

      // The next window starts at once: the dead window's locks are not stale yet.
      const fresh = await world.activate();
      const workspaceId = target.workspaceId ?? workspaceOf(world)?.id;
      if (workspaceId) {
        const waited = await fresh.call<number>({ op: 'lock', key: workspaceId });
        assert.ok(waited < STALE_MS + 3000, `the dead window's lock was taken over after ${waited} ms`);
      }
      const ws = await eventually(
        () => {
          const record = workspaceOf(world);
          return record?.status === 'creating' || record?.status === 'deleting' ? undefined : { record };
        },
        STALE_MS + 5000,
        'an interrupted transition shown as interrupted',
      );
      assertActionable(ws.record);
      await fresh.call({ op: 'reconcile' });
      await world.checkInvariants();

      await scenario.retry(fresh, target, world);
      await fresh.call({ op: 'reconcile' });
      await world.checkInvariants();
      await scenario.done(world, target);

      // Nothing was lost or leaked: deleting what is left leaves nothing behind.
      const left = workspaceOf(world);
      if (left) await fresh.call({ op: 'delete', workspaceId: left.id, force: true });
      await fresh.call({ op: 'reconcile' });
      await world.checkInvariants();
      await assertGone(world, left?.worktreePath ?? target.worktreePath);
      const owner = await world.store.installId();
      assert.deepEqual((await liveSessions(tmux)).filter((session) => session.owner === owner).map((s) => s.name), [], 'no session of ours runs');
    } finally {
      await world.dispose();
    }
  }

  for (const scenario of SCENARIOS) {
    it(`${scenario.title}: a fresh window repairs a crash at each step, and a retry completes it`, async function () {
      const trace = await traceOf(scenario);
      assert.ok(trace.length > 0, `${scenario.title} passes at least one step`);
      const points = crashPoints(trace);
      const failures = await inParallel(points, PARALLEL, (point) => onItsOwnServer(`crash at ${point.step}#${point.occurrence}`, (tmux) => crashAt(scenario, point, tmux)));
      this.test!.title += ` (steps: ${trace.join(', ')})`;
      if (failures.length > 0) {
        const lines = failures.map(({ item, error }) => `- crash at ${item.step}#${item.occurrence}: ${error instanceof Error ? error.message : String(error)}`);
        assert.fail(`${failures.length} of ${points.length} crash points left a bad state:\n${lines.join('\n')}`);
      }
    });
  }
});
