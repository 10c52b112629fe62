import * as assert from 'node:assert/strict';
import { Emitter } from '../../src/core/events';
import type { LifecycleChange, SessionView, WorkspaceView } from '../../src/core/lifecycle/RuntimeLifecycle';
import type { SessionRecord, WorkspaceRecord, WorkspaceStatus } from '../../src/core/store/records';
import { buildTree, type SessionNode, type WorkspaceNode, type WorkspaceStats } from '../../src/ui/tree/nodes';
import { treeItemLook } from '../../src/ui/tree/treeItem';
import { ago } from '../../src/ui/words';
import { WorkspaceTreeModel, type AgentStateView, type WorkspaceSource } from '../../src/ui/tree/WorkspaceTreeModel';
import type { AgentStateChange } from '../../src/ui/tree/AgentStateModel';
import type { AgentState } from '../../src/core/agents/AgentStatus';
import { eventually } from '../helpers/poll';
import { RecordingLog } from '../helpers/recordingLog';

const NOW = Date.UTC(2026, 10, 25, 12, 0, 0);

function workspace(id: string, overrides: Partial<WorkspaceRecord> = {}): WorkspaceRecord {
  return {
    v: 1,
    id,
    repoPath: '/src/app',
    branch: `feature/${id}`,
    baseBranch: 'main',
    branchSource: 'new',
    worktreePath: `/src/app.worktrees/feature-${id}`,
    createdBranch: true,
    status: 'ready',
    setupEvents: [],
    baseSession: `tw-${id}-base`,
    createdAt: NOW - 3_600_000,
    updatedAt: NOW,
    ...overrides,
  };
}

function session(key: string, workspaceId: string, overrides: Partial<SessionRecord> = {}): SessionRecord {
  return {
    v: 1,
    key,
    workspaceId,
    kind: 'agent',
    agentId: 'claude',
    label: 'Claude Code',
    tmuxName: key,
    launchId: `launch-${key}`,
    command: ['/usr/bin/claude'],
    createdAt: NOW - 5 * 60_000,
    ...overrides,
  };
}

function view(record: WorkspaceRecord, sessions: SessionView[] = [], baseAlive = true): WorkspaceView {
  return { record, folder: true, base: { name: record.baseSession, alive: baseAlive, attachedClients: 0 }, sessions };
}

function changeSet(overrides: Partial<WorkspaceStats> = {}): WorkspaceStats {
  return { baseCommit: 'a70b5910e52e', files: [], added: 0, removed: 0, dirty: false, ...overrides };
}

function tree(workspaces: WorkspaceView[], stats = new Map<string, WorkspaceStats>(), tmuxAvailable = true) {
  return buildTree({ workspaces, stats, tmuxAvailable, now: NOW });
}

