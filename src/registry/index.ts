// The providers lbflow drives: one line each. A provider is its folder under src/providers (its client, its
// credential chain, and its workflow-safe definition.ts); what the other rooms ask of a provider, they ask here.
import type { Provider, ProviderDefinition } from '../domain/index.js';
import { alibabaGwlb } from '../providers/alibaba/definition.js';
import { huaweiElb } from '../providers/huawei/definition.js';

export const PROVIDER_DEFINITIONS: readonly ProviderDefinition[] = [alibabaGwlb, huaweiElb];

/** The definition of `provider`. */
export function definitionOf(provider: Provider): ProviderDefinition {
  const found = PROVIDER_DEFINITIONS.find((d) => d.name === provider);
  if (!found) throw new TypeError(`no provider ${JSON.stringify(provider)} is registered (src/registry)`);
  return found;
}
