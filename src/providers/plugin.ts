// The one interface a provider implements for the Node side (its client, its credentials, its variables): each
// provider's folder exports one (`plugin.ts`), src/providers/registry.ts lists them, and the worker asks them,
// never a name. The workflow-safe half is its `definition/` (src/domain/definition.ts).
import type { z } from 'zod';
import type { Provider, ProviderDefinition } from '../domain/index.js';
import type { EnvReading } from './env.js';
import type { CallObserver } from './observe.js';
import type { ClientConfigOf, LoadBalancerProvider } from './types.js';

/** How a worker reaches one provider: its credentials (fixed keys, or a chain of sources), and where they came from. */
export interface ProviderSettings {
  /** Fixed keys (secret fields guarded), or a credential chain. */
  readonly credentials: object;
  /** `environment`, or the chain's sources in order (`ram_role_arn → ecs_ram_role`). */
  readonly source: string;
  /** An origin instead of the public regional endpoint. */
  readonly endpoint: string | undefined;
  /** The project the credentials are for, for a provider whose groups live in projects: a call for another is refused. */
  readonly projectId?: string | undefined;
}

/** A provider as the worker knows it: its workflow-safe definition, and what only Node may do (its client, its keys). */
export interface ProviderPlugin<P extends Provider = Provider> {
  /** Its workflow-safe half (src/providers/<name>/definition/), the object src/registry lists; its name too. */
  readonly definition: ProviderDefinition<P>;
  /** The environment variables it reads, each with its rule, in the vendor's order. */
  readonly variables: Readonly<Record<string, z.ZodType>>;
  /** Those of its variables whose values are secrets (masked wherever a configuration error would show them). */
  readonly secretVariables: readonly string[];
  /** What to set so a worker serves this provider, for the refusal a worker without it answers. */
  readonly credentialHint: string;
  /** The credential sources a worker may name instead, for the start error that finds no provider. */
  readonly sourceHint: string;
  /** The variable that names each credential-chain source, for the start error of a source that gives no keys. */
  readonly sourceVariables: Readonly<Record<string, string>>;
  /** The variable that sets the credentials' project, when calls for another project are refused. */
  readonly projectVariable?: string;
  /** Its settings from the environment, pushing every problem; undefined when nothing names this provider. */
  settings(env: EnvReading): ProviderSettings | undefined;
  /** Its client: every provider's configuration takes `credentials`, `endpoint`, `connections` and `observe`. */
  client(config: ClientConfigOf<P>): LoadBalancerProvider<P>;
}

/** A client's configuration from a worker's settings (what every provider's client configuration takes). */
export function clientConfigOf<P extends Provider>(
  settings: ProviderSettings,
  options: { readonly connections: number; readonly observe?: CallObserver | undefined },
): ClientConfigOf<P> {
  const { credentials, endpoint } = settings;
  return { credentials, endpoint, connections: options.connections, observe: options.observe } as ClientConfigOf<P>;
}
