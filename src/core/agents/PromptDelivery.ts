import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { errorMessage, refused } from '../errors';
import { logFailure, silentLog, type Logger } from '../log';
import type { RecordStore } from '../store/RecordStore';
import type { PromptAttempt, PromptState, SessionRecord } from '../store/records';
import type { TmuxClient } from '../tmux/TmuxClient';
import { privateFolder, sweepFilesOfEndedLaunches } from '../privateFolder';
import { delay, pasteThenEnter } from './paste';

/** The most a first prompt may be, in UTF-8 bytes. */
export const MAX_PROMPT_BYTES = 64 * 1024;
/** How long an agent has to switch on bracketed paste before its prompt is given up. */
export const DEFAULT_PROMPT_WAIT_MS = 30_000;

/** What a program prints to ask for bracketed paste (DECSET 2004). tmux 3.3 has no format for it, so the output is watched. */
const BRACKETED_PASTE_ON = '\x1b[?2004h';
const POLL_MS = 50;
/** A prompt that was not sent, or may not have arrived, waits in `<launch id>.prompt.kept`. */
const KEPT_SUFFIX = '.prompt.kept';
/** A `delivering` this old was left by a window that went away mid-paste. */
const DELIVERING_GRACE_MS = 10_000;

// eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

/** Windows line ends become `\n`; trailing white space goes (Enter is pressed after the paste). */
export function normalizePrompt(text: string): string {
  return text.replace(/\r\n/g, '\n').replace(/\s+$/, '');
}

/** Why `text` cannot be a first prompt (or a message: `noun`), or undefined when it can. Expects normalized text. */
export function promptProblem(text: string, noun = 'prompt'): string | undefined {
  if (text.trim() === '') return `The ${noun} is empty.`;
  const control = CONTROL.exec(text);
  if (control) {
    const code = control[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
    const line = text.slice(0, control.index).split('\n').length;
    return `The ${noun} contains a control character (U+${code}, line ${line}); only line breaks and tabs can be sent.`;
  }
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_PROMPT_BYTES) return `The ${noun} is ${(bytes / 1024).toFixed(1)} KiB; at most ${MAX_PROMPT_BYTES / 1024} KiB can be sent.`;
  return undefined;
}

/** The normalized prompt, or a refusal that says what is wrong with it. */
export function checkPrompt(text: string, noun = 'prompt'): string {
  const normalized = normalizePrompt(text);
  const problem = promptProblem(normalized, noun);
  if (problem) throw refused(problem);
  return normalized;
}

export interface PromptDeliveryOptions {
  readonly tmux: TmuxClient;
  readonly store: RecordStore;
  /** A private folder for the prompt files and the watched pane output. */
  readonly dir: string;
  /** The lifecycle's per-workspace lock: record changes happen under it. */
  readonly lock: <T>(key: string, task: () => Promise<T>) => Promise<T>;
  readonly waitMs?: number;
  /** A session's prompt state changed; `detail` says why when it failed or is unknown. */
  readonly changed: (session: SessionRecord, detail?: string) => void;
  /** Where failures that stop nothing go; default: nowhere. */
  readonly log?: Logger;
}

type ReadyOutcome = 'ready' | 'timeout' | 'gone' | 'disposed';

/**
 * Delivers a session's first prompt once: waits until the agent switches on
 * bracketed paste (seen in its output, piped to a file from the first byte),
 * then pastes the prompt through tmux and presses Enter.
 *
 * Exactly once, across reloads and windows: the prompt waits in a 0600 file
 * that a delivery claims by renaming it (only one rename succeeds), and the
 * record says `delivering` before the paste. A `delivering` found later is
 * never retried; it becomes `unknown` and the user is told.
 */
export class PromptDelivery {
  private readonly running = new Map<string, Promise<void>>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly waitMs: number;
  private readonly log: Logger;
  private prepared: Promise<void> | undefined;
  private disposed = false;

