// How the coordinator's state changes: by an event an effect reported, or by a message a request sent. Called by the
// loop only (machine.ts), in the order things happened.
import { log, patched, upsertSearchAttributes, type WorkflowInfo } from '@temporalio/workflow';
import { SEARCH_ATTRIBUTES, type CoordinatorMessage, type SubmitMessage } from '../../domain/index.js';
import { coordinatorWorkflowId, groupIdOf, groupRefOf } from '../../registry/index.js';
import {
  abandon,
  answered,
  asksDue,
  rebindRun,
  applyAddConflict,
  applyFetched,
  applyAddFailed,
  applyAdded,
  applyListing,
  applyNotSent,
  applyRead,
  applyReadFailed,
  applyRemoveFailed,
  applyRemoved,
  applyUnanswered,
  cancel,
  emptyLedger,
  failListing,
  Ledger,
  own,
  submit,
  HELD_BYTES_1MB,
  MAX_HELD_BYTES,
} from '../ledger/index.js';
import type { Event } from './effects.js';
import {
  CARRY_UNDER_1MB,
  CONFIRM_REQUESTERS,
  EXIT_AFTER_AUTH_FAILURE,
  NOTICE_GONE,
  REBIND_RESET_REQUEST,
  type CoordinatorState,
} from './state.js';

/** An effect's event: the ledger learns the answer, or what the effect held (writer, lister, read, message) is free. */
export function applyEvent(state: CoordinatorState, event: Event): void {
  const failure = 'failure' in event ? event.failure : undefined;
  if (failure?.type === 'AuthenticationFailed' && !state.exitWhenIdle && patched(EXIT_AFTER_AUTH_FAILURE))
    state.exitWhenIdle = true;
  apply(state, event);
}

function apply(state: CoordinatorState, event: Event): void {
  const ledger = state.ledger!;
  switch (event.kind) {
    case 'listed':
      return listed(state, ledger, event.listed.members, event.listed.requestIds);
    case 'list-failed':
      return failListing(ledger, state.listing?.ids ?? [], event.failure);
    case 'list-done':
      state.listing = undefined;
      return;
    case 'added':
      applyAdded(ledger, event.change, event.outcomes, event.confirmed, event.requestIds, Date.now());
      if (state.listing && !event.change.dry) for (const key of event.change.keys) state.listing.created.add(key);
      return;
    case 'unanswered':
      return applyUnanswered(ledger, event.change, event.found);
    case 'not-sent':
      return applyNotSent(ledger, event.change, event.timedOut, event.stragglers, event.requestIds);
    case 'add-failed':
      return applyAddFailed(ledger, event.change, event.failure, event.found);
    case 'add-conflict':
      return applyAddConflict(ledger, event.change, event.failure, event.present);
    case 'removed':
      return applyRemoved(ledger, event.change, event.requestIds);
    case 'remove-failed':
      return applyRemoveFailed(ledger, event.change, event.failure);
    case 'write-done':
      state.flight = undefined;
      return;
    case 'read': {
      const { statuses, requestIds, timedOut } = event.ready;
      return applyRead(ledger, event.read, statuses, requestIds, timedOut === true, {
        noticeGone: () => patched(NOTICE_GONE),
      });
    }
    case 'read-failed':
      return applyReadFailed(ledger, event.read, event.failure);
    case 'read-done':
      state.reads.delete(event.id);
      return;
    case 'untold':
      return untold(ledger, event);
    case 'told':
      state.telling--;
      if (event.update.kind === 'progress') state.delivering.delete(event.to.id);
      return;
    case 'phase-due':
      state.phaseWake = false;
      return;
    case 'answered':
      for (const [n, { workflowId, ask }] of event.asks.entries()) {
        const said = answered(ledger, workflowId, ask, event.answers[n] ?? 'no');
        if (event.answers[n] !== 'yes') log.warn(`coordinator: ${said}`, { request: workflowId, ask: ask.what });
        const rival = ask.rival ? state.rivals.get(ask.nonce) : undefined;
        state.rivals.delete(ask.nonce);
        // The rival was the request's own: it is taken as confirmed.
        if (rival && said === 'rival confirmed')
          submit(ledger, rival, Date.now(), { ...submitRules, confirm: () => false });
      }
      // A rival whose ask went without its answer (its request's own submission was confirmed, or it left) goes too.
      for (const nonce of [...state.rivals.keys()])
        if (!asksDue(ledger).some(({ ask }) => ask.rival && ask.nonce === nonce)) state.rivals.delete(nonce);
      return;
    case 'confirm-done':
      state.confirming = false;
      return;
    case 'fetched': {
      const refused = applyFetched(ledger, event.page, event.servers);
      if (refused)
        log.warn(`coordinator: a page of a request's servers was not taken: ${refused}`, {
          request: event.page.id,
        });
      return;
    }
    case 'fetch-done':
      state.fetching = false;
      return;
  }
}

