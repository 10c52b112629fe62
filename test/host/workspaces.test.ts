// The extension in a real VS Code: its view, commands and API, against real
// git and a real (private) tmux server. Tests run in order and share one
// workspace, the way a user would go through them: create, launch, attach,
// stop, natural exit, reconcile, delete.
import * as assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { SessionRecord, TmuxWorkspacesApi, WorkspaceRecord } from '../../src/api';
import { queryPage, screenshot, type PageElement } from './screenshot';
import {
  errorKind,
  eventually,
  extensionApi,
  git,
  makeRepo,
  requirePrivateTmux,
  sessionView,
  terminalNamed,
  tmux,
  tmuxClientPids,
  tmuxHasSession,
  waitForEvent,
  workspaceView,
} from './support';

const VIEW_ID = 'tmuxWorkspaces.workspaces';
/** The rows of the Tmux Workspaces view as the page renders them (aria-label is label and description). */
const TREE_ROWS = '[id="workbench.view.extension.tmuxWorkspaces"] .monaco-list-row[role="treeitem"]';
/** The visible terminal's lines, with xterm's DOM renderer (see gpuAcceleration below). */
const TERMINAL_ROWS = '.terminal-wrapper.active .xterm-rows > div';
const BRANCH = 'feature/login-form';
/** A stand-in for a coding agent: prints, then idles like one waiting for input. */
const STAND_IN_AGENT = ['bash', '-c', 'echo "stand-in agent ready in $PWD"; sleep 600'];

/**
 * Waits until the elements `selector` matches in the workbench page satisfy
 * `accept`; the failure shows what the page had. Under test-electron the page
 * cannot be read and this checks nothing.
 */
async function pageShows(what: string, selector: string, accept: (elements: PageElement[]) => boolean): Promise<void> {
  let last: PageElement[] = [];
  try {
    await eventually(async () => {
      const elements = await queryPage('page-query', selector);
      if (!elements) return true;
      last = elements;
      return accept(elements);
    }, 10_000, what, 250);
  } catch (error) {
    throw new Error(`${(error as Error).message}; the page had:\n${last.map((element) => `  [level ${element.level}, expanded ${element.expanded}] ${element.label ?? element.text}`).join('\n')}`);
  }
}

/** A tree row as `<level> <aria label>`; the editor ends the label with a space when the row has no description. */
function rowLine(row: PageElement): string {
  return `${row.level} ${(row.label ?? '').trimEnd()}`;
}

