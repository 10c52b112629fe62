import { resolve } from 'node:path';
import { execaNode, type ResultPromise } from 'execa';
import type { SessionRecord, WorkspaceRecord } from '../../src/core/store/records';
import type { LiveSession } from '../../src/core/tmux/TmuxClient';
import type { WindowConfig, WindowMessage, WindowReply, WindowRequest } from './windowProtocol';

/** The bundled child script, beside the bundled test files (out/test/helpers/). */
const CHILD_SCRIPT = resolve(__dirname, '..', 'helpers', 'window.child.js');

/** A request a window refused or failed, with the error's kind as the lifecycle gave it. */
export class WindowError extends Error {
  constructor(
    readonly kind: string,
    message: string,
  ) {
    super(message);
    this.name = 'WindowError';
  }
}

/** The window process ended while a request was in flight. */
export class WindowExited extends Error {
  constructor(readonly signal: string | undefined) {
    super(`the window process ended${signal ? ` (${signal})` : ''}`);
    this.name = 'WindowExited';
  }
}

type Outcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly kind: string; readonly message: string };

/** A "window": a lifecycle in a Node process of its own, driven over IPC (see `window.child.ts`). */
export class WindowProcess {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(reply: WindowReply): void; reject(error: Error): void }>();
  private stderr = '';
  private exit: { signal: string | undefined } | undefined;
  /** Resolves when the process has ended, with the signal that ended it. */
  readonly exited: Promise<{ signal: string | undefined }>;
  private readonly ready: Promise<void>;

  private constructor(private readonly child: ResultPromise) {
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      this.stderr = (this.stderr + chunk).slice(-4000);
    });
    this.ready = new Promise((resolveReady, rejectReady) => {
      child.on('message', (message: WindowMessage) => {
        if ('ready' in message) return resolveReady();
        const waiter = this.pending.get(message.id);
        this.pending.delete(message.id);
        waiter?.resolve(message);
      });
      void child.then(() => rejectReady(new Error(`the window process ended before it was ready: ${this.stderr}`)));
    });
    this.exited = child.then((result) => {
      this.exit = { signal: result.signal };
      for (const waiter of this.pending.values()) waiter.reject(new WindowExited(result.signal));
      this.pending.clear();
      return this.exit;
    });
  }

  static async spawn(config: WindowConfig): Promise<WindowProcess> {
    const child = execaNode(CHILD_SCRIPT, [JSON.stringify(config)], {
      nodeOptions: ['--enable-source-maps'],
      stdin: 'ignore',
      stdout: 'ignore',
      stderr: 'pipe',
      buffer: false,
      reject: false,
    });
    const window = new WindowProcess(child);
    await window.ready;
    return window;
  }

  get alive(): boolean {
    return this.exit === undefined;
  }

  /** What the process printed on stderr last, for failure messages. */
  get output(): string {
    return this.stderr;
  }

  /** Sends one request; resolves to its outcome, rejects with `WindowExited` if the process ends first. */
  request<T = unknown>(request: WindowRequest): Promise<Outcome<T>> {
    if (this.exit) return Promise.reject(new WindowExited(this.exit.signal));
    const id = this.nextId++;
    return new Promise<WindowReply>((resolveReply, reject) => {
      this.pending.set(id, { resolve: resolveReply, reject });
      this.child.send({ id, request });
    }).then((reply) => (reply.ok ? { ok: true, value: reply.value as T } : { ok: false, kind: reply.kind, message: reply.message }));
  }

  /** Sends one request; resolves to its value, throws `WindowError` when the window refused or failed it. */
  async call<T = unknown>(request: WindowRequest): Promise<T> {
    const outcome = await this.request<T>(request);
    if (!outcome.ok) throw new WindowError(outcome.kind, outcome.message);
    return outcome.value;
  }

  create(repoPath: string, branch: string, setupCommand?: string): Promise<WorkspaceRecord> {
    return this.call({ op: 'create', repoPath, branch, setupCommand });
  }

  launchAgent(workspaceId: string, command: readonly string[], label = 'agent'): Promise<SessionRecord> {
    return this.call({ op: 'launch', workspaceId, request: { kind: 'agent', label, command } });
  }

  launchShell(workspaceId: string): Promise<SessionRecord> {
    return this.call({ op: 'launch', workspaceId, request: { kind: 'shell' } });
  }

  listOrphans(): Promise<LiveSession[]> {
    return this.call({ op: 'listOrphans' });
  }

  steps(): Promise<string[]> {
    return this.call({ op: 'steps' });
  }

  /** Closes the window: disposes its lifecycle and ends the process; SIGKILL if it does not end soon. */
  async close(): Promise<void> {
    if (this.exit) return;
    await this.request({ op: 'exit' }).catch(() => undefined);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 2000);
    await this.exited;
    clearTimeout(timer);
  }

  /** Ends the process (SIGKILL) and waits until it is gone. */
  async kill(): Promise<void> {
    if (this.exit) return;
    this.child.kill('SIGKILL');
    await this.exited;
  }
}
