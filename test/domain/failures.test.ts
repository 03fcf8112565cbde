import { describe, expect, it } from 'vitest';
import { FAILURE_DESCRIPTIONS, FAILURE_TYPES, isFailureType } from '../../src/domain/index.js';

describe('the failure catalogue', () => {
  it('is the closed list of the design', () => {
    expect(FAILURE_TYPES).toEqual([
      'ValidationError',
      'ServerGroupNotFound',
      'BackendNotFound',
      'BackendConflict',
      'QuotaExceeded',
      'AuthenticationFailed',
      'ProviderRejected',
      'ProviderUnavailable',
      'AvailabilityTimeout',
    ]);
  });

  it.each(FAILURE_TYPES)('describes %s in one line', (type) => {
    expect(FAILURE_DESCRIPTIONS[type]).toMatch(/^[^\n]{20,200}$/);
  });

  it('describes nothing outside the list', () => {
    expect(Object.keys(FAILURE_DESCRIPTIONS).sort()).toEqual([...FAILURE_TYPES].sort());
  });

  it('recognises catalogue names and nothing else', () => {
    expect(isFailureType('QuotaExceeded')).toBe(true);
    expect(isFailureType('quotaexceeded')).toBe(false);
    expect(isFailureType('toString')).toBe(false);
    expect(isFailureType(undefined)).toBe(false);
  });
});
