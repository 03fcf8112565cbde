// Lifecycle states and the provider's words, counted apart.
import { describe, expect, it } from 'vitest';
import { countStates, lifecycleOf } from '../../src/domain/index.js';

describe("lifecycle states: one vocabulary for progress, the provider's words kept apart (issue 14)", () => {
  it("maps lbflow's own words and the provider's statuses by the request's waitFor", () => {
    expect(lifecycleOf('alibaba-gwlb', undefined, 'available')).toBe('pending');
    expect(lifecycleOf('alibaba-gwlb', 'added', 'available')).toBe('added');
    expect(lifecycleOf('alibaba-gwlb', 'dry-run', 'available')).toBe('checked');
    expect(lifecycleOf('alibaba-gwlb', 'removed', 'available')).toBe('removed');
    expect(lifecycleOf('alibaba-gwlb', 'Available', 'available')).toBe('ready');
    expect(lifecycleOf('alibaba-gwlb', 'Adding', 'available')).toBe('settling');
    expect(lifecycleOf('alibaba-gwlb', 'Adding', 'registered')).toBe('ready');
    expect(lifecycleOf('huawei-elb', 'NO_MONITOR', 'available')).toBe('ready');
    expect(lifecycleOf('huawei-elb', 'OFFLINE', 'available')).toBe('settling');
  });

  it('counts states for every server and provider words only for what the provider listed, prototype keys included', () => {
    const counted = countStates(
      'alibaba-gwlb',
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
