import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AgentDefinition } from '../../src/core/agents/catalog';
import { GitClient } from '../../src/core/git/GitClient';
import { RecordStore } from '../../src/core/store/RecordStore';
import { installAgentHooks } from '../../src/ui/commands/installAgentHooks';
import { copyPrompt, sendPromptAgain } from '../../src/ui/commands/promptCommands';
import { launchAgentIn } from '../../src/ui/commands/launchSession';
import { dismissResumable, resumeAgent } from '../../src/ui/commands/resumeCommands';
import { Cancelled } from '../../src/ui/commands/failures';
import type { CommandContext, Settings } from '../../src/ui/host';
import { CommandId } from '../../src/ui/ids';
import { eventually } from '../helpers/poll';
import { RecordingLog, ScriptedHost, runGuarded, typing } from '../helpers/scriptedHost';
import { useWorld } from '../helpers/world';

/** A stand-in agent: switches on bracketed paste and appends what it is typed to the file it is given. */
const STAND_IN = `#!/bin/sh
printf '%s\\n' "$@" > "$1.argv"
printf '\\033[?2004h'
exec cat >> "$1"
`;

describe('agent commands', () => {
  let home: string;
  let standIn: AgentDefinition;
  let received: string;
  const world = useWorld({
    branch: 'agent-work',
    setup: async ({ repo }) => {
      home = await mkdtemp(join(tmpdir(), 'tw-home-'));
      const script = join(repo.root, 'stand-in');
      await writeFile(script, STAND_IN);
      await chmod(script, 0o755);
      received = join(repo.root, 'received.txt');
      standIn = { id: 'stand-in', label: 'Stand-in', command: script, args: [received], resumeArgs: ['{id}', '--resumed'] };
    },
    teardown: async () => {
      await rm(home, { recursive: true, force: true });
    },
  });

  function context(host: ScriptedHost, agents: AgentDefinition[] = [standIn], path = process.env.PATH): CommandContext {
    const settings: Settings = {
      setupCommand: () => ({ command: undefined, blockedByTrust: false }),
      agents: () => ({ agents, problems: [], blockedByTrust: false }),
      attachOnLaunch: () => true,
      branchPrefix: () => '',
      updateStrategy: () => 'merge',
    };
    const git = new GitClient();
    return {
      lifecycle: world.lifecycle,
      host,
      log: new RecordingLog(),
      settings,
      repositories: { repositories: async () => [world.repo.repo] },
      environment: { PATH: path },
      hooks: { stateDir: world.harness.stateDirectory, home, ignoreLocally: (worktree, path) => git.ignoreLocally(worktree, path) },
    };
  }

  it('launches an agent with a typed first prompt, pasted once it is ready', async () => {
    const ws = await world.readyWorkspace();
    const host = new ScriptedHost(['Stand-in', 'Type a prompt…', 'Add a login form'], ['bad \x1b prompt']);
    const session = await launchAgentIn(context(host), ws.id);
    assert.ok(session);
    assert.match(host.validations[0].problem ?? '', /control character/, 'the input box says what is wrong as the user types');
    assert.equal(host.terminals.at(-1)?.tmuxName, session.tmuxName);
    assert.deepEqual(session.resumeArgv, [standIn.command, '{id}', '--resumed'], 'the resume template is recorded with the session');
    const text = await eventually(async () => (existsSync(received) ? (await readFile(received, 'utf8')) || undefined : undefined), 10_000, 'prompt pasted');
    assert.equal(text, '\x1b[200~Add a login form\x1b[201~\n');
  });

  it('launches an agent with a prompt typed into the first-prompt picker, refused as typed when it cannot be sent', async () => {
    const ws = await world.readyWorkspace();
    const host = new ScriptedHost(['Stand-in', typing('bad \x07', 'fix the bug')]);
    const session = await launchAgentIn(context(host), ws.id);
    assert.ok(session);
    assert.match(host.validations[0].problem ?? '', /control character \(U\+0007/);
    assert.equal(host.validations[1].problem, undefined);
    const text = await eventually(async () => (existsSync(received) ? (await readFile(received, 'utf8')) || undefined : undefined), 10_000, 'prompt pasted');
    assert.equal(text, '\x1b[200~fix the bug\x1b[201~\n');
  });

  it('says when no agent is on PATH, and Open Settings opens the agents setting', async () => {
    const ws = await world.readyWorkspace();
    const host = new ScriptedHost();
    host.clickAction = 'Open Settings';
    assert.equal(await launchAgentIn(context(host, [], home), ws.id), undefined);
    assert.equal(host.shown.at(-1)?.kind, 'warn');
    assert.match(host.shown.at(-1)?.message ?? '', /No coding agent was found on PATH/);
    assert.deepEqual(host.shown.at(-1)?.actions, ['Open Settings']);
    assert.deepEqual(host.settingsOpened, ['tmuxWorkspaces.agents']);
    assert.deepEqual(new RecordStore(world.harness.memento).sessions(), []);
  });

  it('refuses an untitled editor\'s text that cannot be sent, and launches nothing', async () => {
    const ws = await world.readyWorkspace();
    const host = new ScriptedHost(['Stand-in', 'Use the active untitled editor\'s text']);
    host.untitledText = 'step one\n\u0007step two';
    await runGuarded(context(host), CommandId.launchAgent, ws.id);
    assert.equal(host.shown.at(-1)?.kind, 'warn');
    assert.match(host.shown.at(-1)?.message ?? '', /cannot be the first prompt\. .*U\+0007, line 2.*Nothing was launched/);
    assert.deepEqual(new RecordStore(world.harness.memento).sessions(), []);
  });

  it('installs Claude Code hooks in one workspace, kept out of git so delete still sees a clean worktree', async () => {
    const ws = await world.readyWorkspace();
    const host = new ScriptedHost(['Claude Code in one workspace']);
    assert.equal(await installAgentHooks(context(host), ws.id), true);
    const settings = JSON.parse(await readFile(join(ws.worktreePath, '.claude', 'settings.local.json'), 'utf8'));
    assert.match(settings.hooks.Stop[0].hooks[0].command, /TMUX_WORKSPACES_STATUS_FILE.*report\.sh' claude Stop$/);
    assert.ok(existsSync(join(world.harness.stateDirectory, 'hooks', 'report.sh')));
    assert.deepEqual(await world.lifecycle.previewDelete(ws.id), { dirtyFiles: [], unpushedCommits: [] });
  });

  it('changes the user\'s Claude Code settings only after the modal says Add Hooks', async () => {
    const path = join(home, '.claude', 'settings.json');
    await mkdir(join(home, '.claude'));
    await writeFile(path, '{ "model": "opus" }\n');
    const declined = new ScriptedHost(['Claude Code everywhere', undefined]);
    await assert.rejects(installAgentHooks(context(declined), undefined), Cancelled);
    assert.equal(await readFile(path, 'utf8'), '{ "model": "opus" }\n');
    assert.match(declined.shown[0].detail ?? '', /do nothing anywhere else/);

    const agreed = new ScriptedHost(['Claude Code everywhere', 'Add Hooks']);
    assert.equal(await installAgentHooks(context(agreed), undefined), true);
    const settings = JSON.parse(await readFile(path, 'utf8'));
    assert.equal(settings.model, 'opus');
    assert.ok(settings.hooks.Notification);
    assert.equal(await readFile(`${path}.tmux-workspaces.bak`, 'utf8'), '{ "model": "opus" }\n');
  });

  it('asks before replacing a notify program Codex already has', async () => {
    const path = join(home, '.codex', 'config.toml');
    await mkdir(join(home, '.codex'));
    await writeFile(path, 'notify = ["notify-send", "Codex"]\n\n[tui]\nnotifications = true\n');
    const host = new ScriptedHost(['Codex', 'Replace']);
    assert.equal(await installAgentHooks(context(host), undefined), true);
    assert.equal(host.shown[0].message, 'Codex already runs a notify program. Replace it?');
    assert.match(host.shown[0].detail ?? '', /notify = \["notify-send", "Codex"\]/);
    assert.match(await readFile(path, 'utf8'), /^notify = \["\/bin\/sh", ".*report\.sh", "codex"\]\n\n\[tui\]/);
  });

  it('installs Gemini CLI hooks after the modal, keeping its other hooks and settings', async () => {
    const path = join(home, '.gemini', 'settings.json');
    await mkdir(join(home, '.gemini'));
    const theirs = { matcher: 'run_shell_command', hooks: [{ name: 'audit', type: 'command', command: './audit.sh' }] };
    await writeFile(path, JSON.stringify({ theme: 'Dracula', hooks: { BeforeTool: [theirs] } }));
    await assert.rejects(installAgentHooks(context(new ScriptedHost(['Gemini CLI', undefined])), undefined), Cancelled);
    assert.equal(JSON.parse(await readFile(path, 'utf8')).hooks.BeforeTool.length, 1, 'declined: unchanged');
    assert.equal(await installAgentHooks(context(new ScriptedHost(['Gemini CLI', 'Install'])), undefined), true);
    const settings = JSON.parse(await readFile(path, 'utf8'));
    assert.equal(settings.theme, 'Dracula');
    assert.deepEqual(settings.hooks.BeforeTool[0], theirs);
    assert.match(settings.hooks.BeforeAgent[0].hooks[0].command, /report\.sh' gemini BeforeAgent; printf '\{\}'$/);
    assert.ok(existsSync(`${path}.tmux-workspaces.bak`));
    assert.equal(await installAgentHooks(context(new ScriptedHost(['Gemini CLI'])), undefined), false, 'a second install changes nothing');
  });

  it('writes the opencode plugin after the modal, and refuses to overwrite a file of that name that is not ours', async () => {
    const path = join(home, '.config', 'opencode', 'plugins', 'tmux-workspaces.js');
    assert.equal(await installAgentHooks(context(new ScriptedHost(['opencode', 'Install'])), undefined), true);
    assert.match(await readFile(path, 'utf8'), /TMUX_WORKSPACES_STATUS_FILE[\s\S]*"session.idle"/);
    await writeFile(path, 'export const Mine = async () => ({})\n');
    await assert.rejects(installAgentHooks(context(new ScriptedHost(['opencode', 'Install'])), undefined), /not written by Tmux Workspaces/);
    assert.equal(await readFile(path, 'utf8'), 'export const Mine = async () => ({})\n');
  });

  it('resumes an agent from the palette in its worktree, and dismisses another', async () => {
    const ws = await world.readyWorkspace();
    const store = new RecordStore(world.harness.memento);
    const row = (key: string, label: string) => ({ v: 1, key, workspaceId: ws.id, agentId: 'stand-in', label, conversationId: 'conv-1', resumeArgv: [standIn.command, received, '{id}'], startedAt: 1, stoppedAt: 2 });
    await store.putResumable(row('tw-old-1', 'Stand-in'));
    await store.putResumable(row('tw-old-2', 'Other'));

    const host = new ScriptedHost(['Stand-in']);
    const session = await resumeAgent(context(host), undefined);
    assert.ok(session);
    const argv = await eventually(async () => (existsSync(`${received}.argv`) ? (await readFile(`${received}.argv`, 'utf8')) || undefined : undefined), 5000, 'agent started');
    assert.equal(argv, `${received}\nconv-1\n`);
    assert.equal(host.terminals.at(-1)?.tmuxName, session.tmuxName);

    await dismissResumable(context(new ScriptedHost()), 'tw-old-2');
    assert.deepEqual(store.resumables(), []);
  });

  it('copies a first prompt that was not sent, picked from the palette, and sends it again from its row', async () => {
    const ws = await world.readyWorkspace();
    world.lifecycle.dispose();
    const impatient = await world.harness.lifecycle({ promptWaitMs: 300 });
    // Never asks for bracketed paste, so its prompt is given up.
    const session = await impatient.launchSession(ws.id, { kind: 'agent', label: 'Plain', command: ['/bin/sh', '-c', 'exec cat >> "$0"', received], prompt: 'add the tests' });
    await eventually(() => impatient.session(session.key)?.prompt?.state === 'failed', 5000, 'prompt given up');
    const using = (host: ScriptedHost): CommandContext => ({ ...context(host), lifecycle: impatient });

    const host = new ScriptedHost(['$(hubot) Plain']);
    await copyPrompt(using(host), undefined);
    assert.deepEqual(host.clipboard, ['add the tests']);

    const again = new ScriptedHost();
    await sendPromptAgain(using(again), session.key);
    const text = await eventually(async () => (existsSync(received) ? (await readFile(received, 'utf8')) || undefined : undefined), 5000, 'prompt pasted');
    assert.equal(text, 'add the tests\n');
    assert.equal(impatient.session(session.key)?.prompt?.state, 'delivered');
    assert.deepEqual(again.shown.map((shown) => shown.message), ['Sent the first prompt to Plain in "agent-work".']);
    await assert.rejects(copyPrompt(using(new ScriptedHost()), session.key), /no unsent first prompt/);
  });
});
