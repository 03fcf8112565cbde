// The one place that turns a provider error (status, code, message) into what to do next and which failure it becomes.
import type { FailureType } from './failures.js';
import type { Provider } from './provider.js';

/** What the caller does with an error; each value is one retry behaviour. */
export const DISPOSITIONS = [
  /** Transient: retry with backoff (same ClientToken). */
  'retryable',
  /** The group is busy changing: wait until it is Available, then retry with the same ClientToken. */
  'wait-for-group',
  /** Retrying cannot help: fail with `failureType`. */
  'permanent',
  /** Credentials, signature or permission: never retried (five failed Huawei AK/SK attempts lock the key for 5 minutes). */
  'auth',
  /** Rate limited: retry after a pause. */
  'throttled',
  /** Signature stale (nonce reused, clock skew, token expired): sign again with fresh date/nonce and retry once. */
  'resign',
  /** A DryRun request passed every provider check (GWLB answers DryRunOperation as an error). */
  'dry-run-passed',
] as const;

export type Disposition = (typeof DISPOSITIONS)[number];

/** One row of a provider's error table. */
export interface ErrorCodeRule {
  /** HTTP status the provider documents for the code, or null when the sources do not say. */
  readonly status: number | null;
  readonly disposition: Disposition;
  /** The failure to raise when the disposition ends the run (or its retries run out). */
  readonly failureType: FailureType;
  /** Upper bound on attempts where the research says "retry a bounded number of times". */
  readonly maxAttempts?: number;
  /** Why, with the research section it comes from. */
  readonly why: string;
}

type Table = Readonly<Record<string, ErrorCodeRule>>;

const rule = (
  status: number | null,
  disposition: Disposition,
  failureType: FailureType,
  why: string,
  maxAttempts?: number,
): ErrorCodeRule =>
  maxAttempts === undefined
    ? { status, disposition, failureType, why }
    : { status, disposition, failureType, why, maxAttempts };

const permanent = (status: number | null, failureType: FailureType, why: string) =>
  rule(status, 'permanent', failureType, why);
const auth = (status: number | null, why: string) => rule(status, 'auth', 'AuthenticationFailed', why);
const retryable = (status: number | null, why: string) => rule(status, 'retryable', 'ProviderUnavailable', why);
const throttled = (status: number | null, why: string) => rule(status, 'throttled', 'ProviderUnavailable', why);
const waitForGroup = (status: number | null, why: string) => rule(status, 'wait-for-group', 'ProviderUnavailable', why);
const resign = (status: number | null, why: string) => rule(status, 'resign', 'AuthenticationFailed', why);

