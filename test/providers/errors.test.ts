// ProviderError, transport failure mapping, credential redaction and the factory, without any network.
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { alibabaRetryAfterMs } from '../../src/providers/alibaba/response.js';
import { ProviderError, transportError } from '../../src/providers/errors.js';
import { huaweiRetryAfterMs } from '../../src/providers/huawei/response.js';
import {
  AlibabaGwlbProvider,
  HuaweiElbProvider,
  alibabaEndpoint,
  createProvider,
  huaweiEndpoint,
  type ProviderConfig,
} from '../../src/providers/index.js';
import { guardSecrets } from '../../src/providers/secrets.js';
import { describeTransportFailure } from '../../src/providers/transport.js';

describe('ProviderError', () => {
  const e = new ProviderError({
    provider: 'huawei-elb',
    action: 'ShowPool',
    httpStatus: 404,
    code: 'ELB.8904',
    providerMessage: 'pool p-1 could not be found.',
    requestId: 'req-1',
  });

  it('is an Error named ProviderError whose message names provider, action, code, status and request id', () => {
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('ProviderError');
    expect(e.message).toBe(
      'huawei-elb ShowPool failed: ELB.8904 [HTTP 404]: pool p-1 could not be found. (request req-1)',
    );
  });

  it('takes its disposition and failure type from the domain table (ELB.8904 naming the pool is ServerGroupNotFound)', () => {
    expect([e.disposition, e.failureType, e.basis]).toEqual([
      'permanent',
      'ServerGroupNotFound',
      'code ELB.8904 (message names the pool)',
    ]);
  });

  it('serialises to plain fields for logs and failure details', () => {
    expect(JSON.parse(JSON.stringify(e))).toEqual({
      name: 'ProviderError',
      provider: 'huawei-elb',
      action: 'ShowPool',
      httpStatus: 404,
      code: 'ELB.8904',
      message: 'pool p-1 could not be found.',
      requestId: 'req-1',
      disposition: 'permanent',
      failureType: 'ServerGroupNotFound',
      basis: 'code ELB.8904 (message names the pool)',
    });
  });

  it('classifies transport failures as retryable ProviderUnavailable, keeping the cause', () => {
    const cause = new Error('socket hang up');
    const t = transportError('alibaba-gwlb', 'ListServerGroups', 'Transport.ConnectionReset', 'reset', cause);
    expect([t.disposition, t.failureType, t.basis, t.httpStatus, t.cause]).toEqual([
      'retryable',
      'ProviderUnavailable',
      'family Transport.*',
      0,
      cause,
    ]);
    expect(t.message).toContain('[no HTTP answer]');
  });
});

describe('transport failures in Transport.* terms', () => {
  const code = (error: unknown) => describeTransportFailure(error).code;
  const withCode = (c: string, cause?: unknown) => Object.assign(new Error(c), { code: c, cause });

  it.each([
    ['ECONNREFUSED', 'Transport.ConnectionRefused'],
    ['ECONNRESET', 'Transport.ConnectionReset'],
    ['UND_ERR_SOCKET', 'Transport.ConnectionReset'],
    ['UND_ERR_CONNECT_TIMEOUT', 'Transport.Timeout'],
    ['UND_ERR_HEADERS_TIMEOUT', 'Transport.Timeout'],
    ['UND_ERR_BODY_TIMEOUT', 'Transport.Timeout'],
    ['ENOTFOUND', 'Transport.DnsFailure'],
    ['UND_ERR_RES_EXCEEDED_MAX_SIZE', 'Transport.MalformedResponse'],
    ['EWHATEVER', 'Transport.Error'],
  ])('maps %s to %s', (errorCode, expected) => {
    expect(code(withCode(errorCode))).toBe(expected);
  });

  it('finds the system error code in the cause chain', () => {
    expect(code(withCode('UND_ERR_WRAPPED', withCode('ECONNREFUSED')))).toBe('Transport.ConnectionRefused');
  });
});