describe('workspace tree nodes', () => {
  it('labels a workspace by branch with changed lines and a dirty marker as description, the repository only in its tooltip', () => {
    const [node] = tree([view(workspace('a'))], new Map([['a', changeSet({ added: 12, removed: 3, dirty: true })]])) as WorkspaceNode[];
    assert.equal(node.label, 'feature/a');
    assert.equal(node.description, '+12 −3 · ●', 'one repository: its name on every row says nothing');
    assert.match(node.tooltip!, /Repository: `\/src\/app`/);
    assert.equal(node.contextValue, 'workspace+ready+dirty+tmux+hasFolder');
  });

  it('lists a ready workspace\'s changed files under a collapsed Changes row, each opening its diff, and no such row without changes', () => {
    const files: WorkspaceStats['files'] = [
      { path: 'README.md', kind: 'modified', added: 2, removed: 1, binary: false },
      { path: 'src/new.ts', kind: 'added', added: 10, removed: 0, binary: false },
      { path: 'src/renamed.ts', oldPath: 'src/old.ts', kind: 'renamed', added: 0, removed: 0, binary: false },
      { path: 'notes/todo.txt', kind: 'untracked', added: 0, removed: 0, binary: false },
    ];
    const [node] = tree([view(workspace('a'))], new Map([['a', changeSet({ files, added: 12, removed: 1, dirty: true })]])) as WorkspaceNode[];
    const changes = node.children.at(-1)!;
    assert.ok(changes.kind === 'changes');
    assert.deepEqual([changes.label, changes.description, treeItemLook(changes).collapsed, treeItemLook(changes).expanded], ['Changes', '4 files', true, false]);
    assert.deepEqual(changes.files.map((file) => [file.label, file.description]), [['README.md', 'M'], ['new.ts', 'src · A'], ['renamed.ts', 'src · R'], ['todo.txt', 'notes · U']]);
    assert.ok(changes.files.every((file) => treeItemLook(file).opensDiff));
    assert.match(changes.files[2].tooltip!, /from `src\/old.ts`/);
    assert.equal(new Set(changes.files.map((file) => file.id)).size, 4, 'one id per file');
    const [clean] = tree([view(workspace('a'))], new Map([['a', changeSet()]])) as WorkspaceNode[];
    assert.ok(!clean.children.some((child) => child.kind === 'changes'));
  });

  it('says on both rows when two live workspaces of one repository change the same files, and which', () => {
    const file = (path: string) => ({ path, kind: 'modified' as const, added: 1, removed: 0, binary: false });
    const other = { ...workspace('c'), repoPath: '/src/other' };
    const stats = new Map([
      ['a', changeSet({ files: [file('src/login.ts'), file('README.md')], added: 2 })],
      ['b', changeSet({ files: [file('src/login.ts'), file('src/other.ts')], added: 2 })],
      ['c', changeSet({ files: [file('src/login.ts')], added: 1 })],
    ]);
    const [a, b, c] = buildTree({ workspaces: [view(workspace('a')), view(workspace('b')), view(other)], stats, tmuxAvailable: true, now: NOW }).flatMap((node) => (node.kind === 'repository' ? [...node.workspaces] : [node as WorkspaceNode]));
    assert.match(a.description!, /⚠ overlaps feature\/b/);
    assert.match(b.description!, /⚠ overlaps feature\/a/);
    assert.match(a.tooltip!, /Changes the same files as \*\*feature\/b\*\*: `src\/login.ts`/);
    assert.doesNotMatch(a.tooltip!, /README/);
    assert.ok(!/overlaps/.test(c.description ?? ''), 'another repository\'s same path is no overlap');
    assert.match(a.contextValue, /\+overlaps\b/);
  });

  it('spins while creating and names the current stage', () => {
    const record = workspace('a', { status: 'creating', setupEvents: [{ stage: 'worktree', outcome: 'ok', at: NOW }, { stage: 'setup', outcome: 'started', at: NOW }] });
    const [node] = tree([view(record, [], false)]) as WorkspaceNode[];
    assert.equal(node.icon.id, 'sync~spin');
    assert.equal(node.description, 'creating: setup…');
    assert.deepEqual(node.children, [], 'no base terminal row before the terminal exists');
    const stepping = workspace('b', { status: 'creating', setupEvents: [{ stage: 'setup', step: 'install', outcome: 'ok', at: NOW }, { stage: 'setup', step: 'migrate', outcome: 'started', at: NOW }] });
    assert.equal((tree([view(stepping, [], false)]) as WorkspaceNode[])[0].description, 'creating: setup step "migrate"…');
  });

  it('names the teardown step running while a workspace is deleted or archived', () => {
    const events = [{ stage: 'setup', outcome: 'ok', at: NOW }, { stage: 'teardown', step: 'stop database', outcome: 'started', at: NOW }] as const;
    const rows = tree([view(workspace('a', { status: 'deleting', setupEvents: [...events] })), view(workspace('b', { status: 'archiving', setupEvents: [...events] }))]) as WorkspaceNode[];
    assert.deepEqual(rows.map((row) => row.description), ['deleting: teardown step "stop database"…', 'archiving: teardown step "stop database"…']);
    const done = tree([view(workspace('c', { status: 'deleting', setupEvents: [{ stage: 'teardown', step: 'stop database', outcome: 'ok', at: NOW }] }))]) as WorkspaceNode[];
    assert.equal(done[0].description, 'deleting', 'once teardown is over, only the status');
  });

  it('puts archived workspaces under a collapsed Archived group, after the live ones, and finds their parent', async () => {
    const nodes = tree([view(workspace('a')), view(workspace('b', { status: 'archived' }), [], false), view(workspace('c', { status: 'archive_failed', lastError: 'archive: x' }))]);
    assert.deepEqual(nodes.map((node) => node.id), ['ws:a', 'ws:c', 'archived']);
    const group = nodes[2];
    assert.equal(group.kind, 'archived');
    assert.equal(treeItemLook(group).collapsed, true);
    assert.equal(treeItemLook(group).expanded, false);
    const [row] = group.kind === 'archived' ? group.workspaces : [];
    assert.equal(row.contextValue.split('+').slice(0, 2).join('+'), 'workspace+archived');
    assert.equal(treeItemLook(row).expanded, false, 'an archived row is a leaf');
  });

  it('makes error and deletion_failed stand out, with the last error in the tooltip', () => {
    const nodes = tree([
      view(workspace('a', { status: 'error', lastError: 'setup: npm ci exited with 1', setupLog: '/logs/a.log' })),
      view(workspace('b', { status: 'deletion_failed', lastError: 'delete: worktree locked' })),
    ]) as WorkspaceNode[];
    assert.deepEqual(nodes.map((node) => node.icon), [
      { id: 'error', color: 'errorForeground' },
      { id: 'warning', color: 'list.errorForeground' },
    ]);
    assert.match(nodes[0].tooltip!, /Last error: setup: npm ci exited with 1/);
    assert.equal(nodes[0].contextValue, 'workspace+error+hasSetupLog+tmux+hasFolder');
    assert.equal(nodes[1].contextValue, 'workspace+deletion_failed+tmux+hasFolder');
  });

  it('lists the base terminal first, then sessions with a short state, the age and clients explained in the tooltip', () => {
    const record = workspace('a');
    const sessions: SessionView[] = [
      { record: session('tw-a-claude-1', 'a'), alive: true, attachedClients: 1 },
      { record: session('tw-a-shell-1', 'a', { kind: 'shell', label: 'shell', createdAt: NOW - 3 * 3_600_000 }), alive: true, attachedClients: 0 },
    ];
    const [node] = tree([view(record, sessions)]) as WorkspaceNode[];
    assert.deepEqual(node.children.map((child) => [child.kind, child.label, child.description]), [
      ['base', 'Base terminal', 'running'],
      ['session', 'Claude Code', 'attached'],
      ['session', 'shell', 'running'],
    ]);
    const [base, claude, shell] = node.children.map((child) => child.tooltip!.split('\n\n'));
    assert.deepEqual(base, ['tmux session `tw-a-base`', 'Not attached']);
    assert.equal(claude[0], '**Claude Code** (agent)');
    assert.equal(shell[0], '**shell**', 'a shell labelled "shell" is not "shell (shell)"');
    assert.ok(claude.includes('Attached in 1 terminal'), claude.join(' | '));
    assert.ok(shell.includes('Not attached'), shell.join(' | '));
    assert.ok(claude.some((line) => line.startsWith('Started 5 minutes ago (')), claude.join(' | '));
    assert.ok(shell.some((line) => line.startsWith('Started 3 hours ago (')), shell.join(' | '));
    assert.deepEqual(node.children.map((child) => child.contextValue), ['base+alive+tmux+hasFolder', 'session+agent+alive+attached', 'session+shell+alive']);
    assert.equal(node.contextValue, 'workspace+ready+tmux+hasShell+hasFolder');
    assert.equal((node.children[1] as SessionNode).sessionKey, 'tw-a-claude-1');
  });

  it('groups by repository only when more than one repository is tracked', () => {
    const one = tree([view(workspace('a')), view(workspace('b'))]);
    assert.deepEqual(one.map((node) => node.kind), ['workspace', 'workspace']);
    const two = tree([view(workspace('a')), view(workspace('b', { repoPath: '/src/api' })), view(workspace('c'))]);
    assert.deepEqual(two.map((node) => [node.kind, node.label, node.description]), [
      ['repository', 'api', '1 workspace'],
      ['repository', 'app', '2 workspaces'],
    ]);
  });

  it('says tmux is missing above the workspaces, without hiding them', () => {
    const nodes = tree([view(workspace('a'), [], false)], new Map(), false);
    assert.deepEqual(nodes.map((node) => node.kind), ['message', 'workspace']);
    assert.equal((nodes[1] as WorkspaceNode).contextValue, 'workspace+ready+hasFolder', 'no tmux flag: launch and attach menus hide');
    assert.equal((nodes[1] as WorkspaceNode).children[0].description, 'tmux not installed');
  });

  it('shows unrecorded sessions under Orphaned Sessions, and no such node when there are none', () => {
    assert.ok(!tree([view(workspace('a'))]).some((node) => node.kind === 'orphans'));
    const nodes = buildTree({
      workspaces: [view(workspace('a'))],
      stats: new Map(),
      tmuxAvailable: true,
      orphans: [{ name: 'tw-a-claude-9f', createdAt: NOW / 1000 - 120, owner: 'me', attachedClients: 0 }],
      now: NOW,
    });
    const orphans = nodes.at(-1)!;
    assert.ok(orphans.kind === 'orphans');
    assert.equal(orphans.label, 'Orphaned Sessions');
    assert.deepEqual(orphans.orphans.map((node) => [node.label, node.description, node.contextValue]), [['tw-a-claude-9f', 'running', 'orphan']]);
    assert.match(orphans.orphans[0].tooltip!, /Started 2 minutes ago/);
  });

  it('keeps every row\'s tree item id for the life of what it shows, whatever its children or state', () => {
    // One workspace through its life: creating without a terminal, ready with its base terminal, a session started and ended.
    const creating = workspace('a', { status: 'creating', setupEvents: [{ stage: 'worktree', outcome: 'started', at: NOW }] });
    const shell = session('tw-a-shell-1', 'a', { kind: 'shell', label: 'shell' });
    const lives = [
      view(creating, [], false),
      view(workspace('a')),
      view(workspace('a'), [{ record: shell, alive: true, attachedClients: 1 }]),
      view(workspace('a'), [{ record: shell, alive: false, attachedClients: 0 }]),
      view(workspace('a', { status: 'deleting' }), [], false),
    ];
    const looks = lives.map((life) => treeItemLook(tree([life])[0]));
    assert.deepEqual(new Set(looks.map((look) => look.id)), new Set(['ws:a']), 'the workspace row keeps one id');
    assert.ok(looks.every((look) => look.expanded), 'drawn expanded from its first sight, so it is open once its terminals appear');
    const sessionIds = lives.slice(2, 4).map((life) => treeItemLook((tree([life])[0] as WorkspaceNode).children[1]).id);
    assert.equal(sessionIds[0], sessionIds[1], 'a session row keeps its id when the session ends');
  });

  it('writes ages in words', () => {
    assert.deepEqual([10_000, 60_000, 5 * 60_000, 3_600_000, 3 * 3_600_000, 3 * 86_400_000].map(ago), ['just now', '1 minute ago', '5 minutes ago', '1 hour ago', '3 hours ago', '3 days ago']);
  });
});

