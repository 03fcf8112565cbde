import { describe, expect, it } from 'vitest';
import { DISPOSITIONS, FAILURE_TYPES, LBFLOW_FAMILIES } from '../../src/domain/index.js';
import { classifyProviderError, definitionOf, PROVIDER_ERROR_CODES, PROVIDERS } from '../../src/registry/index.js';
import { ALIBABA_ERROR_CODES } from '../../src/providers/alibaba/definition/index.js';
import { HUAWEI_ERROR_CODES } from '../../src/providers/huawei/definition/index.js';

// Codes listed in the research error tables, written out here so that dropping a table row fails a test.
const RESEARCH_CODES = {
  'alibaba-gwlb': [
    // §3.1
    'Conflict.Server',
    'Mismatch.ServerType',
    'ResourceInUse.IP',
    'IllegalParam.ServerIp',
    'IllegalParam.EcsNetworkType',
    'DuplicatedParam.Server',
    'ResourceInUse.Eni',
    'IncorrectStatus.Eni',
    'IllegalParam.IP',
    'Mismatch.IP',
    'Mismatch.VpcId',
    'QuotaExceeded.ServerGroupServersNum',
    'QuotaExceeded.ServerGroupAzServersNum',
    'IncorrectStatus.ServerGroup',
    'ResourceNotFound.Eni',
    'ResourceNotFound.Eci',
    'ResourceNotFound.ServerGroup',
    'ResourceNotFound.Ecs',
    // §3.3
    'SystemBusy',
    'Conflict.Lock',
    'IdempotenceSignatureMismatch',
    'Throttling.User',
    'Forbidden.NoPermission',
    'DryRunOperation',
    'ResourceInUse.ServerGroup',
    'OperationFailed.ResourceIsConfiguring',
    'IdempotenceProcessing',
    // §3.4
    'InvalidParameter',
    'InvalidParameter.Format',
    'InvalidAccessKeyId.NotFound',
    'InvalidAccessKeyId.Inactive',
    'InvalidTimeStamp.Format',
    'InvalidTimeStamp.Expired',
    'SignatureNonceUsed',
    'SignatureDoesNotMatch',
    'InvalidSignatureMethod',
    'UnsupportedHTTPMethod',
    'Throttling.Api',
    'InvalidApi.NotFound',
    'InvalidAction.NotFound',
    'InvalidProduct.NotFound',
    'InternalError',
    'ServiceUnavailable',
    // §3.6
    'Throttling',
    'IdempotentParameterMismatch',
  ],
  'huawei-elb': [
    // §3.2
    'ELB.0002',
    'ELB.1001',
    'ELB.2002',
    'ELB.2003',
    'ELB.2012',
    'ELB.2021',
    'ELB.8902',
    'ELB.8933',
    'ELB.8938',
    'ELB.8939',
    'ELB.9807',
    'ELB.9899',
    'ELB.1202',
    'ELB.1103',
    'ELB.1104',
    'ELB.1105',
    'ELB.1102',
    'ELB.2001',
    'ELB.8903',
    'ELB.8962',
    'ELB.9802',
    'ELB.9803',
    'ELB.9804',
    'ELB.1002',
    'ELB.8904',
    'ELB.8905',
    'ELB.8907',
    'ELB.8906',
    'ELB.9903',
    'SYS.0401',
    'SYS.0403',
    // §3.3
    'APIGW.0101',
    'APIGW.0201',
    'APIGW.0301',
    'APIGW.0302',
    'APIGW.0303',
    'APIGW.0304',
    'APIGW.0305',
    'APIGW.0306',
    'APIGW.0307',
    'APIGW.0308',
    'APIGW.0310',
    'APIGW.0601',
    'APIGW.0610',
    'APIGW.0613',
    'APIGW.0802',
  ],
} as const;

const tableRows = PROVIDERS.flatMap((provider) =>
  Object.entries(PROVIDER_ERROR_CODES[provider]).map(([code, rule]) => ({ provider, code, rule })),
);

describe('the error tables', () => {
  it.each(PROVIDERS)('cover every code of the %s research tables', (provider) => {
    expect(Object.keys(PROVIDER_ERROR_CODES[provider])).toEqual(expect.arrayContaining([...RESEARCH_CODES[provider]]));
  });

  it.each(tableRows)('maps $provider $code to a listed disposition and failure type', ({ provider, code, rule }) => {
    expect(DISPOSITIONS).toContain(rule.disposition);
    expect(FAILURE_TYPES).toContain(rule.failureType);
    expect(classifyProviderError({ provider, httpStatus: rule.status ?? 400, code })).toMatchObject({
      disposition: rule.disposition,
      failureType: rule.failureType,
      basis: `code ${code}`,
    });
  });

  it('lets the code decide over the HTTP status', () => {
    expect(
      classifyProviderError({ provider: 'alibaba-gwlb', httpStatus: 500, code: 'Conflict.Server' }).disposition,
    ).toBe('permanent');
  });

  it('only uses listed dispositions and failure types in the families', () => {
    for (const f of [...LBFLOW_FAMILIES, ...PROVIDERS.flatMap((p) => definitionOf(p).errors.families)]) {
      expect(DISPOSITIONS).toContain(f.disposition);
      expect(FAILURE_TYPES).toContain(f.failureType);
    }
  });
});

