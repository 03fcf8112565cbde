import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { GROUP_BUSY_DELAY_MS, toTemporalFailure } from '../../src/activities/failures.js';
import { ProviderError } from '../../src/providers/index.js';

const providerError = (code: string, httpStatus: number, retryAfterMs?: number) =>
  new ProviderError({
    provider: 'alibaba-gwlb',
    action: 'AddServersToServerGroup',
    httpStatus,
    code,
    providerMessage: 'm',
    requestId: 'req-1',
    retryAfterMs,
  });

const convert = (e: unknown, attempt = 1, random = () => 0.5) =>
  toTemporalFailure(e, attempt, random) as ApplicationFailure;

describe('provider failures at the activity boundary', () => {
  it('fails a permanent code at once with its catalogue type and the provider details', () => {
    const f = convert(providerError('QuotaExceeded.ServerGroupServersNum', 400));
    expect(f).toBeInstanceOf(ApplicationFailure);
    expect([f.type, f.nonRetryable]).toEqual(['QuotaExceeded', true]);
    expect(f.details?.[0]).toMatchObject({
      code: 'QuotaExceeded.ServerGroupServersNum',
      httpStatus: 400,
      requestId: 'req-1',
    });
  });

  it('never retries a bad signature', () => {
    expect(convert(providerError('SignatureDoesNotMatch', 400))).toMatchObject({
      type: 'AuthenticationFailed',
      nonRetryable: true,
    });
  });

  it('retries a busy group after a random delay, so racing writers do not come back together', () => {
    const early = convert(providerError('IncorrectStatus.ServerGroup', 400), 1, () => 0);
    const late = convert(providerError('IncorrectStatus.ServerGroup', 400), 1, () => 1);
    expect(early.nonRetryable).toBe(false);
    expect([early.nextRetryDelay, late.nextRetryDelay]).toEqual([GROUP_BUSY_DELAY_MS.min, GROUP_BUSY_DELAY_MS.max]);
  });

  it("honours the provider's retry-after when throttled", () => {
    expect(convert(providerError('Throttling.User', 400, 1500))).toMatchObject({
      nonRetryable: false,
      nextRetryDelay: 1500,
    });
  });

  it('stops retrying a bounded code once its attempts are used up', () => {
    const e = new ProviderError({
      provider: 'huawei-elb',
      action: 'BatchCreateMembers',
      httpStatus: 409,
      code: 'ELB.8907',
      providerMessage: 'Data conflict.',
    });
    expect(convert(e, 1).nonRetryable).toBe(false);
    expect(convert(e, e.maxAttempts ?? 3).nonRetryable).toBe(true);
  });

  it('passes anything that is not a provider error through unchanged (an abort stays an abort)', () => {
    const abort = new DOMException('aborted', 'AbortError');
    expect(toTemporalFailure(abort, 1)).toBe(abort);
  });
});
