// Two real extension hosts sharing one globalState: two pages of one
// code-server in one browser context (scripts/host/run-host-tests.mjs), each
// running this file as window A or B. At each barrier both windows leave
// within a few milliseconds of each other, so the creates, launches, stops and
// deletes of both happen at the same moment, well inside the time globalState
// takes to carry one window's whole-object write to the other
// (docs/adr/0004-records-across-windows.md). Every assertion is made in both
// windows, about both windows' records.
import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import * as vscode from 'vscode';
import type { SessionRecord, TmuxWorkspacesApi, WorkspaceRecord, WorkspaceView } from '../../../src/api';
import { queryPage, screenshot } from '../screenshot';
import { eventually, extensionApi, git, makeRepo, requirePrivateTmux, tmuxHasSession } from '../support';
import { Barrier, ROLES, type Role } from './barrier';

const role = process.env.TW_WINDOW_ROLE as Role;
const me = role.toLowerCase();
const REPO_NAME = 'shared-app';
/** The top-level rows of the Tmux Workspaces view (one per workspace). */
const WORKSPACE_ROWS = '[id="workbench.view.extension.tmuxWorkspaces"] .monaco-list-row[role="treeitem"][aria-level="1"]';
/** A stand-in for a coding agent that idles until stopped. */
const STAND_IN_AGENT = ['bash', '-c', 'echo "stand-in agent ready"; sleep 600'];
/** Long enough for another window's write to arrive ("within about a second"), with room for a loaded machine. */
const SETTLE_MS = 15_000;

interface Made {
  readonly workspaces: string[];
  readonly branches: string[];
  readonly worktrees: string[];
  readonly sessions: { key: string; tmuxName: string }[];
}

/** What this window lists of the shared repository: workspace ids with status, session keys with liveness. */
function summary(views: WorkspaceView[], repo: string) {
  const ours = views.filter((view) => view.record.repoPath === repo);
  return {
    workspaces: ours.map((view) => `${view.record.id} ${view.record.status}`).sort(),
    sessions: ours.flatMap((view) => view.sessions.map((session) => `${session.record.key} ${session.alive ? 'alive' : 'gone'}`)).sort(),
  };
}

/** Polls until this window lists exactly `expected`; the failure shows what it listed last. */
async function listsExactly(api: TmuxWorkspacesApi, repo: string, expected: ReturnType<typeof summary>, what: string): Promise<void> {
  let last: ReturnType<typeof summary> | undefined;
  try {
    await eventually(async () => {
      last = summary(await api.listWorkspaces(), repo);
      return JSON.stringify(last) === JSON.stringify(expected);
    }, SETTLE_MS, what, 50);
  } catch (error) {
    throw new Error(`window ${role}: ${(error as Error).message}\nexpected ${JSON.stringify(expected, null, 1)}\nlisted ${JSON.stringify(last, null, 1)}`);
  }
}

