// Alibaba GWLB's error codes, each with what lbflow does with it (research/alibaba-gwlb.md §3).
import { errorRule, family, type ErrorCodeFamily, type ErrorCodeRule, type ErrorRules } from '../../../domain/index.js';

const { rule, permanent, auth, retryable, throttled, waitForGroup, resign } = errorRule;

/** Alibaba GWLB codes: AddServersToServerGroup (alibaba-gwlb.md §3.1), sibling-LB and Remove codes (§3.2, §3.3), gateway codes (§3.4), classes (§3.6). */
export const ALIBABA_ERROR_CODES: Readonly<Record<string, ErrorCodeRule>> = {
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

/** Code families for codes not in the table, after lbflow's own; the first match wins, so specific prefixes come before `Invalid`. */
const ALIBABA_ERROR_FAMILIES: readonly ErrorCodeFamily[] = [
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
  family('ResourceNotFound', 'permanent', 'ProviderRejected', '§3.6; unlisted resources are not known to be backends'),
  family('ResourceInUse', 'permanent', 'BackendConflict', '§3.6 ResourceInUse.*'),
  family('IncorrectStatus', 'permanent', 'ProviderRejected', '§3.6 like IncorrectStatus.Eni'),
  family('Mismatch', 'permanent', 'ProviderRejected', '§3.6 Mismatch.*'),
  family('IllegalParam', 'permanent', 'ProviderRejected', '§3.6 IllegalParam.*'),
  family('DuplicatedParam', 'permanent', 'ProviderRejected', '§3.6'),
  family('Missing', 'permanent', 'ProviderRejected', '§3.4 Missing{Parameter}'),
  family('Invalid', 'permanent', 'ProviderRejected', '§3.4 Invalid{Parameter}'),
];

export const alibabaErrors: ErrorRules = {
  codes: ALIBABA_ERROR_CODES,
  families: ALIBABA_ERROR_FAMILIES,
  // Alibaba's own SDKs and TF treat any code mentioning Throttling as throttling.
  fallback: (lowerCode) =>
    lowerCode.includes('throttling')
      ? { disposition: 'throttled', failureType: 'ProviderUnavailable', basis: 'contains Throttling' }
      : undefined,
};
