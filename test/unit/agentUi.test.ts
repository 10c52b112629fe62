import * as assert from 'node:assert/strict';
import type { ActivityReading, AgentState, HookReport, StatusChange } from '../../src/core/agents/AgentStatus';
import { Emitter } from '../../src/core/events';
import type { LifecycleChange, SessionView, WorkspaceView } from '../../src/core/lifecycle/RuntimeLifecycle';
import type { ResumableRecord, SessionRecord } from '../../src/core/store/records';
import { deliverQueuedWhenFree } from '../../src/ui/agents/queuedDelivery';
import { AgentStateModel, type AgentStateChange } from '../../src/ui/tree/AgentStateModel';
import { buildTree, type SessionNode, type WorkspaceNode } from '../../src/ui/tree/nodes';
import { localTime } from '../../src/core/time';
import { WorkspaceTreeModel, type WorkspaceSource } from '../../src/ui/tree/WorkspaceTreeModel';
import { eventually } from '../helpers/poll';
import { readyWorkspace } from '../helpers/agentFixtures';
import { RecordingLog } from '../helpers/scriptedHost';

const NOW = Date.UTC(2026, 10, 25, 12, 0, 0);

const workspace = readyWorkspace(NOW);

function agent(key: string, overrides: Partial<SessionRecord> = {}): SessionRecord {
  return { v: 1, key, workspaceId: 'ws', kind: 'agent', agentId: 'claude', label: 'Claude Code', tmuxName: key, launchId: `launch-${key}`, command: ['/usr/bin/claude'], createdAt: NOW - 5 * 60_000, ...overrides };
}

function view(sessions: SessionView[], resumable: ResumableRecord[] = []): WorkspaceView {
  return { record: workspace, folder: true, base: { name: workspace.baseSession, alive: true, attachedClients: 0 }, sessions, resumable };
}

class FakeReports {
  readonly emitter = new Emitter<StatusChange>();
  readonly onDidReport = this.emitter.event;
  readonly reports = new Map<string, HookReport>();
  readonly forgotten: string[] = [];
  report(key: string) {
    return this.reports.get(key);
  }
  async forget(key: string) {
    this.forgotten.push(key);
  }
  set(key: string, report: HookReport) {
    this.reports.set(key, report);
    this.emitter.fire({ sessionKey: key, report });
  }
}

class FakeActivity {
  readings = new Map<string, ActivityReading>();
  asked: string[][] = [];
  async sample(names: ReadonlySet<string>) {
    this.asked.push([...names].sort());
    return new Map([...this.readings].filter(([name]) => names.has(name)));
  }
}

