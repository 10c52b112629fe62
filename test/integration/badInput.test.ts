import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { WorkspaceError } from '../../src/core/errors';
import { WATCHER_SESSION } from '../../src/core/naming';
import type { LaunchRequest } from '../../src/core/lifecycle/RuntimeLifecycle';
import { RecordStore } from '../../src/core/store/RecordStore';
import { git, makeRepo } from '../helpers/gitRepo';
import { eventually } from '../helpers/poll';
import { useWorld } from '../helpers/world';

const AGENT = ['/bin/sh', '-c', 'exec sleep 600'];

describe('bad input', () => {
  const world = useWorld({ start: false, stateDir: true });

  async function branches(repoPath = world.repo.repo): Promise<string[]> {
    return (await git(repoPath, 'for-each-ref', '--format=%(refname:short)', 'refs/heads')).split('\n').filter(Boolean);
  }

  async function handoffFiles(): Promise<string[]> {
    const run = join(world.stateDir, 'run');
    return existsSync(run) ? (await readdir(run)).filter((name) => name.endsWith('.env')) : [];
  }

  /** No record, no worktree folder, no branch, no tmux session. */
  async function assertNothingCreated(repoPath = world.repo.repo): Promise<void> {
    const store = new RecordStore(world.harness.memento);
    assert.deepEqual(store.workspaces(), [], 'no workspace record');
    assert.deepEqual(store.sessions(), [], 'no session record');
    assert.ok(!existsSync(join(dirname(repoPath), `${basename(repoPath)}.worktrees`)), 'no worktree folder');
    if (existsSync(join(repoPath, '.git'))) {
      assert.deepEqual(await branches(repoPath), ['main'], 'no branch');
      assert.equal((await git(repoPath, 'worktree', 'list', '--porcelain')).split('\n').filter((l) => l.startsWith('worktree ')).length, 1, 'no worktree');
    }
    assert.deepEqual(await world.liveNames(), [], 'no tmux session');
  }

  /** tmux rewrites `.` and `:` in session names; ours must survive list-sessions unchanged. */
  async function assertValidSessionNames(expected: readonly string[]): Promise<void> {
    const names = await world.liveNames();
    for (const name of names) assert.match(name, /^[^.:]+$/, `tmux session name ${JSON.stringify(name)} has no "." or ":"`);
    for (const name of expected) assert.ok(names.includes(name), `${name} is listed by tmux exactly as recorded`);
  }

  describe('invalid branch names are refused with a message and change nothing', () => {
    const cases: readonly [string, string, RegExp][] = [
      ['a space', 'my feature', /cannot contain spaces/],
      ['".."', 'a..b', /cannot contain "\.\."/],
      ['":"', 'fix:bug', /cannot contain ~ \^ :/],
      ['a lone "."', '.', /cannot start with "\."|cannot end with "\."/],
      ['a leading "-"', '-feature', /cannot start with "-"/],
      ['"@{"', 'topic@{1}', /cannot contain "@\{"/],
      ['a trailing ".lock"', 'topic.lock', /end with "\.lock"/],
      ['nothing (empty)', '', /branch name is required/],
      ['only blanks', '   ', /branch name is required/],
    ];
    for (const [what, branch, problem] of cases) {
      it(`refuses a branch name with ${what}`, async () => {
        await assert.rejects(world.readyWorkspace(branch), (error: WorkspaceError) => {
          assert.equal(error.kind, 'refused');
          assert.match(error.message, /Invalid branch name/);
          assert.match(error.message, problem);
          return true;
        });
        await assertNothingCreated();
      });
    }
  });

  it('accepts a unicode branch name, with a valid worktree folder and tmux names, through to delete', async () => {
    const branch = 'fix/ünïcode-日本';
    const ws = await world.readyWorkspace(branch);
    assert.equal(ws.status, 'ready');
    assert.equal(ws.worktreePath, join(world.repo.root, 'repo.worktrees', 'fix-ünïcode-日本'));
    assert.ok(existsSync(join(ws.worktreePath, 'README.md')));
    assert.equal(await git(ws.worktreePath, 'branch', '--show-current'), branch);
    const shell = await world.lifecycle.launchSession(ws.id, { kind: 'shell' });
    const agent = await world.lifecycle.launchSession(ws.id, { kind: 'agent', label: 'Agent ünï 日本', command: AGENT });
    await assertValidSessionNames([ws.baseSession, shell.tmuxName, agent.tmuxName]);
    await world.lifecycle.deleteWorkspace(ws.id);
    assert.ok(!existsSync(ws.worktreePath));
    assert.deepEqual(await branches(), ['main']);
  });

  for (const branch of ['v1.2', 'release/1.0']) {
    it(`derives tmux names without "." or ":" from the branch ${branch}`, async () => {
      const ws = await world.readyWorkspace(branch);
      const agent = await world.lifecycle.launchSession(ws.id, { kind: 'agent', label: 'claude:3.5', command: AGENT });
      assert.doesNotMatch(ws.baseSession, /[.:]/);
      assert.doesNotMatch(agent.tmuxName, /[.:]/);
      await assertValidSessionNames([ws.baseSession, agent.tmuxName]);
      assert.equal(await git(ws.worktreePath, 'branch', '--show-current'), branch);
    });
  }

  it('runs nothing a branch name spells in tmux format syntax, and starts its panes in the worktree', async () => {
    const marker = join(world.repo.root, 'pwned-by-branch-name');
    for (const branch of [`fix#(touch\${IFS}${marker})`, 'fix#Sbug', 'a##b']) {
      const ws = await world.lifecycle.createWorkspace({ repoPath: world.repo.repo, branch });
      assert.equal(ws.status, 'ready', branch);
      const shell = await world.lifecycle.launchSession(ws.id, { kind: 'shell' });
      const paths = await world.fixture.tmux('-u', 'list-sessions', '-F', '#{session_name}\t#{pane_current_path}');
      for (const name of [ws.baseSession, shell.tmuxName]) {
        assert.ok(paths.split('\n').includes(`${name}\t${ws.worktreePath}`), `${name} of ${branch} runs in its worktree`);
      }
    }
    assert.ok(!existsSync(marker), 'the #(...) in the branch name ran nothing');
  });

  it('works end to end in a repository whose path has a space: create, launch a shell, delete', async () => {
    const spaced = await makeRepo('my repo');
    try {
      const ws = await world.lifecycle.createWorkspace({ repoPath: spaced.repo, branch: 'spaced', setupCommand: 'pwd > ../setup-pwd.txt' });
      assert.equal(ws.status, 'ready');
      assert.equal(ws.worktreePath, join(spaced.root, 'my repo.worktrees', 'spaced'));
      assert.equal((await readFile(join(ws.worktreePath, '..', 'setup-pwd.txt'), 'utf8')).trim(), ws.worktreePath);
      const shell = await world.lifecycle.launchSession(ws.id, { kind: 'shell' });
      const paths = await world.fixture.tmux('-u', 'list-sessions', '-F', '#{session_name}\t#{pane_current_path}');
      assert.ok(paths.split('\n').includes(`${shell.tmuxName}\t${ws.worktreePath}`), 'the shell runs in the worktree');
      assert.ok(paths.split('\n').includes(`${ws.baseSession}\t${ws.worktreePath}`), 'the base terminal runs in the worktree');
      await world.lifecycle.deleteWorkspace(ws.id);
      assert.ok(!existsSync(ws.worktreePath));
      assert.deepEqual(await branches(spaced.repo), ['main']);
      assert.deepEqual(await world.liveNames(), ['tw-watcher']);
      assert.deepEqual(await world.lifecycle.listWorkspaces(), []);
    } finally {
      await spaced.cleanup();
    }
  });

  it('delivers environment values with quotes, $, backticks and newlines literally, through the handoff file only', async () => {
    const ws = await world.readyWorkspace('env');
    const value = `it's "quoted" $HOME \`touch pwned\` $(touch pwned) \\back\nsecond line\t${'$'}{PATH}`;
    const out = join(world.repo.root, 'env-value.txt');
    const session = await world.lifecycle.launchSession(ws.id, {
      kind: 'agent',
      command: ['/bin/sh', '-c', 'printf "%s" "$TRICKY" > "$0.tmp" && mv "$0.tmp" "$0"; exec sleep 600', out],
      environment: { TRICKY: value },
    });
    await eventually(() => existsSync(out), 5000, 'the pane wrote the value');
    assert.equal(await readFile(out, 'utf8'), value);
    assert.ok(!existsSync(join(ws.worktreePath, 'pwned')), 'nothing in the value ran');
    assert.deepEqual(await handoffFiles(), [], 'the pane consumed its handoff file');
    const startCommand = await world.fixture.tmux('-u', 'display-message', '-p', '-t', `=${session.tmuxName}:`, '#{pane_start_command}');
    assert.doesNotMatch(startCommand, /second line|quoted/, 'the value is not in tmux argv');
  });

  it('starts the base terminal and the shell from a login shell whose path has quotes, $ and spaces', async () => {
    const folder = join(world.repo.root, `it's a "$HOME" dir`);
    await mkdir(folder);
    const shell = join(folder, 'sh');
    const log = join(world.repo.root, 'shell-log.txt');
    await writeFile(shell, `#!/bin/sh\nprintf '%s|%s|%s\\n' "$0" "$1" "$TMUX_WORKSPACES_SESSION" >> '${log}'\nexec sleep 600\n`);
    await chmod(shell, 0o755);
    const weird = await world.harness.lifecycle({ stateDir: world.stateDir, shell });
    const ws = await weird.createWorkspace({ repoPath: world.repo.repo, branch: 'weird-shell' });
    const session = await weird.launchSession(ws.id, { kind: 'shell' });
    const lines = await eventually(async () => {
      const text = existsSync(log) ? await readFile(log, 'utf8') : '';
      const found = text.split('\n').filter(Boolean);
      return found.length >= 2 ? found : undefined;
    }, 5000, 'both shells started');
    assert.deepEqual(lines.sort(), [`${shell}|-l|${ws.baseSession}`, `${shell}|-l|${session.tmuxName}`].sort());
  });

  it('refuses a folder that is not a git repository, naming the path, and creates nothing', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'tw-plain-'));
    try {
      await assert.rejects(world.lifecycle.createWorkspace({ repoPath: folder, branch: 'feature' }), (error: WorkspaceError) => {
        assert.equal(error.kind, 'refused');
        assert.ok(error.message.includes(folder), `"${error.message}" names ${folder}`);
        assert.match(error.message, /not inside a git repository/);
        return true;
      });
      await assertNothingCreated(folder);
      assert.deepEqual(await readdir(folder), [], 'the folder is untouched');
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });

  it('rejects a repository folder that does not exist, naming the path', async () => {
    const missing = join(world.repo.root, 'no such folder');
    await assert.rejects(world.lifecycle.createWorkspace({ repoPath: missing, branch: 'feature' }), (error: WorkspaceError) => {
      assert.ok(error instanceof WorkspaceError && error.kind !== 'failed', `a ${error.kind} error, not a crash`);
      assert.ok(error.message.includes(missing), `"${error.message}" names ${missing}`);
      return true;
    });
    assert.ok(!existsSync(missing));
    assert.deepEqual(new RecordStore(world.harness.memento).workspaces(), []);
  });

  describe('launch without a command is refused and starts nothing', () => {
    const cases: readonly [string, LaunchRequest][] = [
      ['no command', { kind: 'agent', label: 'agent' }],
      ['an empty command', { kind: 'agent', label: 'agent', command: [] }],
      ['an empty program name', { kind: 'agent', label: 'agent', command: ['', '--flag'] }],
    ];
    for (const [what, request] of cases) {
      it(`refuses an agent with ${what}`, async () => {
        const ws = await world.readyWorkspace('launch');
        // The watcher's own session comes up in the background; it is not a launch.
        const sessions = async () => (await world.liveNames()).filter((name) => name !== WATCHER_SESSION);
        const before = await sessions();
        await assert.rejects(world.lifecycle.launchSession(ws.id, request), (error: WorkspaceError) => {
          assert.equal(error.kind, 'refused');
          assert.match(error.message, /needs a command/);
          return true;
        });
        assert.deepEqual(await sessions(), before, 'no tmux session started');
        assert.deepEqual(new RecordStore(world.harness.memento).sessions(), [], 'no session record');
        assert.deepEqual(await handoffFiles(), [], 'no handoff file left');
      });
    }
  });
});
