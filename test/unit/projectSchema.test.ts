import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import { parseProjectFile } from '../../src/core/project/projectFile';

const ROOT = join(__dirname, '..', '..', '..');
const schema: unknown = JSON.parse(readFileSync(join(ROOT, 'schemas', 'tmux-workspaces.schema.json'), 'utf8'));

/** Files the validator refuses but the schema cannot (a pattern cannot parse a template), with the field named. */
const BAD_TO_VALIDATOR_ONLY: Array<[unknown, RegExp]> = [
  [{ env: { TMUX: 'x' } }, /env\.TMUX is set by tmux for each pane/],
  [{ env: { DATABASE_URL: 'postgres://localhost/{nope}' } }, /env\.DATABASE_URL has an unknown placeholder \{nope\}/],
  [{ env: { DATABASE_URL: 'postgres://localhost:{port' } }, /env\.DATABASE_URL has an unmatched "\{"/],
  [{ env: { DATABASE_URL: 'a}b' } }, /env\.DATABASE_URL has an unmatched "\}"/],
];

/** Files both must accept. */
const GOOD: unknown[] = [
  {},
  { $schema: './schemas/tmux-workspaces.schema.json' },
  { setup: ['npm ci', { name: 'build', run: 'npm run build' }, { run: 'echo unnamed' }] },
  { teardown: [{ name: 'db down', run: 'docker compose down' }] },
  { include: ['.env', 'config/local.json'] },
  { env: { COMPOSE_PROJECT_NAME: 'app-{name}', DATABASE_URL: 'postgres://localhost:{port}/app', _X1: '' } },
  { ports: { base: 4000, blockSize: 20 } },
  { ports: {} },
  { agents: [{ id: 'claude', command: 'claude', args: ['--model', 'opus'], env: ['ANTHROPIC_API_KEY'], resumeArgs: ['--resume', '{id}'] }, { id: 'mine', label: 'Mine', command: '/usr/local/bin/mine' }] },
];

/** Files both must refuse, with the field the validator names. */
const BAD: Array<[unknown, RegExp]> = [
  [[], /the top level must be an object/],
  [{ setpu: [] }, /setpu is not a known field/],
  [{ setup: 'npm ci' }, /setup must be an array/],
  [{ setup: ['ok', 3] }, /setup\[1\] must be a command string/],
  [{ setup: ['  '] }, /setup\[0\] must not be empty/],
  [{ setup: [{ name: 'x' }] }, /setup\[0\]\.run must be a string/],
  [{ setup: [{ run: 'x', nmae: 'y' }] }, /setup\[0\]\.nmae is not a known field/],
  [{ teardown: [{ run: '' }] }, /teardown\[0\]\.run must not be empty/],
  [{ include: ['.env', 1] }, /include\[1\] must be a string/],
  [{ env: { 'BAD-NAME': 'x' } }, /env\.BAD-NAME is not a valid variable name/],
  [{ env: { PORT: 3000 } }, /env\.PORT must be a string/],
  [{ env: { TMUX_WORKSPACES_X: 'x' } }, /env\.TMUX_WORKSPACES_X starts with TMUX_WORKSPACES_/],
  [{ env: ['A=1'] }, /env must be an object/],
  [{ ports: { base: 80 } }, /ports\.base must be a whole number from 1024 to 65535/],
  [{ ports: { blockSize: 2.5 } }, /ports\.blockSize must be a whole number/],
  [{ ports: { size: 10 } }, /ports\.size is not a known field/],
  [{ agents: [{ id: 'x' }] }, /agents\[0\]\.command must be a string/],
  [{ agents: [{ id: 'x', command: 'x', args: 'a' }] }, /agents\[0\]\.args must be an array of strings/],
  [{ agents: [{ id: 'x', command: 'x', resumeArgs: ['--resume'] }] }, /agents\[0\]\.resumeArgs needs "\{id\}"/],
  [{ agents: {} }, /agents must be an array/],
];

describe('project file schema and validator', () => {
  const validate = new Ajv({ allErrors: true }).compile(schema as object);

  for (const sample of GOOD) {
    it(`both accept ${JSON.stringify(sample)}`, () => {
      assert.equal(validate(sample), true, JSON.stringify(validate.errors));
      assert.doesNotThrow(() => parseProjectFile(JSON.stringify(sample)));
    });
  }

  for (const [sample, named] of BAD) {
    it(`both refuse ${JSON.stringify(sample)}`, () => {
      assert.equal(validate(sample), false, 'the schema accepts it');
      assert.throws(() => parseProjectFile(JSON.stringify(sample)), (error: Error) => error.message.startsWith('.tmux-workspaces.json: ') && named.test(error.message));
    });
  }

  for (const [sample, named] of BAD_TO_VALIDATOR_ONLY) {
    it(`the validator refuses ${JSON.stringify(sample)}`, () => {
      assert.throws(() => parseProjectFile(JSON.stringify(sample)), (error: Error) => error.message.startsWith('.tmux-workspaces.json: ') && named.test(error.message));
    });
  }

  it('is the schema package.json contributes for .tmux-workspaces.json', () => {
    const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { contributes: { jsonValidation?: Array<{ fileMatch: string | string[]; url: string }> } };
    const entry = manifest.contributes.jsonValidation?.find((item) => [item.fileMatch].flat().includes('.tmux-workspaces.json'));
    assert.equal(entry?.url, './schemas/tmux-workspaces.schema.json');
  });

  it('refuses two steps of one name (the log, progress and Retry Setup tell steps apart by it), which the schema cannot say', () => {
    assert.throws(() => parseProjectFile(JSON.stringify({ setup: ['make', 'make'] })), /setup\[1\] has the same name as an earlier step/);
  });
});
