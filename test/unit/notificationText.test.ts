import * as assert from 'node:assert/strict';
import type { SessionRecord } from '../../src/core/store/records';
import { allows, coalescedText, exitNotice, notificationMode, type Notice } from '../../src/ui/agents/notificationText';

const session: SessionRecord = { v: 1, key: 'tw-a', workspaceId: 'ws', kind: 'agent', agentId: 'claude', label: 'Claude Code', tmuxName: 'tw-a', launchId: 'l', command: ['claude'], createdAt: 1 };
const notice = (kind: Notice['kind']): Notice => ({ session, kind, state: kind, since: 1, text: '' });

describe('notification words and modes', () => {
  it('reads the setting, the former boolean as it meant, and anything else as the default', () => {
    assert.deepEqual([true, false, 'needsInput', 'off', 'failures', 'loud', undefined].map(notificationMode), ['all', 'failures', 'needsInput', 'off', 'failures', 'all', 'all']);
  });

  it('lets through what each mode names, failures in all but off', () => {
    const kinds = ['needsInput', 'finished', 'failed'] as const;
    const table = (['all', 'needsInput', 'failures', 'off'] as const).map((mode) => kinds.filter((kind) => allows(mode, kind)));
    assert.deepEqual(table, [['needsInput', 'finished', 'failed'], ['needsInput', 'failed'], ['failed'], []]);
  });

  it('says how many agents need input or finished when several are told together', () => {
    assert.equal(coalescedText([notice('needsInput'), notice('needsInput'), notice('needsInput')]), '3 agents need your input');
    assert.equal(coalescedText([notice('finished'), notice('finished')]), '2 agents finished');
    assert.equal(coalescedText([notice('needsInput'), notice('finished'), notice('finished')]), '3 agents: 1 needs your input, 2 finished');
  });

  it('claims an exit once per session: at the session start, whatever the status', () => {
    assert.deepEqual([exitNotice(session, 0, 'A'), exitNotice(session, 3, 'A')].map(({ kind, state, since, text }) => [kind, state, since, text]), [
      ['finished', 'exited', 1, 'A finished'],
      ['failed', 'exited', 1, 'A failed (exit 3)'],
    ]);
  });
});