/** Alibaba GWLB codes: AddServersToServerGroup (alibaba-gwlb.md §3.1), sibling-LB and Remove codes (§3.2, §3.3), gateway codes (§3.4), classes (§3.6). */
export const ALIBABA_ERROR_CODES: Table = {
  // §3.1 AddServersToServerGroup (seed)
  'Conflict.Server': permanent(
    400,
    'BackendConflict',
    '§3.1 a server with the same configuration is already in the group; an add-if-missing caller confirms with a list',
  ),
  'Mismatch.ServerType': permanent(
    400,
    'ProviderRejected',
    '§3.1 server type does not fit the group type (Ip vs Instance)',
  ),
  'ResourceInUse.IP': permanent(400, 'BackendConflict', '§3.1 the IP is already in use'),
  'IllegalParam.ServerIp': permanent(400, 'ProviderRejected', '§3.1 bad ServerIp'),
  'IllegalParam.EcsNetworkType': permanent(400, 'ProviderRejected', '§3.1 the ECS network type is not supported'),
  'DuplicatedParam.Server': permanent(
    400,
    'ProviderRejected',
    '§3.1 duplicate server inside one call (dedupe should prevent it)',
  ),
  'ResourceInUse.Eni': permanent(400, 'BackendConflict', '§3.1 the ENI belongs to a GWLB instance'),
  'IncorrectStatus.Eni': permanent(
    400,
    'ProviderRejected',
    '§3.6 may clear when the ENI settles; permanent by default',
  ),
  'IllegalParam.IP': permanent(400, 'ProviderRejected', '§3.1 bad IP'),
  'Mismatch.IP': permanent(400, 'ProviderRejected', '§3.1 Ip-type ServerId and ServerIp differ'),
  'Mismatch.VpcId': permanent(400, 'ProviderRejected', '§3.1 backend and group are in different VPCs'),
  'QuotaExceeded.ServerGroupServersNum': permanent(400, 'QuotaExceeded', '§3.1/§6 servers per group (default 300)'),
  'QuotaExceeded.ServerGroupAzServersNum': permanent(
    400,
    'QuotaExceeded',
    '§3.1/§6 servers per group per zone (default 100)',
  ),
  'IncorrectStatus.ServerGroup': waitForGroup(400, '§3.6 group is Creating/Configuring; TF retries it'),
  'ResourceNotFound.Eni': permanent(404, 'BackendNotFound', '§3.1'),
  'ResourceNotFound.Eci': permanent(404, 'BackendNotFound', '§3.1'),
  'ResourceNotFound.ServerGroup': permanent(404, 'ServerGroupNotFound', '§3.1'),
  'ResourceNotFound.Ecs': permanent(404, 'BackendNotFound', '§3.1'),
  // §3.2 Remove (NLB analogue)
  'ResourceNotFound.BackendServer': permanent(404, 'BackendNotFound', '§3.2 removing a server that is not a member'),
  'Forbidden.NoPermission': auth(403, '§3.2/§3.3 RAM denies the action'),
  IdempotenceSignatureMismatch: permanent(
    400,
    'ProviderRejected',
    '§3.3/§4 same ClientToken, different parameters: a token-scheme bug',
  ),
  // §3.3 sibling LB products
  SystemBusy: retryable(400, '§3.3/§3.6 transient'),
  'Conflict.Lock': waitForGroup(400, '§3.3/§3.6 another change holds the lock'),
  'Throttling.User': throttled(400, '§3.3/§3.4 user flow control'),
  DryRunOperation: rule(
    400,
    'dry-run-passed',
    'ProviderRejected',
    '§4 a passed dry run; ProviderRejected only if the run did not ask for a dry run',
  ),
  'ResourceInUse.ServerGroup': waitForGroup(400, '§3.6 state-dependent'),
  'OperationFailed.ResourceIsConfiguring': waitForGroup(null, '§3.3/§3.6 NLB code, retried by TF'),
  IdempotenceProcessing: waitForGroup(null, '§3.3/§4 the same token is still being processed'),
  // §3.4 gateway (common) codes
  MissingServerGroupId: permanent(400, 'ProviderRejected', '§3.4 Missing{Parameter}'),
  InvalidParameter: permanent(400, 'ProviderRejected', '§3.4 Invalid{Parameter}'),
  'InvalidParameter.Format': permanent(400, 'ProviderRejected', '§3.4'),
  'InvalidAccessKeyId.NotFound': auth(404, '§3.4 (sources disagree: 404 or 400)'),
  'InvalidAccessKeyId.Inactive': auth(400, '§3.4 key disabled'),
  'InvalidTimeStamp.Format': auth(400, '§3.4 a signing bug: retrying sends the same bad date'),
  'InvalidTimeStamp.Expired': resign(400, '§3.6 more than 15 minutes of skew: sign again'),
  SignatureNonceUsed: resign(400, '§3.6 sign again with a new nonce'),
  SignatureDoesNotMatch: auth(400, '§3.4/§3.6'),
  InvalidSignatureMethod: auth(400, '§3.4'),
  UnsupportedHTTPMethod: permanent(400, 'ProviderRejected', '§3.4 a client bug'),
  'Throttling.Api': throttled(400, '§3.4 API flow control'),
  'InvalidApi.NotFound': permanent(404, 'ProviderRejected', '§3.4 wrong action, version or endpoint'),
  'InvalidAction.NotFound': permanent(404, 'ProviderRejected', '§3.4 variant of InvalidApi.NotFound'),
  'InvalidProduct.NotFound': permanent(404, 'ProviderRejected', '§3.4 wrong endpoint host'),
  InternalError: retryable(500, '§3.4/§3.6 retry'),
  ServiceUnavailable: retryable(503, '§3.4/§3.6 retry'),
  // §3.6 transient/permanent classes
  Throttling: throttled(400, '§3.6'),
  'Rejected.Throttling': throttled(null, '§3.6 TF NeedRetry'),
  IdempotentParameterMismatch: permanent(
    400,
    'ProviderRejected',
    '§3.6/§4 ECS/VPC spelling of IdempotenceSignatureMismatch',
  ),
};

