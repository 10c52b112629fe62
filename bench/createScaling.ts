/**
 * Whether Create gets slower as workspaces pile up (issue #12.12): the median
 * time of `createWorkspace()` (worktree, base terminal, records) with 2
 * workspaces in place against the same with 20, and of one refresh's
 * questions (`listWorkspaces()` plus one workspace's `worktreeChanges()`,
 * what the tree asks after an event) at both sizes. Target: ratio <= 1.2
 * for both: nothing in the create or refresh path runs per workspace.
 *
 * Its own repository, tmux server (`-L tw-bench-create`) and state folder,
 * removed on the way out, error or not.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { GitClient } from '../src/core/git/GitClient';
import { RuntimeLifecycle } from '../src/core/lifecycle/RuntimeLifecycle';
import { MemoryMemento } from '../src/core/store/MemoryMemento';
import { RecordStore } from '../src/core/store/RecordStore';
import { TmuxClient } from '../src/core/tmux/TmuxClient';
import { makeRepo } from '../test/helpers/gitRepo';

export const CREATE_SCALING_TARGET = 1.2;
const FEW = 2;
const MANY = 20;
const SAMPLES = 5;
const TMUX = ['tmux', '-L', 'tw-bench-create', '-f', '/dev/null'] as const;

export interface CreateScalingFigures {
  readonly few: number;
  readonly many: number;
  readonly createFew: readonly number[];
  readonly createMany: readonly number[];
  readonly refreshFew: readonly number[];
  readonly refreshMany: readonly number[];
}

export async function benchCreateScaling(): Promise<CreateScalingFigures> {
  const tmuxDir = await mkdtemp(join(tmpdir(), 'tw-bench-create-tmux-'));
  const stateDir = await mkdtemp(join(tmpdir(), 'tw-bench-create-state-'));
  const repo = await makeRepo('create-bench');
  const environment: NodeJS.ProcessEnv = { ...process.env, TMUX_TMPDIR: tmuxDir };
  delete environment.TMUX;
  const lifecycle = new RuntimeLifecycle({
    tmux: new TmuxClient({ command: TMUX, environment }),
    git: new GitClient(),
    store: new RecordStore(new MemoryMemento()),
    stateDir,
    shell: '/bin/sh',
    safetyNetMs: 0,
  });
  let made = 0;
  const create = async (): Promise<number> => {
    const started = performance.now();
    const record = await lifecycle.createWorkspace({ repoPath: repo.repo, branch: `bench-${made++}` });
    const took = performance.now() - started;
    if (record.status !== 'ready') throw new Error(`workspace ${record.branch} is ${record.status}: ${record.lastError}`);
    return took;
  };
  const refresh = async (): Promise<number> => {
    const started = performance.now();
    const views = await lifecycle.listWorkspaces();
    await lifecycle.worktreeChanges(views[0].record.id);
    return performance.now() - started;
  };
  /** SAMPLES creates, each timed with `count` workspaces in place before it (the extra ones go away after). */
  const measureAt = async (count: number) => {
    while ((await lifecycle.listWorkspaces()).length < count) await create();
    const creates: number[] = [];
    const refreshes: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      refreshes.push(await refresh());
      creates.push(await create());
      const extra = (await lifecycle.listWorkspaces()).at(-1)!.record;
      await lifecycle.deleteWorkspace(extra.id, { force: true });
    }
    return { creates, refreshes };
  };
  try {
    await lifecycle.start();
    const few = await measureAt(FEW);
    const many = await measureAt(MANY);
    return { few: FEW, many: MANY, createFew: few.creates, createMany: many.creates, refreshFew: few.refreshes, refreshMany: many.refreshes };
  } finally {
    lifecycle.dispose();
    await execa(TMUX[0], [...TMUX.slice(1), 'kill-server'], { env: environment, extendEnv: false, reject: false });
    await Promise.all([tmuxDir, stateDir].map((dir) => rm(dir, { recursive: true, force: true })));
    await repo.cleanup();
  }
}
