import { LOST, type ControlChannel, type ControlConnection, type ControlReply } from '../../src/core/tmux/ControlConnection';

/**
 * A real control connection whose client is really killed (SIGKILL) at the
 * worst moment of the next command: `before` tmux reads it, or `after` tmux
 * has run it and answered, with the answer never reaching us. Both are what a
 * dying client does; the caller sees `LOST` either way.
 */
export class DyingConnection implements ControlChannel {
  /** Whether the fault has fired. */
  fired = false;

  constructor(
    private readonly real: ControlConnection,
    private readonly when: 'before' | 'after',
  ) {}

  get ready(): boolean {
    return this.real.ready;
  }

  async send(line: string): Promise<ControlReply | typeof LOST> {
    if (this.fired) return this.real.send(line);
    this.fired = true;
    if (this.when === 'after') await this.real.send(line);
    process.kill(this.real.pid!, 'SIGKILL');
    await this.real.exited;
    return LOST;
  }
}