/** Huawei ELB v3 codes: ELB (huawei-elb.md §3.2), API gateway (§3.3), classes (§3.4). `APIG.` codes are read as `APIGW.`. */
export const HUAWEI_ERROR_CODES: Table = {
  // §3.2 ELB codes
  'ELB.0002': permanent(400, 'ProviderRejected', '§3.2 empty body'),
  'ELB.1001': permanent(400, 'ProviderRejected', '§3.2/§3.4 invalid parameters'),
  'ELB.2002': permanent(400, 'ProviderRejected', '§3.2 invalid remove parameters'),
  'ELB.2003': permanent(400, 'ProviderRejected', '§3.2 querying the member failed (400: not documented as transient)'),
  'ELB.2012': permanent(400, 'BackendNotFound', '§3.2 the member does not exist'),
  'ELB.2021': permanent(400, 'ProviderRejected', '§3.2 member IP is null'),
  'ELB.8902': permanent(400, 'ProviderRejected', '§3.2/§3.4 the main v3 validation code (also unknown attributes)'),
  'ELB.8931': permanent(400, 'ProviderRejected', '§3.2 IPv6/subnet version mismatch'),
  'ELB.8932': permanent(400, 'ProviderRejected', '§3.2 IPv6/subnet version mismatch'),
  'ELB.8933': permanent(400, 'ProviderRejected', '§3.2/§3.4 IPv6 backend on an IPv4-only subnet'),
  'ELB.8938': permanent(400, 'ProviderRejected', '§3.2/§3.4 IP members need a UDP/TCP/TLS/HTTP/HTTPS/QUIC/GRPC pool'),
  'ELB.8939': permanent(400, 'ProviderRejected', '§3.2/§3.4 IP members need ip_target_enable on the load balancer'),
  'ELB.9807': permanent(400, 'QuotaExceeded', '§3.2/§3.4 quota exceeded'),
  'ELB.9899': permanent(400, 'ProviderRejected', '§3.2/§3.4 invalid parameter'),
  'ELB.1202': permanent(400, 'ProviderRejected', '§3.2 enterprise_project_id cannot be empty'),
  'ELB.1103': auth(401, '§3.2 token invalid'),
  'ELB.1104': auth(401, '§3.2 token invalid'),
  'ELB.1105': auth(401, '§3.2 token invalid'),
  'ELB.1102': auth(403, '§3.2 invalid token'),
  'ELB.2001': permanent(403, 'QuotaExceeded', '§3.2/§3.4 member limit (older code)'),
  'ELB.8903': auth(403, '§3.2/§3.4 ambiguous: URI missing or insufficient permissions; treated as permissions'),
  'ELB.8962': permanent(403, 'ProviderRejected', '§3.2 feature not supported'),
  'ELB.9802': auth(403, '§3.2/§3.4 fine-grained IAM denial'),
  'ELB.9803': auth(403, '§3.2/§3.4 fine-grained IAM denial'),
  'ELB.9804': auth(403, '§3.2/§3.4 fine-grained IAM denial'),
  'ELB.1002': permanent(404, 'ServerGroupNotFound', "§3.2 the pool's load balancer is not found"),
  'ELB.8904': permanent(
    404,
    'BackendNotFound',
    '§3.2 "%s %s could not be found": ServerGroupNotFound when the message names the pool or load balancer, else a backend (subnet, member)',
  ),
  'ELB.8905': permanent(409, 'QuotaExceeded', '§3.2/§3.4 quota used up'),
  'ELB.8907': rule(
    409,
    'retryable',
    'BackendConflict',
    '§3.4 "data conflict": in-progress state or an address already in use cannot be told apart by code; retry a bounded number of times, re-listing the pool first',
    3,
  ),
  'ELB.8906': retryable(500, '§3.2/§3.4 internal server error'),
  'ELB.9903': permanent(null, 'BackendNotFound', '§3.2 batch ret_code for "not found"'),
  'SYS.0401': auth(401, '§3.2 authentication required'),
  'SYS.0403': auth(403, '§3.2 authentication required'),
  // §3.3 API gateway codes
  'APIGW.0101': permanent(404, 'ProviderRejected', '§3.3 wrong host, path or method'),
  'APIGW.0201': permanent(400, 'ProviderRejected', '§3.3 request error or body over 12 MB'),
  'APIGW.0301': auth(401, '§3.4 bad signature or token; never retried: 5 failures lock the AK for 5 minutes'),
  'APIGW.0302': auth(403, '§3.3 IAM user not authorized'),
  'APIGW.0303': auth(401, '§3.3 incorrect app authentication'),
  'APIGW.0304': auth(403, '§3.3 app not authorized'),
  'APIGW.0305': auth(401, '§3.3 incorrect authentication information'),
  'APIGW.0306': auth(403, '§3.3 API access denied'),
  'APIGW.0307': resign(401, '§3.4 the token must be updated: refresh, retry once'),
  'APIGW.0308': throttled(429, '§3.4 throttling threshold reached'),
  'APIGW.0310': permanent(
    403,
    'ProviderRejected',
    '§3.3 the project is unavailable (an account state, not a credential error)',
  ),
  'APIGW.0601': retryable(500, '§3.4 gateway internal error'),
  'APIGW.0610': retryable(502, '§3.4 no backend available'),
  'APIGW.0613': retryable(503, '§3.4 IAM unavailable'),
  'APIGW.0802': auth(403, '§3.3 IAM user forbidden in this region'),
};

