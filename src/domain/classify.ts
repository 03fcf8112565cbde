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

/** A provider's error table: its documented codes, each with its rule. */
export type ErrorTable = Readonly<Record<string, ErrorCodeRule>>;

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

/** The rules a provider's error table is written with, one per disposition. */
export const errorRule = {
  rule,
  permanent: (status: number | null, failureType: FailureType, why: string) =>
    rule(status, 'permanent', failureType, why),
  auth: (status: number | null, why: string) => rule(status, 'auth', 'AuthenticationFailed', why),
  retryable: (status: number | null, why: string) => rule(status, 'retryable', 'ProviderUnavailable', why),
  throttled: (status: number | null, why: string) => rule(status, 'throttled', 'ProviderUnavailable', why),
  waitForGroup: (status: number | null, why: string) => rule(status, 'wait-for-group', 'ProviderUnavailable', why),
  resign: (status: number | null, why: string) => rule(status, 'resign', 'AuthenticationFailed', why),
} as const;

/** A code family: every code starting with `prefix` (case-insensitive) that is not in the table. */
export interface ErrorCodeFamily {
  readonly prefix: string;
  readonly disposition: Disposition;
  readonly failureType: FailureType;
  readonly why: string;
}

export const family = (
  prefix: string,
  disposition: Disposition,
  failureType: FailureType,
  why: string,
): ErrorCodeFamily => ({
  prefix,
  disposition,
  failureType,
  why,
});

/** lbflow's own codes for failures no provider answered, the same for every provider. */
export const LBFLOW_FAMILIES: readonly ErrorCodeFamily[] = [
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

/** How one provider's errors are read: its table, its families, and the few rules neither can say. */
export interface ErrorRules {
  readonly codes: ErrorTable;
  /** The provider's code families, tried after lbflow's own (LBFLOW_FAMILIES); the first match wins. */
  readonly families: readonly ErrorCodeFamily[];
  /** The code as the table spells it, when the provider has more than one spelling. */
  normalise?(code: string): string;
  /** A table hit refined by the message, when the code alone does not say enough. */
  refine?(code: string, found: ErrorCodeRule, message: string | undefined): Classification | undefined;
  /** A last rule for codes neither the table nor a family knows (before the HTTP status decides). */
  fallback?(lowerCode: string): Classification | undefined;
}

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
// Lower-cased lookup, built once per table: GWLB writes `ResourceNotFound.ServerGroup`, NLB `ResourceNotFound.serverGroup`.
const lowerIndexes = new WeakMap<ErrorTable, Map<string, [string, ErrorCodeRule]>>();
function lowerIndex(table: ErrorTable): Map<string, [string, ErrorCodeRule]> {
  let index = lowerIndexes.get(table);
  if (index === undefined) {
    index = new Map(Object.entries(table).map(([code, r]) => [code.toLowerCase(), [code, r]]));
    lowerIndexes.set(table, index);
  }
  return index;
}

function fromRule(rules: ErrorRules, code: string, r: ErrorCodeRule, message: string | undefined): Classification {
  const refined = rules.refine?.(code, r, message);
  if (refined !== undefined) return refined;
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

/** Classifies one provider error by that provider's rules: exact code, then code family, then HTTP status. */
export function classifyError(
  rules: ErrorRules,
  { httpStatus, code, message }: Omit<ProviderErrorInput, 'provider'>,
): Classification {
  const trimmed = code?.trim() ?? '';
  if (trimmed !== '') {
    const lower = (rules.normalise?.(trimmed) ?? trimmed).toLowerCase();
    const hit = lowerIndex(rules.codes).get(lower);
    if (hit !== undefined) return fromRule(rules, hit[0], hit[1], message);
    for (const f of [...LBFLOW_FAMILIES, ...rules.families]) {
      if (lower.startsWith(f.prefix.toLowerCase()))
        return { disposition: f.disposition, failureType: f.failureType, basis: `family ${f.prefix}*` };
    }
    const last = rules.fallback?.(lower);
    if (last !== undefined) return last;
  }
  return byStatus(httpStatus);
}
