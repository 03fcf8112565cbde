// The request's JSON Schema for callers in other languages (issue 15, first part): generated from the zod schema,
// committed in schemas/, shipped in the package. A change to one without the other fails here.
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { REQUEST_SCHEMA_FILE, requestJsonSchema, requestSchemaText } from '../scripts/contract-schemas.js';
import { validateAddServersRequest } from '../src/domain/index.js';

const alibaba = { provider: 'alibaba-gwlb', region: 'cn-hangzhou', serverGroupId: 'sgp-atstuj3rtoptyui0000', servers: [{ serverId: 'i-bp67acfmxazb4p0001', serverType: 'Ecs', serverIp: '192.168.0.2' }], options: { onFailure: 'rollback' } };
const huawei = { provider: 'huawei-elb', region: 'cn-north-4', projectId: '04dd36f964000fe22f9ac00bc85b1a1d', poolId: '04a9bc65-b75b-478d-b4d6-e693bb61dd35', servers: [{ address: '192.168.0.10', protocolPort: 8080, subnetCidrId: '61da8098-09b4-4f7e-8f5b-3a2d3c6a0001' }] };

describe('the request JSON Schema (schemas/add-servers-request.schema.json)', () => {
  it('is what the zod schema generates: regenerate with `npx tsx scripts/contract-schemas.ts` after changing either', () => {
    expect(readFileSync(REQUEST_SCHEMA_FILE, 'utf8')).toBe(requestSchemaText());
  });

  it('accepts the requests the workflow accepts and refuses the shapes it refuses', () => {
    const validate = new Ajv2020({ strict: false }).compile(requestJsonSchema());
    for (const request of [alibaba, huawei]) {
      expect(validateAddServersRequest(request).ok).toBe(true);
      expect(validate(request), JSON.stringify(validate.errors)).toBe(true);
    }
    const refused: unknown[] = [
      { ...alibaba, provider: 'aws-elb' },
      { ...alibaba, servers: [] },
      { ...alibaba, servers: undefined },
      { ...alibaba, serverGroupId: undefined },
      { ...alibaba, extra: true },
      { ...alibaba, servers: [{ ...alibaba.servers[0], serverType: 'ecs' }] },
      { ...alibaba, options: { waitFor: 'never' } },
      { ...huawei, servers: [{ protocolPort: 8080 }] },
      { ...huawei, projectId: 42 },
    ];
    for (const request of refused) {
      expect(validateAddServersRequest(request).ok, JSON.stringify(request)).toBe(false);
      expect(validate(request), JSON.stringify(request)).toBe(false);
    }
  });
});
