// Where a client's keys come from: a fixed key pair, or a source that fetches temporary keys (a role, an instance's
// metadata service, an STS exchange) and renews them before they expire. The clients ask the source before every
// signed call, so a renewal is picked up by the next call; when the provider refuses keys as expired anyway (a
// clock ahead, keys revoked early), the client asks for a fresh set once and signs the call again.
import { ProviderError } from './errors.js';
import { guardSecrets, secretMasker } from './secrets.js';
import type { Provider } from '../domain/index.js';

/** The code of a call whose credentials could not be fetched (classified ProviderUnavailable, retried). */
export const CREDENTIALS_UNAVAILABLE = 'Client.CredentialsUnavailable';

export interface CredentialSource<C> {
  /** Which source this is, for the worker's configuration log: `environment`, `ecs_ram_role`, … (never a value). */
  readonly name: string;
  /** True when `refresh` can bring other keys (temporary credentials); false for a fixed key pair. */
  readonly refreshable: boolean;
  /** The keys for the next call: cached, renewed by the source before they expire. */
  get(): Promise<C>;
  /** New keys now, whatever the cache holds: the provider refused the current ones as expired. */
  refresh(): Promise<C>;
  /** The secret values (secret keys, security tokens) of the keys handed out last, for masking logs; never logged. */
  held(): readonly string[];
}

/** The secret values of one set of keys: every string field but the key's id. */
export function secretsOf(keys: object | undefined): string[] {
  if (keys === undefined) return [];
  const out: string[] = [];
  for (const name of ['accessKeySecret', 'securityToken', 'secretKey', 'authToken']) {
    const v = (keys as Record<string, unknown>)[name];
    if (typeof v === 'string' && v !== '') out.push(v);
  }
  return out;
}

/** A fixed key pair: `get` and `refresh` return it. */
export function fixedCredentials<C extends object>(
  name: string,
  credentials: C,
  secretFields: readonly (keyof C & string)[],
): CredentialSource<C> {
  const guarded = guardSecrets(name, credentials, secretFields);
  const secrets = secretsOf(credentials);
  return { name, refreshable: false, get: async () => guarded, refresh: async () => guarded, held: () => secrets };
}

export function isCredentialSource(value: unknown): value is CredentialSource<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as CredentialSource<unknown>).get === 'function' &&
    typeof (value as CredentialSource<unknown>).refresh === 'function'
  );
}

/** A chain whose every source failed: what each one said, in the order tried. */
export class NoUsableCredentials extends Error {
  override readonly name = 'NoUsableCredentials';
  constructor(readonly tried: readonly { source: string; error: string }[]) {
    super(`no usable credentials: tried ${tried.map((t) => `${t.source} (${t.error})`).join('; ')}`);
  }
}

/** Temporary keys and when they stop working (ms since the epoch). */
export interface Expiring<C> {
  readonly credentials: C;
  readonly expiresAt: number;
}

export interface RenewingOptions {
  /** Renew when less than this is left (default: 2 hours, or half the keys' lifetime when that is shorter). */
  readonly renewBeforeMs?: number;
  readonly now?: () => number;
}

/**
 * A source over a fetch of temporary keys: one fetch at a time however many calls ask (they share it), the keys
 * cached until less than the renewal margin is left. A failed renewal while the old keys still work keeps them.
 */
export function renewingCredentials<C extends object>(
  name: string,
  fetch: () => Promise<Expiring<C>>,
  options: RenewingOptions = {},
): CredentialSource<C> {
  const now = options.now ?? Date.now;
  let current: { credentials: C; expiresAt: number; renewAt: number } | undefined;
  let inFlight: Promise<C> | undefined;
  const fetchNow = (): Promise<C> => {
    inFlight ??= (async () => {
      try {
        const fetchedAt = now();
        const next = await fetch();
        const lifetime = Math.max(0, next.expiresAt - fetchedAt);
        const margin = options.renewBeforeMs ?? Math.min(2 * 60 * 60 * 1000, lifetime / 2);
        current = { credentials: next.credentials, expiresAt: next.expiresAt, renewAt: next.expiresAt - margin };
        return next.credentials;
      } finally {
        inFlight = undefined;
      }
    })();
    return inFlight;
  };
  return {
    name,
    refreshable: true,
    async get() {
      if (current === undefined || now() >= current.expiresAt) return fetchNow();
      if (now() >= current.renewAt) {
        const still = current.credentials;
        return fetchNow().catch(() => still);
      }
      return current.credentials;
    },
    refresh: fetchNow,
    held: () => secretsOf(current?.credentials),
  };
}

/**
 * One call signed with the source's keys; when the provider refuses them with one of `renewCodes` (expired or
 * garbled temporary keys), new keys are fetched and the call signed once more. A fixed key pair has nothing newer
 * to offer, so its refusal stands. A source that gives no keys fails the call as CREDENTIALS_UNAVAILABLE.
 */
export async function withRenewal<C, T>(
  provider: Provider,
  action: string,
  source: CredentialSource<C>,
  renewCodes: ReadonlySet<string>,
  attempt: (credentials: C) => Promise<T>,
  signal?: AbortSignal,
): Promise<T> {
  const keys = async (fetch: () => Promise<C>): Promise<C> => {
    try {
      return await fetch();
    } catch (error) {
      throw credentialsUnavailable(provider, action, source.name, error);
    }
  };
  try {
    return await attempt(await keys(() => source.get()));
  } catch (error) {
    if (!source.refreshable || !(error instanceof ProviderError) || !renewCodes.has(error.code)) throw error;
    signal?.throwIfAborted();
    return attempt(await keys(() => source.refresh()));
  }
}

/**
 * The error a call gets when its source could not give keys: retryable (a metadata service or STS that does not
 * answer now may answer the next attempt). The message is the source's, with any of `secrets` masked.
 */
export function credentialsUnavailable(
  provider: Provider,
  action: string,
  source: string,
  error: unknown,
  secrets: readonly string[] = [],
): ProviderError {
  const mask = secretMasker(secrets);
  const why = mask(error instanceof Error ? error.message : String(error)).slice(0, 1000);
  return new ProviderError({
    provider,
    action,
    httpStatus: 0,
    code: CREDENTIALS_UNAVAILABLE,
    providerMessage: `the ${source} credentials could not be fetched: ${why}`,
  });
}
