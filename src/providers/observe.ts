// Every provider API call, as the worker's metrics see it: which action, how it ended, the provider's code, how
// long it took. The clients report here; what is done with it (Prometheus, through Temporal's meter) is the worker's.
import type { Provider } from '../domain/index.js';
import { ProviderError } from './errors.js';

export interface ObservedCall {
  readonly provider: Provider;
  /** The provider's API action (`AddServersToServerGroup`, `BatchCreateMembers`, …). */
  readonly action: string;
  /** `ok`, `error` (the provider refused or failed; `code` says how) or `aborted` (the caller gave up). */
  readonly outcome: 'ok' | 'error' | 'aborted';
  /** The provider's error code, or a `Transport.*` code; empty when ok. */
  readonly code: string;
  readonly seconds: number;
}

export type CallObserver = (call: ObservedCall) => void;

/** Runs one signed attempt and tells `observe` how it went; an observer that throws never changes the call's outcome. */
export async function observed<T>(
  observe: CallObserver | undefined,
  provider: Provider,
  action: string,
  attempt: () => Promise<T>,
): Promise<T> {
  if (observe === undefined) return attempt();
  const started = performance.now();
  const tell = (outcome: ObservedCall['outcome'], code: string) => {
    try {
      observe({ provider, action, outcome, code, seconds: (performance.now() - started) / 1000 });
    } catch {
      // Metrics are not worth a failed call.
    }
  };
  try {
    const result = await attempt();
    tell('ok', '');
    return result;
  } catch (error) {
    if (error instanceof ProviderError) tell('error', error.code);
    else tell('aborted', '');
    throw error;
  }
}
