import * as assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { eventually } from '../helpers/poll';

// `npm start` with the real code-server (installed once into .vscode-test/ by
// the host scripts; a few seconds to start after that). Mocha runs from the
// repository root.
const repoRoot = process.cwd();
const READY = /^Tmux Workspaces is running: (http:\/\/127\.0\.0\.1:\d+\/\S*)/m;

/** Pids of the processes whose environment carries `marker` (every descendant inherits it, even once reparented). */
function carrying(marker: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(join('/proc', entry, 'environ'), 'utf8').split('\0').includes(marker)) pids.push(Number(entry));
    } catch {
      // gone meanwhile, or not ours to read: not one of ours either way
    }
  }
  return pids;
}

/** A port that is free on 127.0.0.1 right now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

function killAll(pids: readonly number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

describe('npm start', function () {
  this.timeout(120_000);
  let marker = '';
  let output = '';

  before(async function () {
    this.timeout(15 * 60_000); // a cold code-server install takes minutes; later runs return at once
    await execa(process.execPath, ['scripts/host/install-code-server.mjs'], { cwd: repoRoot });
  });

  beforeEach(() => {
    marker = `TW_START_TEST=${randomUUID()}`;
    output = '';
  });

  afterEach(() => {
    // Whatever a failed test left behind is ours: it carries this test's marker.
    killAll(carrying(marker));
  });

  /** Starts `npm start` and waits for the URL; the child is wrapped, as awaiting a bare execa child waits for its exit. */
  async function start(): Promise<{ child: ResultPromise }> {
    const [name, value] = marker.split('=');
    const child = execa('npm', ['start'], {
      cwd: repoRoot,
      env: { TW_HOST: 'code-server', PORT: String(await freePort()), [name]: value },
      all: true,
      reject: false,
    });
    child.all?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await eventually(() => READY.test(output) || child.exitCode !== null, 90_000, 'the URL printed', 100);
    assert.match(output, READY, output);
    return { child };
  }

  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
    it(`stops code-server and every process it started when npm start gets ${signal}`, async () => {
      const npm = (await start()).child;
      const url = READY.exec(output)?.[1] ?? '';
      assert.ok((await fetch(url)).ok, `${url} serves`);
      assert.ok(carrying(marker).length >= 3, 'npm, the start script and code-server run');
      npm.kill(signal);
      await eventually(() => carrying(marker).length === 0, 20_000, `no process left after ${signal} (left: ${carrying(marker).join(', ')})`, 100);
      await assert.rejects(fetch(url), `${url} no longer serves`);
    });
  }

  it('prints the URL last: nothing of code-server\'s log comes after it', async () => {
    const npm = (await start()).child;
    npm.kill('SIGTERM');
    await npm;
    const after = output.slice(output.search(READY)).split('\n').slice(1).filter((line) => line.trim() !== '');
    for (const line of after) assert.match(line, /^(\[start\]|\s|=+$)/, `after the URL: ${line}`);
  });
});