describe(`two windows sharing one globalState: window ${role}`, function () {
  this.timeout(60_000);

  const barrier = Barrier.fromEnvironment(role);
  let api: TmuxWorkspacesApi;
  let repo: Awaited<ReturnType<typeof makeRepo>> | undefined;
  let repoPath: string;
  let workspaces: WorkspaceRecord[] = [];
  let sessions: SessionRecord[] = [];
  let made: Record<Role, Made>;

  before(async () => {
    requirePrivateTmux();
    ({ api } = await extensionApi());
    // Window A makes the repository both windows use; B learns its path at the barrier.
    if (role === 'A') repo = await makeRepo(REPO_NAME);
    repoPath = (await barrier.meet('repository', { repo: repo?.repo })).A.repo!;
  });

  after(async () => {
    // Whatever a failed test left of this window's own workspaces (forced).
    for (const workspace of workspaces) await api?.deleteWorkspace(workspace.id, { force: true }).catch(() => undefined);
    // Window A removes the repository once B is done with it (or has failed).
    await barrier.meet('done', {}).catch((error: Error) => console.error(`window ${role}: ${error.message}`));
    await repo?.cleanup();
  });

  it('runs in its own extension host, beside the other window', async () => {
    const hosts = await barrier.meet('hosts', { pid: process.pid });
    assert.notEqual(hosts.A.pid, hosts.B.pid, 'two extension host processes');
  });

  it('creates two workspaces at the same moment as the other window creates its two', async () => {
    await barrier.meet('create', {});
    workspaces = await Promise.all([1, 2].map((n) => api.createWorkspace({ repoPath, branch: `two-windows/${me}-${n}` })));
    assert.deepEqual(workspaces.map((workspace) => workspace.status), ['ready', 'ready']);
    for (const workspace of workspaces) assert.ok(await tmuxHasSession(workspace.baseSession), `${workspace.baseSession} runs`);
  });

  it('launches three sessions at the same moment as the other window launches its three', async () => {
    await barrier.meet('launch', {});
    const [first, second] = workspaces;
    sessions = await Promise.all([
      api.launchSession(first.id, { kind: 'agent', label: `agent ${me}-1`, command: STAND_IN_AGENT }),
      api.launchSession(first.id, { kind: 'agent', label: `agent ${me}-2`, command: STAND_IN_AGENT }),
      api.launchSession(second.id, { kind: 'agent', label: `agent ${me}-3`, command: STAND_IN_AGENT }),
    ]);
    for (const session of sessions) assert.ok(await tmuxHasSession(session.tmuxName), `${session.tmuxName} runs`);
  });

  it('lists every workspace and session of both windows once they settle, in the API and in its view', async () => {
    made = await barrier.meet<Made>('made', {
      workspaces: workspaces.map((workspace) => workspace.id),
      branches: workspaces.map((workspace) => workspace.branch),
      worktrees: workspaces.map((workspace) => workspace.worktreePath),
      sessions: sessions.map((session) => ({ key: session.key, tmuxName: session.tmuxName })),
    });
    const all = ROLES.flatMap((who) => made[who].workspaces);
    assert.equal(new Set(all).size, 4, 'four distinct workspaces');
    await listsExactly(api, repoPath, {
      workspaces: all.map((id) => `${id} ready`).sort(),
      sessions: ROLES.flatMap((who) => made[who].sessions.map((session) => `${session.key} alive`)).sort(),
    }, 'both windows\' four workspaces and six live sessions');

    // The view shows both windows' workspaces too (read from the page; refreshed, as the user would).
    await vscode.commands.executeCommand('tmuxWorkspaces.workspaces.focus');
    await vscode.commands.executeCommand('tmuxWorkspaces.refresh');
    const branches = ROLES.flatMap((who) => made[who].branches).sort();
    let rows: string[] = [];
    await eventually(async () => {
      // One repository: the rows are the branches alone (the editor ends a label without a description with a space).
      rows = ((await queryPage(`page-query-${me}`, WORKSPACE_ROWS)) ?? []).map((row) => (row.label ?? '').trimEnd()).sort();
      return JSON.stringify(rows) === JSON.stringify(branches);
    }, 10_000, `window ${role}'s view shows the four workspaces (had ${JSON.stringify(rows)})`, 250);
    await screenshot(`two-windows-${me}-settled`);
  });

  it('stops its sessions at the same moment as the other window stops its own; no session is left in either', async () => {
    await barrier.meet('stop', {});
    await Promise.all(sessions.map((session) => api.stopSession(session.key)));
    await barrier.meet('stopped', {});
    const everySession = ROLES.flatMap((who) => made[who].sessions);
    await listsExactly(api, repoPath, {
      workspaces: ROLES.flatMap((who) => made[who].workspaces).map((id) => `${id} ready`).sort(),
      sessions: [],
    }, 'both windows\' workspaces without sessions');
    for (const session of everySession) assert.equal(await tmuxHasSession(session.tmuxName), false, `${session.tmuxName} was stopped`);
  });

  it('deletes its workspaces at the same moment as the other window deletes its own; nothing is left in either', async () => {
    await barrier.meet('delete', {});
    await Promise.all(workspaces.map((workspace) => api.deleteWorkspace(workspace.id)));
    await barrier.meet('deleted', {});
    await listsExactly(api, repoPath, { workspaces: [], sessions: [] }, 'no workspace of either window');
    for (const worktree of ROLES.flatMap((who) => made[who].worktrees)) assert.equal(existsSync(worktree), false, `${worktree} is removed`);
    const branches = (await git(repoPath, 'branch', '--list', 'two-windows/*')).trim();
    assert.equal(branches, '', 'the branches the workspaces created are deleted');
    workspaces = [];
  });

  it('nothing comes back: after a reconcile and a new write from each window, the deleted records stay gone', async () => {
    // A window whose copy of globalState were stale would write the deleted records back with its next write.
    await api.reconcile();
    await barrier.meet('witness', {});
    workspaces = [await api.createWorkspace({ repoPath, branch: `two-windows/${me}-witness` })];
    const witnesses = await barrier.meet('witnessed', { id: workspaces[0].id });
    await listsExactly(api, repoPath, {
      workspaces: ROLES.map((who) => `${witnesses[who].id} ready`).sort(),
      sessions: [],
    }, 'the two witness workspaces and nothing deleted');

    await barrier.meet('cleanup', {});
    await api.deleteWorkspace(workspaces[0].id);
    workspaces = [];
    await barrier.meet('clean', {});
    await listsExactly(api, repoPath, { workspaces: [], sessions: [] }, 'no workspace left');
    await vscode.commands.executeCommand('tmuxWorkspaces.refresh');
    await eventually(async () => ((await queryPage(`page-query-${me}`, WORKSPACE_ROWS)) ?? []).length === 0, 10_000, `window ${role}'s view is empty`, 250);
    await screenshot(`two-windows-${me}-end`);
  });
});
