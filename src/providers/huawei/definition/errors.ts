// Huawei ELB v3's error codes, each with what lbflow does with it (research/huawei-elb.md §3).
import { errorRule, family, type ErrorCodeFamily, type ErrorCodeRule, type ErrorRules } from '../../../domain/index.js';

const { rule, permanent, auth, retryable, throttled, resign } = errorRule;

/** Huawei ELB v3 codes: ELB (huawei-elb.md §3.2), API gateway (§3.3), classes (§3.4). `APIG.` codes are read as `APIGW.`. */
export const HUAWEI_ERROR_CODES: Readonly<Record<string, ErrorCodeRule>> = {
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

/** Code families for codes not in the table, after lbflow's own; the first match wins. */
const HUAWEI_ERROR_FAMILIES: readonly ErrorCodeFamily[] = [
  family(
    'APIGW.03',
    'auth',
    'AuthenticationFailed',
    '§3.3 the 03xx gateway codes are authentication and authorization',
  ),
  family('APIGW.06', 'retryable', 'ProviderUnavailable', '§3.4 the 06xx gateway codes are gateway-side faults'),
];

export const huaweiErrors: ErrorRules = {
  codes: HUAWEI_ERROR_CODES,
  families: HUAWEI_ERROR_FAMILIES,
  // Older Huawei docs and OTC spell the gateway prefix APIG.
  normalise: (code) => code.replace(/^APIG\./i, 'APIGW.'),
  refine: (code, found, message) =>
    // ELB.8904 names the missing thing only in its message ("pool <id> could not be found").
    code === 'ELB.8904' && message !== undefined && /\b(pool|load ?balancer)\b/i.test(message)
      ? {
          disposition: found.disposition,
          failureType: 'ServerGroupNotFound',
          basis: `code ${code} (message names the pool)`,
        }
      : undefined,
};
