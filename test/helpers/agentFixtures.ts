import type { WorkspaceRecord } from '../../src/core/store/records';

/** A ready workspace's record as the tree's unit tests use it, created an hour before `now`. */
export function readyWorkspace(now: number): WorkspaceRecord {
  return {
    v: 1,
    id: 'ws',
    repoPath: '/src/app',
    branch: 'feature/login',
    baseBranch: 'main',
    branchSource: 'new',
    worktreePath: '/src/app.worktrees/feature-login',
    createdBranch: true,
    status: 'ready',
    setupEvents: [],
    baseSession: 'tw-ws-base',
    createdAt: now - 3_600_000,
    updatedAt: now,
  };
}
