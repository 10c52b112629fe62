import * as assert from 'node:assert/strict';
import type { ActivityReading, HookReport, StatusChange } from '../../src/core/agents/AgentStatus';
import { parseStatusFile } from '../../src/core/agents/AgentStatus';
import { decodeEscaped, encodeEscaped, promptLine } from '../../src/core/agents/promptText';
import { Emitter } from '../../src/core/events';
import type { LifecycleChange, SessionView, WorkspaceView } from '../../src/core/lifecycle/RuntimeLifecycle';
import type { SessionRecord } from '../../src/core/store/records';
import { localTime } from '../../src/core/time';
import { AgentStateModel, type AgentStateChange } from '../../src/ui/tree/AgentStateModel';
import { readyWorkspace } from '../helpers/agentFixtures';
import { buildTree, type SessionNode, type WorkspaceNode } from '../../src/ui/tree/nodes';

const NOW = Date.UTC(2026, 11, 2, 18, 0, 0);

const workspace = readyWorkspace(NOW);

const record: SessionRecord = { v: 1, key: 'tw-a', workspaceId: 'ws', kind: 'agent', agentId: 'claude', label: 'Claude Code', tmuxName: 'tw-a', launchId: 'l-a', command: ['/usr/bin/claude'], createdAt: NOW - 600_000, conversationId: 'conv-1' };
const views: WorkspaceView[] = [{ record: workspace, folder: true, base: { name: 'tw-ws-base', alive: true, attachedClients: 0 }, sessions: [{ record, alive: true, attachedClients: 0 } as SessionView], resumable: [] }];

class Reports {
  readonly reported = new Emitter<StatusChange>();
  readonly prompted = new Emitter<string>();
  readonly onDidReport = this.reported.event;
  readonly onDidChangePrompt = this.prompted.event;
  current: HookReport | undefined;
  latestPrompt: string | undefined;
  report = () => this.current;
  prompt = () => this.latestPrompt;
  forget = async () => undefined;
  set(report: HookReport) {
    this.current = report;
    this.reported.fire({ sessionKey: 'tw-a', report });
  }
}

function setup() {
  let now = NOW;
  const reports = new Reports();
  const readings = new Map<string, ActivityReading>();
  const lifecycle = new Emitter<LifecycleChange>();
  const model = new AgentStateModel({ reports, activity: { sample: async () => readings }, lifecycle: lifecycle.event, now: () => now, stuckAfterMs: () => 60_000 });
  const changes: AgentStateChange[] = [];
  model.onDidChange((batch) => changes.push(...batch));
  model.track(views);
  return { reports, readings, lifecycle, model, changes, advance: (ms: number) => (now += ms) };
}

describe('agent status text', () => {
  it('decodes what the reporter kept, even cut in the middle of an escape or a character', () => {
    assert.equal(decodeEscaped(String.raw`Fix \"it\"\nthen \u00e9t\u00e9 \\ done`), 'Fix "it"\nthen été \\ done');
    assert.equal(decodeEscaped(String.raw`cut here \u00`), 'cut here ');
    assert.equal(decodeEscaped('cut here \\\\\\'), 'cut here \\', 'an escaped backslash, then half of one');
    assert.equal(decodeEscaped('caf\u00c3'.slice(0, 3) + '\uFFFD'), 'caf');
    assert.equal(decodeEscaped(encodeEscaped('a "quoted"\nline', 4096)), 'a "quoted"\nline');
  });

  it('shows a prompt\'s first line with text, folded and shortened at a word', () => {
    assert.equal(promptLine('\n\n  Fix the   login redirect\nthen the tests'), 'Fix the login redirect');
    assert.equal(promptLine('Refactor the session watcher so it reconnects with backoff and logs why', 40), 'Refactor the session watcher so it…');
    assert.equal(promptLine('x'.repeat(50), 10), `${'x'.repeat(9)}…`);
  });

  it('still parses a status file of the earlier format', () => {
    assert.deepEqual(parseStatusFile('1795648155 claude idle s-1\n'), { at: 1795648155000, source: 'claude', state: 'idle', conversationId: 's-1' });
  });
});

