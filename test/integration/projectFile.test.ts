import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ProjectApproval } from '../../src/core/project/projectGate';
import { RecordStore } from '../../src/core/store/RecordStore';
import type { WorkspaceRecord } from '../../src/core/store/records';
import { git } from '../helpers/gitRepo';
import { useWorld, type World } from '../helpers/world';

/** Counts calls of the approval dialog and answers as told. */
class Approver {
  asked: ProjectApproval[] = [];
  answer = true;
  readonly approve = async (request: ProjectApproval): Promise<boolean> => {
    this.asked.push(request);
    return this.answer;
  };
}

async function writeProject(world: World, content: unknown): Promise<void> {
  await writeFile(join(world.repo.repo, '.tmux-workspaces.json'), typeof content === 'string' ? content : JSON.stringify(content, null, 2));
}

/** A step that appends its name to a counter file in the repository's temporary root, then runs `then`. */
function counted(world: World, name: string, then = 'true'): { name: string; run: string } {
  return { name, run: `echo ${name} >> '${join(world.repo.root, 'count')}' && ${then}` };
}

async function counts(world: World): Promise<string[]> {
  const path = join(world.repo.root, 'count');
  return existsSync(path) ? (await readFile(path, 'utf8')).split('\n').filter(Boolean) : [];
}

async function setupLog(world: World, id: string): Promise<string> {
  const path = new RecordStore(world.harness.memento).workspace(id)?.setupLog ?? assert.fail('no setup log recorded');
  return readFile(path, 'utf8');
}

function stepEvents(record: WorkspaceRecord, stage: 'setup' | 'teardown'): string[] {
  return record.setupEvents.filter((e) => e.stage === stage).map((e) => `${e.step}:${e.outcome}`);
}

