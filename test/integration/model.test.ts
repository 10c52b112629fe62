import * as assert from 'node:assert/strict';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as fc from 'fast-check';
import { RecordStore } from '../../src/core/store/RecordStore';
import type { SessionRecord, WorkspaceRecord, WorkspaceStatus } from '../../src/core/store/records';
import { makeRepo } from '../helpers/gitRepo';
import { checkInvariants, liveSessions } from '../helpers/invariants';
import { eventually } from '../helpers/poll';
import { SharedMemento } from '../helpers/SharedMemento';
import { TmuxFixture } from '../helpers/tmuxFixture';
import { WindowWorld } from '../helpers/windowWorld';
import { WindowError, type WindowProcess } from '../helpers/windows';

/**
 * Model-based randomized test: random sequences of user actions and outside
 * events, each sent to one of two window processes that share one
 * globalState (each its own copy, replaced wholesale, as VS Code does), one
 * storage folder (lock files) and one tmux server, checked after every step against a small model and the invariants of
 * `checkInvariants`. A failure prints fast-check's seed, replay path and
 * the shrunk sequence; replay it with TW_MODEL_SEED=<seed> TW_MODEL_PATH=<path>
 * TW_MODEL_REPLAY=<replayPath> (the `replayPath` in the counterexample's comment).
 * TW_MODEL_RUNS sets the number of sequences (default 200).
 */

const RUNS = Number(process.env.TW_MODEL_RUNS) || 200;
const SEED = process.env.TW_MODEL_SEED ? Number(process.env.TW_MODEL_SEED) : undefined;
const PATH = process.env.TW_MODEL_PATH || undefined;
const REPLAY = process.env.TW_MODEL_REPLAY || undefined;
const MIN_STEPS = 3;
const MAX_STEPS = 8;
const MAX_WORKSPACES = 3;
const AGENT = ['/bin/sh', '-c', 'exec sleep 600'];

// ------------------------------------------------------------------ model

interface ModelWorkspace {
  readonly branch: string;
  readonly id: string;
  status: Extract<WorkspaceStatus, 'ready' | 'error'>;
  dirty: boolean;
  /** Recorded sessions: key → kind. */
  readonly sessions: Map<string, SessionRecord['kind']>;
}

class Model {
  readonly workspaces: ModelWorkspace[] = [];
  branches = 0;

  pick(index: number): ModelWorkspace {
    return this.workspaces[index % this.workspaces.length];
  }

  newBranch(): string {
    this.branches += 1;
    return `ws-${this.branches}`;
  }

  remove(workspace: ModelWorkspace): void {
    this.workspaces.splice(this.workspaces.indexOf(workspace), 1);
  }
}

/** The system under test for one sequence. */
interface Real {
  readonly windows: readonly [WindowProcess, WindowProcess];
  readonly repo: string;
  /** The shared record store, read from this process. */
  readonly store: RecordStore;
  readonly tmux: TmuxFixture;
  readonly dirty: { path: string; file: string; forced: boolean }[];
  step: number;
}

type Cmd = fc.AsyncCommand<Model, Real>;

type Outcome<T = unknown> = { ok: true; value: T } | { ok: false; kind: string; message: string };

async function attempt<T>(work: Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await work };
  } catch (error) {
    if (error instanceof WindowError) return { ok: false, kind: error.kind, message: error.message };
    throw error;
  }
}

function expectOk<T>(outcome: Outcome<T>, what: string): T {
  if (!outcome.ok) assert.fail(`${what} failed (${outcome.kind}): ${outcome.message}`);
  return outcome.value;
}

function expectRefused(outcome: Outcome, what: string, kinds: readonly string[] = ['refused']): void {
  assert.ok(!outcome.ok, `${what} was expected to be refused, but it succeeded`);
  assert.ok(kinds.includes(outcome.kind), `${what} was refused with "${outcome.kind}" (${outcome.message}), expected ${kinds.join(' or ')}`);
}

// ---------------------------------------------------------------- checks

/**
 * After every step, once its writes have reached both windows' copies of
 * globalState: no window sees an orphan; then one window reconciles (reaping
 * on, grace 0) and the store must equal the model and every invariant must hold.
 */
