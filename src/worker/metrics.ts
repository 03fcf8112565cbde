// lbflow's own metrics, on the worker's Prometheus endpoint next to the SDK's: they go through Temporal's metric
// meter, so one exporter serves both. The provider calls are counted here (the clients report each one);
// requests, servers and the coordinator's queue are counted by the workflows through the workflow meter.
import { Runtime } from '@temporalio/worker';
import type { MetricMeter } from '@temporalio/common';
import type { CallObserver } from '../providers/index.js';

/** Names and meanings, for the README's table and the metrics test. */
export const LBFLOW_METRICS = {
  providerCalls: 'lbflow_provider_calls',
  providerCallLatency: 'lbflow_provider_call_latency',
  polls: 'lbflow_polls',
  requests: 'lbflow_requests',
  serversAdded: 'lbflow_servers_added',
  queueDepth: 'lbflow_group_queue_depth',
  changeServers: 'lbflow_change_servers',
} as const;

/** Records every provider API call: a count by provider, action, outcome and code, and its latency by provider and action. */
export function providerCallMetrics(meter: MetricMeter = Runtime.instance().metricMeter): CallObserver {
  const calls = meter.createCounter(
    LBFLOW_METRICS.providerCalls,
    'calls',
    'Provider API calls, by provider, action, outcome (ok, error, aborted) and provider code',
  );
  // Milliseconds, as the SDK's own latencies: the exporter's buckets (50 ms … 10 s) are made for them.
  const latency = meter.createHistogram(
    LBFLOW_METRICS.providerCallLatency,
    'int',
    'ms',
    'Provider API call latency in milliseconds, by provider and action',
  );
  return ({ provider, action, outcome, code, seconds }) => {
    calls.add(1, { provider, action, outcome, code });
    latency.record(Math.round(seconds * 1000), { provider, action });
  };
}
