/**
 * What one record write costs under the cross-window protocol (WriteFence:
 * lock file, catch-up on the published sequence number, whole-object write),
 * with a second window, a process of its own, writing records at the same
 * time, beside a plain write (one window, no lock). Target: median < 15 ms.
 *
 * globalState is `SharedMemento` (the tests' double): a write reaches the
 * other window's copy 0–`DELIVERY_MS` later. The second window is this same
 * bundle started with `RECORD_WRITER_FLAG`.
 */
import { join } from 'node:path';
import { execaNode } from 'execa';
import { MemoryMemento } from '../src/core/store/MemoryMemento';
import { RecordStore } from '../src/core/store/RecordStore';
import { SCHEMA_VERSION, type WorkspaceRecord } from '../src/core/store/records';
import { SharedMemento } from '../test/helpers/SharedMemento';

export const RECORD_WRITER_FLAG = '--record-writer';
export const RECORD_WRITE_TARGET_MS = 15;
/** How late a write reaches another window's copy, at most: VS Code's IPC takes milliseconds. */
const DELIVERY_MS = 5;
const WRITES = 100;
/** The second window's pace: a write every this many milliseconds (far above what a person's window makes). */
const WRITER_PAUSE_MS = 5;

export interface RecordWriteFigures {
  readonly plain: readonly number[];
  readonly alone: readonly number[];
  readonly contended: readonly number[];
  /** Writes the second window made while `contended` was measured. */
  readonly otherWrites: number;
  readonly deliveryMs: number;
  readonly writerPauseMs: number;
}

function record(id: string): WorkspaceRecord {
  const now = Date.now();
  return {
    v: SCHEMA_VERSION, id, repoPath: '/repo', branch: id, baseBranch: 'main', worktreePath: `/repo.worktrees/${id}`,
    branchSource: 'new', createdBranch: true, status: 'ready', setupEvents: [], baseSession: `tw-${id}-base`, createdAt: now, updatedAt: now,
  };
}

async function timeWrites(store: RecordStore, prefix: string): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < WRITES; i++) {
    const started = performance.now();
    await store.putWorkspace(record(`${prefix}-${i % 20}`));
    times.push(performance.now() - started);
  }
  return times;
}

/** Runs the three measurements in `dir` (a fresh folder the caller removes). */
export async function benchRecordWrites(dir: string, script: string): Promise<RecordWriteFigures> {
  const plain = await timeWrites(new RecordStore(new MemoryMemento()), 'plain');
  const storeFile = join(dir, 'globalState.json');
  const memento = new SharedMemento(storeFile, { maxDelayMs: DELIVERY_MS });
  try {
    const store = new RecordStore(memento, { lockDir: dir });
    const alone = await timeWrites(store, 'alone');
    const writer = execaNode(script, [RECORD_WRITER_FLAG, storeFile, dir], { stdin: 'ignore', stdout: 'ignore', stderr: 'inherit', reject: false });
    try {
      const count = () => new Promise<number>((resolve) => writer.once('message', (message) => resolve(Number(message))));
      await count();
      const contended = await timeWrites(store, 'contended');
      writer.send('count');
      const otherWrites = await count();
      return { plain, alone, contended, otherWrites, deliveryMs: DELIVERY_MS, writerPauseMs: WRITER_PAUSE_MS };
    } finally {
      // Its loop ends when the channel closes (a signal would reach the benchmark's own handlers).
      if (writer.connected) writer.disconnect();
      await writer;
    }
  } finally {
    memento.dispose();
  }
}

/** The second window: writes records until its parent goes away; answers "count" with how many it wrote. */
export async function runRecordWriter(storeFile: string, lockDir: string): Promise<void> {
  const memento = new SharedMemento(storeFile, { maxDelayMs: DELIVERY_MS });
  const store = new RecordStore(memento, { lockDir });
  let written = 0;
  let stopped = false;
  process.on('message', () => process.send?.(String(written)));
  process.on('disconnect', () => (stopped = true));
  process.send?.('0');
  while (!stopped) {
    await store.putWorkspace(record(`other-${written % 20}`));
    written += 1;
    await new Promise((resolve) => setTimeout(resolve, WRITER_PAUSE_MS));
  }
  memento.dispose();
}
