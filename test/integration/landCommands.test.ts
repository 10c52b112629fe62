import * as assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CommandContext, Settings } from '../../src/ui/host';
import { CommandId } from '../../src/ui/ids';
import { workspaceNode } from '../../src/ui/tree/nodes';
import { git } from '../helpers/gitRepo';
import { ENTER, RecordingLog, ScriptedHost, runGuarded } from '../helpers/scriptedHost';
import { useWorld } from '../helpers/world';

const settings = (strategy: 'merge' | 'rebase' = 'merge'): Settings => ({
  setupCommand: () => ({ command: undefined, blockedByTrust: false }),
  agents: () => ({ agents: [], problems: [], blockedByTrust: false }),
  attachOnLaunch: () => false,
  branchPrefix: () => '',
  updateStrategy: () => strategy,
});

async function commit(cwd: string, file: string, text: string): Promise<void> {
  await writeFile(join(cwd, file), text);
  await git(cwd, 'add', file);
  await git(cwd, 'commit', '-q', '-m', `edit ${file}`);
}

describe('landing commands through the guard, against the real lifecycle and git', () => {
  const world = useWorld({ branch: 'feat/cmd' });

  function context(host: ScriptedHost, log = new RecordingLog(), strategy: 'merge' | 'rebase' = 'merge'): CommandContext {
    return { lifecycle: world.lifecycle, host, log, settings: settings(strategy), repositories: { repositories: async () => [world.repo.repo] }, environment: process.env };
  }

  it('Commit All refuses an empty change set before asking for a message, and logs the refusal', async () => {
    const ws = await world.readyWorkspace();
    const host = new ScriptedHost([]);
    const log = new RecordingLog();
    await runGuarded(context(host, log), CommandId.commitAll, ws.id);
    assert.deepEqual(host.shown.map((shown) => shown.kind), ['warn']);
    assert.match(host.shown[0].message, /nothing to commit/);
    assert.ok(log.shown().some((line) => line.level === 'warn' && /nothing to commit/.test(line.message)));
    await writeFile(join(ws.worktreePath, 'agent.txt'), 'made by the agent\n');
    await runGuarded(context(new ScriptedHost(['Add the agent\'s file'])), CommandId.commitAll, ws.id);
    assert.equal(await git(ws.worktreePath, 'log', '-1', '--format=%s'), 'Add the agent\'s file');
  });

  it('Merge into Base offers Commit All when the workspace has uncommitted work, and Delete Workspace once merged, which then goes through', async () => {
    const ws = await world.readyWorkspace();
    await writeFile(join(ws.worktreePath, 'agent.txt'), 'made by the agent\n');
    const refusedHost = new ScriptedHost([ENTER, 'Commit the work']);
    refusedHost.clickAction = 'Commit All…';
    await runGuarded(context(refusedHost), CommandId.mergeIntoBase, ws.id);
    assert.deepEqual(refusedHost.shown[1].actions, ['Commit All…']);
    assert.match(refusedHost.shown[1].message, /uncommitted or untracked files \(agent\.txt\)/);
    assert.equal(await git(ws.worktreePath, 'log', '-1', '--format=%s'), 'Commit the work', 'the offered Commit All committed');

    // Merge, then Delete Workspace from the notification: its plain confirm (nothing at risk), answered with Enter.
    const branchTip = await git(ws.worktreePath, 'rev-parse', 'HEAD');
    const host = new ScriptedHost([ENTER, ENTER]);
    host.clickAction = 'Delete Workspace';
    await runGuarded(context(host), CommandId.mergeIntoBase, ws.id);
    assert.equal(await git(world.repo.repo, 'rev-parse', 'main'), branchTip, 'main has the work (the workspace\'s branch went with it)');
    const offer = host.shown.find((shown) => shown.kind === 'info');
    assert.match(offer!.message, /Merged "feat\/cmd" into "main" as a fast-forward/);
    const confirm = host.shown.filter((shown) => shown.kind === 'confirm')[1];
    assert.equal(confirm.message, 'Delete workspace "feat/cmd"?', 'the delete finds nothing at risk');
    assert.equal(world.lifecycle.workspace(ws.id), undefined);
  });

  it('Update from Base stops on a conflict with the files and what to do, and the row says "conflicts"', async () => {
    const ws = await world.readyWorkspace();
    await commit(ws.worktreePath, 'README.md', 'workspace\n');
    await commit(world.repo.repo, 'README.md', 'main\n');
    const host = new ScriptedHost([]);
    const log = new RecordingLog();
    await runGuarded(context(host, log), CommandId.updateFromBase, ws.id);
    assert.equal(host.shown.length, 1);
    assert.equal(host.shown[0].kind, 'warn');
    assert.match(host.shown[0].message, /stopped on conflicts in README\.md.*git merge --continue.*git merge --abort/);
    assert.ok(log.shown().some((line) => line.level === 'warn' && /conflicts in README\.md/.test(line.message)), 'the warning is in the log');
    const [view] = await world.lifecycle.listWorkspaces();
    const stats = await world.lifecycle.worktreeChanges(ws.id);
    const row = workspaceNode(view, { stats: new Map([[ws.id, stats!]]), tmuxAvailable: true, now: Date.now() });
    assert.match(row.description ?? '', /conflicts/);
  });
});
