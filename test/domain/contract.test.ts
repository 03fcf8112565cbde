// The exported constants and schemas, used directly as other layers will use them.
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_POLL_INTERVAL_SECONDS,
  MAX_SERVERS_PER_CALL,
  MAX_SERVERS_PER_REQUEST,
  ON_FAILURE_VALUES,
  SEARCH_ATTRIBUTE_KEYS,
  SEARCH_ATTRIBUTES,
  TASK_QUEUE,
  WAIT_FOR_VALUES,
  WORKFLOW_TYPE,
  requestParts,
  type AddServersRequest,
} from '../../src/domain/index.js';
import { PROVIDERS, requestSchemas } from '../../src/registry/index.js';
import { ALIBABA_SERVER_TYPES, alibabaSchemas, GENEVE_PORT } from '../../src/providers/alibaba/definition/index.js';
import { huaweiSchemas } from '../../src/providers/huawei/definition/index.js';
import { alibaba, huawei } from './fixtures.js';

const { AddServersOptionsSchema, AddServersRequestSchema } = requestSchemas();
const { server: AlibabaServerSchema, request: AlibabaAddServersRequestSchema } = alibabaSchemas(requestParts());
const { server: HuaweiServerSchema, request: HuaweiAddServersRequestSchema } = huaweiSchemas(requestParts());

describe('constants', () => {
  it('pin the provider facts the rules rely on', () => {
    expect(PROVIDERS).toEqual(['alibaba-gwlb', 'huawei-elb']);
    expect(GENEVE_PORT).toBe(6081);
    expect(MAX_SERVERS_PER_CALL).toBe(200);
    expect(MAX_SERVERS_PER_REQUEST).toBe(10_000);
    expect(ALIBABA_SERVER_TYPES).toEqual(['Ecs', 'Eni', 'Eci', 'Ip']);
    expect(WAIT_FOR_VALUES).toEqual(['available', 'registered']);
    expect(ON_FAILURE_VALUES).toEqual(['keep', 'rollback']);
  });

  it('use the default poll interval when the timeout allows it', () => {
    expect(AddServersOptionsSchema.parse({}).pollIntervalSeconds).toBe(DEFAULT_POLL_INTERVAL_SECONDS);
  });

  it('name the task queue, workflow and search attributes as the design does', () => {
    expect(TASK_QUEUE).toBe('lbflow');
    expect(WORKFLOW_TYPE).toBe('addServersToServerGroup');
    expect(SEARCH_ATTRIBUTE_KEYS.map((k) => k.name)).toEqual(['LbProvider', 'LbRegion', 'LbServerGroupId', 'LbPhase']);
    expect(SEARCH_ATTRIBUTES.phase.name).toBe('LbPhase');
  });
});

describe('schemas used directly', () => {
  it('parse one GWLB server with its default Port', () => {
    expect(AlibabaServerSchema.parse({ serverId: 'eni-abc', serverType: 'Eni' })).toEqual({
      serverId: 'eni-abc',
      serverType: 'Eni',
      port: 6081,
    });
  });

  it('parse one Huawei member with its default weight', () => {
    expect(HuaweiServerSchema.parse({ address: '10.0.0.1', protocolPort: 80 })).toEqual({
      address: '10.0.0.1',
      protocolPort: 80,
      weight: 1,
    });
  });

  it('keep each provider schema to its own provider', () => {
    expect(AlibabaAddServersRequestSchema.safeParse(alibaba()).success).toBe(true);
    expect(AlibabaAddServersRequestSchema.safeParse(huawei()).success).toBe(false);
    expect(HuaweiAddServersRequestSchema.safeParse(huawei()).success).toBe(true);
    expect(HuaweiAddServersRequestSchema.safeParse(alibaba()).success).toBe(false);
  });

  it('narrow the parsed request on provider', () => {
    const request: AddServersRequest = AddServersRequestSchema.parse(huawei());
    expect(request.provider === 'huawei-elb' ? request.poolId : request.serverGroupId).toBe(
      '04a9bc65-b75b-478d-b4d6-e693bb61dd35',
    );
  });
});
