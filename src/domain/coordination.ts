// The group coordinator's contract: its workflow id, the messages requests and the coordinator exchange, each
// parsed by a schema on arrival (a forged or malformed message is refused, never a workflow-task failure loop).
import { z } from 'zod';
import type { GroupRef, Progress } from './contract.js';
import { FAILURE_TYPES } from './failures.js';
import type { Provider } from './provider.js';
import { MAX_SERVERS_PER_REQUEST, type AddServersRequest, type AddServersRequestInput } from './request.js';
import { MAX_REQUEST_BYTES } from './validate.js';

/** Workflow type of the one writer per server group. */
export const COORDINATOR_WORKFLOW_TYPE = 'serverGroupCoordinator';

/** Signal a request sends to its group's coordinator (submit, cancel). */
export const COORDINATOR_SIGNAL = 'lbflowCoordinatorMessage';
/** Signal the coordinator sends back to a request (progress, resend, outcome). */
export const REQUEST_SIGNAL = 'lbflowRequestUpdate';
/** Query on the coordinator: queue depth, the change in flight, the live requests. */
export const GROUP_QUERY = 'group';
/**
 * Query on a request (since 0.4), asked by its coordinator before it acts on what the request's messages say: true
 * only if the request itself sent that nonce (and lbflow sent it every one of `keys`). A message naming a requester
 * that does not answer true is not acted on.
 */
export const CONFIRM_QUERY = 'lbflowConfirm';

/**
 * Query on a request (since 0.4), asked by its coordinator for the servers of a submission that carried only their
 * count (`pages`): one page of them from `offset`, at most `maxBytes` as JSON (always one server at least), or null
 * when `nonce` is not this run's.
 */
export const SERVERS_QUERY = 'lbflowServers';

/** What a coordinator asks a request for (SERVERS_QUERY). */
export interface ServersAsk {
  readonly nonce: string;
  readonly offset: number;
  readonly maxBytes: number;
}

/**
 * A request whose servers take more than this as JSON submits their count (`pages`), not them, to a coordinator that
 * fetches pages (since 0.4): the coordinator's history holds what it fetched when it had room, never every queued
 * request's servers at once.
 */
export const INLINE_SUBMISSION_BYTES = 32 * 1024;

/** The most a page of a request's servers takes as JSON (one query answer, one activity result). */
export const SERVER_PAGE_BYTES = 256 * 1024;

/** What a coordinator asks a request to confirm. */
export interface ConfirmAsk {
  readonly nonce: string;
  readonly keys: readonly string[];
}
/** Memo key where a cancelled request leaves its report (the SDK's cancellation carries no details). */
export const REPORT_MEMO = 'lbflowReport';

/**
 * ClientToken of one change: the coordinator incarnation's first run id (unique per incarnation: one that exits
 * when idle and starts again gets a new one) and a sequence carried across continue-as-new. ≤ 64 ASCII.
 */
export function changeToken(incarnation: string, kind: 'a' | 'r', seq: number): string {
  return `lbflow-${incarnation}-${kind}${seq}`;
}

const id = (what: string) =>
  z
    .string({ error: `${what} must be a string` })
    .min(1, `${what} must not be empty`)
    .max(1000, `${what} must be at most 1000 characters`);
/** What the schemas that name every provider are built from: src/registry passes its providers' names and request union. */
export interface ProviderSet {
  readonly names: readonly [Provider, ...Provider[]];
  readonly request: z.ZodType<AddServersRequest, AddServersRequestInput>;
}

/**
 * Builds the message schemas, once per realm through src/registry's `coordinationSchemas()` (see its
 * `requestSchemas()` for why they live in a closure).
 */
