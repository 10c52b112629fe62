// Agent notifications: their words per state, when they stay quiet (focused
// terminal here or in another window, muted workspace, the setting), once per
// state change, several at once told together, and once across windows: the
// notifiers share a real state folder, real lock files and real focus files,
// as windows do. The clock is a scheduler the test runs by hand.
import * as assert from 'node:assert/strict';
import { readdir, utimes } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { execaNode } from 'execa';
import type { Disposable } from '../../src/core/events';
import { FileLock, type TransitionLock } from '../../src/core/lifecycle/TransitionLock';
import { FocusBoard } from '../../src/core/notify/FocusBoard';
import { MuteStore } from '../../src/core/notify/MuteStore';
import { NotificationClaims } from '../../src/core/notify/NotificationClaims';
import type { WorkspaceView } from '../../src/core/lifecycle/RuntimeLifecycle';
import type { SessionRecord } from '../../src/core/store/records';
import { AgentNotifier, COALESCE_MS, DEFER_MS, MUTE, SHOW, type Scheduler } from '../../src/ui/agents/AgentNotifier';
import type { NotificationMode } from '../../src/ui/agents/notificationText';
import type { AgentStateChange } from '../../src/ui/tree/AgentStateModel';
import { buildTree, type WorkspaceNode } from '../../src/ui/tree/nodes';
import { eventually } from '../helpers/poll';
import { RecordingLog, ScriptedHost } from '../helpers/scriptedHost';
import { useTempDir } from '../helpers/tempDir';
import { readyWorkspace } from '../helpers/agentFixtures';

const NOW = Date.UTC(2026, 11, 2, 18, 0, 0);

function agent(key: string, overrides: Partial<SessionRecord> = {}): SessionRecord {
  return { v: 1, key, workspaceId: 'ws', kind: 'agent', agentId: 'claude', label: 'Claude Code', tmuxName: key, launchId: `launch-${key}`, command: ['/usr/bin/claude'], createdAt: NOW - 60_000, ...overrides };
}

const workspaceView: WorkspaceView = {
  record: readyWorkspace(NOW),
  folder: true,
  base: { name: 'tw-ws-base', alive: true, attachedClients: 0 },
  sessions: [],
};

/** The tasks the notifier asked to run later, run when the test says. */
class HandScheduler implements Scheduler {
  readonly waiting: { ms: number; task: () => void; cancelled: boolean }[] = [];
  after(ms: number, task: () => void): Disposable {
    const entry = { ms, task, cancelled: false };
    this.waiting.push(entry);
    return { dispose: () => (entry.cancelled = true) };
  }
  get delays(): number[] {
    return this.waiting.filter((entry) => !entry.cancelled).map((entry) => entry.ms);
  }
}

interface WindowOptions {
  mode?: NotificationMode;
  /** The tmux session whose terminal this window has in front of the user. */
  focusedTerminal?: string;
  /** Whether this window has the focus (default: yes, unless another window's terminal is what the test looks at). */
  windowFocused?: boolean;
  attachFails?: Error;
  lock?: TransitionLock;
  /** What the host answers picks with (a label). */
  answers?: string[];
  /** The agents whose hooks report the state they are in (default: all). */
  reported?: (sessionKey: string) => boolean;
}

