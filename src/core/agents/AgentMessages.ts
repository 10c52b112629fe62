import { randomUUID } from 'node:crypto';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { errorMessage, failed, refused } from '../errors';
import { logFailure, silentLog, type Logger } from '../log';
import { privateFolder, sweepFilesOfEndedLaunches } from '../privateFolder';
import type { RecordStore } from '../store/RecordStore';
import type { QueuedMessage, SessionRecord } from '../store/records';
import type { TmuxClient } from '../tmux/TmuxClient';
import { checkPrompt } from './PromptDelivery';
import { pasteThenEnter } from './paste';

export interface AgentMessagesOptions {
  readonly tmux: TmuxClient;
  readonly store: RecordStore;
  /** A private folder for the messages' text and the watched pane output. */
  readonly dir: string;
  /** The lifecycle's per-workspace lock: record changes happen under it. */
  readonly lock: <T>(key: string, task: () => Promise<T>) => Promise<T>;
  /** A session's queue changed. */
  readonly changed: (session: SessionRecord) => void;
  readonly log?: Logger;
}

const PREVIEW_CHARS = 60;
const MESSAGE_SUFFIX = '.msg';

/**
 * Send to Agent: a message (a selection with its place, or typed text) goes
 * into a running agent as one bracketed paste, then Enter, the way a first
 * prompt does: never on a command line, at most 64 KiB, no control
 * characters. While the agent works (or its first prompt is on its way) the
 * message waits: its text in a 0600 file, its place in the session record's
 * `queued`, delivered in order when the agent is next idle or needs input.
 * Once: a delivery claims the file by renaming it and takes the message off
 * the record before pasting, so neither a second window nor a reload pastes
 * it again.
 */
export class AgentMessages {
  private readonly log: Logger;
  private prepared: Promise<void> | undefined;
  private readonly flushing = new Map<string, Promise<void>>();

  constructor(private readonly options: AgentMessagesOptions) {
    this.log = options.log ?? silentLog;
  }

  /** Pastes now when the agent is free and nothing waits before it; otherwise queues. */
  async send(record: SessionRecord, text: string, agentBusy: boolean): Promise<'sent' | 'queued'> {
    const message = checkPrompt(text, 'message');
    const firstPromptOnItsWay = record.prompt?.state === 'pending' || record.prompt?.state === 'delivering';
    if (!agentBusy && !firstPromptOnItsWay && !(record.queued?.length)) {
      await this.paste(record, randomUUID(), message);
      return 'sent';
    }
    const id = randomUUID();
    await this.folder();
    await writeFile(this.file(record, id), message, { mode: 0o600 });
    const queued: QueuedMessage = { id, at: Date.now(), preview: preview(message) };
    const updated = await this.options.lock(record.workspaceId, async () => {
      const current = this.options.store.session(record.key);
      if (!current || current.createdAt !== record.createdAt) return undefined;
      return this.options.store.updateSession(record.key, record.createdAt, { queued: [...(current.queued ?? []), queued] });
    });
    if (!updated) {
      await rm(this.file(record, id), { force: true });
      throw refused(`${record.label} is no longer running, so the message was not sent.`);
    }
    this.options.changed(updated);
    return 'queued';
  }

  /** Delivers the session's queued messages in order (the agent is free now); one flush per session at a time. */
  flush(key: string): Promise<void> {
    const running = this.flushing.get(key);
    if (running) return running;
    const run = this.deliverQueued(key).finally(() => this.flushing.delete(key));
    this.flushing.set(key, run);
    return run;
  }

  /** Cancels every message still waiting; one already being pasted cannot be stopped. */
  async cancel(key: string): Promise<number> {
    const record = this.options.store.session(key);
    if (!record?.queued?.length) return 0;
    const cancelled: string[] = [];
    const updated = await this.options.lock(record.workspaceId, async () => {
      const current = this.options.store.session(key);
      if (!current || current.createdAt !== record.createdAt) return undefined;
      for (const message of current.queued ?? []) {
        // Claimed first, so a flush in another window cannot take it meanwhile.
        if (await claim(this.file(current, message.id), `${this.file(current, message.id)}.cancelled`)) cancelled.push(message.id);
      }
      return this.options.store.updateSession(key, current.createdAt, { queued: (current.queued ?? []).filter((message) => !cancelled.includes(message.id)) });
    });
    await Promise.all(cancelled.map((id) => rm(`${this.file(record, id)}.cancelled`, { force: true })));
    if (updated) this.options.changed(updated);
    return cancelled.length;
  }

  /** Removes the files of messages whose session has no record any more. */
  async sweep(records: readonly SessionRecord[]): Promise<void> {
    await sweepFilesOfEndedLaunches(this.options.dir, new Set(records.map((record) => record.launchId)));
  }


  private async deliverQueued(key: string): Promise<void> {
    for (;;) {
      const record = this.options.store.session(key);
      const next = record?.queued?.[0];
      if (!record || !next) return;
      const claimed = `${this.file(record, next.id)}.claimed`;
      if (!(await claim(this.file(record, next.id), claimed))) {
        this.log.debug(`message ${next.id} for ${key} is being delivered elsewhere, or was cancelled`);
        return;
      }
      // Off the record before the paste: a window that dies from here on never pastes it again.
      const updated = await this.options.lock(record.workspaceId, async () => {
        const current = this.options.store.session(key);
        if (!current || current.createdAt !== record.createdAt) return undefined;
        return this.options.store.updateSession(key, current.createdAt, { queued: (current.queued ?? []).filter((message) => message.id !== next.id) });
      });
      if (!updated) {
        await rm(claimed, { force: true });
        return;
      }
      this.options.changed(updated);
      try {
        await this.paste(updated, next.id, await readFile(claimed, 'utf8'));
      } finally {
        await rm(claimed, { force: true });
      }
    }
  }

  /** Pipes the pane's output (for the echo wait), pastes, presses Enter, stops the pipe. */
  private async paste(record: SessionRecord, id: string, text: string): Promise<void> {
    await this.folder();
    const outputFile = join(this.options.dir, `${record.launchId}.${id}.out`);
    const { tmux } = this.options;
    try {
      await tmux.pipeOutput(record.tmuxName, outputFile);
      await pasteThenEnter(tmux, record.tmuxName, text, { bufferName: `tw-message-${id}`, outputFile, log: this.log });
    } catch (error) {
      throw failed(`The message could not be pasted into ${record.label}: ${errorMessage(error)}`);
    } finally {
      await tmux.stopPipe(record.tmuxName).catch(logFailure(this.log, `stopping the output pipe of ${record.tmuxName}`, 'debug'));
      await rm(outputFile, { force: true });
    }
  }

  private folder(): Promise<void> {
    this.prepared ??= privateFolder(this.options.dir);
    return this.prepared;
  }

  private file(record: SessionRecord, id: string): string {
    return join(this.options.dir, `${record.launchId}.${id}${MESSAGE_SUFFIX}`);
  }
}

/** Renames `from` to `to`; false when `from` is not there (another claim won). */
async function claim(from: string, to: string): Promise<boolean> {
  try {
    await rename(from, to);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

function preview(text: string): string {
  const line = text.split('\n', 1)[0].trim();
  return line.length > PREVIEW_CHARS ? `${line.slice(0, PREVIEW_CHARS - 1)}…` : line;
}