describe('classifyProviderError: specific codes', () => {
  const alibaba = (code: string, httpStatus = 400) =>
    classifyProviderError({ provider: 'alibaba-gwlb', httpStatus, code });
  const huawei = (code: string, httpStatus = 400, message?: string) =>
    classifyProviderError({ provider: 'huawei-elb', httpStatus, code, message });

  it('fails a missing GWLB server group as ServerGroupNotFound', () => {
    expect(alibaba('ResourceNotFound.ServerGroup', 404)).toMatchObject({
      disposition: 'permanent',
      failureType: 'ServerGroupNotFound',
    });
  });

  it('reads the NLB casing ResourceNotFound.serverGroup the same way', () => {
    expect(alibaba('ResourceNotFound.serverGroup', 404)).toMatchObject({
      failureType: 'ServerGroupNotFound',
      basis: 'code ResourceNotFound.ServerGroup',
    });
  });

  it.each(['ResourceNotFound.Ecs', 'ResourceNotFound.Eni', 'ResourceNotFound.Eci'])(
    'fails %s as BackendNotFound',
    (code) => {
      expect(alibaba(code, 404)).toMatchObject({ disposition: 'permanent', failureType: 'BackendNotFound' });
    },
  );

  it.each(['Conflict.Server', 'ResourceInUse.IP', 'ResourceInUse.Eni', 'ResourceInUse.SomethingNew'])(
    'fails %s as BackendConflict',
    (code) => {
      expect(alibaba(code)).toMatchObject({ disposition: 'permanent', failureType: 'BackendConflict' });
    },
  );

  it.each([
    'IncorrectStatus.ServerGroup',
    'IncorrectStatus.serverGroup',
    'Conflict.Lock',
    'IdempotenceProcessing',
    'OperationFailed.ResourceIsConfiguring',
    'ResourceInUse.ServerGroup',
  ])('waits for the group on %s', (code) => {
    expect(alibaba(code)).toMatchObject({ disposition: 'wait-for-group', failureType: 'ProviderUnavailable' });
  });

  it.each([
    'Throttling',
    'Throttling.User',
    'Throttling.Api',
    'Rejected.Throttling',
    'Throttling.NewKind',
    'Foo.Throttling.Bar',
  ])('treats %s as throttling', (code) => {
    expect(alibaba(code)).toMatchObject({ disposition: 'throttled', failureType: 'ProviderUnavailable' });
  });

  it.each(['SignatureNonceUsed', 'InvalidTimeStamp.Expired'])('signs again on %s', (code) => {
    expect(alibaba(code)).toMatchObject({ disposition: 'resign', failureType: 'AuthenticationFailed' });
  });

  it.each([
    'SignatureDoesNotMatch',
    'InvalidAccessKeyId.NotFound',
    'InvalidAccessKeyId.Whatever',
    'InvalidSecurityToken.Expired',
    'Forbidden.RAM',
  ])('never retries the credential error %s', (code) => {
    expect(alibaba(code)).toMatchObject({ disposition: 'auth', failureType: 'AuthenticationFailed' });
  });

  it.each([
    ['SystemBusy', 400],
    ['InternalError', 500],
    ['ServiceUnavailable', 503],
  ])('retries %s', (code, status) => {
    expect(alibaba(code, status)).toMatchObject({ disposition: 'retryable', failureType: 'ProviderUnavailable' });
  });

  it('recognises a passed dry run', () => {
    expect(alibaba('DryRunOperation').disposition).toBe('dry-run-passed');
  });

  it.each([
    ['QuotaExceeded.SomethingNew', 'QuotaExceeded'],
    ['MissingServers', 'ProviderRejected'],
    ['InvalidServerGroupId.Malformed', 'ProviderRejected'],
    ['IllegalParam.Port', 'ProviderRejected'],
    ['Mismatch.Zone', 'ProviderRejected'],
    ['ResourceNotFound.Vpc', 'ProviderRejected'],
  ])('fails the unlisted family member %s as %s', (code, failureType) => {
    expect(alibaba(code)).toMatchObject({ disposition: 'permanent', failureType });
  });

  it('names the family that decided', () => {
    expect(alibaba('QuotaExceeded.SomethingNew').basis).toBe('family QuotaExceeded*');
  });

  it.each(['ELB.8905', 'ELB.9807', 'ELB.2001'])('fails %s as QuotaExceeded', (code) => {
    expect(huawei(code, 409)).toMatchObject({ disposition: 'permanent', failureType: 'QuotaExceeded' });
  });

  it('fails ELB.8904 naming the pool as ServerGroupNotFound', () => {
    expect(huawei('ELB.8904', 404, 'pool 04a9bc65-b75b-478d-b4d6-e693bb61dd35 could not be found.')).toMatchObject({
      disposition: 'permanent',
      failureType: 'ServerGroupNotFound',
    });
  });

  it('fails ELB.8904 naming a subnet, or naming nothing, as BackendNotFound', () => {
    expect(huawei('ELB.8904', 404, 'subnet f2d6ecf7-0000-0000-0000-000000000000 could not be found.').failureType).toBe(
      'BackendNotFound',
    );
    expect(huawei('ELB.8904', 404).failureType).toBe('BackendNotFound');
  });

  it('retries ELB.8907 a bounded number of times, then fails as BackendConflict', () => {
    expect(huawei('ELB.8907', 409)).toEqual({
      disposition: 'retryable',
      failureType: 'BackendConflict',
      maxAttempts: 3,
      basis: 'code ELB.8907',
    });
  });

  it('never retries APIGW.0301, because five failed signatures lock the AK', () => {
    expect(huawei('APIGW.0301', 401).disposition).toBe('auth');
  });

  it.each(['APIGW.0308', 'APIG.0308', 'apigw.0308'])('treats %s as throttling', (code) => {
    expect(huawei(code, 429)).toMatchObject({ disposition: 'throttled', failureType: 'ProviderUnavailable' });
  });

  it.each([
    ['APIGW.0399', 'auth'],
    ['APIG.0301', 'auth'],
    ['APIGW.0699', 'retryable'],
    ['APIG.0610', 'retryable'],
    ['ELB.8906', 'retryable'],
  ])('classifies %s as %s', (code, disposition) => {
    expect(huawei(code, 400).disposition).toBe(disposition);
  });

  it('refreshes an expired token once on APIGW.0307', () => {
    expect(huawei('APIGW.0307', 401).disposition).toBe('resign');
  });

  it('keeps the providers apart: an Alibaba code means nothing to Huawei', () => {
    expect(huawei('Throttling.User', 400)).toMatchObject({ disposition: 'permanent', basis: 'HTTP 400' });
  });
});

