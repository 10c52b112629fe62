import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RuntimeLifecycle } from '../../src/core/lifecycle/RuntimeLifecycle';
import type { WorkspaceRecord } from '../../src/core/store/records';
import { makeRepo } from './gitRepo';
import { Harness } from './harness';
import { TmuxFixture } from './tmuxFixture';

export type TestRepo = Awaited<ReturnType<typeof makeRepo>>;

/** What the hooks have set up so far. */
interface WorldState {
  fixture?: TmuxFixture;
  harness?: Harness;
  repo?: TestRepo;
  lifecycle?: RuntimeLifecycle;
  stateDir?: string;
}

function required<T>(name: string, value: T | undefined): T {
  if (value === undefined) throw new Error(`world.${name} is set by a mocha hook: use it inside a test`);
  return value;
}

/** A test file's private tmux server, made by the file's `before` hook. */
export class TmuxWorld {
  constructor(protected readonly state: WorldState) {}

  get fixture(): TmuxFixture {
    return required('fixture', this.state.fixture);
  }

  /** The session names on the server (`-u`: without a UTF-8 locale tmux would print non-ASCII as `_`). */
  async liveNames(): Promise<string[]> {
    return (await this.fixture.tmux('-u', 'list-sessions', '-F', '#{session_name}')).split('\n').filter(Boolean);
  }
}

/** Per test, filled in by `beforeEach`: a fresh harness, a real repository and a lifecycle over them. */
export class World extends TmuxWorld {
  constructor(
    state: WorldState,
    private readonly defaultBranch: string,
  ) {
    super(state);
  }

  get harness(): Harness {
    return required('harness', this.state.harness);
  }

  get repo(): TestRepo {
    return required('repo', this.state.repo);
  }

  /** The lifecycle each test begins with. */
  get lifecycle(): RuntimeLifecycle {
    return required('lifecycle', this.state.lifecycle);
  }

  /** The state folder made with `stateDir: true`. */
  get stateDir(): string {
    return required('stateDir', this.state.stateDir);
  }

  /** Creates (or returns) the workspace for `branch` in the test's repository. */
  async readyWorkspace(branch = this.defaultBranch): Promise<WorkspaceRecord> {
    return this.lifecycle.createWorkspace({ repoPath: this.repo.repo, branch });
  }
}

/**
 * Registers `before`/`after` hooks that make the file's private tmux server
 * and remove it, and an `afterEach` that kills the server after every test.
 */
export function useTmuxServer(): TmuxWorld {
  const state: WorldState = {};
  const world = new TmuxWorld(state);
  useFixture(state, world);
  afterEach(async () => {
    await world.fixture.killServer();
  });
  return world;
}

export interface WorldOptions {
  /** The repository's folder name inside its temporary root (default `repo`). */
  repoFolder?: string;
  /** Options for the lifecycle each test begins with. */
  overrides?: Parameters<Harness['lifecycle']>[0];
  /** Whether that lifecycle is started (reconciles, as at activation) before the test; default true. */
  start?: boolean;
  /** Gives the lifecycle a state folder of the test's own (`world.stateDir`), removed after the repository. */
  stateDir?: boolean;
  /** The branch `readyWorkspace()` creates when given none (default `feature/one`). */
  branch?: string;
  /** Runs per test once the repository (and state folder) exist, before the lifecycle is made. */
  setup?: (world: World) => Promise<void>;
  /** Runs per test after everything else is torn down. */
  teardown?: (world: World) => Promise<void>;
  /** The text of a user tmux config the file's server loads (default: none). */
  tmuxConfig?: string;
}

/**
 * Registers the hooks of a test file whose tests each get a fresh world, and
 * returns it (its fields are filled in by those hooks): a private tmux server
 * per file; per test a harness, a repository from `makeRepo` and a lifecycle.
 * After each test the harness disposes its lifecycles, the tmux server is
 * killed and the repository removed, in that order.
 */
export function useWorld(options: WorldOptions = {}): World {
  const { repoFolder, overrides = {}, start = true, stateDir, branch = 'feature/one', setup, teardown, tmuxConfig } = options;
  const state: WorldState = {};
  const world = new World(state, branch);
  useFixture(state, world, tmuxConfig);
  beforeEach(async () => {
    state.harness = new Harness(world.fixture);
    state.repo = await makeRepo(repoFolder);
    state.stateDir = stateDir ? await mkdtemp(join(tmpdir(), 'tw-state-')) : undefined;
    await setup?.(world);
    state.lifecycle = await state.harness.lifecycle(stateDir ? { stateDir: world.stateDir, ...overrides } : overrides);
    if (start) await state.lifecycle.start();
  });
  afterEach(async () => {
    await world.harness.dispose();
    await world.fixture.killServer();
    await world.repo.cleanup();
    if (stateDir) await rm(world.stateDir, { recursive: true, force: true, maxRetries: 5 });
    await teardown?.(world);
  });
  return world;
}

function useFixture(state: WorldState, world: TmuxWorld, config?: string): void {
  before(async () => {
    state.fixture = await TmuxFixture.create({ config });
  });
  after(async () => {
    await world.fixture.dispose();
  });
}