  constructor(private readonly options: PromptDeliveryOptions) {
    this.waitMs = options.waitMs ?? DEFAULT_PROMPT_WAIT_MS;
    this.log = options.log ?? silentLog;
  }

  /** The file the launch pipes the pane's output to. */
  outputFile(launchId: string): string {
    return join(this.options.dir, `${launchId}.out`);
  }

  /** Stores the prompt until it is delivered; resolves to the file the pane's output goes to. */
  async prepare(launchId: string, text: string): Promise<string> {
    this.prepared ??= privateFolder(this.options.dir);
    await this.prepared;
    await writeFile(this.promptFile(launchId), text, { mode: 0o600 });
    return this.outputFile(launchId);
  }

  /** Removes what `prepare` wrote, for a launch that did not happen, and a kept prompt of a session that ended. */
  async discard(launchId: string): Promise<void> {
    await Promise.all([this.promptFile(launchId), this.outputFile(launchId), this.keptFile(launchId)].map((file) => rm(file, { force: true })));
  }

  /** Removes kept prompts whose session has no record any more (ended while no window of ours watched). */
  async sweepKept(records: readonly SessionRecord[]): Promise<void> {
    await sweepFilesOfEndedLaunches(this.options.dir, new Set(records.map((record) => record.launchId)), (name) => name.endsWith(KEPT_SUFFIX));
  }


  /** Starts delivering a recorded session's pending prompt in the background. */
  begin(record: SessionRecord): void {
    if (this.disposed || this.running.has(record.key)) return;
    void this.track(record.key, this.deliver(record)).catch(logFailure(this.log, `delivering the first prompt of ${record.key}`));
  }

  /** `work` counts as running for `key` until it settles (`settled()` waits for it); resolves or rejects with it. */
  private track(key: string, work: Promise<void>): Promise<void> {
    const run = work.finally(() => this.running.delete(key));
    this.running.set(key, run);
    return run;
  }

  /**
   * At activation: goes on with prompts a previous window left pending, and
   * turns an abandoned `delivering` into `unknown`, never pasting it again.
   */
  async resume(records: readonly SessionRecord[]): Promise<void> {
    for (const record of records) {
      const prompt = record.prompt;
      if (!prompt || this.running.has(record.key)) continue;
      if (prompt.state === 'pending' && existsSync(this.promptFile(record.launchId))) {
        this.begin(record);
      } else if (prompt.state === 'pending' && existsSync(this.claimedFile(record.launchId))) {
        // Claimed by a delivery that had not recorded `delivering` yet.
        const claimedAt = (await stat(this.claimedFile(record.launchId)).catch(logFailure(this.log, 'reading the prompt claim', 'debug')))?.mtimeMs ?? 0;
        this.settleAbandoned(record, ['pending'], claimedAt);
      } else if (prompt.state === 'pending') {
        await this.transition(record, ['pending'], { state: 'failed', at: Date.now(), detail: 'the prompt was lost before it could be sent' });
      } else if (prompt.state === 'delivering') {
        this.settleAbandoned(record, ['delivering'], prompt.at);
      }
    }
  }

  /** Resolves when no delivery runs in this window. */
  async settled(): Promise<void> {
    // Only waits: each failure is logged where the work was started.
    while (this.running.size > 0) await Promise.allSettled([...this.running.values()]);
  }

