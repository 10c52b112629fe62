import { STATUS_FILE_VARIABLE } from './AgentStatus';
import { PROMPT_LIMIT_BYTES } from './promptText';
/** The longest detail (a tool, a notification's message) kept. */
export const DETAIL_LIMIT_BYTES = 300;

/**
 * Prints `key<TAB>cut<TAB>value` for each wanted top-level string field of the
 * JSON on stdin (or the first string of a top-level array, Codex's
 * `input-messages`), and for each `inner` field one level down (a tool
 * input's `command` or `file_path`, which a permission request names).
 * Values stay JSON-escaped (so they hold no new line or tab) and are cut at
 * `limit` bytes (`cut` 1). Only POSIX awk is assumed
 * (Claude Code may be a native binary, Codex is one: no node or python is
 * promised). Records are split at quotes, so braces are counted only outside
 * strings, and a wanted field at another depth (a `prompt` inside a tool
 * input), or spelled inside a string, is never taken.
 */
const TOP_FIELDS_AWK = String.raw`BEGIN { RS = "\""; depth = 0; instr = 0; cand = ""; want = ""; n = split(keys, list, " "); for (i = 1; i <= n; i++) wanted[list[i]] = 1; n = split(inner, list, " "); for (i = 1; i <= n; i++) nested[list[i]] = 1 }
instr {
  if (length(buf) <= limit) buf = buf $0
  if (match($0, /\\+$/) && RLENGTH % 2 == 1) { buf = buf "\""; next }
  instr = 0
  over = length(buf) > limit
  if (over) buf = substr(buf, 1, limit)
  if (want != "") { if (!(want in found)) { found[want] = buf; cut[want] = over }; want = "" }
  else cand = (!over && ((depth == 1 && (buf in wanted)) || (depth == 2 && (buf in nested)))) ? buf : ""
  next
}
{
  want = ""
  if (cand != "" && $0 ~ /^[ \t\r\n]*:[ \t\r\n]*(\[[ \t\r\n]*)?$/) want = cand
  cand = ""
  outside = $0
  depth += gsub(/[{]/, "", outside) + gsub(/\[/, "", outside)
  depth -= gsub(/[}]/, "", outside) + gsub(/]/, "", outside)
  instr = 1
  buf = ""
}
END { for (k in found) print k "\t" (cut[k] ? 1 : 0) "\t" found[k] }`;

/**
 * The script every hook runs. It decides the state from the event and its
 * payload, then replaces the session's status file whole (by a rename): a
 * first line `<epoch seconds> <agent> <state> <conversation id or -> <reason or ->`
 * and a second with the detail (a tool, a message), JSON-escaped. A prompt
 * the payload carries goes beside it, into `<status file>.prompt`. Both are
 * private to the user (umask 077). Outside our sessions the variable is unset
 * and it does nothing.
 */
export const REPORTER_SCRIPT = `#!/bin/sh
# Tmux Workspaces: reports an agent's state to the session that runs it.
#   report.sh claude EVENT     a Claude Code hook (its JSON on stdin)
#   report.sh gemini EVENT     a Gemini CLI hook (its JSON on stdin)
#   report.sh opencode STATE   the opencode plugin (its JSON on stdin)
#   report.sh codex JSON       Codex's notify program (its JSON as the argument)
# Outside sessions launched by Tmux Workspaces (${STATUS_FILE_VARIABLE} unset) it does nothing.
[ -n "$${STATUS_FILE_VARIABLE}" ] || exit 0
umask 077
KEYS="session_id thread-id tool_name notification_type message prompt reason detail input-messages type"
INNER="command file_path"
top_fields() {
  LC_ALL=C awk -v keys="$KEYS" -v inner="$INNER" -v limit=${PROMPT_LIMIT_BYTES} '
${TOP_FIELDS_AWK}'
}
if [ "$1" = codex ]; then
  fields=$(printf '%s' "$2" | top_fields)
else
  fields=$(top_fields)
fi
TAB=$(printf '\\t')
# The value of one field ("" when absent); \`field KEY whole\` only when it was not cut.
field() {
  printf '%s\\n' "$fields" | while IFS="$TAB" read -r key cut value; do
    if [ "$key" = "$1" ]; then
      [ "$2" = whole ] && [ "$cut" = 1 ] && break
      printf '%s' "$value"
      break
    fi
  done
}
id_field() {
  value=$(field "$1" whole)
  case "$value" in ''|-*|*[!A-Za-z0-9._:-]*) ;; *) printf '%s' "$value" ;; esac
}
source=$1
event=$2
state=
reason=-
detail=
prompt=
id=$(id_field session_id)
case "$source:$event" in
  claude:working|claude:needs-input|claude:idle) state=$event ;;
  claude:SessionStart|gemini:SessionStart) state=idle ;;
  claude:UserPromptSubmit|gemini:BeforeAgent) state=working; prompt=$(field prompt) ;;
  claude:PreToolUse)
    detail=$(id_field tool_name)
    if [ "$detail" = AskUserQuestion ]; then state=needs-input; reason=question; else state=working; fi ;;
  claude:PostToolUse|claude:SubagentStart|claude:SubagentStop|gemini:BeforeTool|gemini:AfterTool)
    state=working; detail=$(id_field tool_name) ;;
  claude:PermissionRequest)
    state=needs-input; reason=permission; detail=$(id_field tool_name)
    # What it asks to run or touch: "Bash: rm -rf build", "Edit: src/app.ts".
    what=$(field command); [ -n "$what" ] || what=$(field file_path)
    [ -z "$what" ] || detail="\${detail:+$detail: }$what" ;;
  claude:Notification)
    detail=$(field message)
    case "$(id_field notification_type)" in
      permission_prompt) state=needs-input; reason=permission ;;
      elicitation_dialog) state=needs-input; reason=question ;;
      idle_prompt) state=idle; detail= ;;
      '')
        case "$detail" in
          *permission*) state=needs-input; reason=permission ;;
          *"waiting for your input"*) state=idle; detail= ;;
          *) state=needs-input ;;
        esac ;;
      *) exit 0 ;;
    esac ;;
  gemini:Notification) state=needs-input; reason=permission; detail=$(field message) ;;
  claude:Stop|gemini:AfterAgent) state=idle ;;
  claude:SessionEnd|gemini:SessionEnd)
    case "$(id_field reason)" in clear) state=idle ;; *) state=done ;; esac ;;
  opencode:working|opencode:needs-input|opencode:idle)
    state=$event
    detail=$(field detail)
    prompt=$(field prompt)
    case "$(id_field reason)" in permission|question) reason=$(id_field reason) ;; esac ;;
  codex:*)
    # agent-turn-complete: the turn ended; its input messages are the prompt.
    [ "$(id_field type)" = agent-turn-complete ] || [ -z "$(field type)" ] || exit 0
    state=idle
    id=$(id_field thread-id)
    prompt=$(field input-messages) ;;
  *) exit 0 ;;
esac
put() {
  tmp="$1.tmp.$$"
  if printf '%s\\n' "$2" > "$tmp" 2>/dev/null; then mv -f "$tmp" "$1" 2>/dev/null; fi
  rm -f "$tmp" 2>/dev/null
}
[ -z "$prompt" ] || put "$${STATUS_FILE_VARIABLE}.prompt" "$prompt"
put "$${STATUS_FILE_VARIABLE}" "$(date +%s) $source $state \${id:--} $reason
$(printf '%.${DETAIL_LIMIT_BYTES}s' "$detail")"
exit 0
`;
