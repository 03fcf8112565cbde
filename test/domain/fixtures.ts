// Valid requests to break one field at a time, and helpers to read the issues of an invalid one.
import { expect } from 'vitest';
import { type ValidationIssue } from '../../src/domain/index.js';
import { validateAddServersRequest } from '../../src/registry/index.js';

export const PROJECT_ID = '04dd36f964000fe22f9ac00bc85b1a1d';
export const POOL_ID = '04a9bc65-b75b-478d-b4d6-e693bb61dd35';
export const SUBNET_ID = '61da8098-954b-4809-bc5a-b99ccef8a398';

/** A valid Alibaba request with one ECS server; `server` and `over` replace parts of it. */
export function alibaba(server: Record<string, unknown> = {}, over: Record<string, unknown> = {}) {
  return {
    provider: 'alibaba-gwlb',
    region: 'cn-hangzhou',
    serverGroupId: 'sgp-atstuj3rtoptyui0000',
    servers: [{ serverId: 'i-bp67acfmxazb4p0001', serverType: 'Ecs', ...server }],
    ...over,
  };
}

/** A valid Huawei request with one member in a subnet; `server` and `over` replace parts of it. */
export function huawei(server: Record<string, unknown> = {}, over: Record<string, unknown> = {}) {
  return {
    provider: 'huawei-elb',
    region: 'cn-north-4',
    projectId: PROJECT_ID,
    poolId: POOL_ID,
    servers: [{ address: '192.168.0.48', protocolPort: 8080, subnetCidrId: SUBNET_ID, ...server }],
    ...over,
  };
}

/** A valid Huawei IP-type member request (no subnet). */
export function huaweiIpType(server: Record<string, unknown> = {}) {
  return huawei({ subnetCidrId: undefined, address: '10.1.2.3', ...server });
}

/** The issues of a request that must be invalid. */
export function issuesOf(input: unknown): ValidationIssue[] {
  const result = validateAddServersRequest(input);
  if (result.ok) throw new Error(`expected an invalid request, got ${JSON.stringify(result.request)}`);
  return result.issues;
}

/** Asserts the request is invalid with an issue at `path` whose message matches `message`. */
export function expectIssue(input: unknown, path: string, message: RegExp): void {
  const issues = issuesOf(input);
  expect(issues, JSON.stringify(issues, null, 1)).toContainEqual({ path, message: expect.stringMatching(message) });
}

/** Asserts the request is valid and returns the parsed request. */
export function expectValid(input: unknown) {
  const result = validateAddServersRequest(input);
  if (!result.ok) throw new Error(`expected a valid request, got issues ${JSON.stringify(result.issues, null, 1)}`);
  return result.request;
}
