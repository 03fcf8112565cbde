// The Web UI's user metadata for a request: the live details table, with how a failed run ended.
import { describe, expect, it } from 'vitest';
import { progressDetails, type Progress } from '../../src/domain/index.js';

const failed: Progress = {
  phase: 'failed',
  chunksDone: 0,
  chunksTotal: 1,
  requested: 2,
  added: 0,
  alreadyPresent: 0,
  states: { pending: 2 },
  providerStatuses: {},
};

describe('progressDetails', () => {
  it('is phase, chunks, counts and states while a run goes, with no ending rows', () => {
    const text = progressDetails({ ...failed, phase: 'adding' });
    expect(text).toContain('| **phase** | adding |');
    expect(text).not.toContain('**failed**');
    expect(text).not.toContain('**quota**');
  });

  it('says how a failed run ended: the type, the provider code and, on a quota, what the group holds and fits', () => {
    const text = progressDetails(failed, {
      type: 'QuotaExceeded',
      code: 'ELB.8905',
      quota: { limit: 500, groupHolds: 500, fits: 0 },
    });
    expect(text).toContain('| **failed** | QuotaExceeded (ELB.8905) |');
    expect(text).toContain('| **quota** | the group holds 500 of 500; 0 more fit |');
  });

  it('leaves out what the provider did not say', () => {
    expect(progressDetails(failed, { type: 'ValidationError' })).toContain('| **failed** | ValidationError |');
    expect(progressDetails(failed, { type: 'QuotaExceeded', quota: { groupHolds: 1234 } })).toContain(
      '| **quota** | the group holds 1,234 |',
    );
  });
});
