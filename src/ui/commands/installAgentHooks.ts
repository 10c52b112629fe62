import { join } from 'node:path';
import { STATUS_FILE_VARIABLE } from '../../core/agents/AgentStatus';
import {
  CLAUDE_LOCAL_SETTINGS,
  applyEdit,
  claudeUserSettingsPath,
  codexConfigPath,
  planClaudeHooks,
  planCodexNotify,
  writeReporter,
  type SettingsEdit,
} from '../../core/agents/hooks';
import { geminiUserSettingsPath, planGeminiHooks } from '../../core/agents/geminiHooks';
import { opencodePluginPath, planOpencodePlugin } from '../../core/agents/opencodePlugin';
import { WorkspaceError } from '../../core/errors';
import type { CommandContext, HookSetup, PickItem, UiHost } from '../host';
import { Cancelled, answered } from './failures';
import { resolveWorkspace, type CommandTarget } from './targets';

interface HookPick extends PickItem {
  readonly where: 'worktree' | 'claude-user' | 'codex' | 'gemini' | 'opencode';
}

const TITLE = 'Install Agent Hooks';
const QUIET_OUTSIDE = `They report only inside sessions Tmux Workspaces launched (where ${STATUS_FILE_VARIABLE} is set) and do nothing anywhere else.`;

/**
 * Install Agent Hooks: makes agents report working / needs input / idle and
 * their conversation id. Claude Code: hooks in one workspace's
 * `.claude/settings.local.json` (kept out of git), or in `~/.claude/settings.json`
 * after a modal consent. Codex: `notify` in its config.toml, also after consent
 * (and a second question when another notify program is set). Resolves to
 * whether anything was written; declining a question throws `Cancelled`.
 */
export async function installAgentHooks(context: CommandContext, target: CommandTarget): Promise<boolean> {
  const { host } = context;
  const hooks = context.hooks;
  if (!hooks) throw new WorkspaceError('unavailable', `${TITLE} is not available here.`);
  const picks: HookPick[] = [
    { label: '$(folder) Claude Code in one workspace', description: CLAUDE_LOCAL_SETTINGS, detail: 'Only agents in that worktree report; the file is kept out of git.', where: 'worktree' },
    { label: '$(home) Claude Code everywhere', description: claudeUserSettingsPath('~'), detail: 'Every Claude Code you start; asks first.', where: 'claude-user' },
    { label: '$(settings-gear) Codex', description: codexConfigPath('~', hooks.codexHome ? '$CODEX_HOME' : undefined), detail: 'Its notify program (end of each turn); asks first.', where: 'codex' },
    { label: '$(sparkle) Gemini CLI', description: geminiUserSettingsPath('~'), detail: 'Its hooks (prompt, tools, permission, end of turn); asks first.', where: 'gemini' },
    { label: '$(plug) opencode', description: opencodePluginPath('~', hooks.configHome ? '$XDG_CONFIG_HOME' : undefined), detail: 'A plugin of ours in its plugins folder (busy, idle, permission); asks first.', where: 'opencode' },
  ];
  const picked = answered(await host.pick(picks, { title: TITLE, placeHolder: 'Which agent settings get the state-reporting hooks?' }));
  if (picked.where === 'worktree') return installInWorkspace(context, hooks, target);
  const reporter = await writeReporter(hooks.stateDir);
  if (picked.where === 'gemini') return installWithConsent(host, await planGeminiHooks(geminiUserSettingsPath(hooks.home), reporter), 'Gemini CLI hooks', 'settings.json');
  if (picked.where === 'opencode') return installWithConsent(host, await planOpencodePlugin(opencodePluginPath(hooks.home, hooks.configHome), reporter), 'The opencode plugin', undefined);
  return picked.where === 'claude-user' ? installForClaudeUser(host, hooks, reporter) : installForCodex(host, hooks, reporter);
}

