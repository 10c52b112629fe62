/**
 * The benchmark's measurements of the control connection:
 *
 * - one `launchSession` (over the connection: create, markers, options and
 *   pipe-pane in one line) against a bare `tmux new-session -d` + the owner
 *   and launch markers in one spawned process. Target: ratio <= 1.2.
 * - tmux processes spawned while agents run and nothing changes, with the
 *   view's work going on (tree refresh and activity sample every 2 s) and the
 *   safety-net reconcile at its product period. Target: 0.
 */
import { randomUUID } from 'node:crypto';
import { execa } from 'execa';
import { ActivitySampler } from '../src/core/agents/ActivitySampler';
import type { RuntimeLifecycle } from '../src/core/lifecycle/RuntimeLifecycle';
import type { WorkspaceRecord } from '../src/core/store/records';
import { MARKER, type TmuxClient } from '../src/core/tmux/TmuxClient';
import { SpawnCounter } from './stats';

export const LAUNCH_RATIO_TARGET = 1.2;
export const IDLE_SPAWN_TARGET = 0;
/** How often a visible view refreshes activity (AgentStateModel's sampling period). */
const VIEW_PERIOD_MS = 2_000;

/** Resolves once the client's commands go over the control connection. */
export async function connectionUp(tmux: TmuxClient, spawns: SpawnCounter, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const mark = spawns.mark();
    await tmux.hasSession('tw-bench-probe');
    if (spawns.since(mark).every((record) => record.via === 'connection')) return;
    if (Date.now() > deadline) throw new Error(`the control connection did not come up within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export interface LaunchFigures {
  readonly launch: readonly number[];
  readonly bare: readonly number[];
  /** Commands of the timed launches: spawned processes and connection commands. */
  readonly spawned: number;
  readonly overConnection: number;
  /** The commands of the last launch, by subcommand. */
  readonly last: string;
}

/**
 * Runs `kill` and waits (at most a second) for the exit check its window-close
 * notification starts (its list-sessions in the command log), so no timed
 * launch shares tmux's queue with it.
 */
async function killQuietly(spawns: SpawnCounter, kill: () => Promise<unknown>): Promise<void> {
  const mark = spawns.mark();
  await kill();
  const deadline = Date.now() + 1000;
  while (!spawns.since(mark).some((record) => record.argv.includes('list-sessions')) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

/** `count` launches and as many bare processes, alternating; each session is stopped again, untimed, and its exit check let finish. */
export async function benchLaunch(lifecycle: RuntimeLifecycle, tmux: TmuxClient, spawns: SpawnCounter, workspace: WorkspaceRecord, count: number, agent: readonly string[]): Promise<LaunchFigures> {
  const launch: number[] = [];
  const bare: number[] = [];
  let spawned = 0;
  let overConnection = 0;
  let last = '';
  const { file, args: prefix, env } = tmux.clientInvocation([]);
  for (let i = 0; i < count; i++) {
    const mark = spawns.mark();
    const t0 = performance.now();
    const session = await lifecycle.launchSession(workspace.id, { kind: 'agent', agentId: 'bench', label: `launch-${i}`, command: [...agent] });
    launch.push(performance.now() - t0);
    const records = spawns.since(mark);
    last = SpawnCounter.describe(records);
    spawned += SpawnCounter.spawned(records).length;
    overConnection += records.length - SpawnCounter.spawned(records).length;
    await killQuietly(spawns, () => lifecycle.stopSession(session.key));

    const name = `tw-bench-bare-${i}`;
    const markers = [';', 'set-option', '-t', `=${name}:`, MARKER.owner, 'bench', ';', 'set-option', '-t', `=${name}:`, MARKER.launch, randomUUID()];
    const t1 = performance.now();
    await execa(file, [...prefix, '-u', 'new-session', '-d', '-s', name, '-c', workspace.worktreePath, '--', ...agent, ...markers], { env, extendEnv: false, stdin: 'ignore' });
    bare.push(performance.now() - t1);
    await killQuietly(spawns, () => tmux.killSession(name));
  }
  return { launch, bare, spawned, overConnection, last };
}

/** Spawned tmux processes, by subcommand, while `idleMs` pass with the view's work and the safety net going on. */
export async function benchIdle(lifecycle: RuntimeLifecycle, tmux: TmuxClient, spawns: SpawnCounter, names: ReadonlySet<string>, idleMs: number): Promise<{ spawned: string; count: number; overConnection: number; samples: number }> {
  const sampler = new ActivitySampler(tmux);
  const mark = spawns.mark();
  const end = Date.now() + idleMs;
  let samples = 0;
  while (Date.now() < end) {
    await lifecycle.listWorkspaces();
    await sampler.sample(names);
    samples += 1;
    await new Promise((resolve) => setTimeout(resolve, Math.min(VIEW_PERIOD_MS, Math.max(0, end - Date.now()))));
  }
  const records = spawns.since(mark);
  const spawned = SpawnCounter.spawned(records);
  return { spawned: SpawnCounter.describe(spawned), count: spawned.length, overConnection: records.length - spawned.length, samples };
}