export function buildCoordinationSchemas(providers: ProviderSet) {
  const RequesterSchema = z.strictObject({ workflowId: id('requester.workflowId'), runId: id('requester.runId') });
  const NonceSchema = id('nonce');

  /**
   * A request hands its servers to the coordinator (again, when asked to resend). Since 0.4, with `pages`, only their
   * count and bytes (as JSON, deduplicated), and `request.servers` holds the first alone: the coordinator fetches them
   * from the request (SERVERS_QUERY) when it has room. Sent only to a coordinator whose `group` query says `pages`.
   */
  const SubmitSchema = z.strictObject({
    kind: z.literal('submit'),
    requester: RequesterSchema,
    nonce: NonceSchema,
    request: providers.request,
    pages: z
      .strictObject({
        count: z.number().int().min(1).max(MAX_SERVERS_PER_REQUEST),
        bytes: z.number().int().min(1).max(MAX_REQUEST_BYTES),
      })
      .optional(),
  });

  /** A request was cancelled: stop its work, roll back if it asked for that, and report. */
  const CancelSchema = z.strictObject({ kind: z.literal('cancel'), requester: RequesterSchema, nonce: NonceSchema });

  /** Exit as soon as nothing is live or queued, instead of after the idle time (before a deploy, or when a test ends). */
  const ExitWhenIdleSchema = z.strictObject({ kind: z.literal('exit-when-idle') });

  const keys = z.array(z.string().max(300)).max(20_000);

  /**
   * Since 0.4, right after its submission: the servers lbflow sent for this request (it heard `sending`) in an earlier
   * incarnation of the coordinator, or an earlier run of the request (a reset). Those the group holds are its own:
   * reported added, and rolled back on failure. It also says the request hears `sending`.
   */
  const OwnedSchema = z.strictObject({
    kind: z.literal('owned'),
    requester: RequesterSchema,
    nonce: NonceSchema,
    keys,
  });

  const CoordinatorMessageSchema = z.discriminatedUnion('kind', [
    SubmitSchema,
    CancelSchema,
    ExitWhenIdleSchema,
    OwnedSchema,
  ]);
  const UniformSchema = z.union([
    z.strictObject({ all: z.string() }),
    z.strictObject({ each: z.array(z.strictObject({ key: z.string(), value: z.string() })) }),
  ]);

  const FailureDetailsSchema = z.looseObject({
    type: z.enum(FAILURE_TYPES),
    added: keys,
    alreadyPresent: keys,
    rolledBack: keys.optional(),
    keptForOthers: keys.optional(),
  });

  /** What a cancelled request reports: the same lists as a failure's details, without a failure type. */
  const CancelReportSchema = z.strictObject({
    added: keys,
    alreadyPresent: keys,
    rolledBack: keys.optional(),
    keptForOthers: keys.optional(),
  });

  const ProgressSchema = z.strictObject({
    phase: z.enum(['validating', 'listing', 'adding', 'waiting', 'rolling-back', 'completed', 'failed']),
    chunksDone: z.number(),
    chunksTotal: z.number(),
    requested: z.number(),
    added: z.number(),
    alreadyPresent: z.number(),
    states: z.record(z.string(), z.number()).optional(),
    providerStatuses: z.record(z.string(), z.number()).optional(),
    // Before lifecycle states, progress carried one mixed map: still accepted, so histories recorded then replay.
    statusCounts: z.record(z.string(), z.number()).optional(),
  });

  /** What the coordinator tells a request. Every message carries the nonce the request submitted with. */
  const RequestUpdateSchema = z.discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('progress'), nonce: NonceSchema, progress: ProgressSchema }),
    z.strictObject({ kind: z.literal('resend'), nonce: NonceSchema }),
    // Since 0.4, from the add itself before it calls the provider: these servers are about to be added for this request.
    z.strictObject({ kind: z.literal('sending'), nonce: NonceSchema, keys }),
    z.strictObject({
      kind: z.literal('completed'),
      nonce: NonceSchema,
      added: keys,
      alreadyPresent: keys,
      statuses: UniformSchema,
      requestIds: z.array(z.string()),
      chunks: z.number(),
    }),
    z.strictObject({
      kind: z.literal('failed'),
      nonce: NonceSchema,
      message: z.string(),
      details: FailureDetailsSchema,
      statuses: UniformSchema,
    }),
    z.strictObject({
      kind: z.literal('cancelled'),
      nonce: NonceSchema,
      report: CancelReportSchema,
      statuses: UniformSchema,
    }),
  ]);

  /** The frame of the state a coordinator hands to its next run (its own output): a corrupted one fails typed. */
  const CarriedStateFrameSchema = z.looseObject({
    v: z.literal(1),
    ledger: z.looseObject({
      v: z.literal(1),
      group: z.looseObject({ provider: z.enum(providers.names), region: z.string() }),
      seq: z.number().int().nonnegative(),
      arrivals: z.number().int().nonnegative(),
      requests: z.array(z.looseObject({ id: z.string(), nonce: z.string() })),
      intents: z.array(z.looseObject({ key: z.string(), claimants: z.array(z.string()) })),
    }),
    /** An exit-when-idle heard by an earlier run still holds. */
    exitWhenIdle: z.boolean().optional(),
  });

  return {
    SubmitSchema,
    CancelSchema,
    ExitWhenIdleSchema,
    OwnedSchema,
    CoordinatorMessageSchema,
    CancelReportSchema,
    RequestUpdateSchema,
    CarriedStateFrameSchema,
  };
}

