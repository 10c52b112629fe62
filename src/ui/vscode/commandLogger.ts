import type * as vscode from 'vscode';
import type { CommandLogger } from '../../core/commandLog';
import { isGoneFailure } from '../../core/tmux/TmuxClient';

/** Every tmux and git command at debug level; real failures at error level. "Gone" is an expected answer, not a failure. */
export function commandLogger(channel: vscode.LogOutputChannel): CommandLogger {
  return (record) => {
    const line = `${record.argv.join(' ')}${record.cwd ? ` (in ${record.cwd})` : ''}${record.via ? ' (over the control connection)' : ''} → exit ${record.exitCode ?? '?'} in ${record.durationMs.toFixed(0)} ms`;
    const expected = record.exitCode === 0 || isGoneFailure(record.exitCode, record.stderr ?? '') || isQuery(record.argv);
    if (expected) channel.debug(line);
    else channel.error(`${line}: ${record.stderr ?? ''}`);
  };
}

/** git queries that answer "no" with a non-zero exit (show-ref, symbolic-ref, rev-parse @{upstream}, check-ref-format). */
function isQuery(argv: readonly string[]): boolean {
  return ['show-ref', 'symbolic-ref', 'rev-parse', 'check-ref-format', 'merge-base'].includes(argv[1] ?? '');
}
