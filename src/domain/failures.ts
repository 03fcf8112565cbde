// The closed list of failure types: used as ApplicationFailure.type, so callers can branch on a name that never drifts.

/** Every way an AddServers run can fail, as a closed tuple. */
export const FAILURE_TYPES = [
  'ValidationError',
  'ServerGroupNotFound',
  'BackendNotFound',
  'BackendConflict',
  'QuotaExceeded',
  'AuthenticationFailed',
  'ProviderRejected',
  'ProviderUnavailable',
  'AvailabilityTimeout',
] as const;

export type FailureType = (typeof FAILURE_TYPES)[number];

/** One line per failure type, telling the caller what happened and what to do. */
export const FAILURE_DESCRIPTIONS: Readonly<Record<FailureType, string>> = {
  ValidationError:
    'The request broke a rule of the request schema; nothing was sent to the provider. Fix the listed fields.',
  ServerGroupNotFound: 'The server group (Alibaba) or pool (Huawei) does not exist in that region and account.',
  BackendNotFound: 'A backend the request names (instance, ENI, ECI, subnet or member) does not exist.',
  BackendConflict:
    'A backend is already registered or its address is already in use, with a configuration that conflicts with the request.',
  QuotaExceeded:
    'Adding the servers would exceed a provider quota (servers per group, per zone, or per account); raise the quota or add fewer.',
  AuthenticationFailed:
    "The provider rejected the worker's credentials, signature or permissions; fix the worker's credentials (not retried).",
  ProviderRejected:
    'The provider refused the request for a reason that retrying will not fix; its code and message say why.',
  ProviderUnavailable:
    'The provider stayed unavailable, throttled or busy (or the group stayed locked) through every retry.',
  AvailabilityTimeout:
    'The servers were added but did not all become available before availabilityTimeoutSeconds; the failure names the stragglers.',
};

/** Narrows an unknown name (e.g. a failure's `type` read back by a client) to a catalogue entry. */
export function isFailureType(value: unknown): value is FailureType {
  return typeof value === 'string' && (FAILURE_TYPES as readonly string[]).includes(value);
}
