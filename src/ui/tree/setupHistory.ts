import type { SetupEvent, WorkspaceStatus } from '../../core/store/records';
import { localClock, localTime } from '../../core/time';

export const STAGE_WORDS: Record<SetupEvent['stage'], string> = {
  worktree: 'worktree',
  terminal: 'base terminal',
  include: 'copying files',
  setup: 'setup',
  teardown: 'teardown',
  delete: 'delete',
  archive: 'archive',
};

/** The order stages run in: an attempt begins where a stage starts that is not after the previous one. */
const STAGE_ORDER: Record<SetupEvent['stage'], number> = { worktree: 0, terminal: 1, include: 2, setup: 3, teardown: 4, delete: 5, archive: 6 };

/** Stages made of steps: one step after another is the same attempt. */
const STEPPED = new Set<SetupEvent['stage']>(['setup', 'teardown']);

/** How many attempts a tooltip shows, newest first. */
const SHOWN_ATTEMPTS = 3;

/** The setup events split into attempts, oldest first. Each begins with its first stage (`worktree`, or `terminal` on a retry that kept the worktree). */
export function setupAttempts(events: readonly SetupEvent[]): SetupEvent[][] {
  const attempts: SetupEvent[][] = [];
  let current: SetupEvent[] | undefined;
  let latest = -1;
  for (const event of events) {
    const begins = event.outcome === 'started' || event.outcome === 'skipped';
    const order = STAGE_ORDER[event.stage];
    if (!current || (begins && (order < latest || (order === latest && !STEPPED.has(event.stage))))) {
      current = [];
      attempts.push(current);
      latest = -1;
    }
    if (begins) latest = order;
    current.push(event);
  }
  return attempts;
}

/** How an attempt ended: `ready`, `failed at setup`, `interrupted at …`, or, the newest while `creating`, `running: …`. */
function attemptWords(attempt: readonly SetupEvent[], newest: boolean, status: WorkspaceStatus): string {
  const failedAt = attempt.find((event) => event.outcome === 'failed');
  if (failedAt) return `failed at ${stageWords(failedAt)}`;
  const last = attempt[attempt.length - 1];
  if (last.outcome !== 'started') return 'ready';
  return newest && status === 'creating' ? `running: ${stageWords(last)}…` : `interrupted at ${stageWords(last)}`;
}

/** `setup`, or with its step: `setup step "install"`. */
export function stageWords(event: SetupEvent): string {
  return event.step === undefined ? STAGE_WORDS[event.stage] : `${STAGE_WORDS[event.stage]} step "${event.step}"`;
}

/** A finished step's duration: `1.2 s`, `3 min 4 s`. */
function took(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** The tooltip's setup history: the latest attempts, newest first, each with its finished stages; undefined with no events. */
export function setupHistory(events: readonly SetupEvent[], status: WorkspaceStatus): string | undefined {
  const attempts = setupAttempts(events);
  if (attempts.length === 0) return undefined;
  const lines = ['Setup attempts, newest first:'];
  for (let n = attempts.length; n > Math.max(0, attempts.length - SHOWN_ATTEMPTS); n--) {
    const attempt = attempts[n - 1];
    lines.push(`- **attempt ${n} — ${attemptWords(attempt, n === attempts.length, status)}** (${localTime(attempt[0].at)})`);
    for (const event of attempt.filter((e) => e.outcome !== 'started')) {
      const duration = event.ms === undefined ? '' : ` after ${took(event.ms)}`;
      lines.push(`  - ${localClock(event.at)} ${stageWords(event)}: ${event.outcome}${duration}${event.detail ? ` (${event.detail})` : ''}`);
    }
  }
  return lines.join('\n');
}
