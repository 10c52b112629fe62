/**
 * Lifecycle benchmark: one run, printed, never failing on timing.
 *
 * 1. With 500 recorded runtime sessions on a private tmux server, the median
 *    wall time of `reconcile()` + `listWorkspaces()` (over the control
 *    connection) against one bare `tmux list-sessions -F <TmuxClient's
 *    format>` process spawned the same way (execa, allow-listed environment).
 *    Target: ratio < 1.0.
 * 2. The median time from SIGKILL of a session's pane process to the
 *    lifecycle's `session-ended` event, with the lifecycle started (control-mode
 *    watcher running). Target: < 50 ms.
 * 3. The median time of one record write under the cross-window protocol
 *    while a second window (process) writes too, beside a plain write
 *    (see recordWrites.ts). Target: < 15 ms.
 * 4. One `launchSession` against a bare `new-session -d` + markers process
 *    (see connection.ts). Target: ratio <= 1.2.
 * 5. tmux processes spawned during an idle period (TW_BENCH_IDLE_MS, default
 *    60 s) with 500 agents running, the view's work every 2 s and the safety
 *    net at its product period (see connection.ts). Target: 0.
 * 6. Create and a refresh's questions with 2 workspaces against 20 (see
 *    createScaling.ts). Target: ratio <= 1.2 for both.
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
import { RecordStore } from '../src/core/store/RecordStore';
import { SCHEMA_VERSION, type SessionRecord, type WorkspaceRecord } from '../src/core/store/records';
import { MARKER, TmuxClient } from '../src/core/tmux/TmuxClient';
import { makeRepo } from '../test/helpers/gitRepo';
import { ExtensionHostMemento } from './extensionMemento';
import { IDLE_SPAWN_TARGET, LAUNCH_RATIO_TARGET, benchIdle, benchLaunch, connectionUp } from './connection';
import { CREATE_SCALING_TARGET, benchCreateScaling } from './createScaling';
import { RECORD_WRITE_TARGET_MS, RECORD_WRITER_FLAG, benchRecordWrites, runRecordWriter } from './recordWrites';
import { SpawnCounter, TMUX_COMMAND, median, ms, percentile, table, verdict, waitForExit } from './stats';

const SESSIONS = 500;
const WORKSPACES = 5;
const ITERATIONS = 30;
const WARMUP = 3;
const KILLS = 20;
const RATIO_TARGET = 1.0;
const EXIT_TARGET_MS = 50;
const LAUNCHES = 20;
const IDLE_MS = Number(process.env.TW_BENCH_IDLE_MS) || 60_000;
/**
 * Past this, the rest of the sessions are made by batched tmux calls instead of
 * launchSession. TW_BENCH_LAUNCH_BUDGET_MS overrides it (to exercise the fallback).
 */