describe('classifyProviderError: unknown codes fall back on the HTTP status', () => {
  it.each([
    [500, 'retryable', 'ProviderUnavailable'],
    [502, 'retryable', 'ProviderUnavailable'],
    [503, 'retryable', 'ProviderUnavailable'],
    [504, 'retryable', 'ProviderUnavailable'],
    [408, 'retryable', 'ProviderUnavailable'],
    [429, 'throttled', 'ProviderUnavailable'],
    [401, 'auth', 'AuthenticationFailed'],
    [403, 'auth', 'AuthenticationFailed'],
    [404, 'permanent', 'ProviderRejected'],
    [400, 'permanent', 'ProviderRejected'],
    [409, 'permanent', 'ProviderRejected'],
    [422, 'permanent', 'ProviderRejected'],
  ])('HTTP %i → %s / %s', (httpStatus, disposition, failureType) => {
    for (const provider of PROVIDERS) {
      expect(classifyProviderError({ provider, httpStatus, code: 'Totally.Unknown' })).toEqual({
        disposition,
        failureType,
        basis: `HTTP ${httpStatus}`,
      });
    }
  });

  it('uses the status when there is no code at all', () => {
    expect(classifyProviderError({ provider: 'huawei-elb', httpStatus: 503 })).toEqual({
      disposition: 'retryable',
      failureType: 'ProviderUnavailable',
      basis: 'HTTP 503',
    });
    expect(classifyProviderError({ provider: 'alibaba-gwlb', httpStatus: 404, code: '  ' }).basis).toBe('HTTP 404');
  });
});

describe('the exported tables', () => {
  it('are plain JSON data', () => {
    expect(JSON.parse(JSON.stringify(ALIBABA_ERROR_CODES))).toEqual(ALIBABA_ERROR_CODES);
    expect(JSON.parse(JSON.stringify(HUAWEI_ERROR_CODES))).toEqual(HUAWEI_ERROR_CODES);
  });
});

describe("lbflow's own codes for failures no provider answered", () => {
  it('retries a transport failure on either provider, whatever status came with it', () => {
    for (const provider of PROVIDERS) {
      for (const httpStatus of [0, 200]) {
        expect(classifyProviderError({ provider, httpStatus, code: 'Transport.ConnectionReset' })).toMatchObject({
          disposition: 'retryable',
          failureType: 'ProviderUnavailable',
        });
      }
    }
  });

  it('never retries a request the client refused to send', () => {
    for (const provider of PROVIDERS) {
      expect(classifyProviderError({ provider, httpStatus: 0, code: 'Client.InvalidRequest' })).toMatchObject({
        disposition: 'permanent',
        failureType: 'ProviderRejected',
        basis: 'family Client.*',
      });
    }
  });
});
