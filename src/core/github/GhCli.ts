import { runLogged, silentLogger, type CommandLogger } from '../commandLog';
import { WorkspaceError } from '../errors';

export type PullRequestState = 'open' | 'merged' | 'closed';

export interface PullRequestInfo {
  readonly url: string;
  readonly state: PullRequestState;
}

/**
 * The GitHub CLI, `gh`, for pull requests: whether it is installed and
 * logged in, creating one, and reading one's URL and state. Argv arrays only,
 * never a prompt (`GH_PROMPT_DISABLED`), stdin closed.
 */
export class GhCli {
  private readonly command: string;
  private readonly log: CommandLogger;

  constructor(options: { command?: string; log?: CommandLogger } = {}) {
    this.command = options.command ?? 'gh';
    this.log = options.log ?? silentLogger;
  }

  /** Installed and logged in (`gh auth status` exits 0); not installed is false, not a failure. */
  async ready(cwd: string): Promise<boolean> {
    try {
      await this.run(cwd, ['auth', 'status']);
      return true;
    } catch (error) {
      if (error instanceof WorkspaceError && (error.kind === 'unavailable' || error.kind === 'failed')) return false;
      throw error;
    }
  }

  /** Creates the pull request; resolves to its URL (the last line gh prints). */
  async create(cwd: string, request: { base: string; head: string; title: string; body: string }): Promise<string> {
    const output = await this.run(cwd, ['pr', 'create', '--base', request.base, '--head', request.head, '--title', request.title, '--body', request.body]);
    const url = output.split('\n').map((line) => line.trim()).filter((line) => /^https?:\/\//.test(line)).at(-1);
    if (!url) throw new WorkspaceError('failed', `gh pr create printed no pull request URL: ${output.trim() || '(nothing)'}`);
    return url;
  }

  /** The pull request of `branch`, or undefined when it has none (or gh cannot tell). */
  async view(cwd: string, branch: string): Promise<PullRequestInfo | undefined> {
    let output: string;
    try {
      output = await this.run(cwd, ['pr', 'view', branch, '--json', 'url,state']);
    } catch (error) {
      // "no pull requests found for branch", not logged in, not installed: nothing to show.
      if (error instanceof WorkspaceError && (error.kind === 'failed' || error.kind === 'unavailable')) return undefined;
      throw error;
    }
    const parsed = JSON.parse(output) as { url?: unknown; state?: unknown };
    const state = String(parsed.state).toLowerCase();
    if (typeof parsed.url !== 'string' || !['open', 'merged', 'closed'].includes(state)) return undefined;
    return { url: parsed.url, state: state as PullRequestState };
  }

  private run(cwd: string, args: readonly string[]): Promise<string> {
    return runLogged(this.log, this.command, args, { cwd, env: { GH_PROMPT_DISABLED: '1', NO_COLOR: '1' } }, (failure) =>
      failure.code === 'ENOENT'
        ? new WorkspaceError('unavailable', 'gh (the GitHub CLI) is not installed.')
        : new WorkspaceError('failed', `gh ${args.slice(0, 2).join(' ')} failed: ${failure.stderr || failure.shortMessage}`),
    );
  }
}
