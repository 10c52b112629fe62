import * as assert from 'node:assert/strict';
import { WorkspaceError } from '../../src/core/errors';
import { allocatePortBlock, parseProcNetTcp, portRange, resolvePortSettings } from '../../src/core/lifecycle/portBlocks';
import { renderTemplate, workspaceEnvironment, workspaceName } from '../../src/core/lifecycle/workspaceEnvironment';
import { SCHEMA_VERSION, type WorkspaceRecord } from '../../src/core/store/records';

const record: WorkspaceRecord = {
  v: SCHEMA_VERSION,
  id: 'feature-login-abc',
  repoPath: '/code/app',
  branch: 'feature/login',
  baseBranch: 'main',
  worktreePath: '/code/app.worktrees/feature-login',
  branchSource: 'new',
  createdBranch: true,
  status: 'ready',
  setupEvents: [],
  baseSession: 'tw-feature-login-abc-base',
  ports: { first: 41010, count: 10 },
  createdAt: 0,
  updatedAt: 0,
};

/** The refusal's message, asserting it is one. */
function refusal(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof WorkspaceError && error.kind === 'refused', `refused, not ${String(error)}`);
    return error.message;
  }
  assert.fail('it was not refused');
}

describe('workspace environment', () => {
  it('names the workspace by its worktree folder, one path segment', () => {
    assert.equal(workspaceName(record), 'feature-login');
  });

  it('sets the built-in variables from the record', () => {
    assert.deepEqual(workspaceEnvironment(record), {
      TMUX_WORKSPACES_NAME: 'feature-login',
      TMUX_WORKSPACES_BRANCH: 'feature/login',
      TMUX_WORKSPACES_ROOT: '/code/app',
      TMUX_WORKSPACES_PORT: '41010',
      TMUX_WORKSPACES_PORTS: '41010-41019',
    });
  });

  it('renders every placeholder, the n-th port and literal braces', () => {
    assert.equal(
      renderTemplate('{name}|{branch}|{root}|{worktree}|{port}|{port+3}|{ port + 9 }|{ports}|{{x}}', record),
      'feature-login|feature/login|/code/app|/code/app.worktrees/feature-login|41010|41013|41019|41010-41019|{x}',
    );
  });

  it('lets a later layer replace an earlier one, and never the built-in variables', () => {
    const env = workspaceEnvironment(record, [
      { source: '.tmux-workspaces.json', env: { COMPOSE_PROJECT_NAME: 'app-{name}', DATABASE_URL: 'postgres://localhost:{port}/app' } },
      { source: 'setting tmuxWorkspaces.env', env: { DATABASE_URL: 'postgres://localhost:{port+1}/mine' } },
    ]);
    assert.equal(env.COMPOSE_PROJECT_NAME, 'app-feature-login');
    assert.equal(env.DATABASE_URL, 'postgres://localhost:41011/mine');
    assert.equal(env.TMUX_WORKSPACES_PORT, '41010');
  });

  it('refuses a bad template or name with a message naming the variable and its source', () => {
    const bad = (env: Record<string, unknown>) => refusal(() => workspaceEnvironment(record, [{ source: 'setting tmuxWorkspaces.env', env }]));
    assert.match(bad({ URL: 'http://{prot}' }), /setting tmuxWorkspaces\.env\.URL has an unknown placeholder \{prot\}/);
    assert.match(bad({ URL: 'http://{port' }), /tmuxWorkspaces\.env\.URL has an unmatched "\{"/);
    assert.match(bad({ URL: 'a}b' }), /tmuxWorkspaces\.env\.URL has an unmatched "\}"/);
    assert.match(bad({ URL: '{port+10}' }), /tmuxWorkspaces\.env\.URL uses \{port\+10\}, outside the workspace's block of 10 ports/);
    assert.match(bad({ '1BAD': 'x' }), /tmuxWorkspaces\.env\.1BAD is not a valid variable name/);
    assert.match(bad({ 'A-B': 'x' }), /tmuxWorkspaces\.env\.A-B is not a valid variable name/);
    assert.match(bad({ TMUX_WORKSPACES_PORT: '1' }), /tmuxWorkspaces\.env\.TMUX_WORKSPACES_PORT starts with TMUX_WORKSPACES_/);
    assert.match(bad({ TMUX: 'x' }), /tmuxWorkspaces\.env\.TMUX is set by tmux/);
    assert.match(bad({ N: 3 }), /tmuxWorkspaces\.env\.N must be a string, not 3/);
    assert.match(refusal(() => workspaceEnvironment(record, [{ source: 'setting tmuxWorkspaces.env', env: ['x'] as never }])), /must map variable names/);
  });

  it('refuses a port placeholder while the workspace has no block, and leaves out its port variables', () => {
    const withoutPorts: WorkspaceRecord = { ...record, ports: undefined };
    assert.match(refusal(() => renderTemplate('{port}', withoutPorts, 'X')), /X uses \{port\}, but the workspace has no ports yet/);
    assert.equal(workspaceEnvironment(withoutPorts).TMUX_WORKSPACES_PORT, undefined);
  });

  it('leaves out, for a teardown, the variables that need a block the workspace does not hold', () => {
    const withoutPorts: WorkspaceRecord = { ...record, ports: undefined };
    const left: string[] = [];
    const layers = [
      { source: '.tmux-workspaces.json: env', env: { DB: 'db', NAME: 'n-{name}' } },
      { source: 'setting tmuxWorkspaces.env', env: { DB: 'db-{port+1}', RANGE: '{ports}' } },
    ];
    const env = workspaceEnvironment(withoutPorts, layers, { withoutBlock: (where) => left.push(where) });
    assert.equal(env.NAME, 'n-feature-login');
    assert.equal('DB' in env || 'RANGE' in env, false, 'a later layer left out takes the earlier one with it');
    assert.deepEqual(left, ['setting tmuxWorkspaces.env.DB', 'setting tmuxWorkspaces.env.RANGE']);
  });
});

describe('port blocks', () => {
  const free = async () => true;

  it('hands out the first aligned block no other block overlaps', async () => {
    const settings = { base: 41000, blockSize: 10 };
    assert.deepEqual(await allocatePortBlock([], settings, free), { first: 41000, count: 10 });
    assert.deepEqual(await allocatePortBlock([{ first: 41000, count: 10 }, { first: 41015, count: 3 }], settings, free), { first: 41020, count: 10 });
  });

  it('skips a block with a busy port', async () => {
    const busy = new Set([41004]);
    assert.deepEqual(await allocatePortBlock([], { base: 41000, blockSize: 10 }, async (port) => !busy.has(port)), { first: 41010, count: 10 });
  });

  it('refuses when no block fits below 65535', async () => {
    await assert.rejects(allocatePortBlock([{ first: 65530, count: 6 }], { base: 65530, blockSize: 6 }, free), /No free block of 6 ports is left from port 65530/);
  });

  it('layers settings over the defaults and refuses a bad value naming its source', () => {
    assert.deepEqual(resolvePortSettings([]), { base: 41000, blockSize: 10 });
    assert.deepEqual(resolvePortSettings([{ base: 50000, blockSize: 5 }, { blockSize: 20 }]), { base: 50000, blockSize: 20 });
    assert.throws(() => resolvePortSettings([{ base: 80, source: '.tmux-workspaces.json' }]), /ports\.base in \.tmux-workspaces\.json must be a whole number from 1024 to 65535, not 80/);
    assert.throws(() => resolvePortSettings([{ blockSize: 2.5 }]), /ports\.blockSize in settings must be a whole number/);
    assert.throws(() => resolvePortSettings([{ base: 65530, blockSize: 10 }]), /goes past port 65535/);
  });

  it('says a range as first-last', () => {
    assert.equal(portRange({ first: 41000, count: 10 }), '41000-41009');
    assert.equal(portRange({ first: 41000, count: 1 }), '41000');
  });

  it('reads the listening ports from /proc/net/tcp', () => {
    const text = [
      '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
      '   0: 0100007F:A028 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 1 1',
      '   1: 0100007F:A029 0100007F:8000 01 00000000:00000000 00:00000000 00000000  1000        0 2 1',
    ].join('\n');
    assert.deepEqual(parseProcNetTcp(text), [0xa028]);
  });
});
