// A big request's servers, fetched from it in pages (since 0.4): its submission carried their count alone, and once
// admitted the coordinator asks the request for them, a page at a time, before the group is listed for them.
import { type Server } from '../../domain/index.js';
import { dedupeServers } from '../../registry/index.js';
import { abandon } from './arrivals.js';
import type { Ledger } from './ledger.js';
import { fetching, isConfirmed, takePage } from './lifecycle.js';
import type { RequestEntry } from './model.js';

/** The next page to fetch: the oldest confirmed request whose servers are not all in, from the first it lacks. */
export function fetchDue(ledger: Ledger): { request: RequestEntry; offset: number } | undefined {
  const request = ledger.live.find((r) => fetching(r) && isConfirmed(r));
  return request?.stage.kind === 'to-list' ? { request, offset: request.stage.servers.length } : undefined;
}

/**
 * A page of a request's servers came back from it (none: its run closed, or the nonce was not its own). A page for
 * another moment (the request ended, a new run took it over) is dropped. Once all are in, they must be what its
 * submission said (count and bytes, deduplicated): else, and when the request gave none, it ends as abandoned (nothing
 * of it was listed or sent). Returns why a page was not taken, or undefined.
 */
export function applyFetched(
  ledger: Ledger,
  page: { id: string; runId: string; nonce: string; offset: number },
  servers: readonly Server[] | undefined,
): string | undefined {
  const request = ledger.request(page.id);
  if (!request || request.runId !== page.runId || request.nonce !== page.nonce || !fetching(request)) return 'stale';
  if (request.stage.kind !== 'to-list' || request.stage.servers.length !== page.offset) return 'stale';
  const all = [...request.stage.servers, ...(servers ?? [])];
  const whole = all.length >= request.requested ? (dedupeServers(ledger.provider, all).unique as Server[]) : [];
  const unlike =
    whole.length > 0 && (whole.length !== request.requested || JSON.stringify(whole).length !== request.bytes);
  if (!servers || servers.length === 0 || unlike) {
    abandon(ledger, request.id, request.runId);
    return servers?.length ? 'its servers are not what it submitted' : 'it gave no servers';
  }
  takePage(request, whole.length > 0 ? whole : all);
  return undefined;
}
