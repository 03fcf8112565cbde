// The providers lbflow drives: one line each. A provider is its folder under src/providers (its client, its
// credential chain, and its workflow-safe definition/); what the other rooms ask of a provider, they ask here, by
// the provider's name, and never write one.
import type { Provider, ProviderDefinition } from '../domain/index.js';
import { alibabaGwlb } from '../providers/alibaba/definition/index.js';
import { huaweiElb } from '../providers/huawei/definition/index.js';
// The same modules for their types: each adds its provider to ProviderModels, and a side-effect import is the one
// kind the declaration files keep, so every package entry that reaches the registry sees every provider's shapes.
import '../providers/alibaba/definition/index.js';
import '../providers/huawei/definition/index.js';

export const PROVIDER_DEFINITIONS: readonly ProviderDefinition[] = [alibabaGwlb, huaweiElb];

/** Every provider's name, in the registry's order (the order of every list, enum and JSON Schema that names them). */
export const PROVIDERS = PROVIDER_DEFINITIONS.map((d) => d.name) as unknown as readonly [Provider, ...Provider[]];

const byName = new Map<string, ProviderDefinition>(PROVIDER_DEFINITIONS.map((d) => [d.name, d]));

/** Whether `name` is a provider lbflow drives. */
export function isProvider(name: unknown): name is Provider {
  return typeof name === 'string' && byName.has(name);
}

/** The definition of `provider`, or undefined for a name no provider has (unvalidated input). */
export function findDefinition(provider: unknown): ProviderDefinition | undefined {
  return typeof provider === 'string' ? byName.get(provider) : undefined;
}

/** The definition of `provider`. */
export function definitionOf<P extends Provider>(provider: P): ProviderDefinition<P> {
  const found = byName.get(provider);
  if (!found) throw new TypeError(`no provider ${JSON.stringify(provider)} is registered (src/registry)`);
  return found as unknown as ProviderDefinition<P>;
}
