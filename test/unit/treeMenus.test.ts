import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { WorkspaceView } from '../../src/core/lifecycle/RuntimeLifecycle';
import type { ResumableRecord, SessionRecord, WorkspaceRecord } from '../../src/core/store/records';
import { stoppedNode } from '../../src/ui/tree/stoppedNodes';
import { CommandId, VIEW_ID } from '../../src/ui/ids';
import { workspaceNode, type TreeNode } from '../../src/ui/tree/nodes';

interface MenuItem {
  readonly command: string;
  readonly when?: string;
}

const manifest: { contributes: { menus: Record<string, MenuItem[]> } } = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'package.json'), 'utf8'));
const NOW = Date.UTC(2026, 10, 25, 12, 0, 0);

/** Evaluates the `view == …`, `viewItem == …` and `viewItem =~ /…/` terms (joined by `&&`) our item menus use, as VS Code does. */
function offers(item: MenuItem, contextValue: string): boolean {
  return (item.when ?? '').split('&&').every((term) => {
    const clause = term.trim();
    const regex = /^viewItem =~ \/(.*)\/$/.exec(clause);
    if (regex) return new RegExp(regex[1]).test(contextValue);
    if (clause.startsWith('view == ')) return clause.slice('view == '.length) === VIEW_ID;
    if (clause.startsWith('viewItem == ')) return clause.slice('viewItem == '.length) === contextValue;
    throw new Error(`a when clause this test cannot read: ${clause}`);
  });
}

/** The commands a row's context menu and inline buttons offer. */
function offered(node: TreeNode): string[] {
  return [...new Set(manifest.contributes.menus['view/item/context'].filter((item) => offers(item, node.contextValue)).map((item) => item.command))].sort();
}

function failedView(folder: boolean, baseAlive: boolean): WorkspaceView {
  const record: WorkspaceRecord = {
    v: 1, id: 'a', repoPath: '/src/app', branch: 'feature/a', baseBranch: 'main', branchSource: 'new',
    worktreePath: '/src/app.worktrees/feature-a', createdBranch: true, status: 'error', lastError: 'The setup command `npm ci` exited with 3.',
    setupLog: '/logs/a.log', setupEvents: [], baseSession: 'tw-a-base', createdAt: NOW, updatedAt: NOW,
  };
  return { record, folder, base: { name: record.baseSession, alive: baseAlive, attachedClients: 0 }, sessions: [] };
}

function rows(view: WorkspaceView) {
  const node = workspaceNode(view, { stats: new Map(), tmuxAvailable: true, now: NOW });
  return { workspace: node, base: node.children.find((child) => child.kind === 'base')! };
}