describe('agent state', () => {
  function setup() {
    const reports = new FakeReports();
    const activity = new FakeActivity();
    const lifecycle = new Emitter<LifecycleChange>();
    const model = new AgentStateModel({ reports, activity, lifecycle: lifecycle.event, now: () => NOW });
    const changes: string[] = [];
    model.onDidChange((batch) => changes.push(...batch.map((change) => `${change.session.key}:${change.from ?? '-'}>${change.to ?? '-'}`)));
    return { reports, activity, lifecycle, model, changes };
  }

  it('takes the hooks\' word, counts the agents that need input, and asks tmux once for every running agent only', async () => {
    const { reports, activity, model, changes } = setup();
    model.track([view([
      { record: agent('tw-a'), alive: true, attachedClients: 0 },
      { record: agent('tw-b'), alive: true, attachedClients: 0 },
      { record: agent('tw-shell', { kind: 'shell' }), alive: true, attachedClients: 0 },
      { record: agent('tw-dead'), alive: false, attachedClients: 0 },
    ])]);
    reports.set('tw-a', { at: NOW - 1000, source: 'claude', state: 'needs-input' });
    assert.equal(model.state('tw-a'), 'needs-input');
    assert.equal(model.needsInput, 1);

    activity.readings.set('tw-b', { working: true, lastOutputAt: NOW });
    await model.sample();
    assert.deepEqual(activity.asked, [['tw-a', 'tw-b']], 'one question for the running agents (output overtakes a report), none for a shell or a dead session');
    assert.equal(model.state('tw-b'), 'working');
    assert.deepEqual(changes, ['tw-a:->needs-input', 'tw-b:->working']);
  });

  it('keeps sampling slowly while the view is hidden, so a bell (Codex asking) still turns an agent to needs input', async () => {
    const reports = new FakeReports();
    const activity = new FakeActivity();
    const model = new AgentStateModel({ reports, activity, lifecycle: new Emitter<LifecycleChange>().event, now: () => NOW, intervalMs: 10_000, hiddenIntervalMs: 20 });
    try {
      model.setVisible(false);
      model.track([view([{ record: agent('tw-codex', { agentId: 'codex', label: 'Codex' }), alive: true, attachedClients: 0 }])]);
      activity.readings.set('tw-codex', { working: false, lastOutputAt: NOW - 5000, bell: true });
      await eventually(() => model.state('tw-codex') === 'needs-input', 2000, 'the hidden view\'s slow sample saw the bell');
      assert.equal(model.needsInput, 1, 'the badge counts it');
    } finally {
      model.dispose();
    }
  });

  it('applies a changed stuck timeout to an agent already working when asked to recompute', async () => {
    const reports = new FakeReports();
    const activity = new FakeActivity();
    let stuckAfterMs = 600_000;
    const model = new AgentStateModel({ reports, activity, lifecycle: new Emitter<LifecycleChange>().event, now: () => NOW, stuckAfterMs: () => stuckAfterMs });
    try {
      model.track([view([{ record: agent('tw-a'), alive: true, attachedClients: 0 }])]);
      reports.set('tw-a', { at: NOW - 120_000, source: 'claude', state: 'working' });
      assert.equal(model.state('tw-a'), 'working', 'two minutes quiet is not stuck under ten');
      stuckAfterMs = 60_000;
      model.recompute();
      assert.equal(model.state('tw-a'), 'stuck');
    } finally {
      model.dispose();
    }
  });

  it('says done when an agent ends cleanly, then forgets it (and its status file)', () => {
    const { reports, lifecycle, model, changes } = setup();
    const record = agent('tw-a');
    model.track([view([{ record, alive: true, attachedClients: 0 }])]);
    reports.set('tw-a', { at: NOW, source: 'claude', state: 'idle' });
    lifecycle.fire({ type: 'session-ended', session: record, natural: true, exitCode: 0 });
    assert.equal(model.state('tw-a'), undefined);
    assert.deepEqual(reports.forgotten, ['tw-a']);
    assert.deepEqual(changes, ['tw-a:->idle', 'tw-a:idle>done']);
  });

  it('shows each state in the tree with its icon, words and menu flag', () => {
    const sessions: SessionView[] = [
      { record: agent('tw-w'), alive: true, attachedClients: 0 },
      { record: agent('tw-n'), alive: true, attachedClients: 1 },
      { record: agent('tw-i', { conversationId: 'c-1', resumeArgv: ['/usr/bin/claude', '--resume', '{id}'] }), alive: true, attachedClients: 0 },
      { record: agent('tw-u'), alive: true, attachedClients: 0 },
    ];
    const states = new Map([['tw-w', 'working'], ['tw-n', 'needs-input'], ['tw-i', 'idle']] as const);
    const [node] = buildTree({ workspaces: [view(sessions)], stats: new Map(), tmuxAvailable: true, agentStates: states, now: NOW }) as WorkspaceNode[];
    const rows = node.children.filter((child): child is SessionNode => child.kind === 'session');
    assert.deepEqual(rows.map((row) => [row.icon.id, row.description, row.contextValue]), [
      ['sync~spin', 'working', 'session+agent+alive+working'],
      ['bell-dot', 'needs input', 'session+agent+alive+attached+needsInput'],
      ['hubot', 'idle', 'session+agent+alive+idle+resumable'],
      ['hubot', 'running', 'session+agent+alive'],
    ]);
    // Only the state, so inline buttons cannot cover it; the rest is in the tooltip.
    assert.deepEqual(rows[1].tooltip!.split('\n\n').slice(0, 3), ['**Claude Code** (agent, needs input)', 'Attached in 1 terminal', 'Started 5 minutes ago (' + localTime(NOW - 5 * 60_000) + ')']);
  });

  it('says on the row that a first prompt is on its way, whatever the agent\'s state, until it is sent', () => {
    const pending = agent('tw-p', { prompt: { state: 'pending', at: NOW } });
    const pasting = agent('tw-d', { prompt: { state: 'delivering', at: NOW } });
    const sent = agent('tw-s', { prompt: { state: 'delivered', at: NOW } });
    const sessions: SessionView[] = [pending, pasting, sent].map((record) => ({ record, alive: true, attachedClients: 0 }));
    const states = new Map([['tw-p', 'working'], ['tw-s', 'idle']] as const);
    const [node] = buildTree({ workspaces: [view(sessions)], stats: new Map(), tmuxAvailable: true, agentStates: states, now: NOW }) as WorkspaceNode[];
    const rows = node.children.filter((child): child is SessionNode => child.kind === 'session');
    assert.deepEqual(rows.map((row) => row.description), ['sending prompt…', 'sending prompt…', 'idle']);
  });

  it('shows a resumable agent as a stopped row that offers Resume, and a first prompt\'s fate in the tooltip', () => {
    const resumable: ResumableRecord = { v: 1, key: 'tw-old', workspaceId: 'ws', label: 'Codex', conversationId: 'thread-9', resumeArgv: ['/usr/bin/codex', 'resume', '{id}'], startedAt: NOW - 86_400_000, stoppedAt: NOW - 120_000 };
    const prompted = agent('tw-p', { prompt: { state: 'failed', at: NOW, detail: 'Claude Code was not ready for input after 30 s, so the first prompt was not sent' } });
    const [node] = buildTree({ workspaces: [view([{ record: prompted, alive: true, attachedClients: 0 }], [resumable])], stats: new Map(), tmuxAvailable: true, now: NOW }) as WorkspaceNode[];
    const row = node.children.at(-1)!;
    assert.deepEqual([row.kind, row.label, row.description, row.contextValue], ['resumable', 'Codex', 'stopped · resumable', 'session+agent+stopped+resumable']);
    assert.match(row.tooltip!, /thread-9/);
    assert.match(row.tooltip!, /Stopped 2 minutes ago/);
    assert.match(node.children[1].tooltip!, /First prompt: not sent \(Claude Code was not ready for input/);
  });

  it('redraws the tree when a state changes, without asking the lifecycle again', async () => {
    const { reports, model } = setup();
    const views = [view([{ record: agent('tw-a'), alive: true, attachedClients: 0 }])];
    let lists = 0;
    const source: WorkspaceSource = {
      onDidChange: new Emitter<LifecycleChange>().event,
      listWorkspaces: async () => {
        lists += 1;
        return views;
      },
      listOrphans: async () => [],
      worktreeChanges: async () => undefined,
      tmuxAvailable: async () => true,
    };
    const tree = new WorkspaceTreeModel(source, 10, model);
    await tree.refresh('startup');
    reports.set('tw-a', { at: NOW, source: 'claude', state: 'needs-input' });
    await eventually(() => ((tree.roots[0] as WorkspaceNode).children[1] as SessionNode).contextValue.includes('needsInput'), 2000, 'redrawn');
    assert.equal(lists, 1);
    tree.dispose();
  });
});

describe('queued messages', () => {
  it('are sent when the agent turns idle or needs input, or queue behind others while it is free; never while it works', () => {
    const states = new Emitter<AgentStateChange[]>();
    const changes = new Emitter<LifecycleChange>();
    const current = new Map<string, AgentState>();
    const delivered: string[] = [];
    const subscriptions = deliverQueuedWhenFree({
      states: { state: (key) => current.get(key), onDidChange: states.event },
      changes: changes.event,
      deliver: async (key) => {
        delivered.push(key);
      },
      log: new RecordingLog(),
    });
    const session = agent('tw-a', { queued: [{ id: 'm', at: NOW, preview: 'hi' }] });
    states.fire([{ session, from: 'idle', to: 'working', since: NOW }]);
    current.set('tw-a', 'working');
    changes.fire({ type: 'queue', session });
    assert.deepEqual(delivered, [], 'nothing while it works');
    states.fire([{ session, from: 'working', to: 'needs-input', since: NOW }]);
    current.set('tw-a', 'idle');
    changes.fire({ type: 'queue', session });
    changes.fire({ type: 'queue', session: agent('tw-a', { queued: [] }) });
    assert.deepEqual(delivered, ['tw-a', 'tw-a']);
    for (const subscription of subscriptions) subscription.dispose();
  });
});

