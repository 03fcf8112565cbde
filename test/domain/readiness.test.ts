// Lifecycle states and the provider's words, counted apart.
import { describe, expect, it } from 'vitest';
import { countStates, lifecycleOf } from '../../src/domain/index.js';
import { alibabaGwlb } from '../../src/providers/alibaba/definition/index.js';
import { huaweiElb } from '../../src/providers/huawei/definition/index.js';

describe("lifecycle states: one vocabulary for progress, the provider's words kept apart (issue 14)", () => {
  it("maps lbflow's own words and the provider's statuses by the request's waitFor", () => {
    expect(lifecycleOf(alibabaGwlb.readiness, undefined, 'available')).toBe('pending');
    expect(lifecycleOf(alibabaGwlb.readiness, 'added', 'available')).toBe('added');
    expect(lifecycleOf(alibabaGwlb.readiness, 'dry-run', 'available')).toBe('checked');
    expect(lifecycleOf(alibabaGwlb.readiness, 'removed', 'available')).toBe('removed');
    expect(lifecycleOf(alibabaGwlb.readiness, 'Available', 'available')).toBe('ready');
    expect(lifecycleOf(alibabaGwlb.readiness, 'Adding', 'available')).toBe('settling');
    expect(lifecycleOf(alibabaGwlb.readiness, 'Adding', 'registered')).toBe('ready');
    expect(lifecycleOf(huaweiElb.readiness, 'NO_MONITOR', 'available')).toBe('ready');
    expect(lifecycleOf(huaweiElb.readiness, 'OFFLINE', 'available')).toBe('settling');
  });

  it('counts states for every server and provider words only for what the provider listed, prototype keys included', () => {
    const counted = countStates(
      alibabaGwlb.readiness,
      'available',
      ['Available', 'Available', 'Adding', 'added', '__proto__', 'constructor'],
      2,
    );
    expect(counted.states).toEqual({ pending: 2, ready: 2, settling: 3, added: 1 });
    expect(Object.entries(counted.providerStatuses)).toEqual([
      ['Available', 2],
      ['Adding', 1],
      ['__proto__', 1],
      ['constructor', 1],
    ]);
    expect(Object.getPrototypeOf(counted.providerStatuses)).toBe(Object.prototype);
  });
});