/** Per-provider tables, keyed by provider, for iteration in tests and simulators. */
export const PROVIDER_ERROR_CODES: Readonly<Record<Provider, Table>> = {
  'alibaba-gwlb': ALIBABA_ERROR_CODES,
  'huawei-elb': HUAWEI_ERROR_CODES,
};

/** A code family: every code starting with `prefix` (case-insensitive) that is not in the table. */
export interface ErrorCodeFamily {
  readonly prefix: string;
  readonly disposition: Disposition;
  readonly failureType: FailureType;
  readonly why: string;
}

const family = (prefix: string, disposition: Disposition, failureType: FailureType, why: string): ErrorCodeFamily => ({
  prefix,
  disposition,
  failureType,
  why,
});

/** lbflow's own codes for failures no provider answered, the same for every provider. */
const LBFLOW_FAMILIES: readonly ErrorCodeFamily[] = [
  family(
    'Transport.',
    'retryable',
    'ProviderUnavailable',
    'no usable answer arrived (reset, refused, timeout): the same request may succeed',
  ),
  family(
    'Client.NoCredentials',
    'auth',
    'AuthenticationFailed',
    'the worker has no credentials for this provider: nothing was sent',
  ),
  family(
    'Client.ProjectMismatch',
    'auth',
    'AuthenticationFailed',
    "the request's project is not the one the worker's credentials are for: nothing was sent",
  ),
  family(
    'Client.CredentialsUnavailable',
    'retryable',
    'ProviderUnavailable',
    'the credential source (metadata service, STS) gave no keys: nothing was sent; a later attempt may get them',
  ),
  family(
    'Client.',
    'permanent',
    'ProviderRejected',
    'the client refused to send a request that breaks an API limit: a bug in the caller',
  ),
];

/** Ordered families for codes not in the tables; the first match wins, so specific prefixes come before `Invalid`. */
export const PROVIDER_ERROR_FAMILIES: Readonly<Record<Provider, readonly ErrorCodeFamily[]>> = {
  'alibaba-gwlb': [
    ...LBFLOW_FAMILIES,
    family('Throttling', 'throttled', 'ProviderUnavailable', '§3.6 anything matching Throttling'),
    family('InvalidAccessKeyId', 'auth', 'AuthenticationFailed', '§3.4 key errors'),
    family(
      'InvalidSecurityToken',
      'auth',
      'AuthenticationFailed',
      'STS token errors: a client with renewing credentials fetches new ones and signs once more before this escapes',
    ),
    family('Signature', 'auth', 'AuthenticationFailed', '§3.4 signature errors'),
    family('Forbidden', 'auth', 'AuthenticationFailed', '§3.6 Forbidden.*'),
    family('QuotaExceeded', 'permanent', 'QuotaExceeded', '§3.6 QuotaExceeded.*'),
    family(
      'ResourceNotFound',
      'permanent',
      'ProviderRejected',
      '§3.6; unlisted resources are not known to be backends',
    ),
    family('ResourceInUse', 'permanent', 'BackendConflict', '§3.6 ResourceInUse.*'),
    family('IncorrectStatus', 'permanent', 'ProviderRejected', '§3.6 like IncorrectStatus.Eni'),
    family('Mismatch', 'permanent', 'ProviderRejected', '§3.6 Mismatch.*'),
    family('IllegalParam', 'permanent', 'ProviderRejected', '§3.6 IllegalParam.*'),
    family('DuplicatedParam', 'permanent', 'ProviderRejected', '§3.6'),
    family('Missing', 'permanent', 'ProviderRejected', '§3.4 Missing{Parameter}'),
    family('Invalid', 'permanent', 'ProviderRejected', '§3.4 Invalid{Parameter}'),
  ],
  'huawei-elb': [
    ...LBFLOW_FAMILIES,
    family(
      'APIGW.03',
      'auth',
      'AuthenticationFailed',
      '§3.3 the 03xx gateway codes are authentication and authorization',
    ),
    family('APIGW.06', 'retryable', 'ProviderUnavailable', '§3.4 the 06xx gateway codes are gateway-side faults'),
  ],
};