async function verify(model: Model, real: Real): Promise<void> {
  real.step += 1;
  const window = real.windows[real.step % 2];
  // "A moment later": every write has reached both windows' copies of globalState before they are checked.
  await Promise.all(real.windows.map((each) => each.call({ op: 'settle' })));
  // Nothing here crashes, so no step may leave an orphan even before the reaper has had a look.
  assert.deepEqual((await window.listOrphans()).map((session) => session.name), [], 'no session of ours runs without a record');
  await window.call({ op: 'reconcile' });
  const store = real.store;
  const workspaces = store.workspaces();
  const actual = workspaces.map((ws) => `${ws.branch}:${ws.status}`).sort();
  const expected = model.workspaces.map((ws) => `${ws.branch}:${ws.status}`).sort();
  assert.deepEqual(actual, expected, 'workspaces and their statuses match the model');
  for (const ws of model.workspaces) {
    const record = workspaces.find((candidate) => candidate.branch === ws.branch) as WorkspaceRecord;
    assert.equal(record.id, ws.id, `${ws.branch} keeps its id`);
    if (record.status === 'error') assert.ok(record.lastError?.trim(), `${ws.branch} in error says why`);
    const sessions = store.sessionsOf(ws.id).map((session) => `${session.key}:${session.kind}`).sort();
    assert.deepEqual(sessions, [...ws.sessions].map(([key, kind]) => `${key}:${kind}`).sort(), `${ws.branch}: recorded sessions match the model`);
  }
  await checkInvariants({ store, repoPath: real.repo, dirty: real.dirty, tmux: real.tmux });
}

// -------------------------------------------------------------- commands

function command(name: string, check: (model: Readonly<Model>) => boolean, run: (model: Model, real: Real) => Promise<void>): Cmd {
  return {
    check,
    run: async (model, real) => {
      await run(model, real);
      await verify(model, real);
    },
    toString: () => name,
  };
}

const windowIndex = fc.integer({ min: 0, max: 1 });
const index = fc.nat({ max: 7 });
const hasWorkspace = (model: Readonly<Model>) => model.workspaces.length > 0;
const hasSession = (model: Readonly<Model>) => model.workspaces.some((ws) => ws.sessions.size > 0);

function pickSession(model: Model, i: number): { workspace: ModelWorkspace; key: string } {
  const all = model.workspaces.flatMap((workspace) => [...workspace.sessions.keys()].map((key) => ({ workspace, key })));
  return all[i % all.length];
}

async function createWorkspace(model: Model, real: Real, w: number, failing: boolean): Promise<void> {
  const branch = model.newBranch();
  const outcome = await attempt(real.windows[w].create(real.repo, branch, failing ? 'exit 3' : undefined));
  if (failing) {
    expectRefused(outcome, 'a create whose setup fails', ['failed']);
    const record = real.store.workspaces().find((ws) => ws.branch === branch);
    assert.ok(record, 'the failed workspace is recorded');
    model.workspaces.push({ branch, id: record.id, status: 'error', dirty: false, sessions: new Map() });
  } else {
    const record = expectOk(outcome, 'create');
    assert.equal(record.status, 'ready');
    model.workspaces.push({ branch, id: record.id, status: 'ready', dirty: false, sessions: new Map() });
  }
}

const create = fc.record({ w: windowIndex, failing: fc.boolean() }).map(({ w, failing }) =>
  command(
    `create(w${w}${failing ? ', setup fails' : ''})`,
    (model) => model.workspaces.length < MAX_WORKSPACES,
    (model, real) => createWorkspace(model, real, w, failing),
  ),
);

const retrySetup = fc.record({ w: windowIndex, i: index }).map(({ w, i }) =>
  command(`retrySetup(w${w}, #${i})`, hasWorkspace, async (model, real) => {
    const ws = model.pick(i);
    const outcome = await attempt(real.windows[w].call<WorkspaceRecord>({ op: 'retrySetup', workspaceId: ws.id }));
    if (ws.status === 'error') {
      assert.equal(expectOk(outcome, 'retry setup').status, 'ready');
      ws.status = 'ready';
    } else {
      expectRefused(outcome, `retry setup on a ${ws.status} workspace`);
    }
  }),
);

