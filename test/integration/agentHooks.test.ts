import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { lstat, mkdir, mkdtemp, readdir, readFile, readlink, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { AgentStatusMonitor, isFresh, parseStatusFile, statusFilePath, type HookReport } from '../../src/core/agents/AgentStatus';
import { decideState } from '../../src/core/agents/stateRules';
import { decodeEscaped } from '../../src/core/agents/promptText';
import { parseVersion } from '../../src/core/agents/agentVersion';
import { agentArgv, agentEnvironment, availableAgents, parseAgentSettings, resolveCommand } from '../../src/core/agents/catalog';
import {
  CLAUDE_HOOK_EVENTS,
  applyEdit,
  claudeHookCommand,
  claudeUserSettingsPath,
  planClaudeHooks,
  planCodexNotify,
  withClaudeHooks,
  withCodexNotify,
  writeReporter,
} from '../../src/core/agents/hooks';
import { checkPrompt, normalizePrompt, promptProblem } from '../../src/core/agents/PromptDelivery';
import { resumeCommand, resumeTemplate } from '../../src/core/agents/resume';
import { eventually } from '../helpers/poll';

const NOW = Date.UTC(2026, 10, 25, 12, 0, 0);
const MINUTE = 60_000;

function report(overrides: Partial<HookReport> = {}): HookReport {
  return { at: NOW, source: 'claude', state: 'working', ...overrides };
}

describe('agent hook reports', () => {
  it('parses the reporter line, with or without a conversation id, and ignores anything else', () => {
    assert.deepEqual(parseStatusFile('1795648155 claude needs-input 0b5c2e1a-9f7e-4c1d-8a55-2d0f1e6b7c3a\n'), {
      at: 1795648155000,
      source: 'claude',
      state: 'needs-input',
      conversationId: '0b5c2e1a-9f7e-4c1d-8a55-2d0f1e6b7c3a',
    });
    assert.deepEqual(parseStatusFile('1795648155 codex idle -'), { at: 1795648155000, source: 'codex', state: 'idle' });
    assert.equal(parseStatusFile('1795648155 claude sleeping -'), undefined, 'unknown state');
    assert.equal(parseStatusFile('yesterday claude idle -'), undefined);
    assert.equal(parseStatusFile(''), undefined);
    assert.equal(parseStatusFile('1795648155 claude idle --dangerously-skip')?.conversationId, undefined, 'an id that would be an option is dropped');
  });

  it('parses the detail line and the reason of the newer format', () => {
    assert.deepEqual(parseStatusFile('1795648155 claude needs-input s-1 permission\nBash \\"rm\\" \\u00e9\n'), {
      at: 1795648155000,
      source: 'claude',
      state: 'needs-input',
      conversationId: 's-1',
      reason: 'permission',
      detail: 'Bash "rm" é',
    });
    assert.equal(parseStatusFile('1795648155 claude needs-input - because\n')?.reason, undefined, 'an unknown reason is dropped');
    assert.equal(parseStatusFile('1795648155 claude done - -\n')?.state, 'done');
  });

  it('expires every report after an hour', () => {
    assert.equal(isFresh(report({ at: NOW - 30 * MINUTE }), NOW), true);
    assert.equal(isFresh(report({ state: 'needs-input', at: NOW - 61 * MINUTE }), NOW), false);
  });

  it('believes a fresh report until output overtakes it, and falls back to activity', () => {
    const decide = (r: HookReport | undefined, activity: { working: boolean; lastOutputAt: number; spinner?: boolean } | undefined) => decideState({ report: r, activity, now: NOW, stuckAfterMs: 3 * MINUTE })?.state;
    assert.equal(decide(report({ state: 'needs-input' }), { working: true, lastOutputAt: NOW }), 'needs-input', 'output as the hook ran is the prompt being drawn');
    assert.equal(decide(report({ state: 'needs-input', at: NOW - 10_000 }), { working: true, lastOutputAt: NOW }), 'working', 'output after it: the user answered');
    assert.equal(decide(report({ state: 'idle', at: NOW - 10_000 }), { working: false, lastOutputAt: NOW - 5000 }), 'idle');
    assert.equal(decide(report({ state: 'working', at: NOW - 61 * MINUTE }), { working: false, lastOutputAt: NOW - 61 * MINUTE }), 'idle', 'a stale report: activity decides');
    assert.equal(decide(report({ at: NOW - 61 * MINUTE }), undefined), undefined, 'stale and nothing sampled: unknown');
    assert.equal(decide(undefined, { working: true, lastOutputAt: NOW }), 'working');
    assert.equal(decide(undefined, undefined), undefined);
  });

  it('turns working into stuck after the timeout without output or report, and back on either', () => {
    const stuckAfterMs = MINUTE;
    const working = report({ state: 'working', at: NOW - 2 * MINUTE });
    assert.equal(decideState({ report: working, activity: { working: false, lastOutputAt: NOW - 2 * MINUTE }, now: NOW, stuckAfterMs })?.state, 'stuck');
    assert.equal(decideState({ report: working, activity: { working: true, lastOutputAt: NOW }, now: NOW, stuckAfterMs })?.state, 'working', 'output');
    assert.equal(decideState({ report: report({ at: NOW - 1000 }), activity: { working: false, lastOutputAt: NOW - 2 * MINUTE }, now: NOW, stuckAfterMs })?.state, 'working', 'a report');
    assert.equal(decideState({ activity: { working: true, spinner: true, lastOutputAt: NOW - 2 * MINUTE }, now: NOW, stuckAfterMs })?.state, 'stuck', 'a spinner alone for that long');
  });

  it('reads a bell that rang after the last output as needing input, and output after it as the way out', () => {
    const rang = { working: false, lastOutputAt: NOW - 10_000, bell: true };
    assert.deepEqual(decideState({ activity: rang, bellSeenAt: NOW - 10_000, now: NOW, stuckAfterMs: MINUTE }), { state: 'needs-input', at: NOW - 10_000, detail: 'it rang the terminal bell' });
    assert.equal(decideState({ activity: { ...rang, working: true, lastOutputAt: NOW }, bellSeenAt: NOW - 10_000, now: NOW, stuckAfterMs: MINUTE })?.state, 'working');
    assert.equal(decideState({ report: report({ source: 'codex', state: 'idle', at: NOW - 20_000 }), activity: rang, bellSeenAt: NOW - 10_000, now: NOW, stuckAfterMs: MINUTE })?.state, 'needs-input', 'a bell after an idle report');
  });

  describe('the reporter script', () => {
    let dir: string;
    let reporter: string;
    before(async () => {
      dir = await mkdtemp(join(tmpdir(), 'tw-hooks-'));
      reporter = await writeReporter(dir);
    });
    after(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    async function runHook(command: string, env: Record<string, string>, input: string) {
      return execa('/bin/sh', ['-c', command], { env: { PATH: process.env.PATH ?? '', ...env }, extendEnv: false, input });
    }

    it('writes the state and the conversation id from a Claude hook\'s JSON into the session\'s status file', async () => {
      const statusFile = join(dir, 'tw-ws-claude-1');
      const payload = JSON.stringify({ session_id: '0b5c2e1a-9f7e-4c1d', hook_event_name: 'Notification', message: 'Claude needs your permission to use Bash', tool_input: { note: '"session_id": "not-this"' } });
      const result = await runHook(claudeHookCommand(reporter, 'needs-input'), { TMUX_WORKSPACES_STATUS_FILE: statusFile }, payload);
      assert.equal(result.stdout, '', 'a hook that prints would add to Claude\'s context');
      const parsed = parseStatusFile(await readFile(statusFile, 'utf8'));
      assert.equal(parsed?.state, 'needs-input');
      assert.equal(parsed?.conversationId, '0b5c2e1a-9f7e-4c1d');
      assert.ok(Math.abs(parsed!.at - Date.now()) < 5000);
    });

    it('takes the top-level session_id only, whatever a tool input or message contains', async () => {
      const statusFile = join(dir, 'tw-ws-claude-hostile');
      const payloads: Record<string, string> = {
        'a nested session_id after the real one': JSON.stringify({ session_id: 'real-1', tool_input: { session_id: 'evil-1' } }),
        'a nested session_id before the real one': JSON.stringify({ tool_input: { session_id: 'evil-2', list: [{ session_id: 'evil-3' }] }, session_id: 'real-1' }),
        'escaped quotes spelling a session_id in a string': JSON.stringify({ session_id: 'real-1', message: 'x\\", "session_id": "evil-4' }),
        'whitespace and new lines around the colon': `{\n  "tool_input" : { "session_id" : "evil-5" } ,\n  "session_id"\n :\t "real-1"\n}`,
        'braces inside strings': JSON.stringify({ message: '}}}', session_id: 'real-1', tool_input: { command: '{ "session_id": "evil-6"' } }),
      };
      for (const [what, payload] of Object.entries(payloads)) {
        await runHook(claudeHookCommand(reporter, 'working'), { TMUX_WORKSPACES_STATUS_FILE: statusFile }, payload);
        assert.equal(parseStatusFile(await readFile(statusFile, 'utf8'))?.conversationId, 'real-1', what);
      }
      await runHook(claudeHookCommand(reporter, 'working'), { TMUX_WORKSPACES_STATUS_FILE: statusFile }, JSON.stringify({ tool_input: { session_id: 'evil-7' } }));
      assert.equal(parseStatusFile(await readFile(statusFile, 'utf8'))?.conversationId, undefined, 'only a nested one: no id at all');
    });

    it('takes Codex\'s top-level thread-id only', async () => {
      const statusFile = join(dir, 'tw-ws-codex-hostile');
      const payload = JSON.stringify({ 'thread-id': '019a-real', 'input-messages': ['"thread-id": "evil"'], 'last-assistant-message': { 'thread-id': 'evil' } });
      await execa('/bin/sh', [reporter, 'codex', payload], { env: { PATH: process.env.PATH ?? '', TMUX_WORKSPACES_STATUS_FILE: statusFile }, extendEnv: false, stdin: 'ignore' });
      assert.equal(parseStatusFile(await readFile(statusFile, 'utf8'))?.conversationId, '019a-real');
    });

    it('decides each Claude Code and Gemini CLI event\'s state, reason and detail from its payload', async () => {
      const statusFile = join(dir, 'tw-ws-claude-events');
      const cases: [string, string, object, Partial<HookReport> | 'nothing'][] = [
        ['claude', 'PermissionRequest', { session_id: 's-1', tool_name: 'Bash', tool_input: { command: 'rm -rf /' } }, { state: 'needs-input', reason: 'permission', detail: 'Bash: rm -rf /' }],
        ['claude', 'PermissionRequest', { session_id: 's-1', tool_name: 'Edit', tool_input: { file_path: '/repo/src/app.ts', old_string: 'a' } }, { state: 'needs-input', reason: 'permission', detail: 'Edit: /repo/src/app.ts' }],
        ['claude', 'PermissionRequest', { session_id: 's-1', tool_name: 'Task', tool_input: { prompt: 'x', nested: { command: 'evil' } } }, { state: 'needs-input', reason: 'permission', detail: 'Task' }],
        ['claude', 'PreToolUse', { session_id: 's-1', tool_name: 'AskUserQuestion', tool_input: {} }, { state: 'needs-input', reason: 'question', detail: 'AskUserQuestion' }],
        ['claude', 'PreToolUse', { session_id: 's-1', tool_name: 'Edit', tool_input: { tool_name: 'evil' } }, { state: 'working', detail: 'Edit' }],
        ['claude', 'Notification', { session_id: 's-1', message: 'Claude needs your permission to use "Bash"', notification_type: 'permission_prompt' }, { state: 'needs-input', reason: 'permission', detail: 'Claude needs your permission to use "Bash"' }],
        ['claude', 'Notification', { session_id: 's-1', message: 'MCP server asks for input', notification_type: 'elicitation_dialog' }, { state: 'needs-input', reason: 'question', detail: 'MCP server asks for input' }],
        ['claude', 'Notification', { session_id: 's-1', message: 'Claude is waiting for your input', notification_type: 'idle_prompt' }, { state: 'idle' }],
        ['claude', 'Notification', { session_id: 's-1', message: 'Logged in', notification_type: 'auth_success' }, 'nothing'],
        ['claude', 'Notification', { session_id: 's-1', message: 'Claude needs your permission to use Bash' }, { state: 'needs-input', reason: 'permission', detail: 'Claude needs your permission to use Bash' }],
        ['claude', 'Notification', { session_id: 's-1', message: 'Claude is waiting for your input' }, { state: 'idle' }],
        ['claude', 'SubagentStop', { session_id: 's-1', stop_hook_active: false }, { state: 'working' }],
        ['claude', 'SessionEnd', { session_id: 's-1', reason: 'clear' }, { state: 'idle' }],
        ['claude', 'SessionEnd', { session_id: 's-1', reason: 'logout' }, { state: 'done' }],
        ['claude', 'Elsewhere', { session_id: 's-1' }, 'nothing'],
        ['gemini', 'Notification', { session_id: 'g-1', notification_type: 'ToolPermission', message: 'Allow write_file?', details: {} }, { state: 'needs-input', reason: 'permission', detail: 'Allow write_file?' }],
        ['gemini', 'SessionEnd', { session_id: 'g-1', reason: 'exit' }, { state: 'done' }],
      ];
      for (const [agent, event, payload, expected] of cases) {
        await rm(statusFile, { force: true });
        await execa('/bin/sh', [reporter, agent, event], { env: { PATH: process.env.PATH ?? '', TMUX_WORKSPACES_STATUS_FILE: statusFile }, extendEnv: false, input: JSON.stringify(payload) });
        const what = `${agent} ${event} ${JSON.stringify(payload)}`;
        if (expected === 'nothing') {
          assert.equal(existsSync(statusFile), false, what);
          continue;
        }
        const parsed = parseStatusFile(await readFile(statusFile, 'utf8'));
        assert.deepEqual({ state: parsed?.state, reason: parsed?.reason, detail: parsed?.detail }, { reason: undefined, detail: undefined, ...expected }, what);
      }
    });

    it('keeps a long prompt privately beside the status file, cut at 4 KiB and still readable', async () => {
      const statusFile = join(dir, 'tw-ws-claude-prompt');
      const prompt = `${'Ünïcode and "quotes" \\ '.repeat(300)}end`;
      await execa('/bin/sh', [reporter, 'claude', 'UserPromptSubmit'], { env: { PATH: process.env.PATH ?? '', TMUX_WORKSPACES_STATUS_FILE: statusFile }, extendEnv: false, input: JSON.stringify({ session_id: 's-2', prompt }) });
      assert.equal((await stat(`${statusFile}.prompt`)).mode & 0o777, 0o600);
      assert.equal((await stat(statusFile)).mode & 0o777, 0o600);
      const kept = decodeEscaped((await readFile(`${statusFile}.prompt`, 'utf8')).trim());
      assert.ok(kept.length > 1000 && prompt.startsWith(kept), 'a readable beginning of the prompt');
      assert.ok(Buffer.byteLength(JSON.stringify(kept)) <= 4096 + 2);
    });

    it('does nothing at all outside a Tmux Workspaces session', async () => {
      const before = await readdirSafe(dir);
      const result = await runHook(claudeHookCommand(reporter, 'working'), {}, '{"session_id":"x"}');
      assert.equal(result.exitCode, 0);
      assert.equal(result.stdout + result.stderr, '');
      assert.deepEqual(await readdirSafe(dir), before);
    });

    it('takes Codex\'s notify JSON from its argument as the end of a turn', async () => {
      const statusFile = join(dir, 'tw-ws-codex-1');
      await execa('/bin/sh', [reporter, 'codex', JSON.stringify({ type: 'agent-turn-complete', 'thread-id': '019a-thread', 'turn-id': '7' })], {
        env: { PATH: process.env.PATH ?? '', TMUX_WORKSPACES_STATUS_FILE: statusFile },
        extendEnv: false,
        stdin: 'ignore',
      });
      assert.deepEqual({ ...parseStatusFile(await readFile(statusFile, 'utf8')), at: 0 }, { at: 0, source: 'codex', state: 'idle', conversationId: '019a-thread' });
      assert.equal(existsSync(`${statusFile}.prompt`), false, 'no input messages: no prompt');
    });

    it('is watched: a report shows up in the monitor without polling', async () => {
      const statusDir = join(dir, 'status');
      const monitor = new AgentStatusMonitor(statusDir);
      await monitor.start();
      try {
        const seen: string[] = [];
        monitor.onDidReport((change) => seen.push(`${change.sessionKey}:${change.report.state}`));
        await runHook(claudeHookCommand(reporter, 'working'), { TMUX_WORKSPACES_STATUS_FILE: statusFilePath(statusDir, 'tw-a-claude-9') }, '{"session_id":"s-1"}');
        await eventually(() => monitor.report('tw-a-claude-9')?.state === 'working', 3000, 'report seen');
        assert.deepEqual(seen, ['tw-a-claude-9:working']);
        await monitor.forget('tw-a-claude-9');
        assert.equal(existsSync(statusFilePath(statusDir, 'tw-a-claude-9')), false);
      } finally {
        monitor.dispose();
      }
    });
  });
});

async function readdirSafe(dir: string): Promise<string[]> {
  return (await readdir(dir)).sort();
}

describe('installing agent hooks', () => {
  const reporter = '/state/hooks/report.sh';

  it('adds one hook per Claude event, keeping other settings and hooks', () => {
    const existing = JSON.stringify({
      model: 'opus',
      hooks: { Stop: [{ hooks: [{ type: 'command', command: 'say done' }] }] },
    });
    const settings = JSON.parse(withClaudeHooks(existing, reporter));
    assert.equal(settings.model, 'opus');
    assert.deepEqual(Object.keys(settings.hooks).sort(), CLAUDE_HOOK_EVENTS.map((entry) => entry.event).sort());
    assert.deepEqual(settings.hooks.Stop[0], { hooks: [{ type: 'command', command: 'say done' }] }, 'a foreign hook stays');
    assert.deepEqual(settings.hooks.Stop[1], { hooks: [{ type: 'command', command: claudeHookCommand(reporter, 'Stop') }] });
    assert.equal(settings.hooks.PreToolUse[0].matcher, '*');
    assert.match(settings.hooks.Notification[0].hooks[0].command, /claude Notification$/);
    assert.equal(settings.hooks.PermissionRequest[0].matcher, '*');
  });

  it('adds the permission-request and subagent-start events only where the installed Claude Code has them', () => {
    const events = (version?: number[]) => Object.keys(JSON.parse(withClaudeHooks(undefined, reporter, version)).hooks);
    assert.ok(!events(parseVersion('2.0.30 (Claude Code)')).includes('PermissionRequest'));
    assert.ok(!events([2, 0, 30]).includes('SubagentStart'));
    assert.ok(events([2, 0, 44]).includes('SubagentStart') && !events([2, 0, 44]).includes('PermissionRequest'));
    assert.ok(events([2, 1, 0]).includes('PermissionRequest'));
    assert.deepEqual(events(undefined).sort(), CLAUDE_HOOK_EVENTS.map((entry) => entry.event).sort(), 'an unknown version gets them all');
    assert.ok(events([2, 0, 30]).includes('SubagentStop') && events([2, 0, 30]).includes('SessionEnd'));
  });

  it('is idempotent and replaces an earlier install of its own', () => {
    const once = withClaudeHooks(undefined, '/old place/report.sh');
    assert.equal(withClaudeHooks(withClaudeHooks(once, reporter), reporter), withClaudeHooks(once, reporter));
    const settings = JSON.parse(withClaudeHooks(once, reporter));
    assert.equal(settings.hooks.Stop.length, 1);
    assert.doesNotMatch(JSON.stringify(settings), /old place/);
  });

  it('refuses Claude settings that are not a JSON object, changing nothing', () => {
    assert.throws(() => withClaudeHooks('{ "hooks": ', reporter), /not valid JSON/);
    assert.throws(() => withClaudeHooks('[]', reporter), /not a JSON object/);
  });

  it('puts Codex notify at the top level, before the first table', () => {
    assert.equal(withCodexNotify(undefined, reporter).text, `notify = ["/bin/sh", "${reporter}", "codex"]\n`);
    const config = 'model = "o4"\n\n[profiles.fast]\nmodel = "mini"\n';
    const { text, replaces } = withCodexNotify(config, reporter);
    assert.equal(text, `model = "o4"\n\nnotify = ["/bin/sh", "${reporter}", "codex"]\n\n[profiles.fast]\nmodel = "mini"\n`);
    assert.equal(replaces, undefined);
  });

  it('reports a foreign Codex notify it would replace, and replaces its own (even over several lines) quietly', () => {
    const foreign = withCodexNotify('notify = [\n  "notify-send",\n  "Codex" # desktop\n]\nmodel = "o4"\n', reporter);
    assert.equal(foreign.replaces, '[\n  "notify-send",\n  "Codex" # desktop\n]');
    assert.equal(foreign.text, `notify = ["/bin/sh", "${reporter}", "codex"]\nmodel = "o4"\n`);
    const again = withCodexNotify(foreign.text, reporter);
    assert.equal(again.replaces, undefined);
    assert.equal(again.text, foreign.text);
    assert.equal(withCodexNotify('[tui]\nnotify = true\n', reporter).replaces, undefined, 'a notify inside a table is another setting');
  });

  it('writes an edit atomically, keeps the file mode, backs up the original once with its mode, and refuses a file changed meanwhile', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tw-edit-'));
    try {
      const path = join(dir, 'config.toml');
      await writeFile(path, 'model = "o4"\n', { mode: 0o600 });
      const edit = await planCodexNotify(path, reporter);
      assert.equal(await applyEdit(edit, { backup: true }), true);
      assert.equal((await stat(path)).mode & 0o777, 0o600);
      assert.equal(await readFile(`${path}.tmux-workspaces.bak`, 'utf8'), 'model = "o4"\n');
      assert.equal((await stat(`${path}.tmux-workspaces.bak`)).mode & 0o777, 0o600, 'the backup is as private as the original');
      assert.equal(await applyEdit(await planCodexNotify(path, reporter)), false, 'nothing to change');
      const stale = await planCodexNotify(path, '/elsewhere/report.sh');
      await writeFile(path, 'model = "changed"\n');
      await assert.rejects(applyEdit(stale), /changed meanwhile/);
      assert.equal(await readFile(path, 'utf8'), 'model = "changed"\n');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('installing agent hooks into dotfiles', () => {
  it('writes through a symlinked ~/.claude/settings.json and keeps the link', async () => {
    const home = await mkdtemp(join(tmpdir(), 'tw-home-'));
    try {
      const dotfile = join(home, 'dotfiles', 'claude', 'settings.json');
      await mkdir(dirname(dotfile), { recursive: true });
      await writeFile(dotfile, '{ "model": "opus" }\n', { mode: 0o600 });
      const settings = claudeUserSettingsPath(home);
      await mkdir(dirname(settings), { recursive: true });
      await symlink(join('..', 'dotfiles', 'claude', 'settings.json'), settings);
      assert.equal(await applyEdit(await planClaudeHooks(settings, '/state/hooks/report.sh'), { backup: true }), true);
      assert.ok((await lstat(settings)).isSymbolicLink(), 'the link is still a link');
      assert.equal(await readlink(settings), join('..', 'dotfiles', 'claude', 'settings.json'));
      const written = JSON.parse(await readFile(dotfile, 'utf8'));
      assert.equal(written.model, 'opus');
      assert.ok(written.hooks.Stop, 'the hooks landed in the dotfiles copy');
      assert.equal((await stat(dotfile)).mode & 0o777, 0o600);
      assert.deepEqual((await readdir(dirname(dotfile))).sort(), ['settings.json'], 'nothing left beside the dotfile');
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });
});

describe('agent catalog', () => {
  let bin: string;
  before(async () => {
    bin = await mkdtemp(join(tmpdir(), 'tw-bin-'));
    await writeFile(join(bin, 'claude'), '#!/bin/sh\n', { mode: 0o755 });
    await writeFile(join(bin, 'notes'), 'not a program\n', { mode: 0o644 });
  });
  after(async () => {
    await rm(bin, { recursive: true, force: true });
  });

  it('resolves a command to an absolute path on PATH, and refuses a relative path into the worktree', async () => {
    assert.equal(await resolveCommand('claude', bin), join(bin, 'claude'));
    assert.equal(await resolveCommand('notes', bin), undefined, 'not executable');
    assert.equal(await resolveCommand(join(bin, 'claude'), ''), join(bin, 'claude'));
    await assert.rejects(resolveCommand('./scripts/agent', bin), /relative path/);
    assert.deepEqual(await agentArgv({ id: 'claude', label: 'Claude Code', command: 'claude', args: ['--model', 'opus'] }, bin), [join(bin, 'claude'), '--model', 'opus']);
    await assert.rejects(agentArgv({ id: 'codex', label: 'Codex', command: 'codex', args: [] }, bin), /not found on PATH/);
  });

  it('offers built-ins found on PATH and every configured entry, a configured id replacing the built-in', async () => {
    const offered = await availableAgents([{ id: 'codex', label: 'My Codex', command: '/opt/codex', args: [] }], bin);
    assert.deepEqual(offered.map((agent) => agent.label), ['Claude Code', 'My Codex']);
  });

  it('passes an agent only the variables its entry names', () => {
    const env = agentEnvironment({ id: 'x', label: 'X', command: 'x', args: [], env: ['ANTHROPIC_API_KEY', 'UNSET_ONE'] }, { ANTHROPIC_API_KEY: 'sk-1', GITHUB_TOKEN: 'ghp-2' });
    assert.deepEqual(env, { ANTHROPIC_API_KEY: 'sk-1' });
  });
});

describe('resume', () => {
  it('builds the resume command line from the record\'s template and conversation id', () => {
    assert.deepEqual(resumeCommand(['/usr/bin/claude', '--model', 'opus', '--resume', '{id}'], '0b5c-11'), ['/usr/bin/claude', '--model', 'opus', '--resume', '0b5c-11']);
    assert.deepEqual(resumeCommand(['/usr/bin/codex', 'resume', '{id}'], 'thread-9'), ['/usr/bin/codex', 'resume', 'thread-9']);
    assert.deepEqual(resumeCommand(['/opt/agent', '--session={id}'], 'abc'), ['/opt/agent', '--session=abc']);
    assert.throws(() => resumeCommand(['/usr/bin/claude', '--resume', '{id}'], '--dangerously-skip-permissions'), /not a conversation id/);
  });

  it('knows how claude and codex resume, takes a configured resumeArgs, and offers nothing otherwise', () => {
    assert.deepEqual(resumeTemplate({ id: 'claude', label: 'Claude Code', command: 'claude', args: ['--model', 'opus'] }, '/bin/claude'), ['/bin/claude', '--model', 'opus', '--resume', '{id}']);
    assert.deepEqual(resumeTemplate({ id: 'codex', label: 'Codex', command: 'codex', args: [] }, '/bin/codex'), ['/bin/codex', 'resume', '{id}']);
    assert.equal(resumeTemplate({ id: 'gemini', label: 'Gemini CLI', command: 'gemini', args: [] }, '/bin/gemini'), undefined);
    assert.deepEqual(resumeTemplate({ id: 'mine', label: 'Mine', command: 'mine', args: ['-q'], resumeArgs: ['--continue', '{id}'] }, '/bin/mine'), ['/bin/mine', '--continue', '{id}']);
  });

  it('reports a configured resumeArgs without {id} and leaves resume off for that agent', () => {
    const { agents, problems } = parseAgentSettings([{ id: 'mine', command: '/bin/mine', resumeArgs: ['--continue'] }]);
    assert.equal(agents[0].resumeArgs, undefined);
    assert.match(problems[0], /resumeArgs needs "\{id\}"/);
  });
});

describe('first prompt rules', () => {
  it('allows newlines and tabs, turns Windows line ends into newlines and drops trailing white space', () => {
    assert.equal(checkPrompt('Fix it\r\n\t- carefully\r\n\n'), 'Fix it\n\t- carefully');
    assert.equal(promptProblem(normalizePrompt('a'.repeat(64 * 1024))), undefined, 'exactly 64 KiB is fine');
  });

  it('refuses empty prompts, control characters (with where they are) and more than 64 KiB of UTF-8', () => {
    assert.match(promptProblem('   ') ?? '', /empty/);
    assert.match(promptProblem('one\ntwo\rthree') ?? '', /U\+000D, line 2/);
    assert.match(promptProblem('\u009b31m') ?? '', /U\+009B/);
    assert.match(promptProblem('€'.repeat(21_846)) ?? '', /64\.0 KiB; at most 64 KiB/);
  });
});
