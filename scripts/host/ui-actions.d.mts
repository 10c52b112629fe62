// The UI-action protocol between the suite inside the extension host
// (test/host/ui.ts) and the launcher's page (ui-actions.mjs): one definition
// for both sides.
import type { Page } from 'playwright-core';

/** An element of the workbench: by ARIA role and accessible name (exact unless `exact: false`), or by CSS; inside `within`. */
export type UiTarget =
  | { readonly role: string; readonly name: string; readonly exact?: boolean; readonly within?: UiTarget; readonly css?: undefined }
  | { readonly css: string; readonly within?: UiTarget };

interface Timed {
  /** How long the target may take to become actionable (10 s by default). */
  readonly timeout?: number;
}

export type UiAction =
  /** `until`: click again while that target is still shown (a menu ignores clicks for a moment after it opens). */
  | (Timed & { readonly do: 'click'; readonly target: UiTarget; readonly button?: 'left' | 'right'; readonly until?: UiTarget })
  | (Timed & { readonly do: 'hover'; readonly target: UiTarget })
  /** A key or chord in Playwright's names: `Enter`, `Escape`, `Control+a`. */
  | (Timed & { readonly do: 'press'; readonly key: string })
  /** Text typed into the focused element, key by key; `thenPress`: a key pressed right after the last one. */
  | (Timed & { readonly do: 'type'; readonly text: string; readonly thenPress?: string })
  | (Timed & { readonly do: 'wait'; readonly target: UiTarget; readonly state?: 'visible' | 'hidden' })
  /** Nothing: only the notifications shown now. */
  | (Timed & { readonly do: 'notifications' })
  /**
   * Opens the plain window (scripts/host/plain-window.mjs: no test runner, so
   * modal dialogs are shown): screenshots, page queries and UI actions go to it
   * until close-window. Answered by suite-page.mjs.
   */
  | { readonly do: 'open-window' }
  | { readonly do: 'close-window' };

/** A notification toast the workbench shows. */
export interface UiNotification {
  readonly severity: 'error' | 'warning' | 'info' | 'unknown';
  readonly message: string;
  /** The extension or part of the editor it came from, when the toast names one. */
  readonly source: string;
}

export type UiResult =
  | { readonly ok: true; readonly notifications: UiNotification[] }
  | { readonly ok: false; readonly error: string; readonly notifications: UiNotification[] };

export function parseUiRequest(line: string): { name: string; action: UiAction; problem?: undefined } | { name: string; problem: string; action?: undefined } | undefined;
export function describeTarget(target: UiTarget): string;
export function visibleNotifications(page: Page): Promise<UiNotification[]>;
export function performUiAction(page: Page, action: UiAction): Promise<UiResult>;
export function answerUiRequest(
  request: NonNullable<ReturnType<typeof parseUiRequest>>,
  dir: string,
  performAction: (action: UiAction) => Promise<UiResult>,
  log?: (line: string) => void,
): Promise<UiResult>;
