import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile, realpath, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { waitForEvent } from '../../src/core/events';
import { FileLock } from '../../src/core/lifecycle/TransitionLock';
import type { LifecycleChange, RuntimeLifecycle } from '../../src/core/lifecycle/RuntimeLifecycle';
import { eventually } from '../helpers/poll';
import { useWorld } from '../helpers/world';

/**
 * Nothing lost to a reboot: sessions' scrollback is saved (while they run,
 * on stop, at their end), shown again, and printed back by terminals that
 * Restore Sessions brings back after the tmux server went away, in one window only.
 */
describe('comeback after a reboot', () => {
  const world = useWorld({ branch: 'comeback', overrides: { scrollbackSaveMs: 0 } });

  const pane = (name: string) => `=${name}:`;
  const screen = (name: string) => world.fixture.tmux('capture-pane', '-p', '-J', '-S', '-', '-t', pane(name));
  /** Types `command` into a session and waits until its output (`shows`) is on the screen. */
  async function type(name: string, command: string, shows: string): Promise<void> {
    await world.fixture.tmux('send-keys', '-t', pane(name), command, 'Enter');
    await eventually(async () => (await screen(name)).split('\n').some((line) => line.trim().endsWith(shows)), 5000, `${shows} printed in ${name}`).catch(async (error: unknown) => {
      throw new Error(`${String(error)}; the screen:\n${await screen(name)}`);
    });
  }
  /** Prints `text` in a session with a command line that does not itself contain it. */
  const print = (name: string, text: string) => type(name, `printf '%s-%s\\n' ${text.split('-')[0]} ${text.split('-').slice(1).join('-')}`, text);

  /** A stand-in agent that writes its argv to a file, then waits. */
  async function standInAgent(argvFile: string): Promise<{ command: string[]; resumeArgv: string[] }> {
    const script = join(world.repo.root, 'agent.sh');
    await writeFile(script, `printf '%s\\n' "$@" > '${argvFile}'\nprintf 'agent-history\\n'\nexec sleep 600\n`);
    return { command: ['/bin/sh', script], resumeArgv: ['/bin/sh', script, '--resume', '{id}'] };
  }

  /** A window: a lifecycle over the shared records, with the cross-window lock every window shares. */
  async function window(): Promise<RuntimeLifecycle> {
    const lifecycle = await world.harness.lifecycle({ lock: new FileLock(join(world.harness.stateDirectory, 'locks')), scrollbackSaveMs: 0 });
    await lifecycle.start();
    return lifecycle;
  }

  it('restores base terminals and shells at their folders with their scrollback, resumes the agent, and a second window restores nothing twice', async () => {
    const one = await world.readyWorkspace('one');
    const two = await world.readyWorkspace('two');
    const argvFile = join(world.repo.root, 'argv.txt');
    const agent = await standInAgent(argvFile);
    const shell = await world.lifecycle.launchSession(one.id, { kind: 'shell' });
    const claude = await world.lifecycle.launchSession(two.id, { kind: 'agent', agentId: 'claude', label: 'Claude Code', ...agent, conversationId: 'conv-77' });
    const silent = await world.lifecycle.launchSession(two.id, { kind: 'agent', label: 'silent', command: ['/bin/sh', '-c', 'exec sleep 600'] });
    await print(one.baseSession, 'base-one-said');
    await print(two.baseSession, 'base-two-said');
    await print(shell.tmuxName, 'shell-one-said');
    await eventually(async () => (await screen(claude.tmuxName)).includes('agent-history'), 5000, 'agent printed');
    assert.equal(await world.lifecycle.comeback.saveChanged(), 5, 'two bases, the shell and two agents saved');

    // A reboot: the tmux server and everything on it are gone.
    world.lifecycle.dispose();
    await world.fixture.killServer();
    await rm(argvFile, { force: true });
    const first = await window();
    const second = await window();
    const plan = await first.comeback.plan();
    assert.equal(plan.serverGone, true);
    assert.deepEqual(plan.bases.map((record) => record.id).sort(), [one.id, two.id].sort());
    assert.deepEqual(plan.stopped.map((row) => [row.label, row.kind]).sort(), [['Claude Code', 'agent'], ['shell', 'shell'], ['silent', 'agent']]);

    const [a, b] = await Promise.all([first.comeback.restore(), second.comeback.restore()]);
    const done = a.busy ? b : a;
    const other = a.busy ? a : b;
    assert.deepEqual(done.bases.map((record) => record.id).sort(), [one.id, two.id].sort());
    assert.deepEqual(done.sessions.map((session) => session.label).sort(), ['Claude Code', 'shell']);
    assert.deepEqual(done.notResumable.map((row) => [row.record.label, row.why]), [['silent', 'it never reported its conversation id (are its hooks installed? Install Agent Hooks)']]);
    assert.deepEqual(done.failures, []);
    assert.deepEqual([other.bases, other.sessions], [[], []], 'the other window restored nothing');
    const later = await second.comeback.restore();
    assert.deepEqual([later.busy, later.bases, later.sessions], [false, [], []], 'a window that comes later finds nothing left to restore');

    const names = await world.liveNames();
    assert.equal(names.filter((name) => name.includes(`${two.id}-claude-code`)).length, 1, 'the agent runs once');
    const restoredShell = done.sessions.find((session) => session.kind === 'shell')!;
    for (const [name, folder, said] of [[one.baseSession, one.worktreePath, 'base-one-said'], [two.baseSession, two.worktreePath, 'base-two-said'], [restoredShell.tmuxName, one.worktreePath, 'shell-one-said']]) {
      const path = (await world.fixture.tmux('display-message', '-p', '-t', pane(name), '#{pane_current_path}')).trim();
      assert.equal(await realpath(path), await realpath(folder), `${name} runs in its folder`);
      const text = await eventually(async () => ((await screen(name)).includes('── restored from') ? screen(name) : undefined), 5000, `${name} printed its old output`);
      assert.ok(text.indexOf(said) < text.indexOf('── restored from'), `${name} shows ${said} above the marker line:\n${text}`);
    }
    const argv = await eventually(async () => (existsSync(argvFile) ? (await readFile(argvFile, 'utf8')) || undefined : undefined), 5000, 'resumed agent started');
    assert.equal(argv, '--resume\nconv-77\n');
    const rows = first.session(silent.key) ? [] : (await first.listWorkspaces()).flatMap((view) => view.resumable ?? []);
    assert.deepEqual(rows.map((row) => [row.label, row.notResumable !== undefined]), [['silent', true]], 'only the agent that cannot resume is left, saying why');
  });

  it('saves a live session periodically only when its output changed', async () => {
    const ws = await world.readyWorkspace();
    const shell = await world.lifecycle.launchSession(ws.id, { kind: 'shell' });
    await print(shell.tmuxName, 'first-line');
    await print(ws.baseSession, 'base-line');
    assert.equal(await world.lifecycle.comeback.saveChanged(), 2);
    assert.equal(await world.lifecycle.comeback.saveChanged(), 0, 'nothing printed, nothing captured');
    await print(shell.tmuxName, 'second-line');
    assert.equal(await world.lifecycle.comeback.saveChanged(), 1, 'only the shell printed');
    const saved = await world.lifecycle.comeback.previousOutput(shell.tmuxName);
    assert.ok(saved?.text.includes('first-line') && saved.text.includes('second-line'), saved?.text);
    await print(shell.tmuxName, 'third-line');
    await world.lifecycle.comeback.flush(2000);
    assert.match((await world.lifecycle.comeback.previousOutput(shell.tmuxName))?.text ?? '', /third-line/, 'the save at window close');
    const file = join(world.harness.stateDirectory, 'scrollback', `${shell.tmuxName}.txt`);
    assert.equal((await stat(file)).mode & 0o777, 0o600, 'private');
  });

  it('saves on its own timer while a session runs: what a live shell prints reaches its file without anyone asking', async () => {
    // A window whose periodic save runs every 100 ms (a minute in the product); the harness disposes it.
    const periodic = await world.harness.lifecycle({ scrollbackSaveMs: 100 });
    await periodic.start();
    const ws = await world.readyWorkspace();
    const shell = await periodic.launchSession(ws.id, { kind: 'shell' });
    await print(shell.tmuxName, 'timer-saved');
    const saved = await eventually(async () => (await periodic.comeback.previousOutput(shell.tmuxName))?.text.match(/timer-saved/)?.[0], 5000, 'the periodic save wrote it');
    assert.equal(saved, 'timer-saved');
  });

  it('saves a session before stopping it, and at its natural end; deleting the workspace removes the files', async () => {
    const ws = await world.readyWorkspace();
    const stopped = await world.lifecycle.launchSession(ws.id, { kind: 'agent', label: 'stopped', command: ['/bin/sh', '-c', 'printf "said-before-stop\\n"; exec sleep 600'] });
    await eventually(async () => (await screen(stopped.tmuxName)).includes('said-before-stop'), 5000, 'agent printed');
    await world.lifecycle.stopSession(stopped.key);
    assert.match((await world.lifecycle.comeback.previousOutput(stopped.tmuxName))?.text ?? '', /said-before-stop/);

    const ending = await world.lifecycle.launchSession(ws.id, { kind: 'agent', label: 'ending', command: ['/bin/sh', '-c', 'read line; printf "said-at-the-end\\n"'] });
    const ended = waitForEvent(world.lifecycle.onDidChange, (change: LifecycleChange) => change.type === 'session-ended' && change.session.key === ending.key, 5000);
    await world.fixture.tmux('send-keys', '-t', pane(ending.tmuxName), 'go', 'Enter');
    await ended;
    const atEnd = await eventually(async () => (await world.lifecycle.comeback.previousOutput(ending.tmuxName))?.text, 5000, 'history saved at the end');
    assert.match(atEnd, /said-at-the-end/);
    assert.deepEqual((await world.lifecycle.comeback.outputsOf(ws.id)).map((saved) => saved.label).sort(), ['ending', 'stopped']);

    await world.lifecycle.deleteWorkspace(ws.id, { force: true });
    assert.deepEqual(await world.lifecycle.comeback.outputsOf(ws.id), []);
    assert.equal(await world.lifecycle.comeback.previousOutput(stopped.tmuxName), undefined);
  });

  it('keeps a shell as restorable when the server dies, and dismissing it removes its saved output; a base started on attach prints its own', async () => {
    const ws = await world.readyWorkspace();
    const shell = await world.lifecycle.launchSession(ws.id, { kind: 'shell' });
    await print(shell.tmuxName, 'shell-said');
    await print(ws.baseSession, 'base-said');
    await world.lifecycle.comeback.saveChanged();
    world.lifecycle.dispose();
    await world.fixture.killServer();
    const rebooted = await world.harness.reload();
    const [view] = await rebooted.listWorkspaces();
    assert.deepEqual(view.resumable?.map((row) => [row.key, row.kind]), [[shell.key, 'shell']]);
    assert.match((await rebooted.comeback.previousOutput(shell.key))?.text ?? '', /shell-said/);
    await rebooted.dismissResumable(shell.key);
    assert.equal(await rebooted.comeback.previousOutput(shell.key), undefined);
    assert.deepEqual((await rebooted.comeback.plan()).stopped, []);

    await rebooted.attachTarget({ workspaceId: ws.id });
    const text = await eventually(async () => ((await screen(ws.baseSession)).includes('── restored from') ? screen(ws.baseSession) : undefined), 5000, 'base printed its old output');
    assert.ok(text.indexOf('base-said') < text.indexOf('── restored from'), text);
  });
});
