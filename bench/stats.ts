/** Figures and tallies the benchmark prints. */
import type { CommandRecord } from '../src/core/commandLog';

export const TMUX_COMMAND = ['tmux', '-L', 'tw-bench', '-f', '/dev/null'] as const;

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

export function ms(value: number): string {
  return `${value.toFixed(1)} ms`;
}

export function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length)));
  return rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column])).join('  ').trimEnd()).join('\n');
}

export function verdict(ok: boolean): string {
  return ok ? 'PASS' : 'MISS';
}

/** Tallies the tmux commands the lifecycle's client runs, by subcommand; `spawned` are processes, the rest went over the connection. */
export class SpawnCounter {
  private records: CommandRecord[] = [];
  readonly log = (record: CommandRecord): void => {
    this.records.push(record);
  };
  mark(): number {
    return this.records.length;
  }
  since(mark: number): CommandRecord[] {
    return this.records.slice(mark);
  }
  static spawned(records: readonly CommandRecord[]): CommandRecord[] {
    return records.filter((record) => record.via === undefined);
  }
  /** `list-sessions ×3, has-session ×1` for the records given. */
  static describe(records: readonly CommandRecord[]): string {
    const counts = new Map<string, number>();
    for (const record of records) {
      const sub = record.argv.slice(TMUX_COMMAND.length).find((arg) => !arg.startsWith('-')) ?? '?';
      counts.set(sub, (counts.get(sub) ?? 0) + 1);
    }
    return [...counts].map(([sub, count]) => `${sub} ×${count}`).join(', ') || 'none';
  }
}

/** Resolves once process `pid` is gone, or after `timeoutMs`. */
export async function waitForExit(pid: number, timeoutMs: number): Promise<void> {
  if (!Number.isInteger(pid) || pid <= 0) return;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
