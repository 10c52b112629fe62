import * as assert from 'node:assert/strict';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import type { CommandContext } from '../../src/ui/host';
import { CommandId } from '../../src/ui/ids';
import { git } from '../helpers/gitRepo';
import { RecordingLog, ScriptedHost, runGuarded } from '../helpers/scriptedHost';
import { useWorld } from '../helpers/world';

/** A stand-in for gh on PATH: records each argv (one JSON line each) and answers as the real gh does when logged in. */
async function fakeGh(bin: string, record: string): Promise<void> {
  const script = `#!/usr/bin/env node
const fs = require('node:fs');
const args = process.argv.slice(2);
fs.appendFileSync(${JSON.stringify(record)}, JSON.stringify(args) + '\\n');
if (args[0] === 'auth') { process.stderr.write('github.com\\n  ✓ Logged in to github.com account octo\\n'); process.exit(0); }
if (args[0] === 'pr' && args[1] === 'create') { process.stderr.write('\\nCreating pull request for feat/pr into main in acme/app\\n\\n'); process.stdout.write('https://github.com/acme/app/pull/7\\n'); process.exit(0); }
if (args[0] === 'pr' && args[1] === 'view') { process.stdout.write(JSON.stringify({ state: 'MERGED', url: 'https://github.com/acme/app/pull/7' }) + '\\n'); process.exit(0); }
process.stderr.write('unknown command\\n'); process.exit(1);
`;
  await writeFile(join(bin, 'gh'), script);
  await chmod(join(bin, 'gh'), 0o755);
}

describe('Create Pull Request', () => {
  let remote: string;
  const world = useWorld({
    branch: 'feat/pr',
    // A GitHub remote whose pushes land in a bare repository here: the compare page is GitHub's, the push is real.
    setup: async (w) => {
      remote = await mkdtemp(join(tmpdir(), 'tw-remote-'));
      await git(remote, 'init', '-q', '--bare');
      await git(w.repo.repo, 'remote', 'add', 'origin', 'git@github.com:acme/app.git');
      await git(w.repo.repo, 'remote', 'set-url', '--push', 'origin', remote);
    },
    teardown: async () => rm(remote, { recursive: true, force: true }),
  });

  function context(host: ScriptedHost): CommandContext {
    const settings = { setupCommand: () => ({ blockedByTrust: false }), agents: () => ({ agents: [], problems: [], blockedByTrust: false }), attachOnLaunch: () => false, branchPrefix: () => '', updateStrategy: () => 'merge' as const };
    return { lifecycle: world.lifecycle, host, log: new RecordingLog(), settings, repositories: { repositories: async () => [world.repo.repo] }, environment: process.env };
  }

  async function workspaceWithWork() {
    const ws = await world.readyWorkspace();
    await writeFile(join(ws.worktreePath, 'login.ts'), 'export {};\n');
    await git(ws.worktreePath, 'add', '.');
    await git(ws.worktreePath, 'commit', '-q', '-m', 'Add the login page', '-m', 'Made by the agent.');
    return ws;
  }

  it('without gh, pushes and opens GitHub\'s compare page derived from the ssh remote', async () => {
    const ws = await workspaceWithWork();
    const host = new ScriptedHost([]);
    await runGuarded(context(host), CommandId.createPullRequest, ws.id);
    assert.deepEqual(host.shown, []);
    assert.deepEqual(host.opened, ['https://github.com/acme/app/compare/main...feat/pr?expand=1']);
    assert.equal(await git(remote, 'rev-parse', 'feat/pr'), await git(ws.worktreePath, 'rev-parse', 'HEAD'), 'pushed first');
  });

  it('without gh, hands over to the GitHub Pull Requests extension when it is installed', async () => {
    const ws = await workspaceWithWork();
    const host = new ScriptedHost([]);
    host.pullRequestExtension = true;
    await runGuarded(context(host), CommandId.createPullRequest, ws.id);
    assert.deepEqual(host.pullRequestHandovers, ['pr.create']);
    assert.deepEqual(host.opened, []);
  });

  it('with gh logged in, runs gh pr create with the base, the branch and the commit\'s title and body, and keeps the state gh tells', async () => {
    const ws = await workspaceWithWork();
    const bin = await mkdtemp(join(tmpdir(), 'tw-gh-'));
    const record = join(bin, 'argv.jsonl');
    await fakeGh(bin, record);
    const path = process.env.PATH;
    process.env.PATH = `${bin}${delimiter}${path ?? ''}`;
    try {
      const host = new ScriptedHost([]);
      host.clickAction = 'Open';
      await runGuarded(context(host), CommandId.createPullRequest, ws.id);
      assert.match(host.shown[0].message, /https:\/\/github\.com\/acme\/app\/pull\/7/);
      assert.deepEqual(host.opened, ['https://github.com/acme/app/pull/7']);
      const calls = (await readFile(record, 'utf8')).split('\n').filter(Boolean).map((line) => JSON.parse(line) as string[]);
      assert.deepEqual(calls, [
        ['auth', 'status'],
        ['pr', 'create', '--base', 'main', '--head', 'feat/pr', '--title', 'Add the login page', '--body', 'Made by the agent.'],
      ]);
      assert.deepEqual(await world.lifecycle.pullRequest(ws.id), { url: 'https://github.com/acme/app/pull/7', state: 'open' }, 'kept from the create: gh is not asked again');
      assert.equal((await readFile(record, 'utf8')).split('\n').filter(Boolean).length, 2);
    } finally {
      process.env.PATH = path;
      await rm(bin, { recursive: true, force: true });
    }
  });
});