describe('WorkspaceTreeModel', () => {
  class FakeSource implements WorkspaceSource {
    readonly emitter = new Emitter<LifecycleChange>();
    readonly onDidChange = this.emitter.event;
    views: WorkspaceView[] = [];
    listCalls = 0;
    statsCalls: string[] = [];
    failWith: Error | undefined;
    async listWorkspaces() {
      this.listCalls += 1;
      if (this.failWith) throw this.failWith;
      return this.views;
    }
    async worktreeChanges(id: string) {
      this.statsCalls.push(id);
      return changeSet({ added: 1 });
    }
    async tmuxAvailable() {
      return true;
    }
    async listOrphans() {
      return [];
    }
  }

  it('follows change events, coalescing a burst into one reload, and recounts only the touched workspace', async () => {
    const source = new FakeSource();
    source.views = [view(workspace('a')), view(workspace('b'))];
    const model = new WorkspaceTreeModel(source, 20);
    await model.refresh('startup');
    assert.deepEqual(source.statsCalls.sort(), ['a', 'b']);
    const listsBefore = source.listCalls;
    source.statsCalls = [];
    source.views = [view(workspace('a')), view(workspace('b')), view(workspace('c'))];
    for (let i = 0; i < 5; i++) source.emitter.fire({ type: 'workspace', workspaceId: 'a' });
    source.emitter.fire({ type: 'workspace', workspaceId: 'c' });
    await eventually(() => model.roots.length === 3, 2000, 'new workspace shown');
    await eventually(() => source.statsCalls.length === 2, 2000, 'stats recounted');
    assert.equal(source.listCalls - listsBefore, 1);
    assert.deepEqual(source.statsCalls.sort(), ['a', 'c']);
    assert.equal(model.lastRefreshReason, 'event');
    model.dispose();
  });

  it('recounts a workspace\'s changes when its worktree\'s index or HEAD changed, and watches only ready worktrees that exist', async () => {
    const source = new FakeSource();
    const creating = view(workspace('c', { status: 'creating' }));
    source.views = [view(workspace('a')), view(workspace('b')), creating];
    const worktreeChanged = new Emitter<string>();
    const tracked: string[][] = [];
    const model = new WorkspaceTreeModel(source, 20, undefined, undefined, { onDidChange: worktreeChanged.event, track: (worktrees) => tracked.push(worktrees.map((worktree) => worktree.id)) });
    await model.refresh('startup');
    assert.deepEqual(tracked.at(-1), ['a', 'b']);
    source.statsCalls = [];
    worktreeChanged.fire('b');
    await eventually(() => source.statsCalls.length === 1, 2000, 'recounted');
    assert.deepEqual(source.statsCalls, ['b']);
    model.dispose();
  });

  it('shows why the workspaces could not be listed instead of failing, is loaded, and recovers on the next listing', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    const source = new FakeSource();
    source.views = [view(workspace('a'))];
    source.failWith = new Error('tmux list-sessions: protocol version mismatch (client 8, server 7)');
    const model = new WorkspaceTreeModel(source, 10);
    const loadedAtChange: boolean[] = [];
    model.onDidChange(() => loadedAtChange.push(model.isLoaded));
    try {
      await model.refresh('startup');
      assert.equal(model.isLoaded, true);
      assert.equal(loadedAtChange.at(-1), true, 'listeners (the context keys) see it loaded');
      assert.equal(model.roots.length, 1);
      const [node] = model.roots;
      assert.equal(node.kind, 'message');
      assert.equal(node.label, 'Could not read tmux sessions');
      assert.match(node.description!, /protocol version mismatch/);
      assert.match(node.tooltip!, /protocol version mismatch/);
      assert.equal(node.icon.id, 'error');
      assert.deepEqual(model.workspaces, []);

      // A refresh an event schedules fails the same way, quietly.
      source.emitter.fire({ type: 'workspace', workspaceId: 'a' });
      await eventually(() => source.listCalls === 2, 2000, 'event refresh ran');
      await new Promise((resolve) => setTimeout(resolve, 20));
      assert.deepEqual(unhandled, []);

      source.failWith = undefined;
      source.emitter.fire({ type: 'workspace', workspaceId: 'a' });
      await eventually(() => model.roots[0]?.kind === 'workspace', 2000, 'workspaces shown again');
      assert.deepEqual(model.roots.map((root) => root.kind), ['workspace']);
    } finally {
      process.off('unhandledRejection', onUnhandled);
      model.dispose();
    }
  });

  it('logs a listing failure it shows in the tree at error, once per failure, and its recovery', async () => {
    const source = new FakeSource();
    source.failWith = new Error('tmux list-sessions: protocol version mismatch (client 8, server 7)');
    const log = new RecordingLog();
    const model = new WorkspaceTreeModel(source, 10, undefined, log);
    try {
      await model.refresh('startup');
      await model.refresh('manual');
      assert.deepEqual(
        log.lines.filter((line) => line.level === 'warn' || line.level === 'error'),
        [{ level: 'error', message: 'Could not list the workspaces: tmux list-sessions: protocol version mismatch (client 8, server 7)' }],
      );
      source.failWith = undefined;
      await model.refresh('manual');
      assert.ok(log.find('info', 'Listing the workspaces works again'), 'the recovery is logged too');
    } finally {
      model.dispose();
    }
  });

  it('keeps a workspace\'s counts on its row while they are recounted, and draws the new ones once counted', async () => {
    const source = new FakeSource();
    source.views = [view(workspace('a'))];
    const worktreeChanged = new Emitter<string>();
    const model = new WorkspaceTreeModel(source, 10, undefined, undefined, { onDidChange: worktreeChanged.event, track: () => undefined });
    await model.refresh('startup');
    const counted = model.findWorkspace('a')!.description;
    assert.match(counted ?? '', /\+1/);
    let answer!: (stats: WorkspaceStats) => void;
    source.worktreeChanges = async (id: string) => {
      source.statsCalls.push(id);
      return new Promise<WorkspaceStats>((resolve) => (answer = resolve));
    };
    source.statsCalls = [];
    worktreeChanged.fire('a');
    await eventually(() => source.statsCalls.length === 1, 2000, 'recount asked');
    // The listing is drawn before the recount ends: the row still shows what was counted last.
    assert.equal(model.findWorkspace('a')!.description, counted);
    answer(changeSet({ added: 7, dirty: true }));
    await eventually(() => /\+7/.test(model.findWorkspace('a')!.description ?? ''), 2000, 'new counts drawn');
    model.dispose();
  });

  it('drops the counts of a workspace that is no longer ready, which are not recounted', async () => {
    const source = new FakeSource();
    source.views = [view(workspace('a'))];
    const model = new WorkspaceTreeModel(source, 10);
    await model.refresh('startup');
    assert.match(model.findWorkspace('a')!.tooltip ?? '', /Changes: \+1/);
    source.views = [view(workspace('a', { status: 'deleting' }))];
    source.emitter.fire({ type: 'workspace', workspaceId: 'a' });
    await eventually(() => model.findWorkspace('a')!.status === 'deleting', 2000, 'deleting drawn');
    assert.doesNotMatch(model.findWorkspace('a')!.tooltip ?? '', /Changes:/);
    model.dispose();
  });

  it('recounts a workspace\'s changes when one of its agents stops working, not when it starts or another workspace\'s agent does', async () => {
    const source = new FakeSource();
    source.views = [view(workspace('a')), view(workspace('b'))];
    const states = new Emitter<AgentStateChange[]>();
    const agents: AgentStateView = { states: new Map(), onDidChangeRows: new Emitter<void>().event, onDidChange: states.event, track: () => undefined };
    const model = new WorkspaceTreeModel(source, 10, agents);
    await model.refresh('startup');
    const change = (workspaceId: string, from: AgentState | undefined, to: AgentState | undefined): AgentStateChange => ({ session: session(`tw-${workspaceId}-claude`, workspaceId), from, to, since: NOW });
    source.statsCalls = [];
    const listsBefore = source.listCalls;
    states.fire([change('a', undefined, 'working'), change('b', 'idle', 'working')]);
    states.fire([change('b', 'working', 'needs-input')]);
    await eventually(() => source.statsCalls.length === 1, 2000, 'recounted');
    assert.deepEqual(source.statsCalls, ['b']);
    assert.equal(source.listCalls - listsBefore, 1);
    model.dispose();
  });

  it('tells the view only when a row changed: a reload that draws the same rows keeps their nodes', async () => {
    const source = new FakeSource();
    source.views = [view(workspace('a'))];
    const model = new WorkspaceTreeModel(source, 10);
    let redraws = 0;
    model.onDidChangeTree(() => (redraws += 1));
    await model.refresh('startup');
    // Drawn twice: the rows first, then with the counts loaded after them.
    assert.equal(redraws, 2);
    const drawn = model.roots;
    let changes = 0;
    model.onDidChange(() => (changes += 1));
    await model.refresh('event');
    assert.ok(changes > 0, 'listeners of the model still hear the reload');
    assert.equal(redraws, 2, 'the same rows are not redrawn');
    assert.equal(model.roots, drawn, 'the view keeps the very nodes it holds');
    source.views = [view(workspace('a', { status: 'error', lastError: 'boom' }))];
    await model.refresh('event');
    assert.equal(redraws, 3);
    assert.notEqual(model.roots, drawn);
    model.dispose();
  });

  it('is loaded when it first tells its listeners, even with no workspaces', async () => {
    const model = new WorkspaceTreeModel(new FakeSource());
    const loadedAtChange: boolean[] = [];
    model.onDidChange(() => loadedAtChange.push(model.isLoaded));
    await model.refresh('startup');
    assert.deepEqual(loadedAtChange, [true]);
    model.dispose();
  });

  it('finds a workspace node and its parent for reveal', async () => {
    const source = new FakeSource();
    source.views = [view(workspace('a')), view(workspace('b', { repoPath: '/src/api' }))];
    const model = new WorkspaceTreeModel(source);
    await model.refresh('manual');
    const node = model.findWorkspace('b')!;
    assert.equal(node.label, 'feature/b');
    assert.equal(model.parentOf(node)?.label, 'api');
    assert.equal(model.parentOf(node.children[0])?.id, node.id);
    model.dispose();
  });

  it('puts the status right after the kind in every workspace flag set, as the menus expect', () => {
    const statuses: WorkspaceStatus[] = ['creating', 'ready', 'error', 'deleting', 'deletion_failed'];
    for (const status of statuses) {
      const [node] = tree([view(workspace('a', { status }))]) as WorkspaceNode[];
      assert.match(node.contextValue, new RegExp(`^workspace\\+${status}\\b`));
    }
  });
});