describe('Tmux Workspaces in a real VS Code', function () {
  this.timeout(60_000);

  let api: TmuxWorkspacesApi;
  let extension: vscode.Extension<TmuxWorkspacesApi>;
  let repo: Awaited<ReturnType<typeof makeRepo>>;
  let workspace: WorkspaceRecord;
  let shell: SessionRecord;
  let agent: SessionRecord;

  before(async () => {
    requirePrivateTmux();
    ({ api, extension } = await extensionApi());
    // A fresh repository with one commit, outside the folder the editor has open.
    repo = await makeRepo('demo-app');
    // xterm's DOM renderer puts the terminal's text in the page, where queryPage() can read it.
    await vscode.workspace.getConfiguration('terminal.integrated').update('gpuAcceleration', 'off', vscode.ConfigurationTarget.Global);
  });

  after(async () => {
    // Whatever a failed test left: our workspaces (forced), terminals, the repository and its worktrees.
    for (const view of (await api?.listWorkspaces()) ?? []) {
      if (view.record.repoPath === repo?.repo) await api.deleteWorkspace(view.record.id, { force: true }).catch(() => undefined);
    }
    for (const terminal of vscode.window.terminals) terminal.dispose();
    await repo?.cleanup();
    await vscode.workspace.getConfiguration('terminal.integrated').update('gpuAcceleration', undefined, vscode.ConfigurationTarget.Global);
  });

  it('contributes the Tmux Workspaces view and registers every declared command', async () => {
    const contributes = extension.packageJSON.contributes;
    assert.ok(
      contributes.viewsContainers.activitybar.some((container: { id: string }) => container.id === 'tmuxWorkspaces'),
      'an activity-bar container tmuxWorkspaces',
    );
    assert.deepEqual(
      contributes.views.tmuxWorkspaces.map((view: { id: string }) => view.id),
      [VIEW_ID],
    );
    const registered = new Set(await vscode.commands.getCommands(true));
    const declared: string[] = contributes.commands.map((command: { command: string }) => command.command);
    assert.ok(declared.length > 0);
    assert.deepEqual(declared.filter((id) => !registered.has(id)), [], 'declared commands without a handler');

    // Opens the activity-bar container with the view; fails for an unknown view.
    await vscode.commands.executeCommand(`${VIEW_ID}.focus`);
  });

  it('creates a workspace from a temporary repository: worktree, branch, base terminal', async () => {
    workspace = await api.createWorkspace({ repoPath: repo.repo, branch: BRANCH });
    assert.equal(workspace.status, 'ready');
    assert.equal(workspace.branch, BRANCH);
    assert.equal(workspace.worktreePath, join(`${repo.repo}.worktrees`, 'feature-login-form'));
    assert.ok(existsSync(join(workspace.worktreePath, 'README.md')), 'the worktree has the repository files');
    assert.equal((await git(workspace.worktreePath, 'branch', '--show-current')).trim(), BRANCH);
    assert.ok(await tmuxHasSession(workspace.baseSession), 'the base terminal runs in tmux');
    // On the launcher's private server, not the user's.
    const socket = await tmux('display-message', '-p', '-t', `=${workspace.baseSession}`, '#{socket_path}');
    assert.ok(socket.stdout.trim().startsWith(`${requirePrivateTmux()}/`), `socket ${socket.stdout.trim()}`);

    const view = await workspaceView(api, workspace.id);
    assert.ok(view, 'api.listWorkspaces() lists the new workspace');
    assert.equal(view.base.alive, true);
    assert.deepEqual(view.sessions, []);

    // The view shows it (checked in the page itself; only the code-server launcher can).
    await vscode.commands.executeCommand(`${VIEW_ID}.focus`);
    await pageShows('the view shows the workspace and its base terminal', TREE_ROWS, (rows) =>
      rows.map(rowLine).join('\n') === `1 ${BRANCH}\n2 Base terminal running`,
    );

    // The same repository and branch again is the same workspace.
    assert.equal((await api.createWorkspace({ repoPath: repo.repo, branch: BRANCH })).id, workspace.id);
  });

  it('launches a shell through the command (attached at once) and an agent through the API', async () => {
    const launched = await vscode.commands.executeCommand<SessionRecord | undefined>('tmuxWorkspaces.launchShell', workspace.id);
    assert.ok(launched, 'Launch Shell resolved to the session it started');
    shell = launched;
    assert.equal(shell.kind, 'shell');
    assert.equal(shell.workspaceId, workspace.id);
    assert.ok(await tmuxHasSession(shell.tmuxName));
    // attachOnLaunch (default true) opened a terminal on it.
    await eventually(async () => (await tmuxClientPids(shell.tmuxName)).length > 0, 10_000, 'the shell is attached');
    assert.ok(terminalNamed(`shell · ${BRANCH}`), 'a terminal named after the shell and the branch');

    // Launching the shell again gives the one that runs.
    assert.equal((await vscode.commands.executeCommand<SessionRecord>('tmuxWorkspaces.launchShell', workspace.id))?.key, shell.key);

    agent = await api.launchSession(workspace.id, { kind: 'agent', label: 'stand-in agent', command: STAND_IN_AGENT });
    assert.equal(agent.kind, 'agent');
    assert.ok(await tmuxHasSession(agent.tmuxName));

    const view = await workspaceView(api, workspace.id);
    assert.deepEqual(
      view?.sessions.map((session) => [session.record.key, session.alive]).sort(),
      [[agent.key, true], [shell.key, true]].sort(),
    );
  });

  it('attach opens an integrated terminal whose tmux client is attached to the session', async () => {
    const name = `${agent.label} · ${BRANCH}`;
    assert.equal(terminalNamed(name), undefined, 'launching through the API attached nothing');
    await vscode.commands.executeCommand('tmuxWorkspaces.attach', agent.key);
    const terminal = await eventually(() => terminalNamed(name), 10_000, 'the attach terminal opens');
    const pid = await terminal.processId;
    assert.equal(typeof pid, 'number', 'the terminal runs a process');

    // From the tmux side: the terminal's process is the attached client (`env` execs tmux).
    const clients = await eventually(async () => {
      const pids = await tmuxClientPids(agent.tmuxName);
      return pids.length > 0 && pids;
    }, 10_000, 'a client on the agent session');
    assert.deepEqual(clients, [pid]);
    assert.equal((await sessionView(api, agent.key))?.attachedClients, 1);

    // Attaching again focuses that terminal instead of opening a second one.
    await vscode.commands.executeCommand('tmuxWorkspaces.attach', agent.key);
    assert.equal(vscode.window.terminals.filter((candidate) => candidate.name === name).length, 1);
    assert.deepEqual(await tmuxClientPids(agent.tmuxName), [pid]);
  });

  it('shows the workspace with its sessions in the view and an attached terminal (screenshots)', async () => {
    // The tree redraws on lifecycle events; the attach counts come with a refresh.
    await vscode.commands.executeCommand('tmuxWorkspaces.refresh');
    await vscode.commands.executeCommand('workbench.action.closePanel');
    await vscode.commands.executeCommand('tmuxWorkspaces.revealWorkspace', workspace.id);
    // Room for the rows' descriptions: a narrower editor ("Decrease Editor Width") gives the sidebar more.
    for (let step = 0; step < 3; step++) await vscode.commands.executeCommand('workbench.action.decreaseViewWidth');
    await pageShows('the view shows the workspace, its base terminal and both sessions, attached', TREE_ROWS, (rows) => {
      const lines = rows.map(rowLine);
      return (
        lines.length === 4 &&
        lines[0] === `1 ${BRANCH}` &&
        lines[1] === '2 Base terminal running' &&
        // The agent's live state comes from tmux activity (it has no hooks): it printed once and went quiet.
        lines.slice(2).sort().join('\n') === ['2 shell attached', '2 stand-in agent idle'].join('\n')
      );
    });
    await screenshot('workspaces-view');

    const terminal = terminalNamed(`${agent.label} · ${BRANCH}`);
    assert.ok(terminal);
    terminal.show(false);
    await pageShows('the panel shows the agent output through tmux', TERMINAL_ROWS, (rows) =>
      rows.some((row) => row.text?.includes(`stand-in agent ready in ${workspace.worktreePath}`)),
    );
    await screenshot('attached-terminal');
  });

  it('sends an editor selection to the agent of its worktree: Send to Agent, its note box answered with Enter, one paste in the agent', async () => {
    const file = join(workspace.worktreePath, 'README.md');
    const editor = await vscode.window.showTextDocument(vscode.Uri.file(file));
    editor.selection = new vscode.Selection(0, 0, 0, editor.document.lineAt(0).text.length);
    const sent = vscode.commands.executeCommand('tmuxWorkspaces.sendToAgent');
    // The optional note's input box (the agent is the worktree's only one: no picker), accepted empty.
    await pageShows('the note box for the agent', '.quick-input-widget .quick-input-title', (titles) => titles.some((title) => title.text === `Send to ${agent.label}`));
    await screenshot('send-to-agent-note');
    await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
    assert.equal(await sent, 'sent');
    const pane = await eventually(async () => {
      const captured = (await tmux('capture-pane', '-p', '-J', '-t', `=${agent.tmuxName}:`)).stdout;
      return captured.includes('README.md:1') ? captured : undefined;
    }, 10_000, 'the message in the agent\'s pane');
    assert.ok(pane.includes(editor.document.lineAt(0).text), pane);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('stops the shell through the command (its terminal ends) and the agent through the API', async () => {
    const shellTerminal = terminalNamed(`shell · ${BRANCH}`);
    assert.ok(shellTerminal);
    const stopped = await vscode.commands.executeCommand<boolean>('tmuxWorkspaces.stopSession', shell.key);
    assert.equal(stopped, true);
    assert.equal(await tmuxHasSession(shell.tmuxName), false);
    assert.equal(await sessionView(api, shell.key), undefined);
    await eventually(() => shellTerminal.exitStatus !== undefined, 10_000, 'the shell terminal ends with its session');

    await api.stopSession(agent.key);
    assert.equal(await tmuxHasSession(agent.tmuxName), false);
    assert.equal(await sessionView(api, agent.key), undefined);
    assert.deepEqual((await workspaceView(api, workspace.id))?.sessions, []);
    assert.ok(await tmuxHasSession(workspace.baseSession), 'stopping sessions leaves the base terminal');
  });

  it('shows a stopped agent\'s previous output, saved before the stop, in a read-only editor: Show Previous Output', async () => {
    await vscode.commands.executeCommand('tmuxWorkspaces.showPreviousOutput', agent.tmuxName);
    const editor = await eventually(() => (vscode.window.activeTextEditor?.document.uri.scheme === 'tmux-workspaces-text' ? vscode.window.activeTextEditor : undefined), 10_000, 'the output editor');
    assert.match(editor.document.getText(), /stand-in agent ready in /);
    assert.equal(editor.document.isUntitled, false, 'a virtual document: nothing to save');
    await screenshot('previous-output');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('forgets a session whose process exits on its own', async () => {
    const ended = waitForEvent(
      api.onDidChangeWorkspaces,
      (change) => change.type === 'session-ended' && change.session.workspaceId === workspace.id,
      15_000,
      'session-ended',
    );
    const shortLived = await api.launchSession(workspace.id, { kind: 'agent', label: 'short-lived', command: ['bash', '-c', 'sleep 1; exit 3'] });
    assert.equal((await sessionView(api, shortLived.key))?.alive, true);

    const change = await ended;
    assert.ok(change.type === 'session-ended');
    assert.equal(change.session.key, shortLived.key);
    assert.equal(change.natural, true);
    assert.equal(change.exitCode, 3);
    assert.equal(await sessionView(api, shortLived.key), undefined);
    assert.equal(await tmuxHasSession(shortLived.tmuxName), false);
  });

  // What a reload does at activation is `reconcile`; the extension cannot be
  // re-activated inside one host, so this calls api.reconcile() on the live
  // one. Its session watcher may see the kill first: both go through the same
  // exit check, and either way the record must be gone once reconcile returns.
  it('after a session is killed outside the extension, api.reconcile() keeps the live session and has forgotten the dead one', async () => {
    const live = await api.launchSession(workspace.id, { kind: 'agent', label: 'survivor', command: STAND_IN_AGENT });
    const doomed = await api.launchSession(workspace.id, { kind: 'agent', label: 'killed outside', command: STAND_IN_AGENT });

    // Seen by the control connection, without a reconcile: the bench holds the real target (< 50 ms).
    const ended = waitForEvent(api.onDidChangeWorkspaces, (change) => change.type === 'session-ended' && change.session.key === doomed.key, 5000, 'session-ended');
    const killedAt = performance.now();
    const killed = await tmux('kill-session', '-t', `=${doomed.tmuxName}`);
    assert.equal(killed.exitCode, 0, killed.stderr);
    await ended;
    const tookMs = performance.now() - killedAt;
    console.log(`[test:host] a session killed outside left the records in ${tookMs.toFixed(0)} ms`);
    assert.ok(tookMs < 250, `${tookMs.toFixed(0)} ms from kill-session to session-ended`);
    await pageShows('the killed session left the view, and is no orphan', TREE_ROWS, (rows) => rows.some((row) => /survivor/.test(row.label ?? '')) && !rows.some((row) => /killed outside|killed-outside|Orphaned/.test(row.label ?? '')));
    await api.reconcile();

    const view = await workspaceView(api, workspace.id);
    assert.deepEqual(
      view?.sessions.map((session) => [session.record.key, session.record.launchId, session.alive]),
      [[live.key, live.launchId, true]],
    );
    assert.ok(await tmuxHasSession(live.tmuxName), 'the live session still runs');
    assert.equal(view?.base.alive, true);
    assert.equal(view?.record.status, 'ready');
  });

  it('shows what the workspace changed: a Changes row once a file is staged, its diff against the base, and all changes in one editor', async () => {
    writeFileSync(join(workspace.worktreePath, 'README.md'), '# demo-app\nedited in the worktree\n');
    writeFileSync(join(workspace.worktreePath, 'feature.txt'), 'new work\n');
    // Staging touches the worktree's index: the watch recounts, no refresh asked for.
    await git(workspace.worktreePath, 'add', 'feature.txt', 'README.md');
    await pageShows('the workspace has a Changes row with 2 files', TREE_ROWS, (rows) => rows.some((row) => /^2 Changes/.test(rowLine(row)) && /2 files/.test(row.label ?? '')));
    await screenshot('changes-row');

    const changes = await api.worktreeChanges(workspace.id);
    assert.deepEqual(changes?.files.map((file) => `${file.kind} ${file.path}`), ['added feature.txt', 'modified README.md']);
    const readme = changes!.files.find((file) => file.path === 'README.md')!;
    await vscode.commands.executeCommand('tmuxWorkspaces.openChange', { kind: 'changedFile', workspaceId: workspace.id, file: readme, baseCommit: changes!.baseCommit, worktreePath: workspace.worktreePath });
    const diff = await eventually(() => {
      const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
      return input instanceof vscode.TabInputTextDiff ? input : undefined;
    }, 10_000, 'a diff editor');
    assert.equal(diff.original.scheme, 'tmux-workspaces-base');
    assert.equal((await vscode.workspace.openTextDocument(diff.original)).getText(), `${await git(repo.repo, 'show', 'main:README.md')}\n`, 'the base text on the left');
    assert.equal(diff.modified.fsPath, join(workspace.worktreePath, 'README.md'));
    await screenshot('change-diff');

    // Earlier tests' toasts (an agent that failed on purpose, the Git extension's offer) would cover the diff in the README's picture.
    await vscode.commands.executeCommand('notifications.clearAll');
    await vscode.commands.executeCommand('tmuxWorkspaces.openAllChanges', workspace.id);
    // The multi-file diff editor's tab carries the title it was opened with and its file count (its input type is not in the 1.100 API).
    let tab: string | undefined;
    await eventually(() => (tab = vscode.window.tabGroups.activeTabGroup.activeTab?.label) === `${BRANCH} ↔ main (2 files)` || undefined, 10_000, 'the multi-file diff editor').catch((error: Error) => {
      throw new Error(`${error.message}; the active tab is ${tab}`);
    });
    await screenshot('all-changes');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    // Back to a clean worktree for the delete tests.
    await git(workspace.worktreePath, 'reset', '-q', '--hard');
    await git(workspace.worktreePath, 'clean', '-qfd');
  });

  it('refuses to delete a dirty workspace, then deletes it with force: worktree, branch, records and tmux sessions', async () => {
    writeFileSync(join(workspace.worktreePath, 'notes.txt'), 'work in progress\n');
    const dirty = await workspaceView(api, workspace.id);
    assert.ok(dirty);
    const sessionNames = [workspace.baseSession, ...dirty.sessions.map((session) => session.record.tmuxName)];
    assert.equal(sessionNames.length, 2, 'the base terminal and the survivor of the previous test');

    await assert.rejects(api.deleteWorkspace(workspace.id), (error: Error & { details?: { dirtyFiles?: string[] } }) => {
      assert.equal(errorKind(error), 'refused', String(error));
      assert.match(error.message, /1 uncommitted or untracked file/);
      assert.deepEqual(error.details?.dirtyFiles, ['notes.txt']);
      return true;
    });
    // A refused delete changes nothing.
    assert.equal((await workspaceView(api, workspace.id))?.record.status, 'ready');
    assert.ok(existsSync(join(workspace.worktreePath, 'notes.txt')));
    for (const name of sessionNames) assert.ok(await tmuxHasSession(name), `${name} still runs`);

    await api.deleteWorkspace(workspace.id, { force: true });
    assert.equal(existsSync(workspace.worktreePath), false, 'the worktree folder is gone');
    assert.equal(await workspaceView(api, workspace.id), undefined, 'the workspace record is gone');
    for (const session of dirty.sessions) assert.equal(await sessionView(api, session.record.key), undefined);
    for (const name of sessionNames) assert.equal(await tmuxHasSession(name), false, `${name} was stopped`);
    assert.equal((await git(repo.repo, 'branch', '--list', BRANCH)).trim(), '', 'the branch it created is deleted');
    assert.ok(!(await git(repo.repo, 'worktree', 'list')).includes(workspace.worktreePath));
  });
});
