import * as assert from 'node:assert/strict';
import type { SetupEvent, WorkspaceRecord } from '../../src/core/store/records';
import { workspaceNode } from '../../src/ui/tree/nodes';

const AT = new Date(2026, 11, 2, 14, 5, 9).getTime();

function event(stage: SetupEvent['stage'], outcome: SetupEvent['outcome'], detail?: string): SetupEvent {
  return { stage, outcome, at: AT, ...(detail ? { detail } : {}) };
}

function tooltip(status: WorkspaceRecord['status'], setupEvents: SetupEvent[]): string {
  const record: WorkspaceRecord = {
    v: 1, id: 'a', repoPath: '/src/app', branch: 'feature/a', baseBranch: 'main', branchSource: 'new',
    worktreePath: '/src/app.worktrees/feature-a', createdBranch: true, status, setupEvents, baseSession: 'tw-a-base', createdAt: AT, updatedAt: AT,
  };
  const view = { record, folder: true, base: { name: record.baseSession, alive: true, attachedClients: 0 }, sessions: [] };
  return workspaceNode(view, { stats: new Map(), tmuxAvailable: true, now: AT }).tooltip!;
}

/** The setup section of a tooltip, line by line. */
function history(text: string): string[] {
  return text.slice(text.indexOf('Setup attempts')).split('\n');
}

const FIRST = [
  event('worktree', 'started'), event('worktree', 'ok'),
  event('terminal', 'started'), event('terminal', 'ok'),
  event('include', 'started'), event('include', 'ok'),
  event('setup', 'started'), event('setup', 'failed', 'The setup command `npm ci` exited with 3.'),
];

describe('the setup history in a workspace tooltip', () => {
  it('separates attempts, newest first, each saying how it ended', () => {
    const retried = [...FIRST, event('terminal', 'started'), event('terminal', 'ok'), event('setup', 'started'), event('setup', 'failed', 'The setup command `npm ci` exited with 1.')];
    assert.deepEqual(history(tooltip('error', retried)), [
      'Setup attempts, newest first:',
      '- **attempt 2 — failed at setup** (2026-12-02 14:05:09)',
      '  - 14:05:09 base terminal: ok',
      '  - 14:05:09 setup: failed (The setup command `npm ci` exited with 1.)',
      '- **attempt 1 — failed at setup** (2026-12-02 14:05:09)',
      '  - 14:05:09 worktree: ok',
      '  - 14:05:09 base terminal: ok',
      '  - 14:05:09 copying files: ok',
      '  - 14:05:09 setup: failed (The setup command `npm ci` exited with 3.)',
    ]);
  });

  it('says an attempt that stopped without an outcome was interrupted, and the running one is running', () => {
    const interrupted = [...FIRST.slice(0, 4), event('include', 'started'), event('terminal', 'started')];
    const lines = history(tooltip('creating', interrupted));
    assert.equal(lines[1], '- **attempt 2 — running: base terminal…** (2026-12-02 14:05:09)');
    assert.ok(lines.includes('- **attempt 1 — interrupted at copying files** (2026-12-02 14:05:09)'), lines.join('\n'));
  });

  it('calls an attempt that went through every stage ready', () => {
    assert.equal(history(tooltip('ready', FIRST.slice(0, 6)))[1], '- **attempt 1 — ready** (2026-12-02 14:05:09)');
  });

  it('keeps the steps of one setup in one attempt, each with its name and duration, and a retry that resumes at a step a new attempt', () => {
    const step = (name: string, outcome: SetupEvent['outcome'], ms?: number, detail?: string): SetupEvent => ({ ...event('setup', outcome, detail), step: name, ...(ms === undefined ? {} : { ms }) });
    const events = [
      ...FIRST.slice(0, 6),
      step('install', 'started'), step('install', 'ok', 1234, '"install" succeeded'),
      step('migrate', 'started'), step('migrate', 'failed', 65_000, 'The setup step "migrate" (`npm run migrate`) exited with 1.'),
      event('terminal', 'started'), event('terminal', 'ok'),
      step('migrate', 'started'),
    ];
    const lines = history(tooltip('creating', events));
    assert.equal(lines[1], '- **attempt 2 — running: setup step "migrate"…** (2026-12-02 14:05:09)');
    assert.ok(lines.includes('- **attempt 1 — failed at setup step "migrate"** (2026-12-02 14:05:09)'), lines.join('\n'));
    assert.ok(lines.includes('  - 14:05:09 setup step "install": ok after 1.2 s ("install" succeeded)'), lines.join('\n'));
    assert.ok(lines.includes('  - 14:05:09 setup step "migrate": failed after 1 min 5 s (The setup step "migrate" (`npm run migrate`) exited with 1.)'), lines.join('\n'));
  });
});
