// The rest of the message contract as zod schemas: what a run returns (result), what a failed run carries
// (ApplicationFailure details[0]), and what the `progress` query answers. They describe contract.ts's types
// exactly (the type checks at the end fail to compile when one changes without the other) and are the source of
// the JSON Schemas in schemas/ for callers in other languages. Nothing in a run parses with them: they are
// built on first use, by the schema generator and the tests.
import { z } from 'zod';
import type { AddServersResult, FailureDetails, LifecycleState, Phase, Progress } from './contract.js';
import { FAILURE_TYPES } from './failures.js';
import type { Provider } from './provider.js';

const PHASES = ['validating', 'listing', 'adding', 'waiting', 'rolling-back', 'completed', 'failed'] as const;
const STATES = ['pending', 'added', 'settling', 'ready', 'checked', 'removed'] as const;

/** Builds the contract's schemas for these providers, once per realm through src/registry's `contractSchemas()`. */
export function buildContractSchemas(providers: readonly [Provider, ...Provider[]]) {
  const keys = z
    .array(z.string())
    .describe('identity keys of servers (see identityKey: serverId or serverIp for Alibaba, address:port for Huawei)');
  const ServerStatusSchema = z.strictObject({
    key: z.string().describe("the server's identity key"),
    status: z.string().describe("the provider's last-seen status word (Available, Adding, ONLINE, …) or dry-run"),
  });

  const AddServersResultSchema = z
    .strictObject({
      provider: z.enum(providers),
      dryRun: z.boolean(),
      added: keys.describe('servers this run added'),
      alreadyPresent: keys.describe('requested servers the group already had: not sent'),
      servers: z.array(ServerStatusSchema).describe('final status per requested server, in request order'),
      requestIds: z
        .array(z.string())
        .describe('provider request ids of every call that changed or read the group, in order'),
      timings: z.strictObject({
        startedAt: z.string().describe('ISO 8601'),
        finishedAt: z.string().describe('ISO 8601'),
        chunks: z.number().int().nonnegative(),
      }),
    })
    .describe('what addServersToServerGroup returns when it completes');

  const FailureDetailsSchema = z
    .strictObject({
      type: z.enum(FAILURE_TYPES).describe('the catalogue type, also the ApplicationFailure type'),
      added: keys.describe('servers this run added before it stopped (with rollback, then removed: see rolledBack)'),
      alreadyPresent: keys,
      rolledBack: keys.optional().describe('with onFailure rollback: servers this run added and removed again'),
      keptForOthers: keys
        .optional()
        .describe('with onFailure rollback: servers this run added but left, because another request asked for them'),
      stragglers: z
        .array(ServerStatusSchema)
        .optional()
        .describe('AvailabilityTimeout: servers that never became ready, with their last status'),
      provider: z.enum(providers).optional(),
      code: z.string().optional().describe("the provider's error code"),
      httpStatus: z.number().int().optional(),
      requestId: z.string().optional().describe("the provider's request id of the refused call"),
      action: z.string().optional().describe('the provider API action that failed'),
      quota: z
        .strictObject({
          requested: z.number().int().nonnegative().describe('servers this request asked for'),
          change: z.number().int().nonnegative().describe('servers in the refused change'),
          limit: z.number().int().nonnegative().optional().describe("the group's quota, when the provider said it"),
          groupHolds: z.number().int().nonnegative().optional().describe('servers the group holds'),
          fits: z.number().int().nonnegative().optional().describe('how many more fit'),
        })
        .optional()
        .describe('QuotaExceeded only'),
      issues: z
        .array(z.strictObject({ path: z.string(), message: z.string() }))
        .optional()
        .describe('ValidationError: every issue, naming the field and the rule'),
    })
    .describe("details[0] of a failed addServersToServerGroup's ApplicationFailure");

  const ProgressSchema = z
    .strictObject({
      phase: z.enum(PHASES),
      chunksDone: z.number().int().nonnegative(),
      chunksTotal: z.number().int().nonnegative(),
      requested: z.number().int().nonnegative(),
      added: z.number().int().nonnegative(),
      alreadyPresent: z.number().int().nonnegative(),
      states: z
        .partialRecord(z.enum(STATES), z.number().int().nonnegative())
        .describe("how many requested servers are in each of lbflow's lifecycle states (zero counts left out)"),
      providerStatuses: z
        .record(z.string(), z.number().int().nonnegative())
        .describe("how many were last seen in each of the provider's own statuses"),
    })
    .describe('what the progress query of addServersToServerGroup answers');

  /**
   * How the client reads a cancelled run's report from its memo (lbflowReport), written by a request of any version:
   * the lists it needs, and whatever else the writer put there passes through (a newer writer may add fields).
   */
  const ReportMemoSchema = z.looseObject({
    added: keys,
    alreadyPresent: keys,
    rolledBack: keys.optional(),
    keptForOthers: keys.optional(),
  });

  return { AddServersResultSchema, FailureDetailsSchema, ProgressSchema, ReportMemoSchema };
}

export type ContractSchemas = ReturnType<typeof buildContractSchemas>;

// Compile-time: each schema's output is exactly its contract type (readonly aside): a field added to, dropped from
// or retyped in one and not the other, optional ones included, fails `npm run typecheck`.
type Mutable<T> = T extends readonly (infer E)[]
  ? Mutable<E>[]
  : T extends object
    ? { -readonly [K in keyof T]: Mutable<T[K]> }
    : T;
type Same<A, B> = (<T>() => T extends Mutable<A> ? 1 : 2) extends <T>() => T extends Mutable<B> ? 1 : 2 ? true : false;
type Holds<T extends true> = T;
export type ContractSchemasMatch = [
  Holds<Same<z.output<ContractSchemas['AddServersResultSchema']>, AddServersResult>>,
  Holds<Same<z.output<ContractSchemas['FailureDetailsSchema']>, FailureDetails>>,
  Holds<Same<z.output<ContractSchemas['ProgressSchema']>, Progress>>,
  Holds<Same<(typeof PHASES)[number], Phase>>,
  Holds<Same<(typeof STATES)[number], LifecycleState>>,
];
