import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { WorkspaceError } from '../../src/core/errors';
import type { AgentState } from '../../src/core/agents/AgentStatus';
import type { SessionRecord } from '../../src/core/store/records';
import { sendSelectionToAgent } from '../../src/ui/commands/messageCommands';
import type { CommandContext } from '../../src/ui/host';
import { RecordingLog, ScriptedHost } from '../helpers/scriptedHost';
import { PASTE_START, STAND_IN, count, typedAfterMarker } from '../helpers/standIn';
import { useWorld } from '../helpers/world';

describe('Send to Agent: messages into a running agent', () => {
  let standIn: string;
  let received: string;
  const world = useWorld({
    branch: 'messages',
    setup: async ({ repo }) => {
      standIn = join(repo.root, 'stand-in.sh');
      received = join(repo.root, 'received.txt');
      await writeFile(standIn, STAND_IN);
    },
  });
  const messages = () => join(world.harness.stateDirectory, 'messages');

  async function agent(): Promise<SessionRecord> {
    const ws = await world.readyWorkspace();
    const session = await world.lifecycle.launchSession(ws.id, { kind: 'agent', label: 'stand-in', command: ['/bin/sh', standIn, received] });
    // Ready for input once it printed its prompt.
    await typedAfterMarker(world.fixture, session.tmuxName, received);
    return session;
  }

  it('pastes a message into an agent that is not working, at once, as one bracketed paste', async () => {
    const session = await agent();
    assert.equal(await world.lifecycle.agentInput.sendToAgent(session.key, 'src/a.ts:3-4\n```\nconst a = 1;\n```\nwhy is this 1?', { agentBusy: false }), 'sent');
    const text = await typedAfterMarker(world.fixture, session.tmuxName, received);
    assert.equal(count(text, `${PASTE_START}src/a.ts:3-4\n\`\`\`\nconst a = 1;\n\`\`\`\nwhy is this 1?\x1b[201~`), 1);
    assert.equal(world.lifecycle.session(session.key)?.queued, undefined, 'nothing queued');
  });

  it('queues messages while the agent works and delivers them in order, once, when it is free: also from a reloaded window', async () => {
    const session = await agent();
    assert.equal(await world.lifecycle.agentInput.sendToAgent(session.key, 'first', { agentBusy: true }), 'queued');
    // Something waits already: the next one queues behind it even with the agent free.
    assert.equal(await world.lifecycle.agentInput.sendToAgent(session.key, 'second', { agentBusy: false }), 'queued');
    assert.deepEqual(world.lifecycle.session(session.key)?.queued?.map((message) => message.preview), ['first', 'second']);
    for (const name of await readdir(messages())) assert.equal((await stat(join(messages(), name))).mode & 0o777, 0o600, `${name} is private`);
    const before = await typedAfterMarker(world.fixture, session.tmuxName, received);
    assert.equal(count(before, 'first'), 0, 'nothing pasted while the agent works');

    const other = await world.harness.reload();
    // Both windows see the agent go idle at once.
    await Promise.all([other.agentInput.deliverQueued(session.key), other.agentInput.deliverQueued(session.key), world.lifecycle.agentInput.deliverQueued(session.key)]);
    const text = await typedAfterMarker(world.fixture, session.tmuxName, received);
    assert.equal(count(text, `${PASTE_START}first`), 1);
    assert.equal(count(text, `${PASTE_START}second`), 1);
    assert.ok(text.indexOf('first') < text.indexOf('second'), 'in order');
    assert.deepEqual(other.session(session.key)?.queued, []);
    assert.deepEqual(await readdir(messages()), [], 'no text left behind');
  });

  it('cancels the messages still waiting: none is pasted later', async () => {
    const session = await agent();
    await world.lifecycle.agentInput.sendToAgent(session.key, 'never mind', { agentBusy: true });
    assert.equal(await world.lifecycle.agentInput.cancelQueued(session.key), 1);
    assert.deepEqual(world.lifecycle.session(session.key)?.queued, []);
    await world.lifecycle.agentInput.deliverQueued(session.key);
    const text = await typedAfterMarker(world.fixture, session.tmuxName, received);
    assert.equal(count(text, 'never mind'), 0);
    assert.deepEqual(await readdir(messages()), []);
  });

  it('refuses a message it cannot send, and queues nothing', async () => {
    const session = await agent();
    for (const [text, problem] of [['  ', /The message is empty/], ['a\x1bb', /The message contains a control character/], ['x'.repeat(70 * 1024), /at most 64 KiB/]] as const) {
      await assert.rejects(world.lifecycle.agentInput.sendToAgent(session.key, text, { agentBusy: true }), (error: WorkspaceError) => {
        assert.equal(error.kind, 'refused');
        assert.match(error.message, problem);
        return true;
      });
    }
    assert.equal(world.lifecycle.session(session.key)?.queued, undefined);
    assert.ok(!existsSync(messages()) || (await readdir(messages())).length === 0);
  });
});

describe('Send to Agent from the editor', () => {
  let received: string;
  let standIn: string;
  const world = useWorld({
    branch: 'selection',
    setup: async ({ repo }) => {
      standIn = join(repo.root, 'stand-in.sh');
      received = join(repo.root, 'received.txt');
      await writeFile(standIn, STAND_IN);
    },
  });

  function context(host: ScriptedHost, state?: AgentState): CommandContext {
    return {
      lifecycle: world.lifecycle,
      host,
      log: new RecordingLog(),
      settings: { setupCommand: () => ({ blockedByTrust: false }), agents: () => ({ agents: [], problems: [], blockedByTrust: false }), attachOnLaunch: () => false, branchPrefix: () => '', updateStrategy: () => 'merge' },
      repositories: { repositories: async () => [world.repo.repo] },
      environment: process.env,
      agentState: () => state,
    };
  }

  it('sends the selection with its file and lines to the agent of the worktree it is in, without asking which; queued while it works', async () => {
    const ws = await world.readyWorkspace();
    const session = await world.lifecycle.launchSession(ws.id, { kind: 'agent', label: 'stand-in', command: ['/bin/sh', standIn, received] });
    await typedAfterMarker(world.fixture, session.tmuxName, received);
    const host = new ScriptedHost(['is this right?']);
    host.selection = { path: join(ws.worktreePath, 'src', 'login.ts'), startLine: 12, endLine: 14, text: 'if (user) {\n  login(user);\n}\n' };
    assert.equal(await sendSelectionToAgent(context(host, 'idle'), undefined), 'sent');
    const text = await typedAfterMarker(world.fixture, session.tmuxName, received);
    assert.equal(count(text, `${PASTE_START}src/login.ts:12-14\n\`\`\`\nif (user) {\n  login(user);\n}\n\`\`\`\nis this right?\x1b[201~`), 1);
    assert.deepEqual(host.shown.map((shown) => shown.message), ['Sent to stand-in in "selection".']);

    const busy = new ScriptedHost(['']);
    busy.selection = host.selection;
    assert.equal(await sendSelectionToAgent(context(busy, 'working'), undefined), 'queued');
    assert.match(busy.shown[0].message, /Queued for stand-in .*it is sent when the agent stops working/);
    assert.equal(world.lifecycle.session(session.key)?.queued?.[0].preview, 'src/login.ts:12-14');

    const none = new ScriptedHost();
    await assert.rejects(sendSelectionToAgent(context(none), undefined), /Select some text in an editor first/);
  });
});
