import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ActivitySampler } from '../../src/core/agents/ActivitySampler';
import { AgentStatusMonitor, agentStatusDir, promptFilePath, rememberFirstPrompt } from '../../src/core/agents/AgentStatus';
import { geminiHookCommand } from '../../src/core/agents/geminiHooks';
import { claudeHookCommand, writeReporter } from '../../src/core/agents/hooks';
import { opencodePluginText } from '../../src/core/agents/opencodePlugin';
import type { AgentState, NeedsInputReason } from '../../src/core/agents/AgentStatus';
import { AgentStateModel, type AgentLatest, type AgentStateChange } from '../../src/ui/tree/AgentStateModel';
import { eventually } from '../helpers/poll';
import { useWorld } from '../helpers/world';

/**
 * Stand-in agents in real tmux panes: each line typed into the pane makes the
 * stand-in do what a real agent does at that moment. `hook NAME` runs the
 * installed hook command (as the agent's settings name it) with the payload
 * the agent's documentation gives, on stdin; `codex NAME` runs Codex's notify
 * program with its JSON as the argument; `opencode NAME` runs our opencode
 * plugin in node with one bus event; `out` prints for a few seconds; `bell`
 * rings the terminal bell; `exit N` ends with status N.
 */
const STAND_IN = String.raw`stty -echo 2>/dev/null
dir=$1
echo "stand-in ready"
while IFS= read -r line; do
  set -- $line
  case "$1" in
    hook) /bin/sh -c "$(cat "$dir/$2.cmd")" < "$dir/$2.json" > "$dir/$2.stdout" ;;
    codex) /bin/sh "$dir/report.sh" codex "$(cat "$dir/$2.json")" ;;
    opencode) node "$dir/event.mjs" "$dir/$2.json" ;;
    out) ( i=0; while [ $i -lt 15 ]; do echo "tick $i"; i=$((i+1)); sleep 0.3; done ) & ;;
    bell) printf '\a' ;;
    exit) exit "$2" ;;
  esac
done
`;

/** Feeds one opencode bus event (or a chat.message) to our plugin, as opencode would. */
const OPENCODE_DRIVER = `import { readFileSync } from "node:fs";
import { TmuxWorkspacesStatus } from "./tmux-workspaces.mjs";
const hooks = await TmuxWorkspacesStatus({});
const input = JSON.parse(readFileSync(process.argv[2], "utf8"));
if (input.chat) await hooks["chat.message"](input.chat.input, input.chat.output);
else await hooks.event({ event: input });
`;

const CONVERSATION = '5d1c2b7e-1f0a-4c3e-9b8a-0e6f2d4c1a77';

/** Claude Code's hook payloads, field for field as its hooks reference documents them. */
function claudePayloads(cwd: string): Record<string, object> {
  const base = { session_id: CONVERSATION, transcript_path: join(cwd, 'transcript.jsonl'), cwd, permission_mode: 'default' };
  return {
    SessionStart: { ...base, hook_event_name: 'SessionStart', source: 'startup' },
    UserPromptSubmit: { ...base, hook_event_name: 'UserPromptSubmit', prompt: 'Fix the login redirect\nthen run "npm test" — twice' },
    PreToolUse: { ...base, hook_event_name: 'PreToolUse', tool_name: 'Bash', tool_input: { command: 'npm test', description: 'Run the tests' } },
    PermissionRequest: { ...base, hook_event_name: 'PermissionRequest', tool_name: 'Bash', tool_input: { command: 'rm -rf build' } },
    PostToolUse: { ...base, hook_event_name: 'PostToolUse', tool_name: 'Bash', tool_input: { command: 'rm -rf build' }, tool_response: { stdout: '', stderr: '' } },
    AskUserQuestion: { ...base, hook_event_name: 'PreToolUse', tool_name: 'AskUserQuestion', tool_input: { questions: [{ question: 'Which database?' }] } },
    NotificationPermission: { ...base, hook_event_name: 'Notification', message: 'Claude needs your permission to use Bash', notification_type: 'permission_prompt' },
    NotificationIdle: { ...base, hook_event_name: 'Notification', message: 'Claude is waiting for your input', notification_type: 'idle_prompt' },
    SubagentStop: { ...base, hook_event_name: 'SubagentStop', stop_hook_active: false },
    Stop: { ...base, hook_event_name: 'Stop', stop_hook_active: false },
    SessionEnd: { ...base, hook_event_name: 'SessionEnd', reason: 'prompt_input_exit' },
  };
}