/** The list came back: what the coordinator's own changes did while it was read overrides what it saw. */
function listed(
  state: CoordinatorState,
  ledger: Ledger,
  members: readonly { key: string; status: string }[],
  requestIds: string[],
): void {
  const listing = state.listing!;
  const seen = new Set(members.map((m) => m.key));
  const withOwn = [...members];
  for (const key of listing.created) if (!seen.has(key)) withOwn.push({ key, status: 'added' });
  applyListing(ledger, listing.ids, withOwn, requestIds, listing.removed);
}

/**
 * Temporal refuses a signal only to a workflow that is closed: one that ended without telling us (terminated,
 * timed out) must not have its queued servers added for nobody.
 */
function untold(ledger: Ledger, event: Extract<Event, { kind: 'untold' }>): void {
  // The request was reset: its new run takes the entry over (a reset to a later task keeps the nonce, so it hears us).
  if (event.openRun !== undefined && rebindRun(ledger, event.to.id, event.to.runId, event.openRun)) {
    log.info('a request was reset: its new run takes its place', { request: event.to.id, runId: event.openRun });
    return;
  }
  const abandoned = abandon(ledger, event.to.id, event.to.runId);
  log.warn(
    abandoned
      ? 'a request closed without a cancellation: its queued servers are dropped'
      : 'a request could not be told (it has ended)',
    { request: event.to.id, kind: event.update.kind, error: event.error },
  );
}

/** How submissions are taken since 0.4 (patches: runs recorded before replay as they did). */
export const submitRules = {
  rebind: () => patched(REBIND_RESET_REQUEST),
  confirm: () => patched(CONFIRM_REQUESTERS),
  held: () => (patched(CARRY_UNDER_1MB) ? HELD_BYTES_1MB : MAX_HELD_BYTES),
};

/**
 * A message: a submission joins the ledger (the first one names the group), what a request owns is taken, a
 * cancellation ends its request.
 */
export function takeMessage(state: CoordinatorState, message: CoordinatorMessage, info: WorkflowInfo): void {
  if (message.kind === 'submit') return takeSubmission(state, message, info);
  if (message.kind === 'exit-when-idle') {
    state.exitWhenIdle = true;
    return;
  }
  if (message.kind === 'owned') {
    const refused = state.ledger ? own(state.ledger, message, submitRules) : 'no request is live here: ignored';
    if (refused) log.warn(`coordinator: ${refused}`, { request: message.requester.workflowId });
    return;
  }
  const refused = state.ledger
    ? cancel(state.ledger, message.requester.workflowId, message.nonce)
    : 'no request is live here: ignored';
  if (refused) log.warn(`coordinator: ${refused}`, { request: message.requester.workflowId });
}

function takeSubmission(state: CoordinatorState, message: SubmitMessage, info: WorkflowInfo): void {
  const group = groupRefOf(message.request);
  // The group's own coordinator only (its id names the group; the task queue suffix is not checked, so replay works).
  const own = coordinatorWorkflowId(group);
  const id = info.workflowId;
  const sameGroup = (ledger: Ledger) => JSON.stringify(ledger.state.group) === JSON.stringify(group);
  if ((id !== own && !id.startsWith(`${own}@`)) || (state.ledger && !sameGroup(state.ledger))) {
    log.warn('coordinator refused a submission for another group', { request: message.requester.workflowId });
    return;
  }
  if (!state.ledger) {
    state.ledger = new Ledger(emptyLedger(group), info.firstExecutionRunId);
    upsertSearchAttributes([
      { key: SEARCH_ATTRIBUTES.provider, value: group.provider },
      { key: SEARCH_ATTRIBUTES.region, value: group.region },
      { key: SEARCH_ATTRIBUTES.serverGroupId, value: groupIdOf(group) },
      { key: SEARCH_ATTRIBUTES.phase, value: 'coordinating' },
    ]);
  }
  const refused = submit(state.ledger, message, Date.now(), submitRules);
  if (refused === 'rival') {
    state.rivals.set(message.nonce, message);
    return;
  }
  if (refused) log.warn(`coordinator: ${refused}`, { request: message.requester.workflowId });
}