describe('.tmux-workspaces.json', () => {
  const approver = new Approver();
  let trusted = true;
  const world = useWorld({ overrides: { approveProject: approver.approve, isTrusted: () => trusted } });
  beforeEach(() => {
    approver.asked = [];
    approver.answer = true;
    trusted = true;
  });

  describe('validation', () => {
    it('refuses a bad file with the field it names, and creates no record, worktree or branch', async () => {
      await writeProject(world, { setup: ['npm ci', { name: 'ok', run: 'true' }, { name: 'bad', run: 3 }] });
      await assert.rejects(world.readyWorkspace(), (error: Error) => error.message === '.tmux-workspaces.json: setup[2].run must be a string');
      assert.deepEqual(new RecordStore(world.harness.memento).workspaces(), [], 'no record');
      assert.equal(existsSync(join(world.repo.root, 'repo.worktrees')), false, 'no worktree');
      assert.equal(await git(world.repo.repo, 'branch', '--list', 'feature/one'), '', 'no branch');
      assert.equal(approver.asked.length, 0);
    });

    it('refuses a file that is not JSON, and one with an unknown field', async () => {
      await writeProject(world, '{ "setup": [ }');
      await assert.rejects(world.readyWorkspace(), /\.tmux-workspaces\.json: is not valid JSON/);
      await writeProject(world, { setpu: ['x'] });
      await assert.rejects(world.readyWorkspace(), /\.tmux-workspaces\.json: setpu is not a known field/);
      assert.deepEqual(new RecordStore(world.harness.memento).workspaces(), []);
    });
    /** Create refuses with `message`, and nothing exists: no record, no worktree, no branch. */
    async function refusesBeforeAnything(create: Promise<unknown>, message: RegExp): Promise<void> {
      await assert.rejects(create, (error: Error) => message.test(error.message) || assert.fail(error.message));
      assert.deepEqual(new RecordStore(world.harness.memento).workspaces(), [], 'no record');
      assert.equal(existsSync(join(world.repo.root, 'repo.worktrees')), false, 'no worktree');
      assert.equal(await git(world.repo.repo, 'branch', '--list', 'feature/one'), '', 'no branch');
    }

    it('refuses a bad env template or name in the file before anything is created', async () => {
      await writeProject(world, { env: { DATABASE_URL: 'postgres://localhost/{nope}' } });
      await refusesBeforeAnything(world.readyWorkspace(), /^\.tmux-workspaces\.json: env\.DATABASE_URL has an unknown placeholder \{nope\}/);
      await writeProject(world, { env: { DATABASE_URL: 'postgres://localhost:{port' } });
      await refusesBeforeAnything(world.readyWorkspace(), /env\.DATABASE_URL has an unmatched "\{"/);
      await writeProject(world, { env: { TMUX_WORKSPACES_X: 'x' } });
      await refusesBeforeAnything(world.readyWorkspace(), /env\.TMUX_WORKSPACES_X starts with TMUX_WORKSPACES_/);
      await writeProject(world, { env: { API: 'http://localhost:{port+50}' } });
      await refusesBeforeAnything(world.readyWorkspace(), /env\.API uses \{port\+50\}, outside the workspace's block of 10 ports/);
    });

    it('refuses a bad tmuxWorkspaces.env setting before anything is created', async () => {
      const lifecycle = await world.harness.reload({ approveProject: approver.approve, environmentTemplates: () => [{ source: 'setting tmuxWorkspaces.env', env: { TMUX: 'x' } }] });
      await refusesBeforeAnything(lifecycle.createWorkspace({ repoPath: world.repo.repo, branch: 'feature/one' }), /^setting tmuxWorkspaces\.env\.TMUX is set by tmux for each pane/);
    });
  });

  describe('setup', () => {
    it('runs each step as its own stage, with its duration, and the log has each step', async () => {
      await writeProject(world, { setup: [counted(world, 'one'), 'echo two-ran'] });
      const ws = await world.readyWorkspace();
      assert.equal(ws.status, 'ready');
      assert.deepEqual(stepEvents(ws, 'setup'), ['one:started', 'one:ok', 'echo two-ran:started', 'echo two-ran:ok']);
      for (const done of ws.setupEvents.filter((e) => e.stage === 'setup' && e.outcome === 'ok')) assert.equal(typeof done.ms, 'number');
      const log = await setupLog(world, ws.id);
      assert.match(log, /setup \[one\]/);
      assert.match(log, /two-ran/);
    });

    it('resumes Retry Setup at the failed step: a step that succeeded is not run again', async () => {
      const flag = join(world.repo.root, 'fixed');
      await writeProject(world, { setup: [counted(world, 'first'), counted(world, 'second', `test -e '${flag}'`), counted(world, 'third')] });
      await assert.rejects(world.readyWorkspace(), /The setup step "second" \(`.*`\) exited with 1\./);
      const failedWs = new RecordStore(world.harness.memento).workspaces()[0];
      assert.equal(failedWs.status, 'error');
      assert.deepEqual(await counts(world), ['first', 'second']);
      await writeFile(flag, '');
      const ready = await world.lifecycle.retrySetup(failedWs.id);
      assert.equal(ready.status, 'ready');
      assert.deepEqual(await counts(world), ['first', 'second', 'second', 'third'], 'first ran once');
    });

    it('runs again on Retry Setup a step that succeeded but whose command was edited since, its name kept', async () => {
      const flag = join(world.repo.root, 'fixed');
      await writeProject(world, { setup: [counted(world, 'first'), counted(world, 'second', `test -e '${flag}'`)] });
      await assert.rejects(world.readyWorkspace(), /The setup step "second"/);
      const failedWs = new RecordStore(world.harness.memento).workspaces()[0];
      await writeProject(world, { setup: [{ name: 'first', run: `echo first-edited >> '${join(world.repo.root, 'count')}'` }, counted(world, 'second', `test -e '${flag}'`)] });
      await writeFile(flag, '');
      const ready = await world.lifecycle.retrySetup(failedWs.id);
      assert.equal(ready.status, 'ready');
      assert.equal(approver.asked.length, 2, 'the edited file was approved');
      assert.deepEqual(await counts(world), ['first', 'second', 'first-edited', 'second'], 'the edited step ran');
    });

    it('stops a Create cancelled during the worktree stage as a cancelled step does (error), even with no steps', async () => {
      const cancel = new AbortController();
      const lifecycle = await world.harness.reload({ approveProject: approver.approve, onStep: (name) => void (name === 'create:worktree-added' && cancel.abort()) });
      await assert.rejects(lifecycle.createWorkspace({ repoPath: world.repo.repo, branch: 'feature/one', signal: cancel.signal }), /cancelled/);
      const ws = new RecordStore(world.harness.memento).workspaces()[0];
      assert.equal(ws.status, 'error');
      assert.match(ws.lastError ?? '', /cancelled/);
      assert.equal(ws.setupEvents.some((e) => e.stage === 'terminal'), false, 'no later stage ran');
    });

    it('asks once for a file, not again while it is unchanged, and again once its text changes', async () => {
      await writeProject(world, { setup: ['true'] });
      await world.readyWorkspace('feature/a');
      await world.readyWorkspace('feature/b');
      assert.equal(approver.asked.length, 1);
      assert.equal(approver.asked[0].reason, 'first');
      assert.deepEqual(approver.asked[0].setup.map((s) => s.run), ['true']);
      await writeProject(world, { setup: ['true', 'echo more'] });
      await world.readyWorkspace('feature/c');
      assert.equal(approver.asked.length, 2);
      assert.equal(approver.asked[1].reason, 'changed');
      assert.deepEqual(approver.asked[1].setup.map((s) => s.run), ['true', 'echo more']);
    });

    it('never runs declined steps: recorded skipped with why, ready, and Retry Setup asks again', async () => {
      approver.answer = false;
      await writeProject(world, { setup: [counted(world, 'one')] });
      const ws = await world.readyWorkspace();
      assert.equal(ws.status, 'ready', 'still usable');
      assert.deepEqual(stepEvents(ws, 'setup'), ['one:skipped']);
      assert.match(ws.setupEvents.at(-1)?.detail ?? '', /declined/);
      assert.deepEqual(await counts(world), []);
      approver.answer = true;
      const retried = await world.lifecycle.retrySetup(ws.id);
      assert.equal(approver.asked.length, 2);
      assert.equal(retried.status, 'ready');
      assert.deepEqual(await counts(world), ['one']);
    });

    it('never runs the file in an untrusted workspace, and does not ask', async () => {
      trusted = false;
      await writeProject(world, { setup: [counted(world, 'one')] });
      const ws = await world.readyWorkspace();
      assert.equal(ws.status, 'ready');
      assert.deepEqual(stepEvents(ws, 'setup'), ['one:skipped']);
      assert.match(ws.setupEvents.at(-1)?.detail ?? '', /not trusted/);
      assert.equal(approver.asked.length, 0);
      assert.deepEqual(await counts(world), []);
    });

    it('runs the user setting instead of the file: the setting overrides the team', async () => {
      await writeProject(world, { setup: [counted(world, 'team')] });
      const ws = await world.lifecycle.createWorkspace({ repoPath: world.repo.repo, branch: 'feature/one', setupCommand: `echo mine >> '${join(world.repo.root, 'count')}'` });
      assert.equal(ws.status, 'ready');
      assert.deepEqual(await counts(world), ['mine']);
      assert.equal(approver.asked.length, 0, 'the user\'s own command needs no approval');
    });

    it('copies the file\'s include paths beside .worktreeinclude', async () => {
      await writeFile(join(world.repo.repo, '.gitignore'), '.env\n.secrets\n');
      await writeFile(join(world.repo.repo, '.env'), 'A=1\n');
      await writeFile(join(world.repo.repo, '.secrets'), 'B=2\n');
      await writeFile(join(world.repo.repo, '.worktreeinclude'), '.env\n');
      await writeProject(world, { include: ['.secrets', '../outside'] });
      const ws = await world.readyWorkspace();
      assert.ok(existsSync(join(ws.worktreePath, '.env')));
      assert.equal(await readFile(join(ws.worktreePath, '.secrets'), 'utf8'), 'B=2\n');
      assert.match(ws.setupEvents.find((e) => e.stage === 'include' && e.outcome === 'ok')?.detail ?? '', /did not copy \.\.\/outside \(outside the repository\)/);
    });
  });

  describe('teardown', () => {
    it('runs before the worktree is removed, in the worktree with the workspace\'s variables, output in the setup log', async () => {
      const seen = join(world.repo.root, 'seen');
      await writeProject(world, { teardown: [{ name: 'look', run: `pwd > '${seen}'; ls README.md >> '${seen}'; echo "$TMUX_WORKSPACES_PORT $DB" >> '${seen}'; echo tearing-down` }], env: { DB: 'db-{port+2}' } });
      const ws = await world.readyWorkspace();
      await world.lifecycle.deleteWorkspace(ws.id);
      const [where, readme, variables] = (await readFile(seen, 'utf8')).split('\n');
      assert.equal(where, ws.worktreePath);
      assert.equal(readme, 'README.md', 'the worktree was still there');
      assert.equal(variables, `${ws.ports!.first} db-${ws.ports!.first + 2}`, 'its port and the file\'s templated variable');
      assert.equal(existsSync(ws.worktreePath), false);
      assert.match(await readFile(join(world.harness.stateDirectory, 'logs', `${ws.id}.setup.log`), 'utf8'), /tearing-down/);
    });

    it('never hands out ports to a workspace it tears down: one made before ports existed is deleted without a block, even when none would fit', async () => {
      const seen = join(world.repo.root, 'seen');
      await writeProject(world, { teardown: [{ name: 'look', run: `echo "port=$TMUX_WORKSPACES_PORT db=$DB name=$NAME" > '${seen}'` }], env: { DB: 'db-{port}', NAME: 'n-{name}' } });
      const old = await world.readyWorkspace();
      world.harness.lifecycles[0].dispose();
      // As an older version wrote it: no block.
      await new RecordStore(world.harness.memento).update(old.id, { ports: undefined });
      // The one block these settings allow goes to another workspace, so none would fit the old one.
      const lifecycle = await world.harness.reload({ approveProject: approver.approve, ports: () => [{ base: 65530, blockSize: 6 }] });
      const other = await lifecycle.createWorkspace({ repoPath: world.repo.repo, branch: 'feature/two' });
      assert.equal(other.ports?.first, 65530);
      await lifecycle.deleteWorkspace(old.id);
      assert.equal(await readFile(seen, 'utf8'), 'port= db= name=n-feature-one\n', 'no port, and no variable that needs one');
      assert.equal(new RecordStore(world.harness.memento).workspace(old.id), undefined, 'deleted');
      assert.equal(existsSync(old.worktreePath), false);
    });

    it('keeps everything when teardown fails (deletion_failed); Retry Delete runs it again once fixed', async () => {
      const flag = join(world.repo.root, 'fixed');
      await writeProject(world, { teardown: [counted(world, 'down', `test -e '${flag}'`)] });
      const ws = await world.readyWorkspace();
      await assert.rejects(world.lifecycle.deleteWorkspace(ws.id), /The teardown step "down" .* exited with 1\./);
      const failed = new RecordStore(world.harness.memento).workspace(ws.id);
      assert.equal(failed?.status, 'deletion_failed');
      assert.ok(existsSync(ws.worktreePath), 'the worktree is kept');
      assert.ok((await world.liveNames()).includes(ws.baseSession), 'the base terminal keeps running');
      assert.match(await git(world.repo.repo, 'branch', '--list', 'feature/one'), /feature\/one/);
      await writeFile(flag, '');
      await world.lifecycle.deleteWorkspace(ws.id);
      assert.deepEqual(await counts(world), ['down', 'down']);
      assert.equal(existsSync(ws.worktreePath), false);
      assert.equal(new RecordStore(world.harness.memento).workspace(ws.id), undefined);
    });

    it('goes on past a failing teardown when the delete is forced', async () => {
      await writeProject(world, { teardown: ['exit 3'] });
      const ws = await world.readyWorkspace();
      await world.lifecycle.deleteWorkspace(ws.id, { force: true });
      assert.equal(existsSync(ws.worktreePath), false);
      assert.equal(new RecordStore(world.harness.memento).workspace(ws.id), undefined);
    });

    it('stops a teardown that runs over its time limit, and the delete with it', async () => {
      const lifecycle = await world.harness.reload({ approveProject: approver.approve, teardownTimeoutMs: () => 300 });
      await writeProject(world, { teardown: [{ name: 'hang', run: 'sleep 60' }] });
      const ws = await lifecycle.createWorkspace({ repoPath: world.repo.repo, branch: 'feature/one' });
      await assert.rejects(lifecycle.deleteWorkspace(ws.id), /The teardown step "hang" \(`sleep 60`\) timed out/);
      assert.equal(new RecordStore(world.harness.memento).workspace(ws.id)?.status, 'deletion_failed');
      assert.ok(existsSync(ws.worktreePath));
    });

    it('runs before an archive, whose failure leaves archive_failed with the worktree kept', async () => {
      await writeProject(world, { teardown: ['exit 5'] });
      const ws = await world.readyWorkspace();
      await assert.rejects(world.lifecycle.archiveWorkspace(ws.id), /The teardown command `exit 5` exited with 5\./);
      assert.equal(new RecordStore(world.harness.memento).workspace(ws.id)?.status, 'archive_failed');
      assert.ok(existsSync(ws.worktreePath));
    });
  });
});