describe('agent notifications', () => {
  const tempDir = useTempDir('tw-notify-');
  const disposables: { dispose(): unknown }[] = [];
  afterEach(async () => {
    for (const disposable of disposables.splice(0)) await disposable.dispose();
  });

  /** One window: its notifier over the shared state folder, with its own lock, focus file and mute reader. */
  async function window(options: WindowOptions = {}) {
    const stateDir = tempDir();
    const host = new ScriptedHost(options.answers);
    const log = new RecordingLog();
    const attached: string[] = [];
    const scheduler = new HandScheduler();
    const board = new FocusBoard(join(stateDir, 'notifications', 'focus'), { log });
    const focused = options.windowFocused ?? true;
    await board.publish({ focused, activeAt: Date.now(), ...(options.focusedTerminal ? { terminal: options.focusedTerminal } : {}) });
    const mutes = new MuteStore(join(stateDir, 'notifications', 'muted'), { log });
    await mutes.start();
    const lock = options.lock ?? new FileLock(join(stateDir, 'locks'), { log });
    const notifier = new AgentNotifier({
      host,
      log,
      mode: () => options.mode ?? 'all',
      terminalFocused: (tmuxName) => focused && options.focusedTerminal === tmuxName,
      leads: () => board.leads(),
      otherWindows: () => board.others(),
      claims: new NotificationClaims(join(stateDir, 'notifications', 'claims'), lock, { log }),
      muted: (id) => mutes.isMuted(id),
      mute: (id) => mutes.setMuted(id, true),
      attach: async (key) => {
        attached.push(key);
        if (options.attachFails) throw options.attachFails;
      },
      promptAction: async () => undefined,
      branchOf: (id) => (id === 'ws' ? 'feature/login' : `feature/${id}`),
      reported: options.reported,
      scheduler,
    });
    disposables.push(notifier, mutes, board);
    return { host, log, attached, scheduler, notifier, mutes, board };
  }

  type Window = Awaited<ReturnType<typeof window>>;
  /**
   * Each window's coalescing timer ends: they tell what waits, a window not in
   * front after its moment's wait, which the test lets pass as soon as it is asked for.
   */
  async function tell(...windows: Window[]): Promise<void> {
    let done = false;
    const all = Promise.all(windows.map((each) => each.notifier.flush())).finally(() => (done = true));
    while (!done) {
      await new Promise((resolve) => setImmediate(resolve));
      for (const each of windows) for (const entry of each.scheduler.waiting.splice(0)) if (!entry.cancelled && entry.ms === DEFER_MS) entry.task();
    }
    await all;
  }

  const change = (session: SessionRecord, to: AgentStateChange['to'], extra: Partial<AgentStateChange> = {}): AgentStateChange[] => [
    { session, from: 'working', to, since: NOW, ...extra },
  ];
  const messages = (host: ScriptedHost) => host.shown.map((shown) => shown.message);

  it('says which agent in which workspace needs what: permission with the command, a question, a finished turn, a failure with its exit status', async () => {
    const { host, notifier } = await window();
    const texts: string[] = [];
    const cases: [AgentStateChange[], string][] = [
      [change(agent('tw-a'), 'needs-input', { reason: 'permission', detail: 'Bash: rm -rf build\n(in ./app)' }), 'Claude Code in "feature/login" needs your permission: Bash: rm -rf build (in ./app).'],
      [change(agent('tw-b'), 'needs-input', { reason: 'question' }), 'Claude Code in "feature/login" asks a question.'],
      [change(agent('tw-c'), 'needs-input'), 'Claude Code in "feature/login" needs your input.'],
      // Claude Code's Notification hook says it in a sentence: the notice names the tool, not the sentence.
      [change(agent('tw-g'), 'needs-input', { reason: 'permission', detail: 'Claude needs your permission to use Bash' }), 'Claude Code in "feature/login" needs your permission: Bash.'],
      [change(agent('tw-d'), 'idle'), 'Claude Code in "feature/login" finished.'],
    ];
    for (const [changes, text] of cases) {
      notifier.onStates(changes);
      await notifier.flush();
      texts.push(text);
    }
    notifier.onLifecycle({ type: 'session-ended', session: agent('tw-e'), natural: true, exitCode: 0 });
    await notifier.flush();
    texts.push('Claude Code in "feature/login" finished.');
    notifier.onLifecycle({ type: 'session-ended', session: agent('tw-f'), natural: true, exitCode: 3 });
    texts.push('Claude Code in "feature/login" failed (exit 3).');
    await eventually(() => host.shown.length === 7, 2000, 'seven notifications');
    assert.deepEqual(messages(host), texts);
    assert.deepEqual(host.shown[0].actions, [SHOW, MUTE]);
    assert.deepEqual(host.shown[5].actions, [MUTE], 'an ended agent has no terminal to show');
    assert.equal(host.shown[6].kind, 'error');
  });

  it('tells an exit once, with its status, whether the state model\'s done or failed comes before the lifecycle\'s exit or after', async () => {
    const { host, notifier } = await window();
    const finished = agent('tw-a');
    notifier.onStates([{ session: finished, from: 'working', to: 'done', since: NOW }]);
    notifier.onLifecycle({ type: 'session-ended', session: finished, natural: true, exitCode: 0 });
    await notifier.flush();
    const finishedLater = agent('tw-b', { label: 'Codex' });
    notifier.onLifecycle({ type: 'session-ended', session: finishedLater, natural: true, exitCode: 0 });
    notifier.onStates([{ session: finishedLater, from: 'working', to: 'done', since: NOW }]);
    await notifier.flush();
    const failing = agent('tw-c');
    notifier.onLifecycle({ type: 'session-ended', session: failing, natural: true, exitCode: 3 });
    notifier.onStates([{ session: failing, from: 'working', to: 'failed', detail: 'exit 3', since: NOW }]);
    await notifier.flush();
    await eventually(() => host.shown.length === 3, 2000, 'three notifications');
    await notifier.flush();
    assert.deepEqual(messages(host), ['Claude Code in "feature/login" finished.', 'Codex in "feature/login" finished.', 'Claude Code in "feature/login" failed (exit 3).']);
  });

  it('Show focuses or attaches the agent\'s terminal; a Show that fails is reported, not left unhandled', async () => {
    const { host, notifier, attached } = await window({ attachFails: new Error('tmux attach: protocol version mismatch') });
    host.clickAction = SHOW;
    notifier.onStates(change(agent('tw-a'), 'needs-input'));
    await notifier.flush();
    await eventually(() => host.shown.length === 2, 1000, 'failure reported');
    assert.deepEqual(attached, ['tw-a']);
    assert.deepEqual(host.shown[1], { kind: 'error', message: 'Show: tmux attach: protocol version mismatch', actions: ['Show Log'] });
  });

  it('tells a state change at most once, and a new spell of it again', async () => {
    const { host, notifier } = await window();
    const session = agent('tw-a');
    notifier.onStates(change(session, 'needs-input'));
    notifier.onStates([{ session, from: 'needs-input', to: 'needs-input', since: NOW }]);
    await notifier.flush();
    notifier.onStates(change(session, 'needs-input'));
    await notifier.flush();
    assert.equal(host.shown.length, 1);
    notifier.onStates([{ session, from: 'needs-input', to: 'working', since: NOW + 5_000 }]);
    notifier.onStates(change(session, 'needs-input', { since: NOW + 60_000 }));
    await notifier.flush();
    assert.equal(host.shown.length, 2, 'a new spell of needing input is told again');
  });

  it('stays quiet while the agent\'s terminal is in front of the user, and for what the setting leaves out', async () => {
    const focused = await window({ focusedTerminal: 'tw-a' });
    focused.notifier.onStates(change(agent('tw-a'), 'needs-input'));
    focused.notifier.onLifecycle({ type: 'session-ended', session: agent('tw-a'), natural: true, exitCode: 0 });
    await tell(focused);
    assert.deepEqual(focused.host.shown, []);

    const needsInputOnly = await window({ mode: 'needsInput' });
    needsInputOnly.notifier.onStates(change(agent('tw-b'), 'idle'));
    needsInputOnly.notifier.onStates(change(agent('tw-c'), 'needs-input'));
    await tell(needsInputOnly);
    assert.deepEqual(messages(needsInputOnly.host), ['Claude Code in "feature/login" needs your input.']);

    const off = await window({ mode: 'off' });
    off.notifier.onStates(change(agent('tw-d'), 'needs-input'));
    off.notifier.onLifecycle({ type: 'session-ended', session: agent('tw-d'), natural: true, exitCode: 3 });
    await tell(off);
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(off.host.shown, []);
  });

  it('tells a finished turn only on the word of its hooks, not from a pause in its output', async () => {
    const { host, notifier } = await window({ reported: (key) => key === 'tw-hooked' });
    notifier.onStates([...change(agent('tw-quiet'), 'idle'), ...change(agent('tw-hooked', { label: 'Codex' }), 'idle')]);
    await notifier.flush();
    assert.deepEqual(messages(host), ['Codex in "feature/login" finished.']);
  });

  it('drops a notice the agent left behind before it was told (the user answered it meanwhile)', async () => {
    const { host, notifier } = await window();
    const session = agent('tw-a');
    notifier.onStates(change(session, 'needs-input'));
    notifier.onStates([{ session, from: 'needs-input', to: 'working', since: NOW + 300 }]);
    await notifier.flush();
    assert.deepEqual(host.shown, []);
  });

  it('tells several agents that fire together as one notification, whose Show picks the agent', async () => {
    const { host, notifier, scheduler, attached } = await window({ windowFocused: true, answers: ['Codex in "feature/login" needs your input'] });
    notifier.onStates([...change(agent('tw-a', { label: 'Claude Code' }), 'needs-input', { reason: 'permission', detail: 'Bash: npm test' }), ...change(agent('tw-b', { label: 'Codex' }), 'needs-input')]);
    notifier.onStates(change(agent('tw-c', { label: 'Gemini' }), 'needs-input', { reason: 'question' }));
    assert.deepEqual(scheduler.delays, [COALESCE_MS], 'one timer for the burst, short in the focused window');
    host.clickAction = SHOW;
    scheduler.waiting[0].task();
    await eventually(() => attached.length === 1, 2000, 'Show picked an agent');
    assert.deepEqual(messages(host), ['3 agents need your input in "feature/login": Claude Code, Codex, Gemini.']);
    assert.deepEqual(host.shown[0].actions, [SHOW, MUTE], 'all in one workspace: it can be muted from here');
    assert.deepEqual(attached, ['tw-b']);
  });

  it('names each agent with its workspace when several workspaces fire together, and Mute from it mutes one workspace only when they share it', async () => {
    const { host, notifier, mutes } = await window({ windowFocused: true });
    notifier.onStates([...change(agent('tw-a'), 'needs-input'), ...change(agent('tw-b', { label: 'Codex', workspaceId: 'ws2' }), 'needs-input')]);
    await notifier.flush();
    assert.deepEqual(messages(host), ['2 agents need your input: Claude Code in "feature/login", Codex in "feature/ws2".']);
    assert.deepEqual(host.shown[0].actions, [SHOW], 'two workspaces: no one workspace to mute');

    host.clickAction = MUTE;
    notifier.onStates([{ session: agent('tw-c'), from: 'working', to: 'idle', since: NOW + 1 }, { session: agent('tw-d', { label: 'Codex' }), from: 'working', to: 'idle', since: NOW + 1 }]);
    await notifier.flush();
    await eventually(() => mutes.isMuted('ws'), 2000, 'Mute from the grouped notification mutes its workspace');
    assert.equal(mutes.isMuted('ws2'), false);
  });

  it('a window not in front of the user lets the one in front tell first: it claims only after a moment', async () => {
    const behind = await window({ windowFocused: false });
    const inFront = await window();
    behind.notifier.onStates(change(agent('tw-a'), 'needs-input'));
    inFront.notifier.onStates(change(agent('tw-a'), 'needs-input'));
    const behindTold = behind.notifier.flush();
    await tell(inFront);
    await eventually(() => behind.scheduler.delays.includes(DEFER_MS), 2000, 'the window behind waits its turn');
    behind.scheduler.waiting.find((entry) => entry.ms === DEFER_MS)!.task();
    await behindTold;
    assert.deepEqual(messages(inFront.host), ['Claude Code in "feature/login" needs your input.']);
    assert.deepEqual(behind.host.shown, []);

    // A window alone but not focused waits too; what the agent left meanwhile is not told.
    const alone = await window({ windowFocused: false });
    inFront.notifier.dispose();
    await inFront.board.dispose();
    await behind.board.dispose();
    alone.notifier.onStates(change(agent('tw-b'), 'needs-input', { since: NOW + 10_000 }));
    const aloneTold = alone.notifier.flush();
    await eventually(() => alone.scheduler.delays.includes(DEFER_MS), 2000, 'waiting its turn');
    alone.notifier.onStates([{ session: agent('tw-b'), from: 'needs-input', to: 'working', since: NOW + 10_500 }]);
    alone.scheduler.waiting.find((entry) => entry.ms === DEFER_MS)!.task();
    await aloneTold;
    assert.deepEqual(alone.host.shown, []);
  });

  it('Mute This Workspace silences its agents in every window until Unmute; the row says it is muted', async () => {
    const first = await window();
    const second = await window();
    first.host.clickAction = MUTE;
    first.notifier.onStates(change(agent('tw-a'), 'needs-input'));
    await tell(first);
    await eventually(() => second.mutes.isMuted('ws'), 2000, 'the other window sees the mute');
    second.notifier.onStates(change(agent('tw-b'), 'needs-input'));
    second.notifier.onLifecycle({ type: 'session-ended', session: agent('tw-b'), natural: true, exitCode: 3 });
    await tell(second);
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(second.host.shown, [], 'muted in the other window too');

    const row = (muted: ReadonlySet<string>) => buildTree({ workspaces: [workspaceView], stats: new Map(), tmuxAvailable: true, muted, now: NOW })[0] as WorkspaceNode;
    assert.match(row(second.mutes.workspaces).contextValue, /\+muted\b/);
    assert.match(row(second.mutes.workspaces).tooltip ?? '', /Notifications muted/);

    await second.mutes.setMuted('ws', false);
    await eventually(() => !first.mutes.isMuted('ws'), 2000, 'unmuted everywhere');
    first.host.clickAction = undefined;
    first.notifier.onStates(change(agent('tw-c'), 'needs-input'));
    await tell(first);
    assert.equal(first.host.shown.at(-1)?.message, 'Claude Code in "feature/login" needs your input.');
    assert.doesNotMatch(row(first.mutes.workspaces).contextValue, /muted/);
  });

  describe('across windows', () => {
    it('three windows see the same change: exactly one tells it', async () => {
      const windows = [await window(), await window(), await window()];
      for (const each of windows) each.notifier.onStates(change(agent('tw-a'), 'needs-input', { reason: 'question' }));
      for (const each of windows) each.notifier.onLifecycle({ type: 'session-ended', session: agent('tw-b'), natural: true, exitCode: 3 });
      await tell(...windows);
      await eventually(() => windows.flatMap((each) => each.host.shown).length >= 2, 2000, 'told');
      await new Promise((resolve) => setTimeout(resolve, 50));
      const shown = windows.flatMap((each) => messages(each.host)).sort();
      assert.deepEqual(shown, ['Claude Code in "feature/login" asks a question.', 'Claude Code in "feature/login" failed (exit 3).']);
    });

    it('windows that date an activity change a little apart still tell it once', async () => {
      const windows = [await window(), await window()];
      windows[0].notifier.onStates(change(agent('tw-a'), 'idle', { since: NOW }));
      windows[1].notifier.onStates(change(agent('tw-a'), 'idle', { since: NOW + 2_000 }));
      await tell(...windows);
      assert.equal(windows.flatMap((each) => each.host.shown).length, 1);
    });

    it('nobody tells it while another window has that agent\'s terminal in front of the user', async () => {
      const looking = await window({ focusedTerminal: 'tw-a' });
      const others = [await window(), await window()];
      for (const each of [...others, looking]) each.notifier.onStates(change(agent('tw-a'), 'needs-input'));
      await tell(...others, looking);
      assert.deepEqual([...others, looking].flatMap((each) => each.host.shown), []);
    });

    it('prunes the claims of sessions that changed nothing for a week, keeping the others', async () => {
      const dir = join(tempDir(), 'claims');
      const claims = new NotificationClaims(dir, new FileLock(join(tempDir(), 'locks')));
      assert.equal(await claims.claim('tw-old', 'idle', NOW), true);
      assert.equal(await claims.claim('tw-new', 'idle', NOW), true);
      const weekAgo = new Date(Date.now() - 8 * 24 * 60 * 60_000);
      await utimes(join(dir, 'tw-old.json'), weekAgo, weekAgo);
      await claims.prune(7 * 24 * 60 * 60_000);
      assert.deepEqual((await readdir(dir)).sort(), ['tw-new.json']);
      assert.equal(await claims.claim('tw-new', 'idle', NOW), false, 'the kept claim still holds');
    });

    it('a window whose claim cannot be written tells it anyway, and logs why', async () => {
      const broken: TransitionLock = {
        crossProcess: true,
        run: async () => {
          throw new Error('EACCES: permission denied, mkdir locks');
        },
        tryRun: async () => undefined,
        isBusy: () => false,
      };
      const { host, log, notifier } = await window({ lock: broken });
      notifier.onStates(change(agent('tw-a'), 'needs-input'));
      await notifier.flush();
      assert.deepEqual(messages(host), ['Claude Code in "feature/login" needs your input.']);
      assert.ok(log.shown().some((line) => line.level === 'warn' && line.message.includes('EACCES')), JSON.stringify(log.lines));
    });
  });
});

describe('agent notifications across window processes', () => {
  const tempDir = useTempDir('tw-notify-windows-');

  it('three window processes see the same change: exactly one of them tells it', async function () {
    this.timeout(30_000);
    const script = resolve(__dirname, '..', 'helpers', 'notifyWindow.child.js');
    const children = [1, 2, 3].map(() => execaNode(script, [tempDir()], { ipc: true, reject: false }));
    const ready = children.map((child) => new Promise<void>((resolveReady) => child.on('message', (message: { ready?: boolean }) => message.ready && resolveReady())));
    const answers = children.map((child) => new Promise<{ shown: string[]; problems: string[] }>((resolveAnswer) => child.on('message', (message: { shown?: string[]; problems: string[] }) => message.shown && resolveAnswer(message as never))));
    await Promise.all(ready);
    const session = agent('tw-a');
    for (const child of children) child.send({ go: [{ session, from: 'working', to: 'needs-input', reason: 'question', since: NOW }] });
    const results = await Promise.all(answers);
    await Promise.all(children);
    assert.deepEqual(results.flatMap((result) => result.problems), []);
    assert.deepEqual(results.flatMap((result) => result.shown), ['Claude Code in "feature/login" asks a question.']);
  });
});
