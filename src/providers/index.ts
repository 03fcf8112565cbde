// The provider clients' public API: one factory, one interface, one error type.
import type { AlibabaGwlbConfig } from './alibaba/client.js';
import { AlibabaGwlbProvider } from './alibaba/client.js';
import type { HuaweiElbConfig } from './huawei/client.js';
import { HuaweiElbProvider } from './huawei/client.js';
import type { LoadBalancerProvider } from './types.js';

export type * from './types.js';
export { ProviderError, isProviderError, TRANSPORT_CODES, CLIENT_INVALID_REQUEST } from './errors.js';
export type { TransportTimeouts } from './transport.js';
export { observed, type CallObserver, type ObservedCall } from './observe.js';
export { guardSecrets, maskUserinfo, MIN_MASKED_LENGTH, REDACTED, secretMasker } from './secrets.js';
export {
  CREDENTIALS_UNAVAILABLE,
  fixedCredentials,
  isCredentialSource,
  NoUsableCredentials,
  renewingCredentials,
  type CredentialSource,
  type Expiring,
} from './credentials.js';
export {
  ALIBABA_SOURCES,
  alibabaCredentialChain,
  type AlibabaChainSettings,
  type AlibabaCredentialChain,
} from './alibaba/credentials.js';
export {
  HUAWEI_METADATA_ENDPOINT,
  HUAWEI_SOURCES,
  huaweiCredentialChain,
  type HuaweiChainSettings,
  type HuaweiCredentialChain,
} from './huawei/credentials.js';
export { AlibabaGwlbProvider, alibabaEndpoint, GWLB_API_VERSION, type AlibabaGwlbConfig } from './alibaba/client.js';
export type { AlibabaCredentials } from './alibaba/signer.js';
export { HuaweiElbProvider, huaweiEndpoint, type HuaweiCredentials, type HuaweiElbConfig } from './huawei/client.js';

export type AlibabaProviderConfig = { readonly provider: 'alibaba-gwlb' } & AlibabaGwlbConfig;
export type HuaweiProviderConfig = { readonly provider: 'huawei-elb' } & HuaweiElbConfig;
export type ProviderConfig = AlibabaProviderConfig | HuaweiProviderConfig;

/** The client for `config.provider`; the worker builds the config from its environment (endpoint overrides included). */
export function createProvider(config: AlibabaProviderConfig): LoadBalancerProvider<'alibaba-gwlb'>;
export function createProvider(config: HuaweiProviderConfig): LoadBalancerProvider<'huawei-elb'>;
export function createProvider(
  config: ProviderConfig,
): LoadBalancerProvider<'alibaba-gwlb'> | LoadBalancerProvider<'huawei-elb'>;
export function createProvider(
  config: ProviderConfig,
): LoadBalancerProvider<'alibaba-gwlb'> | LoadBalancerProvider<'huawei-elb'> {
  switch (config.provider) {
    case 'alibaba-gwlb':
      return new AlibabaGwlbProvider(config);
    case 'huawei-elb':
      return new HuaweiElbProvider(config);
    default: {
      const unknown: never = config;
      throw new TypeError(
        `unknown provider ${JSON.stringify((unknown as { provider?: unknown }).provider)}; expected "alibaba-gwlb" or "huawei-elb"`,
      );
    }
  }
}
