import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { openAllChanges } from '../../src/ui/commands/changeCommands';
import { createWorkspace } from '../../src/ui/commands/createWorkspace';
import { deleteWorkspace } from '../../src/ui/commands/deleteWorkspace';
import { launchShell } from '../../src/ui/commands/launchSession';
import { retrySetup } from '../../src/ui/commands/workspaceCommands';
import type { RuntimeLifecycle } from '../../src/core/lifecycle/RuntimeLifecycle';
import { Cancelled } from '../../src/ui/commands/failures';
import { copyAttachCommand } from '../../src/ui/commands/sessionCommands';
import type { CommandContext, Settings } from '../../src/ui/host';
import { CommandId } from '../../src/ui/ids';
import { TmuxClient } from '../../src/core/tmux/TmuxClient';
import { FailingTmux } from '../helpers/faults';
import { git } from '../helpers/gitRepo';
import { ENTER, RecordingLog, ScriptedHost, plainSettings, runGuarded, typing } from '../helpers/scriptedHost';
import { eventually } from '../helpers/poll';
import { useWorld } from '../helpers/world';

const settings = (overrides: Partial<Settings> = {}): Settings => plainSettings({ attachOnLaunch: () => true, branchPrefix: () => 'feature/', ...overrides });

describe('commands against the real lifecycle', () => {
  const world = useWorld({ repoFolder: 'my repo' });

  function context(host: ScriptedHost, overrides: Partial<Settings> = {}, lifecycle: RuntimeLifecycle = world.lifecycle, log = new RecordingLog()): CommandContext {
    return { lifecycle, host, log, settings: settings(overrides), repositories: { repositories: async () => [world.repo.repo] }, environment: process.env };
  }

  async function created(branch = 'feature/login') {
    const host = new ScriptedHost(['New branch…', branch]);
    const record = await createWorkspace(context(host), { attach: true });
    assert.ok(record);
    return { record, host };
  }

  it('create validates the branch as typed, then attaches the base terminal with the clean attach command', async () => {
    await git(world.repo.repo, 'branch', 'taken');
    const host = new ScriptedHost(['New branch…', 'feature/login'], ['feature/has space', 'taken', 'feature/login']);
    const record = await createWorkspace(context(host), { attach: true });
    assert.ok(record);
    assert.deepEqual(host.validations.map((v) => [v.value, v.problem === undefined]), [
      ['feature/has space', false],
      ['taken', false],
      ['feature/login', true],
    ]);
    assert.match(host.validations[1].problem!, /already exists/);
    assert.equal(host.terminals.length, 1);
    assert.deepEqual(host.terminals[0].argv, ['env', '-u', 'TMUX', ...world.fixture.command, '-N', '-u', 'attach-session', '-E', '-t', `=${record.baseSession}`]);
    assert.equal(host.terminals[0].cwd, record.worktreePath);
    assert.ok(record.worktreePath.includes('my repo.worktrees'), 'a repository path with a space works');
    assert.deepEqual(host.revealed, [record.id]);
  });

  it('create still attaches the base terminal when the reveal fails, and logs the failed reveal at warn', async () => {
    const host = new ScriptedHost(['New branch…', 'feature/login']);
    host.revealError = new Error('Cannot resolve tree item for element 1/ws:feature-login-08c6 from extension tmux-workspaces');
    const log = new RecordingLog();
    const record = await createWorkspace(context(host, {}, world.lifecycle, log), { attach: true });
    assert.equal(record.status, 'ready');
    assert.deepEqual(host.revealed, [record.id]);
    assert.deepEqual(host.terminals.map((terminal) => terminal.tmuxName), [record.baseSession]);
    assert.ok(log.shown().some((line) => line.level === 'warn' && /Cannot resolve tree item/.test(line.message)), 'the failed reveal is in the log');
    assert.deepEqual(host.shown, [], 'nothing to tell the user: the workspace is ready');
  });

  it('create takes a branch name typed into the first picker, validated as typed', async () => {
    await git(world.repo.repo, 'branch', 'local-only');
    const host = new ScriptedHost([typing('has space', 'main', 'typed/branch')]);
    const record = await createWorkspace(context(host), { attach: false });
    assert.deepEqual(host.validations.map((v) => [v.value, v.problem]), [
      ['has space', 'A branch name cannot contain spaces.'],
      ['main', 'Branch "main" already exists and is checked out in another worktree.'],
      ['typed/branch', undefined],
    ]);
    assert.equal(record.branch, 'typed/branch');
    assert.equal(record.createdBranch, true);
    assert.equal(world.lifecycle.workspace(record.id)?.status, 'ready');

    const again = new ScriptedHost([typing('local-only')]);
    assert.equal((await createWorkspace(context(again), { attach: false })).createdBranch, false, 'typing a listed branch picks its row');
  });

  it('create of an existing repository and branch reveals the workspace instead of making a second', async () => {
    const { record } = await created();
    for (const answers of [['New branch…', 'feature/login'], ['feature/login']]) {
      const host = new ScriptedHost(answers);
      const again = await createWorkspace(context(host), { attach: false });
      assert.equal(again?.id, record.id);
      assert.deepEqual(host.revealed, [record.id]);
      assert.ok(host.shown.some((shown) => /already exists/.test(shown.message)));
    }
    assert.deepEqual((await world.lifecycle.listWorkspaces()).map((view) => view.record.id), [record.id]);
  });

  it('create offers existing local and remote branches, not one another worktree has checked out', async () => {
    await git(world.repo.repo, 'branch', 'local-only');
    const choices = await world.lifecycle.branchChoices(world.repo.repo);
    assert.deepEqual(choices.local, ['local-only']);
    assert.equal(choices.defaultBranch, 'main');
    const host = new ScriptedHost(['local-only']);
    const record = await createWorkspace(context(host), { attach: false });
    assert.equal(record?.createdBranch, false);
  });

  it('delete with a dirty worktree takes the force path only after the modal says Delete Anyway', async () => {
    const { record } = await created();
    await writeFile(join(record.worktreePath, 'draft.md'), 'unsaved thoughts\n');

    const cancelled = new ScriptedHost([undefined]);
    await assert.rejects(deleteWorkspace(context(cancelled), record.id), Cancelled);
    assert.ok(existsSync(join(record.worktreePath, 'draft.md')), 'Cancel keeps the work');
    assert.equal(world.lifecycle.workspace(record.id)?.status, 'ready');
    assert.equal(cancelled.shown[0].kind, 'confirm');
    assert.match(cancelled.shown[0].message, /work that would be lost/);
    assert.match(cancelled.shown[0].detail!, /1 uncommitted or untracked file:\n {2}draft\.md/);

    const entered = new ScriptedHost([ENTER]);
    await assert.rejects(deleteWorkspace(context(entered), record.id), Cancelled, 'Enter picks the safe default');
    assert.ok(existsSync(join(record.worktreePath, 'draft.md')), 'Enter keeps the work');
    assert.notEqual(entered.shown[0].actions?.[0], 'Delete Anyway', 'the destructive action is not the default');

    const confirmed = new ScriptedHost(['Delete Anyway']);
    assert.equal(await deleteWorkspace(context(confirmed), record.id), true);
    assert.ok(!existsSync(record.worktreePath));
    assert.deepEqual(await world.lifecycle.listWorkspaces(), []);
  });

  it('delete of a clean workspace asks once and removes it', async () => {
    const { record } = await created();
    const host = new ScriptedHost(['Delete']);
    assert.equal(await deleteWorkspace(context(host), record.id), true);
    assert.match(host.shown[0].message, /Delete workspace "feature\/login"\?/);
    assert.equal(host.shown[0].detail, `This removes the worktree folder ${record.worktreePath}, the branch "feature/login" and the base terminal.`);
    assert.equal(await git(world.repo.repo, 'branch', '--list', 'feature/login'), '');
  });

  it('opens all changes against the base in one multi-file diff, each file with its base text on the left', async () => {
    const { record } = await created();
    const quiet = new ScriptedHost();
    await openAllChanges(context(quiet), record.id);
    assert.deepEqual(quiet.shown.map((shown) => shown.message), ['"feature/login" has no changes against main.']);

    await writeFile(join(record.worktreePath, 'README.md'), '# changed\n');
    await writeFile(join(record.worktreePath, 'new.txt'), 'new\n');
    const host = new ScriptedHost();
    await openAllChanges(context(host), record.id);
    assert.equal(host.diffs.length, 1);
    const [opened] = host.diffs;
    assert.equal(opened.title, 'feature/login ↔ main');
    assert.deepEqual(opened.diffs.map((diff) => [diff.resource, diff.left.kind, diff.right]), [
      [join(record.worktreePath, 'new.txt'), 'commit', { kind: 'file', path: join(record.worktreePath, 'new.txt') }],
      [join(record.worktreePath, 'README.md'), 'commit', { kind: 'file', path: join(record.worktreePath, 'README.md') }],
    ]);
    const left = opened.diffs[1].left;
    assert.ok(left.kind === 'commit');
    assert.equal(await world.lifecycle.textAt(record.id, left.commit, left.path), await git(world.repo.repo, 'show', 'main:README.md').then((text) => `${text}\n`));
    assert.equal(await world.lifecycle.textAt(record.id, left.commit, 'new.txt'), '', 'the base had no new.txt');
  });

  it('launch shell attaches by setting, stop works without asking, and copy gives the same attach command', async () => {
    const { record } = await created();
    const host = new ScriptedHost();
    const shell = await launchShell(context(host), record.id);
    assert.ok(shell);
    assert.equal(host.terminals.at(-1)?.tmuxName, shell.tmuxName);
    assert.equal(host.terminals.at(-1)?.title, 'shell · feature/login');
    await runGuarded(context(host), CommandId.attach, shell.key);
    assert.deepEqual(host.terminals.map((terminal) => terminal.title), ['shell · feature/login', 'shell · feature/login'], 'Attach names it the same way');
    const line = await copyAttachCommand(context(host), shell.key);
    assert.equal(line, `env -u TMUX ${world.fixture.command.join(' ')} -N -u attach-session -E -t =${shell.tmuxName}`);
    assert.equal(await runGuarded(context(host), CommandId.stopSession, shell.key), true, 'the guard passes the result on, as executeCommand does');
    assert.equal(world.lifecycle.session(shell.key), undefined);
  });

  it('launch shell with attachOnLaunch off opens no terminal', async () => {
    const { record } = await created();
    const host = new ScriptedHost();
    await launchShell(context(host, { attachOnLaunch: () => false }), record.id);
    assert.deepEqual(host.terminals, []);
  });

  it('says why the setup command did not run in an untrusted workspace', async () => {
    const host = new ScriptedHost(['New branch…', 'feature/untrusted']);
    const record = await createWorkspace(context(host, { setupCommand: () => ({ command: undefined, blockedByTrust: true }) }), { attach: false });
    assert.equal(record?.status, 'ready');
    assert.ok(host.shown.some((shown) => shown.kind === 'warn' && /not trusted/.test(shown.message)));
  });

  it('reports a failed setup in one short sentence, with the log behind Show Setup Log, offers a retry, and leaves the workspace in error', async () => {
    const host = new ScriptedHost(['New branch…', 'feature/broken']);
    await runGuarded(context(host, { setupCommand: () => ({ command: 'exit 4', blockedByTrust: false }) }), CommandId.createWorkspace);
    const error = host.shown.find((shown) => shown.kind === 'error');
    assert.equal(error?.message, 'Workspace "feature/broken": The setup command `exit 4` exited with 4.');
    assert.deepEqual(error?.actions, ['Show Setup Log', 'Retry Setup', 'Show Log']);
    const [view] = await world.lifecycle.listWorkspaces();
    assert.equal(view.record.status, 'error');
    assert.deepEqual(host.terminals, []);
  });

  describe('Retry Setup succeeds like Create', () => {
    /** A workspace whose setup command failed until `fixed` exists, and the command for it. */
    async function failedUntilFixed() {
      const fixed = join(world.repo.root, 'fixed');
      const setupCommand = () => ({ command: `test -e '${fixed}' || exit 3`, blockedByTrust: false });
      await runGuarded(context(new ScriptedHost(['New branch…', 'feature/retry']), { setupCommand }), CommandId.createWorkspace);
      const [view] = await world.lifecycle.listWorkspaces();
      assert.equal(view.record.status, 'error');
      await writeFile(fixed, '');
      return { record: view.record, setupCommand };
    }

    it('attaches the base terminal and says the workspace is ready', async () => {
      const { record, setupCommand } = await failedUntilFixed();
      const host = new ScriptedHost();
      await retrySetup(context(host, { setupCommand }), record.id);
      assert.equal(world.lifecycle.workspace(record.id)!.status, 'ready');
      assert.deepEqual(host.terminals.map((terminal) => terminal.tmuxName), [record.baseSession]);
      assert.equal(host.terminals[0].cwd, record.worktreePath);
      assert.deepEqual(host.shown, [{ kind: 'info', message: 'Workspace "feature/retry" is ready.' }]);
    });

    it('opens no terminal with attachOnLaunch off, and still says so', async () => {
      const { record, setupCommand } = await failedUntilFixed();
      const host = new ScriptedHost();
      await retrySetup(context(host, { setupCommand, attachOnLaunch: () => false }), record.id);
      assert.deepEqual(host.terminals, []);
      assert.deepEqual(host.shown, [{ kind: 'info', message: 'Workspace "feature/retry" is ready.' }]);
    });

    it('does the same from the failure\'s Retry Setup button', async () => {
      const host = new ScriptedHost(['New branch…', 'feature/retry']);
      host.clickAction = 'Retry Setup';
      // The first run (Create's) fails; the button's retry reads the setting again, fixed by then.
      let runs = 0;
      const setupCommand = () => ({ command: runs++ === 0 ? 'exit 3' : 'true', blockedByTrust: false });
      await runGuarded(context(host, { setupCommand }), CommandId.createWorkspace);
      const [view] = await world.lifecycle.listWorkspaces();
      await eventually(() => world.lifecycle.workspace(view.record.id)?.status === 'ready' && host.shown.some((shown) => shown.kind === 'info'));
      assert.deepEqual(host.terminals.map((terminal) => terminal.tmuxName), [view.record.baseSession]);
      assert.ok(host.shown.some((shown) => shown.kind === 'info' && shown.message === 'Workspace "feature/retry" is ready.'));
    });
  });

  describe('the command guard', () => {
    it('turns a failing tmux listing in Attach into a clear error with Show Log, and logs it with its command', async () => {
      await created();
      const broken = await world.harness.lifecycle({ tmuxClient: new FailingTmux(world.fixture, 'list-sessions') });
      const host = new ScriptedHost();
      host.clickAction = 'Show Log';
      const log = new RecordingLog();
      await runGuarded(context(host, {}, broken, log), CommandId.attach);
      assert.deepEqual(host.shown, [{ kind: 'error', message: 'Attach: tmux list-sessions failed: injected failure', actions: ['Show Log'] }]);
      assert.equal(host.logShown, 1, 'Show Log opens the log');
      assert.deepEqual(log.shown(), [{ level: 'error', message: '[Attach] Attach: tmux list-sessions failed: injected failure' }]);
    });

    it('shows a refusal as a warning, also in the log at warn level with the command and workspace', async () => {
      const { record } = await created();
      const host = new ScriptedHost();
      const log = new RecordingLog();
      await runGuarded(context(host, {}, world.lifecycle, log), CommandId.retrySetup, record.id);
      assert.equal(host.shown.length, 1);
      assert.equal(host.shown[0].kind, 'warn');
      assert.match(host.shown[0].message, /^Retry setup of "feature\/login": /);
      assert.deepEqual(log.shown(), [{ level: 'warn', message: `[Retry Setup] [workspace feature/login] ${host.shown[0].message}` }]);
      assert.equal(world.lifecycle.workspace(record.id)?.status, 'ready', 'the refusal changed nothing');
    });

    it('shows nothing for a cancellation and keeps only a debug line', async () => {
      const { record } = await created();
      const host = new ScriptedHost([undefined]);
      const log = new RecordingLog();
      await runGuarded(context(host, {}, world.lifecycle, log), CommandId.deleteWorkspace, record.id);
      assert.deepEqual(host.shown.map((shown) => shown.kind), ['confirm']);
      assert.deepEqual(log.shown(), []);
      assert.ok(log.lines.some((line) => line.level === 'debug' && /Delete Workspace.*cancelled/.test(line.message)));
      assert.equal(world.lifecycle.workspace(record.id)?.status, 'ready');
    });

    it('offers the install page when tmux is not installed', async () => {
      const { record } = await created();
      const missing = await world.harness.lifecycle({ tmuxClient: new TmuxClient({ command: ['/nonexistent/tmux'] }) });
      const host = new ScriptedHost();
      host.clickAction = 'How to Install';
      const log = new RecordingLog();
      await runGuarded(context(host, {}, missing, log), CommandId.launchShell, record.id);
      const warning = host.shown.find((shown) => shown.kind === 'warn');
      assert.match(warning?.message ?? '', /^Launch shell: tmux is not installed/);
      assert.deepEqual(warning?.actions, ['How to Install']);
      assert.deepEqual(host.opened, ['https://github.com/tmux/tmux/wiki/Installing']);
      assert.ok(log.shown().some((line) => line.level === 'warn' && line.message.includes('[workspace feature/login]')));
    });
  });
});
