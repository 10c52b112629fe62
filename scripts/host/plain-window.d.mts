// Types for plain-window.mjs.
import type { BrowserContext, Page } from 'playwright-core';
import type { UiAction, UiResult } from './ui-actions.mjs';

interface Server {
  readonly url: string;
  readonly remoteAuthority: string;
}

export function workbenchUrl(server: Server, folder: string, payload: readonly (readonly [string, string])[]): string;
export function openPlainWindow(context: BrowserContext, server: Server, options: { folder: string; developmentPath: string; log: (line: string) => void }): Promise<Page>;
export function requestTarget(
  page: Page,
  openWindow: () => Promise<Page>,
  performOn: (page: Page, action: UiAction) => Promise<UiResult>,
): { readonly page: Page; perform(action: UiAction): Promise<UiResult> };
