// A notification in a real VS Code: a stand-in agent reports that it needs
// input through the real reporter script its hooks run (the Claude Code
// Notification hook's JSON on stdin, into the status file its session names),
// the workbench shows a notification saying which agent in which workspace,
// and clicking its Show button with the mouse focuses that agent's terminal.
// Screenshots: artifacts/notification-*.png.
//
// It runs after the UI walk (files run in name order), once the walk's plain
// window is closed, and the test window is the one in front: it opens a file,
// so it was used last, and so it tells first (another window would wait its turn).
import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { SessionRecord, TmuxWorkspacesApi, WorkspaceRecord } from '../../src/api';
import { REPORTER_SCRIPT } from '../../src/core/agents/reporter';
import { screenshot } from './screenshot';
import { eventually, extensionApi, makeRepo, requirePrivateTmux, terminalNamed, tmux, tmuxClientPids, waitForEvent } from './support';
import { byRole, click, press, uiAvailable, waitFor } from './ui';

const BRANCH = 'notify/stand-in';
const LABEL = 'stand-in agent';
const CONVERSATION = '0d9f2c1e-5b7a-4c3d-9e8f-1a2b3c4d5e6f';
const toasts = { css: '.notifications-toasts' };

function notifications(this: Mocha.Suite): void {
  this.timeout(60_000);
  let api: TmuxWorkspacesApi;
  let repo: Awaited<ReturnType<typeof makeRepo>>;
  let workspace: WorkspaceRecord;
  let agent: SessionRecord;
  let scratch: string;

  before(async () => {
    requirePrivateTmux();
    ({ api } = await extensionApi());
    repo = await makeRepo('notify-app');
    scratch = mkdtempSync(join(tmpdir(), 'tw-host-notify-'));
  });

  after(async () => {
    for (const view of (await api?.listWorkspaces()) ?? []) {
      if (view.record.repoPath === repo?.repo) await api.deleteWorkspace(view.record.id, { force: true }).catch((error) => console.error(`notifications cleanup: ${error}`));
    }
    await repo?.cleanup();
    rmSync(scratch, { recursive: true, force: true });
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('a stand-in agent that needs input: the notification says which agent, where and why; Show by mouse focuses its terminal', async () => {
    workspace = await api.createWorkspace({ repoPath: repo.repo, branch: BRANCH });
    await vscode.window.showTextDocument(vscode.Uri.file(join(workspace.worktreePath, 'README.md')));
    // The hook's side, as Claude Code runs it: the reporter with the Notification event's JSON on stdin.
    const reporter = join(scratch, 'report.sh');
    writeFileSync(reporter, REPORTER_SCRIPT, { mode: 0o755 });
    const payload = join(scratch, 'notification.json');
    writeFileSync(payload, JSON.stringify({ session_id: CONVERSATION, hook_event_name: 'Notification', message: 'Claude needs your permission to use Bash' }));
    // Each line typed into it later is a turn: it works six seconds (reported), then needs input again. Six: windows
    // count the same state claimed within 5 s as one change (NotificationClaims), so a quicker second request is not told.
    const turns = `while read -r _; do /bin/sh '${reporter}' claude working < '${payload}'; sleep 6; /bin/sh '${reporter}' claude needs-input < '${payload}'; done`;
    const standIn = `echo "stand-in agent waiting for you"; /bin/sh '${reporter}' claude needs-input < '${payload}'; ${turns}; sleep 600`;
    // Launched through the API: nothing attaches, so its terminal is not in front of the user.
    agent = await api.launchSession(workspace.id, { kind: 'agent', label: LABEL, command: ['bash', '-c', standIn] });
    const message = `${LABEL} in "${BRANCH}" needs your input.`;
    const shown = await waitFor(byRole('button', 'Show', { within: toasts }), { timeout: 20_000 });
    assert.ok(shown.some((notification) => notification.message === message), `shown: ${JSON.stringify(shown)}`);
    assert.equal(terminalNamed(`${LABEL} · ${BRANCH}`), undefined, 'no terminal was open on the agent');
    await screenshot('notification-needs-input');

    await click(byRole('button', 'Show', { within: toasts }));
    const terminal = await eventually(() => terminalNamed(`${LABEL} · ${BRANCH}`), 10_000, 'Show opens the agent\'s terminal');
    await eventually(() => vscode.window.activeTerminal === terminal, 10_000, 'the agent\'s terminal is the active one');
    const pid = await terminal.processId;
    await eventually(async () => (await tmuxClientPids(agent.tmuxName)).includes(pid!), 10_000, 'the terminal is attached to the agent\'s session');
    await screenshot('notification-show-focused');
  });

  it('once the user clicks into an editor, the terminal VS Code still calls active is behind it: the agent\'s next request is told', async () => {
    assert.ok(vscode.window.activeTerminal && vscode.window.activeTerminal === terminalNamed(`${LABEL} · ${BRANCH}`), 'the agent\'s terminal is still the active one');
    await click({ css: '.editor-instance .view-lines' });
    // And moves the cursor by keyboard (a click where the cursor already is changes no selection).
    const moved = waitForEvent(vscode.window.onDidChangeTextEditorSelection, (event) => event.kind === vscode.TextEditorSelectionChangeKind.Keyboard, 10_000, 'a selection made by keyboard');
    await press('Control+End');
    await press('Control+Home');
    await moved;
    await eventually(() => vscode.window.activeTextEditor?.document.uri.fsPath.endsWith('README.md'), 10_000, 'the keyboard is in the editor');
    assert.equal(vscode.window.activeTerminal, terminalNamed(`${LABEL} · ${BRANCH}`), 'VS Code still names the agent\'s terminal active');
    // A new turn: the agent works, then asks again.
    await tmux('send-keys', '-t', `=${agent.tmuxName}:`, 'go', 'Enter');
    const message = `${LABEL} in "${BRANCH}" needs your input.`;
    const shown = await waitFor(byRole('button', 'Show', { within: toasts }), { timeout: 20_000 });
    assert.ok(shown.some((notification) => notification.message === message), `shown: ${JSON.stringify(shown)}`);
    await screenshot('notification-terminal-behind-editor');

    // Show again: the terminal already open comes to the front; no second one is opened.
    await click(byRole('button', 'Show', { within: toasts }));
    // The keyboard is in the terminal again (xterm marks the focused one), and it is the one that was open.
    await waitFor({ css: '.part.panel .xterm.focus' }, { timeout: 10_000 });
    assert.equal(vscode.window.terminals.filter((open) => open.name === `${LABEL} · ${BRANCH}`).length, 1, 'no second terminal was opened');
  });
}

if (uiAvailable()) describe('agent notifications in the workbench (code-server)', notifications);
else console.log("Agent notifications: not registered: clicking a notification's button needs the code-server launcher's page");
