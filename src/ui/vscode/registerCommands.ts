import * as vscode from 'vscode';
import { runCommand, type CommandEntry } from '../commands/registry';
import type { CommandTarget } from '../commands/targets';
import type { CommandContext } from '../host';

/** Registers every command through the one guard (`runCommand`). */
export function registerCommands(entries: readonly CommandEntry[], context: CommandContext): vscode.Disposable[] {
  return entries.map((entry) => vscode.commands.registerCommand(entry.id, (target?: CommandTarget) => runCommand(entry, context, target)));
}