const launchAgent = fc.record({ w: windowIndex, i: index }).map(({ w, i }) =>
  command(`launchAgent(w${w}, #${i})`, hasWorkspace, async (model, real) => {
    const ws = model.pick(i);
    const outcome = await attempt(real.windows[w].launchAgent(ws.id, AGENT));
    if (ws.status !== 'ready') return expectRefused(outcome, `launch in a ${ws.status} workspace`);
    ws.sessions.set(expectOk(outcome, 'launch agent').key, 'agent');
  }),
);

const launchShell = fc.record({ w: windowIndex, i: index }).map(({ w, i }) =>
  command(`launchShell(w${w}, #${i})`, hasWorkspace, async (model, real) => {
    const ws = model.pick(i);
    const outcome = await attempt(real.windows[w].launchShell(ws.id));
    if (ws.status !== 'ready') return expectRefused(outcome, `launch in a ${ws.status} workspace`);
    const shell = expectOk(outcome, 'launch shell');
    const existing = [...ws.sessions].find(([, kind]) => kind === 'shell')?.[0];
    if (existing) assert.equal(shell.key, existing, 'a second shell launch returns the first');
    ws.sessions.set(shell.key, 'shell');
  }),
);

const stop = fc.record({ w: windowIndex, i: index }).map(({ w, i }) =>
  command(`stop(w${w}, session #${i})`, hasSession, async (model, real) => {
    const { workspace, key } = pickSession(model, i);
    expectOk(await attempt(real.windows[w].call({ op: 'stop', key })), 'stop');
    workspace.sessions.delete(key);
  }),
);

/** A session's process killed from outside the extension: `tmux kill-session`, or SIGKILL to the pane's process. */
const killOutside = fc.record({ i: index, how: fc.constantFrom('kill-session' as const, 'SIGKILL' as const), base: fc.boolean() }).map(({ i, how, base }) =>
  command(
    `killOutside(${base ? `base of #${i}` : `session #${i}`}, ${how})`,
    (model) => (base ? hasWorkspace(model) : hasSession(model)),
    async (model, real) => {
      let name: string;
      if (base) {
        name = real.store.workspace(model.pick(i).id)!.baseSession;
      } else {
        const { workspace, key } = pickSession(model, i);
        name = key;
        workspace.sessions.delete(key);
      }
      const tmux = real.tmux;
      if (!(await liveSessions(tmux)).some((session) => session.name === name)) return;
      if (how === 'kill-session') {
        await tmux.tmux('kill-session', '-t', `=${name}`);
      } else {
        const pid = Number(await tmux.tmux('display-message', '-p', '-t', `=${name}:`, '#{pane_pid}'));
        if (pid > 0) process.kill(pid, 'SIGKILL');
      }
      await eventually(async () => !(await liveSessions(tmux)).some((session) => session.name === name), 5000, `${name} gone`);
    },
  ),
);

const killServer = fc.constant(
  command('killServer', () => true, async (model, real) => {
    await real.tmux.killServer();
    for (const ws of model.workspaces) ws.sessions.clear();
  }),
);

const makeDirty = fc.record({ i: index }).map(({ i }) =>
  command(
    `makeDirty(#${i})`,
    // A failed setup keeps its worktree, so the user may have changed files in it too.
    hasWorkspace,
    async (model, real) => {
      const ws = model.pick(i);
      const path = real.store.workspace(ws.id)!.worktreePath;
      const file = `notes-${real.dirty.length + 1}.txt`;
      await writeFile(join(path, file), 'unsaved work\n');
      real.dirty.push({ path, file, forced: false });
      ws.dirty = true;
    },
  ),
);

function forceDeleted(real: Real, path: string): void {
  for (const mark of real.dirty) if (mark.path === path) mark.forced = true;
}

const deleteWorkspace = fc.record({ w: windowIndex, i: index, force: fc.boolean() }).map(({ w, i, force }) =>
  command(`delete(w${w}, #${i}${force ? ', force' : ''})`, hasWorkspace, async (model, real) => {
    const ws = model.pick(i);
    const path = real.store.workspace(ws.id)!.worktreePath;
    const outcome = await attempt(real.windows[w].call({ op: 'delete', workspaceId: ws.id, force }));
    if (ws.dirty && !force) return expectRefused(outcome, 'delete of a dirty worktree without force');
    expectOk(outcome, 'delete');
    if (force) forceDeleted(real, path);
    model.remove(ws);
  }),
);

