// Huawei Cloud ELB v3 as lbflow knows it, workflow-safe: listed in src/registry, read by every other room through it.
import type { ProviderDefinition } from '../../../domain/index.js';
import { huaweiErrors } from './errors.js';
import { huaweiIdentity, type HuaweiIdentity } from './identity.js';
import {
  huaweiSchemas,
  type HuaweiAddServersRequest,
  type HuaweiAddServersRequestInput,
  type HuaweiServer,
} from './request.js';

export { HUAWEI_ERROR_CODES } from './errors.js';
export { huaweiIdentity, type HuaweiIdentity } from './identity.js';
export * from './request.js';

/** A Huawei ELB v3 backend server group (pool): the region picks `elb.{region}.myhuaweicloud.com`. */
export interface HuaweiGroupRef {
  readonly provider: 'huawei-elb';
  readonly region: string;
  readonly projectId: string;
  readonly poolId: string;
}

declare module '../../../domain/provider.js' {
  interface ProviderModels {
    'huawei-elb': {
      server: HuaweiServer;
      identity: HuaweiIdentity;
      group: HuaweiGroupRef;
      request: HuaweiAddServersRequest;
      requestInput: HuaweiAddServersRequestInput;
    };
  }
}

export const huaweiElb: ProviderDefinition<'huawei-elb'> = {
  name: 'huawei-elb',
  readiness: {
    // ONLINE, or NO_MONITOR in a pool without health checks.
    available: ['ONLINE', 'NO_MONITOR'],
    leaving: [],
    // An ELB v3 pool has no pending state between batch-adds (research/huawei-elb.md: members carry no provisioning
    // status, the pool none, the dedicated load balancer only ACTIVE or PENDING_DELETE).
    backToBack: true,
  },
  identity: huaweiIdentity,
  group: {
    idField: 'poolId',
    ref: ({ provider, region, projectId, poolId }) => ({ provider, region, projectId, poolId }),
  },
  errors: huaweiErrors,
  requestSchema: (parts) => huaweiSchemas(parts).request,
};
