// The effects that ask a request something (each one activity, as every effect, reporting back by events): confirm
// what its messages said, and give a page of its servers. Apart from effects.ts, which writes and reads the group.
import { SERVER_PAGE_BYTES, serverCount } from '../../domain/index.js';
import type { Ask } from '../ledger/index.js';
import { callsAs, requestName, type Emit, type Page } from './effects.js';

/**
 * Asks each request to confirm what its messages said (one activity for all): `answered` when they answered (asks
 * not answered stay, and are asked again), then `confirm-done`.
 */
export function confirmAsks(asks: { workflowId: string; ask: Ask }[], emit: Emit): void {
  const who = asks.length === 1 ? requestName(asks[0]!.workflowId) : `${asks.length} requests`;
  void callsAs(`ask ${who} to confirm what they sent`)
    .confirmRequesters({
      asks: asks.map(({ workflowId, ask }) => ({ workflowId, runId: ask.runId, nonce: ask.nonce, keys: ask.keys })),
    })
    .then(
      ({ answers }) => emit({ kind: 'answered', asks, answers }),
      () => undefined,
    )
    .finally(() => emit({ kind: 'confirm-done' }));
}

/**
 * Fetches a page of a request's servers from the request itself (at most SERVER_PAGE_BYTES): `fetched`, with none
 * when the request gave none (its run closed, or the nonce is not its own), then `fetch-done`. A failure that outlasts
 * the retries fetches nothing: the page is asked for again.
 */
export function fetchPage(page: Page, requested: number, emit: Emit): void {
  void callsAs(`fetch servers ${page.offset + 1}… of ${serverCount(requested)} from ${requestName(page.id)}`)
    .fetchServers({
      workflowId: page.id,
      runId: page.runId,
      nonce: page.nonce,
      offset: page.offset,
      maxBytes: SERVER_PAGE_BYTES,
    })
    .then(
      ({ servers }) => emit({ kind: 'fetched', page, servers }),
      () => undefined,
    )
    .finally(() => emit({ kind: 'fetch-done' }));
}