const reload = windowIndex.map((w) =>
  command(`reload(w${w})`, () => true, async (_model, real) => {
    expectOk(await attempt(real.windows[w].call({ op: 'reload' })), 'reload');
  }),
);

// Two windows at once on the same thing: the cross-window lock must order them.

const bothLaunchShell = index.map((i) =>
  command(`both windows launch the shell of #${i}`, hasWorkspace, async (model, real) => {
    const ws = model.pick(i);
    const outcomes = await Promise.all(real.windows.map((window) => attempt(window.launchShell(ws.id))));
    if (ws.status !== 'ready') return outcomes.forEach((outcome) => expectRefused(outcome, `launch in a ${ws.status} workspace`));
    const [first, second] = outcomes.map((outcome) => expectOk(outcome, 'launch shell'));
    assert.equal(first.key, second.key, 'both windows got the one shell');
    ws.sessions.set(first.key, 'shell');
  }),
);

const bothCreate = fc.constant(
  command(
    'both windows create the same branch',
    (model) => model.workspaces.length < MAX_WORKSPACES,
    async (model, real) => {
      const branch = model.newBranch();
      const outcomes = await Promise.all(real.windows.map((window) => attempt(window.create(real.repo, branch))));
      const [first, second] = outcomes.map((outcome) => expectOk(outcome, 'create'));
      assert.equal(first.id, second.id, 'both windows got the one workspace');
      model.workspaces.push({ branch, id: first.id, status: 'ready', dirty: false, sessions: new Map() });
    },
  ),
);

const reloadDuringCreate = windowIndex.map((w) =>
  command(
    `reload(w${w}) while w${1 - w} creates`,
    (model) => model.workspaces.length < MAX_WORKSPACES,
    async (model, real) => {
      const branch = model.newBranch();
      const [created, reloaded] = await Promise.all([
        attempt(real.windows[1 - w].create(real.repo, branch)),
        attempt(real.windows[w].call({ op: 'reload' })),
      ]);
      expectOk(reloaded, 'reload');
      const record = expectOk(created, 'create');
      model.workspaces.push({ branch, id: record.id, status: 'ready', dirty: false, sessions: new Map() });
    },
  ),
);

const deleteDuringLaunch = fc.record({ w: windowIndex, i: index, force: fc.boolean() }).map(({ w, i, force }) =>
  command(`delete(w${w}, #${i}${force ? ', force' : ''}) while w${1 - w} launches an agent`, hasWorkspace, async (model, real) => {
    const ws = model.pick(i);
    const path = real.store.workspace(ws.id)!.worktreePath;
    const [deleted, launched] = await Promise.all([
      attempt(real.windows[w].call({ op: 'delete', workspaceId: ws.id, force })),
      attempt(real.windows[1 - w].launchAgent(ws.id, AGENT)),
    ]);
    if (ws.dirty && !force) {
      expectRefused(deleted, 'delete of a dirty worktree without force');
      if (ws.status !== 'ready') return expectRefused(launched, `launch in a ${ws.status} workspace`);
      ws.sessions.set(expectOk(launched, 'launch beside a refused delete').key, 'agent');
      return;
    }
    expectOk(deleted, 'delete');
    // Before the delete, the launch ran and its session was stopped with the workspace; after it, the workspace is gone.
    if (!launched.ok) assert.ok(['gone', 'refused'].includes(launched.kind), `a launch racing a delete fails as gone or refused, not ${launched.kind}: ${launched.message}`);
    if (force) forceDeleted(real, path);
    model.remove(ws);
  }),
);

const bothDelete = fc.record({ i: index, force: fc.boolean() }).map(({ i, force }) =>
  command(`both windows delete #${i}${force ? ' with force' : ''}`, hasWorkspace, async (model, real) => {
    const ws = model.pick(i);
    const path = real.store.workspace(ws.id)!.worktreePath;
    const outcomes = await Promise.all(real.windows.map((window) => attempt(window.call({ op: 'delete', workspaceId: ws.id, force }))));
    if (ws.dirty && !force) return outcomes.forEach((outcome) => expectRefused(outcome, 'delete of a dirty worktree without force'));
    const succeeded = outcomes.filter((outcome) => outcome.ok).length;
    assert.equal(succeeded, 1, `exactly one of two deletes succeeds: ${outcomes.map((o) => (o.ok ? 'ok' : `${o.kind}: ${o.message}`)).join('; ')}`);
    const other = outcomes.find((outcome) => !outcome.ok);
    if (other && !other.ok) assert.equal(other.kind, 'gone', `the other delete finds the workspace gone: ${other.message}`);
    if (force) forceDeleted(real, path);
    model.remove(ws);
  }),
);

