import { AsyncResource } from 'node:async_hooks';
import { errorMessage } from '../errors';
import { silentLog, type Logger } from '../log';
import { Emitter, type Disposable } from '../events';
import { WATCHER_SESSION } from '../naming';
import { ControlConnection } from './ControlConnection';
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

/** Reconnecting after the control client died: first wait, and the longest. */
const RECONNECT_FIRST_MS = 100;
const RECONNECT_MAX_MS = 5_000;

/**
 * One tmux control-mode client per window tells us when any session on our
 * server ends, so natural exits need no process per session and no polling,
 * and carries the window's questions to tmux (`TmuxClient` sends over it
 * while it is up). It attaches to a small idle session of its own, which
 * carries no owner marker and is never listed as a workspace session. When
 * the client dies while the server still runs, it reconnects with backoff;
 * when the server is gone it stays down until a session of ours exists again.
 */
export class SessionWatcher implements Disposable {
  private readonly changed = new Emitter<string>();
  /** Fires (with the notification) whenever sessions may have come or gone. */
  readonly onDidChangeSessions = this.changed.event;
  private connection: ControlConnection | undefined;
  private disposed = false;
  private reconnectDelay = RECONNECT_FIRST_MS;
  private reconnectTimer: NodeJS.Timeout | undefined;
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
    return this.connection !== undefined;
  }

  /** The live connection (for fault tests, which kill its client). */
  get current(): ControlConnection | undefined {
    return this.connection;
  }

  /** Starts the control client unless it runs already; a no-op once disposed. */
  ensureRunning(): void {
    if (this.connection || this.disposed) return;
    const idle = ['/bin/sh', '-c', 'while :; do sleep 86400; done'];
    // -u: outside a UTF-8 locale tmux would print tabs and non-ASCII in answers as `_`.
    const invocation = this.tmux.clientInvocation(['-u', '-C', 'new-session', '-A', '-s', WATCHER_SESSION, '--', ...idle]);
    const connection = new ControlConnection(invocation, (line) => this.notified(line, connection), this.log);
    this.connection = connection;
    this.tmux.useConnection(connection);
    // The server's pid, for ending a server that gets stuck exiting (TmuxClient.endStuckServer).
    void connection.attachedNow.then(() => this.tmux.learnServerPid()).catch((error: unknown) => this.log.debug(`[SessionWatcher] asking the tmux server's pid failed: ${errorMessage(error)}`));
    void connection.exited.then((how) => this.ended(connection, how));
  }

  private notified(line: string, connection: ControlConnection): void {
    if (connection.ready) this.reconnectDelay = RECONNECT_FIRST_MS;
    const notification = line.split(' ', 1)[0];
    if (SESSION_NOTIFICATIONS.includes(notification)) this.fire(notification);
  }

  private ended(connection: ControlConnection, how: string): void {
    if (this.connection !== connection) return;
    this.connection = undefined;
    this.tmux.useConnection(undefined, connection);
    if (this.disposed) return;
    this.log.debug(`[SessionWatcher] control client ended (${how})`);
    // The server went away (or the client failed): whatever was live may be gone.
    this.fire('%client-exit');
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    const delay = this.reconnectDelay;
    this.reconnectDelay = Math.min(delay * 2, RECONNECT_MAX_MS);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      void this.tmux.serverRunning().then(
        (up) => {
          // A server that is gone stays gone: starting the watcher would start a server of its own.
          if (up) this.ensureRunning();
        },
        (error: unknown) => {
          this.log.warn(`[SessionWatcher] checking the tmux server before reconnecting failed: ${errorMessage(error)}`);
          if (!this.disposed) this.scheduleReconnect();
        },
      );
    }, delay);
    this.reconnectTimer.unref();
  }

  dispose(): void {
    this.disposed = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    const connection = this.connection;
    this.connection = undefined;
    if (connection) {
      this.tmux.useConnection(undefined, connection);
      connection.close();
    }
    this.changed.dispose();
  }
}
