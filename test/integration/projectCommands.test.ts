import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ProjectApproval } from '../../src/core/project/projectGate';
import type { CommandContext } from '../../src/ui/host';
import { CommandId } from '../../src/ui/ids';
import { askToRunProjectCommands, DONT_RUN, RUN } from '../../src/ui/projectApproval';
import { agentCatalog } from '../../src/ui/commands/agentCatalog';
import { launchAgentIn } from '../../src/ui/commands/launchSession';
import { git } from '../helpers/gitRepo';
import { eventually } from '../helpers/poll';
import { RecordingLog, ScriptedHost, runGuarded, plainSettings } from '../helpers/scriptedHost';
import { useWorld } from '../helpers/world';

const settings = plainSettings();

describe('project file commands in the UI', () => {
  /** The host of the running test: the lifecycle's approval modal is shown on it. */
  let host: ScriptedHost;
  const approve = (request: ProjectApproval) => askToRunProjectCommands((message, detail, ...actions) => host.confirm(message, detail, ...actions), request);
  const world = useWorld({ overrides: { approveProject: approve } });

  function context(): CommandContext {
    return { lifecycle: world.lifecycle, host, log: new RecordingLog(), settings, repositories: { repositories: async () => [world.repo.repo] }, environment: process.env };
  }

  async function project(content: unknown): Promise<void> {
    await writeFile(join(world.repo.repo, '.tmux-workspaces.json'), JSON.stringify(content));
  }

  it('offers the project file\'s agents in Launch Agent, the user\'s entry with the same id winning, and none while untrusted', async () => {
    await project({ agents: [{ id: 'team', label: 'Team agent', command: '/bin/sh', args: ['-c', 'exec sleep 600'] }, { id: 'mine', label: 'File mine', command: '/bin/sh' }] });
    const ws = await world.readyWorkspace();
    const own = { id: 'mine', label: 'My own', command: '/bin/sh', args: [], env: [] };
    const withOwn = (lifecycle = world.lifecycle): CommandContext => ({ ...context(), lifecycle, settings: { ...settings, agents: () => ({ agents: [own], problems: [], blockedByTrust: false }) } });
    host = new ScriptedHost();
    assert.deepEqual((await agentCatalog(withOwn(), ws.id)).map((agent) => agent.label), ['Team agent', 'My own']);
    host = new ScriptedHost(['Team agent', 'No first prompt']);
    const session = await launchAgentIn(withOwn(), ws.id);
    assert.equal(session?.label, 'Team agent');
    assert.deepEqual(session?.command.slice(1), ['-c', 'exec sleep 600'], 'launched with the file\'s arguments');

    const untrusted = await world.harness.lifecycle({ isTrusted: () => false });
    host = new ScriptedHost();
    assert.deepEqual((await agentCatalog(withOwn(untrusted), ws.id)).map((agent) => agent.label), ['My own']);
    assert.match(host.shown.at(-1)?.message ?? '', /Agents defined in the repository's \.tmux-workspaces\.json are not offered: the workspace is not trusted\./);
  });

  it('runs nothing when the approval modal is dismissed (Escape or Cancel): the workspace is usable, its steps skipped, and Retry Setup asks again', async () => {
    const marker = join(world.repo.root, 'ran');
    await project({ setup: [`touch '${marker}'`] });
    host = new ScriptedHost(['New branch…', 'feature/dismissed', undefined]);
    await runGuarded(context(), CommandId.createWorkspace);
    const [view] = await world.lifecycle.listWorkspaces();
    assert.equal(view.record.status, 'ready');
    assert.equal(existsSync(marker), false, 'a dismissed modal is no approval');
    assert.deepEqual(view.record.setupEvents.filter((event) => event.stage === 'setup').map((event) => event.outcome), ['skipped']);
    host = new ScriptedHost([RUN]);
    await runGuarded(context(), CommandId.retrySetup, view.record.id);
    assert.equal(host.shown.filter((shown) => shown.kind === 'confirm').length, 1, 'asked again');
    assert.equal(existsSync(marker), true);
  });

  it('shows every command in the approval modal, Run a button that says what it does, and names each step in the progress', async () => {
    await project({ setup: [{ name: 'install', run: 'echo installing' }, 'echo second'], teardown: ['echo bye'] });
    host = new ScriptedHost(['New branch…', 'feature/a', RUN]);
    await runGuarded(context(), CommandId.createWorkspace);
    const modal = host.shown.find((shown) => shown.kind === 'confirm');
    assert.match(modal?.message ?? '', /wants to run commands/);
    assert.match(modal?.detail ?? '', /Setup \(runs in each new worktree\):\n {2}1\. install: echo installing\n {2}2\. echo second/);
    assert.match(modal?.detail ?? '', /Teardown \(runs before Delete or Archive\):\n {2}1\. echo bye/);
    assert.deepEqual(modal?.actions, [RUN, DONT_RUN]);
    assert.ok(host.progressReports.includes('setup step "install"…'), host.progressReports.join(' | '));
    assert.ok(host.progressReports.includes('setup step "echo second"…'));
    const [view] = await world.lifecycle.listWorkspaces();
    assert.equal(view.record.status, 'ready');
  });

  it('cancelling the progress stops the running step; the workspace is left in error and Retry Setup resumes there', async () => {
    const fixed = join(world.repo.root, 'fixed');
    await project({ setup: ['true', { name: 'slow', run: `test -e '${fixed}' || exec sleep 60` }] });
    host = new ScriptedHost(['New branch…', 'feature/slow', RUN]);
    const creating = runGuarded(context(), CommandId.createWorkspace);
    await eventually(() => host.progressReports.includes('setup step "slow"…'));
    host.cancel();
    await creating;
    const [view] = await world.lifecycle.listWorkspaces();
    assert.equal(view.record.status, 'error');
    assert.match(view.record.lastError ?? '', /The setup step "slow" .* was cancelled\./);
    await writeFile(fixed, '');
    host = new ScriptedHost();
    await runGuarded(context(), CommandId.retrySetup, view.record.id);
    assert.equal(world.lifecycle.workspace(view.record.id)?.status, 'ready');
  });

  const forcedPastTeardown = [
    { verb: 'Delete', command: CommandId.deleteWorkspace, branch: 'feature/t', gone: (id: string) => world.lifecycle.workspace(id) === undefined },
    { verb: 'Archive', command: CommandId.archiveWorkspace, branch: 'feature/at', gone: (id: string) => world.lifecycle.workspace(id)?.status === 'archived' },
  ];
  for (const { verb, command, branch, gone } of forcedPastTeardown) {
    it(`a failed teardown keeps the workspace and offers ${verb} Without Teardown, which says it ignores the failure`, async () => {
      await project({ teardown: ['exit 9'] });
      host = new ScriptedHost(['New branch…', branch]);
      await runGuarded(context(), CommandId.createWorkspace);
      const [view] = await world.lifecycle.listWorkspaces();
      // The teardown is asked for the first time it would run: at the delete or archive.
      host = new ScriptedHost([verb, RUN, `${verb} Anyway`]);
      host.clickAction = `${verb} Without Teardown`;
      await runGuarded(context(), command, view.record.id);
      const failure = host.shown.find((shown) => shown.kind === 'error');
      assert.match(failure?.message ?? '', /nothing was removed.*The teardown command `exit 9` exited with 9\./);
      assert.deepEqual(failure?.actions?.slice(0, 2), ['Show Setup Log', `${verb} Without Teardown`]);
      await eventually(() => gone(view.record.id));
      const forced = host.shown.filter((shown) => shown.kind === 'confirm').at(-1);
      assert.match(forced?.message ?? '', /without a clean teardown/);
      assert.match(forced?.detail ?? '', /ignores that failure/);
      assert.equal(existsSync(view.record.worktreePath), false);
      // Archive keeps the branch; Delete removes the one it created.
      assert.equal(await git(world.repo.repo, 'branch', '--list', branch), verb === 'Archive' ? `  ${branch}` : '');
    });
  }

  it('the dialog over work at risk says Delete Anyway goes past a failing teardown only when the repository has teardown steps', async () => {
    host = new ScriptedHost(['New branch…', 'feature/plain']);
    await runGuarded(context(), CommandId.createWorkspace);
    const plain = world.lifecycle.listWorkspaces().then((views) => views[0].record);
    await writeFile(join((await plain).worktreePath, 'notes.txt'), 'unsaved\n');
    host = new ScriptedHost(['Keep Workspace']);
    await runGuarded(context(), CommandId.deleteWorkspace, (await plain).id);
    assert.doesNotMatch(host.shown.find((shown) => shown.kind === 'confirm')?.detail ?? '', /teardown/, 'no teardown to speak of');

    await project({ teardown: ['true'] });
    host = new ScriptedHost(['Keep Workspace']);
    await runGuarded(context(), CommandId.deleteWorkspace, (await plain).id);
    assert.match(host.shown.find((shown) => shown.kind === 'confirm')?.detail ?? '', /and goes on if the repository's teardown steps fail\. This cannot be undone\.$/);
    assert.ok(existsSync((await plain).worktreePath), 'kept');
  });
});
