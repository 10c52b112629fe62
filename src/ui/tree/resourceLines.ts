import type { DiskSize } from '../../core/disk/DiskUsage';
import { sizeWords } from '../../core/disk/DiskUsage';
import { portRange } from '../../core/lifecycle/portBlocks';
import type { WorkspaceRecord } from '../../core/store/records';
import { ago, count } from '../words';

/** A workspace tooltip's lines about what it holds on this machine: its ports, and its worktree's size once measured. */
export function resourceLines(record: WorkspaceRecord, size: DiskSize | undefined, now: number): string[] {
  const lines: string[] = [];
  if (record.ports) lines.push(`Ports: ${portRange(record.ports)} (\`$TMUX_WORKSPACES_PORT\` is ${record.ports.first})`);
  if (size) lines.push(`On disk: ${sizeWords(size.bytes)} in ${count(size.files, 'file')} (measured ${ago(now - size.measuredAt)})`);
  return lines;
}
