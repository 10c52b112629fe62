import type { SetupEvent, WorkspaceStatus } from '../../core/store/records';
import { localClock, localTime } from '../../core/time';

export const STAGE_WORDS: Record<SetupEvent['stage'], string> = {
  worktree: 'worktree',
  terminal: 'base terminal',
  include: 'copying files',
  setup: 'setup',
  delete: 'delete',
  archive: 'archive',
};

/** The order stages run in: an attempt begins where a stage starts that is not after the previous one. */
const STAGE_ORDER: Record<SetupEvent['stage'], number> = { worktree: 0, terminal: 1, include: 2, setup: 3, delete: 4, archive: 5 };

/** How many attempts a tooltip shows, newest first. */
const SHOWN_ATTEMPTS = 3;

/** The setup events split into attempts, oldest first. Each begins with its first stage (`worktree`, or `terminal` on a retry that kept the worktree). */
export function setupAttempts(events: readonly SetupEvent[]): SetupEvent[][] {
  const attempts: SetupEvent[][] = [];
  let current: SetupEvent[] | undefined;
  let latest = -1;
  for (const event of events) {
    const begins = event.outcome === 'started' || event.outcome === 'skipped';
    if (!current || (begins && STAGE_ORDER[event.stage] <= latest)) {
      current = [];
      attempts.push(current);
      latest = -1;
    }
    if (begins) latest = STAGE_ORDER[event.stage];
    current.push(event);
  }
  return attempts;
}

/** How an attempt ended: `ready`, `failed at setup`, `interrupted at …`, or, the newest while `creating`, `running: …`. */
function attemptWords(attempt: readonly SetupEvent[], newest: boolean, status: WorkspaceStatus): string {
  const failedAt = attempt.find((event) => event.outcome === 'failed');
  if (failedAt) return `failed at ${STAGE_WORDS[failedAt.stage]}`;
  const last = attempt[attempt.length - 1];
  if (last.outcome !== 'started') return 'ready';
  return newest && status === 'creating' ? `running: ${STAGE_WORDS[last.stage]}…` : `interrupted at ${STAGE_WORDS[last.stage]}`;
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
      lines.push(`  - ${localClock(event.at)} ${STAGE_WORDS[event.stage]}: ${event.outcome}${event.detail ? ` (${event.detail})` : ''}`);
    }
  }
  return lines.join('\n');
}
