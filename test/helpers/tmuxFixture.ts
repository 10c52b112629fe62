import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { TmuxClient, type TmuxClientOptions } from '../../src/core/tmux/TmuxClient';
import { eventually } from './poll';

/**
 * A private tmux server for one test file: its own socket under a temporary
 * TMUX_TMPDIR, no user config unless `config` gives the text of one (loaded as
 * a user's ~/.tmux.conf would be). `dispose` kills the server and removes the folder.
 */
export class TmuxFixture {
  private constructor(
    readonly dir: string,
    readonly command: readonly string[],
    readonly environment: NodeJS.ProcessEnv,
  ) {}

  static async create(options: { config?: string } = {}): Promise<TmuxFixture> {
    const dir = await mkdtemp(join(tmpdir(), 'tw-tmux-'));
    const config = options.config === undefined ? '/dev/null' : join(dir, 'tmux.conf');
    if (options.config !== undefined) await writeFile(config, options.config);
    // A secret in the caller's environment must never reach the tmux server.
    const environment: NodeJS.ProcessEnv = { ...process.env, TMUX_TMPDIR: dir, GITHUB_TOKEN: 'ghp_test_secret_token' };
    delete environment.TMUX;
    return new TmuxFixture(dir, ['tmux', '-L', 'tw-test', '-f', config], environment);
  }

  client(options: Partial<TmuxClientOptions> = {}): TmuxClient {
    return new TmuxClient({ command: this.command, environment: this.environment, ...options });
  }

  /** Runs tmux on this server directly, as a user at another terminal would. */
  async tmux(...args: string[]): Promise<string> {
    const result = await execa(this.command[0], [...this.command.slice(1), ...args], {
      env: { PATH: process.env.PATH ?? '', TMUX_TMPDIR: this.dir },
      extendEnv: false,
      reject: false,
    });
    return result.stdout;
  }

  /** Waits until the session's pane shows `text`: what a test must see before it types into the pane. */
  async waitForText(session: string, text: string, timeoutMs = 5000): Promise<void> {
    await eventually(async () => (await this.tmux('capture-pane', '-p', '-t', `=${session}:`)).includes(text), timeoutMs, `"${text}" in ${session}`);
  }

  /**
   * Kills the server and waits until it is gone: kill-server returns while the
   * server is still exiting, and a client connecting meanwhile (the next test)
   * would fail with "server exited unexpectedly".
   */
  async killServer(): Promise<void> {
    const pid = Number(await this.tmux('display-message', '-p', '#{pid}')) || undefined;
    await this.tmux('kill-server');
    const exited = async () => /no server running|error connecting/.test(await this.stderrOf('list-sessions'));
    try {
      await eventually(exited, 3000, 'tmux server exit');
    } catch (error) {
      // tmux 3.3 never finishes exiting while a control client whose reader died mid-notification
      // (a window process killed with SIGKILL) is still connected; end this private server by pid.
      if (!pid) throw error;
      try {
        process.kill(pid, 'SIGKILL');
      } catch (killError) {
        // It finished exiting between the last check and the kill: what we wanted.
        if ((killError as NodeJS.ErrnoException).code !== 'ESRCH') throw killError;
      }
      await eventually(exited, 5000, 'tmux server exit after SIGKILL');
    }
  }

  private async stderrOf(...args: string[]): Promise<string> {
    const result = await execa(this.command[0], [...this.command.slice(1), ...args], {
      env: { PATH: process.env.PATH ?? '', TMUX_TMPDIR: this.dir },
      extendEnv: false,
      reject: false,
    });
    return result.stderr;
  }

  async dispose(): Promise<void> {
    await this.killServer();
    await rm(this.dir, { recursive: true, force: true });
  }
}
