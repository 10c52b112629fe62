import type { AgentMessages } from '../agents/AgentMessages';
import type { PromptDelivery } from '../agents/PromptDelivery';
import { WorkspaceError } from '../errors';
import type { RecordStore } from '../store/RecordStore';
import type { SessionRecord } from '../store/records';

/**
 * What goes into running agents besides their launch: a first prompt that was
 * not sent, sent again or copied, and messages (Send to Agent), sent now or
 * queued while the agent works. Each keeps its own once-only rules
 * (PromptDelivery, AgentMessages); this only finds the record.
 */
export class AgentInput {
  constructor(
    private readonly store: RecordStore,
    private readonly prompts: PromptDelivery,
    private readonly messages: AgentMessages,
  ) {}

  /** Resolves when no first prompt is being delivered by this window. */
  promptsSettled(): Promise<void> {
    return this.prompts.settled();
  }

  /** The text of a first prompt that was not sent, or may not have arrived; undefined when none is kept. */
  async unsentPrompt(key: string): Promise<string | undefined> {
    const record = this.store.session(key);
    return record ? this.prompts.keptPrompt(record) : undefined;
  }

  /** Send Again: pastes a kept first prompt into its agent now, once; the outcome is a `prompt` change. */
  async sendPromptAgain(key: string): Promise<void> {
    await this.prompts.sendAgain(this.agent(key));
  }

  /**
   * Send to Agent: pastes `text` into a running agent now, or, while it works
   * (`agentBusy`, as its row shows) or has messages waiting, queues it for
   * `deliverQueued`. Refuses what cannot be sent (empty, over 64 KiB, control characters).
   */
  sendToAgent(key: string, text: string, options: { agentBusy: boolean }): Promise<'sent' | 'queued'> {
    return this.messages.send(this.agent(key), text, options.agentBusy);
  }

  /** The agent is free (idle, or needs input): its queued messages go in, in order, once. */
  deliverQueued(key: string): Promise<void> {
    return this.messages.flush(key);
  }

  /** Cancels the messages still waiting for an agent; resolves to how many. */
  cancelQueued(key: string): Promise<number> {
    return this.messages.cancel(key);
  }

  /** At activation: the messages of sessions that ended meanwhile go. */
  sweep(records: readonly SessionRecord[]): Promise<void> {
    return this.messages.sweep(records);
  }

  private agent(key: string): SessionRecord {
    const record = this.store.session(key);
    if (!record || record.kind !== 'agent') throw new WorkspaceError('gone', 'That agent is no longer running.');
    return record;
  }
}
