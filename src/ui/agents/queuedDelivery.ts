import type { AgentState } from '../../core/agents/AgentStatus';
import type { Disposable, Event } from '../../core/events';
import type { LifecycleChange } from '../../core/lifecycle/RuntimeLifecycle';
import { logFailure, type Logger } from '../../core/log';
import type { AgentStateChange } from '../tree/AgentStateModel';

/** A state in which an agent takes input: its queued messages may go in. */
const FREE: ReadonlySet<AgentState> = new Set<AgentState>(['idle', 'needs-input']);

export interface QueuedDeliveryOptions {
  readonly states: { state(sessionKey: string): AgentState | undefined; readonly onDidChange: Event<AgentStateChange[]> };
  readonly changes: Event<LifecycleChange>;
  readonly deliver: (sessionKey: string) => Promise<void>;
  readonly log: Logger;
}

/**
 * Sends an agent's queued messages (Send to Agent) when its row says it is
 * free: when it turns idle or needs input, and when a message queues behind
 * another while it is free already. The lifecycle delivers each once, in
 * order, whichever window asks.
 */
export function deliverQueuedWhenFree(options: QueuedDeliveryOptions): Disposable[] {
  const deliver = (key: string) => void options.deliver(key).catch(logFailure(options.log, `sending the queued messages of ${key}`));
  return [
    options.states.onDidChange((changes) => {
      for (const change of changes) {
        // The change's record may predate the queue; the lifecycle reads the current one (nothing queued: nothing to do).
        if (change.to && FREE.has(change.to)) deliver(change.session.key);
      }
    }),
    options.changes((change) => {
      if (change.type !== 'queue' || !change.session.queued?.length) return;
      const state = options.states.state(change.session.key);
      if (state && FREE.has(state)) deliver(change.session.key);
    }),
  ];
}
