import { join } from 'node:path';
import { refused } from '../errors';
import { STATUS_FILE_VARIABLE } from './AgentStatus';
import { isOurs, readIfExists, type SettingsEdit } from './hooks';

/**
 * opencode has no hook commands; it loads plugins (JavaScript modules) from
 * its plugins folder, each handed the event bus. Ours turns the events that
 * say what a session does into reports through the same reporter script:
 * `session.status` (busy / idle), `session.idle`, a permission asked
 * (`permission.asked`, `permission.updated` in older versions) and answered,
 * and the user's message (`chat.message`) as the prompt.
 */
export function opencodePluginText(reporter: string): string {
  return `// Tmux Workspaces: reports opencode's state to the Tmux Workspaces session that runs it.
// It does nothing outside those sessions (${STATUS_FILE_VARIABLE} unset). Written by Install Agent Hooks; rewritten on each install.
import { spawn } from "node:child_process";

const REPORTER = ${JSON.stringify(reporter)};

function report(state, fields) {
  try {
    const child = spawn("/bin/sh", [REPORTER, "opencode", state], { stdio: ["pipe", "ignore", "ignore"] });
    child.on("error", () => {});
    child.stdin.on("error", () => {});
    child.stdin.end(JSON.stringify(fields));
  } catch {
    // A report that cannot start changes nothing in opencode.
  }
}

export const TmuxWorkspacesStatus = async () => {
  if (!process.env.${STATUS_FILE_VARIABLE}) return {};
  return {
    event: async ({ event }) => {
      const p = event.properties ?? {};
      const session_id = p.sessionID ?? p.info?.id;
      switch (event.type) {
        case "session.status":
          if (p.status?.type === "busy" || p.status?.type === "retry") report("working", { session_id });
          else if (p.status?.type === "idle") report("idle", { session_id });
          break;
        case "session.idle":
          report("idle", { session_id });
          break;
        case "permission.asked":
        case "permission.updated":
          report("needs-input", { session_id, reason: "permission", detail: String(p.title ?? p.permission ?? p.type ?? "") });
          break;
        case "permission.replied":
          report("working", { session_id });
          break;
      }
    },
    "chat.message": async (input, output) => {
      const text = (output?.parts ?? []).filter((part) => part.type === "text" && !part.synthetic).map((part) => part.text).join("\\n");
      if (text) report("working", { session_id: input?.sessionID, prompt: text });
    },
  };
};
`;
}

/** \`~/.config/opencode/plugins/tmux-workspaces.js\` (\`$XDG_CONFIG_HOME\` when set). */
export function opencodePluginPath(home: string, configHome?: string): string {
  return join(configHome || join(home, '.config'), 'opencode', 'plugins', 'tmux-workspaces.js');
}

/** The plugin file, ours entirely; a file of that name that is not ours is refused, never overwritten. */
export async function planOpencodePlugin(pluginPath: string, reporter: string): Promise<SettingsEdit> {
  const before = await readIfExists(pluginPath);
  if (before !== undefined && !isOurs(before)) throw refused(`${pluginPath} exists and was not written by Tmux Workspaces; move it away first. Nothing was changed.`);
  return { path: pluginPath, before, after: opencodePluginText(reporter) };
}
