/**
 * One VS Code "window" in a process of its own: a RuntimeLifecycle wired as
 * the extension wires it (real tmux and git, lock files and the change marker
 * under the shared storage folder), over its own copy of the one globalState
 * object every window shares (`SharedMemento`). It runs the requests the test sends over IPC and answers
 * each with `{ ok, value }` or `{ ok: false, kind, message }`.
 */
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { WorkspaceError, errorMessage } from '../../src/core/errors';
import { GitClient } from '../../src/core/git/GitClient';
import { RuntimeLifecycle } from '../../src/core/lifecycle/RuntimeLifecycle';
import { FileLock, type TransitionLock } from '../../src/core/lifecycle/TransitionLock';
import type { CommandRecord } from '../../src/core/commandLog';
import { componentLog, silentLog, type Logger } from '../../src/core/log';
import { ChangeMarker } from '../../src/core/store/ChangeMarker';
import { currentUnder } from '../../src/core/store/CurrentLock';
import { RecordStore } from '../../src/core/store/RecordStore';
import { SCHEMA_VERSION, type WorkspaceRecord } from '../../src/core/store/records';
import { TmuxClient } from '../../src/core/tmux/TmuxClient';
import { SharedMemento } from './SharedMemento';
import type { WindowConfig, WindowMessage, WindowRequest } from './windowProtocol';

const config = JSON.parse(process.argv[2] ?? '{}') as WindowConfig;
/** TW_WINDOW_LOG=<file>: every window appends its log there, each line with its pid, to read a failure's interleaving. */
const log = windowLog(process.env.TW_WINDOW_LOG);

function commands(record: CommandRecord): void {
  log.debug(`${record.argv.join(' ')} → exit ${record.exitCode ?? '?'} in ${record.durationMs.toFixed(0)} ms${record.stderr ? `: ${record.stderr.trim()}` : ''}`);
}

function windowLog(file: string | undefined): Logger {
  if (!file) return silentLog;
  const line = (level: string) => (message: unknown) => appendFileSync(file, `${new Date().toISOString()} ${process.pid} ${level} ${errorMessage(message)}\n`);
  return { trace: line('trace'), debug: line('debug'), info: line('info'), warn: line('warn'), error: line('error') };
}
const marker = new ChangeMarker(join(config.stateDir, 'records-changed'));
let steps: string[] = [];
const reached = new Map<string, number>();

function onStep(step: string): void | Promise<void> {
  steps.push(step);
  const count = (reached.get(step) ?? 0) + 1;
  reached.set(step, count);
  if (config.crashAt?.step === step && config.crashAt.occurrence === count) {
    // A real crash: no finally block, no lock release, no exit handler runs.
    process.kill(process.pid, 'SIGKILL');
    return new Promise<void>(() => undefined);
  }
}

interface Window {
  readonly lifecycle: RuntimeLifecycle;
  readonly lock: TransitionLock;
  readonly store: RecordStore;
  readonly memento: SharedMemento;
}

function newWindow(): Window {
  // A reload is a new extension host: a fresh copy of globalState, new lock instances, nothing kept in memory.
  // This window's copy of globalState: one object, replaced wholesale when another window writes.
  const memento = new SharedMemento(config.storeFile);
  // As src/extension.ts wires it: the record lock under the global storage folder.
  const store = new RecordStore(memento, { lockDir: config.stateDir, staleMs: config.lockStaleMs, log: componentLog(log, 'RecordStore') });
  const lock = currentUnder(new FileLock(join(config.stateDir, 'locks'), { staleMs: config.lockStaleMs, log }), store);
  const lifecycle = new RuntimeLifecycle({
    tmux: new TmuxClient({ command: config.tmuxCommand, environment: config.tmuxEnvironment, logger: componentLog(log, 'TmuxClient'), log: commands }),
    log,
    git: new GitClient({ log: commands }),
    store,
    stateDir: config.stateDir,
    orphanGraceMs: config.orphanGraceMs,
    reapOrphans: config.reapOrphans,
    ports: () => (config.portBase === undefined ? [] : [{ base: config.portBase }]),
    safetyNetMs: 0,
    shell: '/bin/sh',
    lock,
    marker,
    onStep,
  });
  return { lifecycle, lock, store, memento };
}

let current = newWindow();

async function handle(request: WindowRequest): Promise<unknown> {
  const { lifecycle, lock, store, memento } = current;
  switch (request.op) {
    case 'start':
      return lifecycle.start();
    case 'reload':
      lifecycle.dispose();
      memento.dispose();
      current = newWindow();
      return current.lifecycle.start();
    case 'create':
      return lifecycle.createWorkspace({ repoPath: request.repoPath, branch: request.branch, setupCommand: request.setupCommand });
    case 'retrySetup':
      return lifecycle.retrySetup(request.workspaceId, { setupCommand: request.setupCommand });
    case 'launch':
      return lifecycle.launchSession(request.workspaceId, request.request);
    case 'stop':
      return lifecycle.stopSession(request.key);
    case 'delete':
      return lifecycle.deleteWorkspace(request.workspaceId, { force: request.force });
    case 'reconcile':
      return lifecycle.reconcile({ activation: request.activation });
    case 'listOrphans':
      return lifecycle.listOrphans();
    case 'putResumable':
      return store.putResumable(request.record);
    case 'resume':
      return lifecycle.resumeAgent(request.key);
    case 'putWorkspaces':
      return timed(request.ids, (id) => store.putWorkspace(minimalWorkspace(id)));
    case 'forgetWorkspaces':
      return timed(request.ids, (id) => store.forgetWorkspace(id));
    case 'workspaceIds':
      return store.workspaces().map((record) => record.id);
    case 'installId':
      return store.installId();
    case 'settle':
      return memento.settled();
    case 'steps': {
      const passed = steps;
      steps = [];
      return passed;
    }
    case 'lock': {
      const started = Date.now();
      return lock.run(request.key, async () => Date.now() - started);
    }
    case 'exit':
      lifecycle.dispose();
      marker.dispose();
      setImmediate(() => process.exit(0));
      return undefined;
  }
}

async function timed(ids: readonly string[], write: (id: string) => Promise<void>): Promise<number[]> {
  const durations: number[] = [];
  for (const id of ids) {
    const started = performance.now();
    await write(id);
    durations.push(performance.now() - started);
  }
  return durations;
}

function minimalWorkspace(id: string): WorkspaceRecord {
  const now = Date.now();
  return {
    v: SCHEMA_VERSION, id, repoPath: '/repo', branch: id, baseBranch: 'main', worktreePath: `/repo.worktrees/${id}`,
    branchSource: 'new', createdBranch: true, status: 'ready', setupEvents: [], baseSession: `tw-${id}-base`, createdAt: now, updatedAt: now,
  };
}

function send(message: WindowMessage): void {
  process.send?.(message);
}

process.on('message', (message: { id: number; request: WindowRequest }) => {
  handle(message.request).then(
    (value) => send({ id: message.id, ok: true, value }),
    (error: unknown) =>
      send({ id: message.id, ok: false, kind: error instanceof WorkspaceError ? error.kind : 'exception', message: errorMessage(error) }),
  );
});
// The test process went away: so does this window.
process.on('disconnect', () => process.exit(0));
send({ ready: true });
