/** What the adapters report about every child process they run (the UI logs it). */
export interface CommandRecord {
  readonly argv: readonly string[];
  readonly cwd?: string;
  readonly exitCode: number | undefined;
  readonly durationMs: number;
  readonly stderr?: string;
  /** `connection`: sent over the window's tmux control connection, no process spawned. */
  readonly via?: 'connection';
}

export type CommandLogger = (record: CommandRecord) => void;

export const silentLogger: CommandLogger = () => undefined;
