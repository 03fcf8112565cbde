// Huawei Cloud ELB v3 as lbflow knows it, workflow-safe: listed in src/registry, read by every other room.
import type { ProviderDefinition } from '../../domain/index.js';

export const huaweiElb = {
  name: 'huawei-elb',
  readiness: {
    // ONLINE, or NO_MONITOR in a pool without health checks.
    available: ['ONLINE', 'NO_MONITOR'],
    leaving: [],
    // An ELB v3 pool has no pending state between batch-adds (research/huawei-elb.md: members carry no provisioning
    // status, the pool none, the dedicated load balancer only ACTIVE or PENDING_DELETE).
    backToBack: true,
  },
} as const satisfies ProviderDefinition<'huawei-elb'>;
