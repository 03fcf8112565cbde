// Alibaba Cloud GWLB as lbflow knows it, workflow-safe: listed in src/registry, read by every other room through it.
import type { ProviderDefinition } from '../../../domain/index.js';
import { alibabaErrors } from './errors.js';
import { alibabaIdentity, type AlibabaIdentity } from './identity.js';
import {
  alibabaSchemas,
  type AlibabaAddServersRequest,
  type AlibabaAddServersRequestInput,
  type AlibabaServer,
} from './request.js';

export { ALIBABA_ERROR_CODES } from './errors.js';
export { alibabaIdentity, type AlibabaIdentity } from './identity.js';
export * from './request.js';

/** An Alibaba GWLB server group: the region picks the endpoint `gwlb.{region}.aliyuncs.com`. */
export interface AlibabaGroupRef {
  readonly provider: 'alibaba-gwlb';
  readonly region: string;
  readonly serverGroupId: string;
}

declare module '../../../domain/provider.js' {
  interface ProviderModels {
    'alibaba-gwlb': {
      server: AlibabaServer;
      identity: AlibabaIdentity;
      group: AlibabaGroupRef;
      request: AlibabaAddServersRequest;
      requestInput: AlibabaAddServersRequestInput;
    };
  }
}

export const alibabaGwlb: ProviderDefinition<'alibaba-gwlb'> = {
  name: 'alibaba-gwlb',
  readiness: {
    available: ['Available'],
    // A member on its way out is not "registered" even though it is still listed.
    leaving: ['Removing', 'Draining'],
    // A GWLB group is `Configuring` after every change and refuses the next until it is `Available` again.
    backToBack: false,
  },
  identity: alibabaIdentity,
  group: {
    idField: 'serverGroupId',
    ref: ({ provider, region, serverGroupId }) => ({ provider, region, serverGroupId }),
  },
  errors: alibabaErrors,
  requestSchema: (parts) => alibabaSchemas(parts).request,
};
