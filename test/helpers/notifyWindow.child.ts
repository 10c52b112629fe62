/**
 * One window's notifier in a process of its own, for the cross-window test:
 * the notifier as the extension wires it (claims under a real FileLock, a real
 * focus board, mutes) over the shared state folder, with a host that records
 * what it would show. It says `ready`, waits for `go` (the state change to
 * tell), tells it as the coalescing timer's end would, and answers with what it showed.
 */
import { join } from 'node:path';
import { FileLock } from '../../src/core/lifecycle/TransitionLock';
import { FocusBoard } from '../../src/core/notify/FocusBoard';
import { MuteStore } from '../../src/core/notify/MuteStore';
import { NotificationClaims } from '../../src/core/notify/NotificationClaims';
import { AgentNotifier } from '../../src/ui/agents/AgentNotifier';
import type { AgentStateChange } from '../../src/ui/tree/AgentStateModel';
import { RecordingLog, ScriptedHost } from './scriptedHost';

const stateDir = process.argv[2];
const log = new RecordingLog();
const host = new ScriptedHost();
const board = new FocusBoard(join(stateDir, 'notifications', 'focus'), { log });
const mutes = new MuteStore(join(stateDir, 'notifications', 'muted'), { log });
const notifier = new AgentNotifier({
  host,
  log,
  mode: () => 'all',
  terminalFocused: () => false,
  leads: () => board.leads(),
  otherWindows: () => board.others(),
  claims: new NotificationClaims(join(stateDir, 'notifications', 'claims'), new FileLock(join(stateDir, 'locks'), { log }), { log }),
  muted: (id) => mutes.isMuted(id),
  mute: (id) => mutes.setMuted(id, true),
  attach: async () => undefined,
  promptAction: async () => undefined,
  branchOf: () => 'feature/login',
});

process.on('message', (message: { go: AgentStateChange[] }) => {
  notifier.onStates(message.go);
  void notifier.flush().then(async () => {
    await board.dispose();
    mutes.dispose();
    process.send!({ shown: host.shown.map((shown) => shown.message), problems: log.shown().map((line) => line.message) }, () => process.exit(0));
  });
});

void (async () => {
  await mutes.start();
  // Not focused: every window waits its turn, then they race for the claim.
  await board.publish({ focused: false, activeAt: Date.now() });
  process.send!({ ready: true });
})();