const bothStop = index.map((i) =>
  command(`both windows stop session #${i}`, hasSession, async (model, real) => {
    const { workspace, key } = pickSession(model, i);
    const outcomes = await Promise.all(real.windows.map((window) => attempt(window.call({ op: 'stop', key }))));
    outcomes.forEach((outcome) => expectOk(outcome, 'stop'));
    workspace.sessions.delete(key);
  }),
);

const COMMANDS = [
  create,
  create,
  retrySetup,
  launchAgent,
  launchShell,
  stop,
  killOutside,
  killServer,
  makeDirty,
  deleteWorkspace,
  deleteWorkspace,
  reload,
  bothLaunchShell,
  bothCreate,
  reloadDuringCreate,
  deleteDuringLaunch,
  bothDelete,
  bothStop,
];

/** 3 to 8 steps after the first create (a step whose precondition fails is skipped). */
const sequenceOfCommands = fc
  .commands(COMMANDS, { maxCommands: MAX_STEPS, size: 'max', replayPath: REPLAY })
  .filter((commands) => [...commands].length >= MIN_STEPS);

// ------------------------------------------------------------------ suite

describe('two windows, one truth (model-based)', function () {
  this.timeout(30 * 60_000);
  let fixture: TmuxFixture;
  let shared: WindowWorld;
  let windows: [WindowProcess, WindowProcess];

  before(async () => {
    fixture = await TmuxFixture.create();
    // Nothing crashes here: the default lease, so a busy machine never makes a live window's lock look stale.
    shared = await WindowWorld.create(fixture, { lockStaleMs: 10_000 });
    windows = [await shared.activate(), await shared.activate()];
  });
  after(async () => {
    await shared?.dispose();
    await fixture?.dispose();
  });

  /** A fresh start for one sequence: no tmux server, no records (the install id stays), a new repository. */
  async function freshSequence(): Promise<{ real: Real; cleanup(): Promise<void> }> {
    await fixture.killServer();
    // The reset is one more window writing through the store's protocol; the windows wait until it reached them.
    const memento = new SharedMemento(shared.storeFile);
    const store = new RecordStore(memento, { lockDir: shared.stateDir });
    await store.whenCurrent();
    for (const ws of store.workspaces()) await store.forgetWorkspace(ws.id);
    for (const session of store.sessions()) await store.forgetSession(session.key);
    for (const resumable of store.resumables()) await store.forgetResumable(resumable.key);
    memento.dispose();
    await Promise.all(windows.map((window) => window.call({ op: 'settle' })));
    const repo = await makeRepo();
    await Promise.all(windows.map((window) => window.call({ op: 'reload' })));
    return {
      real: { windows, repo: repo.repo, store: shared.store, tmux: fixture, dirty: [], step: 0 },
      cleanup: () => rm(repo.root, { recursive: true, force: true }),
    };
  }

  it(`keeps records, tmux and git in line over ${RUNS} random sequences sent to two window processes`, async function () {
    const started = Date.now();
    let sequences = 0;
    let steps = 0;
    const lengths: number[] = [];
    await fc.assert(
      fc.asyncProperty(sequenceOfCommands, async (commands) => {
        sequences += 1;
        const { real, cleanup } = await freshSequence();
        try {
          // Every sequence starts from one ready workspace, so its steps have something to act on.
          const model = new Model();
          await createWorkspace(model, real, 0, false);
          await verify(model, real);
          await fc.asyncModelRun(() => ({ model, real }), commands);
        } finally {
          steps += real.step;
          lengths.push(real.step);
          await cleanup();
        }
      }),
      { numRuns: RUNS, seed: SEED, path: PATH, endOnFailure: false },
    );
    this.test!.title += ` (${sequences} sequences of ${Math.min(...lengths)} to ${Math.max(...lengths)} steps, ${steps} steps in all, ${((Date.now() - started) / 1000).toFixed(0)} s)`;
  });
});