/** An error as the provider client sees it. */
export interface ProviderErrorInput {
  readonly provider: Provider;
  readonly httpStatus: number;
  readonly code?: string | undefined;
  readonly message?: string | undefined;
}

export interface Classification {
  readonly disposition: Disposition;
  readonly failureType: FailureType;
  readonly maxAttempts?: number;
  /** Which rule decided: `code X`, `family X*`, `contains Throttling` or `HTTP n`, for logs and tests. */
  readonly basis: string;
}

// Lower-cased lookup: GWLB writes `ResourceNotFound.ServerGroup`, NLB `ResourceNotFound.serverGroup`.
const lowerIndex: Record<Provider, Map<string, [string, ErrorCodeRule]>> = {
  'alibaba-gwlb': new Map(Object.entries(ALIBABA_ERROR_CODES).map(([code, r]) => [code.toLowerCase(), [code, r]])),
  'huawei-elb': new Map(Object.entries(HUAWEI_ERROR_CODES).map(([code, r]) => [code.toLowerCase(), [code, r]])),
};

function fromRule(code: string, r: ErrorCodeRule, message: string | undefined): Classification {
  // ELB.8904 names the missing thing only in its message ("pool <id> could not be found").
  if (code === 'ELB.8904' && message !== undefined && /\b(pool|load ?balancer)\b/i.test(message)) {
    return {
      disposition: r.disposition,
      failureType: 'ServerGroupNotFound',
      basis: `code ${code} (message names the pool)`,
    };
  }
  const base = { disposition: r.disposition, failureType: r.failureType, basis: `code ${code}` };
  return r.maxAttempts === undefined ? base : { ...base, maxAttempts: r.maxAttempts };
}

/** By HTTP status alone, for codes no table or family knows. */
function byStatus(httpStatus: number): Classification {
  const basis = `HTTP ${httpStatus}`;
  if (httpStatus >= 500) return { disposition: 'retryable', failureType: 'ProviderUnavailable', basis };
  if (httpStatus === 429) return { disposition: 'throttled', failureType: 'ProviderUnavailable', basis };
  // 408: the server timed out waiting for the request; the same request may succeed.
  if (httpStatus === 408) return { disposition: 'retryable', failureType: 'ProviderUnavailable', basis };
  if (httpStatus === 401 || httpStatus === 403)
    return { disposition: 'auth', failureType: 'AuthenticationFailed', basis };
  return { disposition: 'permanent', failureType: 'ProviderRejected', basis };
}

/** Classifies one provider error: exact code, then code family, then HTTP status. */
export function classifyProviderError({ provider, httpStatus, code, message }: ProviderErrorInput): Classification {
  const trimmed = code?.trim() ?? '';
  if (trimmed !== '') {
    // Older Huawei docs and OTC spell the gateway prefix APIG.
    const normalised = provider === 'huawei-elb' ? trimmed.replace(/^APIG\./i, 'APIGW.') : trimmed;
    const lower = normalised.toLowerCase();
    const hit = lowerIndex[provider].get(lower);
    if (hit !== undefined) return fromRule(hit[0], hit[1], message);
    for (const f of PROVIDER_ERROR_FAMILIES[provider]) {
      if (lower.startsWith(f.prefix.toLowerCase()))
        return { disposition: f.disposition, failureType: f.failureType, basis: `family ${f.prefix}*` };
    }
    // Alibaba's own SDKs and TF treat any code mentioning Throttling as throttling.
    if (provider === 'alibaba-gwlb' && lower.includes('throttling')) {
      return { disposition: 'throttled', failureType: 'ProviderUnavailable', basis: 'contains Throttling' };
    }
  }
  return byStatus(httpStatus);
}
