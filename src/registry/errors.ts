// A provider error read by its provider's rules (src/providers/<name>/definition/errors.ts).
import {
  classifyError,
  type Classification,
  type ErrorTable,
  type Provider,
  type ProviderErrorInput,
} from '../domain/index.js';
import { definitionOf, PROVIDER_DEFINITIONS } from './providers.js';

/** Classifies one provider error: exact code, then code family, then HTTP status. */
export function classifyProviderError({ provider, ...error }: ProviderErrorInput): Classification {
  return classifyError(definitionOf(provider).errors, error);
}

/** Every provider's error table, by provider, for iteration in tests. */
export const PROVIDER_ERROR_CODES = Object.fromEntries(
  PROVIDER_DEFINITIONS.map((d) => [d.name, d.errors.codes]),
) as Readonly<Record<Provider, ErrorTable>>;
