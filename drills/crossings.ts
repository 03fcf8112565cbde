// What crosses a version boundary, read out of workflow histories: the messages between requests and coordinators
// (signals in, signals out, Signal-with-Start included), the state a coordinator run hands its next run, and the
// report a cancelled request leaves in its memo for the client. Each is
// checked against the readers of every kept release (schemas/releases/<version>/, JSON Schema) and the current code's,
// so a version that writes what a neighbour cannot read is caught (docs/upgrading.md).
import { readdirSync, readFileSync } from 'node:fs';
import { defaultPayloadConverter } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { BETWEEN_VERSIONS, kindOf, NEWER_KINDS, type BetweenVersions } from '../scripts/contract-schemas.js';
import { COORDINATOR_SIGNAL, COORDINATOR_WORKFLOW_TYPE, REPORT_MEMO, REQUEST_SIGNAL } from '../src/domain/index.js';

export interface Crossing {
  readonly kind: BetweenVersions;
  readonly value: unknown;
  /** Where it was found: the history's name and the event id. */
  readonly where: string;
}

const SIGNALS: Record<string, BetweenVersions> = {
  [COORDINATOR_SIGNAL]: 'coordinator-message',
  [REQUEST_SIGNAL]: 'request-update',
};

const first = (payloads: temporal.api.common.v1.IPayloads | null | undefined): unknown =>
  payloads?.payloads?.[0] ? defaultPayloadConverter.fromPayload(payloads.payloads[0]) : undefined;

/** Every message and carried state a history received or sent. */
export function crossingsOf(history: temporal.api.history.v1.IHistory, name: string): Crossing[] {
  const out: Crossing[] = [];
  const events = history.events ?? [];
  const coordinator =
    events[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name === COORDINATOR_WORKFLOW_TYPE;
  for (const e of events) {
    const where = `${name}#${String(e.eventId)}`;
    const signal =
      e.workflowExecutionSignaledEventAttributes ?? e.signalExternalWorkflowExecutionInitiatedEventAttributes;
    const kind = signal?.signalName ? SIGNALS[signal.signalName] : undefined;
    if (signal && kind) out.push({ kind, value: first(signal.input), where });
    const started = e.workflowExecutionStartedEventAttributes;
    if (coordinator && started?.continuedExecutionRunId)
      out.push({ kind: 'carried-state', value: first(started.input), where });
    const next = e.workflowExecutionContinuedAsNewEventAttributes;
    if (coordinator && next) out.push({ kind: 'carried-state', value: first(next.input), where });
    const memo = e.workflowPropertiesModifiedEventAttributes?.upsertedMemo?.fields?.[REPORT_MEMO];
    if (memo) out.push({ kind: 'report-memo', value: defaultPayloadConverter.fromPayload(memo), where });
  }
  return out;
}

export const RELEASES_DIR = new URL('../schemas/releases/', import.meta.url);

/** The kept releases' readers: release → kind → validator. */
export function releaseReaders(): Map<string, Record<BetweenVersions, ValidateFunction>> {
  const ajv = new Ajv2020({ strict: false, allErrors: false });
  const readers = new Map<string, Record<BetweenVersions, ValidateFunction>>();
  for (const release of readdirSync(RELEASES_DIR).sort()) {
    const byKind = {} as Record<BetweenVersions, ValidateFunction>;
    for (const b of BETWEEN_VERSIONS)
      byKind[b.name] = ajv.compile(
        JSON.parse(readFileSync(new URL(`${release}/${b.name}.schema.json`, RELEASES_DIR), 'utf8')) as object,
      );
    readers.set(release, byKind);
  }
  return readers;
}

/** Whether `release` predates the message kind of `crossing` (it may refuse it: NEWER_KINDS). */
function predates(release: string, crossing: Crossing): boolean {
  const kind = kindOf(crossing.value);
  const newer = kind !== undefined ? NEWER_KINDS[kind] : undefined;
  return newer?.kind === crossing.kind && release.localeCompare(newer.since, 'en', { numeric: true }) < 0;
}

/** The crossings some kept release could not read (older than the kind, it may), each with the release and the first reason. */
export function unreadable(
  crossings: readonly Crossing[],
  readers = releaseReaders(),
): { release: string; crossing: Crossing; why: string }[] {
  const out: { release: string; crossing: Crossing; why: string }[] = [];
  for (const crossing of crossings)
    for (const [release, byKind] of readers) {
      const read = byKind[crossing.kind];
      if (!read(crossing.value) && !predates(release, crossing))
        out.push({
          release,
          crossing,
          why: `${read.errors?.[0]?.instancePath || '(message)'} ${read.errors?.[0]?.message ?? ''} ${JSON.stringify(read.errors?.[0]?.params ?? {})}`,
        });
    }
  return out;
}
