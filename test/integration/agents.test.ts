import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ActivitySampler } from '../../src/core/agents/ActivitySampler';
import { AgentStatusMonitor, agentStatusDir } from '../../src/core/agents/AgentStatus';
import { writeReporter } from '../../src/core/agents/hooks';
import { MAX_PROMPT_BYTES } from '../../src/core/agents/PromptDelivery';
import { WorkspaceError } from '../../src/core/errors';
import { waitForEvent } from '../../src/core/events';
import type { LifecycleChange } from '../../src/core/lifecycle/RuntimeLifecycle';
import { RecordStore } from '../../src/core/store/RecordStore';
import { eventually } from '../helpers/poll';
import { PASTE_START, STAND_IN, count, typedAfterMarker } from '../helpers/standIn';
import { useWorld } from '../helpers/world';

describe('coding agents', () => {
  let standIn: string;
  const world = useWorld({
    branch: 'agents',
    setup: async ({ repo }) => {
      standIn = join(repo.root, 'stand-in.sh');
      await writeFile(standIn, STAND_IN);
    },
  });

  async function runtimeSessions(): Promise<string[]> {
    return (await world.liveNames()).filter((name) => !name.endsWith('-base') && name !== 'tw-watcher');
  }

  const receivedAfterMarker = (tmuxName: string, received: string) => typedAfterMarker(world.fixture, tmuxName, received);

  describe('first prompt', () => {
    it('pastes the prompt once the agent switches on bracketed paste, presses Enter, and never again after a reload', async () => {
      const ws = await world.readyWorkspace();
      const received = join(world.repo.root, 'received.txt');
      const session = await world.lifecycle.launchSession(ws.id, { kind: 'agent', label: 'stand-in', command: ['/bin/sh', standIn, received], prompt: 'Fix the login form\r\n\tthen run the tests\n' });
      assert.equal(session.prompt?.state, 'pending');
      assert.ok(!session.command.some((arg) => arg.includes('login form')), 'never on the command line');

      await eventually(() => world.lifecycle.session(session.key)?.prompt?.state === 'delivered', 10_000, 'prompt delivered');
      // Recorded `delivered` first, then the pipe stops and the files go: wait for the whole delivery.
      await world.lifecycle.agentInput.promptsSettled();
      const text = await eventually(async () => (existsSync(received) ? (await readFile(received, 'utf8')) || undefined : undefined), 5000, 'prompt received');
      assert.equal(text, `${PASTE_START}Fix the login form\n\tthen run the tests\x1b[201~\n`);
      assert.equal((await world.fixture.tmux('display-message', '-p', '-t', `=${session.tmuxName}:`, '#{pane_pipe}')).trim(), '0', 'the output pipe is off');
      assert.deepEqual(await readdir(join(world.harness.stateDirectory, 'prompts')), [], 'no prompt or output file is left');

      const fresh = await world.harness.reload();
      await fresh.agentInput.promptsSettled();
      const after = await receivedAfterMarker(session.tmuxName, received);
      assert.equal(count(after, PASTE_START), 1, 'the reloaded window pasted nothing');
      assert.equal(fresh.session(session.key)?.prompt?.state, 'delivered');
    });

    it('goes on after a reload while the agent is still starting, and delivers once', async () => {
      const ws = await world.readyWorkspace();
      const received = join(world.repo.root, 'received.txt');
      const go = join(world.repo.root, 'go');
      const session = await world.lifecycle.launchSession(ws.id, { kind: 'agent', label: 'slow', command: ['/bin/sh', standIn, received, go], prompt: 'hello agent' });

      const fresh = await world.harness.reload();
      assert.equal(fresh.session(session.key)?.prompt?.state, 'pending');
      await writeFile(go, '');
      await eventually(() => fresh.session(session.key)?.prompt?.state === 'delivered', 10_000, 'delivered by the reloaded window');
      const text = await receivedAfterMarker(session.tmuxName, received);
      assert.equal(count(text, `${PASTE_START}hello agent`), 1);
    });

    it('does not paste again a prompt a window was pasting when it went away, and says it may not have arrived', async () => {
      const ws = await world.readyWorkspace();
      const received = join(world.repo.root, 'received.txt');
      const go = join(world.repo.root, 'go');
      const session = await world.lifecycle.launchSession(ws.id, { kind: 'agent', label: 'cut-off', command: ['/bin/sh', standIn, received, go], prompt: 'only once' });
      world.lifecycle.dispose();
      // The window died right after recording `delivering` (before or during the paste).
      await new RecordStore(world.harness.memento).updateSession(session.key, session.createdAt, { prompt: { state: 'delivering', at: Date.now() - 60_000, attempt: 'dead-window' } });

      const fresh = await world.harness.lifecycle();
      const told = waitForEvent(fresh.onDidChange, (change: LifecycleChange) => change.type === 'prompt', 5000);
      await fresh.start();
      const change = await told;
      assert.ok(change.type === 'prompt' && /may or may not have arrived/.test(change.detail ?? ''));
      assert.equal(fresh.session(session.key)?.prompt?.state, 'unknown');

      await writeFile(go, '');
      await fresh.agentInput.promptsSettled();
      const text = await receivedAfterMarker(session.tmuxName, received);
      assert.equal(count(text, PASTE_START), 0, 'nothing was pasted');
      // Kept for Copy Prompt and Send Again, and nothing else.
      assert.deepEqual(await readdir(join(world.harness.stateDirectory, 'prompts')), [`${session.launchId}.prompt.kept`]);
      assert.equal(await fresh.agentInput.unsentPrompt(session.key), 'only once');
    });

    it('gives up when the agent never gets ready, and sends nothing', async () => {
      const ws = await world.readyWorkspace();
      world.lifecycle.dispose();
      const impatient = await world.harness.lifecycle({ promptWaitMs: 300 });
      const received = join(world.repo.root, 'received.txt');
      const go = join(world.repo.root, 'go');
      const session = await impatient.launchSession(ws.id, { kind: 'agent', label: 'stuck', command: ['/bin/sh', standIn, received, go], prompt: 'too late' });
      await eventually(() => impatient.session(session.key)?.prompt?.state === 'failed', 5000, 'prompt given up');
      // Plain words: no protocol jargon.
      assert.equal(impatient.session(session.key)!.prompt!.detail, 'stuck was not ready for input after 0 s, so the first prompt was not sent');
      await writeFile(go, '');
      const text = await receivedAfterMarker(session.tmuxName, received);
      assert.equal(count(text, PASTE_START), 0);
    });

    it('sends a prompt that was given up again once when asked, and keeps no copy once it is sent or its session ends', async () => {
      const ws = await world.readyWorkspace();
      world.lifecycle.dispose();
      const impatient = await world.harness.lifecycle({ promptWaitMs: 300 });
      const received = join(world.repo.root, 'received.txt');
      const go = join(world.repo.root, 'go');
      const prompts = join(world.harness.stateDirectory, 'prompts');
      const session = await impatient.launchSession(ws.id, { kind: 'agent', label: 'late', command: ['/bin/sh', standIn, received, go], prompt: 'second chance' });
      await eventually(() => impatient.session(session.key)?.prompt?.state === 'failed', 5000, 'prompt given up');
      assert.equal(await impatient.agentInput.unsentPrompt(session.key), 'second chance', 'kept for Copy Prompt');
      assert.equal((await stat(join(prompts, `${session.launchId}.prompt.kept`))).mode & 0o777, 0o600, 'kept privately');

      await writeFile(go, '');
      await receivedAfterMarker(session.tmuxName, received);
      const again = [impatient.agentInput.sendPromptAgain(session.key), impatient.agentInput.sendPromptAgain(session.key)];
      const outcomes = await Promise.allSettled(again);
      assert.equal(outcomes.filter((outcome) => outcome.status === 'fulfilled').length, 1, 'two clicks send it once');
      const refusal = outcomes.find((outcome) => outcome.status === 'rejected') as PromiseRejectedResult;
      assert.match((refusal.reason as Error).message, /no longer kept|being sent already/);
      assert.equal(impatient.session(session.key)?.prompt?.state, 'delivered');
      const text = await receivedAfterMarker(session.tmuxName, received);
      assert.equal(count(text, `${PASTE_START}second chance`), 1);
      assert.deepEqual(await readdir(prompts), [], 'nothing kept once sent');
      await assert.rejects(impatient.agentInput.sendPromptAgain(session.key), /no longer kept/);

      // Given up again, then the session ends: its copy goes with it.
      const other = await impatient.launchSession(ws.id, { kind: 'agent', label: 'later', command: ['/bin/sh', standIn, received, join(world.repo.root, 'never')], prompt: 'gone with it' });
      await eventually(() => impatient.session(other.key)?.prompt?.state === 'failed', 5000, 'second prompt given up');
      assert.equal(await impatient.agentInput.unsentPrompt(other.key), 'gone with it');
      await impatient.stopSession(other.key);
      await eventually(async () => (await readdir(prompts)).length === 0 || undefined, 5000, 'kept prompt removed with its session');
    });

    it('refuses a prompt over 64 KiB or with control characters before launching anything', async () => {
      const ws = await world.readyWorkspace();
      const before = await runtimeSessions();
      const tooLong = 'é'.repeat(MAX_PROMPT_BYTES / 2 + 1); // fewer characters than the limit, more bytes
      for (const [prompt, message] of [
        [tooLong, /at most 64 KiB/],
        ['make it \x1b[31mred', /control character \(U\+001B, line 1\)/],
        ['line one\nbell\x07', /U\+0007, line 2/],
      ] as const) {
        await assert.rejects(world.lifecycle.launchSession(ws.id, { kind: 'agent', command: ['/bin/sh', standIn, join(world.repo.root, 'never')], prompt }), (error: WorkspaceError) => {
          assert.equal(error.kind, 'refused');
          assert.match(error.message, message);
          return true;
        });
      }
      assert.deepEqual(await runtimeSessions(), before, 'no session was started');
      assert.deepEqual(new RecordStore(world.harness.memento).sessions(), []);
      assert.ok(!existsSync(join(world.harness.stateDirectory, 'prompts')) || (await readdir(join(world.harness.stateDirectory, 'prompts'))).length === 0);
    });
  });

  describe('exit status', () => {
    it('reports an agent that failed on its own with its exit code and last lines', async () => {
      const ws = await world.readyWorkspace();
      const session = await world.lifecycle.launchSession(ws.id, {
        kind: 'agent',
        label: 'failing',
        command: ['/bin/sh', '-c', 'echo "loading project"; echo "fatal: the model is unavailable"; read line; exit 3'],
      });
      const ended = waitForEvent(world.lifecycle.onDidChange, (change: LifecycleChange) => change.type === 'session-ended', 5000);
      // Typed before the script printed, the echoed "go" would come first in the pane.
      await world.fixture.waitForText(session.tmuxName, 'unavailable');
      await world.fixture.tmux('send-keys', '-t', `=${session.tmuxName}:`, 'go', 'Enter');
      const change = await ended;
      assert.ok(change.type === 'session-ended' && change.natural);
      assert.equal(change.exitCode, 3);
      assert.match(change.lastLines ?? '', /loading project\nfatal: the model is unavailable\ngo$/);
      assert.equal(world.lifecycle.session(session.key), undefined, 'its row leaves the tree');
    });

    it('keeps no lines of an agent that exits cleanly', async () => {
      const ws = await world.readyWorkspace();
      const session = await world.lifecycle.launchSession(ws.id, { kind: 'agent', command: ['/bin/sh', '-c', 'echo bye; read line; exit 0'] });
      const ended = waitForEvent(world.lifecycle.onDidChange, (change: LifecycleChange) => change.type === 'session-ended', 5000);
      await world.fixture.tmux('send-keys', '-t', `=${session.tmuxName}:`, 'go', 'Enter');
      const change = await ended;
      assert.ok(change.type === 'session-ended' && change.exitCode === 0 && change.lastLines === undefined);
    });
  });

  describe('hooks and resume', () => {
    /** An agent that reports its conversation through the real reporter, from inside its pane, then waits. */
    async function reportingAgent(argvFile: string, conversation: string | undefined) {
      const reporter = await writeReporter(world.harness.stateDirectory);
      const report = conversation ? `printf '{"session_id":"%s","hook_event_name":"SessionStart"}' "${conversation}" | /bin/sh '${reporter}' claude idle; ` : '';
      const script = join(world.repo.root, 'agent.sh');
      await writeFile(script, `printf '%s\\n' "$@" > '${argvFile}'\n${report}exec sleep 600\n`);
      return { command: ['/bin/sh', script], resumeArgv: ['/bin/sh', script, '--resume', '{id}'] };
    }

    it('records the conversation an agent reports, keeps it resumable after a reboot, and resumes it with its id', async () => {
      const ws = await world.readyWorkspace();
      world.lifecycle.dispose();
      const monitor = new AgentStatusMonitor(agentStatusDir(world.harness.stateDirectory));
      await monitor.start();
      const window = await world.harness.lifecycle({ agentReports: monitor.onDidReport });
      await window.start();
      const argvFile = join(world.repo.root, 'argv.txt');
      const agent = await reportingAgent(argvFile, 'conv-42');
      const session = await window.launchSession(ws.id, { kind: 'agent', agentId: 'claude', label: 'Claude Code', ...agent });
      await eventually(() => window.session(session.key)?.conversationId === 'conv-42', 5000, 'conversation id recorded');
      assert.equal(monitor.report(session.key)?.state, 'idle');
      monitor.dispose();

      // A reboot: the tmux server and everything on it are gone.
      window.dispose();
      await world.fixture.killServer();
      const rebooted = await world.harness.reload();
      const [view] = await rebooted.listWorkspaces();
      assert.deepEqual(view.sessions, []);
      assert.deepEqual(view.resumable?.map((row) => [row.label, row.conversationId]), [['Claude Code', 'conv-42']]);

      // The first run's argv must not pass for the resumed one's (a launch over the control connection returns sooner than the agent writes).
      await rm(argvFile, { force: true });
      const resumed = await rebooted.resumeAgent(session.key);
      assert.deepEqual(resumed.command, ['/bin/sh', agent.command[1], '--resume', 'conv-42']);
      const argv = await eventually(async () => (existsSync(argvFile) ? (await readFile(argvFile, 'utf8')) || undefined : undefined), 5000, 'resumed agent started');
      assert.equal(argv, '--resume\nconv-42\n');
      assert.equal(resumed.conversationId, 'conv-42', 'a resumed agent can be resumed again');
      assert.deepEqual((await rebooted.listWorkspaces())[0].resumable, []);
    });

    it('resumes once when asked twice at once: the second finds it gone, and the row goes only with the new session recorded', async () => {
      const ws = await world.readyWorkspace();
      const store = new RecordStore(world.harness.memento);
      const row = { v: 1, key: 'tw-old-agent', workspaceId: ws.id, label: 'agent', conversationId: 'conv-9', resumeArgv: ['/bin/sh', '-c', 'exec sleep 600', 'agent', '{id}'], startedAt: 1, stoppedAt: 2 };
      await store.putResumable(row);
      const outcomes = await Promise.allSettled([world.lifecycle.resumeAgent(row.key), world.lifecycle.resumeAgent(row.key)]);
      assert.equal(outcomes.filter((outcome) => outcome.status === 'fulfilled').length, 1, 'one resume launched');
      const refusal = outcomes.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
      assert.equal((refusal?.reason as WorkspaceError).kind, 'gone');
      assert.equal(store.sessionsOf(ws.id).filter((session) => session.conversationId === 'conv-9').length, 1);
      assert.equal(store.resumable(row.key), undefined);
    });

    it('offers no resume without a conversation id (the row says why), nor for an agent that exited on its own', async () => {
      const ws = await world.readyWorkspace();
      const silent = await world.lifecycle.launchSession(ws.id, { kind: 'agent', label: 'silent', ...(await reportingAgent(join(world.repo.root, 'a.txt'), undefined)) });
      const exiting = await world.lifecycle.launchSession(ws.id, {
        kind: 'agent',
        label: 'exiting',
        command: ['/bin/sh', '-c', 'read line; exit 0'],
        resumeArgv: ['/bin/sh', '-c', 'exit 0', '{id}'],
        conversationId: 'conv-7',
      });
      const ended = waitForEvent(world.lifecycle.onDidChange, (change: LifecycleChange) => change.type === 'session-ended' && change.session.key === exiting.key, 5000);
      await world.fixture.tmux('send-keys', '-t', `=${exiting.tmuxName}:`, 'bye', 'Enter');
      assert.ok((await ended).type === 'session-ended');
      world.lifecycle.dispose();
      await world.fixture.killServer();
      const rebooted = await world.harness.reload();
      const [view] = await rebooted.listWorkspaces();
      assert.deepEqual(view.resumable?.map((row) => [row.key, row.conversationId, row.notResumable]), [[silent.key, undefined, 'it never reported its conversation id (are its hooks installed? Install Agent Hooks)']]);
      await assert.rejects(rebooted.resumeAgent(silent.key), /silent cannot be resumed: it never reported/);
      assert.equal(rebooted.session(silent.key), undefined);
    });

    it('dismisses a resumable agent, and forgets it with its workspace', async () => {
      const ws = await world.readyWorkspace();
      const other = await world.readyWorkspace('other');
      const store = new RecordStore(world.harness.memento);
      const row = (key: string, workspaceId: string) => ({ v: 1, key, workspaceId, label: 'Codex', conversationId: 'c-1', resumeArgv: ['/usr/bin/codex', 'resume', '{id}'], startedAt: 1, stoppedAt: 2 });
      await store.putResumable(row('tw-a', ws.id));
      await store.putResumable(row('tw-b', other.id));
      await world.lifecycle.dismissResumable('tw-a');
      assert.equal(world.lifecycle.resumable('tw-a'), undefined);
      await world.lifecycle.deleteWorkspace(other.id);
      assert.deepEqual(store.resumables(), []);
    });
  });

  describe('activity fallback', () => {
    it('tells a pane that keeps printing or shows a spinner from one that went quiet', async () => {
      await world.fixture.tmux('new-session', '-d', '-s', 'busy', '--', '/bin/sh', '-c', 'while :; do echo tick; sleep 0.2; done');
      await world.fixture.tmux('new-session', '-d', '-s', 'quiet', '--', '/bin/sh', '-c', 'echo once; exec sleep 600');
      await world.fixture.tmux('new-session', '-d', '-s', 'spinner', '--', '/bin/sh', '-c', "printf '\\033]2;\\342\\240\\213 Thinking\\007'; exec sleep 600");
      const sampler = new ActivitySampler(world.fixture.client(), 500);
      const names = new Set(['busy', 'quiet', 'spinner', 'not-running']);
      const readings = await eventually(async () => {
        const sampled = await sampler.sample(names);
        return sampled.get('quiet')?.working === false ? sampled : undefined;
      }, 6000, 'the quiet pane reads idle');
      assert.equal(readings.get('busy')?.working, true);
      assert.equal(readings.get('spinner')?.working, true, 'a spinner in the title counts as working');
      assert.equal(readings.has('not-running'), false);
    });
  });
});