/** Gemini CLI's hook payloads, as its hooks reference documents them. */
function geminiPayloads(cwd: string): Record<string, object> {
  const base = { session_id: 'gem-session-1', transcript_path: join(cwd, 'gemini.json'), cwd, timestamp: '2026-12-02T18:00:00.000Z' };
  return {
    BeforeAgent: { ...base, hook_event_name: 'BeforeAgent', prompt: 'Add a dark mode toggle' },
    Notification: { ...base, hook_event_name: 'Notification', notification_type: 'ToolPermission', message: 'Allow run_shell_command: git push?', details: { tool_name: 'run_shell_command' } },
    AfterTool: { ...base, hook_event_name: 'AfterTool', tool_name: 'run_shell_command', tool_input: { command: 'git push' }, tool_response: { llmContent: 'ok' } },
    AfterAgent: { ...base, hook_event_name: 'AfterAgent', prompt: 'Add a dark mode toggle', prompt_response: 'Done.', stop_hook_active: false },
  };
}

describe('agent status from every signal', () => {
  const world = useWorld({ branch: 'status' });
  let dir: string;
  let reporter: string;
  const models: AgentStateModel[] = [];
  const monitors: AgentStatusMonitor[] = [];

  beforeEach(async () => {
    dir = join(world.repo.root, '.stand-in');
    await mkdir(dir, { recursive: true });
    reporter = await writeReporter(world.harness.stateDirectory);
    await writeFile(join(dir, 'report.sh'), `exec /bin/sh '${reporter}' "$@"\n`);
    await writeFile(join(dir, 'agent.sh'), STAND_IN);
  });
  afterEach(() => {
    for (const model of models.splice(0)) model.dispose();
    for (const monitor of monitors.splice(0)) monitor.dispose();
  });

  async function hooks(payloads: Record<string, object>, command: (event: string) => string): Promise<void> {
    for (const [name, payload] of Object.entries(payloads)) {
      await writeFile(join(dir, `${name}.json`), JSON.stringify(payload));
      await writeFile(join(dir, `${name}.cmd`), command((payload as { hook_event_name: string }).hook_event_name));
    }
  }

  /** Launches the stand-in as an agent and watches it with the real monitor, sampler and model. */
  async function launch(agentId: string, stuckAfterMs = 60_000) {
    const ws = await world.readyWorkspace();
    const monitor = new AgentStatusMonitor(agentStatusDir(world.harness.stateDirectory));
    monitors.push(monitor);
    await monitor.start();
    const model = new AgentStateModel({ reports: monitor, activity: new ActivitySampler(world.fixture.client(), 500), lifecycle: world.lifecycle.onDidChange, stuckAfterMs: () => stuckAfterMs });
    models.push(model);
    const changes: AgentStateChange[] = [];
    model.onDidChange((batch) => changes.push(...batch));
    const session = await world.lifecycle.launchSession(ws.id, { kind: 'agent', agentId, label: agentId, command: ['/bin/sh', join(dir, 'agent.sh'), dir] });
    model.track(await world.lifecycle.listWorkspaces());
    await eventually(async () => (await world.fixture.tmux('capture-pane', '-p', '-t', `=${session.tmuxName}:`)).includes('stand-in ready'), 5000, 'stand-in started');
    const type = (line: string) => world.fixture.tmux('send-keys', '-t', `=${session.tmuxName}:`, '-l', `${line}\r`);
    const until = (state: AgentState, reason?: NeedsInputReason, timeoutMs = 8000): Promise<AgentLatest> =>
      eventually(
        async () => {
          await model.sample();
          const latest = model.latest(session.key);
          return latest?.state === state && latest.reason === reason ? latest : undefined;
        },
        timeoutMs,
        `${agentId} ${state}${reason ? ` (${reason})` : ''}, last seen ${JSON.stringify(model.latest(session.key))}`,
        100,
      );
    return { session, model, monitor, changes, type, until };
  }

  it('Claude Code: each hook moves the state, with the reason, tool and prompt, and every state has a way out', async () => {
    await hooks(claudePayloads(world.repo.root), (event) => claudeHookCommand(reporter, event));
    const agent = await launch('claude');
    await agent.type('hook SessionStart');
    await agent.until('idle');
    await agent.type('hook UserPromptSubmit');
    const working = await agent.until('working');
    assert.equal(working.prompt, 'Fix the login redirect\nthen run "npm test" — twice');
    const promptFile = promptFilePath(agentStatusDir(world.harness.stateDirectory), agent.session.key);
    assert.equal((await stat(promptFile)).mode & 0o777, 0o600, 'the prompt is kept privately');

    await agent.type('hook PreToolUse');
    await agent.type('hook PermissionRequest');
    const asked = await agent.until('needs-input', 'permission');
    assert.equal(asked.detail, 'Bash: rm -rf build', 'what it asks to run, from the tool input');
    assert.ok(asked.since <= Date.now() && asked.since > Date.now() - 60_000);
    // The user allowed it: the tool runs.
    await agent.type('hook PostToolUse');
    await agent.until('working');

    await agent.type('hook AskUserQuestion');
    await agent.until('needs-input', 'question');
    // The user answers by typing: the agent draws it (output after the report), then its hook follows.
    await agent.type('out');
    await agent.until('working');

    await agent.type('hook NotificationPermission');
    assert.equal((await agent.until('needs-input', 'permission')).detail, 'Claude needs your permission to use Bash');
    await agent.type('hook SubagentStop');
    await agent.until('working');
    await agent.type('hook Stop');
    await agent.until('idle');
    await agent.type('hook NotificationIdle');
    await agent.until('idle');
    // Idle, then a new prompt: working.
    await agent.type('hook UserPromptSubmit');
    await agent.until('working');
    await agent.type('hook SessionEnd');
    await agent.until('done');
    // Done, and the session is cleared and starts again.
    await agent.type('hook SessionStart');
    await agent.until('idle');
    assert.equal(await readFile(join(dir, 'Stop.stdout'), 'utf8'), '', 'a hook that prints would add to Claude\'s context');
  });

  it('turns a working agent stuck after the timeout without output or report, and working again on output, then on a report', async () => {
    await hooks(claudePayloads(world.repo.root), (event) => claudeHookCommand(reporter, event));
    const agent = await launch('claude', 1500);
    await agent.type('hook UserPromptSubmit');
    await agent.until('working');
    // No sampling here: the model's own deadline asks tmux once and decides.
    const stuck = await eventually(() => (agent.model.state(agent.session.key) === 'stuck' ? agent.model.latest(agent.session.key) : undefined), 8000, 'stuck on its own');
    assert.match(stuck?.detail ?? '', /^no output for \d+ s$/);
    await agent.type('out');
    await agent.until('working');
    await agent.until('stuck', undefined, 10_000);
    await agent.type('hook PostToolUse');
    await agent.until('working');
  });

  it('Gemini CLI: its hooks report prompt, permission, tools and end of turn, and print the JSON it expects', async () => {
    await hooks(geminiPayloads(world.repo.root), (event) => geminiHookCommand(reporter, event));
    const agent = await launch('gemini');
    await agent.type('hook BeforeAgent');
    await eventually(() => agent.model.latest(agent.session.key)?.prompt === 'Add a dark mode toggle', 5000, 'prompt reported');
    await agent.until('working');
    await agent.type('hook Notification');
    assert.equal((await agent.until('needs-input', 'permission')).detail, 'Allow run_shell_command: git push?');
    await agent.type('hook AfterTool');
    await agent.until('working');
    await agent.type('hook AfterAgent');
    await agent.until('idle');
    assert.equal(await readFile(join(dir, 'AfterAgent.stdout'), 'utf8'), '{}');
  });

  it('Codex: the end of a turn (agent-turn-complete) is idle with its prompt, output after it is a new turn, a bell is a question', async () => {
    await writeFile(
      join(dir, 'turn.json'),
      JSON.stringify({ type: 'agent-turn-complete', 'thread-id': '019a2b3c-thread', 'turn-id': '12', cwd: world.repo.root, 'input-messages': ['Rename the helper'], 'last-assistant-message': 'Renamed it.' }),
    );
    const agent = await launch('codex');
    await agent.type('codex turn');
    const idle = await agent.until('idle');
    assert.equal(idle.prompt, 'Rename the helper');
    await agent.type('out');
    await agent.until('working');
    await agent.until('idle', undefined, 10_000);
    await agent.type('bell');
    assert.equal((await agent.until('needs-input')).detail, 'it rang the terminal bell');
    await agent.type('out');
    await agent.until('working');
  });

  it('opencode: our plugin turns busy, permission asked and idle into reports', async () => {
    await writeFile(join(dir, 'tmux-workspaces.mjs'), opencodePluginText(reporter));
    await writeFile(join(dir, 'event.mjs'), OPENCODE_DRIVER);
    const events: Record<string, object> = {
      chat: { chat: { input: { sessionID: 'ses_9f8e7d' }, output: { message: {}, parts: [{ type: 'text', text: 'Write the changelog' }] } } },
      busy: { type: 'session.status', properties: { sessionID: 'ses_9f8e7d', status: { type: 'busy' } } },
      asked: { type: 'permission.asked', properties: { id: 'per_1', sessionID: 'ses_9f8e7d', permission: 'bash', title: 'git push origin main' } },
      replied: { type: 'permission.replied', properties: { sessionID: 'ses_9f8e7d', permissionID: 'per_1', response: 'once' } },
      idle: { type: 'session.idle', properties: { sessionID: 'ses_9f8e7d' } },
    };
    for (const [name, event] of Object.entries(events)) await writeFile(join(dir, `${name}.json`), JSON.stringify(event));
    const agent = await launch('opencode');
    await agent.type('opencode chat');
    await eventually(() => agent.model.latest(agent.session.key)?.prompt === 'Write the changelog', 5000, 'prompt reported');
    await agent.until('working');
    await agent.type('opencode asked');
    assert.equal((await agent.until('needs-input', 'permission')).detail, 'git push origin main');
    await agent.type('opencode replied');
    await agent.until('working');
    await agent.type('opencode idle');
    await agent.until('idle');
    await agent.type('opencode busy');
    await agent.until('working');
  });

  it('ends as failed with its exit status, or done, and keeps a launch\'s first prompt as the latest until a hook says otherwise', async () => {
    const agent = await launch('claude');
    await rememberFirstPrompt(agentStatusDir(world.harness.stateDirectory), agent.session.key, 'First: read the README');
    await eventually(() => agent.monitor.prompt(agent.session.key) === 'First: read the README', 5000, 'first prompt kept');
    await agent.type('exit 3');
    await eventually(() => agent.changes.find((change) => change.to === 'failed'), 5000, 'failed');
    const failed = agent.changes.find((change) => change.to === 'failed')!;
    assert.equal(failed.detail, 'exit 3');
    assert.equal(agent.model.state(agent.session.key), undefined, 'forgotten with its session');
    await eventually(() => !existsSync(promptFilePath(agentStatusDir(world.harness.stateDirectory), agent.session.key)), 5000, 'prompt file removed');
  });
});
