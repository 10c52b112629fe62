import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { RecordStore } from '../../src/core/store/RecordStore';
import { makeRepo } from './gitRepo';
import { checkInvariants, type DirtyMark } from './invariants';
import { SharedMemento } from './SharedMemento';
import type { TmuxFixture } from './tmuxFixture';
import { WindowProcess } from './windows';
import type { WindowConfig } from './windowProtocol';

/**
 * What several window processes share, as the windows of one VS Code do: the
 * main process's globalState (a file every window's `SharedMemento` copies), a storage folder (lock files, handoff
 * files) and the tmux server. Each world has its own repository and store,
 * so its install id, and with it the owner marker, is its own.
 */
export class WindowWorld {
  readonly store: RecordStore;
  readonly dirty: DirtyMark[] = [];
  private readonly windows: WindowProcess[] = [];

  private constructor(
    readonly tmux: TmuxFixture,
    readonly root: string,
    readonly repo: string,
    readonly storeFile: string,
    readonly stateDir: string,
    private readonly defaults: Partial<WindowConfig>,
  ) {
    // What the main process holds: every window's copy once the writes have reached it.
    this.store = new RecordStore(SharedMemento.main(storeFile));
  }

  static async create(tmux: TmuxFixture, defaults: Partial<WindowConfig> = {}): Promise<WindowWorld> {
    const repo = await makeRepo();
    return new WindowWorld(tmux, repo.root, repo.repo, join(repo.root, 'globalState.json'), join(repo.root, 'globalStorage'), defaults);
  }

  config(overrides: Partial<WindowConfig> = {}): WindowConfig {
    const environment = Object.fromEntries(Object.entries(this.tmux.environment).filter((entry): entry is [string, string] => entry[1] !== undefined));
    return {
      tmuxCommand: this.tmux.command,
      tmuxEnvironment: environment,
      storeFile: this.storeFile,
      stateDir: this.stateDir,
      lockStaleMs: 2000,
      orphanGraceMs: 0,
      reapOrphans: true,
      ...this.defaults,
      ...overrides,
    };
  }

  /** A new window process; it has not activated yet (send `start`). */
  async open(overrides: Partial<WindowConfig> = {}): Promise<WindowProcess> {
    const window = await WindowProcess.spawn(this.config(overrides));
    this.windows.push(window);
    return window;
  }

  /** A new window process that has activated (reconciled what it found). */
  async activate(overrides: Partial<WindowConfig> = {}): Promise<WindowProcess> {
    const window = await this.open(overrides);
    await window.call({ op: 'start' });
    return window;
  }

  checkInvariants(): Promise<void> {
    return checkInvariants({ store: this.store, repoPath: this.repo, dirty: this.dirty, tmux: this.tmux });
  }

  async dispose(): Promise<void> {
    await Promise.all(this.windows.splice(0).map((window) => window.close()));
    await rm(this.root, { recursive: true, force: true });
  }
}

