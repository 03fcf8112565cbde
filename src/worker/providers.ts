// The provider clients a worker serves, built from its configuration, each behind a rate limit and a cap on
// calls in flight, so a burst of runs cannot exceed the cloud's flow control from one worker.
import type { Provider } from '../domain/index.js';
import {
  clientConfigOf,
  pluginOf,
  PROVIDER_PLUGINS,
  ProviderError,
  type CallObserver,
  type LoadBalancerProvider,
} from '../providers/index.js';
import type { WorkerConfig } from './config.js';

/** The code a call gets when this worker has no credentials for the provider (classified AuthenticationFailed). */
export const NO_CREDENTIALS = 'Client.NoCredentials';
/** The code a call gets when the request's project is not the one the worker's credentials are for (Huawei's). */
export const PROJECT_MISMATCH = 'Client.ProjectMismatch';

type Method = 'listServers' | 'groupReadiness' | 'addServers' | 'removeServers' | 'groupQuota';
const METHODS: readonly Method[] = ['listServers', 'groupReadiness', 'addServers', 'removeServers', 'groupQuota'];
const ACTIONS: Record<Method, string> = {
  listServers: 'ListServers',
  groupReadiness: 'GroupReadiness',
  addServers: 'AddServers',
  removeServers: 'RemoveServers',
  groupQuota: 'GroupQuota',
};

/** Token bucket (burst = one second's worth) plus a cap on operations in flight; waits honour the caller's abort. */
export class CallGate {
  readonly #perSecond: number;
  readonly #concurrency: number;
  #tokens: number;
  #refilledAt: number;
  #inFlight = 0;
  readonly #waiting: (() => void)[] = [];

  constructor(
    perSecond: number,
    concurrency: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.#perSecond = perSecond;
    this.#concurrency = concurrency;
    this.#tokens = Math.max(1, perSecond);
    this.#refilledAt = now();
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  async run<T>(fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    await this.#slot(signal);
    try {
      await this.#token(signal);
      return await fn();
    } finally {
      this.#inFlight--;
      this.#waiting.shift()?.();
    }
  }

  async #slot(signal?: AbortSignal): Promise<void> {
    while (this.#inFlight >= this.#concurrency) {
      signal?.throwIfAborted();
      await new Promise<void>((resolve, reject) => {
        const wake = () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        };
        const onAbort = () => {
          const i = this.#waiting.indexOf(wake);
          if (i >= 0) this.#waiting.splice(i, 1);
          reject(signal?.reason);
        };
        this.#waiting.push(wake);
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    }
    this.#inFlight++;
  }

  async #token(signal?: AbortSignal): Promise<void> {
    if (this.#perSecond === 0) return;
    for (;;) {
      signal?.throwIfAborted();
      const now = this.now();
      this.#tokens = Math.min(this.#perSecond, this.#tokens + ((now - this.#refilledAt) / 1000) * this.#perSecond);
      this.#refilledAt = now;
      if (this.#tokens >= 1) {
        this.#tokens -= 1;
        return;
      }
      const waitMs = Math.ceil(((1 - this.#tokens) / this.#perSecond) * 1000);
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        }, waitMs);
        const onAbort = () => {
          clearTimeout(timer);
          reject(signal?.reason);
        };
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    }
  }
}

/** A provider whose every call fails with a non-retryable AuthenticationFailed naming the variables to set. */
function unconfigured<P extends Provider>(provider: P): LoadBalancerProvider<P> {
  const refuse = (method: Method) => async () => {
    throw new ProviderError({
      provider,
      action: ACTIONS[method],
      httpStatus: 0,
      code: NO_CREDENTIALS,
      providerMessage: `this worker has no ${provider} credentials: set ${pluginOf(provider).credentialHint} in the worker's environment, or name a role, file or instance-metadata source (the README's Credentials table)`,
    });
  };
  return {
    provider,
    listServers: refuse('listServers'),
    groupReadiness: refuse('groupReadiness'),
    addServers: refuse('addServers'),
    removeServers: refuse('removeServers'),
    close: async () => {},
  } as unknown as LoadBalancerProvider<P>;
}

/** Wraps every call of `inner` in the gate; calls for another project than the credentials' are refused (Huawei). */
function gated<P extends Provider>(
  inner: LoadBalancerProvider<P>,
  gate: CallGate,
  project: { readonly id: string; readonly variable: string } | undefined,
): LoadBalancerProvider<P> {
  const projectId = project?.id;
  const wrapped: Record<string, unknown> = { provider: inner.provider, close: () => inner.close() };
  for (const method of METHODS) {
    // groupQuota is optional: a provider without it stays without it.
    if (inner[method] === undefined) continue;
    const original = (inner[method] as (...args: unknown[]) => Promise<unknown>).bind(inner);
    wrapped[method] = (...args: unknown[]) => {
      const group = args[0] as { projectId?: string };
      if (projectId !== undefined && group.projectId !== undefined && group.projectId !== projectId) {
        return Promise.reject(
          new ProviderError({
            provider: inner.provider,
            action: ACTIONS[method],
            httpStatus: 0,
            code: PROJECT_MISMATCH,
            providerMessage: `the request's project ${group.projectId} is not ${project?.variable} (${projectId}), the project this worker's credentials are for`,
          }),
        );
      }
      const options = args[args.length - 1] as { signal?: AbortSignal } | undefined;
      return gate.run(() => original(...args), options?.signal);
    };
  }
  return wrapped as unknown as LoadBalancerProvider<P>;
}

export interface WorkerProviders {
  providerFor(provider: Provider): LoadBalancerProvider;
  readonly served: Provider[];
  close(): Promise<void>;
}

/** One client per configured provider; providers without credentials answer every call with NO_CREDENTIALS. */
export function buildProviders(config: WorkerConfig, observe?: CallObserver): WorkerProviders {
  const { providerCallsPerSecond, providerConcurrency } = config.limits;
  const clients = new Map<Provider, LoadBalancerProvider>();
  for (const plugin of PROVIDER_PLUGINS) {
    const { name } = plugin.definition;
    const settings = config.providers[name];
    if (settings === undefined) {
      clients.set(name, unconfigured(name));
      continue;
    }
    const client = plugin.client(clientConfigOf(settings, { connections: providerConcurrency, observe }));
    const project =
      settings.projectId !== undefined && plugin.projectVariable !== undefined
        ? { id: settings.projectId, variable: plugin.projectVariable }
        : undefined;
    clients.set(name, gated(client, new CallGate(providerCallsPerSecond, providerConcurrency), project));
  }
  return {
    providerFor: (provider) => {
      const client = clients.get(provider);
      if (client === undefined) throw new TypeError(`no provider ${JSON.stringify(provider)} is registered`);
      return client;
    },
    served: PROVIDER_PLUGINS.map((p) => p.definition.name).filter((p) => config.providers[p] !== undefined),
    close: async () => {
      await Promise.all([...clients.values()].map((c) => c.close()));
    },
  };
}
