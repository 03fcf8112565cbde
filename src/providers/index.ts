// The provider clients' public API: one factory, one interface, one error type; each provider one plug-in.

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
export {
  AlibabaGwlbProvider,
  alibabaEndpoint,
  GWLB_API_VERSION,
  type AlibabaGwlbConfig,
  type AlibabaMember,
} from './alibaba/client.js';
export type { AlibabaCredentials } from './alibaba/signer.js';
export {
  HuaweiElbProvider,
  huaweiEndpoint,
  type HuaweiCredentials,
  type HuaweiElbConfig,
  type HuaweiMember,
} from './huawei/client.js';

export { createProvider, pluginOf, PROVIDER_PLUGINS, type ProviderConfig } from './registry.js';
export { clientConfigOf, type ProviderPlugin, type ProviderSettings } from './plugin.js';
