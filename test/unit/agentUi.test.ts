import * as assert from 'node:assert/strict';
import type { ActivityReading, AgentState, HookReport, StatusChange } from '../../src/core/agents/AgentStatus';
import { Emitter } from '../../src/core/events';
import type { LifecycleChange, SessionView, WorkspaceView } from '../../src/core/lifecycle/RuntimeLifecycle';
import type { ResumableRecord, SessionRecord } from '../../src/core/store/records';
import { deliverQueuedWhenFree } from '../../src/ui/agents/queuedDelivery';
import { AgentNotifier } from '../../src/ui/agents/AgentNotifier';
import { AgentStateModel, type AgentStateChange } from '../../src/ui/tree/AgentStateModel';
import { buildTree, type SessionNode, type WorkspaceNode } from '../../src/ui/tree/nodes';
import { localTime } from '../../src/core/time';
import { WorkspaceTreeModel, type WorkspaceSource } from '../../src/ui/tree/WorkspaceTreeModel';
import { eventually } from '../helpers/poll';
import { readyWorkspace } from '../helpers/agentFixtures';
import { RecordingLog, ScriptedHost } from '../helpers/scriptedHost';

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

describe('agent notifications', () => {
  function setup(options: { enabled?: boolean; focused?: boolean; attachFails?: Error } = {}) {
    const host = new ScriptedHost();
    const attached: string[] = [];
    const promptActions: string[] = [];
    const log = new RecordingLog();
    const notifier = new AgentNotifier({
      host,
      log,
      enabled: () => options.enabled ?? true,
      terminalFocused: () => options.focused ?? false,
      attach: async (key) => {
        attached.push(key);
        if (options.attachFails) throw options.attachFails;
      },
      promptAction: async (action, key) => {
        promptActions.push(`${action} ${key}`);
      },
      branchOf: () => 'feature/login',
    });
    return { host, log, notifier, attached, promptActions };
  }
  const needsInput = (session: SessionRecord, from: 'working' | 'needs-input' | undefined = 'working') => [{ session, from, to: 'needs-input' as const, since: NOW }];

  it('says once that an agent needs input, and Attach attaches to it', async () => {
    const { host, notifier, attached } = setup();
    host.clickAction = 'Attach';
    const session = agent('tw-a');
    notifier.onStates(needsInput(session));
    notifier.onStates(needsInput(session, 'needs-input'));
    await eventually(() => attached.length === 1, 1000, 'attached');
    assert.deepEqual(host.shown, [{ kind: 'info', message: 'Claude Code in "feature/login" needs your input.', actions: ['Attach'] }]);
    notifier.onStates([{ session, from: 'needs-input', to: 'working', since: NOW }]);
    notifier.onStates(needsInput(session));
    assert.equal(host.shown.length, 2, 'a new spell of needing input is told again');
  });

  it('reports an Attach that fails instead of leaving its rejection unhandled', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const { host, notifier, attached } = setup({ attachFails: new Error('tmux attach: protocol version mismatch') });
      host.clickAction = 'Attach';
      notifier.onStates(needsInput(agent('tw-a')));
      await eventually(() => host.shown.length === 2, 1000, 'failure reported');
      assert.deepEqual(attached, ['tw-a']);
      assert.deepEqual(host.shown[1], { kind: 'error', message: 'Attach: tmux attach: protocol version mismatch', actions: ['Show Log'] });
      await new Promise((resolve) => setTimeout(resolve, 20));
      assert.deepEqual(unhandled, []);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('stays quiet when the agent\'s terminal has the focus or notifications are off', () => {
    for (const options of [{ focused: true }, { enabled: false }]) {
      const { host, notifier } = setup(options);
      notifier.onStates(needsInput(agent('tw-a')));
      notifier.onLifecycle({ type: 'session-ended', session: agent('tw-a'), natural: true, exitCode: 0 });
      assert.deepEqual(host.shown, []);
    }
  });

  it('says an agent is done when it exits cleanly (opt-in)', () => {
    const { host, notifier } = setup();
    notifier.onLifecycle({ type: 'session-ended', session: agent('tw-a'), natural: true, exitCode: 0 });
    notifier.onLifecycle({ type: 'session-ended', session: agent('tw-b'), natural: false });
    assert.deepEqual(host.shown.map((shown) => shown.message), ['Claude Code in "feature/login" is done.']);
  });

  it('always reports a failed exit with its status and last lines, the full lines one click away', async () => {
    const { host, notifier } = setup({ enabled: false });
    host.clickAction = 'Show Output';
    notifier.onLifecycle({ type: 'session-ended', session: agent('tw-a'), natural: true, exitCode: 3, lastLines: 'loading\n\nError: rate limited\n  retry later\n' });
    await eventually(() => host.texts.length === 1, 1000, 'lines shown');
    assert.equal(host.shown[0].kind, 'error');
    assert.equal(host.shown[0].message, 'Claude Code in "feature/login" exited with status 3. Last output: loading ⏎ Error: rate limited ⏎   retry later');
    assert.match(host.texts[0].text, /Error: rate limited/);
  });

  it('warns when a first prompt was not, or may not have been, delivered, offering Send Again and Copy Prompt', async () => {
    const { host, notifier, promptActions } = setup({ enabled: false });
    host.clickAction = 'Send Again';
    notifier.onLifecycle({ type: 'prompt', session: agent('tw-a', { prompt: { state: 'unknown', at: NOW } }), detail: 'the window closed while the prompt was being pasted' });
    notifier.onLifecycle({ type: 'prompt', session: agent('tw-a', { prompt: { state: 'delivered', at: NOW } }) });
    assert.deepEqual(host.shown, [{ kind: 'warn', message: 'First prompt for Claude Code in "feature/login": the window closed while the prompt was being pasted.', actions: ['Send Again', 'Copy Prompt'] }]);
    await eventually(() => promptActions.length === 1, 1000, 'Send Again run');
    assert.deepEqual(promptActions, ['send tw-a']);
    host.clickAction = 'Copy Prompt';
    notifier.onLifecycle({ type: 'prompt', session: agent('tw-b', { prompt: { state: 'failed', at: NOW } }) });
    await eventually(() => promptActions.length === 2, 1000, 'Copy Prompt run');
    assert.deepEqual(promptActions[1], 'copy tw-b');
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
    states.fire([{ session, from: 'idle', to: 'working' , since: NOW }]);
    current.set('tw-a', 'working');
    changes.fire({ type: 'queue', session });
    assert.deepEqual(delivered, [], 'nothing while it works');
    states.fire([{ session, from: 'working', to: 'needs-input' , since: NOW }]);
    current.set('tw-a', 'idle');
    changes.fire({ type: 'queue', session });
    changes.fire({ type: 'queue', session: agent('tw-a', { queued: [] }) });
    assert.deepEqual(delivered, ['tw-a', 'tw-a']);
    for (const subscription of subscriptions) subscription.dispose();
  });
});

