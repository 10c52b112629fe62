import type { LifecycleChange } from '../../core/lifecycle/RuntimeLifecycle';
import type { SessionRecord } from '../../core/store/records';
import type { Logger } from '../../core/log';
import { reporting } from '../commands/failures';
import { loggingHost } from '../commands/registry';
import type { UiHost } from '../host';
import type { AgentStateChange } from '../tree/AgentStateModel';

export interface AgentNotifierOptions {
  readonly host: UiHost;
  /** Where every warning and error it shows is written too. */
  readonly log: Logger;
  /** The `tmuxWorkspaces.notifications` setting (opt-in). */
  readonly enabled: () => boolean;
  /** Whether the user is looking at this session's terminal right now. */
  readonly terminalFocused: (tmuxName: string) => boolean;
  readonly attach: (sessionKey: string) => Promise<void>;
  /** Send First Prompt Again and Copy First Prompt, offered when a first prompt was not sent. */
  readonly promptAction: (action: PromptAction, sessionKey: string) => Promise<void>;
  readonly branchOf: (workspaceId: string) => string | undefined;
}

export type PromptAction = 'send' | 'copy';
const SEND_AGAIN = 'Send Again';
const COPY_PROMPT = 'Copy Prompt';

/** How many of a failed agent's last lines go into the notification itself (all of them are one click away). */
const LINES_IN_MESSAGE = 3;

/**
 * Tells the user what agents need. Opt-in: one notification when an agent
 * starts needing input (with Attach) or finishes, unless its terminal has the
 * focus. Always: an agent that exited with a failure status (with its last
 * lines), and a first prompt that was not, or may not have been, delivered.
 */
export class AgentNotifier {
  /** Agents already notified about for their current spell of needing input. */
  private readonly notified = new Set<string>();

  private readonly host: UiHost;

  constructor(private readonly options: AgentNotifierOptions) {
    this.host = loggingHost(options.host, options.log, 'Agents');
  }

  onStates(changes: readonly AgentStateChange[]): void {
    for (const change of changes) {
      const key = change.session.key;
      if (change.to !== 'needs-input') {
        this.notified.delete(key);
        continue;
      }
      if (this.notified.has(key) || !this.options.enabled() || this.options.terminalFocused(change.session.tmuxName)) continue;
      this.notified.add(key);
      void reporting({ host: this.options.host, log: this.options.log }, 'Attach', async () => {
        if ((await this.host.info(`${this.name(change.session)} needs your input.`, 'Attach')) === 'Attach') await this.options.attach(key);
      });
    }
  }

  onLifecycle(change: LifecycleChange): void {
    if (change.type === 'prompt') {
      const prompt = change.session.prompt;
      if (prompt && (prompt.state === 'failed' || prompt.state === 'unknown')) void this.reportUnsentPrompt(change.session, prompt.state, change.detail);
      return;
    }
    if (change.type !== 'session-ended' || !change.natural || change.session.kind !== 'agent') return;
    this.notified.delete(change.session.key);
    if (change.exitCode !== undefined && change.exitCode !== 0) {
      void this.reportFailure(change.session, change.exitCode, change.lastLines);
    } else if (change.exitCode === 0 && this.options.enabled() && !this.options.terminalFocused(change.session.tmuxName)) {
      void this.host.info(`${this.name(change.session)} is done.`);
    }
  }

  private async reportUnsentPrompt(session: SessionRecord, state: 'failed' | 'unknown', detail: string | undefined): Promise<void> {
    const why = detail ?? (state === 'failed' ? 'not sent' : 'it may not have arrived');
    const choice = await this.host.warn(`First prompt for ${this.name(session)}: ${why}.`, SEND_AGAIN, COPY_PROMPT);
    if (choice === SEND_AGAIN || choice === COPY_PROMPT) await this.options.promptAction(choice === SEND_AGAIN ? 'send' : 'copy', session.key);
  }

  private async reportFailure(session: SessionRecord, exitCode: number, lastLines: string | undefined): Promise<void> {
    const tail = (lastLines ?? '').split('\n').map((line) => line.trimEnd()).filter(Boolean).slice(-LINES_IN_MESSAGE);
    const message = `${this.name(session)} exited with status ${exitCode}.${tail.length > 0 ? ` Last output: ${tail.join(' ⏎ ')}` : ''}`;
    const choice = lastLines ? await this.host.error(message, 'Show Output') : await this.host.error(message);
    if (choice === 'Show Output' && lastLines) {
      await this.host.showText(`${this.name(session)} exited with status ${exitCode}; its last lines:`, lastLines);
    }
  }

  private name(session: SessionRecord): string {
    const branch = this.options.branchOf(session.workspaceId);
    return branch ? `${session.label} in "${branch}"` : session.label;
  }
}
