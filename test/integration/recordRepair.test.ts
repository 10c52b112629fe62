import * as assert from 'node:assert/strict';
import { overlaps, portRange } from '../../src/core/lifecycle/portBlocks';
import type { LifecycleChange, RuntimeLifecycle } from '../../src/core/lifecycle/RuntimeLifecycle';
import { buildTree, type SessionNode, type TreeNode, type WorkspaceNode } from '../../src/ui/tree/nodes';
import { readWorkspaceMirror, writeWorkspaceMirror } from '../../src/core/store/RecordMirror';
import { RecordingLog } from '../helpers/recordingLog';
import { useWorld } from '../helpers/world';

const AGENT = ['/bin/sh', '-c', 'exec sleep 600'];
const WORKSPACE_KEY = (id: string) => `tmuxWorkspaces.workspace/${id}`;
const SESSION_KEY = (key: string) => `tmuxWorkspaces.session/${key}`;

/** The tree as the view would draw it now: workspaces with their sessions, and the orphans. */
async function tree(lifecycle: RuntimeLifecycle): Promise<TreeNode[]> {
  return buildTree({ workspaces: await lifecycle.listWorkspaces(), orphans: await lifecycle.listOrphans(), stats: new Map(), tmuxAvailable: true, now: Date.now() });
}

function workspaceNodes(nodes: readonly TreeNode[]): WorkspaceNode[] {
  return nodes.flatMap((node) => (node.kind === 'workspace' ? [node] : node.kind === 'repository' ? [...node.workspaces] : []));
}

function orphanNames(nodes: readonly TreeNode[]): string[] {
  return nodes.flatMap((node) => (node.kind === 'orphans' ? node.orphans.map((orphan) => orphan.tmuxName) : []));
}

