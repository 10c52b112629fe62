import type { ScrollbackFiles } from './ScrollbackFiles';

/** What a restored terminal prints before its prompt: its old output, then a marker line. */
export interface RestoredOutput {
  readonly text: string;
  readonly note: string;
}

/** The marker line under restored output. */
export function restoredNote(savedAt: number): string {
  return `── restored from ${new Date(savedAt).toLocaleString()} ──`;
}

/** The saved output of session `name`, ready to print back; undefined when none was saved. */
export async function restoredOutput(files: ScrollbackFiles, name: string): Promise<RestoredOutput | undefined> {
  const saved = await files.read(name);
  return saved && saved.text.length > 0 ? { text: saved.text, note: restoredNote(saved.savedAt) } : undefined;
}