describe('retry-after', () => {
  it('reads x-acs-retry-after as a positive integer of milliseconds, ignoring anything else', () => {
    expect(alibabaRetryAfterMs({ 'x-acs-retry-after': '2500' })).toBe(2500);
    expect(alibabaRetryAfterMs({ 'x-acs-retry-after': '0' })).toBeUndefined();
    expect(alibabaRetryAfterMs({ 'x-acs-retry-after': 'soon' })).toBeUndefined();
    expect(alibabaRetryAfterMs({})).toBeUndefined();
  });

  it('reads Retry-After as seconds or an HTTP date, and gives a bare 429 the documented 2 s', () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(huaweiRetryAfterMs(429, { 'retry-after': '5' }, now)).toBe(5000);
    expect(huaweiRetryAfterMs(503, { 'retry-after': 'Wed, 01 Jan 2025 00:00:07 GMT' }, now)).toBe(7000);
    expect(huaweiRetryAfterMs(429, {}, now)).toBe(2000);
    expect(huaweiRetryAfterMs(500, {}, now)).toBeUndefined();
  });
});

describe('credentials never leak', () => {
  const creds = guardSecrets(
    'AlibabaCredentials',
    { accessKeyId: 'LTAIid', accessKeySecret: 'top-secret', securityToken: 'sts-token' },
    ['accessKeySecret', 'securityToken'],
  );

  it('keeps the secret readable for the signer', () => {
    expect(creds.accessKeySecret).toBe('top-secret');
    expect(creds.securityToken).toBe('sts-token');
  });

  it('redacts the secret in JSON, util.inspect (even showHidden), String, spread, Object.keys and structuredClone', () => {
    const views = [
      JSON.stringify(creds),
      inspect(creds),
      inspect(creds, { showHidden: true, depth: 5 }),
      String(creds),
      JSON.stringify({ ...creds }),
      Object.keys(creds).join(),
      JSON.stringify(structuredClone(creds)),
    ];
    for (const view of views) {
      expect(view).not.toContain('top-secret');
      expect(view).not.toContain('sts-token');
    }
    expect(JSON.parse(JSON.stringify(creds))).toEqual({
      accessKeyId: 'LTAIid',
      accessKeySecret: '[redacted]',
      securityToken: '[redacted]',
    });
  });

  it('cannot be changed after construction', () => {
    expect(() => {
      (creds as { accessKeySecret: string }).accessKeySecret = 'other';
    }).toThrow(TypeError);
  });
});

describe('createProvider', () => {
  const alibaba = { provider: 'alibaba-gwlb', credentials: { accessKeyId: 'id', accessKeySecret: 's' } } as const;
  const huawei = { provider: 'huawei-elb', credentials: { accessKey: 'ak', secretKey: 'sk' } } as const;

  it('builds the client of the provider named in the config', async () => {
    const a = createProvider(alibaba);
    const h = createProvider(huawei);
    expect(a).toBeInstanceOf(AlibabaGwlbProvider);
    expect(h).toBeInstanceOf(HuaweiElbProvider);
    expect([a.provider, h.provider]).toEqual(['alibaba-gwlb', 'huawei-elb']);
    await Promise.all([a.close(), h.close()]);
  });

  it('refuses an unknown provider, empty credentials, a bad page size and an endpoint override with a path', () => {
    expect(() => createProvider({ provider: 'aws-gwlb' } as unknown as ProviderConfig)).toThrow(
      /unknown provider "aws-gwlb"/,
    );
    expect(() => createProvider({ ...alibaba, credentials: { accessKeyId: 'id', accessKeySecret: '' } })).toThrow(
      TypeError,
    );
    expect(() => createProvider({ ...huawei, credentials: { authToken: '' } })).toThrow(TypeError);
    expect(() => createProvider({ ...alibaba, pageSize: 1001 })).toThrow(RangeError);
    expect(() => createProvider({ ...huawei, pageSize: 0 })).toThrow(RangeError);
    expect(() => createProvider({ ...alibaba, endpoint: 'http://127.0.0.1:7480/api' })).toThrow(/no path/);
    expect(() => createProvider({ ...huawei, endpoint: 'ftp://x' })).toThrow(/no path/);
  });

  it('uses the regional endpoints unless overridden', () => {
    expect(alibabaEndpoint('cn-hangzhou')).toBe('https://gwlb.cn-hangzhou.aliyuncs.com');
    expect(huaweiEndpoint('cn-north-4')).toBe('https://elb.cn-north-4.myhuaweicloud.com');
    expect(JSON.stringify(createProvider(alibaba))).toBe(
      '{"provider":"alibaba-gwlb","accessKeyId":"id","endpoint":"per region"}',
    );
  });
});
