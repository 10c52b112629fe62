/** What `list-sessions` is asked for, and how its answer is read. */

/** Session options (tmux user options) that mark a session as ours. */
export const MARKER = {
  owner: '@tw_owner',
  launch: '@tw_launch',
  key: '@tw_key',
} as const;

export interface LiveSession {
  readonly name: string;
  /** Seconds since the epoch, as tmux reports it. */
  readonly createdAt: number;
  readonly owner?: string;
  readonly launchId?: string;
  readonly key?: string;
  readonly attachedClients: number;
  readonly panePid?: number;
}

/** When a session's pane last printed, and its title (programs set it; agents show spinners there). */
export interface PaneActivity {
  readonly name: string;
  /** Milliseconds since the epoch, to the second (tmux's resolution). */
  readonly lastOutputAt: number;
  readonly title: string;
  /** The window's bell flag (set until someone looks at the window). */
  readonly bell?: boolean;
  /** `pane_current_command`: the pane's foreground process. */
  readonly command?: string;
}

const FIELD_SEPARATOR = '\t';
export const LIST_FORMAT = [
  '#{session_name}',
  '#{session_created}',
  `#{${MARKER.owner}}`,
  `#{${MARKER.launch}}`,
  `#{${MARKER.key}}`,
  '#{session_attached}',
  '#{pane_pid}',
].join(FIELD_SEPARATOR);

/** Output time and pane title; the title goes last: it may itself contain the separator. */
// The title goes last: it may hold the separator.
export const ACTIVITY_FORMAT = ['#{session_name}', '#{window_activity}', '#{window_bell_flag}', '#{pane_current_command}', '#{pane_title}'].join(FIELD_SEPARATOR);

/** The non-empty lines of a listing, each parsed. */
export function parseLines<T>(output: string, parse: (line: string) => T): T[] {
  return output
    .split('\n')
    .filter((line) => line.length > 0)
    .map(parse);
}

export function parseActivityLine(line: string): PaneActivity {
  const [name, activity, bell, command, ...title] = line.split(FIELD_SEPARATOR);
  return { name, lastOutputAt: Number(activity) * 1000 || 0, title: title.join(FIELD_SEPARATOR), bell: bell === '1', ...(command ? { command } : {}) };
}

export function parseSessionLine(line: string): LiveSession {
  const [name, created, owner, launchId, key, attached, panePid] = line.split(FIELD_SEPARATOR);
  return {
    name,
    createdAt: Number(created),
    owner: owner || undefined,
    launchId: launchId || undefined,
    key: key || undefined,
    attachedClients: Number(attached) || 0,
    panePid: panePid ? Number(panePid) : undefined,
  };
}