  dispose(): void {
    this.disposed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  private async deliver(record: SessionRecord): Promise<void> {
    const ready = await this.waitForBracketedPaste(record, (record.prompt?.at ?? Date.now()) + this.waitMs);
    if (ready === 'disposed') return;
    if (ready === 'gone') {
      await this.cleanUp(record);
      return;
    }
    if (ready === 'timeout') {
      const seconds = Math.round(this.waitMs / 1000);
      const failed = await this.transition(record, ['pending'], {
        state: 'failed',
        at: Date.now(),
        // Ready means it switched on bracketed paste; the user needs only the outcome.
        detail: `${record.label} was not ready for input after ${seconds} s, so the first prompt was not sent`,
      });
      // Not failed here: another window claimed it meanwhile and owns the files, or the session is gone.
      if (failed) await this.keep(record);
      else if (!this.options.store.session(record.key)) await this.cleanUp(record);
      return;
    }

    const claimed = this.claimedFile(record.launchId);
    try {
      await rename(this.promptFile(record.launchId), claimed);
    } catch (error) {
      this.log.debug(`prompt of ${record.key} not claimed, another delivery has it: ${errorMessage(error)}`);
      return;
    }
    const attempt = randomUUID();
    // Durable before the paste: a window that dies from here on leaves `delivering`, which is never retried.
    if (!(await this.transition(record, ['pending'], { state: 'delivering', at: Date.now(), attempt }))) {
      await this.cleanUp(record);
      return;
    }
    await this.pasteClaimed(record, attempt);
  }

  /**
   * The text of a first prompt that was not sent, or may not have arrived:
   * kept (0600, in the private folder) until it is sent again or its session
   * ends. Undefined when nothing is kept.
   */
  async keptPrompt(record: SessionRecord): Promise<string | undefined> {
    // A delivery that just gave up records `failed` before it moves the text aside.
    await Promise.allSettled([this.running.get(record.key)]);
    try {
      return await readFile(this.keptFile(record.launchId), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  /**
   * Send Again: pastes a kept prompt now, without waiting for the agent to ask
   * for bracketed paste (the user says it is ready). Once per click, across
   * windows: the kept file is claimed by a rename, and the record must still
   * say `failed` or `unknown`.
   */
  async sendAgain(record: SessionRecord): Promise<void> {
    await Promise.allSettled([this.running.get(record.key)]);
    const claimed = this.claimedFile(record.launchId);
    try {
      await rename(this.keptFile(record.launchId), claimed);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      throw refused(`The first prompt of ${record.label} is no longer kept (it was sent again, or its session ended), so there is nothing to send.`);
    }
    const attempt = randomUUID();
    if (!(await this.transition(record, ['failed', 'unknown'], { state: 'delivering', at: Date.now(), attempt }))) {
      await rename(claimed, this.keptFile(record.launchId));
      throw refused(`The first prompt of ${record.label} is being sent already.`);
    }
    await this.track(record.key, (async () => {
      // The pipe the launch set up was stopped when the prompt was given up; the echo wait needs it.
      await this.options.tmux.pipeOutput(record.tmuxName, this.outputFile(record.launchId)).catch(logFailure(this.log, `watching the output of ${record.tmuxName}`, 'debug'));
      await this.pasteClaimed(record, attempt);
    })());
  }

  /** Pastes the claimed prompt for `attempt` (recorded `delivering`), then Enter; records the outcome. */
  private async pasteClaimed(record: SessionRecord, attempt: string): Promise<void> {
    const claimed = this.claimedFile(record.launchId);
    let outcome: PromptAttempt;
    try {
      const text = await readFile(claimed, 'utf8');
      await pasteThenEnter(this.options.tmux, record.tmuxName, text, {
        bufferName: `tw-prompt-${attempt}`,
        outputFile: this.outputFile(record.launchId),
        log: this.log,
        stopped: () => this.disposed,
      });
      outcome = { state: 'delivered', at: Date.now(), attempt };
    } catch (error) {
      outcome = { state: 'failed', at: Date.now(), attempt, detail: `the prompt could not be pasted into ${record.label} (${errorMessage(error)})` };
    }
    const settled = await this.transition(record, ['delivering'], outcome, attempt);
    if (settled?.prompt?.state === 'failed') await this.keep(record);
    else await this.cleanUp(record);
  }

  /** Polls the piped output for the bracketed-paste switch, until the deadline or the session's end. */
  private async waitForBracketedPaste(record: SessionRecord, deadline: number): Promise<ReadyOutcome> {
    const file = this.outputFile(record.launchId);
    let offset = 0;
    let tail = '';
    for (;;) {
      if (this.disposed) return 'disposed';
      const chunk = await readFrom(file, offset);
      if (chunk.length > 0) {
        offset += chunk.length;
        const text = tail + chunk.toString('latin1');
        if (text.includes(BRACKETED_PASTE_ON)) return 'ready';
        tail = text.slice(-(BRACKETED_PASTE_ON.length - 1));
      }
      const current = this.options.store.session(record.key);
      if (!current || current.createdAt !== record.createdAt) return 'gone';
      if (Date.now() >= deadline) return 'timeout';
      await delay(POLL_MS);
    }
  }

  /**
   * Writes `next` under the workspace lock, only while the record is the same
   * generation, in one of `from` and (with `attempt`) claimed by that attempt.
   */
  private async transition(record: SessionRecord, from: readonly PromptState[], next: PromptAttempt, attempt?: string): Promise<SessionRecord | undefined> {
    const updated = await this.options.lock(record.workspaceId, async () => {
      const current = this.options.store.session(record.key);
      if (!current?.prompt || current.createdAt !== record.createdAt || !from.includes(current.prompt.state)) return undefined;
      if (attempt !== undefined && current.prompt.attempt !== attempt) return undefined;
      return this.options.store.updateSession(record.key, record.createdAt, { prompt: next });
    });
    if (updated) this.options.changed(updated, next.detail);
    return updated;
  }

  /** A claim or a `delivering` nobody finishes becomes `unknown` once it is clearly abandoned. */
  private settleAbandoned(record: SessionRecord, from: readonly PromptState[], since: number): void {
    const settle = async () => {
      const done = await this.transition(record, from, {
        state: 'unknown',
        at: Date.now(),
        detail: 'the window closed while the prompt was being pasted, so it may or may not have arrived; check the agent before sending it again',
      });
      if (done) await this.keep(record);
    };
    const wait = since + DELIVERING_GRACE_MS - Date.now();
    const what = `settling the abandoned prompt of ${record.key}`;
    if (wait <= 0) {
      void this.track(record.key, settle()).catch(logFailure(this.log, what));
      return;
    }
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void this.track(record.key, settle()).catch(logFailure(this.log, what));
    }, wait);
    timer.unref();
    this.timers.add(timer);
  }

  /**
   * Keeps the prompt text (claimed, or still waiting) for Send Again and Copy
   * Prompt, then cleans up the rest.
   */
  private async keep(record: SessionRecord): Promise<void> {
    for (const from of [this.claimedFile(record.launchId), this.promptFile(record.launchId)]) {
      try {
        await rename(from, this.keptFile(record.launchId));
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') this.log.warn(`keeping the unsent prompt of ${record.key} failed: ${errorMessage(error)}`);
      }
    }
    await this.cleanUp(record);
  }

  /** Stops the output pipe and removes the files of one delivery (a kept prompt stays). */
  private async cleanUp(record: SessionRecord): Promise<void> {
    // The session may have ended: then there is no pipe to stop.
    await this.options.tmux.stopPipe(record.tmuxName).catch(logFailure(this.log, `stopping the output pipe of ${record.tmuxName}`, 'debug'));
    await Promise.all(
      [this.promptFile(record.launchId), this.claimedFile(record.launchId), this.outputFile(record.launchId)].map((file) => rm(file, { force: true })),
    );
  }

  private promptFile(launchId: string): string {
    return join(this.options.dir, `${launchId}.prompt`);
  }

  private claimedFile(launchId: string): string {
    return join(this.options.dir, `${launchId}.prompt.claimed`);
  }

  private keptFile(launchId: string): string {
    return join(this.options.dir, `${launchId}${KEPT_SUFFIX}`);
  }
}

async function readFrom(file: string, offset: number): Promise<Buffer> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    // The pane has printed nothing yet.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return Buffer.alloc(0);
    throw error;
  }
  try {
    const { size } = await handle.stat();
    if (size <= offset) return Buffer.alloc(0);
    const buffer = Buffer.alloc(Math.min(size - offset, 1 << 20));
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, offset);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}