/** One file of the user's (Gemini CLI's settings, opencode's plugin) after a modal consent; `backupName`: the file kept beside it. */
async function installWithConsent(host: UiHost, edit: SettingsEdit, what: string, backupName: string | undefined): Promise<boolean> {
  if (edit.before === edit.after) {
    void host.info(`${what} ${what.endsWith('s') ? 'are' : 'is'} already installed.`);
    return false;
  }
  const kept = backupName ? ` Your other settings and hooks are kept; the original file is saved beside it as ${backupName}.tmux-workspaces.bak.` : '';
  const choice = await host.confirm(`Install ${what.replace(/^The /, 'the ')} of Tmux Workspaces?`, `${edit.path}\n\n${QUIET_OUTSIDE}${kept}`, 'Install');
  if (choice !== 'Install') throw new Cancelled();
  await applyEdit(edit, { backup: backupName !== undefined });
  void host.info(`${what} installed. Sessions started from now on report their state.`);
  return true;
}

/** Claude Code hooks in one worktree's `.claude/settings.local.json`, which git is told to ignore. */
async function installInWorkspace(context: CommandContext, hooks: HookSetup, target: CommandTarget): Promise<boolean> {
  const view = await resolveWorkspace(context, target, TITLE, ['ready']);
  if (!view) return false;
  const reporter = await writeReporter(hooks.stateDir);
  const edit = await planClaudeHooks(join(view.record.worktreePath, CLAUDE_LOCAL_SETTINGS), reporter, await hooks.claudeVersion?.());
  await hooks.ignoreLocally(view.record.worktreePath, CLAUDE_LOCAL_SETTINGS);
  const written = await applyEdit(edit);
  void context.host.info(`${written ? 'Claude Code hooks installed' : 'Claude Code hooks were already installed'} in "${view.record.branch}" (${CLAUDE_LOCAL_SETTINGS}). Agents started from now on report their state.`);
  return written;
}

async function installForClaudeUser(host: UiHost, hooks: HookSetup, reporter: string): Promise<boolean> {
  const edit = await planClaudeHooks(claudeUserSettingsPath(hooks.home), reporter, await hooks.claudeVersion?.());
  if (edit.before === edit.after) {
    void host.info('Claude Code hooks are already installed for all projects.');
    return false;
  }
  const choice = await host.confirm(
    'Add Tmux Workspaces hooks to your Claude Code settings?',
    `${edit.path}\n\nClaude Code runs these hooks in every project. ${QUIET_OUTSIDE} Your other settings and hooks are kept; the original file is saved beside it as settings.json.tmux-workspaces.bak.`,
    'Add Hooks',
  );
  if (choice !== 'Add Hooks') throw new Cancelled();
  await applyEdit(edit, { backup: true });
  void host.info('Claude Code hooks installed for all projects. Claude Code sessions started from now on report their state.');
  return true;
}

async function installForCodex(host: UiHost, hooks: HookSetup, reporter: string): Promise<boolean> {
  const edit = await planCodexNotify(codexConfigPath(hooks.home, hooks.codexHome), reporter);
  if (edit.before === edit.after) {
    void host.info('Codex already notifies Tmux Workspaces.');
    return false;
  }
  const choice = edit.replaces
    ? await host.confirm(
        'Codex already runs a notify program. Replace it?',
        `${edit.path} has notify = ${edit.replaces}\n\nCodex runs one notify program; replacing it stops that one. ${QUIET_OUTSIDE} The original file is saved beside it as config.toml.tmux-workspaces.bak.`,
        'Replace',
      )
    : await host.confirm(
        'Set Codex\'s notify program to the Tmux Workspaces reporter?',
        `${edit.path}\n\n${QUIET_OUTSIDE} The rest of the file is kept; the original is saved beside it as config.toml.tmux-workspaces.bak.`,
        'Set Notify',
      );
  if (choice !== 'Replace' && choice !== 'Set Notify') throw new Cancelled();
  await applyEdit(edit, { backup: true });
  void host.info('Codex notify installed. Codex sessions started from now on report the end of each turn and their conversation id.');
  return true;
}
