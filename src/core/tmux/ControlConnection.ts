import { execa, type ResultPromise } from 'execa';
import { errorMessage } from '../errors';
import { silentLog, type Logger } from '../log';

/** What one command list answered over the connection: its output, or tmux's error text. */
export interface ControlReply {
  readonly output: string;
  /** The text of the first `%error` block (the command that failed; later commands of the list did not run). */
  readonly error?: string;
}

/** The command's answer will never come: the control client ended before tmux answered it (it may or may not have run). */
export const LOST = Symbol('lost');

/** What `TmuxClient` needs of a connection. */
export interface ControlChannel {
  /** The client is attached and tmux answered its first command: commands sent now will be answered or `LOST`. */
  readonly ready: boolean;
  send(line: string): Promise<ControlReply | typeof LOST>;
}

interface Pending {
  readonly sentinel: string;
  readonly resolve: (reply: ControlReply | typeof LOST) => void;
  output: string[];
  error?: string;
}

interface Block {
  readonly guard: string;
  readonly ours: boolean;
  readonly lines: string[];
}

const BEGIN = /^%begin (\d+) (\d+) (\d+)$/;

/**
 * A tmux control-mode client (`tmux -C`) as a protocol client. Commands are
 * written to its stdin in order; tmux answers each command of a line with its
 * own `%begin <time> <number> <flags>` … `%end`/`%error` block, and stops a
 * list at its first error, so a line's blocks cannot be counted beforehand:
 * each line is followed by a sentinel command whose block closes the answer.
 * Blocks with flags 0 (the attach command's, hooks') are not ours. Every other
 * line is a notification.
 */
export class ControlConnection implements ControlChannel {
  private readonly queue: Pending[] = [];
  private block: Block | undefined;
  private sequence = 0;
  private attached = false;
  private ended = false;
  private readonly child: ResultPromise;
  /** Resolves once the client has ended (for whatever reason). */
  readonly exited: Promise<string>;
  private markAttached: () => void = () => undefined;
  /** Resolves once tmux answered the attach command (commands are answered from then on); never, if the client ends first. */
  readonly attachedNow = new Promise<void>((resolve) => {
    this.markAttached = resolve;
  });

  constructor(
    invocation: { file: string; args: readonly string[]; env: Record<string, string> },
    private readonly onNotification: (line: string) => void,
    private readonly log: Logger = silentLog,
  ) {
    this.child = execa(invocation.file, invocation.args, { env: invocation.env, extendEnv: false, stdin: 'pipe', stdout: 'pipe', stderr: 'ignore', reject: false, buffer: false });
    this.child.stdin?.on('error', (error) => this.log.debug(`[ControlConnection] writing to the control client failed: ${errorMessage(error)}`));
    let partial = '';
    this.child.stdout?.setEncoding('utf8');
    this.child.stdout?.on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) this.receive(line);
    });
    this.exited = this.child.then((result) => {
      this.end();
      return result.failed ? (result.shortMessage ?? 'failed') : 'exit 0';
    });
  }

  get ready(): boolean {
    return this.attached && !this.ended;
  }

  /** The control client's process id (a fault test kills it). */
  get pid(): number | undefined {
    return this.child.pid;
  }

  send(line: string): Promise<ControlReply | typeof LOST> {
    if (this.ended) return Promise.resolve(LOST);
    const sentinel = `tw-done-${++this.sequence}`;
    return new Promise((resolve) => {
      this.queue.push({ sentinel, resolve, output: [] });
      this.child.stdin?.write(`${line}\ndisplay-message -p ${sentinel}\n`);
    });
  }

  close(): void {
    this.child.kill();
    this.end();
  }

  private receive(line: string): void {
    if (this.block) {
      if (line === `%end ${this.block.guard}` || line === `%error ${this.block.guard}`) this.finish(this.block, line.startsWith('%error'));
      else this.block.lines.push(line);
      return;
    }
    const begin = BEGIN.exec(line);
    if (begin) {
      this.block = { guard: `${begin[1]} ${begin[2]} ${begin[3]}`, ours: begin[3] === '1', lines: [] };
      return;
    }
    this.onNotification(line);
  }

  private finish(block: Block, failed: boolean): void {
    this.block = undefined;
    if (!block.ours) {
      // The attach command's own block comes first: from now on, commands are answered.
      if (!this.attached) this.markAttached();
      this.attached = true;
      return;
    }
    const pending = this.queue[0];
    if (!pending) {
      this.log.warn(`[ControlConnection] an answer nobody asked for: ${block.lines.join(' / ')}`);
      return;
    }
    if (!failed && block.lines.length === 1 && block.lines[0] === pending.sentinel) {
      this.queue.shift();
      pending.resolve({ output: pending.output.join(''), error: pending.error });
      return;
    }
    if (failed) pending.error ??= block.lines.join('\n');
    else pending.output.push(block.lines.map((text) => `${text}\n`).join(''));
  }

  private end(): void {
    if (this.ended) return;
    this.ended = true;
    for (const pending of this.queue.splice(0)) pending.resolve(LOST);
  }
}