describe('repair from what the resources carry (real tmux and git)', () => {
  const world = useWorld();
  let log: RecordingLog;
  let lifecycle: RuntimeLifecycle;
  let changes: LifecycleChange[];

  beforeEach(async () => {
    log = new RecordingLog();
    changes = [];
    lifecycle = await world.harness.lifecycle({ log });
    lifecycle.onDidChange((change) => changes.push(change));
  });

  /** Another window's stale whole-object write: its copy lacked these records, and now every window does. */
  async function lose(...keys: string[]): Promise<void> {
    for (const key of keys) await world.harness.memento.update(key, undefined);
  }

  it('restores a session record lost from globalState under its workspace, not as an orphan, and says so', async () => {
    const ws = await world.readyWorkspace();
    const session = await lifecycle.launchSession(ws.id, { kind: 'agent', label: 'claude', command: AGENT });
    await lose(SESSION_KEY(session.key));
    assert.equal(lifecycle.session(session.key), undefined, 'the record is gone from the store');

    await lifecycle.reconcile();

    const restored = lifecycle.session(session.key);
    assert.ok(restored, 'the record is back');
    assert.equal(restored.workspaceId, ws.id);
    assert.equal(restored.launchId, session.launchId);
    assert.equal(restored.createdAt, session.createdAt, 'the same generation');
    const nodes = await tree(lifecycle);
    const node = workspaceNodes(nodes).find((candidate) => candidate.workspaceId === ws.id);
    const child = node?.children.find((candidate): candidate is SessionNode => candidate.kind === 'session' && candidate.sessionKey === session.key);
    assert.ok(child, 'the session is shown under its workspace');
    assert.match(child.tooltip ?? '', /Restored from its tmux session/);
    assert.deepEqual(orphanNames(nodes), [], 'and not under Orphaned Sessions');
    assert.ok(log.find('warn', `restored session "claude" (${session.tmuxName})`), 'the repair is in the log');
    assert.ok(changes.some((change) => change.type === 'repaired' && change.workspaceId === ws.id), 'and reported as a change');
  });

  it('restores a workspace record lost from globalState from its worktree, with its sessions', async () => {
    const ws = await world.readyWorkspace();
    const session = await lifecycle.launchSession(ws.id, { kind: 'agent', label: 'codex', command: AGENT });
    await lose(WORKSPACE_KEY(ws.id), SESSION_KEY(session.key));
    assert.deepEqual(await lifecycle.listWorkspaces(), [], 'nothing recorded any more');

    await lifecycle.reconcile();

    const restored = lifecycle.workspace(ws.id);
    assert.ok(restored, 'the workspace record is back');
    assert.equal(restored.status, 'ready');
    assert.equal(restored.worktreePath, ws.worktreePath);
    assert.match(restored.repairNote ?? '', /Restored from its worktree/);
    assert.equal(lifecycle.session(session.key)?.workspaceId, ws.id, 'its session came back under it');
    const nodes = await tree(lifecycle);
    const node = workspaceNodes(nodes).find((candidate) => candidate.workspaceId === ws.id);
    assert.ok(node, 'the workspace is in the tree');
    assert.match(node.tooltip ?? '', /Restored from its worktree/);
    assert.deepEqual(orphanNames(nodes), [], 'neither its base terminal nor its session is an orphan');
    assert.ok(log.find('warn', `restored workspace "${ws.branch}" (${ws.id})`), 'the repair is in the log');
  });

  it('restores a lost workspace with the block of ports its record held, mirrored when the block was handed out', async () => {
    const ws = await world.readyWorkspace();
    // A record from before ports: its block is handed out when its next pane starts.
    await world.harness.memento.update(WORKSPACE_KEY(ws.id), { ...world.harness.memento.get<Record<string, unknown>>(WORKSPACE_KEY(ws.id)), ports: undefined });
    assert.equal(lifecycle.workspace(ws.id)?.ports, undefined, 'the record holds no block');
    const mirror = await readWorkspaceMirror(ws.worktreePath);
    assert.ok(mirror, 'the worktree carries its record');
    await writeWorkspaceMirror({ ...mirror.record, ports: undefined }, mirror.owner);
    await lifecycle.launchSession(ws.id, { kind: 'shell', label: 'shell', command: AGENT });
    const held = lifecycle.workspace(ws.id)?.ports;
    assert.ok(held, 'the launch handed out a block');
    await lose(WORKSPACE_KEY(ws.id));

    await lifecycle.reconcile();

    assert.deepEqual(lifecycle.workspace(ws.id)?.ports, held, 'the restored record holds the block its panes were given');
  });

  it('does not bring back a block of ports another workspace was given while the record was lost', async () => {
    const first = await world.readyWorkspace('feature/first');
    const block = lifecycle.workspace(first.id)?.ports;
    assert.ok(block, 'the first workspace holds a block');
    await lose(WORKSPACE_KEY(first.id));
    const second = await world.readyWorkspace('feature/second');
    assert.deepEqual(lifecycle.workspace(second.id)?.ports, block, 'with the record lost, its block was free to hand out');

    await lifecycle.reconcile();

    const restored = lifecycle.workspace(first.id);
    assert.ok(restored, 'the workspace record is back');
    assert.equal(restored.ports, undefined, 'without the block the second workspace holds now');
    assert.deepEqual(lifecycle.workspace(second.id)?.ports, block, 'which keeps it');
    assert.ok(log.find('warn', `held ports ${portRange(block)}`), 'the lost block is in the log');
    await lifecycle.launchSession(first.id, { kind: 'shell', label: 'shell', command: AGENT });
    const fresh = lifecycle.workspace(first.id)?.ports;
    assert.ok(fresh && !overlaps(fresh, block), `its next pane gets a block of its own, not ${JSON.stringify(fresh)}`);
  });

  it('brings back neither a stopped session nor a deleted workspace, and retires a copy of them that returns', async () => {
    const ws = await world.readyWorkspace();
    const session = await lifecycle.launchSession(ws.id, { kind: 'agent', label: 'claude', command: AGENT });
    const stale = { workspace: world.harness.memento.get(WORKSPACE_KEY(ws.id)), session: world.harness.memento.get(SESSION_KEY(session.key)) };
    await lifecycle.stopSession(session.key);
    await lifecycle.reconcile();
    assert.equal(lifecycle.session(session.key), undefined, 'a stopped session stays stopped');

    await lifecycle.deleteWorkspace(ws.id, { force: true });
    await lifecycle.reconcile();
    assert.equal(lifecycle.workspace(ws.id), undefined, 'a deleted workspace stays deleted');

    // A window whose copy predates the stop and the delete writes it back.
    await world.harness.memento.update(WORKSPACE_KEY(ws.id), stale.workspace);
    await world.harness.memento.update(SESSION_KEY(session.key), stale.session);
    await lifecycle.reconcile();
    assert.equal(lifecycle.workspace(ws.id), undefined, 'the workspace that came back is retired');
    assert.equal(lifecycle.session(session.key), undefined, 'and its session');
    assert.deepEqual(await lifecycle.listWorkspaces(), []);
    assert.ok(log.find('warn', `retired workspace "${ws.branch}" (${ws.id})`), 'the retirement is in the log');
  });
});