const LAUNCH_BUDGET_MS = Number(process.env.TW_BENCH_LAUNCH_BUDGET_MS) || 60_000;
const DIRECT_BATCH = 25;
const AGENT = ['sleep', '3600'];

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
  const gitRuns = new SpawnCounter();
  const tmux = new TmuxClient({ command: TMUX_COMMAND, environment, log: spawns.log });
  const tmuxVersion = (await execa(TMUX_COMMAND[0], ['-V'], { reject: false })).stdout.trim();
  const memento = new ExtensionHostMemento();
  const store = new RecordStore(memento);
  const newLifecycle = (safetyNetMs = 0): RuntimeLifecycle => {
    const lifecycle = new RuntimeLifecycle({
      tmux,
      git: new GitClient({ log: gitRuns.log }),
      store,
      stateDir: resources.stateDir!,
      shell: '/bin/sh',
      reapOrphans: true,
      // Every session counts as old enough to be an orphan candidate, so the
      // reaping pass does its full work (steady state, not the first minute).
      orphanGraceMs: 0,
      // Only the control-mode watcher may deliver exits in part 2; part 5 runs the product's safety net.
      safetyNetMs,
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
  await connectionUp(tmux, spawns);
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
  const gitTimes: number[] = [];
  let gitPerIteration: CommandRecord[] = [];
  let perIteration: CommandRecord[] = [];
  let workspaceViews = 0;
  let aliveViews = 0;
  for (let i = 0; i < WARMUP + ITERATIONS; i++) {
    checkAborted();
    const bareMs = await bareList();
    const mark = spawns.mark();
    const gitMark = gitRuns.mark();
    const t0 = performance.now();
    await lifecycle.reconcile();
    const t1 = performance.now();
    const views = await lifecycle.listWorkspaces();
    const t2 = performance.now();
    if (i < WARMUP) continue;
    perIteration = spawns.since(mark);
    gitPerIteration = gitRuns.since(gitMark);
    gitTimes.push(gitPerIteration.reduce((sum, record) => sum + record.durationMs, 0));
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

  // ------------------------------------- part 4: launch against a bare process
  checkAborted();
  const launches = await benchLaunch(lifecycle, tmux, spawns, workspaces[0], LAUNCHES, AGENT);
  const launchRatio = median(launches.launch) / median(launches.bare);

  // ------------------------------------------------------ part 5: idle
  checkAborted();
  lifecycle.dispose();
  const idleLifecycle = newLifecycle(30_000);
  await idleLifecycle.start();
  await connectionUp(tmux, spawns);
  const agents = new Set(store.sessions().map((session) => session.tmuxName));
  const idle = await benchIdle(idleLifecycle, tmux, spawns, agents, IDLE_MS);

  // ----------------------------------------------------------- report
  const cpu = cpus()[0]?.model?.trim() ?? 'unknown';
  const setupHow =
    direct === 0
      ? `all ${launched} via lifecycle.launchSession (${(launchMs / 1000).toFixed(1)} s, ${(launchMs / launched).toFixed(1)} ms each)`
      : `${launched} via lifecycle.launchSession in ${(launchMs / 1000).toFixed(1)} s (over the ${LAUNCH_BUDGET_MS / 1000} s budget), ` +
        `${direct} via batched tmux new-session calls with the same markers + RecordStore.putSession`;
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
      ['  of which in git processes', ms(median(gitTimes)), ms(percentile(gitTimes, 90)), ms(Math.min(...gitTimes))],
    ]),
  );
  const spawnedPerIteration = SpawnCounter.spawned(perIteration);
  console.log(`   tmux processes per reconcile + list: ${spawnedPerIteration.length} (${SpawnCounter.describe(spawnedPerIteration)})`);
  console.log(`   over the control connection: ${perIteration.length - spawnedPerIteration.length} (${SpawnCounter.describe(perIteration.filter((record) => record.via))})`);
  console.log(`   git processes per reconcile + list: ${gitPerIteration.length} (${gitPerIteration.map((record) => record.argv.slice(1).join(' ')).join(', ') || 'none'})`);
  console.log(`   views: ${workspaceViews} workspaces, ${aliveViews} alive sessions`);
  console.log(`   ratio ${ratio.toFixed(2)} (target < ${RATIO_TARGET.toFixed(1)})  ${verdict(ratio < RATIO_TARGET)}`);
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
  console.log(`4. launchSession against a bare new-session -d + 2 markers process, ${LAUNCHES} each, alternating, ${recorded} sessions on the server`);
  console.log(
    table([
      ['', 'median', 'p90', 'min'],
      ['bare new-session + markers', ms(median(launches.bare)), ms(percentile(launches.bare, 90)), ms(Math.min(...launches.bare))],
      ['launchSession()', ms(median(launches.launch)), ms(percentile(launches.launch, 90)), ms(Math.min(...launches.launch))],
    ]),
  );
  console.log(`   tmux commands per launch: ${(launches.spawned / LAUNCHES).toFixed(1)} spawned, ${(launches.overConnection / LAUNCHES).toFixed(1)} over the connection (the last: ${launches.last})`);
  console.log(`   ratio ${launchRatio.toFixed(2)} (target <= ${LAUNCH_RATIO_TARGET})  ${verdict(launchRatio <= LAUNCH_RATIO_TARGET)}`);
  console.log('');
  console.log(`5. idle ${(IDLE_MS / 1000).toFixed(0)} s with ${agents.size} agents running: ${idle.samples} view refreshes + activity samples, safety net every 30 s`);
  console.log(`   over the control connection: ${idle.overConnection} commands`);
  console.log(`   tmux processes spawned: ${idle.count} (${idle.spawned}) (target ${IDLE_SPAWN_TARGET})  ${verdict(idle.count <= IDLE_SPAWN_TARGET)}`);
  console.log('');
  checkAborted();
  const scaling = await benchCreateScaling();
  const createRatio = median(scaling.createMany) / median(scaling.createFew);
  const refreshScaling = median(scaling.refreshMany) / median(scaling.refreshFew);
  console.log(`6. createWorkspace() and a refresh's questions with ${scaling.few} workspaces against ${scaling.many}, ${scaling.createFew.length} each`);
  console.log(`   create: median ${ms(median(scaling.createFew))} with ${scaling.few}, ${ms(median(scaling.createMany))} with ${scaling.many}; ratio ${createRatio.toFixed(2)} (target <= ${CREATE_SCALING_TARGET})  ${verdict(createRatio <= CREATE_SCALING_TARGET)}`);
  console.log(`   refresh (listWorkspaces + one worktreeChanges): median ${ms(median(scaling.refreshFew))} with ${scaling.few}, ${ms(median(scaling.refreshMany))} with ${scaling.many}; ratio ${refreshScaling.toFixed(2)} (target <= ${CREATE_SCALING_TARGET})  ${verdict(refreshScaling <= CREATE_SCALING_TARGET)}`);
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
