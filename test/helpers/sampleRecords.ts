import type { WorkspaceRecord } from '../../src/core/store/records';

/** A ready workspace `ws` on branch feature/login, made an hour before `now`: the rows and notices of the agent tests belong to it. */
export function sampleWorkspace(now: number): WorkspaceRecord {
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
