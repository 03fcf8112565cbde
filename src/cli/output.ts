// How the CLI reports: exit statuses a script can branch on, a short human summary, or one JSON document.
import { AddServersError, type AddServersResult } from '../client/index.js';
import { UsageError } from './input.js';
import type { Outcome } from './progress.js';
import { TemporalUnreachableError } from './temporal.js';

/** Exit statuses: documented in the README's CLI reference. */
export const EXIT = {
  ok: 0,
  /** An unexpected error (a bug, or an answer lbflow does not understand). */
  internal: 1,
  /** Bad flags or an unreadable input file: nothing was started. */
  usage: 2,
  /** The request broke a rule (ValidationError), locally or in the workflow: nothing was sent to a provider. */
  validation: 3,
  /** The provider refused or failed (ServerGroupNotFound, QuotaExceeded, AuthenticationFailed, ProviderUnavailable, …). */
  provider: 4,
  /** Servers did not become ready in time (AvailabilityTimeout), or the run hit its own timeout. */
  timeout: 5,
  /** The run was cancelled or terminated. */
  cancelled: 6,
  /** Temporal could not be reached, or the workflow id is unknown. */
  unavailable: 7,
} as const;

export function exitCodeOf(error: unknown): number {
  if (error instanceof UsageError) return EXIT.usage;
  if (error instanceof TemporalUnreachableError) return EXIT.unavailable;
  if (error instanceof AddServersError) {
    switch (error.category) {
      case 'validation':
        return EXIT.validation;
      case 'provider':
        return EXIT.provider;
      case 'timeout':
        return EXIT.timeout;
      case 'cancelled':
      case 'terminated':
        return EXIT.cancelled;
      default:
        return EXIT.internal;
    }
  }
  if (error instanceof Error && error.name === 'WorkflowNotFoundError') return EXIT.unavailable;
  return EXIT.internal;
}

/** The JSON form of an error: type, message and details (never a stack). */
export function errorJson(error: unknown): Record<string, unknown> {
  if (error instanceof AddServersError)
    return { type: error.type, category: error.category, message: error.message, details: error.details };
  if (error instanceof Error) return { type: error.name, message: error.message };
  return { type: 'Unknown', message: String(error) };
}

export interface RunReport {
  readonly workflowId: string;
  readonly runId?: string | undefined;
  readonly link?: string | undefined;
  readonly outcome: Outcome;
}

export function reportJson(report: RunReport): Record<string, unknown> {
  const { workflowId, runId, link, outcome } = report;
  return outcome.ok
    ? { workflowId, runId, link, status: 'completed', result: outcome.result }
    : { workflowId, runId, link, status: 'failed', failure: errorJson(outcome.error) };
}

function counts(result: AddServersResult): string {
  const statuses: Record<string, number> = {};
  for (const s of result.servers) statuses[s.status] = (statuses[s.status] ?? 0) + 1;
  return Object.entries(statuses)
    .map(([status, n]) => `${status} ${n}`)
    .join(', ');
}

/** One short paragraph: what happened, what is in the group, what to do. */
export function reportText(report: RunReport): string {
  const lines = [`workflow ${report.workflowId}${report.runId ? ` (run ${report.runId})` : ''}`];
  const { outcome } = report;
  if (outcome.ok) {
    const r = outcome.result;
    const seconds = (Date.parse(r.timings.finishedAt) - Date.parse(r.timings.startedAt)) / 1000;
    lines.push(
      `${r.dryRun ? 'dry run passed' : 'completed'}: ${r.added.length} added, ${r.alreadyPresent.length} already present, ${r.servers.length} requested, ${r.timings.chunks} chunk(s), ${seconds.toFixed(1)} s`,
      `status: ${counts(r)}`,
    );
  } else if (outcome.error instanceof AddServersError) {
    const e = outcome.error;
    lines.push(`failed: ${e.type}: ${e.message}`);
    const d = e.details;
    if (d) {
      lines.push(
        `in the group from this run: ${d.added.length} added${d.rolledBack ? `, ${d.rolledBack.length} rolled back` : ''}; ${d.alreadyPresent.length} were already present`,
      );
      if (d.stragglers?.length)
        lines.push(
          `not ready: ${d.stragglers
            .slice(0, 10)
            .map((s) => `${s.key} (${s.status})`)
            .join(', ')}${d.stragglers.length > 10 ? `, and ${d.stragglers.length - 10} more` : ''}`,
        );
      if (d.code)
        lines.push(
          `provider said: ${d.code}${d.httpStatus ? ` [HTTP ${d.httpStatus}]` : ''}${d.requestId ? `, request ${d.requestId}` : ''}`,
        );
    }
  } else {
    lines.push(`failed: ${outcome.error instanceof Error ? outcome.error.message : String(outcome.error)}`);
  }
  if (report.link) lines.push(`web ui: ${report.link}`);
  return lines.join('\n');
}

/** Summary table of several runs, plain text with aligned columns. */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const fmt = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [fmt(headers), fmt(widths.map((w) => '-'.repeat(w))), ...rows.map(fmt)].join('\n');
}
