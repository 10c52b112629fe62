import { AsyncResource } from 'node:async_hooks';
import { execa, type ResultPromise } from 'execa';
import { silentLog, type Logger } from '../log';
import { Emitter, type Disposable } from '../events';
import { WATCHER_SESSION } from '../naming';
import type { TmuxClient } from './TmuxClient';

/**
 * Control-mode notifications after which the set of live sessions, or the
 * clients attached to them, may differ.
 */
const SESSION_NOTIFICATIONS = [
  '%sessions-changed',
  '%window-close',
  '%unlinked-window-close',
  '%exit',
  '%client-session-changed',
  '%client-detached',
];

/**
 * One tmux control-mode client per window tells us when any session on our
 * server ends, so natural exits need no process per session and no polling.
 * It attaches to a small idle session of its own, which carries no owner
 * marker and is never listed as a workspace session.
 */
export class SessionWatcher implements Disposable {
  private readonly changed = new Emitter<string>();
  /** Fires (with the notification) whenever sessions may have come or gone. */
  readonly onDidChangeSessions = this.changed.event;
  private client: ResultPromise | undefined;
  private disposed = false;
  /**
   * Listeners run in the async context the watcher was made in: the client is
   * started by whichever call first needs it (a launch), and what an event
   * triggers later (an exit check) is not part of that call.
   */
  private readonly owner = new AsyncResource('SessionWatcher');
  private readonly log: Logger;

  constructor(
    private readonly tmux: TmuxClient,
    options: { log?: Logger } = {},
  ) {
    this.log = options.log ?? silentLog;
  }

  private fire(notification: string): void {
    this.owner.runInAsyncScope(() => this.changed.fire(notification));
  }

  get running(): boolean {
    return this.client !== undefined;
  }

  /** Starts the control client unless it runs already; a no-op once disposed. */
  ensureRunning(): void {
    if (this.client || this.disposed) return;
    const idle = ['/bin/sh', '-c', 'while :; do sleep 86400; done'];
    const invocation = this.tmux.clientInvocation(['-C', 'new-session', '-A', '-s', WATCHER_SESSION, '--', ...idle]);
    const client = execa(invocation.file, invocation.args, {
      env: invocation.env,
      extendEnv: false,
      stdin: 'pipe',
      stdout: 'pipe',
      stderr: 'ignore',
      reject: false,
      buffer: false,
    });
    this.client = client;
    let pending = '';
    client.stdout?.setEncoding('utf8');
    client.stdout?.on('data', (chunk: string) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        const notification = line.split(' ', 1)[0];
        if (SESSION_NOTIFICATIONS.includes(notification)) this.fire(notification);
      }
    });
    void client.then((result) => {
      if (this.client === client) this.client = undefined;
      if (!this.disposed) this.log.debug(`[SessionWatcher] control client ended (${result.failed ? result.shortMessage : 'exit 0'})`);
      // The server went away (or the client failed): whatever was live may be gone.
      if (!this.disposed) this.fire('%client-exit');
    });
  }

  dispose(): void {
    this.disposed = true;
    this.client?.kill();
    this.client = undefined;
    this.changed.dispose();
  }
}
