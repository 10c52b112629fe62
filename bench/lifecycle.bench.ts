/**
 * Lifecycle benchmark: one run, printed, never failing on timing.
 *
 * 1. With 500 recorded runtime sessions on a private tmux server, the median
 *    wall time of `reconcile()` + `listWorkspaces()` against one bare
 *    `tmux list-sessions -F <TmuxClient's format>` spawned the same way
 *    (execa, allow-listed environment). Target: ratio <= 2.
 * 2. The median time from SIGKILL of a session's pane process to the
 *    lifecycle's `session-ended` event, with the lifecycle started (control-mode
 *    watcher running). Target: < 250 ms.
 * 3. The median time of one record write under the cross-window protocol
 *    while a second window (process) writes too, beside a plain write
 *    (see recordWrites.ts). Target: < 15 ms.
 *
 * Everything lives under fresh temporary folders and `tmux -L tw-bench`; the
 * server is killed and the folders removed on the way out, error or not.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import type { CommandRecord } from '../src/core/commandLog';
import { errorMessage } from '../src/core/errors';
import { waitForEvent } from '../src/core/events';
import { GitClient } from '../src/core/git/GitClient';
import { RuntimeLifecycle, type LifecycleChange } from '../src/core/lifecycle/RuntimeLifecycle';
import { runtimeSessionName } from '../src/core/naming';
import { MemoryMemento } from '../src/core/store/MemoryMemento';
import { RecordStore } from '../src/core/store/RecordStore';
import { SCHEMA_VERSION, type SessionRecord, type WorkspaceRecord } from '../src/core/store/records';
import { MARKER, TmuxClient } from '../src/core/tmux/TmuxClient';
import { makeRepo } from '../test/helpers/gitRepo';
import { RECORD_WRITE_TARGET_MS, RECORD_WRITER_FLAG, benchRecordWrites, runRecordWriter } from './recordWrites';

const SESSIONS = 500;
const WORKSPACES = 5;
const ITERATIONS = 30;
const WARMUP = 3;
const KILLS = 20;
const RATIO_TARGET = 2;
const EXIT_TARGET_MS = 250;
/**
 * Past this, the rest of the sessions are made by batched tmux calls instead of
 * launchSession. TW_BENCH_LAUNCH_BUDGET_MS overrides it (to exercise the fallback).
 */
const LAUNCH_BUDGET_MS = Number(process.env.TW_BENCH_LAUNCH_BUDGET_MS) || 60_000;
const DIRECT_BATCH = 25;
const TMUX_COMMAND = ['tmux', '-L', 'tw-bench', '-f', '/dev/null'] as const;
const AGENT = ['sleep', '3600'];

// ------------------------------------------------------------------ helpers

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function ms(value: number): string {
  return `${value.toFixed(1)} ms`;
}

function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length)));
  return rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column])).join('  ').trimEnd()).join('\n');
}

/** Tallies the tmux processes the lifecycle's client spawns, by subcommand. */
class SpawnCounter {
  private records: CommandRecord[] = [];
  readonly log = (record: CommandRecord): void => {
    this.records.push(record);
  };
  mark(): number {
    return this.records.length;
  }
  since(mark: number): CommandRecord[] {
    return this.records.slice(mark);
  }
  /** `list-sessions ×3, has-session ×1` for the records after `mark`. */
  static describe(records: readonly CommandRecord[]): string {
    const counts = new Map<string, number>();
    for (const record of records) {
      const sub = record.argv.slice(TMUX_COMMAND.length).find((arg) => !arg.startsWith('-')) ?? '?';
      counts.set(sub, (counts.get(sub) ?? 0) + 1);
    }
    return [...counts].map(([sub, count]) => `${sub} ×${count}`).join(', ') || 'none';
  }
}

