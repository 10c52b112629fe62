import { join } from 'node:path';
import * as vscode from 'vscode';
import { FileLock } from '../../core/lifecycle/TransitionLock';
import { componentLog, type Logger } from '../../core/log';
import { FocusBoard } from '../../core/notify/FocusBoard';
import type { MuteStore } from '../../core/notify/MuteStore';
import { NotificationClaims } from '../../core/notify/NotificationClaims';
import { AgentNotifier, type AgentNotifierOptions } from '../agents/AgentNotifier';
import type { AttachTerminals } from './AttachTerminals';
import { TerminalFront } from './TerminalFront';

/** Where the notification files live under the shared state folder (every window's). */
export function notificationDir(stateDir: string, part: 'claims' | 'focus' | 'muted'): string {
  return join(stateDir, 'notifications', part);
}

/** A session's claims outlive it by a week: long enough for every window to have seen its end. */
const CLAIMS_KEPT_MS = 7 * 24 * 60 * 60_000;

/** Windows that start within this long of each other (a reboot reopens them all) count as one comeback: one of them offers it. */
const RESTORE_OFFER_SPAN_MS = 5 * 60_000;

/** Resolves true in the one window, of those starting together, that is to offer Restore Sessions. */
export function restoreOfferClaim(stateDir: string, log: Logger): () => Promise<boolean> {
  const claims = new NotificationClaims(notificationDir(stateDir, 'claims'), new FileLock(join(stateDir, 'locks'), { log }), { log, toleranceMs: RESTORE_OFFER_SPAN_MS });
  return () => claims.claim('restore-offer', 'ask', Date.now());
}

export interface NotificationWiring {
  readonly stateDir: string;
  readonly log: Logger;
  readonly terminals: AttachTerminals;
  readonly mutes: MuteStore;
  readonly mode: AgentNotifierOptions['mode'];
  readonly attach: AgentNotifierOptions['attach'];
  readonly promptAction: AgentNotifierOptions['promptAction'];
  readonly branchOf: AgentNotifierOptions['branchOf'];
  readonly host: AgentNotifierOptions['host'];
  readonly reported: AgentNotifierOptions['reported'];
}

/**
 * The notifier of this window, told by the others which terminal they have in
 * front of the user (the focus board), and claiming each change across
 * windows so one of them tells it. Resolves the notifier and what to dispose.
 */
export function windowNotifier(wiring: NotificationWiring): { notifier: AgentNotifier; disposables: vscode.Disposable[] } {
  const log = componentLog(wiring.log, 'notifications');
  const board = new FocusBoard(notificationDir(wiring.stateDir, 'focus'), { log });
  const front = new TerminalFront(wiring.terminals.onDidShow);
  const focusedTerminal = () => wiring.terminals.sessionOf(front.terminal());
  const publish = () => {
    const terminal = focusedTerminal();
    void board.publish({ focused: vscode.window.state.focused, activeAt: Date.now(), ...(terminal ? { terminal } : {}) });
  };
  const claims = new NotificationClaims(notificationDir(wiring.stateDir, 'claims'), new FileLock(join(wiring.stateDir, 'locks'), { log }), { log });
  void claims.prune(CLAIMS_KEPT_MS);
  const notifier = new AgentNotifier({
    host: wiring.host,
    log: wiring.log,
    mode: wiring.mode,
    terminalFocused: (tmuxName) => focusedTerminal() === tmuxName,
    leads: () => board.leads(),
    otherWindows: () => board.others(),
    claims,
    muted: (workspaceId) => wiring.mutes.isMuted(workspaceId),
    mute: (workspaceId) => wiring.mutes.setMuted(workspaceId, true),
    attach: wiring.attach,
    promptAction: wiring.promptAction,
    branchOf: wiring.branchOf,
    reported: wiring.reported,
  });
  publish();
  return {
    notifier,
    disposables: [
      notifier,
      vscode.window.onDidChangeWindowState(publish),
      front,
      vscode.window.onDidChangeActiveTerminal(publish),
      vscode.window.onDidChangeActiveTextEditor(publish),
      front.onDidChange(publish),
      // Its failures are logged inside.
      { dispose: () => void board.dispose() },
    ],
  };
}
