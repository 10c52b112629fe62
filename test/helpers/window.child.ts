/**
 * One VS Code "window" in a process of its own: a RuntimeLifecycle wired as
 * the extension wires it (real tmux and git, lock files and the change marker
 * under the shared storage folder), over a record store file that every
 * window shares. It runs the requests the test sends over IPC and answers
 * each with `{ ok, value }` or `{ ok: false, kind, message }`.
 */
import { join } from 'node:path';
import { WorkspaceError, errorMessage } from '../../src/core/errors';
import { GitClient } from '../../src/core/git/GitClient';
import { RuntimeLifecycle } from '../../src/core/lifecycle/RuntimeLifecycle';
import { FileLock } from '../../src/core/lifecycle/TransitionLock';
import { ChangeMarker } from '../../src/core/store/ChangeMarker';
import { RecordStore } from '../../src/core/store/RecordStore';
import { TmuxClient } from '../../src/core/tmux/TmuxClient';
import { FileMemento } from './FileMemento';
import type { WindowConfig, WindowMessage, WindowRequest } from './windowProtocol';

const config = JSON.parse(process.argv[2] ?? '{}') as WindowConfig;
const memento = new FileMemento(config.storeFile);
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

function newWindow(): { lifecycle: RuntimeLifecycle; lock: FileLock } {
  // A reload is a new extension host: a new lock instance, nothing kept in memory.
  const lock = new FileLock(join(config.stateDir, 'locks'), { staleMs: config.lockStaleMs });
  const lifecycle = new RuntimeLifecycle({
    tmux: new TmuxClient({ command: config.tmuxCommand, environment: config.tmuxEnvironment }),
    git: new GitClient(),
    store: new RecordStore(memento),
    stateDir: config.stateDir,
    orphanGraceMs: config.orphanGraceMs,
    reapOrphans: config.reapOrphans,
    safetyNetMs: 0,
    shell: '/bin/sh',
    lock,
    marker,
    onStep,
  });
  return { lifecycle, lock };
}

let current = newWindow();

async function handle(request: WindowRequest): Promise<unknown> {
  const { lifecycle, lock } = current;
  switch (request.op) {
    case 'start':
      return lifecycle.start();
    case 'reload':
      lifecycle.dispose();
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