/** Resolves once process `pid` is gone, or after `timeoutMs`. */
async function waitForExit(pid: number, timeoutMs: number): Promise<void> {
  if (!Number.isInteger(pid) || pid <= 0) return;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

// --------------------------------------------------------------------- main

interface Resources {
  lifecycles: RuntimeLifecycle[];
  tmuxDir?: string;
  stateDir?: string;
  repoCleanup?: () => Promise<void>;
  tmuxEnv?: Record<string, string>;
}

const resources: Resources = { lifecycles: [] };
let tornDown: Promise<void> | undefined;

function teardown(): Promise<void> {
  tornDown ??= (async () => {
    for (const lifecycle of resources.lifecycles.splice(0)) {
      try {
        lifecycle.dispose();
      } catch {
        // keep tearing down
      }
    }
    if (resources.tmuxEnv) {
      const tmux = (...args: string[]) =>
        execa(TMUX_COMMAND[0], [...TMUX_COMMAND.slice(1), ...args], { env: resources.tmuxEnv, extendEnv: false, reject: false });
      const serverPid = Number((await tmux('display-message', '-p', '#{pid}')).stdout);
      await tmux('kill-server');
      // kill-server returns before the server has closed its 500 panes; wait (a little) for it to go.
      await waitForExit(serverPid, 10_000);
    }
    for (const dir of [resources.tmuxDir, resources.stateDir]) if (dir) await rm(dir, { recursive: true, force: true }).catch(() => undefined);
    await resources.repoCleanup?.().catch(() => undefined);
  })();
  return tornDown;
}

/**
 * Set by a signal or a failed worker: every loop stops at its next step, so
 * nothing launches (and restarts the tmux server) while teardown runs.
 */
let aborted: string | undefined;

function checkAborted(): void {
  if (aborted) throw new Error(`aborted: ${aborted}`);
}

/** Like Promise.all, but waits for every worker to stop before rejecting. */
async function allStopped(workers: readonly Promise<void>[]): Promise<void> {
  const outcomes = await Promise.allSettled(workers);
  const failure = outcomes.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
  if (failure) throw failure.reason;
}

async function main(): Promise<void> {
  const started = performance.now();
  resources.tmuxDir = await mkdtemp(join(tmpdir(), 'tw-bench-tmux-'));
  resources.stateDir = await mkdtemp(join(tmpdir(), 'tw-bench-state-'));
  const repo = await makeRepo('bench-repo');
  resources.repoCleanup = repo.cleanup;

  const environment: NodeJS.ProcessEnv = { ...process.env, TMUX_TMPDIR: resources.tmuxDir };
  delete environment.TMUX;
  resources.tmuxEnv = { PATH: process.env.PATH ?? '', TMUX_TMPDIR: resources.tmuxDir };
  const spawns = new SpawnCounter();
  const tmux = new TmuxClient({ command: TMUX_COMMAND, environment, log: spawns.log });
  const tmuxVersion = (await execa(TMUX_COMMAND[0], ['-V'], { reject: false })).stdout.trim();
  const memento = new MemoryMemento();
  const store = new RecordStore(memento);
  const newLifecycle = (): RuntimeLifecycle => {
    const lifecycle = new RuntimeLifecycle({
      tmux,
      git: new GitClient(),
      store,
      stateDir: resources.stateDir!,
      shell: '/bin/sh',
      reapOrphans: true,
      // Every session counts as old enough to be an orphan candidate, so the
      // reaping pass does its full work (steady state, not the first minute).
      orphanGraceMs: 0,
      // Only the control-mode watcher may deliver exits in part 2.
      safetyNetMs: 0,
    });
    resources.lifecycles.push(lifecycle);
    return lifecycle;
  };

  // ------------------------------------------------------------- setup
  const setupStarted = performance.now();
  const launcher = newLifecycle();
  const workspaces: WorkspaceRecord[] = [];
  for (let i = 0; i < WORKSPACES; i++) {
    checkAborted();
    workspaces.push(await launcher.createWorkspace({ repoPath: repo.repo, branch: `bench/ws-${i}` }));
  }
  const perWorkspace = Math.ceil(SESSIONS / WORKSPACES);
  let launched = 0;
  const launchStarted = performance.now();
  const launchDeadline = launchStarted + LAUNCH_BUDGET_MS;
  // One worker per workspace: launches of one workspace are serialised by the lifecycle anyway.
  await allStopped(
    workspaces.map(async (workspace, w) => {
      const quota = Math.min(perWorkspace, SESSIONS - w * perWorkspace);
      try {
        for (let i = 0; i < quota && performance.now() < launchDeadline; i++) {
          checkAborted();
          await launcher.launchSession(workspace.id, { kind: 'agent', agentId: 'bench', label: `agent-${i}`, command: AGENT });
          launched++;
        }
      } catch (error) {
        aborted ??= `launch failed in ${workspace.id}`;
        throw error;
      }
    }),
  );
  const launchMs = performance.now() - launchStarted;
  const direct = await createDirectly(tmux, store, workspaces, SESSIONS - launched);
  const setupMs = performance.now() - setupStarted;
  launcher.dispose();

  const recorded = store.sessions().length;
  const live = await tmux.listSessions();
  const liveRecorded = live.filter((session) => store.session(session.name)?.launchId === session.launchId && session.launchId).length;

  // ------------------------------------------- part 1: reconcile + list
  const lifecycle = newLifecycle();
  await lifecycle.start();
  const listMark = spawns.mark();
  await tmux.listSessions();
  const listArgv = spawns.since(listMark)[0].argv;
  const bare = tmux.clientInvocation(listArgv.slice(TMUX_COMMAND.length));
  const bareList = async (): Promise<number> => {
    const t0 = performance.now();
    await execa(bare.file, bare.args, { env: bare.env, extendEnv: false, stdin: 'ignore', stripFinalNewline: false });
    return performance.now() - t0;
  };

  const bareTimes: number[] = [];
  const totalTimes: number[] = [];
  const reconcileTimes: number[] = [];
  const listTimes: number[] = [];
  const tmuxTimes: number[] = [];
  let perIteration: CommandRecord[] = [];
  let workspaceViews = 0;
  let aliveViews = 0;
  for (let i = 0; i < WARMUP + ITERATIONS; i++) {
    checkAborted();
    const bareMs = await bareList();
    const mark = spawns.mark();
    const t0 = performance.now();
    await lifecycle.reconcile();
    const t1 = performance.now();
    const views = await lifecycle.listWorkspaces();
    const t2 = performance.now();
    if (i < WARMUP) continue;
    perIteration = spawns.since(mark);
    bareTimes.push(bareMs);
    reconcileTimes.push(t1 - t0);
    listTimes.push(t2 - t1);
    totalTimes.push(t2 - t0);
    tmuxTimes.push(perIteration.reduce((sum, record) => sum + record.durationMs, 0));
    workspaceViews = views.length;
    aliveViews = views.reduce((sum, view) => sum + view.sessions.filter((s) => s.alive).length, 0);
  }
  const ratio = median(totalTimes) / median(bareTimes);

  // ------------------------------------------ part 2: kill -> session-ended
  const exitTimes: number[] = [];
  const exitFailures: string[] = [];
  const victims = (await tmux.listSessions()).filter((session) => session.panePid && store.session(session.name)).slice(0, KILLS);
  for (const victim of victims) {
    checkAborted();
    const ended = waitForEvent<LifecycleChange>(
      lifecycle.onDidChange,
      (change) => change.type === 'session-ended' && change.session.key === victim.name,
      5000,
    );
    const t0 = performance.now();
    try {
      process.kill(victim.panePid!, 'SIGKILL');
      await ended;
      exitTimes.push(performance.now() - t0);
    } catch (error) {
      ended.catch(() => undefined);
      exitFailures.push(`${victim.name}: ${errorMessage(error)}`);
    }
  }

  // ----------------------------------------------------------- report
  const cpu = cpus()[0]?.model?.trim() ?? 'unknown';
  const setupHow =
    direct === 0
      ? `all ${launched} via lifecycle.launchSession (${(launchMs / 1000).toFixed(1)} s, ${(launchMs / launched).toFixed(1)} ms each)`
      : `${launched} via lifecycle.launchSession in ${(launchMs / 1000).toFixed(1)} s (over the ${LAUNCH_BUDGET_MS / 1000} s budget), ` +
        `${direct} via batched tmux new-session calls with the same markers + RecordStore.putSession`;
  const verdict = (ok: boolean): string => (ok ? 'PASS' : 'MISS');
  const exitMedian = exitTimes.length > 0 ? median(exitTimes) : Number.NaN;

  console.log('');
  console.log('Tmux Workspaces lifecycle benchmark');
  console.log(
    table([
      ['node', process.version],
      ['tmux', tmuxVersion],
      ['cores', `${availableParallelism()} (${cpu})`],
      ['server', `${TMUX_COMMAND.join(' ')} (TMUX_TMPDIR=${resources.tmuxDir})`],
      ['sessions', `${recorded} recorded, ${liveRecorded} live with matching markers, ${live.length} on the server (+${WORKSPACES} base, watcher)`],
      ['setup', `${(setupMs / 1000).toFixed(1)} s: ${setupHow}`],
    ]),
  );
  console.log('');
  console.log(`1. reconcile() + listWorkspaces(), ${ITERATIONS} iterations after ${WARMUP} warm-up (reapOrphans on, grace 0)`);
  console.log(
    table([
      ['', 'median', 'p90', 'min'],
      ['bare tmux list-sessions', ms(median(bareTimes)), ms(percentile(bareTimes, 90)), ms(Math.min(...bareTimes))],
      ['reconcile()', ms(median(reconcileTimes)), ms(percentile(reconcileTimes, 90)), ms(Math.min(...reconcileTimes))],
      ['listWorkspaces()', ms(median(listTimes)), ms(percentile(listTimes, 90)), ms(Math.min(...listTimes))],
      ['reconcile + list', ms(median(totalTimes)), ms(percentile(totalTimes, 90)), ms(Math.min(...totalTimes))],
      ['  of which in tmux calls', ms(median(tmuxTimes)), ms(percentile(tmuxTimes, 90)), ms(Math.min(...tmuxTimes))],
    ]),
  );
  console.log(`   tmux processes per reconcile + list: ${perIteration.length} (${SpawnCounter.describe(perIteration)})`);
  console.log(`   views: ${workspaceViews} workspaces, ${aliveViews} alive sessions`);
  console.log(`   ratio ${ratio.toFixed(2)} (target <= ${RATIO_TARGET})  ${verdict(ratio <= RATIO_TARGET)}`);
  console.log('');
  console.log(`2. SIGKILL pane pid -> session-ended, ${exitTimes.length}/${victims.length} sessions (watcher on, safety net off)`);
  if (exitTimes.length > 0) {
    console.log(
      table([
        ['', 'median', 'p90', 'min', 'max'],
        ['kill -> session-ended', ms(exitMedian), ms(percentile(exitTimes, 90)), ms(Math.min(...exitTimes)), ms(Math.max(...exitTimes))],
      ]),
    );
  }
  for (const failure of exitFailures) console.log(`   no event: ${failure}`);
  console.log(`   median ${ms(exitMedian)} (target < ${EXIT_TARGET_MS} ms)  ${verdict(exitMedian < EXIT_TARGET_MS && exitFailures.length === 0)}`);
  console.log('');
  checkAborted();
  const writes = await benchRecordWrites(await mkdtemp(join(resources.stateDir!, 'records-')), __filename);
  const writeMedian = median(writes.contended);
  console.log(`3. one record write (putWorkspace), ${writes.contended.length} writes; globalState copies reached 0-${writes.deliveryMs} ms after a write`);
  console.log(
    table([
      ['', 'median', 'p90', 'max'],
      ['plain (one window, no lock)', ms(median(writes.plain)), ms(percentile(writes.plain, 90)), ms(Math.max(...writes.plain))],
      ['cross-window protocol, alone', ms(median(writes.alone)), ms(percentile(writes.alone, 90)), ms(Math.max(...writes.alone))],
      ['cross-window, 2nd window writing', ms(writeMedian), ms(percentile(writes.contended, 90)), ms(Math.max(...writes.contended))],
    ]),
  );
  console.log(`   the second window wrote ${writes.otherWrites} records meanwhile (one every ${writes.writerPauseMs} ms plus its own write)`);
  console.log(`   median ${ms(writeMedian)} (target < ${RECORD_WRITE_TARGET_MS} ms)  ${verdict(writeMedian < RECORD_WRITE_TARGET_MS)}`);
  console.log('');
  console.log(`total ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

/**
 * The fallback when launching through the lifecycle is too slow: sessions
 * made by tmux directly, several per invocation, each with the markers
 * `launchSession` sets, plus the record it writes.
 */
async function createDirectly(tmux: TmuxClient, store: RecordStore, workspaces: readonly WorkspaceRecord[], count: number): Promise<number> {
  if (count <= 0) return 0;
  const owner = await store.installId();
  let made = 0;
  while (made < count) {
    checkAborted();
    const batch: SessionRecord[] = [];
    const args: string[] = [];
    for (let i = 0; i < DIRECT_BATCH && made + batch.length < count; i++) {
      const workspace = workspaces[(made + batch.length) % workspaces.length];
      const label = `direct-${made + batch.length}`;
      const name = runtimeSessionName(workspace.id, label);
      const launchId = randomUUID();
      if (args.length > 0) args.push(';');
      args.push('new-session', '-d', '-s', name, '-c', workspace.worktreePath, '--', ...AGENT);
      for (const [option, value] of Object.entries({ [MARKER.owner]: owner, [MARKER.launch]: launchId, [MARKER.key]: name })) {
        args.push(';', 'set-option', '-t', `=${name}:`, option, value);
      }
      batch.push({
        v: SCHEMA_VERSION,
        key: name,
        workspaceId: workspace.id,
        kind: 'agent',
        agentId: 'bench',
        label,
        tmuxName: name,
        launchId,
        command: [...AGENT],
        createdAt: Date.now(),
      });
    }
    await tmux.run(args);
    for (const record of batch) await store.putSession(record);
    made += batch.length;
  }
  return made;
}

// The same bundle is the second window of measurement 3.
const run = (process.argv[2] === RECORD_WRITER_FLAG ? runRecordWriter(process.argv[3], process.argv[4]) : main())
  .catch((error: unknown) => {
    if (aborted && error instanceof Error && error.message.startsWith('aborted:')) console.error(`benchmark stopped (${aborted})`);
    else console.error('benchmark failed:', error instanceof Error ? (error.stack ?? error.message) : error);
    process.exitCode = 1;
  })
  .finally(() => teardown());

// `on`, not `once`: execa's exit hook re-raises a signal nobody else listens to, which would kill us mid-teardown.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (aborted === signal) return;
    console.error(`\n${signal}: stopping, then tearing down`);
    aborted = signal;
    // main stops at its next step and tears down; should it hang, tear down anyway.
    const fallback = setTimeout(() => void teardown().finally(() => process.exit(130)), 15_000);
    void run.finally(() => {
      clearTimeout(fallback);
      process.exit(130);
    });
  });
}