describe('agent rows', () => {
  it('says the reason and the latest prompt on the row, and state, since when, the prompt and the conversation in the tooltip', () => {
    const { reports, model } = setup();
    reports.latestPrompt = 'Fix the login redirect\n\nand keep ```code``` as it is';
    reports.set({ at: NOW - 120_000, source: 'claude', state: 'needs-input', reason: 'permission', detail: 'Bash' });
    const [node] = buildTree({ workspaces: views, stats: new Map(), tmuxAvailable: true, agentStates: model.states, agentLatest: (key) => model.latest(key), now: NOW }) as WorkspaceNode[];
    const row = node.children.find((child): child is SessionNode => child.kind === 'session')!;
    assert.equal(row.description, 'needs permission · Fix the login redirect');
    const tooltip = row.tooltip!.split('\n\n');
    assert.equal(tooltip[1], `State: needs input (permission: Bash) since 2 minutes ago (${localTime(NOW - 120_000)})`);
    assert.match(row.tooltip!, /Latest prompt:\n\n````text\nFix the login redirect\n\nand keep ```code``` as it is\n````/);
    assert.match(row.tooltip!, /Conversation `conv-1`/);
    assert.match(row.contextValue, /\bneedsInput\b/);
  });

  it('keeps since while the state stays, moves it with the state, and fires rows (not a state change) for a new prompt', () => {
    const { reports, model, changes, advance } = setup();
    reports.set({ at: NOW - 5000, source: 'claude', state: 'working', detail: 'Bash' });
    assert.equal(model.latest('tw-a')?.since, NOW - 5000);
    advance(10_000);
    reports.set({ at: NOW + 9000, source: 'claude', state: 'working', detail: 'Edit' });
    assert.equal(model.latest('tw-a')?.since, NOW - 5000, 'still working: the same spell');
    assert.equal(model.latest('tw-a')?.detail, 'Edit');
    reports.set({ at: NOW + 10_000, source: 'claude', state: 'needs-input', reason: 'question', detail: 'AskUserQuestion' });
    assert.deepEqual(changes.at(-1), { session: record, from: 'working', to: 'needs-input', reason: 'question', detail: 'AskUserQuestion', since: NOW + 10_000 });
    let rows = 0;
    model.onDidChangeRows(() => (rows += 1));
    const before = changes.length;
    reports.latestPrompt = 'a new prompt';
    reports.prompted.fire('tw-a');
    assert.equal(rows, 1);
    assert.equal(changes.length, before, 'a prompt alone is no state change');
    assert.equal(model.latest('tw-a')?.prompt, 'a new prompt');
  });

  it('turns working into stuck when time passes with nothing new, and back when output comes', async () => {
    const { reports, readings, model, advance } = setup();
    reports.set({ at: NOW, source: 'claude', state: 'working' });
    readings.set('tw-a', { working: false, lastOutputAt: NOW });
    advance(61_000);
    await model.sample();
    assert.equal(model.state('tw-a'), 'stuck');
    readings.set('tw-a', { working: true, lastOutputAt: NOW + 61_000 });
    await model.sample();
    assert.equal(model.state('tw-a'), 'working');
  });

  it('reports failed with the exit status, done for a clean exit, and nothing for a stop', () => {
    for (const [end, expected] of [
      [{ natural: true, exitCode: 3 }, { to: 'failed', detail: 'exit 3' }],
      [{ natural: true, exitCode: 0 }, { to: 'done', detail: undefined }],
    ] as const) {
      const { reports, lifecycle, changes } = setup();
      reports.set({ at: NOW, source: 'claude', state: 'working' });
      lifecycle.fire({ type: 'session-ended', session: record, ...end });
      assert.deepEqual({ to: changes.at(-1)?.to, detail: changes.at(-1)?.detail }, expected);
    }
    const { reports, lifecycle, changes } = setup();
    reports.set({ at: NOW, source: 'claude', state: 'working' });
    lifecycle.fire({ type: 'session-ended', session: record, natural: false });
    assert.equal(changes.at(-1)?.to, undefined);
  });
});