describe('tree rows offer only actions that can work', () => {
  it('offers no Attach, Copy Attach Command or Open Folder when a failed workspace\'s folder is gone', () => {
    const { workspace, base } = rows(failedView(false, false));
    const cannot: string[] = [CommandId.attach, CommandId.copyAttachCommand, CommandId.openWorkspaceFolder];
    for (const node of [workspace, base]) assert.deepEqual(offered(node).filter((id) => cannot.includes(id)), [], `${node.kind} row`);
    assert.ok(offered(workspace).includes(CommandId.retrySetup));
    assert.ok(offered(workspace).includes(CommandId.showSetupLog));
  });

  it('offers Attach and Open Folder when a failed setup command kept the worktree, to look and fix', () => {
    const { workspace, base } = rows(failedView(true, true));
    assert.ok(offered(workspace).includes(CommandId.openWorkspaceFolder));
    assert.ok(offered(base).includes(CommandId.attach));
    assert.ok(offered(base).includes(CommandId.copyAttachCommand));
  });

  it('tells the truth about the base terminal and says what Retry Setup will do', () => {
    const gone = rows(failedView(false, false)).workspace.tooltip!;
    assert.match(gone, /Base terminal: not running/);
    assert.match(gone, /Retry Setup will make the worktree, start the base terminal and run the setup command\./);
    const kept = rows(failedView(true, true)).workspace.tooltip!;
    assert.match(kept, /Base terminal: running/);
    assert.match(kept, /Retry Setup will run the setup command again\./);
  });

  it('offers Send First Prompt Again on a running agent whose first prompt was not sent, and Copy First Prompt also once it ended', () => {
    const ready = failedView(true, true);
    const agent = (key: string, state: 'failed' | 'unknown' | 'delivered'): SessionRecord => ({
      v: 1, key, workspaceId: 'a', kind: 'agent', agentId: 'claude', label: 'Claude Code', tmuxName: key, launchId: `launch-${key}`, command: ['/usr/bin/claude'], createdAt: NOW, prompt: { state, at: NOW },
    });
    const view: WorkspaceView = {
      ...ready,
      record: { ...ready.record, status: 'ready', lastError: undefined },
      sessions: [
        { record: agent('tw-running', 'failed'), alive: true, attachedClients: 0 },
        { record: agent('tw-ended', 'unknown'), alive: false, attachedClients: 0 },
        { record: agent('tw-sent', 'delivered'), alive: true, attachedClients: 0 },
      ],
    };
    const node = workspaceNode(view, { stats: new Map(), tmuxAvailable: true, now: NOW });
    const prompts = (key: string) => offered(node.children.find((child) => child.kind === 'session' && child.sessionKey === key)!).filter((id) => id === CommandId.sendPromptAgain || id === CommandId.copyPrompt);
    assert.deepEqual(prompts('tw-running'), [CommandId.copyPrompt, CommandId.sendPromptAgain]);
    assert.deepEqual(prompts('tw-ended'), [CommandId.copyPrompt]);
    assert.deepEqual(prompts('tw-sent'), []);
  });

  it('shows an agent\'s queued messages on its row and offers Send Message, and Cancel Queued Messages while some wait', () => {
    const ready = failedView(true, true);
    const agent = (key: string, queued: number): SessionRecord => ({
      v: 1, key, workspaceId: 'a', kind: 'agent', agentId: 'claude', label: 'Claude Code', tmuxName: key, launchId: `launch-${key}`, command: ['/usr/bin/claude'], createdAt: NOW,
      queued: Array.from({ length: queued }, (_, index) => ({ id: `m${index}`, at: NOW, preview: `message ${index}` })),
    });
    const view: WorkspaceView = {
      ...ready,
      record: { ...ready.record, status: 'ready', lastError: undefined },
      sessions: [{ record: agent('tw-waiting', 2), alive: true, attachedClients: 0 }, { record: agent('tw-free', 0), alive: true, attachedClients: 0 }],
    };
    const node = workspaceNode(view, { stats: new Map(), tmuxAvailable: true, now: NOW, agentStates: new Map([['tw-waiting', 'working'], ['tw-free', 'idle']]) });
    const row = (key: string) => node.children.find((child) => child.kind === 'session' && child.sessionKey === key)!;
    assert.equal(row('tw-waiting').description, 'working · 2 queued');
    assert.match(row('tw-waiting').tooltip!, /“message 0”, “message 1”/);
    const messaging = (key: string) => offered(row(key)).filter((id) => id === CommandId.sendMessage || id === CommandId.cancelQueued);
    assert.deepEqual(messaging('tw-waiting'), [CommandId.cancelQueued, CommandId.sendMessage]);
    assert.deepEqual(messaging('tw-free'), [CommandId.sendMessage]);
  });

  it('offers Commit All, Push, Merge into Base and Update from Base on a ready workspace with its folder and on its Changes row, and says when it has conflicts', () => {
    const failed = failedView(true, true);
    const view: WorkspaceView = { ...failed, record: { ...failed.record, status: 'ready', lastError: undefined } };
    const changes = { baseCommit: 'a70b5910e52e', files: [{ path: 'a.txt', kind: 'modified' as const, added: 1, removed: 0, binary: false }], added: 1, removed: 0, dirty: true, inProgress: 'merge' as const };
    const node = workspaceNode(view, { stats: new Map([['a', changes]]), tmuxAvailable: true, now: NOW });
    const landing: string[] = [CommandId.commitAll, CommandId.mergeIntoBase, CommandId.push, CommandId.updateFromBase].sort();
    assert.deepEqual(offered(node).filter((id) => landing.includes(id)), landing);
    assert.deepEqual(offered(node.children.find((child) => child.kind === 'changes')!).filter((id) => landing.includes(id)), landing);
    assert.match(node.description!, /conflicts/);
    const withPr = workspaceNode(view, { stats: new Map(), tmuxAvailable: true, now: NOW, pullRequests: new Map([['a', { url: 'https://github.com/acme/app/pull/7', state: 'merged' as const }]]) });
    assert.match(withPr.tooltip!, /Pull request \(merged\): https:\/\/github\.com\/acme\/app\/pull\/7/);
    assert.match(node.contextValue, /\+conflicts\b/);
    assert.deepEqual(offered(rows(failedView(true, true)).workspace).filter((id) => landing.includes(id)), [], 'not on a failed workspace');
    assert.deepEqual(offered(workspaceNode({ ...view, folder: false }, { stats: new Map(), tmuxAvailable: true, now: NOW })).filter((id) => landing.includes(id)), [], 'not without its folder');
  });

  it('offers Archive on a ready workspace; Restore and Delete (not Attach or Launch) on an archived row', () => {
    const ready = failedView(true, true);
    const readyRow = workspaceNode({ ...ready, record: { ...ready.record, status: 'ready', lastError: undefined } }, { stats: new Map(), tmuxAvailable: true, now: NOW });
    assert.ok(offered(readyRow).includes(CommandId.archiveWorkspace));
    assert.ok(!offered(readyRow).includes(CommandId.restoreWorkspace));
    const archived = workspaceNode({ ...ready, folder: false, base: { ...ready.base, alive: false }, record: { ...ready.record, status: 'archived', lastError: undefined, setupLog: undefined } }, { stats: new Map(), tmuxAvailable: true, now: NOW });
    assert.deepEqual(offered(archived), [CommandId.deleteArchived, CommandId.restoreWorkspace].sort());
    assert.deepEqual(archived.children, [], 'no base terminal row under an archived workspace');
    const inline = manifest.contributes.menus['view/item/context'].filter((item) => offers(item, archived.contextValue) && (item as { group?: string }).group?.startsWith('inline'));
    assert.deepEqual(inline.map((item) => item.command).sort(), [CommandId.deleteArchived, CommandId.restoreWorkspace].sort());
  });

  it('offers Resume on a resumable agent, Restore Sessions on a stopped shell, and on every stopped row Dismiss and Show Previous Output; one that cannot resume says why', () => {
    const stopped = (extra: Partial<ResumableRecord>): ResumableRecord => ({ v: 1, key: 'tw-a-x', workspaceId: 'a', label: 'x', startedAt: NOW, stoppedAt: NOW, ...extra });
    const resumable = stoppedNode(stopped({ kind: 'agent', conversationId: 'c-1', resumeArgv: ['/usr/bin/codex', 'resume', '{id}'] }), NOW);
    const shell = stoppedNode(stopped({ kind: 'shell' }), NOW);
    const lost = stoppedNode(stopped({ kind: 'agent', notResumable: 'its conversation is unknown' }), NOW);
    const always = [CommandId.dismissResumable, CommandId.showPreviousOutput];
    assert.deepEqual(offered(resumable), [...always, CommandId.resumeAgent].sort());
    assert.deepEqual(offered(shell), [...always, CommandId.restoreSessions].sort());
    assert.deepEqual(offered(lost), [...always].sort());
    assert.equal(lost.description, 'stopped · not resumable');
    assert.match(lost.tooltip ?? '', /It cannot be resumed: its conversation is unknown\./);
  });
});