export type CoordinationSchemas = ReturnType<typeof buildCoordinationSchemas>;

/** Per-server values, compact: `{ all }` when every server came out the same, else one entry per server. */
export type Uniform<T extends string> =
  { readonly all: T } | { readonly each: { readonly key: string; readonly value: T }[] };
/** Per-key values from a compact answer, for the keys (in order) it was about. */
export function spreadOver<T extends string>(u: Uniform<T>, keys: readonly string[]): Map<string, T> {
  return new Map('all' in u ? keys.map((k) => [k, u.all] as const) : u.each.map((e) => [e.key, e.value] as const));
}

/**
 * A status record of `servers` servers, compact: `{ all }` when every one of them has a status and it is the same
 * (a reader spreads `all` over every server it asked about, so servers never seen must not be covered by it).
 */
export function compact(statuses: Record<string, string>, servers: number): Uniform<string> {
  const values = Object.values(statuses);
  const first = values[0];
  if (first !== undefined && values.length === servers && values.every((v) => v === first)) return { all: first };
  return { each: Object.entries(statuses).map(([key, value]) => ({ key, value })) };
}

export type CoordinatorMessage = z.output<CoordinationSchemas['CoordinatorMessageSchema']>;
export type SubmitMessage = z.output<CoordinationSchemas['SubmitSchema']>;
export type OwnedMessage = z.output<CoordinationSchemas['OwnedSchema']>;
export type CancelReport = z.output<CoordinationSchemas['CancelReportSchema']>;
export type RequestUpdate = z.output<CoordinationSchemas['RequestUpdateSchema']>;

/** The first problem of a message that failed its schema, for the log line that refuses it (bounded). */
export function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid message';
  return `${issue.path.join('.') || '(message)'}: ${issue.message}`.slice(0, 300);
}

/** What the `group` query answers. */
export interface GroupView {
  /** Undefined until the first request named the group. */
  readonly group: GroupRef | undefined;
  /** First run id of this incarnation (what its ClientTokens carry). */
  readonly incarnation: string;
  /** Next change sequence number. */
  readonly seq: number;
  /** Servers waiting to be sent, over all live requests. */
  readonly queued: number;
  /** The change in flight; `chunks` > 1 when more chunks go right after it in the same activity (Huawei), `servers` counting them all. */
  readonly inFlight:
    | {
        readonly kind: 'add' | 'dry-run' | 'remove';
        readonly servers: number;
        readonly chunks: number;
        readonly requests: string[];
        readonly token: string;
      }
    | undefined;
  /** Live requests; `queued`: their servers not sent yet (not listed yet, or waiting for a change). */
  readonly requests: {
    readonly workflowId: string;
    /** The run it serves (since 0.4: a reset request's new run takes its place). */
    readonly runId?: string;
    readonly phase: Progress['phase'];
    readonly requested: number;
    readonly queued: number;
    readonly added: number;
    readonly alreadyPresent: number;
  }[];
  /** Requests that arrived while the coordinator held all it may (their servers are asked for again in turn). */
  readonly awaitingAdmission: number;
  /** Since 0.4: it takes submissions that carry their servers' count only (`pages`), and fetches the servers. */
  readonly pages?: true;
}
