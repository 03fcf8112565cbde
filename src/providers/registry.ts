// The providers' Node-side plug-ins (their clients, credentials and variables): one line each, in the order of
// src/registry's definitions. A third provider is its folder (definition/ and plugin.ts) and its entries here and there.
import type { Provider } from '../domain/index.js';
import { alibabaPlugin } from './alibaba/plugin.js';
import { huaweiPlugin } from './huawei/plugin.js';
// The same modules for their types (each adds its client's shapes to ProviderClientModels): a side-effect import is
// the one kind the declaration files keep.
import './alibaba/plugin.js';
import './huawei/plugin.js';
import type { ProviderPlugin } from './plugin.js';
import type { ClientConfigOf, LoadBalancerProvider } from './types.js';

export const PROVIDER_PLUGINS: readonly ProviderPlugin[] = [alibabaPlugin, huaweiPlugin];

/** The plug-in of `provider`. */
export function pluginOf<P extends Provider>(provider: P): ProviderPlugin<P> {
  const found = PROVIDER_PLUGINS.find((p) => p.definition.name === provider);
  if (found === undefined) {
    const known = PROVIDER_PLUGINS.map((p) => JSON.stringify(p.definition.name)).join(', ');
    throw new TypeError(`unknown provider ${JSON.stringify(provider)}; expected one of ${known}`);
  }
  return found as unknown as ProviderPlugin<P>;
}

/** A provider's client configuration, with the provider it is for. */
export type ProviderConfig<P extends Provider = Provider> = {
  [K in P]: { readonly provider: K } & ClientConfigOf<K>;
}[P];

/** The client for `config.provider`; the worker builds the config from its environment (endpoint overrides included). */
export function createProvider<P extends Provider>(config: ProviderConfig<P>): LoadBalancerProvider<P> {
  const { provider, ...rest } = config as { provider: P } & ClientConfigOf<P>;
  return pluginOf(provider).client(rest as unknown as ClientConfigOf<P>);
}
