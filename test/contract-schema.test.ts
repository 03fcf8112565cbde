// The message contract's JSON Schemas for callers in other languages (issue 15): generated from the zod schemas,
// committed in schemas/, shipped in the package. A change to one without the other fails here (and a change to a
// contract type without its zod schema fails the type check: see src/domain/contract-schemas.ts). Real results,
// failures and progress are checked against the shipped files in the consumer tier (test/consumer).
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { CONTRACT, jsonSchemaOf, schemaText } from '../scripts/contract-schemas.js';
import { validateAddServersRequest } from '../src/registry/index.js';

const alibaba = {
  provider: 'alibaba-gwlb',
  region: 'cn-hangzhou',
  serverGroupId: 'sgp-atstuj3rtoptyui0000',
  servers: [{ serverId: 'i-bp67acfmxazb4p0001', serverType: 'Ecs', serverIp: '192.168.0.2' }],
  options: { onFailure: 'rollback' },
};
const huawei = {
  provider: 'huawei-elb',
  region: 'cn-north-4',
  projectId: '04dd36f964000fe22f9ac00bc85b1a1d',
  poolId: '04a9bc65-b75b-478d-b4d6-e693bb61dd35',
  servers: [{ address: '192.168.0.10', protocolPort: 8080, subnetCidrId: '61da8098-09b4-4f7e-8f5b-3a2d3c6a0001' }],
};

const [REQUEST, RESULT, DETAILS, PROGRESS] = CONTRACT as [
  (typeof CONTRACT)[0],
  (typeof CONTRACT)[0],
  (typeof CONTRACT)[0],
  (typeof CONTRACT)[0],
];
const validator = (c: (typeof CONTRACT)[0]) => new Ajv2020({ strict: false }).compile(jsonSchemaOf(c));

describe('the contract JSON Schemas (schemas/*.schema.json)', () => {
  it.each(CONTRACT.map((c) => [c.file.split('/').at(-1), c] as const))(
    '%s is what its zod schema generates: regenerate with `npx tsx scripts/contract-schemas.ts` after changing either',
    (_name, c) => {
      expect(readFileSync(c.file, 'utf8')).toBe(schemaText(c));
    },
  );

  it('the request schema accepts the requests the workflow accepts and refuses the shapes it refuses', () => {
    const validate = validator(REQUEST);
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

  it("the result, failure details and progress schemas take lbflow's shapes and refuse others", () => {
    const result = {
      provider: 'alibaba-gwlb',
      dryRun: false,
      added: ['i-bp67acfmxazb4p0001'],
      alreadyPresent: [],
      servers: [{ key: 'i-bp67acfmxazb4p0001', status: 'Available' }],
      requestIds: ['8A7F'],
      timings: { startedAt: '2026-12-02T10:00:00.000Z', finishedAt: '2026-12-02T10:00:03.000Z', chunks: 1 },
    };
    const quota = {
      type: 'QuotaExceeded',
      added: [],
      alreadyPresent: [],
      provider: 'alibaba-gwlb',
      code: 'QuotaExceeded.ServersPerServerGroup',
      httpStatus: 400,
      requestId: 'R1',
      action: 'AddServersToServerGroup',
      quota: { requested: 1, change: 1, limit: 300, groupHolds: 300, fits: 0 },
    };
    const progress = {
      phase: 'waiting',
      chunksDone: 1,
      chunksTotal: 2,
      requested: 300,
      added: 200,
      alreadyPresent: 0,
      states: { settling: 200, pending: 100 },
      providerStatuses: { Adding: 200 },
    };
    const cases: [(typeof CONTRACT)[0], unknown, unknown[]][] = [
      [
        RESULT,
        result,
        [
          { ...result, servers: [{ key: 'a' }] },
          { ...result, provider: 'aws' },
          { ...result, extra: 1 },
          { ...result, timings: undefined },
        ],
      ],
      [
        DETAILS,
        quota,
        [
          { ...quota, type: 'Oops' },
          { ...quota, added: undefined },
          { ...quota, quota: { requested: -1, change: 1 } },
          { ...quota, secret: 'x' },
        ],
      ],
      [
        PROGRESS,
        progress,
        [
          { ...progress, phase: 'sleeping' },
          { ...progress, states: { Available: 1 } },
          { ...progress, statusCounts: {} },
          { ...progress, chunksDone: 1.5 },
        ],
      ],
    ];
    for (const [c, good, bad] of cases) {
      const validate = validator(c);
      expect(validate(good), JSON.stringify(validate.errors)).toBe(true);
      expect(c.zod().safeParse(good).success).toBe(true);
      for (const shape of bad) {
        expect(validate(shape), JSON.stringify(shape)).toBe(false);
        expect(c.zod().safeParse(shape).success, JSON.stringify(shape)).toBe(false);
      }
    }
  });
});
